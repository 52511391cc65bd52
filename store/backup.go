package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// ManifestName is the file in a backup directory that lists every file with its SHA-256.
const ManifestName = "manifest.json"

// BackupManifest describes one backup: the database snapshot, every media file and the audit
// chain head of the snapshot, so a restore can prove the files and the chain are as backed up.
type BackupManifest struct {
	Format    int       `json:"format"`
	CreatedAt time.Time `json:"created_at"`
	Version   string    `json:"kycdesk_version"`
	// Database is the snapshot's path inside the backup directory.
	Database string `json:"database"`
	// Inbox is the inbox's snapshot (callbacks acknowledged but not yet moved into the
	// database), taken just before the database's; empty in a backup of a desk without one.
	Inbox        string       `json:"inbox,omitempty"`
	AuditHead    AuditHeadRef `json:"audit_head"`
	AuditEntries int          `json:"audit_entries"`
	Files        []BackupFile `json:"files"`
}

// AuditHeadRef pins the audit chain: the newest entry's ID and hash.
type AuditHeadRef struct {
	ID   int64  `json:"id"`
	Hash string `json:"hash"`
}

// String is the head as `audit verify` prints it and `--expect` takes it.
func (h AuditHeadRef) String() string { return fmt.Sprintf("%d:%s", h.ID, h.Hash) }

// BackupFile is one file of a backup, with a slash-separated path relative to the backup dir.
type BackupFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Progress is how far a backup, restore or verify has got, for a progress line.
type Progress struct {
	Phase       string // "database", "media", "verify"
	Files       int
	TotalFiles  int
	Bytes       int64
	TotalBytes  int64
	CopiedFiles int // backup: media files actually copied (not already in the destination)
}

// BackupResult summarises a backup run.
type BackupResult struct {
	Manifest    BackupManifest
	CopiedFiles int
	CopiedBytes int64
	Pruned      int
}

