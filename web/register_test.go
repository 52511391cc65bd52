package web

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// TestDecisionRegisterPageAndExports: two final decisions (one with a note a spreadsheet would run
// as a formula) and one waiting for its second approval. The page lists the two, its filters
// narrow them, and the CSV (guarded) and JSON Lines downloads hold the same rows, audited.
func TestDecisionRegisterPageAndExports(t *testing.T) {
	ta := newTestApp(t, withConfig(func(c *Config) { c.FourEyesVCIP = true }))
	ctx := context.Background()
	for _, ref := range []string{"r-1", "r-2"} {
		if r := ta.postMarkID(t, webtest.MarkID{ScanRef: ref, First: "ANNA", Last: "K", Overall: store.StatusSuspected, Final: true}.Body()); r.Status != http.StatusOK {
			t.Fatalf("webhook = %d", r.Status)
		}
	}
	ta.postVCIPRecorded(t, webtest.VCIP{SessionID: "v-1", Name: "RAVI"})
	ta.addUser(t, "rev", store.RoleReviewer)
	rev := store.Actor{ID: ta.userID(t, "rev"), Name: "rev"}
	decide := func(source store.Source, ref, outcome, reason, note string) {
		t.Helper()
		id := ta.caseIDByRef(t, source, ref)
		if err := ta.db.Claim(ctx, rev, id); err != nil {
			t.Fatal(err)
		}
		ta.clock.Advance(time.Minute)
		if _, err := ta.db.Decide(ctx, rev, store.DecisionInput{CaseID: id, Outcome: outcome, ReasonCode: reason, Note: note}); err != nil {
			t.Fatal(err)
		}
	}
	decide(store.SourceMarkID, "r-1", store.OutcomeAllow, "tags_explained", "=HYPERLINK(\"http://x\")")
	decide(store.SourceMarkID, "r-2", store.OutcomeDecline, "document_forged", "forged")
	decide(store.SourceVCIP, "v-1", store.OutcomeAllow, "face_matches", "fine") // waits for a second approval

	aud := ta.loginAs(t, "aud", store.RoleAuditor)
	p := aud.get("/audit/decisions")
	if p.Status != http.StatusOK {
		t.Fatalf("GET /audit/decisions = %d", p.Status)
	}
	var refs []string
	p.testid("register-ref").Each(func(_ int, s *goquery.Selection) { refs = append(refs, s.Text()) })
	if got := strings.Join(refs, ","); got != "r-2,r-1" {
		t.Errorf("register rows = %s, want r-2,r-1 (newest first; the pending video-KYC decision is not final)", got)
	}
	if got := aud.get("/audit/decisions?outcome=decline").testid("register-ref").Text(); got != "r-2" {
		t.Errorf("outcome filter = %q, want r-2", got)
	}
	if n := aud.get("/audit/decisions?source=vcip").testid("register-row").Length(); n != 0 {
		t.Errorf("vcip filter = %d rows, want 0", n)
	}
	if n := aud.get("/audit/decisions?reviewer=rev&from=2025-11-20&to=2025-11-20").testid("register-row").Length(); n != 2 {
		t.Errorf("reviewer and day filter = %d rows, want 2", n)
	}
	if p := aud.get("/audit/decisions?outcome=maybe"); p.Status != http.StatusUnprocessableEntity || p.testid("register-errors").Length() == 0 {
		t.Errorf("bad outcome = %d, want 422 with the error shown", p.Status)
	}

	href, _ := p.testid("register-export-csv").Attr("href")
	resp, err := aud.http.Get(ta.url + href)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(resp.Body).ReadAll()
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(registerColumns, ",") {
		t.Fatalf("CSV = %q, want a header and two rows", rows)
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	if got := rows[1][col["note"]]; got != `'=HYPERLINK("http://x")` {
		t.Errorf("CSV note = %q, want the formula guarded", got)
	}
	if rows[1][col["ref"]] != "r-1" || rows[1][col["reviewer"]] != "rev" || rows[1][col["vendor_status"]] != "SUSPECTED" ||
		rows[1][col["approver"]] != "" || rows[1][col["claimed_at"]] == "" || rows[1][col["audit_id"]] == "0" {
		t.Errorf("CSV row = %q", rows[1])
	}

	href, _ = p.testid("register-export-jsonl").Attr("href")
	resp, err = aud.http.Get(ta.url + href)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(resp.Body)
	var lines []map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("JSONL line %q: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	resp.Body.Close()
	if len(lines) != 2 || lines[1]["ref"] != "r-2" || lines[1]["outcome"] != "decline" || lines[0]["note"] != `=HYPERLINK("http://x")` {
		t.Errorf("JSONL = %v", lines)
	}
	n := 0
	_ = ta.db.StreamAudit(ctx, store.AuditFilter{Action: "export.decisions"}, func(e store.AuditEntry) error { n++; return nil })
	if n != 2 {
		t.Errorf("export.decisions audited %d times, want 2", n)
	}
}
