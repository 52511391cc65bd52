package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

const sessionCookie = "kycdesk_session"

type ctxKey int

const (
	userKey ctxKey = iota
	sessionKey
	sessionExpiredKey // the request carried a session that had timed out
)

// currentUser is the signed-in user, or nil.
func currentUser(c echo.Context) *store.User {
	u, _ := c.Request().Context().Value(userKey).(*store.User)
	return u
}

func currentSessionID(c echo.Context) string {
	s, _ := c.Request().Context().Value(sessionKey).(string)
	return s
}

// actor is the signed-in user as an audit actor.
func actor(c echo.Context) store.Actor {
	if u := currentUser(c); u != nil {
		return store.Actor{ID: u.ID, Name: u.Username}
	}
	return store.Actor{Name: "anonymous"}
}

func hashSessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// loadSession resolves the session cookie to a user, enforcing the idle and absolute timeouts.
func (a *App) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		sess, _ := a.cookies.Get(r, sessionCookie) // a tampered or stale cookie yields a fresh, empty session
		token, _ := sess.Values["sid"].(string)
		if token == "" {
			return next(c)
		}
		id := hashSessionID(token)
		s, err := a.db.SessionByID(r.Context(), id)
		if errors.Is(err, store.ErrNotFound) {
			return next(c)
		}
		if err != nil {
			return err
		}
		now := a.cfg.Now()
		if now.Sub(s.CreatedAt) > a.cfg.SessionMaxAge || now.Sub(s.LastSeenAt) > a.cfg.SessionIdle {
			if err := a.db.DeleteSession(r.Context(), id); err != nil {
				return err
			}
			c.SetRequest(r.WithContext(context.WithValue(r.Context(), sessionExpiredKey, true)))
			return next(c)
		}
		u, err := a.db.UserByID(r.Context(), s.UserID)
		if err != nil || u.Disabled {
			return next(c)
		}
		// Touching on every request would cost a write per page; a coarse step keeps the idle timer honest.
		if now.Sub(s.LastSeenAt) > 15*time.Second {
			if err := a.db.TouchSession(r.Context(), id); err != nil {
				return err
			}
		}
		ctx := context.WithValue(r.Context(), userKey, &u)
		ctx = context.WithValue(ctx, sessionKey, id)
		c.SetRequest(r.WithContext(ctx))
		return next(c)
	}
}

// require admits signed-in users holding any of roles. Anonymous page requests are sent to the login
// page; anonymous API requests and POSTs get 401; users without the role get 403.
func (a *App) require(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := currentUser(c)
			if u == nil {
				r := c.Request()
				if r.Method == http.MethodGet || r.Method == http.MethodHead {
					q := url.Values{"next": {r.URL.RequestURI()}}
					if expired, _ := r.Context().Value(sessionExpiredKey).(bool); expired {
						q.Set("expired", "1")
					}
					return c.Redirect(http.StatusFound, "/login?"+q.Encode())
				}
				return echo.NewHTTPError(http.StatusUnauthorized, "Please sign in first.")
			}
			if len(roles) > 0 && !slices.ContainsFunc(roles, u.Has) {
				return echo.NewHTTPError(http.StatusForbidden, "Your role does not allow this page. Ask an admin if you need access.")
			}
			return next(c)
		}
	}
}

// homeFor is where a user lands after signing in.
func homeFor(u *store.User) string {
	switch {
	case u.Has(store.RoleReviewer) || u.Has(store.RoleSupervisor):
		return "/cases"
	case u.Has(store.RoleAuditor):
		return "/audit"
	case u.Has(store.RoleAdmin):
		return "/admin/users"
	}
	// Signed in with no role yet (a grant may wait for a second admin): a page that says so, not
	// the sign-in page, which would send them here again.
	return "/no-role"
}

// handleNoRole tells a signed-in person with no role why every page refuses them.
func (a *App) handleNoRole(c echo.Context) error {
	if u := currentUser(c); len(u.Roles) > 0 {
		return c.Redirect(http.StatusFound, homeFor(u))
	}
	const title = "No role yet"
	return a.render(c, http.StatusOK, views.ErrorPage(a.page(c, title, ""), http.StatusOK, title,
		"You are signed in, but your account holds no role yet. If an admin has just granted you one, a second admin must approve it before it takes effect; ask them, then sign in again."))
}

// safeNext accepts only a local path (no scheme, no host, no control characters or backslashes),
// so the login form cannot be used to send someone elsewhere.
func safeNext(next string) string {
	if next == "" || len(next) > 2048 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return ""
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	if strings.HasPrefix(u.Path, "/login") || strings.HasPrefix(u.Path, "/logout") {
		return ""
	}
	return next
}

func (a *App) handleHome(c echo.Context) error {
	if u := currentUser(c); u != nil {
		return c.Redirect(http.StatusFound, homeFor(u))
	}
	return c.Redirect(http.StatusFound, "/login")
}

func (a *App) handleLoginForm(c echo.Context) error {
	if u := currentUser(c); u != nil {
		return c.Redirect(http.StatusFound, homeFor(u))
	}
	msg := ""
	if c.QueryParam("expired") == "1" {
		msg = "Your session timed out. Please sign in again."
	}
	return a.render(c, http.StatusOK, a.loginPage(c, "", msg, safeNext(c.QueryParam("next"))))
}

