package e2e

import (
	"encoding/csv"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/playwright-community/playwright-go"
)

// TestDecisions follows cases from claim to final decision with two people at two browsers,
// then has an auditor check the record. The subtests build on each other, in order: a
// decision, a four-eyes decision, and the audit log of the latter.
func TestDecisions(t *testing.T) {
	env := startApp(t)
	t.Run("decision", func(t *testing.T) { testDecision(t, env) })
	t.Run("four_eyes", func(t *testing.T) { testFourEyes(t, env) })
	t.Run("audit", func(t *testing.T) { testAudit(t, env) })
	t.Run("recording_missing", func(t *testing.T) { testRecordingMissing(t, env) })
	t.Run("checklist", func(t *testing.T) { testChecklist(t, env) })
	t.Run("capture_frame", func(t *testing.T) { testCaptureFrame(t, env) })
	t.Run("video_face", func(t *testing.T) { testVideoFace(t, env) })
	t.Run("signal_checklist", func(t *testing.T) { testSignalChecklist(t, env) })
}

// tabCount reads a queue tab's count.
func tabCount(t *testing.T, page playwright.Page, tab string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSpace(mustText(t, page.GetByTestId("tab-"+tab+"-count"))))
	if err != nil {
		t.Fatalf("tab %s count: %v", tab, err)
	}
	return n
}

func testDecision(t *testing.T, env *appEnv) {
	kovalenko := env.casePath(t, "kovalenko")
	a := env.pageAs(t, "meera")
	failOnDialog(t, a)
	gotoPath(t, a, "/cases")
	needsBefore, decidedBefore := tabCount(t, a, "needs"), tabCount(t, a, "decided")

	// A claims the SUSPECTED case.
	gotoPath(t, a, kovalenko)
	must(t, a.GetByTestId("claim").Click())
	if err := expect.Locator(a.GetByTestId("flash")).ToContainText("You hold this case now."); err != nil {
		t.Fatalf("claim: %v", err)
	}
	if err := expect.Locator(a.GetByTestId("claim-state")).ToContainText("Yours until"); err != nil {
		t.Errorf("claim: %v", err)
	}
	if err := expect.Locator(a.GetByTestId("decision-form")).ToBeVisible(); err != nil {
		t.Fatalf("claim: no decision form: %v", err)
	}

	// B, in another browser, sees who holds it and gets no way to decide.
	b := env.pageAs(t, "tomas")
	failOnDialog(t, b)
	gotoPath(t, b, "/cases")
	row := b.GetByTestId("queue-row").Filter(playwright.LocatorFilterOptions{HasText: "ANNA KOVALENKO"})
	if err := expect.Locator(row.GetByTestId("row-holder")).ToHaveText("Meera Iyer"); err != nil {
		t.Errorf("queue of B: the holder: %v", err)
	}
	must(t, row.GetByTestId("row-link").Click())
	if err := expect.Locator(b.GetByTestId("claim-state")).ToContainText("Meera Iyer is working on it"); err != nil {
		t.Errorf("case page of B: %v", err)
	}
	for _, id := range []string{"claim", "decision-form", "record-decision", "release"} {
		if err := expect.Locator(b.GetByTestId(id)).ToHaveCount(0); err != nil {
			t.Errorf("case page of B offers %s: %v", id, err)
		}
	}

	// A declines without a note: the page says why beside the note before anything is sent (no
	// dialog: the failOnDialog guard would fail the test), and keeps her choices.
	must(t, a.GetByTestId("outcome-decline").Check())
	_, err := a.GetByTestId("reason").SelectOption(playwright.SelectOptionValues{Values: &[]string{"document_forged"}})
	must(t, err)
	must(t, a.GetByTestId("confirm").Check())
	must(t, a.GetByTestId("then-next").Uncheck()) // stay on the case to see its banner
	must(t, a.GetByTestId("record-decision").Click())
	if err := expect.Locator(a.GetByTestId("error-note")).ToContainText("Say why you decline"); err != nil {
		t.Fatalf("decline without a note: %v", err)
	}
	if err := expect.Locator(a.GetByTestId("outcome-decline")).ToBeChecked(); err != nil {
		t.Errorf("decline without a note: the outcome was lost: %v", err)
	}
	if err := expect.Locator(a.GetByTestId("case-review-state")).ToHaveText("Needs decision"); err != nil {
		t.Errorf("decline without a note was recorded: %v", err)
	}

	// With the note, the decision is recorded.
	note := "Passport photographed from a phone screen; face on the blocklist."
	must(t, a.GetByTestId("note").Fill(note))
	if checked, err := a.GetByTestId("confirm").IsChecked(); err != nil || !checked {
		must(t, a.GetByTestId("confirm").Check())
	}
	must(t, a.GetByTestId("record-decision").Click())
	if err := expect.Locator(a.GetByTestId("flash")).ToContainText("Decision recorded."); err != nil {
		t.Fatalf("decline: %v", err)
	}
	expectContainsAll(t, "decided banner", a.GetByTestId("banner-decided"), "Declined", "Meera Iyer", "Document forged")
	if err := expect.Locator(a.GetByTestId("case-review-state")).ToHaveText("Declined"); err != nil {
		t.Errorf("review state: %v", err)
	}
	if err := expect.Locator(a.GetByTestId("timeline-decision")).ToContainText(note); err != nil {
		t.Errorf("decision history: %v", err)
	}

	// The case has left "Needs decision".
	gotoPath(t, a, "/cases")
	if err := expect.Locator(a.GetByTestId("tab-needs-count")).ToHaveText(strconv.Itoa(needsBefore - 1)); err != nil {
		t.Errorf("needs-decision count: %v", err)
	}
	if err := expect.Locator(a.GetByTestId("tab-decided-count")).ToHaveText(strconv.Itoa(decidedBefore + 1)); err != nil {
		t.Errorf("decided count: %v", err)
	}
	if err := expect.Locator(a.GetByTestId("row-link").Filter(playwright.LocatorFilterOptions{HasText: "ANNA KOVALENKO"})).ToHaveCount(0); err != nil {
		t.Errorf("the decided case is still in Needs decision: %v", err)
	}
}

