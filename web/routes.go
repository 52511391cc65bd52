package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/kycdesk/kycdesk/static"
	"github.com/kycdesk/kycdesk/store"
)

// Role sets used by the route table.
var (
	caseReaders  = []string{store.RoleReviewer, store.RoleSupervisor, store.RoleAuditor}
	caseDeciders = []string{store.RoleReviewer, store.RoleSupervisor}
	supervisors  = []string{store.RoleSupervisor}
	admins       = []string{store.RoleAdmin}
	auditReaders = []string{store.RoleAdmin, store.RoleAuditor}
	mediaFixers  = []string{store.RoleSupervisor, store.RoleAdmin}
	// legalHolders use the legal holds page. Admins place and lift holds there without case pages.
	legalHolders = []string{store.RoleSupervisor, store.RoleAdmin}
)

// routes is the one route table. Every page needs a login and a role; every POST carries a CSRF token.
// Open without login: the login page, static files, /healthz, /metrics (counts only, no personal
// data; protect it with --metrics-token) and the two webhooks (authenticated by HMAC or bearer token).
func (a *App) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = a.handleError
	e.IPExtractor = a.ipExtractor()
	e.Use(a.accessLog)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, DisablePrintStack: true}))
	e.Use(a.securityHeaders)

	// Machine endpoints: no session, no CSRF.
	e.GET("/healthz", a.handleHealthz)
	e.GET("/readyz", a.handleReadyz)
	e.GET("/metrics", a.handleMetrics)
	e.POST("/webhooks/markid", a.handleMarkID)
	e.POST("/webhooks/vcip", a.handleVCIP)
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", static.Handler())))
	// The read API: bearer tokens with scopes, JSON errors, never a login page.
	e.GET("/api/v1/decisions", a.handleAPIDecisions, a.requireToken(store.ScopeDecisionsRead))
	e.GET("/api/v1/cases/:source/:ref", a.handleAPICase, a.requireToken(store.ScopeCasesRead))

	// Everything a person uses.
	ui := e.Group("", middleware.BodyLimit("256K"), a.loadSession, csrfNotFromQuery, middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf,header:X-CSRF-Token",
		CookieName:     "kycdesk_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   a.cfg.secureCookies(),
		CookieSameSite: http.SameSiteStrictMode,
		// Same-site is not same-origin: a sibling subdomain could set the token cookie, so refuse.
		AllowSecFetchSiteFunc: func(c echo.Context) (bool, error) {
			return false, echo.NewHTTPError(http.StatusForbidden, "This form did not come from KYC Desk.")
		},
		ErrorHandler: func(err error, c echo.Context) error {
			return echo.NewHTTPError(http.StatusForbidden, "This form has expired or did not come from KYC Desk. Reload the page and try again.").SetInternal(err)
		},
	}))
	ui.GET("/", a.handleHome)
	ui.GET("/login", a.handleLoginForm)
	ui.POST("/login", a.handleLogin, a.loginRateLimit())
	ui.POST("/logout", a.handleLogout, a.require())
	ui.GET("/no-role", a.handleNoRole, a.require())
	a.signInRoutes(ui)

	// Roles are checked per route: a group with middleware would also catch unknown paths and
	// answer them 403 instead of 404.
	read, decide, sup := a.require(caseReaders...), a.require(caseDeciders...), a.require(supervisors...)
	ui.GET("/cases", a.handleQueue, read)
	ui.GET("/cases/:id", a.handleCase, read, a.sameOriginGET)
	// Reloading the address a form posted to (after a validation error) shows the case again.
	ui.GET("/cases/:id/:action", a.handleCaseActionGet, read)
	ui.GET("/cases/:id/deliveries/:delivery/raw", a.handleCaseDeliveryRaw, read, a.sameOriginGET)
	ui.GET("/cases/:id/evidence", a.handleEvidencePack, a.require(evidenceReaders...), a.sameOriginGET)
	ui.GET("/media/:id", a.handleMedia, read, a.sameOriginGET)

	ui.POST("/cases/claim-next", a.handleClaimNext, decide)
	ui.POST("/cases/:id/claim", a.handleClaim, decide)
	ui.POST("/cases/:id/release", a.handleRelease, decide)
	ui.POST("/cases/:id/decision", a.handleDecision, decide)
	ui.POST("/cases/:id/notes", a.handleCaseNote, decide)
	ui.POST("/cases/:id/hold", a.handleHold, decide)
	ui.POST("/cases/:id/resume", a.handleResume, decide)
	ui.POST("/cases/:id/escalate", a.handleEscalate, decide)
	ui.POST("/cases/:id/checklist", a.handleChecklist, decide)
	ui.POST("/cases/:id/captures", a.handleCapture, decide)
	ui.POST("/cases/:id/reveal", a.handleCaseReveal, read)
	ui.POST("/cases/:id/legal-hold", a.handleLegalHold, sup)
	ui.POST("/cases/:id/legal-holds/:hold/lift", a.handleLegalHoldLift, sup)

	ui.POST("/cases/:id/approve", a.handleApprove, sup)
	ui.POST("/cases/:id/return", a.handleReturn, sup)
	ui.POST("/cases/:id/reopen", a.handleReopen, sup)
	ui.POST("/cases/:id/reassign", a.handleReassign, sup)
	ui.POST("/cases/:id/send-back", a.handleSendBack, sup)

	ui.POST("/media/:id/retry", a.handleMediaRetry, a.require(mediaFixers...))
	ui.POST("/media/:id/redaction", a.handleRedaction, decide)

	holders := a.require(legalHolders...)
	ui.GET("/legal-holds", a.handleLegalHolds, holders)
	ui.POST("/legal-holds", a.handleLegalHoldPlace, holders)
	ui.POST("/legal-holds/:hold/lift", a.handleLegalHoldsLift, holders)

	ui.GET("/dashboard", a.handleDashboard, a.require(dashboardReaders...))
	ui.GET("/dashboard/csv", a.handleDashboardCSV, a.require(dashboardReaders...))

	adm := ui.Group("/admin", a.require(admins...))
	adm.GET("/users", a.handleUsers)
	adm.POST("/users", a.handleUserCreate)
	adm.POST("/users/:id", a.handleUserUpdate)
	adm.POST("/grants/:id", a.handleGrantDecision)
	adm.GET("/health", a.handleIngestHealth)
	adm.GET("/settings", a.handleSettings)
	adm.POST("/settings", a.handleSettingsSave)
	adm.GET("/deliveries/:id", a.handleDelivery)
	adm.POST("/deliveries/:id/replay", a.handleReplay)
	adm.GET("/webhooks", a.handleWebhooks)
	adm.POST("/webhooks", a.handleEndpointCreate)
	adm.GET("/webhooks/:id", a.handleEndpoint)
	adm.POST("/webhooks/:id/test", a.handleEndpointTest)
	adm.POST("/webhooks/:id/rotate", a.handleEndpointRotate)
	adm.POST("/webhooks/:id/enable", a.handleEndpointEnable)
	adm.POST("/webhooks/:id/disable", a.handleEndpointDisable)
	adm.POST("/webhooks/:id/replay", a.handleEndpointReplayRange)
	adm.POST("/webhooks/:id/messages/:msg/replay", a.handleMessageReplay)
	adm.GET("/tokens", a.handleTokens)
	adm.POST("/tokens", a.handleTokenCreate)
	adm.POST("/tokens/:id/revoke", a.handleTokenRevoke)

	aud := ui.Group("/audit", a.require(auditReaders...))
	aud.GET("", a.handleAudit)
	aud.GET("/export", a.handleAuditExport, a.sameOriginGET)
	aud.GET("/report", a.handleAuditReport, a.sameOriginGET)
	aud.GET("/decisions", a.handleRegister)
	aud.GET("/decisions/export", a.handleRegisterExport, a.sameOriginGET)
	return e
}

