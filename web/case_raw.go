package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
)

// handleCaseDeliveryRaw downloads a raw callback whole, for vendor JSON too large for the page.
// It is sent as an attachment of plain bytes, never rendered, and the download is audited.
func (a *App) handleCaseDeliveryRaw(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	delivery, err := strconv.ParseInt(c.Param("delivery"), 10, 64)
	if err != nil || delivery <= 0 {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	body, err := a.db.CaseDeliveryBody(c.Request().Context(), actor(c), id, delivery)
	if err != nil {
		return err
	}
	// The download is the body as received with its Aadhaar numbers masked; the bytes as received
	// are shown only through a reveal with a reason (raw_body).
	rec, err := a.db.CaseByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	body = a.masker(c).RawBodyOf(body, rec.Snapshot)
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="case-%d-callback-%d.json"`, id, delivery))
	return c.Blob(http.StatusOK, "application/octet-stream", body)
}