// Backup writes a consistent snapshot of the database (VACUUM INTO, in one read transaction, so
// it runs beside the server without blocking its writes), then the media archive, copying only
// content-addressed files the destination lacks, then manifest.json. The manifest is renamed into
// place last: until then the previous backup in dest stays whole. Media no longer in the archive
// (purged by retention) are removed from dest afterwards, so deletions reach the backup too.
func (db *DB) Backup(ctx context.Context, blobs *Blobs, dest, version string, progress func(Progress)) (BackupResult, error) {
	var res BackupResult
	if progress == nil {
		progress = func(Progress) {}
	}
	if err := os.MkdirAll(filepath.Join(dest, "media"), 0o700); err != nil {
		return res, fmt.Errorf("store: backup: %w", err)
	}
	now := db.Now().UTC()
	m := BackupManifest{Format: 1, CreatedAt: now, Version: version,
		Database: "db-" + now.Format("20060102T150405.000000000Z") + ".db"}
	progress(Progress{Phase: "database"})
	// The inbox first: a callback acknowledged before the backup began is then in the inbox's
	// snapshot, or was moved before it was taken and so is in the database's, taken after. One in
	// both is moved once: the database's inbox_mark says it holds it.
	if _, err := os.Stat(InboxPath(db.path)); err == nil {
		// Format 2: a restore by a binary that predates the inbox refuses it (it knows only 1)
		// rather than leaving the unmoved callbacks behind.
		m.Format, m.Inbox = 2, strings.TrimSuffix(m.Database, ".db")+".inbox.db"
	} else if !errors.Is(err, fs.ErrNotExist) {
		return res, fmt.Errorf("store: backup: %w", err)
	}
	for i, f := range []struct{ from, to string }{{InboxPath(db.path), m.Inbox}, {db.path, m.Database}} {
		if f.to == "" {
			continue
		}
		if i == 1 && betweenSnapshots != nil {
			betweenSnapshots()
		}
		snap := filepath.Join(dest, f.to)
		if err := vacuumInto(ctx, f.from, snap); err != nil {
			return res, err
		}
		file, err := hashFile(snap)
		if err != nil {
			return res, fmt.Errorf("store: backup: %w", err)
		}
		file.Path = f.to
		m.Files = append(m.Files, file)
	}
	snap := filepath.Join(dest, m.Database)
	var err error
	if m.AuditHead, m.AuditEntries, err = snapshotAuditHead(ctx, snap); err != nil {
		return res, err
	}

	// Media: list first, so progress has a total.
	type blob struct {
		rel  string
		size int64
	}
	var blobsToCopy []blob
	var total int64
	err = filepath.WalkDir(blobs.Dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == blobs.Dir {
			return filepath.SkipDir
		}
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") || !validSHA256(d.Name()) {
			return nil // unfinished uploads, probes and anything not content-addressed
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(blobs.Dir, p)
		blobsToCopy = append(blobsToCopy, blob{rel: filepath.ToSlash(rel), size: info.Size()})
		total += info.Size()
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("store: backup: list media: %w", err)
	}
	p := Progress{Phase: "media", TotalFiles: len(blobsToCopy), TotalBytes: total}
	progress(p)
	for _, b := range blobsToCopy {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		sha := path.Base(b.rel)
		to := filepath.Join(dest, "media", filepath.FromSlash(b.rel))
		if st, err := os.Stat(to); err == nil && st.Size() == b.size {
			// Content-addressed: a file of that name and size is that content. `backup verify`
			// re-hashes every file.
		} else {
			got, err := copyFile(filepath.Join(blobs.Dir, filepath.FromSlash(b.rel)), to)
			if err != nil {
				return res, fmt.Errorf("store: backup: media %s: %w", sha, err)
			}
			if got.SHA256 != sha && !fileSealed(to) {
				os.Remove(to)
				return res, fmt.Errorf("store: backup: media file %s has SHA-256 %s: the archive copy is damaged", b.rel, got.SHA256)
			}
			res.CopiedFiles++
			res.CopiedBytes += got.Size
			p.CopiedFiles++
		}
		// A sealed file (encryption at rest) is listed by the SHA-256 of its sealed bytes, which is
		// what `backup verify` and `restore` re-hash; its name stays the plaintext's.
		listed := sha
		if fileSealed(to) {
			got, err := hashFile(to)
			if err != nil {
				return res, fmt.Errorf("store: backup: media %s: %w", sha, err)
			}
			listed = got.SHA256
		}
		m.Files = append(m.Files, BackupFile{Path: "media/" + b.rel, Size: b.size, SHA256: listed})
		p.Files++
		p.Bytes += b.size
		progress(p)
	}
	if err := writeManifest(dest, m); err != nil {
		return res, err
	}
	res.Manifest = m
	res.Pruned, err = pruneBackup(dest, m)
	return res, err
}

// betweenSnapshots, when set (by tests only), runs after the inbox's snapshot and before the
// database's.
var betweenSnapshots func()

// vacuumInto writes a compacted, consistent copy of the database at src to dst (which must not
// exist) through its own connection, so the server's writer is never held up.
func vacuumInto(ctx context.Context, src, dst string) error {
	if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: backup: %w", err)
	}
	conn, err := sql.Open("sqlite3", "file:"+src+"?_busy_timeout=10000&_query_only=false")
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return fmt.Errorf("store: backup: snapshot the database: %w", err)
	}
	if err := os.Chmod(dst, 0o600); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	f, err := os.Open(dst)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	defer f.Close()
	return f.Sync()
}

// openSnapshot opens a database file read-only and unchanged (no migrations, no -wal written).
func openSnapshot(p string) (*DB, error) {
	r, err := sql.Open("sqlite3", "file:"+p+"?mode=ro&immutable=1&_query_only=true")
	if err != nil {
		return nil, fmt.Errorf("store: open snapshot: %w", err)
	}
	return &DB{path: p, write: r, read: r, Now: func() time.Time { return time.Now().UTC() }}, nil
}

