package e2e

import (
	"strings"
	"testing"

	"github.com/playwright-community/playwright-go"
)

// TestRevealAadhaar: an auditor sees the Aadhaar number read during a video-KYC call masked in the
// UIDAI style, asks to reveal it with a reason and words, sees it on that page view, and the next
// view masks it again.
func TestRevealAadhaar(t *testing.T) {
	env := startApp(t, withoutHostileCase())
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
