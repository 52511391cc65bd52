package store_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/kycdesk/kycdesk/store"
)

func newKey(t testing.TB) *store.DataKey {
	t.Helper()
	raw := make([]byte, store.DataKeySize)
	rand.Read(raw)
	k, err := store.NewDataKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestSealedRoundTripAndSeek: sizes around the 64 KiB segment boundary round-trip; reads that
// start anywhere and cross segment boundaries return the right bytes; a changed, swapped or cut
// segment does not authenticate; another key is refused with ErrWrongKey.
func TestSealedRoundTripAndSeek(t *testing.T) {
	ring := store.KeyringOf(newKey(t))
	for _, n := range []int{0, 1, store.CryptSegment - 1, store.CryptSegment, store.CryptSegment + 1, 3*store.CryptSegment + 17} {
		plain := make([]byte, n)
		rand.Read(plain)
		sealed, err := ring.Seal(plain)
		if err != nil {
			t.Fatal(err)
		}
		if n > 16 && bytes.Contains(sealed, plain[:16]) {
			t.Errorf("size %d: the sealed bytes contain the plaintext", n)
		}
		got, err := ring.Open(sealed)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("size %d: Open = %d bytes, %v", n, len(got), err)
		}
		r, err := ring.NewReader(bytes.NewReader(sealed), int64(len(sealed)))
		if err != nil || r.Size() != int64(n) {
			t.Fatalf("size %d: reader size %d, %v", n, r.Size(), err)
		}
		for _, off := range []int{0, store.CryptSegment - 5, store.CryptSegment, 2*store.CryptSegment - 1, n - 3} {
			if off < 0 || off >= n {
				continue
			}
			want := plain[off:min(n, off+store.CryptSegment+10)] // crosses at least one boundary
			if _, err := r.Seek(int64(off), io.SeekStart); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, len(want))
			if _, err := io.ReadFull(r, buf); err != nil || !bytes.Equal(buf, want) {
				t.Errorf("size %d: read at %d: %v or wrong bytes", n, off, err)
			}
		}
	}

	plain := make([]byte, 3*store.CryptSegment)
	rand.Read(plain)
	sealed, _ := ring.Seal(plain)
	flipped := bytes.Clone(sealed)
	flipped[40+store.CryptSegment] ^= 1 // inside the second segment
	if _, err := ring.Open(flipped); err == nil {
		t.Error("a changed byte was not noticed")
	}
	if _, err := ring.Open(sealed[:32+store.CryptSegment+16]); err == nil {
		t.Error("a file cut at a segment boundary was not noticed")
	}
	seg := store.CryptSegment + 16
	swapped := bytes.Clone(sealed)
	copy(swapped[32:32+seg], sealed[32+seg:32+2*seg])
	copy(swapped[32+seg:32+2*seg], sealed[32:32+seg])
	if _, err := ring.Open(swapped); err == nil {
		t.Error("swapped segments were not noticed")
	}
	other := store.KeyringOf(newKey(t))
	if _, err := other.Open(sealed); !errors.Is(err, store.ErrWrongKey) {
		t.Errorf("Open under another key = %v, want ErrWrongKey", err)
	}
	var none *store.Keyring
	if _, err := none.Open(sealed); !errors.Is(err, store.ErrWrongKey) {
		t.Errorf("Open with no key = %v, want ErrWrongKey", err)
	}
	if got, err := none.Open([]byte(`{"plain":true}`)); err != nil || string(got) != `{"plain":true}` {
		t.Errorf("a plain body through no key = %q, %v", got, err)
	}
}

