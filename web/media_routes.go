package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
)

// mediaViews remembers which media each session has already opened, so that seeking through a
// video (many Range requests) writes one audit entry, not hundreds.
type mediaViews struct {
	mu   sync.Mutex
	seen map[string]struct{}
}

// first reports whether this is the session's first request for the media item.
func (v *mediaViews) first(session string, mediaID int64) bool {
	key := session + ":" + strconv.FormatInt(mediaID, 10)
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen == nil || len(v.seen) > 100000 {
		v.seen = map[string]struct{}{}
	}
	if _, ok := v.seen[key]; ok {
		return false
	}
	v.seen[key] = struct{}{}
	return true
}

func mediaID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return id, nil
}

// handleMedia serves an archived media file with Range support, audited once per session. A
// picture with redaction boxes is served as its redacted derivative; the original only with
// ?original=<the audit entry of this viewer's reveal of the original images>, to a role with
// reveal rights, for a while after the reveal (store.OriginalRevealed).
func (a *App) handleMedia(c echo.Context) error {
	id, err := mediaID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	m, err := a.db.MediaByID(ctx, id)
	if err != nil {
		return err
	}
	// A case page view already recorded the files it shows; the original under redaction boxes
	// is a view of its own, recorded once per session.
	version, viewKey := "original", currentSessionID(c)
	if m.State == store.MediaStateArchived && store.RedactableType(m.ContentType) { // videos carry no boxes: no query per Range request
		r, err := a.db.MediaRedaction(ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		case c.QueryParam("original") != "":
			reveal, _ := strconv.ParseInt(c.QueryParam("original"), 10, 64)
			ok, err := a.db.OriginalRevealed(ctx, actor(c), m.CaseID, reveal)
			if err != nil {
				return err
			}
			if !ok || !a.rules().MayReveal(currentUser(c).Roles) {
				return echo.NewHTTPError(http.StatusForbidden, "The original under the redaction boxes is shown only after you reveal it on the case page, with a reason, and only for a while. Open the case and reveal it again.")
			}
			viewKey += ":original"
		default:
			version = "redacted"
			m.SHA256, m.Size, m.ContentType = r.SHA256, r.Size, r.ContentType
		}
	}
	if m.State == store.MediaStateArchived && a.views.first(viewKey, id) {
		action := "media.view"
		if c.QueryParam("download") == "1" {
			action = "media.download"
		}
		if err := a.db.Audit(ctx, store.AuditEntry{Actor: actor(c).Name, ActorID: actor(c).ID, Action: action,
			TargetType: "media", TargetID: strconv.FormatInt(id, 10), CaseID: m.CaseID,
			Details: map[string]any{"kind": m.Kind, "sha256": m.SHA256, "version": version}}); err != nil {
			return err
		}
	}
	return ServeMedia(c.Response(), c.Request(), a.blobs, m)
}

// handleMediaRetry puts a failed download back in the queue now.
func (a *App) handleMediaRetry(c echo.Context) error {
	id, err := mediaID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	m, err := a.db.MediaByID(ctx, id)
	if err != nil {
		return err
	}
	if err := a.db.RetryMedia(ctx, actor(c), id); err != nil {
		return err
	}
	a.fetcher.Wake()
	if c.FormValue("back") == "health" {
		// Admins retry from the ingest health page; they do not open cases.
		return c.Redirect(http.StatusSeeOther, "/admin/health?flash=retry")
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/cases/%d?flash=retry", m.CaseID))
}

// runRetention applies the retention policies hourly (store.ApplyRetention): media, then personal
// fields, of finally decided cases not under a legal hold, each purge with its tombstones and audit entry.
func (a *App) runRetention(ctx context.Context) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		a.purgeOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (a *App) purgeOnce(ctx context.Context) {
	run, err := a.db.ApplyRetention(ctx, a.blobs.Remove)
	if err != nil {
		a.log.Error("retention", "err", err)
	}
	if run.Tombstones > 0 {
		a.log.Info("retention", "media_cases", run.MediaCases, "pseudonymised_cases", run.Pseudonymised,
			"tombstones", run.Tombstones, "files_deleted", len(run.Removed))
	}
}
