package web

import (
	"context"
	"net/http"
	"net/url"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

// openSession signs u in on this browser: a new session ID (an ID planted before sign-in is
// worthless after it), the cookie, and the login.success audit entry with how they signed in.
func (a *App) openSession(c echo.Context, u *store.User, details map[string]any) error {
	ctx := c.Request().Context()
	d := map[string]any{"remote_addr": c.RealIP()}
	for k, v := range details {
		d[k] = v
	}
	if err := a.db.Audit(ctx, store.AuditEntry{Actor: u.Username, ActorID: u.ID, Action: "login.success",
		TargetType: "user", TargetID: u.Username, Details: d}); err != nil {
		return err
	}
	if old := currentSessionID(c); old != "" {
		if err := a.db.DeleteSession(ctx, old); err != nil {
			return err
		}
	}
	token, err := randomToken()
	if err != nil {
		return err
	}
	if err := a.db.CreateSession(ctx, hashSessionID(token), u.ID, c.RealIP(), c.Request().UserAgent()); err != nil {
		return err
	}
	sess, _ := a.cookies.New(c.Request(), sessionCookie)
	sess.Values = map[any]any{"sid": token}
	if details["method"] == "oidc" {
		sess.Values["sso"] = true // logout then offers signing out at the provider too
	}
	return sess.Save(c.Request(), c.Response())
}

// withUser is ctx with u as the signed-in user, for a page rendered right after sign-in.
func withUser(ctx context.Context, u *store.User) context.Context {
	return context.WithValue(ctx, userKey, u)
}

// loginPage is the sign-in page: "Sign in with <provider>" first when OIDC is on, the password
// form below it when --local-login allows, and the sentence to show, if any.
func (a *App) loginPage(c echo.Context, username, msg, next string) templ.Component {
	return views.Login(a.page(c, "Sign in", ""), a.loginView(c, username, msg, next))
}

// ssoErrorPage is the sign-in page with a sentence about the SSO attempt (the password fields
// are not marked wrong).
func (a *App) ssoErrorPage(c echo.Context, msg string) templ.Component {
	v := a.loginView(c, "", msg, "")
	v.SSOError = true
	return views.Login(a.page(c, "Sign in", ""), v)
}

func (a *App) loginView(c echo.Context, username, msg, next string) views.LoginView {
	v := views.LoginView{Username: username, Error: msg, Next: next, LocalForm: a.cfg.LocalLogin != LocalLoginOff}
	if a.sso != nil {
		v.SSOName = a.cfg.OIDC.Name
		v.SSOStart = "/auth/oidc/start"
		if next != "" {
			v.SSOStart += "?next=" + url.QueryEscape(next)
		}
		v.AdminsOnly = a.cfg.LocalLogin == LocalLoginAdmins
		if c.QueryParam("signedout") == "sso" && a.sso.endSessionURL() != "" {
			v.OfferSSOLogout = true
		}
	}
	return v
}

// logoutTarget is where the browser goes after logout: the sign-in page, which offers signing
// out at the provider too when this was an SSO session and the provider allows it.
func (a *App) logoutTarget(c echo.Context, wasSSO bool) string {
	if wasSSO && a.sso != nil && a.sso.endSessionURL() != "" {
		return "/login?signedout=sso"
	}
	return "/login"
}

// refusePasswordLogin answers a password sign-in when --local-login is off.
func (a *App) refusePasswordLogin(c echo.Context) error {
	return a.render(c, http.StatusForbidden, a.loginPage(c, "", a.msgLocalLoginRefused(), safeNext(c.FormValue("next"))))
}

// isSSOAccount reports whether an account signs in only through the identity provider; on a
// database error it answers true, which refuses the password.
func (a *App) isSSOAccount(ctx context.Context, userID int64) bool {
	sso, err := a.db.IsSSOUser(ctx, userID)
	return sso || err != nil
}

// signInFacts are the users page's sign-in column: who signs in through the provider, and who
// has an authenticator app.
func (a *App) signInFacts(ctx context.Context) (map[int64]store.Identity, map[int64]bool, error) {
	sso, err := a.db.Identities(ctx)
	if err != nil {
		return nil, nil, err
	}
	mfa, err := a.db.MFAEnrolled(ctx)
	return sso, mfa, err
}
