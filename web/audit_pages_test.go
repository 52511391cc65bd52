package web

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/store/storetest"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// seedAuditLog writes n entries through the store, one a minute, cycling through three actors and
// actions; entry i concerns case i%5+1.
func seedAuditLog(t *testing.T, ta *testApp, n int) {
	t.Helper()
	actors := []string{"rev1", "rev2", "sup1"}
	actions := []string{"case.view", "case.claim", "user.update"}
	for i := 0; i < n; i++ {
		ta.clock.Advance(time.Minute)
		e := store.AuditEntry{Actor: actors[i%3], Action: actions[i%3], TargetType: "case", TargetID: fmt.Sprint(i%5 + 1),
			CaseID: int64(i%5 + 1), Details: map[string]any{"i": i}}
		if err := ta.db.Audit(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
}

// auditRow is one row of the audit page as a person reads it.
type auditRow struct {
	id                    int64
	actor, action, caseID string
}

func auditRows(p *page) []auditRow {
	var out []auditRow
	p.testid("audit-row").Each(func(_ int, s *goquery.Selection) {
		id, _ := strconv.ParseInt(s.AttrOr("data-id", ""), 10, 64)
		out = append(out, auditRow{id: id,
			actor:  strings.TrimSpace(s.Find(`[data-testid="audit-actor"]`).Text()),
			action: strings.TrimSpace(s.Find(`[data-testid="audit-action"]`).Text()),
			caseID: strings.TrimPrefix(s.Find(`[data-testid="audit-case"]`).AttrOr("href", ""), "/cases/")})
	})
	return out
}

// auditCount is how many entries match f, counted through the store.
func auditCount(t *testing.T, ta *testApp, f store.AuditFilter) int {
	t.Helper()
	n := 0
	if err := ta.db.StreamAudit(context.Background(), f, func(store.AuditEntry) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAuditPagingNewestFirst(t *testing.T) {
	ta := newTestApp(t)
	aud := ta.loginAs(t, "aud1", store.RoleAuditor)
	seedAuditLog(t, ta, 230)
	total := auditCount(t, ta, store.AuditFilter{})

	seen := map[int64]bool{}
	var last int64
	path, pages := "/audit?views=1", 0
	for path != "" {
		p := aud.get(path)
		if p.Status != http.StatusOK {
			t.Fatalf("GET %s = %d", path, p.Status)
		}
		rows := auditRows(p)
		if len(rows) == 0 || len(rows) > auditPageSize {
			t.Fatalf("page %d has %d rows, want 1..%d", pages+1, len(rows), auditPageSize)
		}
		for _, r := range rows {
			if last != 0 && r.id >= last {
				t.Fatalf("entry %d follows %d: want strictly newest first across pages", r.id, last)
			}
			if seen[r.id] {
				t.Fatalf("entry %d shown twice", r.id)
			}
			seen[r.id], last = true, r.id
		}
		pages++
		path = p.testid("audit-next").AttrOr("href", "")
		if pages > 1 && p.testid("audit-newest").Length() != 1 {
			t.Errorf("page %d has no link back to the newest entries", pages)
		}
	}
	if len(seen) != total || pages != (total+auditPageSize-1)/auditPageSize {
		t.Errorf("paged through %d entries in %d pages, want %d entries", len(seen), pages, total)
	}
	if last != 1 {
		t.Errorf("the last page ends at entry %d, want 1", last)
	}
}

func TestAuditFilters(t *testing.T) {
	ta := newTestApp(t)
	aud := ta.loginAs(t, "aud1", store.RoleAuditor)
	day1 := ta.clock.Now().Format(time.DateOnly)
	seedAuditLog(t, ta, 30)
	ta.clock.Advance(48 * time.Hour)
	day3 := ta.clock.Now().Format(time.DateOnly)
	seedAuditLog(t, ta, 12)

	tests := []struct {
		query string
		want  store.AuditFilter
		check func(auditRow) bool
	}{
		{"actor=rev2", store.AuditFilter{Actor: "rev2"}, func(r auditRow) bool { return r.actor == "rev2" }},
		{"action=case.claim", store.AuditFilter{Action: "case.claim"}, func(r auditRow) bool { return r.action == "case.claim" }},
		{"action=case.", store.AuditFilter{Action: "case."}, func(r auditRow) bool { return strings.HasPrefix(r.action, "case.") }},
		{"case=3", store.AuditFilter{CaseID: 3}, func(r auditRow) bool { return r.caseID == "3" }},
		{"actor=sup1&action=user.update&case=3", store.AuditFilter{Actor: "sup1", Action: "user.update", CaseID: 3},
			func(r auditRow) bool { return r.actor == "sup1" && r.action == "user.update" && r.caseID == "3" }},
	}
	for _, tc := range tests {
		p := aud.get("/audit?views=1&" + tc.query)
		rows := auditRows(p)
		if want := auditCount(t, ta, tc.want); len(rows) != want || want == 0 {
			t.Errorf("%s: %d rows, want %d (and more than none)", tc.query, len(rows), want)
		}
		for _, r := range rows {
			if !tc.check(r) {
				t.Errorf("%s: row %+v does not match", tc.query, r)
			}
		}
		// The filters stay in the bar and in the export links.
		if tc.want.Actor != "" && p.testid("audit-filter-actor").AttrOr("value", "") != tc.want.Actor {
			t.Errorf("%s: actor filter not kept in the form", tc.query)
		}
		csvURL, _ := url.Parse(p.testid("audit-export-csv").AttrOr("href", ""))
		if csvURL.Query().Get("format") != "csv" || csvURL.Query().Get("actor") != tc.want.Actor || csvURL.Query().Get("action") != tc.want.Action {
			t.Errorf("%s: CSV export link %s does not carry the filters", tc.query, csvURL)
		}
	}

	// Date range: whole UTC days.
	p := aud.get("/audit?views=1&from=" + day3 + "&to=" + day3)
	rows := auditRows(p)
	if len(rows) != 12 {
		t.Errorf("from=to=%s: %d rows, want the 12 entries of that day", day3, len(rows))
	}
	if p := aud.get("/audit?views=1&from=" + day1 + "&to=" + day1); len(auditRows(p)) < 30 {
		t.Errorf("from=to=%s: %d rows, want the 30 seeded that day (and the sign-in)", day1, len(auditRows(p)))
	}
	if got := p.testid("audit-report").AttrOr("href", ""); !strings.Contains(got, "from="+day3) {
		t.Errorf("report link = %q, want it to carry the period", got)
	}

	// Nonsense is a sentence and a 422, not an error page.
	for _, q := range []string{"from=yesterday", "case=abc", "from=" + day3 + "&to=" + day1, "action=DROP%20TABLE"} {
		p := aud.get("/audit?" + q)
		if p.Status != http.StatusUnprocessableEntity || p.testid("audit-filter-errors").Length() != 1 || len(auditRows(p)) != 0 {
			t.Errorf("%s: status %d, errors shown %d, rows %d; want 422 with a sentence and no rows",
				q, p.Status, p.testid("audit-filter-errors").Length(), len(auditRows(p)))
		}
	}
}

// download fetches path with the client's session and returns the response and its body.
func download(t *testing.T, c *client, path string) (*http.Response, string) {
	t.Helper()
	resp, err := c.http.Get(c.app.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestAuditExportCSV(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	aud := ta.loginAs(t, "aud1", store.RoleAuditor)
	seedAuditLog(t, ta, 30)
	day := ta.clock.Now().Format(time.DateOnly)

	resp, body := download(t, aud, "/audit/export?format=csv&actor=rev1&from="+day+"&to="+day)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="kycdesk-audit_`+day+`_to_`+day+`.csv"` {
		t.Errorf("Content-Disposition = %q", cd)
	}
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v", err)
	}
	if len(records) != 11 || strings.Join(records[0], ",") != "id,at,actor,action,target_type,target_id,case_id,details,prev_hash,hash" {
		t.Fatalf("export has %d records (header %v), want a header and rev1's 10 entries", len(records), records[0])
	}
	var want []store.AuditEntry
	_ = ta.db.StreamAudit(ctx, store.AuditFilter{Actor: "rev1"}, func(e store.AuditEntry) error { want = append(want, e); return nil })
	for i, rec := range records[1:] {
		if rec[0] != fmt.Sprint(want[i].ID) || rec[2] != "rev1" || rec[9] != want[i].Hash || rec[7] != want[i].DetailsJSON {
			t.Errorf("row %d = %v, want entry %d of rev1 with its hash", i+1, rec, want[i].ID)
		}
	}

	// The export audited itself, with its filters, before streaming.
	got, _, _ := ta.db.ListAudit(ctx, store.AuditFilter{Action: "export.audit"}, 0, 10)
	if len(got) != 1 || got[0].Actor != "aud1" || got[0].TargetID != "audit.csv" {
		t.Fatalf("export.audit entries = %+v, want one by aud1", got)
	}
	var details map[string]string
	if err := json.Unmarshal([]byte(got[0].DetailsJSON), &details); err != nil || details["actor"] != "rev1" || details["from"] != day || details["via"] != "web" {
		t.Errorf("export.audit details = %s, want the filters", got[0].DetailsJSON)
	}

	// Unfiltered, the export's own entry is its last row: it was written before the stream began.
	_, body = download(t, aud, "/audit/export?format=csv")
	records, _ = csv.NewReader(strings.NewReader(body)).ReadAll()
	if lastRow := records[len(records)-1]; lastRow[3] != "export.audit" || lastRow[2] != "aud1" {
		t.Errorf("last row of the full export = %v, want its own export.audit entry", lastRow)
	}
	if len(records)-1 != auditCount(t, ta, store.AuditFilter{}) {
		t.Errorf("full export has %d rows, the log %d", len(records)-1, auditCount(t, ta, store.AuditFilter{}))
	}

	// JSON Lines: one object per entry, details as an object.
	resp, body = download(t, aud, "/audit/export?format=jsonl&action=case.claim")
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if resp.StatusCode != http.StatusOK || len(lines) != auditCount(t, ta, store.AuditFilter{Action: "case.claim"}) {
		t.Fatalf("jsonl export = %d with %d lines", resp.StatusCode, len(lines))
	}
	var obj struct {
		Action  string         `json:"action"`
		Details map[string]any `json:"details"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &obj); err != nil || obj.Action != "case.claim" || obj.Details["i"] == nil {
		t.Errorf("first JSONL line %s: %v", lines[0], err)
	}

	if resp, _ := download(t, aud, "/audit/export?format=xml"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("format=xml = %d, want 400", resp.StatusCode)
	}
	if resp, _ := download(t, aud, "/audit/export?format=csv&from=nope"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad date = %d, want 400", resp.StatusCode)
	}
}

// TestAuditExportStreams checks that a large export goes out as it is read: chunked, with no length
// known up front, and complete.
func TestAuditExportStreams(t *testing.T) {
	ta := newTestApp(t)
	aud := ta.loginAs(t, "aud1", store.RoleAuditor)
	if err := storetest.SeedAudit(context.Background(), ta.db, 20000); err != nil {
		t.Fatal(err)
	}
	resp, err := aud.http.Get(ta.url + "/audit/export?format=csv")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.ContentLength != -1 || len(resp.TransferEncoding) == 0 || resp.TransferEncoding[0] != "chunked" {
		t.Errorf("export Content-Length %d, Transfer-Encoding %v; want a chunked stream", resp.ContentLength, resp.TransferEncoding)
	}
	n := 0
	r := csv.NewReader(resp.Body)
	for {
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if want := auditCount(t, ta, store.AuditFilter{}) + 1; n != want {
		t.Errorf("export has %d records, want %d (header and every entry)", n, want)
	}
}

// auditMarkIDBody is a SUSPECTED Mark ID callback that needs a decision.
func auditMarkIDBody(ref string) []byte {
	return webtest.MarkID{ScanRef: ref, ClientID: "c-" + ref, Final: true, Overall: "SUSPECTED",
		Fraud: []string{"FACE_IN_BLACKLIST"}, AutoDoc: "DOC_VALIDATED", AutoFace: "FACE_MATCH",
		First: "ANNA", Last: "KOVALENKO", DocNumber: "FT1234567", DocType: "PASSPORT"}.Body()
}

func TestAuditReport(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	day := ta.clock.Now().Format(time.DateOnly)
	ta.postMarkID(t, auditMarkIDBody("r1"))
	ta.postMarkID(t, auditMarkIDBody("r2"))
	ta.postMarkID(t, auditMarkIDBody("r3"))
	ta.addUser(t, "rev1", store.RoleReviewer)
	ta.addUser(t, "rev2", store.RoleReviewer)
	rev1 := store.Actor{ID: ta.userID(t, "rev1"), Name: "rev1"}
	rev2 := store.Actor{ID: ta.userID(t, "rev2"), Name: "rev2"}
	decide := func(who store.Actor, ref, outcome, reason, note string, after time.Duration) {
		t.Helper()
		ta.clock.Advance(after)
		id := ta.caseIDByRef(t, store.SourceMarkID, ref)
		if err := ta.db.Claim(ctx, who, id); err != nil {
			t.Fatal(err)
		}
		if _, err := ta.db.Decide(ctx, who, store.DecisionInput{CaseID: id, Outcome: outcome, ReasonCode: reason, Note: note}); err != nil {
			t.Fatal(err)
		}
	}
	decide(rev1, "r1", store.OutcomeAllow, "face_matches", "namesake on the blocklist", time.Hour) // waited 1h
	decide(rev1, "r2", store.OutcomeDecline, "document_forged", "printed photo", time.Hour)        // waited 2h
	decide(rev2, "r3", store.OutcomeAllow, "document_genuine", "confirmed by phone", 2*time.Hour)  // waited 4h

	aud := ta.loginAs(t, "aud1", store.RoleAuditor)
	p := aud.get("/audit/report?from=" + day + "&to=" + day)
	if p.Status != http.StatusOK {
		t.Fatalf("report = %d", p.Status)
	}
	text := func(id string) string { return strings.TrimSpace(p.testid(id).Text()) }
	for id, want := range map[string]string{"report-decisions": "3", "report-outcome-allow": "2", "report-outcome-decline": "1",
		"report-median": "2h 0m", "report-p90": "3h 36m", "report-overrides": "2", "manifest-generator": "aud1"} {
		if got := text(id); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	reviewers := map[string]string{}
	p.testid("report-reviewer").Each(func(_ int, s *goquery.Selection) {
		reviewers[s.AttrOr("data-username", "")] = strings.TrimSpace(s.Find(`[data-testid="report-reviewer-allowed"]`).Text()) + "/" +
			strings.TrimSpace(s.Find(`[data-testid="report-reviewer-declined"]`).Text())
	})
	if reviewers["rev1"] != "1/1" || reviewers["rev2"] != "1/0" || len(reviewers) != 2 {
		t.Errorf("reviewers allowed/declined = %v, want rev1 1/1 and rev2 1/0", reviewers)
	}
	if n := p.testid("report-override").Length(); n != 2 || !strings.Contains(p.testid("report-overrides-table").Text(), "namesake on the blocklist") {
		t.Errorf("override rows = %d, want 2 with their notes", n)
	}

	// The manifest's hash is the SHA-256 of the data download, and both generations are audited.
	sum := text("manifest-sha256")
	resp, body := download(t, aud, p.testid("report-data").AttrOr("href", ""))
	if resp.StatusCode != http.StatusOK || len(strings.Split(strings.TrimSpace(body), "\n")) < 5 {
		t.Fatalf("report data = %d: %q", resp.StatusCode, body)
	}
	if h := sha256.Sum256([]byte(body)); hex.EncodeToString(h[:]) != sum {
		t.Errorf("manifest SHA-256 %s does not match the downloaded data", sum)
	}
	head := text("manifest-head")
	got, _, _ := ta.db.ListAudit(ctx, store.AuditFilter{Action: "export.report"}, 0, 10)
	if len(got) != 2 || !strings.Contains(got[1].DetailsJSON, sum) || !strings.Contains(got[1].DetailsJSON, head) || got[1].PrevHash != head {
		t.Errorf("export.report entries = %+v, want two carrying the hash %s and chain head %s", got, sum, head)
	}

	// An empty period says so; a backwards one is a form error.
	p = aud.get("/audit/report?from=2020-01-01&to=2020-01-31")
	if p.Status != http.StatusOK || p.testid("empty").Length() != 1 || text("report-decisions") != "0" || text("manifest-sha256") == "" {
		t.Errorf("empty period: status %d, empty state %d, decisions %q", p.Status, p.testid("empty").Length(), text("report-decisions"))
	}
	p = aud.get("/audit/report?from=2026-02-01&to=2026-01-01")
	if p.Status != http.StatusUnprocessableEntity || p.testid("report-errors").Length() != 1 || p.testid("report-manifest").Length() != 0 {
		t.Errorf("backwards period: status %d, want 422 with the error and no report", p.Status)
	}
}
