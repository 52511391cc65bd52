package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// notYet answers routes whose handlers are still being built.
func notYet(c echo.Context) error {
	return echo.NewHTTPError(http.StatusNotImplemented, "This page is not available yet.")
}

func (a *App) handleQueue(c echo.Context) error        { return notYet(c) }
func (a *App) handleCase(c echo.Context) error         { return notYet(c) }
func (a *App) handleClaimNext(c echo.Context) error    { return notYet(c) }
func (a *App) handleClaim(c echo.Context) error        { return notYet(c) }
func (a *App) handleRelease(c echo.Context) error      { return notYet(c) }
func (a *App) handleDecision(c echo.Context) error     { return notYet(c) }
func (a *App) handleApprove(c echo.Context) error      { return notYet(c) }
func (a *App) handleReturn(c echo.Context) error       { return notYet(c) }
func (a *App) handleReopen(c echo.Context) error       { return notYet(c) }
func (a *App) handleReassign(c echo.Context) error     { return notYet(c) }
func (a *App) handleUsers(c echo.Context) error        { return notYet(c) }
func (a *App) handleUserCreate(c echo.Context) error   { return notYet(c) }
func (a *App) handleUserUpdate(c echo.Context) error   { return notYet(c) }
func (a *App) handleIngestHealth(c echo.Context) error { return notYet(c) }
func (a *App) handleAudit(c echo.Context) error        { return notYet(c) }
func (a *App) handleAuditExport(c echo.Context) error  { return notYet(c) }
func (a *App) handleAuditReport(c echo.Context) error  { return notYet(c) }
