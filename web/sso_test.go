package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/testidp"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// withSSO configures the app as the provider's relying party and registers it there.
func withSSO(idp *testidp.Provider) testAppOption {
	return func(s *testAppSetup) {
		s.cfg.OIDC = OIDCConfig{Issuer: idp.Issuer, ClientID: testidp.ClientID, ClientSecret: testidp.ClientSecret,
			RedirectURL: s.url + "/auth/oidc/callback", Name: "Bank ID"}
		idp.RegisterClient(s.url+"/auth/oidc/callback", s.url+"/login")
	}
}

// newSSOApp starts a provider and the app signed up to it.
func newSSOApp(t *testing.T, opts ...testAppOption) (*testApp, *testidp.Provider) {
	t.Helper()
	idp := testidp.Start(t, "")
	return newTestApp(t, append([]testAppOption{withSSO(idp)}, opts...)...), idp
}

// atProviderLogin starts an SSO sign-in and returns the provider's login form it lands on.
func atProviderLogin(t testing.TB, c *client) *page {
	t.Helper()
	p := c.get("/auth/oidc/start")
	if p.find(`input[name="id"]`).Length() != 1 || p.find(`input[name="password"]`).Length() != 1 {
		t.Fatalf("/auth/oidc/start ended at %s (status %d), not at the provider's login form: %.300s", p.URL, p.Status, p.Body)
	}
	return p
}