func testFourEyes(t *testing.T, env *appEnv) {
	verma := env.casePath(t, "verma")
	a := env.pageAs(t, "meera")
	failOnDialog(t, a)
	gotoPath(t, a, verma)
	if err := expect.Locator(a.GetByTestId("case-name")).ToHaveText("RAHUL VERMA"); err != nil {
		t.Fatal(err)
	}
	must(t, a.GetByTestId("claim").Click())
	if err := expect.Locator(a.GetByTestId("decision-form")).ToBeVisible(); err != nil {
		t.Fatalf("claim: %v", err)
	}
	// Every instruction of the call dispositioned: an allow needs it (each row saves itself).
	rows := a.Locator("[data-checklist-row]")
	if err := expect.Locator(rows).ToHaveCount(2); err != nil {
		t.Fatalf("checklist: %v", err)
	}
	for i := range 2 {
		must(t, rows.Nth(i).GetByTestId("disp-satisfactory").Check())
		if err := expect.Locator(rows.Nth(i).GetByTestId("save-state")).ToHaveText("Saved"); err != nil {
			t.Fatalf("checklist row %d: %v", i+1, err)
		}
	}
	must(t, a.GetByTestId("outcome-allow").Check())
	_, err := a.GetByTestId("reason").SelectOption(playwright.SelectOptionValues{Values: &[]string{"face_matches"}})
	must(t, err)
	must(t, a.GetByTestId("note").Fill("Face matches the PAN card; call from Bengaluru."))
	must(t, a.GetByTestId("confirm").Check())
	must(t, a.GetByTestId("then-next").Uncheck())
	must(t, a.GetByTestId("record-decision").Click())
	if err := expect.Locator(a.GetByTestId("flash")).ToContainText("waits for a supervisor's second approval"); err != nil {
		t.Fatalf("allow: %v", err)
	}
	expectContainsAll(t, "pending banner", a.GetByTestId("banner-pending"), "second approval", "Meera Iyer", "Face matches")

	// A holds the supervisor role too, yet cannot approve her own decision.
	if err := expect.Locator(a.GetByTestId("panel-status")).ToHaveText("You made this decision; a different supervisor must approve it."); err != nil {
		t.Errorf("maker's panel: %v", err)
	}
	if err := expect.Locator(a.GetByTestId("approve")).ToHaveCount(0); err != nil {
		t.Errorf("the maker is offered the approval: %v", err)
	}

	// The case waits in "Pending second approval".
	must(t, a.GetByTestId("nav-pending").Click())
	if err := expect.Locator(a.GetByTestId("nav-pending-count")).ToHaveText("1"); err != nil {
		t.Errorf("pending count: %v", err)
	}
	expectRows(t, env, a, "verma")

	// Supervisor B approves it.
	b := env.pageAs(t, "grace")
	bDialogs := failOnDialog(t, b)
	bDialogs.acceptConfirms()
	gotoPath(t, b, "/cases?tab=pending")
	must(t, b.GetByTestId("row-link").Filter(playwright.LocatorFilterOptions{HasText: "RAHUL VERMA"}).Click())
	must(t, b.GetByTestId("approve").Click())
	if err := expect.Locator(b.GetByTestId("flash")).ToContainText("Second approval recorded."); err != nil {
		t.Fatalf("approve: %v", err)
	}
	expectContainsAll(t, "banner after approval", b.GetByTestId("banner-decided"), "Allowed", "Meera Iyer", "Grace Okafor")
	if err := expect.Locator(b.GetByTestId("timeline-decision")).ToContainText("Meera Iyer"); err != nil {
		t.Errorf("decision history: %v", err)
	}
	if err := expect.Locator(b.GetByTestId("timeline-approved")).ToContainText("Grace Okafor"); err != nil {
		t.Errorf("decision history: %v", err)
	}
	if got := bDialogs.confirms(); len(got) != 1 || !strings.Contains(got[0], "second approval") {
		t.Errorf("confirms = %q, want the second-approval question", got)
	}
	// And A sees both names too.
	gotoPath(t, a, verma)
	expectContainsAll(t, "maker's view after approval", a.GetByTestId("banner-decided"), "Meera Iyer", "Grace Okafor")
	if err := expect.Locator(a.GetByTestId("nav-pending-count")).ToHaveText("0"); err != nil {
		t.Errorf("pending count after approval: %v", err)
	}
}

