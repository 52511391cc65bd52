package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

// healthWindow is the period the ingest health counts cover.
const healthWindow = 24 * time.Hour

// healthQuarantineRows bounds the quarantine list; the page says how many more there are.
const healthQuarantineRows = 50

// handleIngestHealth answers a vendor's "are you receiving our callbacks?": per source whether it is
// configured, where to send, when the last callback came, and what became of the last day's.
func (a *App) handleIngestHealth(c echo.Context) error {
	ctx := c.Request().Context()
	now := a.cfg.Now().UTC()
	h, err := a.db.IngestHealth(ctx, now.Add(-healthWindow), []store.Source{store.SourceMarkID, store.SourceVCIP}, healthQuarantineRows)
	if err != nil {
		return err
	}
	media, err := a.db.MediaStats(ctx)
	if err != nil {
		return err
	}
	failed, err := a.db.FailedMedia(ctx, healthQuarantineRows)
	if err != nil {
		return err
	}
	backlog, err := a.db.DeriveBacklog(ctx)
	if err != nil {
		return err
	}
	upkeep, err := a.db.Upkeep(ctx)
	if err != nil {
		return err
	}
	gaps, err := a.db.FourEyesGaps(ctx)
	if err != nil {
		return err
	}
	v := views.HealthPage{FourEyesGaps: gaps, Now: now, Window: healthWindow, Quarantine: h.Quarantine, QuarantineTotal: h.QuarantineTotal,
		Media: media, FailedMedia: failed, Backlog: backlog, Upkeep: upkeep, DisabledEndpoints: a.disabledEndpoints(ctx)}
	if v.SchemaWarned, v.SchemaWarnings, err = a.db.SchemaWarned(ctx, healthQuarantineRows); err != nil {
		return err
	}
	for _, s := range h.Sources {
		st := views.SourceStatus{SourceHealth: s, Endpoint: a.webhookURL(s.Source)}
		switch s.Source {
		case store.SourceMarkID:
			st.Configured, st.Flag = len(a.cfg.MarkIDSecrets) > 0, "--markid-secret"
		case store.SourceVCIP:
			st.Configured, st.Flag = len(a.cfg.VCIPTokens) > 0, "--vcip-token"
		}
		v.Sources = append(v.Sources, st)
	}
	p := a.page(c, "Ingest health", "health")
	// After a replay that did not help: red, with the error the delivery itself still carries (read
	// from the store, so a crafted link cannot put words on the page).
	if id, err := strconv.ParseInt(c.QueryParam("replayfail"), 10, 64); err == nil {
		for _, q := range h.Quarantine {
			if q.ID == id {
				p.Error = fmt.Sprintf("Replayed delivery %d, but it still cannot be read, so it stays quarantined: %s", id, q.Error)
			}
		}
	}
	return a.render(c, http.StatusOK, views.Health(p, v))
}

// webhookURL is the address a vendor must call: absolute when the public URL is configured.
func (a *App) webhookURL(source store.Source) string {
	return strings.TrimRight(a.cfg.BaseURL, "/") + "/webhooks/" + string(source)
}
