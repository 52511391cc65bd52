package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/playwright-community/playwright-go"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/kycdesk/kycdesk/web"
	"github.com/kycdesk/kycdesk/web/testidp"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// withConfig adjusts the app's configuration before it starts.
func withConfig(fn func(*web.Config)) appOption { return func(o *appOptions) { o.configure = fn } }

// withAddr makes the app listen on addr, so that its address can be registered elsewhere first.
func withAddr(addr string) appOption { return func(o *appOptions) { o.addr = addr } }

// TestSSOSignIn signs a reviewer in through the real OpenID Provider's own login page: the
// sign-in page offers the provider first, the provider's form takes the password, and the
// browser lands on the queue as the account the provider vouched for.
func TestSSOSignIn(t *testing.T) {
	// The app's address, known before it starts: the provider must know our redirect URL and
	// the app its provider.
	addr := webtest.UnusedAddr(t)
	appURL := "http://" + addr
	idp := testidp.Start(t, "")
	idp.RegisterClient(appURL+"/auth/oidc/callback", appURL+"/login")
	idp.AddUser("priya", "priya-at-the-bank", "Priya Raman", "kyc-reviewers")
	env := startApp(t, withAddr(addr), withConfig(func(c *web.Config) {
		c.OIDC = web.OIDCConfig{Issuer: idp.Issuer, ClientID: testidp.ClientID, ClientSecret: testidp.ClientSecret,
			RedirectURL: appURL + "/auth/oidc/callback", Name: "Bank ID"}
	}))
	page := newPage(t, env.url)
	failOnDialog(t, page)

	gotoPath(t, page, "/login")
	sso := page.GetByTestId("sso-start")
	if err := expect.Locator(sso).ToHaveText("Sign in with Bank ID"); err != nil {
		t.Fatal(err)
	}
	must(t, sso.Click())
	// The provider's page, not ours.
	if err := expect.Page(page).ToHaveURL(regexp.MustCompile("^" + regexp.QuoteMeta(idp.Issuer) + "login/username")); err != nil {
		t.Fatalf("SSO did not reach the provider's login page: %v", err)
	}
	must(t, page.Locator("#username").Fill("priya"))
	must(t, page.Locator("#password").Fill("priya-at-the-bank"))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Login"}).Click())

	if err := expect.Locator(page.GetByTestId("nav-user")).ToHaveText("priya", slow); err != nil {
		t.Fatalf("after the provider: %v", err)
	}
	if err := expect.Page(page).ToHaveURL(regexp.MustCompile(`^` + regexp.QuoteMeta(env.url) + `/cases$`)); err != nil {
		t.Error(err)
	}
	if err := expect.Locator(page.GetByTestId("queue-table")).ToBeVisible(); err != nil {
		t.Error(err)
	}
}

// TestTOTPEnrolAsAdmin: an admin under --require-mfa admins signs in with the password, is made
// to set up an authenticator app, reads the key from the page, enters the app's code, sees the
// recovery codes and then reaches the users page.
func TestTOTPEnrolAsAdmin(t *testing.T) {
	env := startApp(t, withConfig(func(c *web.Config) { c.RequireMFA = web.MFAAdmins }))
	root := seedUser{"root", "Root Admin", "admin", "e2e-root-pass-2026"}
	if err := addUser(kycdeskBinary(t), env.dataDir, root); err != nil {
		t.Fatal(err)
	}
	page := newPage(t, env.url)
	failOnDialog(t, page)

	signIn(t, page, root.username, root.password)
	if err := expect.Page(page).ToHaveURL(regexp.MustCompile(`/login/mfa/enrol$`), slowURL); err != nil {
		t.Fatalf("admin's password: %v", err)
	}
	// No page before enrolling.
	gotoPath(t, page, "/admin/users")
	if err := expect.Locator(page.GetByTestId("login-form")).ToBeVisible(); err != nil {
		t.Errorf("the users page before enrolling: %v", err)
	}
	gotoPath(t, page, "/login/mfa/enrol")
	qr := page.GetByTestId("mfa-qr")
	if err := expect.Locator(qr).ToBeVisible(); err != nil {
		t.Fatal(err)
	}
	loaded, err := qr.Evaluate("img => img.complete && img.naturalWidth", nil)
	if err != nil || loaded == 0 || loaded == false {
		t.Errorf("the QR code did not load: %v %v", loaded, err)
	}
	key, err := page.GetByTestId("mfa-secret").TextContent()
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCodeCustom(strings.ReplaceAll(key, " ", ""), env.clock.Now(),
		totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatalf("the key on the page (%q) is not a TOTP secret: %v", key, err)
	}
	must(t, page.GetByTestId("mfa-code").Fill(code))
	must(t, page.GetByTestId("mfa-submit").Click())
	if err := expect.Locator(page.GetByTestId("recovery-code")).ToHaveCount(10, slowCount); err != nil {
		t.Fatalf("after the first code: %v", err)
	}
	must(t, page.GetByTestId("mfa-continue").Click())
	if err := expect.Locator(page.GetByTestId("users-table")).ToBeVisible(); err != nil {
		t.Fatalf("continue: %v", err)
	}
	row := page.Locator(`[data-testid="user-row"][data-username="root"] [data-testid="user-signin"]`)
	if err := expect.Locator(row).ToHaveText("password + app"); err != nil {
		t.Error(err)
	}
}

// Waits for a sign-in step that runs bcrypt at the CLI's cost, under -race on a busy machine.
var (
	slowURL   = playwright.PageAssertionsToHaveURLOptions{Timeout: playwright.Float(60000)}
	slowCount = playwright.LocatorAssertionsToHaveCountOptions{Timeout: playwright.Float(60000)}
)