func snapshotAuditHead(ctx context.Context, p string) (AuditHeadRef, int, error) {
	snap, err := openSnapshot(p)
	if err != nil {
		return AuditHeadRef{}, 0, err
	}
	defer snap.read.Close()
	var h AuditHeadRef
	if h.ID, h.Hash, err = snap.AuditHead(ctx); err != nil {
		return h, 0, err
	}
	var n int
	if err := snap.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&n); err != nil {
		return h, 0, fmt.Errorf("store: backup: count audit entries: %w", err)
	}
	return h, n, nil
}

func writeManifest(dest string, m BackupManifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("store: backup: manifest: %w", err)
	}
	tmp := filepath.Join(dest, "."+ManifestName+".partial")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("store: backup: manifest: %w", err)
	}
	f, err := os.Open(tmp)
	if err == nil {
		err = errors.Join(f.Sync(), f.Close())
	}
	if err != nil {
		return fmt.Errorf("store: backup: manifest: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dest, ManifestName)); err != nil {
		return fmt.Errorf("store: backup: manifest: %w", err)
	}
	return syncDir(dest)
}

// ReadManifest reads a backup directory's manifest.
func ReadManifest(dir string) (BackupManifest, error) {
	var m BackupManifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return m, fmt.Errorf("store: backup manifest: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("store: backup manifest %s: %w", filepath.Join(dir, ManifestName), err)
	}
	if m.Format != 1 && m.Format != 2 || m.Database == "" || m.Format == 2 && m.Inbox == "" {
		return m, fmt.Errorf("store: backup manifest %s: unknown format %d", filepath.Join(dir, ManifestName), m.Format)
	}
	listed := map[string]bool{}
	for _, f := range m.Files {
		if !filepath.IsLocal(filepath.FromSlash(f.Path)) {
			return m, fmt.Errorf("store: backup manifest: path %q leaves the backup directory", f.Path)
		}
		listed[f.Path] = true
	}
	for _, snap := range []string{m.Database, m.Inbox} {
		if snap != "" && !listed[snap] {
			return m, fmt.Errorf("store: backup manifest %s: the snapshot %s is not among its files", filepath.Join(dir, ManifestName), snap)
		}
	}
	return m, nil
}

// pruneBackup removes database snapshots and media files that the manifest no longer lists.
func pruneBackup(dest string, m BackupManifest) (int, error) {
	keep := map[string]bool{}
	for _, f := range m.Files {
		keep[f.Path] = true
	}
	n := 0
	entries, err := os.ReadDir(dest)
	if err != nil {
		return 0, fmt.Errorf("store: backup: prune: %w", err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "db-") && strings.HasSuffix(e.Name(), ".db") && !keep[e.Name()] {
			if err := os.Remove(filepath.Join(dest, e.Name())); err == nil {
				n++
			}
		}
	}
	err = filepath.WalkDir(filepath.Join(dest, "media"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dest, p)
		if !keep[filepath.ToSlash(rel)] {
			if err := os.Remove(p); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("store: backup: prune: %w", err)
	}
	return n, nil
}

// hashFile is a file's size and SHA-256.
func hashFile(p string) (BackupFile, error) {
	f, err := os.Open(p)
	if err != nil {
		return BackupFile{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.CopyBuffer(h, f, make([]byte, 256<<10))
	if err != nil {
		return BackupFile{}, err
	}
	return BackupFile{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// copyFile copies src to dst (0600, synced, renamed into place), hashing on the way.
func copyFile(src, dst string) (BackupFile, error) {
	in, err := os.Open(src)
	if err != nil {
		return BackupFile{}, err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return BackupFile{}, err
	}
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".partial")
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return BackupFile{}, err
	}
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(out, h), in, make([]byte, 256<<10))
	if err == nil {
		err = out.Sync()
	}
	err = errors.Join(err, out.Close())
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
		return BackupFile{}, err
	}
	return BackupFile{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// fileSealed reports whether the file at p starts like sealed data (crypt.go).
func fileSealed(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, cryptHeaderSize)
	n, _ := f.ReadAt(head, 0)
	return IsSealed(head[:n])
}
