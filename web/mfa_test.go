package web

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/pquerna/otp/totp"

	"github.com/kycdesk/kycdesk/store"
)

// withMFA sets --require-mfa.
func withMFA(policy string) testAppOption {
	return withConfig(func(c *Config) { c.RequireMFA = policy })
}

// passwordStep submits the password form and returns where it leads.
func passwordStep(t testing.TB, ta *testApp, c *client, username, password string) *page {
	t.Helper()
	c.get("/login")
	return c.postForm("/login", url.Values{"username": {username}, "password": {password}})
}

// secretOnPage reads the authenticator key shown during enrolment.
func secretOnPage(t testing.TB, p *page) string {
	t.Helper()
	s := strings.ReplaceAll(strings.TrimSpace(p.testid("mfa-secret").Text()), " ", "")
	if len(s) < 16 {
		t.Fatalf("no authenticator key on %s: %q", p.URL, s)
	}
	return s
}

// codeAt is what an authenticator app shows at the app's time plus d.
func codeAt(t testing.TB, ta *testApp, secret string, d time.Duration) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, ta.clock.Now().Add(d), totpOpts)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enrol takes a covered user from the password to a session, returning the key and recovery codes.
func enrol(t testing.TB, ta *testApp, c *client, username, password string) (string, []string) {
	t.Helper()
	p := passwordStep(t, ta, c, username, password)
	if p.URL.Path != "/login/mfa/enrol" {
		t.Fatalf("password of a covered user led to %s, want the enrolment page", p.URL)
	}
	secret := secretOnPage(t, p)
	p = c.postForm("/login/mfa/enrol", url.Values{"code": {codeAt(t, ta, secret, 0)}})
	var codes []string
	p.testid("recovery-code").Each(func(_ int, s *goquery.Selection) { codes = append(codes, strings.TrimSpace(s.Text())) })
	if len(codes) != recoveryCodeCount {
		t.Fatalf("after enrolment: %d recovery codes at %s (%q)", len(codes), p.URL, loginError(p))
	}
	return secret, codes
}

