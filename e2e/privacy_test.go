package e2e

import (
	"strings"
	"testing"

	"github.com/playwright-community/playwright-go"
)

// testRevealAadhaar: an auditor sees the Aadhaar number read during a video-KYC call masked in the
// UIDAI style, asks to reveal it with a reason and words, sees it on that page view, and the next
// view masks it again. It runs in TestDashboardAndEvidence's app (one start-up fewer for the suite).
func testRevealAadhaar(t *testing.T, env *appEnv) {
	page := env.pageAs(t, "ines")
	failOnDialog(t, page)
	path := env.casePath(t, "verma")
	gotoPath(t, page, path)
	doc := page.GetByTestId("video-document")
	if err := expect.Locator(doc).ToContainText("XXXX XXXX 2346"); err != nil {
		t.Fatalf("masked Aadhaar: %v", err)
	}
	if err := expect.Locator(page.GetByTestId("case-page")).Not().ToContainText("2341 2341 2346"); err != nil {
		t.Fatalf("the page shows the Aadhaar number: %v", err)
	}
	must(t, page.GetByTestId("reveal").Locator("summary").Click())
	if _, err := page.GetByTestId("reveal-field").SelectOption(playwright.SelectOptionValues{Values: &[]string{"aadhaar"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := page.GetByTestId("reveal-reason").SelectOption(playwright.SelectOptionValues{Values: &[]string{"audit_sample"}}); err != nil {
		t.Fatal(err)
	}
	must(t, page.GetByTestId("reveal-text").Fill("Concurrent audit sample"))
	shoot(t, page, "privacy-reveal-form")
	must(t, page.GetByTestId("reveal-submit").Click())
	if err := expect.Locator(doc).ToContainText("2341 2341 2346"); err != nil {
		t.Fatalf("after the reveal: %v", err)
	}
	if err := expect.Locator(page.GetByTestId("privacy-revealed")).ToContainText("Aadhaar number"); err != nil {
		t.Fatal(err)
	}
	shoot(t, page, "privacy-revealed")
	gotoPath(t, page, path)
	if err := expect.Locator(doc).ToContainText("XXXX XXXX 2346"); err != nil {
		t.Fatalf("the next view: %v", err)
	}
	if text, _ := doc.TextContent(); strings.Contains(text, "2341 2341 2346") {
		t.Errorf("the next page view still shows the number")
	}
}

// testLegalHold: a supervisor puts every case of a client on legal hold from the case page and
// sees the hold stated; a reviewer sees the hold but no form. It runs in TestDashboardAndEvidence's app.
func testLegalHold(t *testing.T, env *appEnv) {
	page := env.pageAs(t, "grace")
	failOnDialog(t, page)
	path := env.casePath(t, "volkov")
	gotoPath(t, page, path)
	must(t, page.GetByTestId("legal-hold").Locator("summary").Click())
	must(t, page.GetByTestId("legal-hold-reason").Fill("Court order 44/2026"))
	must(t, page.GetByTestId("legal-hold-client").Check())
	shoot(t, page, "hold-form")
	must(t, page.GetByTestId("legal-hold-submit").Click())
	if err := expect.Locator(page.GetByTestId("legal-hold-banner")).ToContainText("Every case of client cust-10187"); err != nil {
		t.Fatal(err)
	}
	if err := expect.Locator(page.GetByTestId("legal-hold-banner")).ToContainText("Court order 44/2026"); err != nil {
		t.Fatal(err)
	}
	shoot(t, page, "hold-placed")
	rev := env.pageAs(t, "tomas")
	gotoPath(t, rev, path)
	if err := expect.Locator(rev.GetByTestId("legal-hold-banner")).ToBeVisible(); err != nil {
		t.Fatal(err)
	}
	if n, _ := rev.GetByTestId("legal-hold-form").Count(); n != 0 {
		t.Errorf("a reviewer is offered the hold form")
	}
}
