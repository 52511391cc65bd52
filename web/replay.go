package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/ingest"
)

// handleReplay re-processes one quarantined delivery from the ingest health page.
func (a *App) handleReplay(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	outcome, _, err := ingest.Replay(c.Request().Context(), a.db, actor(c), id)
	if err != nil {
		return err
	}
	if outcome != store.OutcomeStored {
		// The page says so in red, with the parse error it reads from the delivery itself.
		return c.Redirect(http.StatusSeeOther, "/admin/health?replayfail="+strconv.FormatInt(id, 10))
	}
	return c.Redirect(http.StatusSeeOther, "/admin/health?flash=replayed")
}
