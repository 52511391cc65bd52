package e2e

import (
	"regexp"
	"testing"

	"github.com/playwright-community/playwright-go"
)

// TestSignIn signs in and out through the real form: wrong passwords, the lockout after five
// of them, a good sign-in landing on the queue, and logout, after which the back button shows
// the sign-in page again rather than the case it came from, and signing in there returns to it.
func TestSignIn(t *testing.T) {
	env := startApp(t)
	page := newPage(t, env.url)
	failOnDialog(t, page)
	loginError := page.GetByTestId("login-error")

	// Five wrong passwords: the first four say so, the fifth locks the account.
	lena := env.user(t, "lena")
	for i := 1; i <= 4; i++ {
		signIn(t, page, lena.username, "not-lenas-password")
		if err := expect.Locator(loginError).ToHaveText("Wrong username or password.", slow); err != nil {
			t.Fatalf("wrong password %d: %v", i, err)
		}
		if err := expect.Locator(page.GetByTestId("login-username")).ToHaveValue(lena.username); err != nil {
			t.Errorf("wrong password %d: the form forgot the username: %v", i, err)
		}
	}
	signIn(t, page, lena.username, "not-lenas-password")
	locked := regexp.MustCompile(`^Too many failed sign-ins\. This account is locked for \d+ minutes`)
	if err := expect.Locator(loginError).ToHaveText(locked, slow); err != nil {
		t.Fatalf("fifth wrong password: %v", err)
	}
	// Locked means locked: the right password does not get in either.
	signIn(t, page, lena.username, lena.password)
	if err := expect.Locator(loginError).ToHaveText(locked, slow); err != nil {
		t.Errorf("right password on a locked account: %v", err)
	}
	if err := expect.Locator(page.GetByTestId("nav-user")).ToHaveCount(0); err != nil {
		t.Errorf("a locked account got in: %v", err)
	}

	// Someone else signs in and lands on the queue.
	tomas := env.user(t, "tomas")
	signIn(t, page, tomas.username, tomas.password)
	if err := expect.Locator(page.GetByTestId("nav-user")).ToHaveText(tomas.username, slow); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	if err := expect.Page(page).ToHaveURL(regexp.MustCompile(`/cases$`)); err != nil {
		t.Errorf("after sign-in: %v", err)
	}
	if err := expect.Locator(page.GetByTestId("queue-table")).ToBeVisible(); err != nil {
		t.Errorf("after sign-in: %v", err)
	}

	// Open a case, then log out.
	name := "ANNA KOVALENKO"
	must(t, page.GetByTestId("row-link").Filter(playwright.LocatorFilterOptions{HasText: name}).Click())
	if err := expect.Locator(page.GetByTestId("case-name")).ToHaveText(name); err != nil {
		t.Fatalf("open case: %v", err)
	}
	must(t, page.GetByTestId("logout").Click())
	if err := expect.Locator(page.GetByTestId("login-submit")).ToBeVisible(); err != nil {
		t.Fatalf("logout: %v", err)
	}
	if err := expect.Page(page).ToHaveURL(regexp.MustCompile(`/login$`)); err != nil {
		t.Errorf("logout: %v", err)
	}

	// Back: the case page is not served from a cache (no-store); the server asks to sign in.
	if _, err := page.GoBack(); err != nil {
		t.Fatalf("GoBack() = %v", err)
	}
	if err := expect.Page(page).ToHaveURL(regexp.MustCompile(`/login\?next=%2Fcases%2F\d+$`)); err != nil {
		t.Errorf("back after logout: %v", err)
	}
	if err := expect.Locator(page.GetByTestId("login-submit")).ToBeVisible(); err != nil {
		t.Errorf("back after logout: %v", err)
	}
	if err := expect.Locator(page.GetByText(name)).ToHaveCount(0); err != nil {
		t.Errorf("back after logout: the case is still on screen: %v", err)
	}
	if err := expect.Locator(page.GetByTestId("case-page")).ToHaveCount(0); err != nil {
		t.Errorf("back after logout: %v", err)
	}

	// Signing in from there returns to the case.
	must(t, page.GetByTestId("login-username").Fill(tomas.username))
	must(t, page.GetByTestId("login-password").Fill(tomas.password))
	must(t, page.GetByTestId("login-submit").Click(playwright.LocatorClickOptions{NoWaitAfter: playwright.Bool(true)})) // as signIn: bcrypt may outlast the click's timeout
	if err := expect.Locator(page.GetByTestId("case-name")).ToHaveText(name, slow); err != nil {
		t.Errorf("sign-in with ?next= did not return to the case: %v", err)
	}
}
