package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// notYet answers routes whose handlers are still being built.
func notYet(c echo.Context) error {
	return echo.NewHTTPError(http.StatusNotImplemented, "This page is not available yet.")
}
