package mediafetch_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/mediafetch"
)

// testEnv is a real database and archive in a temporary directory, with a settable clock.
type testEnv struct {
	path  string
	db    *store.DB
	blobs *store.Blobs
	now   time.Time
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	dir := t.TempDir()
	e := &testEnv{
		path:  filepath.Join(dir, "kycdesk.db"),
		blobs: &store.Blobs{Dir: filepath.Join(dir, "media")},
		now:   time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC),
	}
	e.open(t)
	t.Cleanup(func() { e.db.Close() })
	return e
}

// open (re)opens the database, as a restarted server would.
func (e *testEnv) open(t *testing.T) {
	t.Helper()
	db, err := store.Open(t.Context(), e.path)
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return e.now }
	e.db = db
}

// queue stores a callback naming these media and returns their rows, in order.
func (e *testEnv) queue(t *testing.T, refs ...store.MediaRef) []store.Media {
	t.Helper()
	for i := range refs {
		refs[i].Position = i
	}
	ref := "scan-" + rand.Text()
	res, err := e.db.Ingest(t.Context(), &store.Incoming{
		Source:     store.SourceMarkID,
		ReceivedAt: e.now,
		Body:       []byte(`{"scanRef":"` + ref + `"}`),
		Snapshot: &store.Snapshot{Source: store.SourceMarkID, Ref: ref,
			Status: store.Status{Overall: store.StatusSuspected}, Media: refs},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != store.OutcomeStored {
		t.Fatalf("Ingest outcome = %q (%s), want stored", res.Outcome, res.Error)
	}
	rows, err := e.db.CaseMedia(t.Context(), res.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(refs) {
		t.Fatalf("CaseMedia = %d rows, want %d", len(rows), len(refs))
	}
	return rows
}

func (e *testEnv) media(t *testing.T, id int64) store.Media {
	t.Helper()
	m, err := e.db.MediaByID(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// files lists the archive's files by name.
func (e *testEnv) files(t *testing.T) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(e.blobs.Dir, func(_ string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err == nil && d.Type().IsRegular() {
			names = append(names, d.Name())
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// fetcher trusts only the test server's host: everything else goes through the address checks.
func (e *testEnv) fetcher(cfg mediafetch.Config) *mediafetch.Fetcher {
	if cfg.AllowHosts == nil {
		cfg.AllowHosts = []string{"127.0.0.1"}
	}
	return mediafetch.New(cfg, e.db, e.blobs, slog.New(slog.DiscardHandler))
}

func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// serveBytes answers with body under a header that lies, so only sniffing can tell the type.
func serveBytes(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(body)
	}
}

func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 12))
	for x := range 16 {
		img.Set(x, x%12, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func testJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 16, 12))
	for x := range 16 {
		img.Set(x, 5, color.Gray{Y: 200})
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func testWebM(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/tiny.webm")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestFetchOneArchivesByContent(t *testing.T) {
	e := newTestEnv(t)
	pngBytes, jpegBytes, webm := testPNG(t), testJPEG(t), testWebM(t)
	mux := http.NewServeMux()
	mux.Handle("/front.png", serveBytes(pngBytes))
	mux.Handle("/front-again.png", serveBytes(pngBytes))
	mux.Handle("/face.jpg", serveBytes(jpegBytes))
	mux.Handle("/face.webm", serveBytes(webm))
	srv := serve(t, mux)
	rows := e.queue(t,
		store.MediaRef{Kind: store.MediaFront, URL: srv.URL + "/front.png"},
		store.MediaRef{Kind: store.MediaBack, URL: srv.URL + "/front-again.png"},
		store.MediaRef{Kind: store.MediaFace, URL: srv.URL + "/face.jpg"},
		store.MediaRef{Kind: store.MediaFaceVideo, URL: srv.URL + "/face.webm"},
	)
	f := e.fetcher(mediafetch.Config{})
	want := []struct {
		body []byte
		ct   string
	}{{pngBytes, "image/png"}, {pngBytes, "image/png"}, {jpegBytes, "image/jpeg"}, {webm, "video/webm"}}
	for i, m := range rows {
		if err := f.FetchOne(t.Context(), m); err != nil {
			t.Fatalf("FetchOne(%s) = %v", m.URL, err)
		}
		got := e.media(t, m.ID)
		if got.State != store.MediaStateArchived || got.ContentType != want[i].ct || got.Size != int64(len(want[i].body)) ||
			got.SHA256 != sha256Hex(want[i].body) || got.Attempts != 1 || got.FetchedAt == nil || !got.FetchedAt.Equal(e.now) {
			t.Errorf("after FetchOne(%s): %+v, want archived %s of %d bytes, sha %s", m.URL, got, want[i].ct, len(want[i].body), sha256Hex(want[i].body))
		}
		file, err := e.blobs.Open(got.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		if _, err := io.Copy(h, file); err != nil {
			t.Fatal(err)
		}
		file.Close()
		if onDisk := hex.EncodeToString(h.Sum(nil)); onDisk != got.SHA256 {
			t.Errorf("file for media %d hashes to %s, row says %s", m.ID, onDisk, got.SHA256)
		}
	}
	// The two links to the same PNG share one file.
	if files := e.files(t); len(files) != 3 {
		t.Errorf("archive holds %d files %v, want 3", len(files), files)
	}
	usage, err := e.blobs.DiskUsage()
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(len(pngBytes) + len(jpegBytes) + len(webm)); usage != want {
		t.Errorf("DiskUsage() = %d, want %d", usage, want)
	}
}

func TestFetchOneRejectsNonMedia(t *testing.T) {
	e := newTestEnv(t)
	page := []byte("<!DOCTYPE html><html><head><title>Access denied</title></head><body>Sign in</body></html>")
	srv := serve(t, serveBytes(page))
	m := e.queue(t, store.MediaRef{Kind: store.MediaFront, URL: srv.URL + "/front.jpg"})[0]
	err := e.fetcher(mediafetch.Config{}).FetchOne(t.Context(), m)
	const want = "content is text/html; charset=utf-8, not an image or video"
	if err == nil || err.Error() != want {
		t.Fatalf("FetchOne(HTML page) = %v, want %q", err, want)
	}
	got := e.media(t, m.ID)
	if got.State != store.MediaStateFailed || got.LastError != want || got.Attempts != 1 || got.SHA256 != "" {
		t.Errorf("row after FetchOne(HTML page) = %+v, want failed with the error kept", got)
	}
	if files := e.files(t); len(files) != 0 {
		t.Errorf("archive holds %v, want nothing", files)
	}
}

func TestFetchOneEnforcesSizeByKind(t *testing.T) {
	big := append(testPNG(t), make([]byte, 4096)...)
	announced := serveBytes(big)
	streamed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Flushing before the end sends it chunked, with no Content-Length to check up front.
		w.Write(big[:1000])
		w.(http.Flusher).Flush()
		w.Write(big[1000:])
	})
	tests := []struct {
		name    string
		kind    string
		handler http.Handler
		wantErr bool
	}{
		{"image announced too large", store.MediaFront, announced, true},
		{"image streamed too large", store.MediaFront, streamed, true},
		{"same bytes as a video", store.MediaFaceVideo, streamed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			srv := serve(t, tt.handler)
			m := e.queue(t, store.MediaRef{Kind: tt.kind, URL: srv.URL + "/m"})[0]
			err := e.fetcher(mediafetch.Config{MaxImage: 2048, MaxVideo: 8192}).FetchOne(t.Context(), m)
			got := e.media(t, m.ID)
			if !tt.wantErr {
				if err != nil || got.State != store.MediaStateArchived {
					t.Fatalf("FetchOne = %v, state %s; want archived", err, got.State)
				}
				return
			}
			if !errors.Is(err, store.ErrTooLarge) {
				t.Fatalf("FetchOne = %v, want ErrTooLarge", err)
			}
			if got.State != store.MediaStateFailed {
				t.Errorf("state = %s, want failed", got.State)
			}
			if files := e.files(t); len(files) != 0 {
				t.Errorf("archive holds %v, want nothing (no partial file left)", files)
			}
		})
	}
}

func TestFetchOneTimesOut(t *testing.T) {
	head := testPNG(t)[:40]
	tests := []struct {
		name  string
		write func(w http.ResponseWriter)
	}{
		{"no response", func(http.ResponseWriter) {}},
		{"stalls in the body", func(w http.ResponseWriter) {
			w.Write(append(head, make([]byte, 600)...))
			w.(http.Flusher).Flush()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			release := make(chan struct{})
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tt.write(w)
				select {
				case <-release:
				case <-r.Context().Done():
				}
			}))
			t.Cleanup(func() { close(release) }) // runs before srv.Close, which waits for handlers
			m := e.queue(t, store.MediaRef{Kind: store.MediaFace, URL: srv.URL + "/slow"})[0]
			err := e.fetcher(mediafetch.Config{Timeout: 100 * time.Millisecond}).FetchOne(t.Context(), m)
			if !errors.Is(err, mediafetch.ErrTimeout) {
				t.Fatalf("FetchOne = %v, want ErrTimeout", err)
			}
			got := e.media(t, m.ID)
			if got.State != store.MediaStateQueued || got.Attempts != 1 || !strings.Contains(got.LastError, "sent nothing for 100ms") {
				t.Errorf("row = %+v, want queued for a retry with the timeout kept", got)
			}
			if files := e.files(t); len(files) != 0 {
				t.Errorf("archive holds %v, want nothing", files)
			}
		})
	}
}

func TestFetchOneCompletesSlowSteadyDownload(t *testing.T) {
	e := newTestEnv(t)
	body := append(testPNG(t), make([]byte, 20*100)...)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The pacing is the scenario, not synchronisation: 20 pieces 50ms apart take twice the
		// Timeout in all, but no gap comes near it.
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for off := 0; off < len(body); off += 100 {
			w.Write(body[off:min(off+100, len(body))])
			w.(http.Flusher).Flush()
			<-tick.C
		}
	}))
	m := e.queue(t, store.MediaRef{Kind: store.MediaRecordedVideo, URL: srv.URL + "/call.webm"})[0]
	if err := e.fetcher(mediafetch.Config{Timeout: 500 * time.Millisecond}).FetchOne(t.Context(), m); err != nil {
		t.Fatalf("FetchOne = %v, want the download to finish", err)
	}
	if got := e.media(t, m.ID); got.State != store.MediaStateArchived || got.Size != int64(len(body)) {
		t.Errorf("row = %+v, want archived with %d bytes", got, len(body))
	}
}

