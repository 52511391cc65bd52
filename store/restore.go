package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// VerifyResult is what a verify or restore found.
type VerifyResult struct {
	Manifest BackupManifest
	// Problems lists every file that is missing, of another size or of another hash, and any
	// break in the audit chain or difference from the recorded head. Empty means intact.
	Problems []string
	// AuditEntries is how many audit entries verified.
	AuditEntries int
}

// OK reports whether nothing was wrong.
func (r VerifyResult) OK() bool { return len(r.Problems) == 0 }

// VerifyBackup re-hashes every file a backup's manifest lists and walks the snapshot's audit
// chain (read-only: the backup is not changed), checking it ends at the recorded head.
func VerifyBackup(ctx context.Context, dir string, progress func(Progress)) (VerifyResult, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return VerifyResult{}, err
	}
	res := VerifyResult{Manifest: m}
	res.Problems = checkFiles(ctx, m, progress, func(f BackupFile) (BackupFile, error) {
		return hashFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
	})
	if err := ctx.Err(); err != nil {
		return res, err
	}
	snap, err := openSnapshot(filepath.Join(dir, filepath.FromSlash(m.Database)))
	if err != nil {
		return res, err
	}
	defer snap.read.Close()
	res.AuditEntries, res.Problems = checkAudit(ctx, snap, m.AuditHead, res.Problems)
	return res, nil
}

// checkFiles runs check on every manifest file and lists the differences.
func checkFiles(ctx context.Context, m BackupManifest, progress func(Progress), check func(BackupFile) (BackupFile, error)) []string {
	if progress == nil {
		progress = func(Progress) {}
	}
	var problems []string
	p := Progress{Phase: "verify", TotalFiles: len(m.Files)}
	for _, f := range m.Files {
		p.TotalBytes += f.Size
	}
	for _, f := range m.Files {
		if ctx.Err() != nil {
			break
		}
		got, err := check(f)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			problems = append(problems, f.Path+": missing")
		case err != nil:
			problems = append(problems, f.Path+": "+err.Error())
		case got.Size != f.Size:
			problems = append(problems, fmt.Sprintf("%s: %d bytes, manifest says %d", f.Path, got.Size, f.Size))
		case got.SHA256 != f.SHA256:
			problems = append(problems, fmt.Sprintf("%s: SHA-256 %s, manifest says %s", f.Path, got.SHA256, f.SHA256))
		}
		p.Files++
		p.Bytes += f.Size
		progress(p)
	}
	return problems
}

// checkAudit walks the chain and compares it with the recorded head.
func checkAudit(ctx context.Context, db *DB, head AuditHeadRef, problems []string) (int, []string) {
	n, brk, err := db.VerifyAudit(ctx)
	switch {
	case err != nil:
		return n, append(problems, "audit chain: "+err.Error())
	case brk != nil:
		return n, append(problems, fmt.Sprintf("audit chain BROKEN at entry %d: %s", brk.ID, brk.Reason))
	}
	if head.ID == 0 {
		return n, problems
	}
	got, err := db.AuditHashAt(ctx, head.ID)
	switch {
	case err != nil:
		problems = append(problems, fmt.Sprintf("audit chain: entry %d of the recorded head is missing", head.ID))
	case got != head.Hash:
		problems = append(problems, fmt.Sprintf("audit chain: entry %d differs from the head recorded in the manifest", head.ID))
	}
	return n, problems
}

// Restore copies a backup into dataDir, which must be empty or absent, checking every file's
// hash on the way, then opens the database (applying any newer migrations) and verifies the audit
// chain against the manifest's head. On any problem the files it wrote are removed again, so a
// failed restore leaves nothing that could be started by mistake.
func Restore(ctx context.Context, from, dataDir string, progress func(Progress)) (res VerifyResult, err error) {
	m, err := ReadManifest(from)
	if err != nil {
		return res, err
	}
	res.Manifest = m
	if entries, err := os.ReadDir(dataDir); err == nil && len(entries) > 0 {
		return res, fmt.Errorf("store: restore: %s is not empty; restore into a new directory", dataDir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return res, fmt.Errorf("store: restore: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return res, fmt.Errorf("store: restore: %w", err)
	}
	if err := os.Chmod(dataDir, 0o700); err != nil {
		return res, fmt.Errorf("store: restore: %w", err)
	}
	defer func() {
		if err != nil || !res.OK() {
			clearDir(dataDir)
		}
	}()
	target := func(f BackupFile) string {
		switch f.Path {
		case m.Database:
			return filepath.Join(dataDir, "kycdesk.db")
		case m.Inbox:
			return InboxPath(filepath.Join(dataDir, "kycdesk.db"))
		}
		return filepath.Join(dataDir, filepath.FromSlash(f.Path))
	}
	res.Problems = checkFiles(ctx, m, progress, func(f BackupFile) (BackupFile, error) {
		return copyFile(filepath.Join(from, filepath.FromSlash(f.Path)), target(f))
	})
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if !res.OK() {
		return res, nil
	}
	db, err := Open(ctx, filepath.Join(dataDir, "kycdesk.db"))
	if err != nil {
		return res, err
	}
	defer db.Close()
	res.AuditEntries, res.Problems = checkAudit(ctx, db, m.AuditHead, res.Problems)
	return res, nil
}

// clearDir removes everything inside dir, leaving dir itself.
func clearDir(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}
