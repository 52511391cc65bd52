package web

import (
	"bytes"
	"errors"
	"maps"
	"net/http"
	"strings"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer is the largest render buffer kept for reuse. A pool holds what it is given
// until a collection, so one huge page must not pin its buffer for the next.
const maxPooledBuffer = 1 << 20

// renderBuffer takes an empty buffer from the pool.
func renderBuffer() *bytes.Buffer {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	return buf
}

// recycleBuffer gives buf back to the pool unless it grew past maxPooledBuffer.
func recycleBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledBuffer {
		bufPool.Put(buf)
	}
}

// render writes a component with status. It renders into a buffer first, so a failing template
// becomes a clean error page instead of half a page.
func (a *App) render(c echo.Context, status int, comp templ.Component) error {
	buf := renderBuffer()
	defer recycleBuffer(buf)
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// page builds the frame every page shares: the user, the CSRF token and the nav counts.
func (a *App) page(c echo.Context, title, nav string) views.Page {
	return a.pageWithCounts(c, title, nav, nil)
}

// pageWithCounts is page with nav counts the handler already has (nil: count them here). Only
// reviewers and supervisors see counts, so nobody else pays for them.
func (a *App) pageWithCounts(c echo.Context, title, nav string, counts *store.ReviewCounts) views.Page {
	p := views.Page{Title: title, Nav: nav}
	p.CSRF, _ = c.Get(middleware.DefaultCSRFConfig.ContextKey).(string)
	if u := currentUser(c); u != nil {
		p.User = &views.User{ID: u.ID, Username: u.Username, Name: u.Name(), Roles: u.Roles}
		if u.Has(store.RoleReviewer) || u.Has(store.RoleSupervisor) {
			if counts == nil {
				n, err := a.db.NavCounts(c.Request().Context())
				if err != nil {
					a.log.Warn("nav counts", "err", err) // the page is still useful without them
				}
				counts = &n
			}
			p.Counts = views.NavCounts{NeedsDecision: counts.NeedsDecision, PendingApproval: counts.PendingApproval}
		}
	}
	if f := c.QueryParam("flash"); f != "" {
		p.Flash = flashText(f)
	}
	return p
}

// flashText maps a short flash code from a redirect to its sentence; unknown codes show nothing,
// so a crafted link cannot put words on the page.
func flashText(code string) string {
	return map[string]string{
		"decided":           "Decision recorded.",
		"pending":           "Decision recorded. It now waits for a supervisor's second approval.",
		"approved":          "Second approval recorded.",
		"returned":          "Decision sent back: the reviewer who made it holds the case again.",
		"reopened":          "Case reopened.",
		"noted":             "Note added to the timeline.",
		"held":              "Case on hold: its SLA clock is paused until the date you chose.",
		"resumed":           "Hold ended: the SLA clock runs again.",
		"escalated":         "Case escalated: the supervisors have it now.",
		"sent-back":         "Sent back: reviewers can claim and decide the case again.",
		"legal-hold":        "Legal hold placed: nothing of this case is purged while it holds.",
		"legal-hold-lifted": "Legal hold lifted.",
		"lh-case":           "Legal hold placed on the case: nothing of it is purged while the hold is in force.",
		"lh-client":         "Legal hold placed on every case of the client, those there are and those still to come.",
		"lh-lifted":         "Legal hold lifted. Its cases follow their retention policy again, unless another hold covers them.",
		"decided-next":      "Decision recorded. This is the next case in your view; you hold it.",
		"pending-next":      "Decision recorded; it waits for a second approval. This is the next case in your view; you hold it.",
		"decided-nonext":    "Decision recorded. No other unclaimed case is waiting in this view.",
		"pending-nonext":    "Decision recorded; it waits for a second approval. No other unclaimed case is waiting in this view.",
		"claimed":           "You hold this case now.",
		"released":          "Claim released.",
		"reassigned":        "Claim reassigned.",
		"user":              "User saved.",
		"grant-waiting":     "Roles saved. The reviewer, supervisor or admin role asked for waits for a second admin's approval.",
		"grant-approved":    "Grant approved: the account holds its new roles now.",
		"grant-rejected":    "Grant rejected: the account keeps the roles it had.",
		"user-disabled":     "User disabled: their sessions have ended and the cases they held are back in the queue.",
		"user-enabled":      "User enabled: they can sign in again.",
		"password":          "Password reset. Share the new password through a safe channel.",
		"replayed":          "Delivery replayed.",
		"retry":             "Fetch queued again.",
		"nonext":            "No unclaimed case is waiting.",
		"settings":          "Settings saved. They apply from now on.",
		"mfareset":          "Second factor reset. The user sets up an authenticator app again at their next sign-in.",
	}[code]
}

// handleError is the one place errors become responses. Users see a sentence; 5xx are logged.
func (a *App) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, title, msg := http.StatusInternalServerError, "Something went wrong", "The server could not complete this request. It has been logged; please try again."
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		status = he.Code
		title = http.StatusText(status)
		if m, ok := he.Message.(string); ok && status < 500 {
			msg = m
		}
		if status == http.StatusNotFound {
			title, msg = "Not found", "There is nothing at this address. It may have been mistyped, or the item does not exist."
		}
		if he.Internal != nil && errors.Is(he.Internal, middleware.ErrCSRFInvalid) || errors.Is(err, middleware.ErrCSRFInvalid) {
			title, msg = "This form has expired", "Reload the page and try again."
		}
	default:
		if e, ok := store.AsError(err); ok {
			status, title, msg = statusOf(e.Kind), titleOf(e.Kind), e.Error()
			break
		}
		// A bare sentinel carries no sentence for the user: map its kind, say it plainly.
		for kind, sentinel := range map[store.ErrorKind]error{store.KindNotFound: store.ErrNotFound,
			store.KindConflict: store.ErrConflict, store.KindInvalid: store.ErrInvalid, store.KindForbidden: store.ErrForbidden} {
			if errors.Is(err, sentinel) {
				status, title = statusOf(kind), titleOf(kind)
				msg = "This could not be done as things stand now. Reload the page and try again."
				if kind == store.KindNotFound {
					msg = "There is nothing at this address. It may have been mistyped, or the item does not exist."
				}
			}
		}
	}
	if status >= 500 {
		a.log.Error("request failed", "request_id", requestID(c), "method", c.Request().Method, "route", c.Path(), "status", status, "err", err)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if wantsJSON(c) {
		_ = c.JSON(status, map[string]string{"status": "error", "message": msg})
		return
	}
	if rerr := a.render(c, status, views.ErrorPage(a.page(c, title, ""), status, title, msg)); rerr != nil {
		a.log.Error("render error page", "err", rerr)
		_ = c.String(status, msg)
	}
}

