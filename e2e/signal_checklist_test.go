package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/playwright-community/playwright-go"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// testSignalChecklist: the Mark ID signal checklist in Chromium. A SUSPECTED identity verification
// with a fraud tag, a mismatch tag and an AML hit lists the three as rows; the reviewer marks one
// clear, one not applicable and one as confirming the risk, and the draft survives a reload. An allow
// with the risk row un-noted is refused with the sentence saying why, the other rows kept; with a
// note it is recorded, the checklist freezes read-only with the dispositions, and the decision's
// audit entry holds them.
func testSignalChecklist(t *testing.T, env *appEnv) {
	ctx := context.Background()
	const ref = "scan-signal-checklist"
	body := webtest.MarkID{ScanRef: ref, ClientID: "client-signals", First: "SIGNAL", Last: "ROWS", Overall: "SUSPECTED",
		Final: true, Fraud: []string{"DOC_MOBILE_PHOTO"}, Mismatch: []string{"DATE_OF_BIRTH"}, AutoDoc: "DOC_VALIDATED",
		AutoFace: "FACE_MATCH", DocType: "PASSPORT", DocCountry: "GB",
		AML: []any{map[string]any{"serviceName": "PEP list", "serviceGroupType": "AML",
			"status": map[string]any{"overallStatus": "SUSPECTED", "serviceSuspected": true},
			"data":   []any{map[string]any{"name": "SIGNAL ROWS", "score": 91}}}}}.Body()
	env.postWebhook(t, delivery{key: "signals", source: store.SourceMarkID, body: body})
	ids, err := env.app.DB().CasesByRef(ctx, store.SourceMarkID, []string{ref})
	must(t, err)
	id := ids[ref]
	if id == 0 {
		t.Fatalf("CasesByRef(%s) = %v", ref, ids)
	}
	path := fmt.Sprintf("/cases/%d", id)

	page := env.pageAs(t, "lena")
	failOnDialog(t, page)
	gotoPath(t, page, path)
	must(t, page.GetByTestId("claim").Click())
	if err := expect.Locator(page.GetByTestId("decision-form")).ToBeVisible(); err != nil {
		t.Fatalf("claim: %v", err)
	}
	panel := page.GetByTestId("signal-checklist")
	rows := panel.GetByTestId("signal-row")
	if err := expect.Locator(rows).ToHaveCount(3); err != nil {
		t.Fatalf("signal rows: %v (%s)", err, mustText(t, panel))
	}
	for i, want := range []string{"DOC_MOBILE_PHOTO", "DATE_OF_BIRTH", "AML · PEP list"} {
		if err := expect.Locator(rows.Nth(i)).ToContainText(want); err != nil {
			t.Errorf("row %d: %v", i+1, err)
		}
		// Each signal takes clear, confirms risk or not applicable; never an instruction's dispositions.
		for _, d := range []string{"clear", "confirms_risk", "not_applicable"} {
			if err := expect.Locator(rows.Nth(i).GetByTestId("disp-" + d)).ToHaveCount(1); err != nil {
				t.Errorf("row %d: no %s choice: %v", i+1, d, err)
			}
		}
		if err := expect.Locator(rows.Nth(i).GetByTestId("disp-satisfactory")).ToHaveCount(0); err != nil {
			t.Errorf("row %d offers satisfactory: %v", i+1, err)
		}
	}
	choose := func(i int, d string) {
		t.Helper()
		must(t, rows.Nth(i).GetByTestId("disp-"+d).Check())
		if err := expect.Locator(rows.Nth(i).GetByTestId("save-state")).ToHaveText("Saved"); err != nil {
			t.Errorf("row %d %s not saved: %v", i+1, d, err)
		}
	}
	choose(0, "clear")
	choose(1, "not_applicable")
	choose(2, "confirms_risk")
	if err := expect.Locator(page.GetByTestId("checklist-progress")).ToHaveText("3 of 3 dispositioned"); err != nil {
		t.Errorf("progress: %v", err)
	}

	// The draft survives a reload.
	gotoPath(t, page, path)
	for i, d := range []string{"clear", "not_applicable", "confirms_risk"} {
		if err := expect.Locator(rows.Nth(i).GetByTestId("disp-" + d)).ToBeChecked(); err != nil {
			t.Errorf("row %d after reload: %v", i+1, err)
		}
	}

	allow := func() {
		t.Helper()
		must(t, page.GetByTestId("outcome-allow").Check())
		_, err := page.GetByTestId("reason").SelectOption(playwright.SelectOptionValues{Values: &[]string{"tags_explained"}})
		must(t, err)
		must(t, page.GetByTestId("note").Fill("Signals checked one by one on the checklist."))
		must(t, page.GetByTestId("confirm").Check())
		must(t, page.GetByTestId("then-next").Uncheck())
		must(t, page.GetByTestId("record-decision").Click())
	}
	// Confirms the risk, without a note: refused, saying which row wants one.
	allow()
	if err := expect.Locator(page.GetByTestId("checklist-problem")).ToContainText("You marked AML · PEP list as confirming the risk: add a note on it saying why you allow anyway."); err != nil {
		t.Fatalf("allow with an un-noted risk row: %v (%s)", err, mustText(t, page.Locator("main")))
	}
	if n, _, err := env.app.DB().ListAudit(ctx, store.AuditFilter{CaseID: id, Action: "case.decision"}, 0, 10); err != nil || len(n) != 0 {
		t.Fatalf("after the refused allow: %d decision audit entries (%v), want none", len(n), err)
	}
	if err := expect.Locator(rows.Nth(2).GetByTestId("disp-confirms_risk")).ToBeChecked(); err != nil {
		t.Errorf("the refused allow lost the disposition: %v", err)
	}

	const note = "PEP hit is a namesake: different date of birth on the list."
	must(t, rows.Nth(2).GetByTestId("checklist-note").Fill(note))
	if err := expect.Locator(rows.Nth(2).GetByTestId("save-state")).ToHaveText("Saved"); err != nil {
		t.Errorf("note not saved: %v", err)
	}
	allow()
	if err := expect.Locator(page.GetByTestId("flash")).ToBeVisible(); err != nil {
		t.Fatalf("allow with a noted risk row: %v (%s)", err, mustText(t, page.Locator("main")))
	}
	gotoPath(t, page, path)
	if err := expect.Locator(panel.GetByTestId("checklist-frozen")).ToBeVisible(); err != nil {
		t.Errorf("after the decision the checklist is not frozen: %v", err)
	}
	if err := expect.Locator(panel.Locator("[data-disposition-choice]")).ToHaveCount(0); err != nil {
		t.Errorf("the frozen checklist can be changed: %v", err)
	}
	for i, want := range []string{"clear", "not applicable", "confirms risk"} {
		if err := expect.Locator(rows.Nth(i).GetByTestId("disposition")).ToHaveText(want); err != nil {
			t.Errorf("frozen row %d: %v", i+1, err)
		}
	}
	if err := expect.Locator(rows.Nth(2).GetByTestId("checklist-note-text")).ToHaveText(note); err != nil {
		t.Errorf("frozen note: %v", err)
	}

	entries, _, err := env.app.DB().ListAudit(ctx, store.AuditFilter{CaseID: id, Action: "case.decision"}, 0, 10)
	must(t, err)
	if len(entries) != 1 {
		t.Fatalf("audit entries of the decision = %d, want 1", len(entries))
	}
	var details struct {
		Checklist []store.ChecklistEntry `json:"checklist"`
	}
	must(t, json.Unmarshal([]byte(entries[0].DetailsJSON), &details))
	got := map[string]string{}
	for _, e := range details.Checklist {
		got[e.Label] = e.Disposition + "|" + e.Note
	}
	want := map[string]string{"DOC_MOBILE_PHOTO": "clear|", "DATE_OF_BIRTH": "not_applicable|", "AML · PEP list": "confirms_risk|" + note}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("audited checklist row %q = %q, want %q (all: %s)", k, got[k], v, entries[0].DetailsJSON)
		}
	}
}
