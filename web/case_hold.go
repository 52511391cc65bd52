package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
)

// handleLegalHold puts a legal hold on the case, or on every case of its client id.
func (a *App) handleLegalHold(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	err = a.db.PlaceHold(c.Request().Context(), actor(c), id, c.FormValue("legal_hold_client") == "1", c.FormValue("legal_hold_reason"))
	return a.afterAction(c, id, err, caseURL(id, "legal-hold"), caseRender{})
}

// handleLegalHoldLift lifts one hold in force on the case.
func (a *App) handleLegalHoldLift(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	hold, err := strconv.ParseInt(c.Param("hold"), 10, 64)
	if err != nil || hold <= 0 {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	err = a.db.LiftHold(c.Request().Context(), actor(c), id, hold, c.FormValue("legal_hold_lift_reason"))
	return a.afterAction(c, id, err, caseURL(id, "legal-hold-lifted"), caseRender{})
}
