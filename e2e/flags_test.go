package e2e

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/playwright-community/playwright-go"
)

// TestHoldAndEscalate: a reviewer puts a case on hold until a day chosen in the browser's date
// picker, read in the browser's own zone; then escalates another, which a supervisor finds under
// "Escalated to supervisors" and sends back.
func TestHoldAndEscalate(t *testing.T) {
	env := startApp(t)
	page := env.pageAs(t, "lena")
	failOnDialog(t, page)
	gotoPath(t, page, "/cases?source=markid")
	must(t, page.Keyboard().Press("n"))
	if err := expect.Locator(page.GetByTestId("claim-state")).ToContainText("Yours until"); err != nil {
		t.Fatalf("n did not open a held case: %v", err)
	}
	held, err := strconv.ParseInt(caseIDOnPage(t, page), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	london, _ := time.LoadLocation("Europe/London") // the suite's browser zone
	day := seedNow.In(london).AddDate(0, 0, 2)
	must(t, page.Locator(`[data-testid="hold-details"] > summary`).Click())
	must(t, page.GetByTestId("hold-until").Fill(day.Format(time.DateOnly)))
	must(t, page.GetByTestId("hold-reason").Fill("Waiting for the customer's new proof of address."))
	must(t, page.GetByTestId("hold").Click())
	if err := expect.Locator(page.GetByTestId("banner-hold")).ToContainText("proof of address"); err != nil {
		t.Fatalf("no hold banner: %v", err)
	}
	if err := expect.Locator(page.GetByTestId("banner-hold").Locator("time")).ToHaveText(regexp.MustCompile(`09:00 GMT$`)); err != nil {
		t.Errorf("the hold does not end at 09:00 in the browser's zone: %v", err)
	}
	rec, err := env.app.DB().CaseByID(context.Background(), held)
	want := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, london)
	if err != nil || rec.Hold == nil || !rec.Hold.Until.Equal(want) {
		t.Fatalf("stored hold = %+v, %v; want until %v", rec.Hold, err, want)
	}

	// The next case: escalated, it leaves the reviewer's hands.
	gotoPath(t, page, "/cases?source=markid")
	must(t, page.Keyboard().Press("n"))
	if err := expect.Locator(page.GetByTestId("claim-state")).ToContainText("Yours until"); err != nil {
		t.Fatalf("n did not open the next case: %v", err)
	}
	escalated := caseIDOnPage(t, page)
	if escalated == strconv.FormatInt(held, 10) {
		t.Fatalf("next case opened the case on hold")
	}
	must(t, page.Locator(`[data-testid="escalate-details"] > summary`).Click())
	must(t, page.GetByTestId("escalate-reason").Fill("PEP hit on a relative; a supervisor should decide."))
	must(t, page.GetByTestId("escalate").Click())
	if err := expect.Locator(page.GetByTestId("flash")).ToContainText("supervisors have it now"); err != nil {
		t.Errorf("escalate flash: %v", err)
	}

	sup := env.pageAs(t, "grace")
	failOnDialog(t, sup)
	gotoPath(t, sup, "/cases?assignee=escalated")
	row := sup.Locator(`[data-testid="queue-row"][data-case-id="` + escalated + `"]`)
	if err := expect.Locator(row.GetByTestId("row-escalated")).ToBeVisible(); err != nil {
		t.Fatalf("the supervisor's escalated view does not list the case: %v", err)
	}
	must(t, row.GetByTestId("row-link").Click())
	if err := expect.Locator(sup.GetByTestId("banner-escalated")).ToContainText("PEP hit on a relative"); err != nil {
		t.Errorf("escalation banner: %v", err)
	}
	must(t, sup.Locator(`[data-testid="send-back-details"] > summary`).Click())
	// Refused (no reason): the sentence stands beside the field and the address is the case's again,
	// so a reload shows the case, not a form's address.
	must(t, sup.GetByTestId("send-back").Click())
	if err := expect.Locator(sup.GetByTestId("send-back-form").Locator(".field-error")).ToContainText("Say why"); err != nil {
		t.Errorf("an empty send-back: no sentence beside the field: %v", err)
	}
	if err := expect.Page(sup).ToHaveURL(regexp.MustCompile(`/cases/` + escalated + `$`)); err != nil {
		t.Errorf("after a refused send-back the address is not the case's: %v", err)
	}
	must(t, sup.GetByTestId("send-back-reason").Fill("A namesake: the date of birth differs."))
	must(t, sup.GetByTestId("send-back").Click())
	if err := expect.Locator(sup.GetByTestId("timeline-send_back")).ToContainText("namesake"); err != nil {
		t.Errorf("send-back in the timeline: %v", err)
	}
}

// caseIDOnPage is the id of the case the page shows.
func caseIDOnPage(t *testing.T, page playwright.Page) string {
	t.Helper()
	id, err := page.GetByTestId("case-page").GetAttribute("data-case-id")
	if err != nil {
		t.Fatal(err)
	}
	return id
}
