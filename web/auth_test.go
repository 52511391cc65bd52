package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// open routes: no login. Everything else must refuse an anonymous request.
var openRoutes = map[string]bool{
	"GET /login":            true,
	"POST /login":           true,
	"GET /":                 true, // redirects to /login
	"GET /healthz":          true,
	"GET /readyz":           true, // readiness: reasons name checks, never data
	"GET /metrics":          true, // counts only, no personal data; --metrics-token protects it
	"POST /webhooks/markid": true, // HMAC over the body
	"POST /webhooks/vcip":   true, // bearer token
	"GET /static/*":         true,
	// Signing in: no session exists yet. The SSO routes answer 404 without --oidc-issuer; the
	// second-factor pages need the cookie of a sign-in whose password was right
	// (TestSignInStepsNeedTheirCookie).
	"GET /auth/oidc/start":    true,
	"GET /auth/oidc/callback": true,
	"GET /auth/oidc/logout":   true,
	"GET /login/mfa":          true,
	"POST /login/mfa":         true,
	"GET /login/mfa/enrol":    true,
	"POST /login/mfa/enrol":   true,
	"GET /login/mfa/qr.png":   true,
}

// apiRoutes are the read API: a bearer token with the scope, never a session. Anonymous requests
// get a JSON 401, a token without the scope a JSON 403.
var apiRoutes = map[string]string{
	"GET /api/v1/decisions":          store.ScopeDecisionsRead,
	"GET /api/v1/cases/:source/:ref": store.ScopeCasesRead,
}

// routeAccess is the role matrix: which roles may use each protected route.
var routeAccess = map[string][]string{
	"POST /logout":           store.AllRoles,
	"GET /no-role":           store.AllRoles, // a signed-in person with a role is sent home
	"GET /cases":             caseReaders,
	"GET /cases/:id/:action": caseReaders,
	"GET /cases/:id/deliveries/:delivery/raw": caseReaders,
	"GET /cases/:id":                                caseReaders,
	"GET /media/:id":                                caseReaders,
	"POST /cases/claim-next":                        caseDeciders,
	"POST /cases/:id/claim":                         caseDeciders,
	"POST /cases/:id/release":                       caseDeciders,
	"POST /cases/:id/decision":                      caseDeciders,
	"POST /cases/:id/notes":                         caseDeciders,
	"POST /cases/:id/hold":                          caseDeciders,
	"POST /cases/:id/resume":                        caseDeciders,
	"POST /cases/:id/escalate":                      caseDeciders,
	"POST /cases/:id/send-back":                     supervisors,
	"POST /cases/:id/checklist":                     caseDeciders,
	"POST /cases/:id/captures":                      caseDeciders,
	"POST /cases/:id/reveal":                        caseReaders,
	"POST /media/:id/redaction":                     caseDeciders,
	"POST /cases/:id/legal-hold":                    supervisors,
	"POST /cases/:id/legal-holds/:hold/lift":        supervisors,
	"GET /legal-holds":                              legalHolders,
	"POST /legal-holds":                             legalHolders,
	"POST /legal-holds/:hold/lift":                  legalHolders,
	"POST /cases/:id/approve":                       supervisors,
	"POST /cases/:id/return":                        supervisors,
	"POST /cases/:id/reopen":                        supervisors,
	"POST /cases/:id/reassign":                      supervisors,
	"POST /media/:id/retry":                         mediaFixers,
	"GET /admin/users":                              admins,
	"POST /admin/users":                             admins,
	"POST /admin/users/:id":                         admins,
	"POST /admin/grants/:id":                        admins,
	"GET /admin/health":                             admins,
	"GET /admin/settings":                           admins,
	"POST /admin/settings":                          admins,
	"GET /admin/deliveries/:id":                     admins,
	"POST /admin/deliveries/:id/replay":             admins,
	"GET /admin/webhooks":                           admins,
	"POST /admin/webhooks":                          admins,
	"GET /admin/webhooks/:id":                       admins,
	"POST /admin/webhooks/:id/test":                 admins,
	"POST /admin/webhooks/:id/rotate":               admins,
	"POST /admin/webhooks/:id/enable":               admins,
	"POST /admin/webhooks/:id/disable":              admins,
	"POST /admin/webhooks/:id/replay":               admins,
	"POST /admin/webhooks/:id/messages/:msg/replay": admins,
	"GET /admin/tokens":                             admins,
	"POST /admin/tokens":                            admins,
	"POST /admin/tokens/:id/revoke":                 admins,
	"GET /audit":                                    auditReaders,
	"GET /audit/export":                             auditReaders,
	"GET /audit/report":                             auditReaders,
	"GET /cases/:id/evidence":                       evidenceReaders,
	"GET /dashboard":                                dashboardReaders,
	"GET /dashboard/csv":                            dashboardReaders,
	"GET /audit/decisions":                          auditReaders,
	"GET /audit/decisions/export":                   auditReaders,
}

