package web

import (
	"fmt"
	"net/http"
	"time"

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
	http.ServeContent(w, r, "", modified, f)
	return nil
}