func TestFetchOneRetriesAfterServerError(t *testing.T) {
	e := newTestEnv(t)
	pngBytes := testPNG(t)
	var calls atomic.Int32
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "try later", http.StatusInternalServerError)
			return
		}
		w.Write(pngBytes)
	}))
	m := e.queue(t, store.MediaRef{Kind: store.MediaFront, URL: srv.URL + "/front"})[0]
	f := e.fetcher(mediafetch.Config{BackoffBase: time.Millisecond})

	const wantErr = "the server answered 500 Internal Server Error"
	if err := f.FetchOne(t.Context(), m); err == nil || err.Error() != wantErr {
		t.Fatalf("first FetchOne = %v, want %q", err, wantErr)
	}
	m = e.media(t, m.ID)
	if m.State != store.MediaStateQueued || m.Attempts != 1 || m.LastError != wantErr || !m.NextAttemptAt.Equal(e.now.Add(time.Millisecond)) {
		t.Fatalf("row after a 500 = %+v, want queued, 1 attempt, next in 1ms", m)
	}
	if due, _ := e.db.DueMedia(t.Context(), 10); len(due) != 0 {
		t.Errorf("DueMedia during the backoff = %d rows, want 0", len(due))
	}
	e.now = e.now.Add(time.Millisecond)
	due, err := e.db.DueMedia(t.Context(), 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("DueMedia after the backoff = %d rows, %v; want 1", len(due), err)
	}
	if err := f.FetchOne(t.Context(), due[0]); err != nil {
		t.Fatalf("second FetchOne = %v", err)
	}
	m = e.media(t, m.ID)
	if m.State != store.MediaStateArchived || m.Attempts != 2 || m.SHA256 != sha256Hex(pngBytes) || m.LastError != wantErr {
		t.Errorf("row after the retry = %+v, want archived after 2 attempts, the last error kept", m)
	}
}

