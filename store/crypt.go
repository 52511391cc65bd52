package store

import (
	"bytes"
	"cmp"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Encryption at rest (README "Encryption at rest"): media files and raw delivery bodies are
// sealed with AES-256-GCM in 64 KiB segments, each with its own nonce, so a reader can decrypt
// any segment alone and a Range request still seeks.
//
// Layout: header (32 bytes) = magic "\x00KDE1\x00\x00\x00" (8) | key id (8) | nonce prefix (8) |
// segment size (4, big endian) | reserved (4); then segments, each its ciphertext and 16-byte
// tag. Segment i's nonce is the prefix followed by i as 4 bytes big endian; its additional data is
// the header and a byte saying whether it is the last segment, so segments cannot be reordered,
// swapped between files or cut off at a boundary without failing authentication.
const (
	cryptMagic      = "\x00KDE1\x00\x00\x00"
	cryptHeaderSize = 32
	// CryptSegment is the plaintext size of every segment but the last.
	CryptSegment = 64 << 10
	cryptTag     = 16
	// DataKeySize is the size of a data key: AES-256.
	DataKeySize = 32
)

// ErrWrongKey means sealed data was sealed under a key the desk was not given.
var ErrWrongKey = errors.New("sealed under a data key this desk does not have")

// IsSealed reports whether b starts like sealed data. Plain vendor bodies and media never start
// with a NUL byte followed by the magic.
func IsSealed(b []byte) bool { return len(b) >= cryptHeaderSize && string(b[:8]) == cryptMagic }

// DataKey is one AES-256 key and its id (the first 8 bytes of the SHA-256 of the key).
type DataKey struct {
	ID   [8]byte
	aead cipher.AEAD
}

// NewDataKey makes a key from 32 raw bytes.
func NewDataKey(raw []byte) (*DataKey, error) {
	if len(raw) != DataKeySize {
		return nil, fmt.Errorf("store: a data key is %d bytes, not %d", DataKeySize, len(raw))
	}
	blk, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(blk)
	if err != nil {
		return nil, err
	}
	k := &DataKey{aead: aead}
	sum := sha256.Sum256(raw)
	copy(k.ID[:], sum[:8])
	return k, nil
}

// IDString is the key id in hex, as logs and errors name it.
func (k *DataKey) IDString() string { return hex.EncodeToString(k.ID[:]) }

// Keyring holds the data keys: the first seals, every one opens. Loaded from a key file (one
// key a line, 64 hex digits; the first line is the current key), it re-reads the file when it
// meets data sealed under a key it lacks, so a rotation started while the server runs needs no
// restart. A nil *Keyring seals nothing and opens only plain data.
type Keyring struct {
	path string
	mu   sync.RWMutex
	keys []*DataKey
	mod  time.Time
}

// LoadKeyring reads the key file at path.
func LoadKeyring(path string) (*Keyring, error) {
	k := &Keyring{path: path}
	if err := k.reload(); err != nil {
		return nil, err
	}
	return k, nil
}

// KeyringOf is a keyring of fixed keys, for tests and tools.
func KeyringOf(keys ...*DataKey) *Keyring { return &Keyring{keys: keys} }

// ParseKeyFile reads key lines: 64 hex digits each; blank lines and # comments are skipped.
func ParseKeyFile(text string) ([]*DataKey, error) {
	var out []*DataKey
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		raw, err := hex.DecodeString(line)
		if err != nil || len(raw) != DataKeySize {
			return nil, fmt.Errorf("line %d is not a data key (64 hex digits, as `kycdesk key new` writes)", i+1)
		}
		k, err := NewDataKey(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	if len(out) == 0 {
		return nil, errors.New("it holds no data key")
	}
	return out, nil
}

func (k *Keyring) reload() error {
	st, err := os.Stat(k.path)
	if err != nil {
		return fmt.Errorf("store: data key file: %w", err)
	}
	b, err := os.ReadFile(k.path)
	if err != nil {
		return fmt.Errorf("store: data key file: %w", err)
	}
	keys, err := ParseKeyFile(string(b))
	if err != nil {
		return fmt.Errorf("store: data key file %s: %w", k.path, err)
	}
	k.mu.Lock()
	k.keys, k.mod = keys, st.ModTime()
	k.mu.Unlock()
	return nil
}

// refresh re-reads the key file if it changed since it was read.
func (k *Keyring) refresh() {
	if k.path == "" {
		return
	}
	st, err := os.Stat(k.path)
	k.mu.RLock()
	same := err == nil && st.ModTime().Equal(k.mod)
	k.mu.RUnlock()
	if !same && err == nil {
		_ = k.reload() // a half-written file keeps the keys already loaded
	}
}

// Current is the key that seals (nil for a nil keyring).
func (k *Keyring) Current() *DataKey {
	if k == nil {
		return nil
	}
	k.refresh()
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.keys[0]
}

// key finds the key with id, re-reading the key file once if it is not loaded.
func (k *Keyring) key(id []byte) (*DataKey, error) {
	if k == nil {
		return nil, fmt.Errorf("store: %w (%x): start the desk with --data-key-file", ErrWrongKey, id)
	}
	for attempt := 0; attempt < 2; attempt++ {
		k.mu.RLock()
		for _, dk := range k.keys {
			if bytes.Equal(dk.ID[:], id) {
				k.mu.RUnlock()
				return dk, nil
			}
		}
		k.mu.RUnlock()
		if attempt == 0 {
			k.refresh()
		}
	}
	return nil, fmt.Errorf("store: %w (key id %x): give the key file that holds it", ErrWrongKey, id)
}

// Seal encrypts b whole under the current key; a nil keyring returns b as it is.
func (k *Keyring) Seal(b []byte) ([]byte, error) {
	if k == nil {
		return b, nil
	}
	var out bytes.Buffer
	out.Grow(len(b) + cryptHeaderSize + cryptTag*(len(b)/CryptSegment+1))
	w, err := k.NewWriter(&out)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// Open decrypts sealed b; plain b comes back as it is (data from before encryption was on).
func (k *Keyring) Open(b []byte) ([]byte, error) {
	if !IsSealed(b) {
		return b, nil
	}
	r, err := k.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	defer r.Release()
	out := make([]byte, r.Size())
	if _, err := io.ReadFull(r, out); err != nil {
		return nil, err
	}
	return out, nil
}

// SealedWriter encrypts a stream segment by segment; Close seals the last one.
type SealedWriter struct {
	w      io.Writer
	key    *DataKey
	header []byte
	buf    []byte
	seg    uint32
	out    []byte
	closed bool
}

// NewWriter starts a sealed stream on w under the current key.
func (k *Keyring) NewWriter(w io.Writer) (*SealedWriter, error) {
	key := k.Current()
	if key == nil {
		return nil, errors.New("store: no data key")
	}
	h := make([]byte, cryptHeaderSize)
	copy(h, cryptMagic)
	copy(h[8:16], key.ID[:])
	if _, err := rand.Read(h[16:24]); err != nil {
		return nil, err
	}
	binary.BigEndian.PutUint32(h[24:28], CryptSegment)
	if _, err := w.Write(h); err != nil {
		return nil, err
	}
	return &SealedWriter{w: w, key: key, header: h, buf: make([]byte, 0, CryptSegment),
		out: make([]byte, 0, CryptSegment+cryptTag)}, nil
}

// Write buffers p, sealing every full segment but the latest (which may turn out to be the last).
func (s *SealedWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if len(s.buf) == CryptSegment {
			if err := s.flush(false); err != nil {
				return n - len(p), err
			}
		}
		c := copy(s.buf[len(s.buf):CryptSegment], p)
		s.buf = s.buf[:len(s.buf)+c]
		p = p[c:]
	}
	return n, nil
}

// Close seals the last segment (empty for an empty stream). It does not close the writer below.
func (s *SealedWriter) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	return s.flush(true)
}

func (s *SealedWriter) flush(last bool) error {
	var k segmentKey
	k.set(s.header, int64(s.seg), last)
	s.out = s.key.aead.Seal(s.out[:0], k.nonce[:], s.buf, k.ad[:])
	s.seg++
	s.buf = s.buf[:0]
	_, err := s.w.Write(s.out)
	return err
}

// segmentKey is what seals one segment besides the key: its nonce and its additional data.
type segmentKey struct {
	nonce [12]byte
	ad    [cryptHeaderSize + 1]byte
}

// set makes k segment seg's of the file with this header (see the layout above).
func (k *segmentKey) set(header []byte, seg int64, last bool) {
	copy(k.nonce[:8], header[16:24])
	binary.BigEndian.PutUint32(k.nonce[8:], uint32(seg))
	copy(k.ad[:], header)
	k.ad[cryptHeaderSize] = 0
	if last {
		k.ad[cryptHeaderSize] = 1
	}
}

// SealedReader decrypts a sealed stream of known size; it seeks by segment.
type SealedReader struct {
	r        io.ReaderAt
	key      *DataKey
	header   []byte
	segments int64
	size     int64 // plaintext
	pos      int64
	cur      int64  // the segment in plain, -1 for none
	plain    []byte // the current segment, decrypted in place inside buf
	buf      *[]byte
}

// segmentBufs recycles the one-segment buffers of readers: a video being watched opens many.
var segmentBufs = sync.Pool{New: func() any { b := make([]byte, CryptSegment+cryptTag); return &b }}

// NewReader opens a sealed stream of total (sealed) size n read through r.
func (k *Keyring) NewReader(r io.ReaderAt, n int64) (*SealedReader, error) {
	h := make([]byte, cryptHeaderSize)
	if n < cryptHeaderSize+cryptTag {
		return nil, errors.New("store: sealed data is cut short")
	}
	if _, err := r.ReadAt(h, 0); err != nil {
		return nil, fmt.Errorf("store: sealed header: %w", err)
	}
	if string(h[:8]) != cryptMagic || binary.BigEndian.Uint32(h[24:28]) != CryptSegment {
		return nil, errors.New("store: not sealed data of this format")
	}
	key, err := k.key(h[8:16])
	if err != nil {
		return nil, err
	}
	body := n - cryptHeaderSize
	full := int64(CryptSegment + cryptTag)
	segs := (body + full - 1) / full
	lastLen := body - (segs-1)*full
	if lastLen < cryptTag {
		return nil, errors.New("store: sealed data is cut short")
	}
	size := (segs-1)*CryptSegment + lastLen - cryptTag
	s := &SealedReader{r: r, key: key, header: h, segments: segs, size: size, cur: -1}
	return s, nil
}

// Release returns the reader's buffer to the pool; the reader must not be used after.
func (s *SealedReader) Release() {
	if s.buf != nil {
		segmentBufs.Put(s.buf)
		s.buf, s.plain, s.cur = nil, nil, -1
	}
}

// Size is the plaintext size.
func (s *SealedReader) Size() int64 { return s.size }

// Read decrypts from the current position.
func (s *SealedReader) Read(p []byte) (int, error) {
	if s.pos >= s.size {
		return 0, io.EOF
	}
	seg := s.pos / CryptSegment
	if seg != s.cur {
		if err := s.load(seg); err != nil {
			return 0, err
		}
	}
	off := s.pos - seg*CryptSegment
	n := copy(p, s.plain[off:])
	s.pos += int64(n)
	return n, nil
}

func (s *SealedReader) load(seg int64) error {
	if s.buf == nil {
		s.buf = segmentBufs.Get().(*[]byte)
	}
	// One segment decrypts in place.
	plain, err := s.openSegments(*s.buf, (*s.buf)[:0], seg, seg)
	if err != nil {
		s.cur = -1
		return err
	}
	s.plain, s.cur = plain, seg
	return nil
}

// openSegments reads segments first to last into in, with one system call, and appends their
// plaintext to out (in[:0] decrypts a single segment in place). A read that comes back short (the
// file was cut since it was opened) is an error: nothing left in the buffer from before is ever
// decrypted. It keeps its own nonce, so it may run beside a goroutine writing an earlier batch.
func (s *SealedReader) openSegments(in, out []byte, first, last int64) ([]byte, error) {
	full := int64(CryptSegment + cryptTag)
	start, stop := cryptHeaderSize+first*full, cryptHeaderSize+(last+1)*full
	if last == s.segments-1 {
		stop = cryptHeaderSize + last*full + s.size - last*CryptSegment + cryptTag
	}
	in = in[:stop-start]
	if n, err := s.r.ReadAt(in, start); n < len(in) {
		return nil, fmt.Errorf("store: read sealed segments %d-%d: %d of %d bytes: %w", first, last, n, len(in), cmp.Or(err, io.ErrUnexpectedEOF))
	}
	var k segmentKey
	for seg := first; seg <= last; seg++ {
		k.set(s.header, seg, seg == s.segments-1)
		var err error
		if out, err = s.key.aead.Open(out, k.nonce[:], in[(seg-first)*full:min(int64(len(in)), (seg-first+1)*full)], k.ad[:]); err != nil {
			return nil, fmt.Errorf("store: sealed segment %d does not authenticate: the data was changed or cut", seg)
		}
	}
	return out, nil
}

// copyBatch is how many segments CopyTo reads with one system call and writes with another.
const copyBatch = 4

// copyBuf is one batch of CopyTo: the sealed segments as read, and their plaintext end to end.
type copyBuf struct{ sealed, plain []byte }

var copyBufs = sync.Pool{New: func() any {
	return &copyBuf{make([]byte, copyBatch*(CryptSegment+cryptTag)), make([]byte, copyBatch*CryptSegment)}
}}

// CopyTo writes the next n plaintext bytes (fewer at the end) to w and moves past them. It reads
// up to four segments at a time, decrypts them end to end into one buffer and writes that buffer
// whole, so a 1 MiB range costs a few system calls rather than one read per segment and one write
// per 32 KiB. A longer stretch is decrypted one batch ahead on another goroutine while the last
// one is written, so one browser playing a video is not held to decrypt-then-send in turn.
// ServeMedia's response writer sends a Range body through it.
func (s *SealedReader) CopyTo(w io.Writer, n int64) (int64, error) {
	n = min(n, s.size-s.pos)
	if n <= 0 {
		return 0, nil
	}
	from, end := s.pos, s.pos+n
	if s.pos/CryptSegment+copyBatch > (end-1)/CryptSegment { // one batch: no goroutine
		b := copyBufs.Get().(*copyBuf)
		defer copyBufs.Put(b)
		plain, err := s.decryptBatch(b, from, end)
		if err != nil {
			return 0, err
		}
		m, err := w.Write(plain)
		s.pos += int64(m)
		return int64(m), err
	}
	type batch struct {
		buf   *copyBuf
		plain []byte
		err   error
	}
	ready := make(chan batch, 1)
	free := make(chan *copyBuf, 2)
	free <- copyBufs.Get().(*copyBuf)
	free <- copyBufs.Get().(*copyBuf)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		defer close(ready)
		for pos := from; pos < end; {
			var b *copyBuf
			select {
			case b = <-free:
			case <-stop:
				return
			}
			plain, err := s.decryptBatch(b, pos, end)
			select {
			case ready <- batch{b, plain, err}:
			case <-stop:
				free <- b
				return
			}
			if err != nil {
				return
			}
			pos += int64(len(plain))
		}
	}()
	var written int64
	defer func() {
		// Also when w panics: the goroutine stops, and no buffer is left with it.
		close(stop)
		<-done
		for bt := range ready { // a batch sent before stop was seen
			free <- bt.buf
		}
		close(free)
		for b := range free {
			copyBufs.Put(b)
		}
	}()
	var err error
	for bt := range ready {
		if bt.err != nil {
			free <- bt.buf
			err = bt.err
			break
		}
		var m int
		m, err = w.Write(bt.plain)
		written += int64(m)
		free <- bt.buf
		if err != nil {
			break
		}
	}
	s.pos += written
	return written, err
}

// decryptBatch decrypts the segments from pos (up to copyBatch of them, and not past end) into
// b.plain and returns the plaintext from pos to the batch's end or end.
func (s *SealedReader) decryptBatch(b *copyBuf, pos, end int64) ([]byte, error) {
	first := pos / CryptSegment
	out, err := s.openSegments(b.sealed, b.plain[:0], first, min((end-1)/CryptSegment, first+copyBatch-1))
	if err != nil {
		return nil, err
	}
	off := pos - first*CryptSegment
	return out[off:min(int64(len(out)), off+end-pos)], nil
}

// Seek moves the plaintext position.
func (s *SealedReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += s.pos
	case io.SeekEnd:
		offset += s.size
	default:
		return 0, errors.New("store: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("store: seek before the start")
	}
	s.pos = offset
	return offset, nil
}