func concrete(path string) string {
	return regexp.MustCompile(`:[a-z]+|\*`).ReplaceAllString(path, "1")
}

// TestRouteTable enumerates every registered route: an anonymous request is refused (302 to the
// login page for pages, 401 for the rest) unless the route is deliberately open; then every role is
// checked against the matrix. A route added without an entry here fails the test.
func TestRouteTable(t *testing.T) {
	ta := newTestApp(t)
	clients := map[string]*client{}
	for _, role := range store.AllRoles {
		clients[role] = ta.loginAs(t, "u-"+role, role)
	}
	noRedirect := func(c *client) *http.Client {
		h := *c.http
		h.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		return &h
	}
	anon := noRedirect(ta.newClient(t))
	seen := map[string]bool{}
	routes := ta.app.Echo().Routes()
	// Logging out would sign the role clients out for the routes after it: check it last.
	sort.SliceStable(routes, func(i, j int) bool { return routes[j].Path == "/logout" && routes[i].Path != "/logout" })
	for _, r := range routes {
		if r.Method == "echo_route_not_found" || strings.HasPrefix(r.Name, "echo_route_not_found") {
			continue
		}
		key := r.Method + " " + r.Path
		if seen[key] {
			continue
		}
		seen[key] = true
		if scope, ok := apiRoutes[key]; ok {
			checkAPIRoute(t, ta, key, scope, clients)
			continue
		}
		allowed, protected := routeAccess[key]
		if !protected && !openRoutes[key] {
			t.Errorf("route %s is in neither the open list nor the role matrix", key)
			continue
		}
		if !protected {
			continue
		}
		path := concrete(r.Path)
		req, _ := http.NewRequest(r.Method, ta.url+path, strings.NewReader(""))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := anon.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		switch {
		case r.Method == http.MethodGet && (resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/login")):
			t.Errorf("anonymous %s = %d (Location %q), want 302 to /login", key, resp.StatusCode, resp.Header.Get("Location"))
		case r.Method != http.MethodGet && resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden:
			t.Errorf("anonymous %s = %d, want 401 or 403", key, resp.StatusCode)
		}
		for _, role := range store.AllRoles {
			c := clients[role]
			var status int
			if r.Method == http.MethodGet {
				status = c.get(path).Status
			} else {
				status = c.postForm(path, url.Values{}).Status
			}
			may := false
			for _, a := range allowed {
				may = may || a == role
			}
			if !may && status != http.StatusForbidden {
				t.Errorf("%s as %s = %d, want 403", key, role, status)
			}
			if may && (status == http.StatusForbidden || status == http.StatusUnauthorized) {
				t.Errorf("%s as %s = %d, want the role to be let through", key, role, status)
			}
		}
	}
	for key := range apiRoutes {
		if !seen[key] {
			t.Errorf("the API list names %s, which is not registered", key)
		}
	}
	for key := range routeAccess {
		if !seen[key] {
			t.Errorf("the role matrix names %s, which is not registered", key)
		}
	}
}

// checkAPIRoute: no credential and a session cookie get a JSON 401 (no login redirect), a token
// without the scope a JSON 403, a token with it is let through.
func checkAPIRoute(t *testing.T, ta *testApp, key, scope string, clients map[string]*client) {
	t.Helper()
	path := concrete(strings.TrimPrefix(key, "GET "))
	if st, _ := ta.apiGet(t, path, "", nil); st != http.StatusUnauthorized {
		t.Errorf("anonymous %s = %d, want 401", key, st)
	}
	for role, c := range clients {
		req, _ := http.NewRequest(http.MethodGet, ta.url+path, nil)
		h := *c.http
		h.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, err := h.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s with a %s session = %d, want 401: sessions are not API credentials", key, role, resp.StatusCode)
		}
	}
	for _, other := range store.APIScopes {
		token, _ := ta.addToken(t, "route-"+other+"-"+scope, other)
		st, _ := ta.apiGet(t, path, token, nil)
		switch {
		case other == scope && (st == http.StatusUnauthorized || st == http.StatusForbidden):
			t.Errorf("%s with scope %s = %d, want it let through", key, other, st)
		case other != scope && st != http.StatusForbidden:
			t.Errorf("%s with scope %s = %d, want 403", key, other, st)
		}
	}
}