func TestFetchOneGivesUpAfterDeadline(t *testing.T) {
	e := newTestEnv(t)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusServiceUnavailable)
	}))
	queued := e.now
	m := e.queue(t, store.MediaRef{Kind: store.MediaFace, URL: srv.URL + "/face"})[0]
	f := e.fetcher(mediafetch.Config{GiveUpAfter: 2 * time.Hour, BackoffBase: time.Minute})

	// Shortly before the deadline the next try is scheduled at the deadline, not past it.
	e.now = queued.Add(2*time.Hour - time.Second)
	f.FetchOne(t.Context(), m)
	m = e.media(t, m.ID)
	if m.State != store.MediaStateQueued || !m.NextAttemptAt.Equal(queued.Add(2*time.Hour)) {
		t.Fatalf("row before the deadline = %+v, want queued with its next try at the deadline", m)
	}
	e.now = m.NextAttemptAt
	f.FetchOne(t.Context(), m)
	m = e.media(t, m.ID)
	if m.State != store.MediaStateFailed || m.Attempts != 2 || m.LastError != "the server answered 503 Service Unavailable" {
		t.Fatalf("row at the deadline = %+v, want failed with the last error", m)
	}
	// "Retry now" queues it again, due at once.
	if err := e.db.RetryMedia(t.Context(), store.SystemActor, m.ID); err != nil {
		t.Fatal(err)
	}
	if due, _ := e.db.DueMedia(t.Context(), 10); len(due) != 1 || due[0].ID != m.ID {
		t.Errorf("DueMedia after RetryMedia = %+v, want the row", due)
	}
}

