package web

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
)

const (
	benchFileSize  = 50 << 20
	benchRangeSize = 1 << 20
)

// benchReaders is how many clients fetch ranges at once: 16, or KYCDESK_BENCH_READERS (1 is one
// browser playing a video).
var benchReaders = func() int {
	if n, err := strconv.Atoi(os.Getenv("KYCDESK_BENCH_READERS")); err == nil && n > 0 {
		return n
	}
	return 16
}()

// rangeBenchFile archives a 50 MiB video and returns the env, its row, its bytes and its path.
func rangeBenchFile(b *testing.B) (*archivedMediaEnv, store.Media, []byte, string) {
	b.Helper()
	e := newArchivedMediaEnv(b)
	data := make([]byte, benchFileSize)
	rand.NewChaCha8([32]byte{1}).Read(data)
	copy(data, "\x1a\x45\xdf\xa3")
	m := e.archive(b, store.MediaRecordedVideo, "video/webm", data)
	return e, m, data, e.blobs.Path(m.SHA256)
}

// benchRanges has benchReaders clients fetch random 1 MiB ranges of data from h over a real
// HTTP server, b.N in all, checking every byte.
func benchRanges(b *testing.B, h http.Handler, data []byte) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchReaders, DisableCompression: true}}
	defer client.CloseIdleConnections()
	b.SetBytes(benchRangeSize)
	b.ReportAllocs()
	b.ResetTimer()
	var done atomic.Int64
	var wg sync.WaitGroup
	for reader := range benchReaders {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(1, uint64(reader)))
			buf := make([]byte, benchRangeSize)
			for done.Add(1) <= int64(b.N) {
				off := rng.IntN(len(data) - benchRangeSize)
				req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
				req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+benchRangeSize-1))
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, err = io.ReadFull(resp.Body, buf)
				resp.Body.Close()
				if resp.StatusCode != http.StatusPartialContent || err != nil || !bytes.Equal(buf, data[off:off+benchRangeSize]) {
					b.Errorf("GET bytes=%d- = %d, %v, or wrong bytes", off, resp.StatusCode, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkServeMediaRange serves random ranges through ServeMedia, which reads the media row on
// every request as the real handler does. Compare with BenchmarkServeFileRange.
func BenchmarkServeMediaRange(b *testing.B) {
	e, m, data, _ := rangeBenchFile(b)
	benchRanges(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		row, err := e.db.MediaByID(r.Context(), m.ID)
		if err == nil {
			err = ServeMedia(w, r, e.blobs, row)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}), data)
}

// BenchmarkServeFileRange is the baseline: http.ServeFile on the same file, no database.
func BenchmarkServeFileRange(b *testing.B) {
	_, _, data, path := rangeBenchFile(b)
	benchRanges(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, path)
	}), data)
}

// BenchmarkServeMediaSealedRange is BenchmarkServeMediaRange with the file encrypted at rest
// (AES-256-GCM in 64 KiB segments): each range decrypts only the segments it touches. make bench
// prints its throughput as a ratio to BenchmarkServeFileRange (target at least 0.7).
func BenchmarkServeMediaSealedRange(b *testing.B) {
	e := newArchivedMediaEnv(b)
	raw := make([]byte, store.DataKeySize)
	rand.NewChaCha8([32]byte{2}).Read(raw)
	key, err := store.NewDataKey(raw)
	if err != nil {
		b.Fatal(err)
	}
	e.blobs.Keys = store.KeyringOf(key)
	data := make([]byte, benchFileSize)
	rand.NewChaCha8([32]byte{1}).Read(data)
	copy(data, "\x1a\x45\xdf\xa3")
	m := e.archive(b, store.MediaRecordedVideo, "video/webm", data)
	benchRanges(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		row, err := e.db.MediaByID(r.Context(), m.ID)
		if err == nil {
			err = ServeMedia(w, r, e.blobs, row)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}), data)
}

// BenchmarkServeMediaEchoRange is BenchmarkServeMediaRange behind Echo, as /media/:id runs: Echo's
// response is what ServeMedia writes to.
func BenchmarkServeMediaEchoRange(b *testing.B) {
	e, m, data, _ := rangeBenchFile(b)
	ec := echo.New()
	ec.GET("/", func(c echo.Context) error {
		row, err := e.db.MediaByID(c.Request().Context(), m.ID)
		if err != nil {
			return err
		}
		return ServeMedia(c.Response(), c.Request(), e.blobs, row)
	})
	benchRanges(b, ec, data)
}
