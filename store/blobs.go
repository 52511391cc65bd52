package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrTooLarge is returned when content is over the size limit it was given.
var ErrTooLarge = errors.New("too large")

// blobTempPrefix names files being written by Put; nothing else in the archive starts with a dot.
const blobTempPrefix = ".put-"

// Blobs is the content-addressed media archive on local disk. A file is named by the SHA-256
// of its bytes (Dir/ab/cd/abcd…), so identical files are stored once and a name never changes meaning.
type Blobs struct {
	// Dir is the archive's root, usually <data>/media.
	Dir string
	// Keys seal new files (nil: stored plain); files are named by the SHA-256 of the plaintext.
	Keys *Keyring
}

// BlobFile is an archived file opened for reading, decrypted if it was sealed.
type BlobFile interface {
	io.ReadSeekCloser
	Size() int64 // the plaintext size
}

// Put stores the bytes of r, at most max of them (no limit when max <= 0), and returns their
// SHA-256 in hex and their size. The file is complete and durable on disk when Put returns:
// it is written to a temporary file, synced, and renamed into place.
func (b *Blobs) Put(r io.Reader, max int64) (sha string, size int64, err error) {
	if err := ensureDir(b.Dir); err != nil {
		return "", 0, fmt.Errorf("store: put blob: %w", err)
	}
	tmp, err := os.CreateTemp(b.Dir, blobTempPrefix+"*")
	if err != nil {
		return "", 0, fmt.Errorf("store: put blob: %w", err)
	}
	defer func() {
		if tmp != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	src := r
	if max > 0 {
		src = io.LimitReader(r, max+1)
	}
	h := sha256.New()
	var dst io.Writer = tmp
	var sealed *SealedWriter
	if b.Keys != nil {
		if sealed, err = b.Keys.NewWriter(tmp); err != nil {
			return "", 0, fmt.Errorf("store: put blob: %w", err)
		}
		dst = sealed
	}
	size, err = io.CopyBuffer(io.MultiWriter(dst, h), src, make([]byte, 256<<10))
	if err != nil {
		return "", 0, fmt.Errorf("store: put blob: %w", err)
	}
	if max > 0 && size > max {
		return "", 0, fmt.Errorf("store: put blob: %w: more than %d bytes", ErrTooLarge, max)
	}
	if sealed != nil {
		if err := sealed.Close(); err != nil {
			return "", 0, fmt.Errorf("store: put blob: %w", err)
		}
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, fmt.Errorf("store: put blob: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", 0, fmt.Errorf("store: put blob: %w", err)
	}
	sha = hex.EncodeToString(h.Sum(nil))
	final := b.path(sha)
	if _, err := os.Lstat(final); err == nil {
		return sha, size, nil // already archived; the deferred cleanup drops the copy
	}
	if err := b.makeShardDirs(sha); err != nil {
		return "", 0, fmt.Errorf("store: put blob: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", 0, fmt.Errorf("store: put blob: %w", err)
	}
	tmp = nil
	if err := syncDir(filepath.Dir(final)); err != nil {
		return "", 0, fmt.Errorf("store: put blob: %w", err)
	}
	return sha, size, nil
}

// Open opens the file with this hash for reading, decrypting a sealed one (segment by segment,
// so seeking stays cheap). A missing file is ErrNotFound; one sealed under a key the desk lacks
// is ErrWrongKey.
func (b *Blobs) Open(sha string) (BlobFile, error) {
	if !validSHA256(sha) {
		return nil, fmt.Errorf("store: open blob: %w", Errorf(KindInvalid, "%q is not a SHA-256", sha))
	}
	f, err := os.Open(b.path(sha))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("store: open blob %s: %w", sha, errNoSuchThing)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open blob %s: %w", sha, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("store: open blob %s: %w", sha, err)
	}
	head := make([]byte, cryptHeaderSize)
	if n, _ := f.ReadAt(head, 0); !IsSealed(head[:n]) {
		return plainBlob{f, st.Size()}, nil
	}
	r, err := b.Keys.NewReader(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("store: open blob %s: %w", sha, err)
	}
	return sealedBlob{r, f}, nil
}

// Path is where the file with this hash lives on disk (sealed or plain).
func (b *Blobs) Path(sha string) string { return b.path(sha) }

type plainBlob struct {
	*os.File
	size int64
}

func (p plainBlob) Size() int64 { return p.size }

type sealedBlob struct {
	*SealedReader
	f *os.File
}

func (s sealedBlob) Close() error {
	s.Release()
	return s.f.Close()
}

// Remove deletes the file with this hash; removing a missing file is not an error.
func (b *Blobs) Remove(sha string) error {
	if !validSHA256(sha) {
		return fmt.Errorf("store: remove blob: %w", Errorf(KindInvalid, "%q is not a SHA-256", sha))
	}
	p := b.path(sha)
	err := os.Remove(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: remove blob %s: %w", sha, err)
	}
	// Retention deletes personal data: make the deletion survive a crash too.
	if err := syncDir(filepath.Dir(p)); err != nil {
		return fmt.Errorf("store: remove blob %s: %w", sha, err)
	}
	return nil
}

// DiskUsage is the total size in bytes of the files under Dir, unfinished ones included.
func (b *Blobs) DiskUsage() (int64, error) {
	var total int64
	err := filepath.WalkDir(b.Dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: blob disk usage: %w", err)
	}
	return total, nil
}

// RemoveStaleTemp deletes unfinished files left by a Put that was interrupted (a crash) and
// last written before the given time. It returns how many it removed.
func (b *Blobs) RemoveStaleTemp(before time.Time) (int, error) {
	entries, err := os.ReadDir(b.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: remove stale temp blobs: %w", err)
	}
	n := 0
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), blobTempPrefix) {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(before) {
			continue
		}
		if err := os.Remove(filepath.Join(b.Dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, fmt.Errorf("store: remove stale temp blobs: %w", err)
		}
		n++
	}
	return n, nil
}

// path is where the file with this hash lives: two levels of 256 directories keep each small.
func (b *Blobs) path(sha string) string {
	return filepath.Join(b.Dir, sha[:2], sha[2:4], sha)
}

// makeShardDirs creates Dir/ab and Dir/ab/cd as needed, syncing each new directory's parent
// so the file renamed into it is reachable after a crash.
func (b *Blobs) makeShardDirs(sha string) error {
	for _, d := range []string{filepath.Join(b.Dir, sha[:2]), filepath.Join(b.Dir, sha[:2], sha[2:4])} {
		err := os.Mkdir(d, 0o700)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := syncDir(filepath.Dir(d)); err != nil {
			return err
		}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	return errors.Join(err, d.Close())
}

// validSHA256 reports whether s is a lower-case hex SHA-256, the only names the archive uses;
// checking it keeps any other string from becoming a path.
func validSHA256(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
