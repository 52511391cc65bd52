package e2e

import (
	"regexp"
	"testing"
)

// TestDecideAndNext works a filtered queue from the keyboard alone: n claims the view's first case,
// then d, a reason's number, the note and Ctrl+Enter record the decision and open the next case of
// the same view, already held. That is 4 keys besides the note per decision (before: n, d, Tab,
// ↓, Tab, the note, Tab, Space, Tab, Enter, Enter on the dialog, and back to the queue: 11 and a
// click). An empty form is refused by the page itself, beside its fields, with no dialog.
func TestDecideAndNext(t *testing.T) {
	env := startApp(t)
	page := env.pageAs(t, "lena")
	failOnDialog(t, page) // one confirmation only: no dialog may appear
	kbd := page.Keyboard()
	gotoPath(t, page, "/cases?source=markid")
	must(t, kbd.Press("n"))
	if err := expect.Locator(page.GetByTestId("claim-state")).ToContainText("Yours until"); err != nil {
		t.Fatalf("n did not open a held case: %v", err)
	}
	first := page.URL()
	// Times read in the viewer's zone, and name it (the suite's browser is in Europe/London).
	if err := expect.Locator(page.Locator("time[data-local]").First()).ToHaveText(regexp.MustCompile(`\d\d:\d\d (GMT|BST)$`)); err != nil {
		t.Errorf("a time without its zone: %v", err)
	}
	if err := expect.Locator(page.GetByTestId("case-source")).ToHaveText("Mark ID"); err != nil {
		t.Errorf("the first case of the Mark ID view is not a Mark ID case: %v", err)
	}

	// Ctrl+Enter on an empty form: the page lists what is missing and sends nothing.
	must(t, page.GetByTestId("note").Focus())
	must(t, kbd.Press("Control+Enter"))
	for _, f := range []string{"error-outcome", "error-reason"} {
		if err := expect.Locator(page.GetByTestId(f)).ToBeVisible(); err != nil {
			t.Errorf("empty form: no %s: %v", f, err)
		}
	}
	if page.URL() != first {
		t.Errorf("an empty form left the page: %s", page.URL())
	}
	must(t, page.GetByTestId("note").Blur())

	// Choosing Decline leaves only reasons to decline, numbered; no reason for video-KYC cases.
	must(t, kbd.Press("d"))
	for _, hidden := range []string{"face_matches", "outside_india"} {
		opt := page.Locator(`select[name="reason"] option[value="` + hidden + `"]`)
		if n, _ := opt.Count(); n > 0 {
			if err := expect.Locator(opt).ToBeHidden(); err != nil {
				t.Errorf("declining a Mark ID case still offers %s: %v", hidden, err)
			}
		}
	}
	must(t, kbd.Press("1"))
	if err := expect.Locator(page.GetByTestId("reason")).ToHaveValue("document_forged"); err != nil {
		t.Errorf("1 chose %v", err)
	}
	must(t, kbd.Type("Document photographed from a screen."))
	must(t, kbd.Press("Control+Enter"))

	if err := expect.Page(page).Not().ToHaveURL(first); err != nil {
		t.Fatalf("Ctrl+Enter did not move on: %v", err)
	}
	if err := expect.Locator(page.GetByTestId("flash")).ToContainText("This is the next case in your view; you hold it."); err != nil {
		t.Errorf("next case flash: %v", err)
	}
	if err := expect.Locator(page.GetByTestId("claim-state")).ToContainText("Yours until"); err != nil {
		t.Errorf("the next case is not held: %v", err)
	}
	if err := expect.Locator(page.GetByTestId("case-source")).ToHaveText("Mark ID"); err != nil {
		t.Errorf("the next case left the Mark ID view: %v", err)
	}
	if err := expect.Page(page).ToHaveURL(regexp.MustCompile(`from=source%3Dmarkid`)); err != nil {
		t.Errorf("the next case does not carry its view: %v", err)
	}

	// The first case was recorded as declined, with the reason chosen by its number.
	gotoPath(t, page, first)
	if err := expect.Locator(page.GetByTestId("case-review-state")).ToHaveText("Declined"); err != nil {
		t.Errorf("first case: %v", err)
	}
	expectContainsAll(t, "first case's timeline", page.GetByTestId("timeline-decision"), "Document forged", "Document photographed from a screen.")
}
