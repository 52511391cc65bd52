package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/markid"
	"github.com/kycdesk/kycdesk/web/vcip"
)

// Decode turns a raw body from source into a snapshot with that vendor's decoder.
func Decode(source store.Source, body []byte) (*store.Snapshot, error) {
	switch source {
	case store.SourceMarkID:
		return markid.Decode(body)
	case store.SourceVCIP:
		return vcip.Decode(body)
	}
	return nil, fmt.Errorf("unknown source %q", source)
}

// ReplayResult counts what a replay run did.
type ReplayResult struct {
	Stored      int
	Quarantined int
}

// ReplayQuarantined re-decodes every quarantined delivery with this build's decoders.
func ReplayQuarantined(ctx context.Context, db *store.DB, actor store.Actor) (ReplayResult, error) {
	var res ReplayResult
	ids, err := db.QuarantinedIDs(ctx)
	if err != nil {
		return res, err
	}
	for _, id := range ids {
		outcome, err := replayOne(ctx, db, actor, id)
		if err != nil {
			return res, err
		}
		if outcome == store.OutcomeStored {
			res.Stored++
		} else {
			res.Quarantined++
		}
	}
	return res, nil
}

func replayOne(ctx context.Context, db *store.DB, actor store.Actor, id int64) (string, error) {
	raw, err := db.DeliveryRaw(ctx, id)
	if err != nil {
		return "", err
	}
	snap, derr := Decode(raw.Source, raw.Body)
	return db.Replay(ctx, actor, id, snap, derr)
}

// handleReplay re-processes one quarantined delivery from the ingest health page.
func (a *App) handleReplay(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	outcome, err := replayOne(c.Request().Context(), a.db, actor(c), id)
	if err != nil {
		return err
	}
	if outcome != store.OutcomeStored {
		return c.Redirect(http.StatusSeeOther, "/admin/health?flash=stillq")
	}
	return c.Redirect(http.StatusSeeOther, "/admin/health?flash=replayed")
}
