package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"github.com/kycdesk/kycdesk/store"
)

const (
	// ssoFlowTTL is how long a sign-in started at the provider may take to come back.
	ssoFlowTTL = 10 * time.Minute
	// ssoRetryEvery spaces out discovery attempts while the issuer cannot be reached.
	ssoRetryEvery = 30 * time.Second
	// ssoBrowserCookie binds a sign-in to the browser that started it.
	ssoBrowserCookie = "kycdesk_oidc"
)

// ssoClient is the relying party of the bank's identity provider. The issuer is discovered at
// start; when it cannot be reached then, the error is logged, local sign-in keeps working, and
// discovery is tried again at the next SSO sign-in (at most every 30 seconds).
type ssoClient struct {
	cfg  OIDCConfig
	log  *slog.Logger
	now  func() time.Time
	http *http.Client

	mu      sync.Mutex
	p       *ssoProvider
	lastTry time.Time
	lastErr error
}

// ssoProvider is a discovered issuer: its endpoints, its key set and our client at it.
type ssoProvider struct {
	provider   *oidc.Provider
	verifier   *oidc.IDTokenVerifier
	oauth      oauth2.Config
	endSession string
}

func newSSOClient(cfg OIDCConfig, log *slog.Logger, now func() time.Time) *ssoClient {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	return &ssoClient{cfg: cfg, log: log, now: now, http: hc}
}

// ctx carries our HTTP client to go-oidc and oauth2.
func (s *ssoClient) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(context.WithValue(ctx, oauth2.HTTPClient, s.http), s.http)
}

// discover returns the issuer's configuration, fetching it when it is not known yet.
func (s *ssoClient) discover() (*ssoProvider, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.p != nil {
		return s.p, nil
	}
	now := s.now()
	if !s.lastTry.IsZero() && now.Sub(s.lastTry) < ssoRetryEvery && now.After(s.lastTry) {
		return nil, s.lastErr
	}
	s.lastTry = now
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The provider keeps the context's HTTP client for its key set, not the deadline.
	provider, err := oidc.NewProvider(s.ctx(ctx), s.cfg.Issuer)
	if err != nil {
		s.lastErr = err
		s.log.Error("SSO: cannot discover the identity provider; sign-in with it is unavailable, local sign-in still works",
			"issuer", s.cfg.Issuer, "err", err)
		return nil, err
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = provider.Claims(&extra)
	s.p = &ssoProvider{
		provider:   provider,
		verifier:   provider.Verifier(&oidc.Config{ClientID: s.cfg.ClientID}),
		endSession: extra.EndSession,
		oauth: oauth2.Config{
			ClientID:     s.cfg.ClientID,
			ClientSecret: s.cfg.ClientSecret,
			Endpoint:     provider.Endpoint(),
			RedirectURL:  s.cfg.RedirectURL,
			Scopes:       s.cfg.Scopes,
		},
	}
	s.lastErr = nil
	s.log.Info("SSO: identity provider discovered", "issuer", s.cfg.Issuer, "rp_initiated_logout", extra.EndSession != "")
	return s.p, nil
}

// endSessionURL is the provider's RP-initiated logout address, or "" when it offers none.
func (s *ssoClient) endSessionURL() string {
	s.mu.Lock()
	p := s.p
	s.mu.Unlock()
	if p == nil || p.endSession == "" {
		return ""
	}
	u, err := url.Parse(p.endSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("client_id", s.cfg.ClientID)
	q.Set("post_logout_redirect_uri", strings.TrimSuffix(s.cfg.RedirectURL, "/auth/oidc/callback")+"/login")
	u.RawQuery = q.Encode()
	return u.String()
}

// handleSSOStart sends the browser to the provider with a fresh state, nonce and PKCE verifier.
func (a *App) handleSSOStart(c echo.Context) error {
	if a.sso == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	if u := currentUser(c); u != nil {
		return c.Redirect(http.StatusFound, homeFor(u))
	}
	p, err := a.sso.discover()
	if err != nil {
		return a.render(c, http.StatusServiceUnavailable, a.ssoErrorPage(c, "Sign-in with "+a.cfg.OIDC.Name+
			" is unavailable: KYC Desk cannot reach the identity provider. Try again in a minute; if it persists, tell your IT service desk."))
	}
	state, err := randomToken()
	if err != nil {
		return err
	}
	nonce, err := randomToken()
	if err != nil {
		return err
	}
	browser := ""
	if ck, err := c.Cookie(ssoBrowserCookie); err == nil && len(ck.Value) >= 40 && len(ck.Value) <= 64 {
		browser = ck.Value // keep the binding, so sign-ins started in two tabs both work
	} else if browser, err = randomToken(); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: ssoBrowserCookie, Value: browser, Path: "/auth/oidc/", MaxAge: int(ssoFlowTTL.Seconds()),
		HttpOnly: true, Secure: a.cfg.secureCookies(), SameSite: http.SameSiteLaxMode}) // Lax: the provider's redirect back is cross-site
	verifier := oauth2.GenerateVerifier()
	if err := a.db.StartOIDCLogin(c.Request().Context(), store.OIDCLogin{StateHash: hashSessionID(state), BrowserHash: hashSessionID(browser),
		Nonce: nonce, Verifier: verifier, Next: safeNext(c.QueryParam("next"))}, ssoFlowTTL); err != nil {
		return err
	}
	return c.Redirect(http.StatusFound, p.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)))
}

