package web

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
)

// archivedMediaEnv is a database and archive holding media rows for ServeMedia tests.
type archivedMediaEnv struct {
	db    *store.DB
	blobs *store.Blobs
}

func newArchivedMediaEnv(t testing.TB) *archivedMediaEnv {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(t.Context(), filepath.Join(dir, "kycdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &archivedMediaEnv{db: db, blobs: &store.Blobs{Dir: filepath.Join(dir, "media")}}
}

// queue stores a callback naming one media link and returns its row.
func (e *archivedMediaEnv) queue(t testing.TB, kind string) store.Media {
	t.Helper()
	ref := "scan-" + rand.Text()
	res, err := e.db.Ingest(t.Context(), &store.Incoming{
		Source: store.SourceMarkID, ReceivedAt: time.Now(), Body: []byte(ref),
		Snapshot: &store.Snapshot{Source: store.SourceMarkID, Ref: ref, Status: store.Status{Overall: store.StatusSuspected},
			Media: []store.MediaRef{{Kind: kind, URL: "https://cdn.example/" + ref}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := e.db.CaseMedia(t.Context(), res.CaseID)
	if err != nil || len(rows) != 1 {
		t.Fatalf("CaseMedia = %v, %v", rows, err)
	}
	return rows[0]
}

// archive stores content as the file of a new media row, as the fetcher would.
func (e *archivedMediaEnv) archive(t testing.TB, kind, contentType string, content []byte) store.Media {
	t.Helper()
	m := e.queue(t, kind)
	sha, size, err := e.blobs.Put(bytes.NewReader(content), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.MediaArchived(t.Context(), m.ID, sha, size, contentType); err != nil {
		t.Fatal(err)
	}
	m, err = e.db.MediaByID(t.Context(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (e *archivedMediaEnv) get(t *testing.T, id int64, target string, header http.Header) (*httptest.ResponseRecorder, error) {
	t.Helper()
	r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, target, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	m, err := e.db.MediaByID(r.Context(), id)
	if err != nil {
		return w, err
	}
	return w, ServeMedia(w, r, e.blobs, m)
}

func TestServeMedia(t *testing.T) {
	e := newArchivedMediaEnv(t)
	content := make([]byte, 10000)
	copy(content, "\x89PNG\r\n\x1a\n")
	for i := 8; i < len(content); i++ {
		content[i] = byte(i * 7)
	}
	m := e.archive(t, store.MediaFront, "image/png", content)
	etag := `"` + m.SHA256 + `"`

	tests := []struct {
		name       string
		target     string
		header     http.Header
		wantStatus int
		wantBody   []byte
		wantHeader map[string]string
	}{
		{"whole file", "/media/1", nil, http.StatusOK, content, map[string]string{
			"Content-Type":           "image/png",
			"Content-Length":         "10000",
			"Content-Disposition":    "inline",
			"X-Content-Type-Options": "nosniff",
			"Cache-Control":          "private, max-age=3600",
			"ETag":                   etag,
			"Accept-Ranges":          "bytes",
		}},
		{"range", "/media/1", http.Header{"Range": {"bytes=1000-1999"}}, http.StatusPartialContent, content[1000:2000], map[string]string{
			"Content-Type":  "image/png",
			"Content-Range": "bytes 1000-1999/10000",
		}},
		{"suffix range", "/media/1", http.Header{"Range": {"bytes=-16"}}, http.StatusPartialContent, content[len(content)-16:], nil},
		{"unchanged", "/media/1", http.Header{"If-None-Match": {etag}}, http.StatusNotModified, nil, nil},
		{"range if unchanged, but changed", "/media/1", http.Header{"Range": {"bytes=0-9"}, "If-Range": {`"other"`}}, http.StatusOK, content, nil},
		{"download", "/media/1?download=1", nil, http.StatusOK, content, map[string]string{
			"Content-Disposition": `attachment; filename="media-` + strconv.FormatInt(m.ID, 10) + `.png"`,
		}},
		{"unsatisfiable range", "/media/1", http.Header{"Range": {"bytes=20000-"}}, http.StatusRequestedRangeNotSatisfiable, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := e.get(t, m.ID, tt.target, tt.header)
			if err != nil {
				t.Fatalf("ServeMedia = %v", err)
			}
			if w.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d", w.Code, tt.wantStatus)
			}
			if tt.wantBody != nil && !bytes.Equal(w.Body.Bytes(), tt.wantBody) {
				t.Errorf("body = %d bytes, want %d bytes (%s)", w.Body.Len(), len(tt.wantBody), tt.name)
			}
			for k, want := range tt.wantHeader {
				if got := w.Header().Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestServeMediaVideoRange(t *testing.T) {
	e := newArchivedMediaEnv(t)
	video := make([]byte, 1<<20)
	copy(video, "\x1a\x45\xdf\xa3")
	for i := 4; i < len(video); i++ {
		video[i] = byte(i >> 8)
	}
	m := e.archive(t, store.MediaFaceVideo, "video/webm", video)
	w, err := e.get(t, m.ID, "/media/x", http.Header{"Range": {"bytes=524288-"}})
	if err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusPartialContent || w.Header().Get("Content-Type") != "video/webm" || !bytes.Equal(w.Body.Bytes(), video[524288:]) {
		t.Errorf("GET range = %d %s, %d bytes; want 206 video/webm with the second half", w.Code, w.Header().Get("Content-Type"), w.Body.Len())
	}
}

func TestServeMediaNotFound(t *testing.T) {
	e := newArchivedMediaEnv(t)
	queued := e.queue(t, store.MediaFace)
	gone := e.archive(t, store.MediaBack, "image/jpeg", []byte("\xff\xd8\xff gone"))
	if err := e.blobs.Remove(gone.SHA256); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		id   int64
	}{
		{"unknown", 9999},
		{"not yet archived", queued.ID},
		{"file missing", gone.ID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := e.get(t, tt.id, "/media/x", nil)
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("ServeMedia = %v, want ErrNotFound", err)
			}
			if w.Body.Len() != 0 || len(w.Header()) != 0 {
				t.Errorf("ServeMedia wrote %d bytes and headers %v; the error handler must write the 404", w.Body.Len(), w.Header())
			}
		})
	}
}

// TestServeMediaThroughEcho: behind Echo (as /media/:id runs), Range requests of a plain and of
// an encrypted video return the right bytes, and Echo's response counts every byte sent, which
// the access log reports: a plain body goes past Echo's writer to the net/http one (sendfile).
func TestServeMediaThroughEcho(t *testing.T) {
	e := newArchivedMediaEnv(t)
	video := make([]byte, 9*store.CryptSegment+77)
	rand.Read(video)
	copy(video, "\x1a\x45\xdf\xa3")
	plain := e.archive(t, store.MediaRecordedVideo, "video/webm", video)
	raw := make([]byte, store.DataKeySize)
	rand.Read(raw)
	key, err := store.NewDataKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	e.blobs.Keys = store.KeyringOf(key)
	video2 := append([]byte{}, video...)
	video2[5] ^= 0xff // another file: another hash, sealed this time
	sealed := e.archive(t, store.MediaRecordedVideo, "video/webm", video2)
	sizes := make(chan int64, 1)
	ec := echo.New()
	ec.GET("/media/:id", func(c echo.Context) error {
		id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
		m, err := e.db.MediaByID(c.Request().Context(), id)
		if err == nil {
			err = ServeMedia(c.Response(), c.Request(), e.blobs, m)
		}
		sizes <- c.Response().Size
		return err
	})
	srv := httptest.NewServer(ec)
	defer srv.Close()
	for _, tc := range []struct {
		name string
		id   int64
		want []byte
	}{{"plain", plain.ID, video}, {"sealed", sealed.ID, video2}} {
		for _, r := range [][2]int{{0, 99}, {store.CryptSegment - 3, 6*store.CryptSegment + 4}, {100, len(video) - 1}} {
			req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/media/%d", srv.URL, tc.id), nil)
			req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", r[0], r[1]))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, tc.want[r[0]:r[1]+1]) {
				t.Errorf("%s bytes=%d-%d: %d, %d bytes, right bytes %v", tc.name, r[0], r[1], resp.StatusCode, len(body), bytes.Equal(body, tc.want[r[0]:min(len(tc.want), r[0]+len(body))]))
			}
			if n := <-sizes; n != int64(r[1]-r[0]+1) {
				t.Errorf("%s bytes=%d-%d: Echo counted %d bytes, sent %d", tc.name, r[0], r[1], n, r[1]-r[0]+1)
			}
		}
	}
}