func testAudit(t *testing.T, env *appEnv) {
	id := env.caseID(t, "verma")
	page := env.pageAs(t, "ines")
	failOnDialog(t, page)
	gotoPath(t, page, "/audit")
	must(t, page.GetByTestId("audit-filter-case").Fill(strconv.FormatInt(id, 10)))
	must(t, page.GetByTestId("audit-filter-views").Check()) // views are evidence here: who saw the case
	must(t, page.GetByTestId("audit-filter-submit").Click())
	if err := expect.Page(page).ToHaveURL(regexp.MustCompile(`[?&]case=` + strconv.FormatInt(id, 10))); err != nil {
		t.Fatalf("filter: %v", err)
	}
	// Each step of the four-eyes decision, by whom it was taken.
	steps := []struct{ action, actor string }{
		{"case.view", "meera"}, {"case.claim", "meera"}, {"case.decision", "meera"}, {"case.view", "grace"}, {"case.approve", "grace"},
	}
	for _, s := range steps {
		row := page.Locator(`[data-testid=audit-row][data-action="` + s.action + `"]`).
			Filter(playwright.LocatorFilterOptions{Has: page.Locator(`[data-testid=audit-actor]`, playwright.PageLocatorOptions{HasText: s.actor})})
		if err := expect.Locator(row.First()).ToBeVisible(); err != nil {
			t.Errorf("audit log: no %s by %s: %v", s.action, s.actor, err)
		}
	}
	cases := mustTexts(t, page.GetByTestId("audit-case"))
	if len(cases) == 0 {
		t.Fatal("audit log: no entries for the case")
	}
	for _, c := range cases {
		// The case reads by its reference and name, not its internal number.
		if !strings.Contains(c, "RAHUL VERMA") {
			t.Errorf("filtered by case %d, the log shows an entry of case %q", id, c)
		}
	}

	// The CSV export of the same filter holds the same entries.
	dl, err := page.ExpectDownload(func() error { return page.GetByTestId("audit-export-csv").Click() })
	if err != nil {
		t.Fatalf("export CSV: %v", err)
	}
	if name := dl.SuggestedFilename(); !strings.HasSuffix(name, ".csv") {
		t.Errorf("download is named %q, want a .csv", name)
	}
	path, err := dl.Path()
	must(t, err)
	f, err := os.Open(path)
	must(t, err)
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("the export is not CSV: %v", err)
	}
	if len(records) < 2 {
		t.Fatalf("the export has %d lines, want a header and entries", len(records))
	}
	col := map[string]int{}
	for i, h := range records[0] {
		col[h] = i
	}
	for _, h := range []string{"actor", "action", "case_id"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("the export has no %q column: %q", h, records[0])
		}
	}
	have := map[string]bool{}
	for _, r := range records[1:] {
		if r[col["case_id"]] != strconv.FormatInt(id, 10) {
			t.Errorf("export filtered by case %d holds a row of case %q", id, r[col["case_id"]])
		}
		have[r[col["action"]]+" by "+r[col["actor"]]] = true
	}
	for _, s := range steps {
		if !have[s.action+" by "+s.actor] {
			t.Errorf("export: no %s by %s (has %v)", s.action, s.actor, have)
		}
	}

	// The auditor reads cases but is offered no way to act on them.
	for _, key := range []string{"beridze", "verma"} {
		gotoPath(t, page, env.casePath(t, key))
		if err := expect.Locator(page.GetByTestId("decision-panel")).ToBeVisible(); err != nil {
			t.Errorf("%s: %v", key, err)
		}
		for _, id := range []string{"claim", "decision-form", "record-decision", "release", "approve", "return", "reopen", "reassign"} {
			if err := expect.Locator(page.GetByTestId(id)).ToHaveCount(0); err != nil {
				t.Errorf("%s: the auditor is offered %s: %v", key, id, err)
			}
		}
	}
}

// expectContainsAll waits until l shows each of the words (in any order and wording around them).
func expectContainsAll(t *testing.T, what string, l playwright.Locator, words ...string) {
	t.Helper()
	for _, w := range words {
		if err := expect.Locator(l).ToContainText(w); err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}
}
