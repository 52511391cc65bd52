package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/playwright-community/playwright-go"
)

// TestLegalHoldsPage: an admin, who has no case pages, opens Legal holds from the navigation,
// holds one case by its number and every case of a client by its ID, sees them listed (case
// numbers without links), and lifts one with a reason after confirming. A supervisor's page
// links the case. The page at 1366×768 is saved as artifacts/legal-holds.png, with a Lift form open as
// artifacts/legal-holds-lift.png.
func TestLegalHoldsPage(t *testing.T) {
	env := startApp(t, withoutHostileCase())
	admin := seedUser{"priya", "Priya Nair", "admin", "e2e-priya-pass-2026"}
	if err := addUser(kycdeskBinary(t), env.dataDir, admin); err != nil {
		t.Fatal(err)
	}
	env.seed.users = append(slices.Clip(env.seed.users), admin)

	page := env.pageAs(t, "priya")
	dialogs := failOnDialog(t, page)
	gotoPath(t, page, "/admin/users")
	must(t, page.GetByTestId("nav-legal-holds").Click())
	if err := expect.Locator(page.Locator("h1")).ToHaveText("Legal holds"); err != nil {
		t.Fatal(err)
	}
	held := env.caseID(t, "kovalenko")
	must(t, page.GetByTestId("hold-case-number").Fill(fmt.Sprint(held)))
	must(t, page.GetByTestId("hold-case-reason").Fill("Court order 7/2026, Bombay High Court: keep the file until the appeal is decided."))
	must(t, page.GetByTestId("hold-case-submit").Click())
	if err := expect.Locator(page.GetByTestId("flash")).ToContainText("Legal hold placed on the case"); err != nil {
		t.Fatal(err)
	}
	// A mistyped client ID is refused beside the field.
	must(t, page.GetByTestId("hold-client-id").Fill("cust-1O187"))
	must(t, page.GetByTestId("hold-client-reason").Fill("FIU request 2026/311"))
	must(t, page.GetByTestId("hold-client-submit").Click())
	if err := expect.Locator(page.GetByTestId("error-legal_hold_client_id")).ToContainText("No case has the client ID"); err != nil {
		t.Fatal(err)
	}
	must(t, page.GetByTestId("hold-client-id").Fill("cust-10187"))
	must(t, page.GetByTestId("hold-client-submit").Click())
	if err := expect.Locator(page.GetByTestId("flash")).ToContainText("every case of the client"); err != nil {
		t.Fatal(err)
	}
	must(t, page.GetByTestId("hold-client-id").Fill("cust-10298"))
	must(t, page.GetByTestId("hold-client-reason").Fill("Ombudsman complaint OC-5521"))
	must(t, page.GetByTestId("hold-client-submit").Click())
	rows := page.GetByTestId("hold-row")
	if err := expect.Locator(rows).ToHaveCount(3); err != nil {
		t.Fatal(err)
	}
	if err := expect.Locator(page.Locator(`[data-testid="holds-table"] a[href^="/cases/"]`)).ToHaveCount(0); err != nil {
		t.Errorf("an admin's list links to case pages: %v", err)
	}
	if err := os.MkdirAll(artifactsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := page.Screenshot(playwright.PageScreenshotOptions{Path: playwright.String(filepath.Join(artifactsDir, "legal-holds.png")),
		Animations: playwright.ScreenshotAnimationsDisabled}); err != nil {
		t.Fatal(err)
	}

	// Lift the newest (the Ombudsman hold) with a reason, after the confirm.
	dialogs.acceptConfirms()
	row := rows.First()
	must(t, row.GetByText("Lift…").Click())
	must(t, row.GetByTestId("hold-lift-reason").Fill("Complaint withdrawn by the customer"))
	if _, err := page.Screenshot(playwright.PageScreenshotOptions{Path: playwright.String(filepath.Join(artifactsDir, "legal-holds-lift.png")),
		Animations: playwright.ScreenshotAnimationsDisabled}); err != nil {
		t.Fatal(err)
	}
	must(t, row.GetByTestId("hold-lift-submit").Click())
	if err := expect.Locator(page.GetByTestId("flash")).ToContainText("Legal hold lifted"); err != nil {
		t.Fatal(err)
	}
	if err := expect.Locator(rows).ToHaveCount(2); err != nil {
		t.Fatal(err)
	}
	if got := dialogs.confirms(); len(got) != 1 {
		t.Errorf("confirms = %q, want one", got)
	}

	sup := env.pageAs(t, "grace")
	gotoPath(t, sup, "/legal-holds")
	link := sup.Locator(fmt.Sprintf(`[data-testid="hold-case-link"][href="/cases/%d"]`, held))
	if err := expect.Locator(link).ToHaveCount(1); err != nil {
		t.Fatal(err)
	}
}