// submitProviderLogin fills the provider's own login form and follows the redirects back.
func submitProviderLogin(t testing.TB, c *client, form *page, username, password string) *page {
	t.Helper()
	id, _ := form.find(`input[name="id"]`).Attr("value")
	action := *form.URL
	action.Path, action.RawQuery = "/login/username", ""
	body := url.Values{"id": {id}, "username": {username}, "password": {password}}
	req, err := http.NewRequest(http.MethodPost, action.String(), strings.NewReader(body.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// ssoLogin signs username in at the provider from browser c and returns the page it ends on.
func ssoLogin(t testing.TB, c *client, username, password string) *page {
	t.Helper()
	return submitProviderLogin(t, c, atProviderLogin(t, c), username, password)
}

// callbackURL runs a sign-in up to the provider's redirect back to us, and returns that address
// without following it.
func callbackURL(t *testing.T, c *client, username, password string) string {
	t.Helper()
	form := atProviderLogin(t, c)
	var back string
	c.http.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == "/auth/oidc/callback" {
			back = req.URL.String()
			return http.ErrUseLastResponse
		}
		return nil
	}
	defer func() { c.http.CheckRedirect = nil }()
	submitProviderLogin(t, c, form, username, password)
	if back == "" {
		t.Fatal("the provider did not redirect back to /auth/oidc/callback")
	}
	return back
}

// getURL loads an absolute URL in browser c.
func (c *client) getURL(u string) *page {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// auditEntry is an audit row with its details decoded.
type auditEntry struct {
	store.AuditEntry
	Details map[string]any
}

// auditOf returns the entries of an action, newest first.
func auditOf(t *testing.T, ta *testApp, action string) []auditEntry {
	t.Helper()
	es, _, err := ta.db.ListAudit(context.Background(), store.AuditFilter{Action: action}, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]auditEntry, len(es))
	for i, e := range es {
		out[i].AuditEntry = e
		if err := json.Unmarshal([]byte(e.DetailsJSON), &out[i].Details); err != nil {
			t.Fatalf("audit %d details %q: %v", e.ID, e.DetailsJSON, err)
		}
	}
	return out
}

func loginError(p *page) string { return strings.TrimSpace(p.testid("login-error").Text()) }

// TestSSOCodeFlowWithPKCE signs in through the provider's own login form: the authorization
// request carries S256 PKCE, a state and a nonce; the account is created from the claims, keyed
// by (issuer, subject); the sign-in is audited with issuer, subject and groups.
func TestSSOCodeFlowWithPKCE(t *testing.T) {
	ta, idp := newSSOApp(t)
	idp.AddUser("alice", "alice-pw", "Alice Fernandes", "kyc-reviewers", "staff")

	// The login page offers the provider first.
	c := ta.newClient(t)
	lp := c.get("/login")
	if got := strings.TrimSpace(lp.testid("sso-start").Text()); got != "Sign in with Bank ID" {
		t.Errorf("login page SSO button = %q", got)
	}

	// The authorization request, as sent to the provider.
	first := *c.http
	first.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := first.Get(ta.url + "/auth/oidc/start")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), idp.Issuer) {
		t.Fatalf("start redirected to %q, want the provider %s", resp.Header.Get("Location"), idp.Issuer)
	}
	q := loc.Query()
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || q.Get("response_type") != "code" ||
		q.Get("state") == "" || q.Get("nonce") == "" || q.Get("client_id") != testidp.ClientID ||
		q.Get("redirect_uri") != ta.url+"/auth/oidc/callback" || !strings.Contains(q.Get("scope"), "groups") {
		t.Errorf("authorization request %v lacks PKCE S256, state, nonce, our client or the groups scope", q)
	}

	p := ssoLogin(t, c, "alice", "alice-pw")
	if p.URL.Path != "/cases" || strings.TrimSpace(p.testid("nav-user").Text()) != "alice" {
		t.Fatalf("after SSO sign-in: %s, nav user %q, error %q", p.URL, p.testid("nav-user").Text(), loginError(p))
	}
	u, err := ta.db.UserByUsername(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(u.Roles, []string{store.RoleReviewer}) || u.DisplayName != "Alice Fernandes" {
		t.Errorf("created user: roles %v, name %q", u.Roles, u.DisplayName)
	}
	ids, err := ta.db.Identities(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if id := ids[u.ID]; id.Issuer != idp.Issuer || id.Subject != "sub-alice" {
		t.Errorf("identity = %+v, want (%s, sub-alice)", id, idp.Issuer)
	}
	var signIn *auditEntry
	for _, e := range auditOf(t, ta, "login.success") {
		if e.Actor == "alice" {
			signIn = &e
		}
	}
	if signIn == nil || signIn.Details["method"] != "oidc" || signIn.Details["issuer"] != idp.Issuer ||
		signIn.Details["subject"] != "sub-alice" || len(signIn.Details["groups"].([]any)) != 2 {
		t.Errorf("sign-in audit = %+v", signIn)
	}

	// An SSO account has no password here.
	other := ta.newClient(t)
	other.get("/login")
	if p := other.postForm("/login", url.Values{"username": {"alice"}, "password": {"alice-pw"}}); loginError(p) != msgBadLogin {
		t.Errorf("password sign-in of an SSO account: %q", loginError(p))
	}

	// The same person again is the same account, not a second one.
	ssoLogin(t, ta.newClient(t), "alice", "alice-pw")
	if n, _ := ta.db.CountUsers(context.Background()); n != 1 {
		t.Errorf("%d accounts after two sign-ins of one person, want 1", n)
	}
}

// TestSSOCodeNeedsItsVerifier swaps the codes of two sign-ins of one browser: the provider
// refuses a code exchanged with another request's PKCE verifier, and no session results.
func TestSSOCodeNeedsItsVerifier(t *testing.T) {
	ta, idp := newSSOApp(t)
	idp.AddUser("alice", "alice-pw", "Alice", "kyc-reviewers")
	c := ta.newClient(t)
	a, _ := url.Parse(callbackURL(t, c, "alice", "alice-pw"))
	b, _ := url.Parse(callbackURL(t, c, "alice", "alice-pw"))
	qa, qb := a.Query(), b.Query()
	qa.Set("code", qb.Get("code"))
	a.RawQuery = qa.Encode()
	p := c.getURL(a.String())
	if p.Status != http.StatusBadGateway || p.testid("nav-user").Length() != 0 {
		t.Errorf("swapped code: status %d, error %q", p.Status, loginError(p))
	}
}

// TestSSORolesFollowGroups maps groups to roles at every sign-in: a new group adds its role, a
// removed one takes it away, and someone with no mapped group is refused with a sentence saying
// whom to ask, gets no account, and loses the sessions and roles of the one they had.
func TestSSORolesFollowGroups(t *testing.T) {
	ta, idp := newSSOApp(t)
	idp.AddUser("bob", "bob-pw", "Bob", "kyc-supervisors", "kyc-auditors", "canteen")
	ctx := context.Background()

	c := ta.newClient(t)
	ssoLogin(t, c, "bob", "bob-pw")
	u, _ := ta.db.UserByUsername(ctx, "bob")
	if want := []string{store.RoleSupervisor, store.RoleAuditor}; !slices.Equal(u.Roles, want) {
		t.Errorf("roles = %v, want %v", u.Roles, want)
	}

	idp.SetGroups("bob", "kyc-reviewers")
	ssoLogin(t, ta.newClient(t), "bob", "bob-pw")
	u, _ = ta.db.UserByUsername(ctx, "bob")
	if want := []string{store.RoleReviewer}; !slices.Equal(u.Roles, want) {
		t.Errorf("after the group change: roles = %v, want %v", u.Roles, want)
	}

	var change *auditEntry
	for _, e := range auditOf(t, ta, "user.update") {
		if e.TargetID == "bob" && e.Details["source"] == "sso" {
			change = &e
			break
		}
	}
	if change == nil || len(change.Details["roles_before"].([]any)) != 2 || change.Details["roles"].([]any)[0] != "reviewer" ||
		change.Details["subject"] != "sub-bob" {
		t.Errorf("role change audit = %+v", change)
	}

	idp.SetGroups("bob", "canteen")
	p := ssoLogin(t, ta.newClient(t), "bob", "bob-pw")
	if p.Status != http.StatusForbidden || !strings.Contains(loginError(p), "none of the groups") || !strings.Contains(loginError(p), "Ask your manager or IT service desk") {
		t.Errorf("no mapped group: status %d, %q", p.Status, loginError(p))
	}
	u, _ = ta.db.UserByUsername(ctx, "bob")
	if len(u.Roles) != 0 {
		t.Errorf("after losing every group: roles = %v, want none", u.Roles)
	}
	if p := c.get("/cases"); p.URL.Path != "/login" {
		t.Errorf("bob's earlier session still opens %s", p.URL.Path)
	}

	// A newcomer with no mapped group gets no account at all.
	idp.AddUser("carol", "carol-pw", "Carol", "canteen")
	if p := ssoLogin(t, ta.newClient(t), "carol", "carol-pw"); p.Status != http.StatusForbidden {
		t.Errorf("carol without a group: status %d", p.Status)
	}
	if _, err := ta.db.UserByUsername(ctx, "carol"); err == nil {
		t.Error("carol got an account without a role")
	}
	refusals := auditOf(t, ta, "login.sso_refused")
	var carol *auditEntry
	for _, e := range refusals {
		if e.TargetID == "carol" {
			carol = &e
		}
	}
	if carol == nil || carol.Details["subject"] != "sub-carol" || carol.Details["issuer"] != idp.Issuer ||
		len(carol.Details["groups"].([]any)) != 1 || carol.Details["reason"] != store.ErrNoRole.Error() {
		t.Errorf("carol's refusal audit = %+v", carol)
	}
}

// TestSSOStateChecks: a tampered state, a replayed one, one from another browser and one older
// than 10 minutes are all refused; none signs anyone in.
func TestSSOStateChecks(t *testing.T) {
	ta, idp := newSSOApp(t)
	idp.AddUser("alice", "alice-pw", "Alice", "kyc-reviewers")
	c := ta.newClient(t)
	back := callbackURL(t, c, "alice", "alice-pw")

	u, _ := url.Parse(back)
	q := u.Query()
	q.Set("state", q.Get("state")+"x")
	u.RawQuery = q.Encode()
	if p := c.getURL(u.String()); p.Status != http.StatusBadRequest || loginError(p) != msgSSOStale {
		t.Errorf("tampered state: %d %q", p.Status, loginError(p))
	}
	if p := c.getURL(back); p.URL.Path != "/cases" {
		t.Fatalf("the real callback after a tampered one: %s %q", p.URL, loginError(p))
	}
	c2 := ta.newClient(t)
	if p := c2.getURL(back); p.Status != http.StatusBadRequest || loginError(p) != msgSSOStale {
		t.Errorf("replayed state: %d %q", p.Status, loginError(p))
	}

	// Another browser cannot finish a sign-in started elsewhere (login CSRF).
	victim := ta.newClient(t)
	stolen := callbackURL(t, ta.newClient(t), "alice", "alice-pw")
	if p := victim.getURL(stolen); p.Status != http.StatusBadRequest || loginError(p) != msgSSOBrowser || p.testid("nav-user").Length() != 0 {
		t.Errorf("state from another browser: %d %q", p.Status, loginError(p))
	}

	// Ten minutes is the limit.
	slow := ta.newClient(t)
	late := callbackURL(t, slow, "alice", "alice-pw")
	ta.clock.Advance(ssoFlowTTL + time.Second)
	if p := slow.getURL(late); p.Status != http.StatusBadRequest || loginError(p) != msgSSOStale {
		t.Errorf("state after 10 minutes: %d %q", p.Status, loginError(p))
	}
}

// TestSSOTokenChecks has the real provider issue ID tokens that must be refused: another
// nonce, another audience, already expired, signed by a key outside its JWKS. Then the provider
// rotates its key and sign-in goes on working.
func TestSSOTokenChecks(t *testing.T) {
	ta, idp := newSSOApp(t)
	idp.AddUser("alice", "alice-pw", "Alice", "kyc-reviewers")
	refused := func(name, reason string) {
		t.Helper()
		p := ssoLogin(t, ta.newClient(t), "alice", "alice-pw")
		if p.Status != http.StatusUnauthorized || p.testid("nav-user").Length() != 0 || !strings.Contains(loginError(p), "could not complete your sign-in") {
			t.Errorf("%s: status %d at %s, error %q", name, p.Status, p.URL.Path, loginError(p))
		}
		es := auditOf(t, ta, "login.sso_refused")
		if len(es) == 0 || !strings.Contains(es[0].Details["reason"].(string), reason) {
			t.Errorf("%s: last refusal audit %+v, want reason with %q", name, es, reason)
		}
	}
	accepted := func(name string) {
		t.Helper()
		if p := ssoLogin(t, ta.newClient(t), "alice", "alice-pw"); p.URL.Path != "/cases" {
			t.Fatalf("%s: sign-in ended at %s: %q", name, p.URL, loginError(p))
		}
	}
	accepted("before")

	idp.SetNonce("not-the-nonce-we-sent")
	refused("wrong nonce", "nonce mismatch")
	idp.SetNonce("")

	idp.SetAudience("another-application")
	refused("wrong audience", "audience")
	idp.SetAudience()

	idp.SetTokenLifetime(-time.Minute)
	refused("expired token", "expired")
	idp.SetTokenLifetime(0)

	idp.RotateKey(t)
	accepted("after key rotation")

	idp.SignWithUnpublishedKey(t)
	refused("key outside the JWKS", "signature")
}

// TestSSOIssuerDownAtStart starts the app while the issuer is unreachable: it starts, local
// sign-in works, SSO says it is unavailable; once the issuer is up, SSO works without a restart.
func TestSSOIssuerDownAtStart(t *testing.T) {
	addr := webtest.UnusedAddr(t) // nothing listens there now
	issuer := "http://" + addr + "/"
	ta := newTestApp(t, func(s *testAppSetup) {
		s.cfg.OIDC = OIDCConfig{Issuer: issuer, ClientID: testidp.ClientID, ClientSecret: testidp.ClientSecret,
			RedirectURL: s.url + "/auth/oidc/callback", Name: "Bank ID"}
	})
	admin := ta.loginAs(t, "root", store.RoleAdmin) // local sign-in (admins may, by default with SSO)
	if p := admin.get("/admin/users"); p.Status != http.StatusOK {
		t.Fatalf("local admin: %d", p.Status)
	}
	c := ta.newClient(t)
	if p := c.get("/auth/oidc/start"); p.Status != http.StatusServiceUnavailable || !strings.Contains(loginError(p), "cannot reach the identity provider") {
		t.Errorf("SSO with the issuer down: %d %q", p.Status, loginError(p))
	}

	idp := testidp.Start(t, addr)
	idp.RegisterClient(ta.url+"/auth/oidc/callback", ta.url+"/login")
	idp.AddUser("alice", "alice-pw", "Alice", "kyc-reviewers")
	ta.clock.Advance(ssoRetryEvery + time.Second)
	if p := ssoLogin(t, c, "alice", "alice-pw"); p.URL.Path != "/cases" {
		t.Errorf("SSO once the issuer is up: %s %q", p.URL, loginError(p))
	}
}

// TestLocalLoginPolicy: with SSO the password form is for admins (a reviewer's right password
// is refused with a sentence pointing at the provider); --local-login off hides the form and
// refuses every password.
func TestLocalLoginPolicy(t *testing.T) {
	ta, _ := newSSOApp(t)
	pw := ta.addUser(t, "rita", store.RoleReviewer)
	c := ta.newClient(t)
	lp := c.get("/login")
	if lp.testid("login-form").Length() != 1 || !strings.Contains(lp.Body, "for admins") {
		t.Errorf("login page with --local-login admins should show the form for admins")
	}
	p := c.postForm("/login", url.Values{"username": {"rita"}, "password": {pw}})
	if p.URL.Path != "/login" || !strings.Contains(loginError(p), "for admins only") || !strings.Contains(loginError(p), "Sign in with Bank ID") {
		t.Errorf("reviewer's password with --local-login admins: %s %q", p.URL.Path, loginError(p))
	}
	ta.loginAs(t, "root", store.RoleAdmin) // admins still may

	off, _ := newSSOApp(t, withConfig(func(c *Config) { c.LocalLogin = LocalLoginOff }))
	apw := off.addUser(t, "root", store.RoleAdmin)
	c = off.newClient(t)
	lp = c.get("/login")
	if lp.testid("login-form").Length() != 0 || lp.testid("sso-start").Length() != 1 {
		t.Errorf("--local-login off: form %d, SSO button %d", lp.testid("login-form").Length(), lp.testid("sso-start").Length())
	}
	if p := c.postForm("/login", url.Values{"username": {"root"}, "password": {apw}}); p.Status != http.StatusForbidden {
		t.Errorf("--local-login off: password sign-in = %d, want 403", p.Status)
	}
}

// TestSSODisabledLocally: an admin disables an SSO user; their session ends and the provider's
// word no longer gets them in.
func TestSSODisabledLocally(t *testing.T) {
	ta, idp := newSSOApp(t)
	idp.AddUser("alice", "alice-pw", "Alice", "kyc-reviewers")
	alice := ta.newClient(t)
	ssoLogin(t, alice, "alice", "alice-pw")
	admin := ta.loginAs(t, "root", store.RoleAdmin)
	users := admin.get("/admin/users")
	row := users.find(`[data-testid="user-row"][data-username="alice"]`)
	if strings.TrimSpace(row.Find(`[data-testid="user-signin"]`).Text()) != "SSO" || row.Find(`[data-testid="user-reset"]`).Length() != 0 {
		t.Errorf("users page row of an SSO user: sign-in %q, reset buttons %d", row.Find(`[data-testid="user-signin"]`).Text(), row.Find(`[data-testid="user-reset"]`).Length())
	}
	id := ta.userID(t, "alice")
	if p := admin.postForm("/admin/users/"+strconv.FormatInt(id, 10), url.Values{"op": {"disable"}}); p.Status != http.StatusOK {
		t.Fatalf("disable: %d", p.Status)
	}
	if p := alice.get("/cases"); p.URL.Path != "/login" {
		t.Errorf("disabled SSO user's session still opens %s", p.URL.Path)
	}
	p := ssoLogin(t, alice, "alice", "alice-pw")
	if p.Status != http.StatusForbidden || !strings.Contains(loginError(p), "disabled") {
		t.Errorf("disabled SSO user signing in: %d %q", p.Status, loginError(p))
	}
}

// TestSSOLogoutOffersProviderLogout: logging out of an SSO session ends ours and offers the
// provider's end-session endpoint, which returns to our sign-in page.
func TestSSOLogoutOffersProviderLogout(t *testing.T) {
	ta, idp := newSSOApp(t)
	idp.AddUser("alice", "alice-pw", "Alice", "kyc-reviewers")
	c := ta.newClient(t)
	ssoLogin(t, c, "alice", "alice-pw")
	p := c.postForm("/logout", nil)
	if p.URL.Path != "/login" || p.testid("sso-logout").Length() != 1 {
		t.Fatalf("after logout: %s, offer %d", p.URL, p.testid("sso-logout").Length())
	}
	if p := c.get("/cases"); p.URL.Path != "/login" {
		t.Errorf("our session survived logout")
	}
	noFollow := *c.http
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noFollow.Get(ta.url + "/auth/oidc/logout")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc == nil || !strings.HasPrefix(loc.String(), idp.Issuer) || loc.Query().Get("client_id") != testidp.ClientID ||
		loc.Query().Get("post_logout_redirect_uri") != ta.url+"/login" {
		t.Fatalf("provider logout redirect = %q", resp.Header.Get("Location"))
	}
	if p := c.get("/auth/oidc/logout"); p.URL.String() != ta.url+"/login" {
		t.Errorf("the provider's end-session returned to %s, want our sign-in page", p.URL)
	}
}

// TestSSOOffWithoutIssuer: the SSO routes answer 404 when OIDC is not configured, and the
// sign-in page has no provider button.
func TestSSOOffWithoutIssuer(t *testing.T) {
	ta := newTestApp(t)
	c := ta.newClient(t)
	for _, path := range []string{"/auth/oidc/start", "/auth/oidc/callback?state=x&code=y", "/auth/oidc/logout"} {
		if p := c.get(path); p.Status != http.StatusNotFound {
			t.Errorf("GET %s without OIDC = %d, want 404", path, p.Status)
		}
	}
	if c.get("/login").testid("sso-start").Length() != 0 {
		t.Error("the sign-in page offers SSO without an issuer")
	}
}

// TestAuthConfigRefused: settings that cannot work stop the start with the flag to fix.
func TestAuthConfigRefused(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{LocalLogin: LocalLoginOff}, "--local-login off"},
		{Config{RequireMFA: "sometimes"}, "--require-mfa"},
		{Config{OIDC: OIDCConfig{Issuer: "http://127.0.0.1:1/"}}, "--oidc-client-id"},
		{Config{OIDC: OIDCConfig{Issuer: "http://127.0.0.1:1/", ClientID: "x"}}, "--oidc-redirect-url"},
		{Config{OIDC: OIDCConfig{Issuer: "ldap://x", ClientID: "x", RedirectURL: "http://a/auth/oidc/callback"}}, "--oidc-issuer"},
	} {
		err := tc.cfg.withDefaults().checkAuth()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want an error naming %s", tc.cfg, err, tc.want)
		}
	}
	if _, err := ParseRoleMap("kyc-reviewers=reviewer,bosses=boss"); err == nil {
		t.Error("ParseRoleMap accepted an unknown role")
	}
	m, err := ParseRoleMap(DefaultOIDCRoleMap + ",kyc-leads=supervisor,kyc-leads=reviewer")
	if err != nil || !slices.Equal(m["kyc-leads"], []string{"supervisor", "reviewer"}) || !slices.Equal(m["kyc-admins"], []string{"admin"}) {
		t.Errorf("ParseRoleMap = %v, %v", m, err)
	}
}

