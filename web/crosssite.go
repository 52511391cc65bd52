package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/views"
)

// sameOriginGET guards a GET that writes something (an audit entry for a case view, an export)
// against being set off by another site: a top-level link from elsewhere carries the signed-in
// user's cookies. Such a request gets a "continue to KYC Desk" page instead and writes nothing;
// the link on that page is same-origin. Browsers send Sec-Fetch-Site; a request without it (a
// typed address, a script) goes through as before.
func (a *App) sameOriginGET(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Header.Get("Sec-Fetch-Site") {
		case "cross-site", "same-site": // same-site is not same-origin: a sibling subdomain
			return a.render(c, http.StatusOK, views.CrossSite(a.page(c, "Continue to KYC Desk", ""), c.Request().URL.RequestURI()))
		}
		return next(c)
	}
}