// Sentences for the person whose SSO sign-in did not work.
const (
	msgSSOStale   = "This sign-in has expired or was already used. Start again with the button below."
	msgSSOBrowser = "This sign-in was started in another browser or window. Start again with the button below."
)

// handleSSOCallback finishes the code flow: the state must be one we issued to this browser,
// unused and under 10 minutes old; the code is exchanged with the PKCE verifier; the ID token's
// issuer, audience, expiry and signature are checked by go-oidc against the provider's key set,
// and its nonce here. The account is found or created by (issuer, subject), its roles set from
// the mapped groups.
func (a *App) handleSSOCallback(c echo.Context) error {
	if a.sso == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	ctx := c.Request().Context()
	q := c.QueryParams()
	state := q.Get("state")
	if state == "" || len(state) > 512 {
		return a.ssoRefused(c, http.StatusBadRequest, msgSSOStale, "missing state", nil)
	}
	l, err := a.db.TakeOIDCLogin(ctx, hashSessionID(state))
	if errors.Is(err, store.ErrNotFound) {
		return a.ssoRefused(c, http.StatusBadRequest, msgSSOStale, "unknown or used state", nil)
	}
	if err != nil {
		return err
	}
	ck, _ := c.Cookie(ssoBrowserCookie)
	if ck == nil || subtle.ConstantTimeCompare([]byte(hashSessionID(ck.Value)), []byte(l.BrowserHash)) != 1 {
		return a.ssoRefused(c, http.StatusBadRequest, msgSSOBrowser, "state from another browser", nil)
	}
	if a.cfg.Now().Sub(l.CreatedAt) > ssoFlowTTL {
		return a.ssoRefused(c, http.StatusBadRequest, msgSSOStale, "state expired", nil)
	}
	if e := q.Get("error"); e != "" {
		msg := a.cfg.OIDC.Name + " did not sign you in (" + clip(e+": "+q.Get("error_description"), 200) + "). Try again, or ask your IT service desk."
		return a.ssoRefused(c, http.StatusUnauthorized, msg, "provider error: "+clip(e, 100), nil)
	}
	code := q.Get("code")
	if code == "" {
		return a.ssoRefused(c, http.StatusBadRequest, msgSSOStale, "missing code", nil)
	}
	p, err := a.sso.discover()
	if err != nil {
		return a.render(c, http.StatusServiceUnavailable, a.ssoErrorPage(c, "KYC Desk cannot reach "+a.cfg.OIDC.Name+" right now. Try again in a minute."))
	}
	failed := "KYC Desk could not complete your sign-in with " + a.cfg.OIDC.Name + ". Try again; if it keeps failing, tell your IT service desk (the time of this attempt is in KYC Desk's log)."
	tok, err := p.oauth.Exchange(a.sso.ctx(ctx), code, oauth2.VerifierOption(l.Verifier))
	if err != nil {
		a.log.Warn("SSO: code exchange failed", "issuer", a.cfg.OIDC.Issuer, "err", err)
		return a.ssoRefused(c, http.StatusBadGateway, failed, "code exchange failed", nil)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return a.ssoRefused(c, http.StatusBadGateway, failed, "no id_token in the token response", nil)
	}
	idt, err := p.verifier.Verify(a.sso.ctx(ctx), raw)
	if err != nil {
		a.log.Warn("SSO: ID token rejected", "issuer", a.cfg.OIDC.Issuer, "err", err)
		return a.ssoRefused(c, http.StatusUnauthorized, failed, "id token rejected: "+clip(err.Error(), 300), nil)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(l.Nonce)) != 1 {
		return a.ssoRefused(c, http.StatusUnauthorized, failed, "nonce mismatch", map[string]any{"subject": idt.Subject})
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return a.ssoRefused(c, http.StatusBadGateway, failed, "unreadable claims", map[string]any{"subject": idt.Subject})
	}
	if err := a.sso.addUserInfo(ctx, p, tok, idt.Subject, claims); err != nil {
		a.log.Warn("SSO: userinfo", "issuer", a.cfg.OIDC.Issuer, "err", err)
		return a.ssoRefused(c, http.StatusBadGateway, failed, "userinfo: "+clip(err.Error(), 200), map[string]any{"subject": idt.Subject})
	}
	groups := claimStrings(claims, a.cfg.OIDC.RoleClaim)
	in := store.SSOSignIn{
		Issuer: idt.Issuer, Subject: idt.Subject,
		Username:    ssoUsername(claims, a.cfg.OIDC.UsernameClaim, idt.Subject),
		DisplayName: clip(strings.TrimSpace(claimString(claims, "name")), 200),
		Groups:      groups, Roles: a.mapRoles(groups), RemoteAddr: c.RealIP(),
	}
	u, err := a.db.SignInSSO(ctx, in)
	switch {
	case errors.Is(err, store.ErrNoRole):
		return a.render(c, http.StatusForbidden, a.ssoErrorPage(c, a.msgNoRole(in.Username)))
	case errors.Is(err, store.ErrDisabled):
		return a.render(c, http.StatusForbidden, a.ssoErrorPage(c, "Your KYC Desk account has been disabled here. Ask a KYC Desk admin to enable it."))
	case err != nil:
		return err
	}
	if err := a.openSession(c, &u, map[string]any{"method": "oidc", "issuer": in.Issuer, "subject": in.Subject, "groups": in.Groups}); err != nil {
		return err
	}
	next := l.Next
	if next == "" {
		next = homeFor(&u)
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// msgNoRole tells someone the provider knows but KYC Desk has no role for whom to ask.
func (a *App) msgNoRole(username string) string {
	groups := make([]string, 0, len(a.cfg.OIDC.RoleMap))
	for g := range a.cfg.OIDC.RoleMap {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	who := "You"
	if username != "" {
		who = "You (" + username + ")"
	}
	return who + " signed in at " + a.cfg.OIDC.Name + ", but your account is in none of the groups that give access to KYC Desk (" +
		strings.Join(groups, ", ") + "). Ask your manager or IT service desk to add you to the group for your role; a KYC Desk admin can tell you which."
}

// ssoRefused audits a sign-in that failed before any account was involved and shows the sentence.
func (a *App) ssoRefused(c echo.Context, status int, msg, reason string, extra map[string]any) error {
	d := map[string]any{"issuer": a.cfg.OIDC.Issuer, "reason": reason, "remote_addr": c.RealIP()}
	for k, v := range extra {
		d[k] = v
	}
	if err := a.db.Audit(c.Request().Context(), store.AuditEntry{Actor: "anonymous", Action: "login.sso_refused", TargetType: "user", Details: d}); err != nil {
		return err
	}
	return a.render(c, status, a.ssoErrorPage(c, msg))
}

// handleSSOLogout sends a browser already signed out here to the provider's end-session
// endpoint (RP-initiated logout), when the provider has one.
func (a *App) handleSSOLogout(c echo.Context) error {
	if a.sso == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	if to := a.sso.endSessionURL(); to != "" {
		return c.Redirect(http.StatusSeeOther, to)
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}

// addUserInfo fills claims the ID token left out (many providers put groups or the username only
// in the userinfo answer) from the userinfo endpoint, which must speak of the same subject.
func (s *ssoClient) addUserInfo(ctx context.Context, p *ssoProvider, tok *oauth2.Token, subject string, claims map[string]any) error {
	top, _, _ := strings.Cut(s.cfg.RoleClaim, ".")
	_, haveRoles := claims[s.cfg.RoleClaim]
	if !haveRoles {
		_, haveRoles = claims[top]
	}
	_, haveName := claims[s.cfg.UsernameClaim]
	if (haveRoles && haveName) || p.provider.UserInfoEndpoint() == "" {
		return nil
	}
	info, err := p.provider.UserInfo(s.ctx(ctx), oauth2.StaticTokenSource(tok))
	if err != nil {
		return err
	}
	if info.Subject != subject {
		return fmt.Errorf("userinfo speaks of subject %q, the ID token of %q", info.Subject, subject)
	}
	more := map[string]any{}
	if err := info.Claims(&more); err != nil {
		return err
	}
	for k, v := range more {
		if _, have := claims[k]; !have {
			claims[k] = v
		}
	}
	return nil
}

// mapRoles turns the groups received into our roles through the role map, in display order.
func (a *App) mapRoles(groups []string) []string {
	var out []string
	for _, role := range store.AllRoles {
		for _, g := range groups {
			if slices.Contains(a.cfg.OIDC.RoleMap[g], role) {
				out = append(out, role)
				break
			}
		}
	}
	return out
}

// claimValue finds a claim by name, or by a dotted path into nested objects (realm_access.roles).
func claimValue(claims map[string]any, name string) (any, bool) {
	if v, ok := claims[name]; ok {
		return v, true
	}
	var cur any = claims
	for _, part := range strings.Split(name, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// claimStrings reads a claim holding a list of strings, or one string.
func claimStrings(claims map[string]any, name string) []string {
	v, _ := claimValue(claims, name)
	var out []string
	switch v := v.(type) {
	case string:
		if v != "" {
			out = append(out, v)
		}
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok && s != "" && len(out) < 500 {
				out = append(out, clip(s, 200))
			}
		}
	}
	return out
}

func claimString(claims map[string]any, name string) string {
	v, _ := claimValue(claims, name)
	s, _ := v.(string)
	return s
}

// ssoUsername is the name a new SSO account gets: the username claim, else the e-mail, else the subject.
func ssoUsername(claims map[string]any, claim, subject string) string {
	for _, name := range []string{claim, "preferred_username", "email"} {
		if s := claimString(claims, name); s != "" {
			return clip(s, 64)
		}
	}
	return clip(subject, 64)
}

// clip cuts s to at most n bytes, on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// startSSO sets up the relying party when OIDC is configured and discovers the issuer once.
// An unreachable issuer is logged and retried at the next SSO sign-in; the server starts anyway.
func (a *App) startSSO() {
	if !a.cfg.OIDC.Enabled() {
		return
	}
	a.sso = newSSOClient(a.cfg.OIDC, a.log, a.cfg.Now)
	_, _ = a.sso.discover()
}

// signInRoutes registers the SSO and second-factor steps of signing in. They are open (no
// session exists yet); the second-factor pages need the cookie of a sign-in whose password was right.
func (a *App) signInRoutes(ui *echo.Group) {
	limit := a.loginRateLimit()
	ui.GET("/auth/oidc/start", a.handleSSOStart, limit)
	ui.GET("/auth/oidc/callback", a.handleSSOCallback, limit)
	ui.GET("/auth/oidc/logout", a.handleSSOLogout)
	ui.GET("/login/mfa", a.handleMFAForm)
	ui.POST("/login/mfa", a.handleMFA, limit)
	ui.GET("/login/mfa/enrol", a.handleEnrolForm)
	ui.GET("/login/mfa/qr.png", a.handleEnrolQR)
	ui.POST("/login/mfa/enrol", a.handleEnrol, limit)
}
