package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
	"time"
)

// blobFiles lists every file under dir, relative to it.
func blobFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

func TestBlobsPutStoresByContent(t *testing.T) {
	b := &Blobs{Dir: filepath.Join(t.TempDir(), "media")}
	content := []byte("a face, or something like it")
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])

	sha, size, err := b.Put(bytes.NewReader(content), 1<<20)
	if err != nil || sha != want || size != int64(len(content)) {
		t.Fatalf("Put = %s, %d, %v; want %s, %d", sha, size, err, want, len(content))
	}
	// Identical bytes are stored once.
	if sha2, _, err := b.Put(bytes.NewReader(content), 1<<20); err != nil || sha2 != want {
		t.Fatalf("second Put = %s, %v; want %s", sha2, err, want)
	}
	files := blobFiles(t, b.Dir)
	if wantPath := filepath.Join(want[:2], want[2:4], want); len(files) != 1 || files[0] != wantPath {
		t.Fatalf("archive holds %v, want just %s", files, wantPath)
	}
	info, err := os.Stat(filepath.Join(b.Dir, files[0]))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("file mode = %v, want 0600: the archive holds personal data", perm)
	}

	f, err := b.Open(sha)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(f)
	f.Close()
	if err != nil || !bytes.Equal(got, content) {
		t.Errorf("Open(%s) read %q, %v; want the content", sha, got, err)
	}
	if usage, err := b.DiskUsage(); err != nil || usage != int64(len(content)) {
		t.Errorf("DiskUsage() = %d, %v; want %d", usage, err, len(content))
	}

	if err := b.Remove(sha); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Open(sha); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open after Remove = %v, want ErrNotFound", err)
	}
	if err := b.Remove(sha); err != nil {
		t.Errorf("second Remove = %v, want nil: removing is idempotent", err)
	}
}

func TestBlobsPutLimitAndFailures(t *testing.T) {
	content := bytes.Repeat([]byte("x"), 100)
	tests := []struct {
		name    string
		r       io.Reader
		max     int64
		wantErr error // nil for success
	}{
		{"exactly the limit", bytes.NewReader(content), 100, nil},
		{"no limit", bytes.NewReader(content), 0, nil},
		{"one byte over", bytes.NewReader(content), 99, ErrTooLarge},
		{"reader fails", io.MultiReader(bytes.NewReader(content), iotest.ErrReader(io.ErrUnexpectedEOF)), 1000, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &Blobs{Dir: t.TempDir()}
			_, size, err := b.Put(tt.r, tt.max)
			if tt.wantErr == nil {
				if err != nil || size != 100 {
					t.Fatalf("Put = %d, %v; want 100 bytes stored", size, err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Put = %v, want %v", err, tt.wantErr)
			}
			if files := blobFiles(t, b.Dir); len(files) != 0 {
				t.Errorf("archive holds %v after a failed Put, want nothing", files)
			}
		})
	}
}

func TestBlobsRejectNonHashNames(t *testing.T) {
	b := &Blobs{Dir: t.TempDir()}
	for _, name := range []string{"", "../../etc/passwd", "ABCDEF" + string(bytes.Repeat([]byte("0"), 58)), string(bytes.Repeat([]byte("0"), 63))} {
		if _, err := b.Open(name); !errors.Is(err, ErrInvalid) {
			t.Errorf("Open(%q) = %v, want ErrInvalid", name, err)
		}
		if err := b.Remove(name); !errors.Is(err, ErrInvalid) {
			t.Errorf("Remove(%q) = %v, want ErrInvalid", name, err)
		}
	}
}

func TestBlobsRemoveStaleTemp(t *testing.T) {
	b := &Blobs{Dir: t.TempDir()}
	old := filepath.Join(b.Dir, blobTempPrefix+"old")
	fresh := filepath.Join(b.Dir, blobTempPrefix+"fresh")
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	if err := os.Chtimes(old, now.Add(-time.Hour), now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	n, err := b.RemoveStaleTemp(now.Add(-time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("RemoveStaleTemp = %d, %v; want 1", n, err)
	}
	if files := blobFiles(t, b.Dir); len(files) != 1 || files[0] != filepath.Base(fresh) {
		t.Errorf("left %v, want only the file still being written", files)
	}
}