// TestClaimPaths reads groups from nested claims (Keycloak's realm_access.roles) and from a
// single string.
func TestClaimPaths(t *testing.T) {
	claims := map[string]any{"realm_access": map[string]any{"roles": []any{"kyc-admins", 7, "x"}}, "grp": "kyc-reviewers"}
	if got := claimStrings(claims, "realm_access.roles"); !slices.Equal(got, []string{"kyc-admins", "x"}) {
		t.Errorf("realm_access.roles = %v", got)
	}
	if got := claimStrings(claims, "grp"); !slices.Equal(got, []string{"kyc-reviewers"}) {
		t.Errorf("grp = %v", got)
	}
	if got := claimStrings(claims, "missing.path"); got != nil {
		t.Errorf("missing = %v", got)
	}
}

// TestSSONeverLinksByName: a provider user whose name matches a local account gets an account of
// their own; the local one is not taken over.
func TestSSONeverLinksByName(t *testing.T) {
	ta, idp := newSSOApp(t)
	pw := ta.addUser(t, "alice", store.RoleAdmin)
	idp.AddUser("alice", "alice-at-idp", "Alice Impostor", "kyc-reviewers")
	c := ta.newClient(t)
	if p := ssoLogin(t, c, "alice", "alice-at-idp"); strings.TrimSpace(p.testid("nav-user").Text()) != "alice-2" {
		t.Fatalf("SSO alice signed in as %q at %s", p.testid("nav-user").Text(), p.URL)
	}
	if p := c.get("/admin/users"); p.Status != http.StatusForbidden {
		t.Errorf("the SSO newcomer reached the local admin's page: %d", p.Status)
	}
	local, err := ta.db.UserByUsername(context.Background(), "alice")
	if err != nil || !slices.Equal(local.Roles, []string{store.RoleAdmin}) {
		t.Errorf("local alice = %+v, %v", local, err)
	}
	ta.login(t, "alice", pw) // the local account still signs in with its password
}