// TestTOTPEnrolUseReuseRecoveryReset walks an admin through the whole life of the factor: made
// to enrol before any page, QR and key shown, first code turns it on with ten recovery codes;
// later sign-ins need a code, a code already used in its window is refused, a recovery code
// works once; another admin's reset is audited, signs them out and makes them enrol again.
func TestTOTPEnrolUseReuseRecoveryReset(t *testing.T) {
	ta := newTestApp(t, withMFA(MFAAdmins))
	pw := ta.addUser(t, "root", store.RoleAdmin)
	c := ta.newClient(t)
	ctx := context.Background()

	p := passwordStep(t, ta, c, "root", pw)
	if p.URL.Path != "/login/mfa/enrol" || p.testid("mfa-qr").Length() != 1 {
		t.Fatalf("admin's password led to %s", p.URL)
	}
	secret := secretOnPage(t, p)
	for _, path := range []string{"/admin/users", "/audit", "/"} {
		if got := c.get(path); got.URL.Path != "/login" && got.URL.Path != "/login/mfa/enrol" {
			t.Errorf("before enrolling, %s showed %s", path, got.URL.Path)
		}
	}
	// The QR code is a PNG served from our own route.
	resp, err := c.http.Get(ta.url + "/login/mfa/qr.png")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	img, err := png.Decode(bytes.NewReader(body))
	if resp.Header.Get("Content-Type") != "image/png" || err != nil || img.Bounds().Dx() < 200 {
		t.Errorf("QR code: %s, %v", resp.Header.Get("Content-Type"), err)
	}
	// Reloading keeps the same key (the QR code already scanned stays good).
	if again := secretOnPage(t, c.get("/login/mfa/enrol")); again != secret {
		t.Errorf("reload changed the key")
	}
	// A wrong first code is refused and counted.
	if p := c.postForm("/login/mfa/enrol", url.Values{"code": {"000000"}}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(loginError(p), "does not match") {
		t.Errorf("wrong first code: %d %q", p.Status, loginError(p))
	}
	if u, _ := ta.db.UserByUsername(ctx, "root"); u.FailedLogins != 1 {
		t.Errorf("failed logins after a wrong code = %d, want 1", u.FailedLogins)
	}
	first := codeAt(t, ta, secret, 0)
	p = c.postForm("/login/mfa/enrol", url.Values{"code": {first}})
	if p.testid("recovery-code").Length() != recoveryCodeCount {
		t.Fatalf("enrolment: %q", loginError(p))
	}
	var codes []string
	p.testid("recovery-code").Each(func(_ int, s *goquery.Selection) { codes = append(codes, strings.TrimSpace(s.Text())) })
	if p := c.get("/admin/users"); p.Status != http.StatusOK {
		t.Fatalf("after enrolling: /admin/users = %d", p.Status)
	}
	if es := auditOf(t, ta, "user.mfa_enrol"); len(es) != 1 || es[0].TargetID != "root" {
		t.Errorf("enrolment audit = %+v", es)
	}
	c.postForm("/logout", nil)

	// The code that enrolled is spent for its window.
	c = ta.newClient(t)
	if p := passwordStep(t, ta, c, "root", pw); p.URL.Path != "/login/mfa" {
		t.Fatalf("enrolled admin's password led to %s", p.URL)
	}
	if p := c.postForm("/login/mfa", url.Values{"code": {first}}); p.Status != http.StatusUnauthorized || !strings.Contains(loginError(p), "already used") {
		t.Errorf("reused code: %d %q", p.Status, loginError(p))
	}
	ta.clock.Advance(30 * time.Second)
	next := codeAt(t, ta, secret, 0)
	if p := c.postForm("/login/mfa", url.Values{"code": {next}}); p.URL.Path != "/admin/users" {
		t.Fatalf("fresh code: %s %q", p.URL, loginError(p))
	}
	c.postForm("/logout", nil)
	// ...and that code too, a second time in the same window, from another browser.
	c = ta.newClient(t)
	passwordStep(t, ta, c, "root", pw)
	if p := c.postForm("/login/mfa", url.Values{"code": {next}}); p.Status != http.StatusUnauthorized {
		t.Errorf("second use of a code in its window: %d", p.Status)
	}

	// A recovery code instead of a code, typed in capitals: once only.
	rc := strings.ToUpper(codes[3])
	if p := c.postForm("/login/mfa", url.Values{"code": {rc}}); p.URL.Path != "/admin/users" {
		t.Fatalf("recovery code: %s %q", p.URL, loginError(p))
	}
	if es := auditOf(t, ta, "user.recovery_code"); len(es) != 1 || es[0].Details["remaining"] != float64(recoveryCodeCount-1) {
		t.Errorf("recovery code audit = %+v", es)
	}
	c.postForm("/logout", nil)
	c = ta.newClient(t)
	passwordStep(t, ta, c, "root", pw)
	if p := c.postForm("/login/mfa", url.Values{"code": {rc}}); p.Status != http.StatusUnauthorized {
		t.Errorf("a recovery code used twice: %d", p.Status)
	}
	c.postForm("/login/mfa", url.Values{"code": {codes[5]}})

	// Another admin resets the factor: audited, root is signed out and enrols again.
	other := ta.newClient(t)
	enrol(t, ta, other, "second", ta.addUser(t, "second", store.RoleAdmin))
	users := other.get("/admin/users")
	row := users.find(`[data-testid="user-row"][data-username="root"]`)
	if row.Find(`[data-testid="user-mfa-reset"]`).Length() != 1 || !strings.Contains(row.Find(`[data-testid="user-signin"]`).Text(), "app") {
		t.Fatalf("users page offers no second-factor reset for root")
	}
	id := ta.userID(t, "root")
	if p := other.postForm("/admin/users/"+strconv.FormatInt(id, 10), url.Values{"op": {"mfa-reset"}}); p.testid("flash").Length() != 1 {
		t.Errorf("reset: %d %q", p.Status, p.testid("page-error").Text())
	}
	if es := auditOf(t, ta, "user.mfa_reset"); len(es) != 1 || es[0].Actor != "second" || es[0].TargetID != "root" || es[0].Details["had_factor"] != true {
		t.Errorf("reset audit = %+v", es)
	}
	if p := c.get("/admin/users"); p.URL.Path != "/login" {
		t.Errorf("root's session survived the reset: %s", p.URL.Path)
	}
	if p := passwordStep(t, ta, ta.newClient(t), "root", pw); p.URL.Path != "/login/mfa/enrol" || secretOnPage(t, p) == secret {
		t.Errorf("after the reset root goes to %s with the old key", p.URL.Path)
	}
	// Nobody resets their own.
	if p := other.postForm("/admin/users/"+strconv.FormatInt(ta.userID(t, "second"), 10), url.Values{"op": {"mfa-reset"}}); p.Status != http.StatusConflict {
		t.Errorf("self reset: %d", p.Status)
	}
}

// TestTOTPFailuresLockTheAccount: wrong codes count toward the same lockout as wrong passwords.
func TestTOTPFailuresLockTheAccount(t *testing.T) {
	ta := newTestApp(t, withMFA(MFAAll))
	pw := ta.addUser(t, "rita", store.RoleReviewer)
	secret, _ := enrol(t, ta, ta.newClient(t), "rita", pw)
	c := ta.newClient(t)
	passwordStep(t, ta, c, "rita", pw)
	var p *page
	for i := 0; i < 5; i++ {
		p = c.postForm("/login/mfa", url.Values{"code": {"123456"}})
	}
	if !strings.Contains(loginError(p), "locked") {
		t.Fatalf("fifth wrong code: %q", loginError(p))
	}
	// Locked: the password and a right code do not get in.
	c = ta.newClient(t)
	if p := passwordStep(t, ta, c, "rita", pw); !strings.Contains(loginError(p), "locked") {
		t.Errorf("password on the locked account: %s %q", p.URL.Path, loginError(p))
	}
	if p := c.postForm("/login/mfa", url.Values{"code": {codeAt(t, ta, secret, 30*time.Second)}}); p.URL.Path != "/login" {
		t.Errorf("code on the locked account led to %s", p.URL.Path)
	}
	// A right password does not clear the count of wrong codes.
	ta.clock.Advance(ta.cfg.LoginLockFor + time.Minute)
	c = ta.newClient(t)
	for i := 0; i < 4; i++ {
		passwordStep(t, ta, c, "rita", pw)
		c.postForm("/login/mfa", url.Values{"code": {"654321"}})
	}
	passwordStep(t, ta, c, "rita", pw)
	if p := c.postForm("/login/mfa", url.Values{"code": {"654321"}}); !strings.Contains(loginError(p), "locked") {
		t.Errorf("five wrong codes across five password sign-ins did not lock: %q", loginError(p))
	}
}

// TestMFAPolicy: --require-mfa admins covers admins only, all covers everyone, off nobody.
func TestMFAPolicy(t *testing.T) {
	for _, tc := range []struct {
		policy   string
		role     string
		wantPath string
	}{
		{MFAAdmins, store.RoleAdmin, "/login/mfa/enrol"},
		{MFAAdmins, store.RoleReviewer, "/cases"},
		{MFAAll, store.RoleReviewer, "/login/mfa/enrol"},
		{MFAOff, store.RoleAdmin, "/admin/users"},
	} {
		ta := newTestApp(t, withMFA(tc.policy))
		pw := ta.addUser(t, "u1", tc.role)
		if p := passwordStep(t, ta, ta.newClient(t), "u1", pw); p.URL.Path != tc.wantPath {
			t.Errorf("--require-mfa %s, %s: password led to %s, want %s", tc.policy, tc.role, p.URL.Path, tc.wantPath)
		}
	}
}

// TestSignInStepsNeedTheirCookie: the second-factor pages are open routes, but without the
// cookie of a sign-in whose password was right they only send the browser to the sign-in page.
func TestSignInStepsNeedTheirCookie(t *testing.T) {
	ta := newTestApp(t, withMFA(MFAAll))
	c := ta.newClient(t)
	c.get("/login")
	for _, path := range []string{"/login/mfa", "/login/mfa/enrol", "/login/mfa/qr.png"} {
		if p := c.get(path); p.URL.Path != "/login" || p.testid("login-form").Length() != 1 {
			t.Errorf("GET %s without a sign-in under way ended at %s", path, p.URL.Path)
		}
	}
	for _, path := range []string{"/login/mfa", "/login/mfa/enrol"} {
		if p := c.postForm(path, url.Values{"code": {"123456"}}); p.URL.Path != "/login" {
			t.Errorf("POST %s without a sign-in under way ended at %s", path, p.URL.Path)
		}
	}
	// A challenge expires after 10 minutes.
	pw := ta.addUser(t, "rita", store.RoleReviewer)
	passwordStep(t, ta, c, "rita", pw)
	ta.clock.Advance(challengeTTL + time.Second)
	if p := c.get("/login/mfa/enrol"); p.Status != http.StatusUnauthorized || !strings.Contains(loginError(p), "longer than 10 minutes") {
		t.Errorf("expired challenge: %d %q", p.Status, loginError(p))
	}
	// A password reset ends a sign-in waiting for its second factor.
	passwordStep(t, ta, c, "rita", pw)
	if p := c.get("/login/mfa/enrol"); p.testid("mfa-secret").Length() != 1 {
		t.Fatalf("challenge not under way: %s", p.URL)
	}
	hash := "$2a$04$invalidinvalidinvalidinvalidinvalidinvalidinvalidinva"
	if err := ta.db.UpdateUser(context.Background(), store.SystemActor, ta.userID(t, "rita"), store.UserChange{PasswordHash: &hash}); err != nil {
		t.Fatal(err)
	}
	if p := c.get("/login/mfa/enrol"); p.Status != http.StatusUnauthorized || p.testid("mfa-secret").Length() != 0 {
		t.Errorf("challenge after a password reset: %d at %s", p.Status, p.URL)
	}
}