func TestCSRFRequiredOnEveryPost(t *testing.T) {
	ta := newTestApp(t)
	pw := ta.addUser(t, "rev", store.RoleReviewer)
	c := ta.newClient(t)
	c.get("/login")
	// A sign-in without the token is refused.
	p := c.postForm("/login", url.Values{"username": {"rev"}, "password": {pw}, "_csrf": {"forged"}})
	if p.Status != http.StatusForbidden {
		t.Errorf("login with a forged CSRF token = %d, want 403", p.Status)
	}
	c = ta.login(t, "rev", pw)
	p = c.postForm("/logout", url.Values{"_csrf": {"forged"}})
	if p.Status != http.StatusForbidden {
		t.Errorf("logout with a forged CSRF token = %d, want 403", p.Status)
	}
	// Still signed in: the forged logout did nothing.
	if p := c.get("/cases"); p.URL.Path != "/cases" {
		t.Errorf("after a refused logout the user landed on %s, want to stay signed in", p.URL.Path)
	}
	// A cross-site browser POST is refused even with a token.
	req, _ := http.NewRequest(http.MethodPost, ta.url+"/logout", strings.NewReader("_csrf="+c.csrf))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if p := c.do(req); p.Status != http.StatusForbidden {
		t.Errorf("cross-site POST = %d, want 403", p.Status)
	}
}

func sessionCookieValue(c *client, base string) string {
	u, _ := url.Parse(base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			return ck.Value
		}
	}
	return ""
}

func TestSessionRenewedAtLoginAndEndedAtLogout(t *testing.T) {
	ta := newTestApp(t)
	pw := ta.addUser(t, "rev", store.RoleReviewer)
	first := ta.login(t, "rev", pw)
	planted := sessionCookieValue(first, ta.url)
	if planted == "" {
		t.Fatal("no session cookie after login")
	}
	// The same browser signs in again (as an attacker who planted a session would hope it does).
	first.get("/login")
	p := first.postForm("/login", url.Values{"username": {"rev"}, "password": {pw}})
	if p.URL.Path != "/cases" {
		t.Fatalf("second login landed on %s", p.URL.Path)
	}
	renewed := sessionCookieValue(first, ta.url)
	if renewed == planted {
		t.Error("the session cookie did not change at login")
	}
	// The old session ID no longer works.
	old := ta.newClient(t)
	u, _ := url.Parse(ta.url)
	old.http.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: planted, Path: "/"}})
	if p := old.get("/cases"); p.URL.Path != "/login" {
		t.Errorf("the pre-login session still opens %s; want it sent to /login", p.URL.Path)
	}
	// Logout ends the session on the server: replaying the cookie afterwards does not work.
	first.get("/cases")
	first.postForm("/logout", nil)
	replay := ta.newClient(t)
	replay.http.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: renewed, Path: "/"}})
	if p := replay.get("/cases"); p.URL.Path != "/login" {
		t.Errorf("a logged-out session cookie still opens %s", p.URL.Path)
	}
}

func TestLoginLockoutAfterFiveFailures(t *testing.T) {
	ta := newTestApp(t)
	pw := ta.addUser(t, "rev", store.RoleReviewer)
	c := ta.newClient(t)
	c.get("/login")
	try := func(user, pass string) *page {
		return c.postForm("/login", url.Values{"username": {user}, "password": {pass}})
	}
	for i := 1; i <= 4; i++ {
		p := try("rev", "wrong-password-123")
		if got := strings.TrimSpace(p.testid("login-error").Text()); got != msgBadLogin {
			t.Fatalf("failure %d message = %q, want %q", i, got, msgBadLogin)
		}
	}
	p := try("rev", "wrong-password-123")
	locked := strings.TrimSpace(p.testid("login-error").Text())
	if !strings.Contains(locked, "locked for 15 minutes") {
		t.Fatalf("5th failure message = %q, want the lockout message", locked)
	}
	// Locked: even the right password is refused, with the same message.
	if p := try("rev", pw); p.URL.Path != "/login" || strings.TrimSpace(p.testid("login-error").Text()) != locked {
		t.Errorf("right password while locked landed on %s with %q", p.URL.Path, p.testid("login-error").Text())
	}
	// An unknown username gets exactly the same answers, so failures do not reveal who exists.
	for i := 1; i <= 4; i++ {
		if got := strings.TrimSpace(try("nobody", "x").testid("login-error").Text()); got != msgBadLogin {
			t.Errorf("unknown user failure %d = %q, want %q", i, got, msgBadLogin)
		}
	}
	if got := strings.TrimSpace(try("nobody", "x").testid("login-error").Text()); got != locked {
		t.Errorf("unknown user 5th failure = %q, want the same lockout message %q", got, locked)
	}
	// After 15 minutes the account opens again.
	ta.clock.Advance(15*time.Minute + time.Second)
	if p := try("rev", pw); p.URL.Path != "/cases" {
		t.Errorf("after the lock expired, login landed on %s, want /cases", p.URL.Path)
	}
}