func TestFetchOneRefusesInternalDestinations(t *testing.T) {
	var reached atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/inside", func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.Write(testPNG(t))
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})
	srv := serve(t, mux)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	// The test server's own host is allowed; a redirect elsewhere is checked when dialled.
	targets := []struct{ to, why string }{
		{"http://127.0.0.2:" + port + "/inside", "127.0.0.2 is a loopback address"},
		{"http://localhost:" + port + "/inside", "is a loopback address"}, // checked after resolving the name
		{"http://10.0.0.1:" + port + "/inside", "10.0.0.1 is a private address"},
		{"http://169.254.169.254/latest/meta-data/", "169.254.169.254 is the cloud metadata address"},
		{"http://[::ffff:127.0.0.1]:" + port + "/inside", "127.0.0.1 is a loopback address"},
	}
	for _, tt := range targets {
		t.Run(tt.to, func(t *testing.T) {
			e := newTestEnv(t)
			link := srv.URL + "/redirect?to=" + url.QueryEscape(tt.to) + "&X-Amz-Signature=s3cr3t"
			m := e.queue(t, store.MediaRef{Kind: store.MediaFront, URL: link})[0]
			err := e.fetcher(mediafetch.Config{}).FetchOne(t.Context(), m)
			if !errors.Is(err, mediafetch.ErrBlocked) || !strings.Contains(err.Error(), tt.why) {
				t.Fatalf("FetchOne = %v, want ErrBlocked: %s", err, tt.why)
			}
			got := e.media(t, m.ID)
			if got.State != store.MediaStateFailed {
				t.Errorf("state = %s, want failed: the destination will not change", got.State)
			}
			if strings.Contains(got.LastError, "s3cr3t") {
				t.Errorf("last error %q repeats the link's signature", got.LastError)
			}
		})
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("internal destination reached %d times, want 0", n)
	}
}