// TestBlobsSealedOnDisk: with a key the archive's files are not the plaintext, still named by
// the plaintext's SHA-256, read back whole and by seeking; rotation to a new key re-seals them.
func TestBlobsSealedOnDisk(t *testing.T) {
	dir := t.TempDir()
	k1, k2 := newKey(t), newKey(t)
	b := &store.Blobs{Dir: dir, Keys: store.KeyringOf(k1)}
	content := bytes.Repeat([]byte("ASHA RAO 2341 2341 2346 "), 10000) // 240 KB, four segments
	sha, size, err := b.Put(bytes.NewReader(content), 0)
	if err != nil || size != int64(len(content)) {
		t.Fatalf("Put = %s %d %v", sha, size, err)
	}
	onDisk, err := os.ReadFile(b.Path(sha))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(onDisk, []byte("ASHA RAO")) || !store.IsSealed(onDisk) {
		t.Fatalf("the file on disk holds the plaintext")
	}
	f, err := b.Open(sha)
	if err != nil {
		t.Fatal(err)
	}
	if f.Size() != int64(len(content)) {
		t.Errorf("Size = %d", f.Size())
	}
	f.Seek(store.CryptSegment-3, io.SeekStart)
	buf := make([]byte, 6)
	io.ReadFull(f, buf)
	f.Close()
	if !bytes.Equal(buf, content[store.CryptSegment-3:store.CryptSegment+3]) {
		t.Errorf("read across the boundary = %q", buf)
	}

	// Another desk's key: refused with a sentence naming the cause.
	if _, err := (&store.Blobs{Dir: dir, Keys: store.KeyringOf(k2)}).Open(sha); !errors.Is(err, store.ErrWrongKey) {
		t.Errorf("Open under the wrong key = %v", err)
	}
	// Rotation: k2 first, k1 still known; the file is re-sealed under k2 and reads the same.
	r := &store.Blobs{Dir: dir, Keys: store.KeyringOf(k2, k1)}
	var last store.RotationProgress
	p, err := r.Rotate(t.Context(), func(p store.RotationProgress) { last = p })
	if err != nil || p.Resealed != 1 || last.Done != 1 || last.Total != 1 {
		t.Fatalf("Rotate = %+v (last %+v), %v", p, last, err)
	}
	only2 := &store.Blobs{Dir: dir, Keys: store.KeyringOf(k2)}
	f, err = only2.Open(sha)
	if err != nil {
		t.Fatalf("after rotation, k2 alone: %v", err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, content) {
		t.Error("rotated file reads differently")
	}
	if p, _ := r.Rotate(t.Context(), func(store.RotationProgress) {}); p.Resealed != 0 {
		t.Errorf("a second rotation re-sealed %d files", p.Resealed)
	}
	if entries, _ := os.ReadDir(filepath.Dir(b.Path(sha))); len(entries) != 1 {
		t.Errorf("rotation left %d files beside the archived one", len(entries))
	}
}

// TestSealedCopyTo: CopyTo, which serves Range bodies several segments at a time, writes exactly
// the plaintext from any position for any length (within a segment, across segments, across its
// four-segment batches, past the end), leaves the position after what it wrote, and refuses a
// changed segment rather than writing its bytes.
func TestSealedCopyTo(t *testing.T) {
	ring := store.KeyringOf(newKey(t))
	seg := store.CryptSegment
	plain := make([]byte, 11*seg+123)
	rand.Read(plain)
	sealed, err := ring.Seal(plain)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ off, n int }{
		{0, 1}, {0, seg}, {seg - 1, 2}, {5, 4*seg + 1}, {3*seg + 7, 5 * seg}, {0, len(plain)},
		{len(plain) - 10, 10}, {len(plain) - 10, 1000}, {10*seg + 5, seg}, {len(plain), 5},
	} {
		r, err := ring.NewReader(bytes.NewReader(sealed), int64(len(sealed)))
		if err != nil {
			t.Fatal(err)
		}
		r.Seek(int64(c.off), io.SeekStart)
		var out bytes.Buffer
		n, err := r.CopyTo(&out, int64(c.n))
		want := plain[c.off:min(len(plain), c.off+c.n)]
		if err != nil || n != int64(len(want)) || !bytes.Equal(out.Bytes(), want) {
			t.Errorf("CopyTo from %d for %d = %d bytes, %v (want %d, right bytes %v)", c.off, c.n, n, err, len(want), bytes.Equal(out.Bytes(), want))
		}
		if pos, _ := r.Seek(0, io.SeekCurrent); pos != int64(c.off+len(want)) {
			t.Errorf("CopyTo from %d for %d left the position at %d", c.off, c.n, pos)
		}
		r.Release()
	}
	flipped := bytes.Clone(sealed)
	flipped[32+6*(seg+16)+9] ^= 1 // inside the seventh segment
	r, _ := ring.NewReader(bytes.NewReader(flipped), int64(len(flipped)))
	var out bytes.Buffer
	if _, err := r.CopyTo(&out, int64(len(plain))); err == nil {
		t.Error("CopyTo wrote a changed segment without an error")
	}
	if out.Len() > 4*seg {
		t.Errorf("CopyTo wrote %d bytes, past the batch before the changed segment", out.Len())
	}
}

// failAfter is a writer that takes n bytes and then fails, as a browser that hangs up mid-video.
type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		m := f.n
		f.n = 0
		return m, errors.New("connection reset")
	}
	f.n -= len(p)
	return len(p), nil
}

// TestSealedCopyToWriterFails: a long CopyTo (decrypting ahead while it writes) whose writer fails
// part way returns the writer's error and what was written, and the reader reads on from there.
func TestSealedCopyToWriterFails(t *testing.T) {
	ring := store.KeyringOf(newKey(t))
	plain := make([]byte, 20*store.CryptSegment)
	rand.Read(plain)
	sealed, _ := ring.Seal(plain)
	for _, cut := range []int{0, 10, 4*store.CryptSegment + 3, 9 * store.CryptSegment} {
		r, _ := ring.NewReader(bytes.NewReader(sealed), int64(len(sealed)))
		n, err := r.CopyTo(&failAfter{cut}, int64(len(plain)))
		if err == nil || n != int64(cut) {
			t.Errorf("cut at %d: CopyTo = %d, %v; want %d and the writer's error", cut, n, err, cut)
		}
		buf := make([]byte, 5)
		if _, err := io.ReadFull(r, buf); err != nil || !bytes.Equal(buf, plain[cut:cut+5]) {
			t.Errorf("cut at %d: the read after = %v, %v", cut, buf, err)
		}
		r.Release()
	}
}