func TestIdleAndAbsoluteTimeout(t *testing.T) {
	ta := newTestApp(t, withConfig(func(c *Config) { c.SessionIdle = 30 * time.Minute; c.SessionMaxAge = 12 * time.Hour }))
	c := ta.loginAs(t, "rev", store.RoleReviewer)
	ta.clock.Advance(29 * time.Minute)
	if p := c.get("/cases"); p.URL.Path != "/cases" {
		t.Fatalf("after 29 idle minutes landed on %s, want still signed in", p.URL.Path)
	}
	ta.clock.Advance(31 * time.Minute)
	p := c.get("/cases")
	if p.URL.Path != "/login" || p.URL.Query().Get("expired") != "1" {
		t.Errorf("after 31 idle minutes landed on %s, want /login?expired=1", p.URL)
	}
	if got := p.testid("login-error").Text(); !strings.Contains(got, "timed out") {
		t.Errorf("login page says %q, want it to say the session timed out", got)
	}
	// Absolute: active every 20 minutes, still signed out after 12 hours.
	c = ta.loginAs(t, "rev2", store.RoleReviewer)
	for elapsed := time.Duration(0); elapsed < 12*time.Hour; elapsed += 20 * time.Minute {
		ta.clock.Advance(20 * time.Minute)
		c.get("/cases")
	}
	ta.clock.Advance(time.Minute)
	if p := c.get("/cases"); p.URL.Path != "/login" {
		t.Errorf("after 12 active hours landed on %s, want /login", p.URL.Path)
	}
}

func TestSecurityHeadersAndCookieFlags(t *testing.T) {
	ta := newTestApp(t)
	pw := ta.addUser(t, "rev", store.RoleReviewer)
	c := ta.newClient(t)
	c.get("/login")
	form := url.Values{"username": {"rev"}, "password": {pw}, "_csrf": {c.csrf}}
	req, _ := http.NewRequest(http.MethodPost, ta.url+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h := *c.http
	h.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := h.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie = %+v, want HttpOnly and SameSite=Lax", cookie)
	}
	if cookie != nil && cookie.Secure {
		t.Error("session cookie is Secure on plain http; want Secure only for https")
	}
	page, err := http.Get(ta.url + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	csp := page.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Cache-Control": "no-store"} {
		if got := page.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	secure := newTestApp(t, withConfig(func(c *Config) { c.BaseURL = "https://kyc.bank.example" }))
	if !secure.app.cfg.secureCookies() {
		t.Error("an https base URL does not mark cookies Secure")
	}
}

func TestDisabledUserIsSignedOut(t *testing.T) {
	ta := newTestApp(t)
	c := ta.loginAs(t, "rev", store.RoleReviewer)
	off := true
	if err := ta.db.UpdateUser(t.Context(), store.SystemActor, ta.userID(t, "rev"), store.UserChange{Disabled: &off}); err != nil {
		t.Fatal(err)
	}
	if p := c.get("/cases"); p.URL.Path != "/login" {
		t.Errorf("a disabled user's session still opens %s", p.URL.Path)
	}
}

func TestUnknownAddressIsNotFound(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	for _, path := range []string{"/nope", "/cases/1/2/3", "/admin-ish"} {
		if p := rev.get(path); p.Status != http.StatusNotFound {
			t.Errorf("GET %s as a reviewer = %d, want 404", path, p.Status)
		}
	}
	ta.postMarkID(t, webtest.MarkID{ScanRef: "reload-1", Overall: "SUSPECTED"}.Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "reload-1")
	// Reloading the address a decision form posted to shows the case again.
	if p := rev.get(fmt.Sprintf("/cases/%d/decision", id)); p.URL.Path != fmt.Sprintf("/cases/%d", id) || p.Status != http.StatusOK {
		t.Errorf("GET /cases/%d/decision ended at %s (%d), want the case page", id, p.URL.Path, p.Status)
	}
}
