package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
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

// quarantineShown is how much of a quarantined body the page shows.
const quarantineShown = 256 << 10

// handleDelivery shows a quarantined delivery to an admin: why it could not be read, and its
// body (pretty-printed where it parses), before they replay it. The reading is audited.
func (a *App) handleDelivery(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	q, body, err := a.db.QuarantinedBody(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	v := views.QuarantineView{Delivery: q, ReplayURL: "/admin/deliveries/" + strconv.FormatInt(id, 10) + "/replay"}
	if len(body) > quarantineShown {
		body, v.Truncated = body[:quarantineShown], true
	}
	var pretty bytes.Buffer
	if !v.Truncated && json.Valid(body) && json.Indent(&pretty, body, "", "  ") == nil {
		v.Body, v.Pretty = pretty.String(), true
	} else {
		v.Body = strings.ToValidUTF8(string(body), "\uFFFD")
	}
	return a.render(c, http.StatusOK, views.QuarantinedDelivery(a.page(c, fmt.Sprintf("Delivery %d", id), "health"), v))
}