func TestFetchOneDefaultConfigRefusesLoopback(t *testing.T) {
	e := newTestEnv(t)
	var reached atomic.Int32
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.Write(testPNG(t))
	}))
	m := e.queue(t, store.MediaRef{Kind: store.MediaFront, URL: srv.URL + "/front.png?X-Amz-Signature=s3cr3t"})[0]
	f := mediafetch.New(mediafetch.Config{}, e.db, e.blobs, slog.New(slog.DiscardHandler))
	err := f.FetchOne(t.Context(), m)
	if !errors.Is(err, mediafetch.ErrBlocked) || !strings.Contains(err.Error(), "127.0.0.1 is a loopback address") {
		t.Fatalf("FetchOne = %v, want ErrBlocked for loopback", err)
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("server reached %d times, want 0", n)
	}
	got := e.media(t, m.ID)
	if got.State != store.MediaStateFailed {
		t.Errorf("state = %s, want failed", got.State)
	}
	if strings.Contains(got.LastError, "s3cr3t") {
		t.Errorf("last error %q repeats the link's signature", got.LastError)
	}
}

func TestFetchOneLinkRules(t *testing.T) {
	pngBytes := testPNG(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n == 0 {
			w.Write(pngBytes)
			return
		}
		http.Redirect(w, r, "/hop/"+strconv.Itoa(n-1), http.StatusFound)
	})
	mux.HandleFunc("/to-file", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	srv := serve(t, mux)
	tests := []struct {
		link    string
		wantErr string // "" for archived
	}{
		{srv.URL + "/hop/3", ""},
		{srv.URL + "/hop/4", "more than 3 redirects"},
		{srv.URL + "/to-file", `a "file" link cannot be fetched`},
		{"ftp://127.0.0.1/front.png", `a "ftp" link cannot be fetched`},
		{"file:///etc/passwd", `a "file" link cannot be fetched`},
		{"http://cdn.example/%zz", "the link is not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.link, func(t *testing.T) {
			e := newTestEnv(t)
			m := e.queue(t, store.MediaRef{Kind: store.MediaFront, URL: tt.link})[0]
			err := e.fetcher(mediafetch.Config{}).FetchOne(t.Context(), m)
			got := e.media(t, m.ID)
			if tt.wantErr == "" {
				if err != nil || got.State != store.MediaStateArchived {
					t.Fatalf("FetchOne = %v, state %s; want archived", err, got.State)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || got.State != store.MediaStateFailed {
				t.Errorf("FetchOne = %v, state %s; want failed: %s", err, got.State, tt.wantErr)
			}
		})
	}
}

// runFetcher starts f.Run and returns a func that stops it and waits until it has returned.
func runFetcher(t *testing.T, f *mediafetch.Fetcher) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.Run(ctx)
	}()
	stop = func() {
		cancel()
		<-done
	}
	t.Cleanup(stop)
	return stop
}

// waitResults waits for n OnResult calls and returns their outcomes.
func waitResults(t *testing.T, results <-chan string, n int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var got []string
	for len(got) < n {
		select {
		case o := <-results:
			got = append(got, o)
		case <-ctx.Done():
			t.Fatalf("got %d fetch results %v, waited for %d", len(got), got, n)
		}
	}
	return got
}

