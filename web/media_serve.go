package web

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
)

// ServeMedia writes the file of media row m, which the caller has read (and checked access to),
// honouring Range and conditional requests. Media not (or no longer) archived and a missing file
// are errors wrapping store.ErrNotFound, written by the error handler. With ?download=1 the file
// is an attachment.
func ServeMedia(w http.ResponseWriter, r *http.Request, blobs *store.Blobs, m store.Media) error {
	if m.State != store.MediaStateArchived {
		return fmt.Errorf("web: media %d is %s: %w", m.ID, m.State, store.Errorf(store.KindNotFound, "This file is not in the archive (it is %s).", m.State))
	}
	f, err := blobs.Open(m.SHA256)
	if err != nil {
		return err
	}
	defer f.Close()
	var modified time.Time
	if m.FetchedAt != nil {
		modified = *m.FetchedAt
	}
	h := w.Header()
	// The type was sniffed when archived; nosniff stops a browser second-guessing it.
	h.Set("Content-Type", m.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", "inline")
	if r.URL.Query().Get("download") == "1" {
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="media-%d%s"`, m.ID, store.FileExtension(m.ContentType)))
	}
	// Personal data: the browser may keep it for the session's hour, shared caches never.
	h.Set("Cache-Control", "private, max-age=3600")
	h.Set("ETag", `"`+m.SHA256+`"`)
	http.ServeContent(sealedRangeWriter{w}, r, "", modified, f)
	return nil
}

// rangeCopier is a sealed file: it writes a stretch of its plaintext in a few large writes.
type rangeCopier interface {
	CopyTo(w io.Writer, n int64) (int64, error)
}

// sealedRangeWriter hands http.ServeContent's body copy (io.CopyN, so a LimitedReader) of a
// sealed file to its CopyTo, which decrypts several segments per read and writes them whole; a
// plain file goes to the net/http response's ReadFrom, which uses sendfile.
type sealedRangeWriter struct{ http.ResponseWriter }

func (s sealedRangeWriter) ReadFrom(src io.Reader) (int64, error) {
	if lr, ok := src.(*io.LimitedReader); ok {
		if c, ok := lr.R.(rangeCopier); ok {
			n, err := c.CopyTo(s.ResponseWriter, lr.N)
			lr.N -= n
			return n, err
		}
	}
	// Echo's response has no ReadFrom of its own: a plain file goes to the net/http response
	// below it (sendfile), and the bytes are counted for the access log as Echo's Write counts them.
	if er, ok := s.ResponseWriter.(*echo.Response); ok {
		if rf, ok := er.Writer.(io.ReaderFrom); ok {
			n, err := rf.ReadFrom(src)
			er.Size += n
			return n, err
		}
	}
	if rf, ok := s.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(struct{ io.Writer }{s.ResponseWriter}, src)
}

// Unwrap lets http.ResponseController reach the response below.
func (s sealedRangeWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