// handleCaseActionGet sends a GET of a case action's address back to the case page.
func (a *App) handleCaseActionGet(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/cases/%d", id))
}

// securityHeaders sets a strict CSP (no inline script or style) and the other defensive headers.
// Pages are never cached: after logout, the back button must not show a case.
func (a *App) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "+
			"media-src 'self' blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "+
			"form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if a.cfg.secureCookies() {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if !strings.HasPrefix(c.Request().URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

// loginRateLimit caps sign-in attempts per client IP.
func (a *App) loginRateLimit() echo.MiddlewareFunc {
	per := float64(a.cfg.LoginRatePerMinute) / 60
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(per), Burst: a.cfg.LoginRatePerMinute,
		}),
		IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			return echo.NewHTTPError(http.StatusTooManyRequests, "Too many sign-in attempts from your network. Wait a minute and try again.")
		},
	})
}

// ipExtractor reads the client address from the connection, or from X-Forwarded-For when the
// request comes through one of the configured trusted proxies.
func (a *App) ipExtractor() echo.IPExtractor {
	if len(a.cfg.TrustedProxies) == 0 {
		return echo.ExtractIPDirect()
	}
	var opts []echo.TrustOption
	for _, n := range a.cfg.TrustedProxies {
		opts = append(opts, echo.TrustIPRange(n))
	}
	opts = append(opts, echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false))
	return echo.ExtractIPFromXFFHeader(opts...)
}