const msgBadLogin = "Wrong username or password."

func msgLocked(d time.Duration) string {
	return fmt.Sprintf("Too many failed sign-ins. This account is locked for %d minutes; an admin can unlock it sooner by resetting the password.", int(d.Minutes()))
}

// handleLogin signs a user in. Failures never reveal whether the username exists: unknown names
// are counted and locked exactly like real ones, and every answer costs one password check.
func (a *App) handleLogin(c echo.Context) error {
	if a.cfg.LocalLogin == LocalLoginOff {
		return a.refusePasswordLogin(c)
	}
	ctx := c.Request().Context()
	username := strings.TrimSpace(c.FormValue("username"))
	password := c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	// checked says whether the password was compared at all: a locked name's never is.
	fail := func(msg string, checked bool) error {
		if err := a.db.Audit(ctx, store.AuditEntry{Actor: "anonymous", Action: "login.failure", TargetType: "user",
			TargetID: username, Details: map[string]any{"remote_addr": c.RealIP(), "reason": msg, "checked": checked}}); err != nil {
			return err
		}
		return a.render(c, http.StatusUnauthorized, a.loginPage(c, username, msg, next))
	}
	if !store.ValidUsername(username) {
		// Not a name we could have issued: refuse before it reaches the audit log or the throttle.
		store.CheckPassword(a.dummyHash(), password)
		username = ""
		return a.render(c, http.StatusUnauthorized, a.loginPage(c, "", msgBadLogin, next))
	}
	// The attempt is counted, and the lock checked, in one step before the password is looked at,
	// the same way for names that are not accounts (and SSO accounts, which have no password
	// here): a burst cannot race past the limit, and the answers do not say which names exist.
	att, err := a.db.TakeLoginAttempt(ctx, username, a.cfg.LoginLockAfter, a.cfg.LoginLockFor)
	if err == nil && att.Known && a.isSSOAccount(ctx, att.User.ID) {
		att.Known, att.User = false, store.User{}
	}
	if err != nil {
		return err
	}
	if !att.Check {
		store.CheckPassword(a.dummyHash(), password) // same cost as every other answer
		return fail(msgLocked(a.cfg.LoginLockFor), false)
	}
	hash := att.User.PasswordHash
	if !att.Known {
		hash = a.dummyHash()
	}
	if !store.CheckPassword(hash, password) || !att.Known {
		if att.LastBeforeLock {
			return fail(msgLocked(a.cfg.LoginLockFor), true)
		}
		return fail(msgBadLogin, true)
	}
	u := att.User
	// The password was right. Without a second step, passwordAccepted's RecordLoginSuccess clears
	// the count. Before a second step (or when this attempt was the last one allowed and set the
	// lock) the attempt is given back, so wrong codes count from the wrong passwords before it.
	if att.LastBeforeLock || a.secondStepFollows(ctx, &u) {
		if err := a.db.ReturnLoginAttempt(ctx, att); err != nil {
			return err
		}
	}
	failChecked := func(msg string) error { return fail(msg, true) }
	if !a.localLoginAllows(&u) {
		return failChecked(a.msgLocalLoginRefused())
	}
	return a.passwordAccepted(c, &u, next, failChecked)
}

// handleLogout ends the session on the server and clears the cookie.
func (a *App) handleLogout(c echo.Context) error {
	ctx := c.Request().Context()
	if id := currentSessionID(c); id != "" {
		if err := a.db.DeleteSession(ctx, id); err != nil {
			return err
		}
	}
	sess, _ := a.cookies.Get(c.Request(), sessionCookie)
	wasSSO, _ := sess.Values["sso"].(bool)
	sess.Values = map[any]any{}
	sess.Options.MaxAge = -1
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	if u := currentUser(c); u != nil {
		if err := a.db.Audit(ctx, store.AuditEntry{Actor: u.Username, ActorID: u.ID, Action: "logout",
			TargetType: "user", TargetID: u.Username}); err != nil {
			return err
		}
	}
	return c.Redirect(http.StatusSeeOther, a.logoutTarget(c, wasSSO))
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// dummyHash is checked against when the name is not an account, or is locked, so every answer
// costs one password check at the configured cost. It is made once per cost for the process, on
// first use, so commands and tests that never sign anyone in do not pay for it.
func (a *App) dummyHash() string { return dummyHashFor(a.cfg.BcryptCost) }

var dummyHashes = struct {
	sync.Mutex
	byCost map[int]string
}{byCost: map[int]string{}}

func dummyHashFor(cost int) string {
	dummyHashes.Lock()
	defer dummyHashes.Unlock()
	h, ok := dummyHashes.byCost[cost]
	if !ok {
		h, _ = store.HashPassword("not-a-real-password-just-timing", cost)
		dummyHashes.byCost[cost] = h
	}
	return h
}

// secondStepFollows reports whether a right password leads to a one-time code or its enrolment
// (as passwordAccepted decides), not straight into a session.
func (a *App) secondStepFollows(ctx context.Context, u *store.User) bool {
	t, err := a.db.TOTPOf(ctx, u.ID)
	return err == nil && t.Confirmed || a.mfaCovers(u)
}