// statusOf is the one mapping from a domain error's kind to an HTTP status.
func statusOf(k store.ErrorKind) int {
	switch k {
	case store.KindNotFound:
		return http.StatusNotFound
	case store.KindConflict:
		return http.StatusConflict
	case store.KindForbidden:
		return http.StatusForbidden
	case store.KindInvalid:
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

func titleOf(k store.ErrorKind) string {
	switch k {
	case store.KindNotFound:
		return "Not found"
	case store.KindConflict:
		return "Conflict"
	case store.KindForbidden:
		return "Not allowed"
	}
	return "Not accepted"
}

// fieldErrors returns the field problems of an invalid-input error, for a form to show beside its
// fields; an invalid error without fields is put on field (when given). ok is false for any
// other error.
func fieldErrors(err error, field string) (map[string]string, bool) {
	e, ok := store.AsError(err)
	switch {
	case !ok || e.Kind != store.KindInvalid:
		return nil, false
	case len(e.Fields) > 0:
		return maps.Clone(e.Fields), true
	case field != "":
		return map[string]string{field: e.Message}, true
	}
	return nil, false
}

func wantsJSON(c echo.Context) bool {
	return strings.HasPrefix(c.Request().URL.Path, "/webhooks/") || c.Request().Header.Get("Accept") == "application/json"
}