func TestRunFetchesWhenWoken(t *testing.T) {
	e := newTestEnv(t)
	var hits atomic.Int32
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write(append(testPNG(t), r.URL.Path...)) // distinct files
	}))
	results := make(chan string, 32)
	// With an hour between polls, only Wake can start the second batch in time.
	f := e.fetcher(mediafetch.Config{Workers: 3, PollInterval: time.Hour})
	f.OnResult = func(kind, outcome string) { results <- outcome }
	var rows []store.Media
	for batch := range 2 {
		var refs []store.MediaRef
		for i := range 5 {
			refs = append(refs, store.MediaRef{Kind: store.MediaScreenshot, URL: fmt.Sprintf("%s/%d/%d.png", srv.URL, batch, i)})
		}
		rows = append(rows, e.queue(t, refs...)...)
		if batch == 0 {
			runFetcher(t, f)
		}
		f.Wake()
		for _, o := range waitResults(t, results, len(refs)) {
			if o != mediafetch.OutcomeArchived {
				t.Fatalf("outcome = %s, want archived", o)
			}
		}
	}
	for _, m := range rows {
		if got := e.media(t, m.ID); got.State != store.MediaStateArchived || got.Attempts != 1 {
			t.Errorf("media %d = %s after %d attempts, want archived after 1", m.ID, got.State, got.Attempts)
		}
	}
	if n := hits.Load(); n != int32(len(rows)) {
		t.Errorf("server hit %d times for %d media: a row was fetched twice", n, len(rows))
	}
}

func TestRunResumesQueueAfterRestart(t *testing.T) {
	e := newTestEnv(t)
	pngBytes := testPNG(t)
	var restarted atomic.Bool
	entered := make(chan struct{}, 1)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if restarted.Load() {
			w.Write(pngBytes)
			return
		}
		entered <- struct{}{}
		<-r.Context().Done() // hangs until the fetcher goes away
	}))
	m := e.queue(t, store.MediaRef{Kind: store.MediaFace, URL: srv.URL + "/face.png"})[0]

	// The first process starts the download and stops in the middle of it.
	stop := runFetcher(t, e.fetcher(mediafetch.Config{PollInterval: time.Hour}))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	select {
	case <-entered:
	case <-ctx.Done():
		t.Fatal("the download never started")
	}
	stop()
	if got := e.media(t, m.ID); got.State != store.MediaStateQueued || got.Attempts != 0 {
		t.Fatalf("row after the stop = %s after %d attempts, want queued with no attempt counted", got.State, got.Attempts)
	}

	// The next process finds the row still due and fetches it.
	if err := e.db.Close(); err != nil {
		t.Fatal(err)
	}
	e.open(t)
	due, err := e.db.DueMedia(t.Context(), 10)
	if err != nil || len(due) != 1 || due[0].ID != m.ID {
		t.Fatalf("DueMedia after reopening = %+v, %v; want the interrupted row", due, err)
	}
	restarted.Store(true)
	results := make(chan string, 1)
	f := e.fetcher(mediafetch.Config{PollInterval: time.Hour})
	f.OnResult = func(kind, outcome string) { results <- outcome }
	runFetcher(t, f)
	if got := waitResults(t, results, 1); got[0] != mediafetch.OutcomeArchived {
		t.Fatalf("outcome after restart = %s, want archived", got[0])
	}
	if got := e.media(t, m.ID); got.State != store.MediaStateArchived || got.SHA256 != sha256Hex(pngBytes) {
		t.Errorf("row after restart = %+v, want archived", got)
	}
}

// TestFetchOneAllowHostPort: an allow-list entry with a port exempts that port only; the same
// host on another port still goes through the address checks.
func TestFetchOneAllowHostPort(t *testing.T) {
	var reached atomic.Int32
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.Write(testPNG(t))
	})
	allowed, other := serve(t, handler), serve(t, handler)
	cfg := mediafetch.Config{AllowHosts: []string{allowed.Listener.Addr().String()}}
	e := newTestEnv(t)
	m := e.queue(t, store.MediaRef{Kind: store.MediaFront, URL: allowed.URL + "/front.png"},
		store.MediaRef{Kind: store.MediaBack, URL: other.URL + "/back.png"})
	if err := e.fetcher(cfg).FetchOne(t.Context(), m[0]); err != nil {
		t.Fatalf("FetchOne(allowed host:port) = %v", err)
	}
	err := e.fetcher(cfg).FetchOne(t.Context(), m[1])
	if !errors.Is(err, mediafetch.ErrBlocked) || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("FetchOne(same host, other port) = %v, want ErrBlocked for loopback", err)
	}
	if n := reached.Load(); n != 1 {
		t.Errorf("servers reached %d times, want 1", n)
	}
}
