package web

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// suspected is a Mark ID callback a reviewer must decide.
func suspected(ref, first, last string) webtest.MarkID {
	return webtest.MarkID{ScanRef: ref, ClientID: "client-" + ref, First: first, Last: last, Overall: "SUSPECTED",
		AutoDoc: "DOC_VALIDATED", AutoFace: "FACE_MATCH", DocType: "PASSPORT", DocNumber: "P-" + ref,
		DocCountry: "LT", Nationality: "LT", IPCountry: "LT", DOB: "1990-04-12", Expiry: "2031-01-01",
		Fraud: []string{"FACE_SUSPECTED"}}
}

// rowRefs lists the vendor references of the queue rows, in order.
func rowRefs(p *page) []string {
	var out []string
	p.testid("queue-row").Each(func(_ int, s *goquery.Selection) {
		ref, _ := s.Find(`[data-testid="row-ref"]`).Attr("title")
		out = append(out, ref)
	})
	return out
}

func wantStatus(t *testing.T, what string, p *page, want int) {
	t.Helper()
	if p.Status != want {
		t.Fatalf("%s: status %d, want %d; page error %q", what, p.Status, want, strings.TrimSpace(p.testid("page-error").Text()))
	}
}

func TestQueueFiltersAndSearch(t *testing.T) {
	ta := newTestApp(t)
	ta.addUser(t, "rev2", store.RoleReviewer)
	rev := ta.loginAs(t, "rev1", store.RoleReviewer)

	anna := suspected("scan-anna", "ANNA", "KOVALENKO")
	anna.DocCountry, anna.IPCountry, anna.DocNumber = "UA", "AE", "FT1234567"
	ta.postMarkID(t, anna.Body())
	ta.clock.Advance(time.Minute)
	viktor := suspected("scan-viktor", "VIKTOR", "EXAMPLOV")
	viktor.Fraud, viktor.Mismatch = []string{"AML_SUSPECTION"}, []string{"NAME"}
	ta.postMarkID(t, viktor.Body())
	ta.clock.Advance(time.Minute)
	ta.postVCIP(t, webtest.VCIP{SessionID: "sess-priya", Name: "PRIYA NAIR", Country: "IN"}.Body())
	ta.clock.Advance(time.Minute)
	ok := suspected("scan-ok", "JONAS", "PETRAITIS")
	ok.Overall, ok.Final, ok.Fraud = "APPROVED", true, nil
	ta.postMarkID(t, ok.Body())

	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"scan-anna", "scan-viktor", "sess-priya"}},
		{"source=vcip", []string{"sess-priya"}},
		{"source=markid&fraud=aml_suspection", []string{"scan-viktor"}},
		{"mismatch=NAME", []string{"scan-viktor"}},
		{"country=ae", []string{"scan-anna"}},
		{"country=UA", []string{"scan-anna"}},
		{"tab=all&country=LT", []string{"scan-viktor", "scan-ok"}},
		{"tab=all&status=APPROVED", []string{"scan-ok"}},
		{"q=kovalenko", []string{"scan-anna"}},
		{"q=Vik", []string{"scan-viktor"}},
		{"q=scan-viktor", []string{"scan-viktor"}},
		{"q=client-scan-anna", []string{"scan-anna"}},
		{"q=FT1234567", []string{"scan-anna"}},
		{"q=sess-priya", []string{"sess-priya"}},
		{"q=" + url.QueryEscape(`"OR *) NEAR(`), nil},
	}
	for _, tt := range tests {
		p := rev.get("/cases?" + tt.query)
		wantStatus(t, tt.query, p, http.StatusOK)
		if got := rowRefs(p); !slices.Equal(got, tt.want) {
			t.Errorf("/cases?%s rows = %v, want %v", tt.query, got, tt.want)
		}
	}

	// Tab counts follow the filters; the default tab is "needs decision".
	p := rev.get("/cases?country=LT")
	for tab, want := range map[string]string{"needs": "1", "pending": "0", "decided": "0", "all": "2"} {
		if got := strings.TrimSpace(p.testid("tab-" + tab + "-count").Text()); got != want {
			t.Errorf("country=LT tab %s count = %q, want %q", tab, got, want)
		}
	}
	if cur, _ := p.testid("tab-needs").Attr("aria-current"); cur != "page" {
		t.Errorf("default tab aria-current = %q", cur)
	}
	p = rev.get("/cases?q=nobody")
	if p.testid("empty").Length() != 1 || p.testid("filter-clear").Length() != 1 {
		t.Errorf("an empty search shows no empty state or no clear link")
	}

	// Assignee: mine, unclaimed, a colleague's.
	annaID := ta.caseIDByRef(t, store.SourceMarkID, "scan-anna")
	rev.postForm(fmt.Sprintf("/cases/%d/claim", annaID), nil)
	rev2 := ta.login(t, "rev2", "pw-rev2-0123456789")
	viktorID := ta.caseIDByRef(t, store.SourceMarkID, "scan-viktor")
	rev2.postForm(fmt.Sprintf("/cases/%d/claim", viktorID), nil)
	for q, want := range map[string][]string{
		"assignee=me":         {"scan-anna"},
		"assignee=unassigned": {"sess-priya"},
		"assignee=" + strconv.FormatInt(ta.userID(t, "rev2"), 10): {"scan-viktor"},
	} {
		if got := rowRefs(rev.get("/cases?" + q)); !slices.Equal(got, want) {
			t.Errorf("/cases?%s rows = %v, want %v", q, got, want)
		}
	}
	p = rev.get("/cases")
	holders := p.testid("row-holder").Map(func(_ int, s *goquery.Selection) string { return strings.TrimSpace(s.Text()) })
	if want := []string{"you", "rev2", ""}; !slices.Equal(holders, want) {
		t.Errorf("claim holders = %q, want %q", holders, want)
	}
}

func TestQueueKeysetPagesAndOverdue(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	var want []string
	for i := 0; i < 57; i++ {
		ref := fmt.Sprintf("scan-%03d", i)
		ta.postMarkID(t, suspected(ref, "P", fmt.Sprintf("N%03d", i)).Body())
		want = append(want, ref)
		if i%4 != 0 {
			ta.clock.Advance(time.Minute)
		}
	}
	ta.clock.Advance(24 * time.Hour)
	var got []string
	var pages []string
	next := "/cases"
	for next != "" {
		p := rev.get(next)
		wantStatus(t, next, p, http.StatusOK)
		got = append(got, rowRefs(p)...)
		pages = append(pages, next)
		if len(pages) == 1 {
			// A case arriving between pages does not shift the next page.
			ta.postMarkID(t, suspected("scan-late", "L", "LATE").Body())
			want = append(want, "scan-late")
		}
		next, _ = p.testid("pager-next").Attr("href")
		if strings.Contains(next, "offset") {
			t.Fatalf("pager uses an offset: %s", next)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("paged rows = %v\nwant %v", got, want)
	}
	p := rev.get(pages[1])
	prev, _ := p.testid("pager-prev").Attr("href")
	if back := rowRefs(rev.get(prev)); !slices.Equal(back, want[:50]) {
		t.Errorf("Previous from page 2 = %v, want the first 50", back)
	}
	// The oldest waited over 24 h: overdue. The late one has not.
	first := rev.get("/cases")
	rows := first.testid("queue-row")
	if _, ok := rows.First().Find(`[data-overdue="true"]`).Attr("data-overdue"); !ok {
		t.Errorf("a case waiting 24h+ is not marked overdue")
	}
	last := rev.get(pages[len(pages)-1]).testid("queue-row").Last()
	if last.Find(`[data-overdue]`).Length() != 0 {
		t.Errorf("a fresh case is marked overdue")
	}
}

func TestQueueEmptyAndClaimNext(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	p := rev.get("/cases")
	if !strings.Contains(p.testid("empty").Text(), "/webhooks/markid") {
		t.Errorf("empty queue does not say where callbacks arrive: %q", p.testid("empty").Text())
	}
	p = rev.postForm("/cases/claim-next", nil)
	if p.URL.Path != "/cases" || p.URL.Query().Get("flash") != "nonext" || p.testid("flash").Length() != 1 {
		t.Errorf("claim next with nothing waiting landed on %s", p.URL)
	}
	ta.postMarkID(t, suspected("scan-1", "A", "ONE").Body())
	ta.clock.Advance(time.Minute)
	ta.postMarkID(t, suspected("scan-2", "B", "TWO").Body())
	p = rev.postForm("/cases/claim-next", nil)
	if want := fmt.Sprintf("/cases/%d", ta.caseIDByRef(t, store.SourceMarkID, "scan-1")); p.URL.Path != want {
		t.Fatalf("claim next opened %s, want %s", p.URL.Path, want)
	}
	if p.testid("decision-form").Length() != 1 || p.testid("release").Length() != 1 {
		t.Errorf("after claim next the decision form or release button is missing")
	}
	p = rev.postForm("/cases/claim-next", nil)
	if want := fmt.Sprintf("/cases/%d", ta.caseIDByRef(t, store.SourceMarkID, "scan-2")); p.URL.Path != want {
		t.Errorf("second claim next opened %s, want %s", p.URL.Path, want)
	}
}

// decide posts a complete decision form for the case as the client's user.
func decide(c *client, id int64, outcome, reason, note string) *page {
	return c.postForm(fmt.Sprintf("/cases/%d/decision", id), url.Values{"outcome": {outcome}, "reason": {reason},
		"note": {note}, "confirm": {"1"}})
}

func TestClaimConflictsAndExpiry(t *testing.T) {
	ta := newTestApp(t)
	a := ta.loginAs(t, "rev-a", store.RoleReviewer)
	b := ta.loginAs(t, "rev-b", store.RoleReviewer)
	ta.postMarkID(t, suspected("scan-c", "CARA", "CLAIM").Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "scan-c")
	path := fmt.Sprintf("/cases/%d", id)

	p := a.postForm(path+"/claim", nil)
	wantStatus(t, "A claims", p, http.StatusOK)
	if p.URL.Query().Get("flash") != "claimed" || p.testid("decision-form").Length() != 1 {
		t.Fatalf("A's claim: landed on %s without the decision form", p.URL)
	}
	p = b.get(path)
	if p.testid("claim").Length() != 0 || p.testid("decision-form").Length() != 0 {
		t.Errorf("B sees claim or decision controls on A's case")
	}
	if !strings.Contains(p.testid("claim-state").Text(), "rev-a") {
		t.Errorf("claim state = %q, want it to name rev-a", p.testid("claim-state").Text())
	}
	p = b.postForm(path+"/claim", nil)
	wantStatus(t, "B claims A's case", p, http.StatusConflict)
	if !strings.Contains(p.testid("page-error").Text(), "rev-a is working on this case") {
		t.Errorf("conflict sentence = %q", p.testid("page-error").Text())
	}
	p = decide(b, id, "allow", "face_matches", "fine")
	wantStatus(t, "B decides A's case", p, http.StatusConflict)

	// 20 minutes later A claims again (an action keeps the claim; a mere view does not), 20
	// more and it still holds.
	ta.clock.Advance(20 * time.Minute)
	a.get(path)
	wantStatus(t, "A claims again", a.postForm(path+"/claim", nil), http.StatusOK)
	ta.clock.Advance(20 * time.Minute)
	wantStatus(t, "B claims after A's activity", b.postForm(path+"/claim", nil), http.StatusConflict)

	// A goes idle past the TTL: the claim expires, and B can take the case.
	ta.clock.Advance(31 * time.Minute)
	p = b.get(path)
	if p.testid("claim").Length() != 1 {
		t.Fatalf("B sees no Claim button on an expired claim")
	}
	wantStatus(t, "B claims the expired case", b.postForm(path+"/claim", nil), http.StatusOK)
	p = decide(a, id, "allow", "face_matches", "fine")
	wantStatus(t, "A decides after losing the claim", p, http.StatusConflict)

	// B releases; the case goes back to the queue, unclaimed.
	p = b.postForm(path+"/release", nil)
	if p.URL.Path != "/cases" || p.testid("flash").Length() != 1 {
		t.Errorf("release landed on %s", p.URL)
	}
	if got := rowRefs(b.get("/cases?assignee=unassigned")); !slices.Equal(got, []string{"scan-c"}) {
		t.Errorf("after release, unclaimed = %v", got)
	}
}

func TestDecisionValidationAndSuccess(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	ta.postMarkID(t, suspected("scan-v", "VERA", "VALID").Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "scan-v")
	path := fmt.Sprintf("/cases/%d", id)
	rev.postForm(path+"/claim", nil)

	p := rev.postForm(path+"/decision", url.Values{"outcome": {"decline"}, "reason": {"document_forged"}, "confirm": {"1"}})
	wantStatus(t, "decline without note", p, http.StatusUnprocessableEntity)
	if p.testid("error-note").Length() != 1 || p.testid("decision-form").Length() != 1 {
		t.Fatalf("decline without note: no note error or no form")
	}
	if v, _ := p.find(`select[name="reason"] option[selected]`).Attr("value"); v != "document_forged" {
		t.Errorf("re-rendered form lost the reason: %q", v)
	}
	if p.testid("outcome-decline").AttrOr("checked", "none") == "none" {
		t.Errorf("re-rendered form lost the outcome")
	}

	p = rev.postForm(path+"/decision", url.Values{"outcome": {"allow"}, "reason": {"document_forged"}, "note": {"x"}})
	wantStatus(t, "allow with a decline reason, unconfirmed", p, http.StatusUnprocessableEntity)
	for _, f := range []string{"error-reason", "error-confirm"} {
		if p.testid(f).Length() != 1 {
			t.Errorf("missing %s", f)
		}
	}
	p = rev.postForm(path+"/decision", url.Values{"outcome": {"allow"}, "reason": {"face_matches"}, "confirm": {"1"}})
	wantStatus(t, "allow SUSPECTED without note", p, http.StatusUnprocessableEntity)
	if p.testid("error-note").Length() != 1 {
		t.Errorf("allowing a SUSPECTED case without a note gave no note error")
	}

	p = decide(rev, id, "decline", "document_forged", "Photo page replaced.")
	wantStatus(t, "valid decline", p, http.StatusOK)
	if p.URL.Path != path || p.URL.Query().Get("flash") != "decided" {
		t.Errorf("after decision landed on %s", p.URL)
	}
	banner := p.testid("banner-decided")
	if banner.Length() != 1 || !banner.HasClass("s-red") || !strings.Contains(banner.Text(), "rev") {
		t.Errorf("decided banner = %q (classes %q)", banner.Text(), banner.AttrOr("class", ""))
	}
	if ev := p.testid("timeline-decision"); !strings.Contains(ev.Text(), "Document forged") || !strings.Contains(ev.Text(), "Photo page replaced.") {
		t.Errorf("decision history = %q", ev.Text())
	}
	if p.testid("decision-form").Length() != 0 || p.testid("claim").Length() != 0 {
		t.Errorf("a decided case still offers decision controls")
	}
	if got := rowRefs(rev.get("/cases?tab=decided")); !slices.Equal(got, []string{"scan-v"}) {
		t.Errorf("decided tab = %v", got)
	}
	var actions []string
	_ = ta.db.StreamAudit(context.Background(), store.AuditFilter{CaseID: id}, func(e store.AuditEntry) error {
		actions = append(actions, e.Action)
		return nil
	})
	if !slices.Contains(actions, "case.view") || !slices.Contains(actions, "case.decision") {
		t.Errorf("audit for the case = %v, want case.view and case.decision", actions)
	}
}

func TestFourEyesMakerChecker(t *testing.T) {
	ta := newTestApp(t, withConfig(func(c *Config) { c.FourEyesVCIP = true }))
	sup1 := ta.loginAs(t, "sup1", store.RoleSupervisor)
	sup2 := ta.loginAs(t, "sup2", store.RoleSupervisor)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	ta.postVCIPRecorded(t, webtest.VCIP{SessionID: "sess-4e", Name: "FOUR EYES", Country: "IN"})
	id := ta.caseIDByRef(t, store.SourceVCIP, "sess-4e")
	path := fmt.Sprintf("/cases/%d", id)

	sup1.postForm(path+"/claim", nil)
	p := decide(sup1, id, "allow", "face_matches", "")
	wantStatus(t, "sup1 decides", p, http.StatusOK)
	if p.URL.Query().Get("flash") != "pending" || p.testid("banner-pending").Length() != 1 {
		t.Fatalf("four-eyes decision: flash %q, pending banner %d", p.URL.Query().Get("flash"), p.testid("banner-pending").Length())
	}
	if p.testid("approve").Length() != 0 {
		t.Errorf("the maker is offered the Approve button")
	}
	// Even posting directly, the maker cannot approve: the store enforces it.
	p = sup1.postForm(path+"/approve", nil)
	wantStatus(t, "maker approves", p, http.StatusConflict)
	if got := rowRefs(rev.get("/cases?tab=pending")); !slices.Equal(got, []string{"sess-4e"}) {
		t.Errorf("pending tab = %v", got)
	}
	wantStatus(t, "reviewer approves", rev.postForm(path+"/approve", nil), http.StatusForbidden)

	p = sup2.get(path)
	if p.testid("approve").Length() != 1 || p.testid("return-form").Length() != 1 {
		t.Fatalf("a second supervisor sees no approve/return controls")
	}
	p = sup2.postForm(path+"/return", url.Values{"return_reason": {""}})
	wantStatus(t, "return without reason", p, http.StatusUnprocessableEntity)
	if p.testid("error-return_reason").Length() != 1 {
		t.Errorf("return without a reason shows no field error")
	}
	p = sup2.postForm(path+"/approve", nil)
	wantStatus(t, "checker approves", p, http.StatusOK)
	if p.URL.Query().Get("flash") != "approved" || p.testid("banner-decided").Length() != 1 {
		t.Errorf("after approval: %s, decided banner %d", p.URL, p.testid("banner-decided").Length())
	}
	if p.testid("timeline-approved").Length() != 1 || !strings.Contains(p.testid("timeline-approved").Text(), "sup2") {
		t.Errorf("approval missing from the history: %q", p.testid("decision-history").Text())
	}
}

func TestLateCallbackAfterDecisionAndReopen(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	sup := ta.loginAs(t, "sup", store.RoleSupervisor)
	cb := suspected("scan-late", "LATE", "COMER")
	ta.postMarkID(t, cb.Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "scan-late")
	path := fmt.Sprintf("/cases/%d", id)
	rev.postForm(path+"/claim", nil)
	wantStatus(t, "decide", decide(rev, id, "allow", "tags_explained", "Explained by the customer."), http.StatusOK)

	ta.clock.Advance(2 * time.Hour)
	cb.Final, cb.ManualDoc, cb.ManualFace = true, "DOC_VALIDATED", "FACE_MISMATCH"
	cb.Fraud = []string{"FACE_SUSPECTED", "VIRTUAL_CAMERA"}
	ta.postMarkID(t, cb.Body())

	q := rev.get("/cases")
	if got := rowRefs(q); !slices.Equal(got, []string{"scan-late"}) {
		t.Fatalf("after a late callback the queue = %v", got)
	}
	if q.testid("changed-marker").Length() != 1 {
		t.Errorf("queue row has no changed-after-decision marker")
	}
	p := rev.get(path)
	if p.testid("banner-changed").Length() != 1 {
		t.Errorf("case page has no changed-after-decision banner")
	}
	if p.testid("timeline-decision").Length() != 1 {
		t.Errorf("the earlier decision is not kept in the history")
	}
	changes := p.testid("delivery-changes").Text()
	for _, want := range []string{"final no → yes", "manual face — → FACE_MISMATCH", "+ fraud tag VIRTUAL_CAMERA"} {
		if !strings.Contains(changes, want) {
			t.Errorf("history changes %q lack %q", changes, want)
		}
	}

	rev.postForm(path+"/claim", nil)
	wantStatus(t, "decide again", decide(rev, id, "decline", "face_mismatch", "Virtual camera."), http.StatusOK)
	p = rev.get(path)
	if p.testid("banner-changed").Length() != 0 || p.testid("timeline-decision").Length() != 2 {
		t.Errorf("after a new decision: changed banner %d, decisions %d", p.testid("banner-changed").Length(),
			p.testid("timeline-decision").Length())
	}
	if p.testid("reopen-form").Length() != 0 {
		t.Errorf("a reviewer is offered Reopen")
	}
	p = sup.postForm(path+"/reopen", url.Values{"reopen_reason": {"Customer sent a new passport."}})
	wantStatus(t, "reopen", p, http.StatusOK)
	if p.URL.Query().Get("flash") != "reopened" || !strings.Contains(p.testid("timeline-reopen").Text(), "Customer sent a new passport.") {
		t.Errorf("reopen: %s, history %q", p.URL, p.testid("timeline-reopen").Text())
	}
	if got := rowRefs(rev.get("/cases")); !slices.Equal(got, []string{"scan-late"}) {
		t.Errorf("a reopened case is not back in the queue: %v", got)
	}
}

func TestAuditorSeesNoDecisionControls(t *testing.T) {
	ta := newTestApp(t)
	aud := ta.loginAs(t, "aud", store.RoleAuditor)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	ta.postMarkID(t, suspected("scan-a", "AUDIT", "ME").Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "scan-a")
	path := fmt.Sprintf("/cases/%d", id)

	p := aud.get(path)
	wantStatus(t, "auditor opens a case", p, http.StatusOK)
	if n := p.find(`form[action^="/cases/"]:not([data-testid="reveal-form"]), form[action^="/media/"], [data-testid="claim"], [data-testid="decision-form"]`).Length(); n != 0 {
		t.Errorf("auditor sees %d decision controls", n)
	}
	if p.testid("panel-status").Length() != 1 {
		t.Errorf("auditor does not see where the case stands")
	}
	q := aud.get("/cases")
	wantStatus(t, "auditor opens the queue", q, http.StatusOK)
	if q.testid("claim-next").Length() != 0 {
		t.Errorf("auditor sees Claim next")
	}
	// 403 for the role, not for a missing CSRF token: the page must say it is the role.
	wantRoleRefusal := func(what string, p *page) {
		t.Helper()
		wantStatus(t, what, p, http.StatusForbidden)
		if msg := p.testid("error-message").Text(); !strings.Contains(msg, "Your role does not allow") {
			t.Errorf("%s: refused with %q, want the role refusal", what, msg)
		}
	}
	for _, action := range []string{"/claim", "/decision", "/release", "/approve", "/return", "/reopen", "/reassign"} {
		wantRoleRefusal("auditor POST "+action, aud.postForm(path+action, url.Values{"outcome": {"allow"}}))
	}
	wantRoleRefusal("auditor claim next", aud.postForm("/cases/claim-next", nil))

	// A reviewer sees the controls on the same case.
	if rev.get(path).testid("claim").Length() != 1 {
		t.Errorf("reviewer sees no Claim button")
	}
}

func TestReassignBySupervisor(t *testing.T) {
	ta := newTestApp(t)
	a := ta.loginAs(t, "rev-a", store.RoleReviewer)
	ta.addUser(t, "rev-b", store.RoleReviewer)
	sup := ta.loginAs(t, "sup", store.RoleSupervisor)
	ta.postMarkID(t, suspected("scan-r", "RE", "ASSIGN").Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "scan-r")
	path := fmt.Sprintf("/cases/%d", id)
	a.postForm(path+"/claim", nil)
	p := sup.get(path)
	if p.testid("reassign-form").Length() != 1 {
		t.Fatalf("supervisor sees no reassign form")
	}
	if a.get(path).testid("reassign-form").Length() != 0 {
		t.Errorf("reviewer sees the reassign form")
	}
	bID := strconv.FormatInt(ta.userID(t, "rev-b"), 10)
	p = sup.postForm(path+"/reassign", url.Values{"user_id": {bID}})
	wantStatus(t, "reassign", p, http.StatusOK)
	if !strings.Contains(p.testid("claim-state").Text(), "rev-b") {
		t.Errorf("after reassign claim state = %q", p.testid("claim-state").Text())
	}
	wantStatus(t, "A decides after reassign", decide(a, id, "allow", "face_matches", "ok"), http.StatusConflict)
}

// caseMedia returns the media rows of a case.
func caseMedia(t *testing.T, ta *testApp, caseID int64) []store.Media {
	t.Helper()
	ms, err := ta.db.CaseMedia(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// archive marks a media row fetched, as the media fetcher would.
func archive(t *testing.T, ta *testApp, m store.Media) {
	t.Helper()
	sha := fmt.Sprintf("%064x", m.ID)
	if err := ta.db.MediaArchived(context.Background(), m.ID, sha, 2048, "image/png"); err != nil {
		t.Fatal(err)
	}
}

func mediaByKind(ms []store.Media, kind, urlPart string) store.Media {
	for _, m := range ms {
		if m.Kind == kind && strings.Contains(m.URL, urlPart) {
			return m
		}
	}
	return store.Media{}
}

func TestCasePageEvidence(t *testing.T) {
	ta := newTestApp(t)
	sup := ta.loginAs(t, "sup", store.RoleSupervisor)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	other := suspected("scan-other", "OTTO", "OTHER")
	ta.postMarkID(t, other.Body())

	cb := suspected("scan-ev", "ANNA", "KOVALENKO")
	cb.OrgFirst, cb.OrgLast = "АННА", "КОВАЛЕНКО"
	cb.DOB, cb.Expiry = "2009-05-04", "2024-02-01"
	cb.DocCountry, cb.IPCountry = "UA", "AE"
	cb.Fraud = []string{"FACE_IN_BLACKLIST", "BRAND_NEW_TAG"}
	cb.DuplicateFaces = []string{"scan-other", "scan-unknown"}
	cb.Files = map[string]string{"FRONT": "https://media.example.test/front.png?sig=1",
		"BACK": "https://media.example.test/back.png?sig=1", "FACE_VIDEO": "https://media.example.test/face.mp4"}
	cb.AML = []any{map[string]any{"serviceName": "NameCheck", "serviceGroupType": "AML",
		"status": map[string]any{"overallStatus": "SUSPECTED", "checkSuccessful": true},
		"data":   []any{map[string]any{"name": "ANNA", "listName": "PEPS"}, map[string]any{"name": "ANNA", "listName": "OFAC"}}}}
	ta.postMarkID(t, cb.Body())
	ta.clock.Advance(20 * time.Minute)
	cb.Final, cb.ManualDoc, cb.ManualFace = true, "DOC_VALIDATED", "FACE_MATCH"
	cb.Files["FRONT"] = "https://media.example.test/front.png?sig=2"
	ta.postMarkID(t, cb.Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "scan-ev")

	// The first delivery's FRONT is archived, the second's is still queued: the archived one shows.
	ms := caseMedia(t, ta, id)
	older := mediaByKind(ms, store.MediaFront, "sig=1")
	archive(t, ta, older)
	archive(t, ta, mediaByKind(ms, store.MediaBack, "sig=1"))
	video := mediaByKind(ms, store.MediaFaceVideo, "")
	if err := ta.db.MediaAttemptFailed(context.Background(), video.ID, "the server answered 403 Forbidden",
		ta.clock.Now(), true); err != nil {
		t.Fatal(err)
	}

	p := sup.get(fmt.Sprintf("/cases/%d", id))
	wantStatus(t, "case page", p, http.StatusOK)
	front := p.find(`[data-testid="media"][data-kind="FRONT"]`)
	if front.Length() != 1 {
		t.Fatalf("FRONT shown %d times, want once per slot", front.Length())
	}
	img := front.Find(`img[data-zoomable]`)
	if src, _ := img.Attr("src"); src != fmt.Sprintf("/media/%d", older.ID) {
		t.Errorf("FRONT src = %q, want the archived copy /media/%d", src, older.ID)
	}
	if st, _ := p.find(`[data-testid="media"][data-kind="FACE"]`).Attr("data-state"); st != "missing" {
		t.Errorf("FACE (not sent) state = %q, want missing", st)
	}
	failed := p.find(`[data-testid="media"][data-kind="FACE_VIDEO"]`)
	if !strings.Contains(failed.Find(`[data-testid="media-error"]`).Text(), "403 Forbidden") ||
		failed.Find(`[data-testid="media-original"]`).AttrOr("href", "") != "https://media.example.test/face.mp4" ||
		failed.Find(`[data-testid="media-retry"]`).Length() != 1 {
		t.Errorf("failed video does not show its error, original link and Retry: %s", outer(failed))
	}
	if rev.get(fmt.Sprintf("/cases/%d", id)).testid("media-retry").Length() != 0 {
		t.Errorf("a reviewer is offered Retry now")
	}
	// Once the newer copy is archived too, the newest wins.
	newer := mediaByKind(ms, store.MediaFront, "sig=2")
	archive(t, ta, newer)
	p = sup.get(fmt.Sprintf("/cases/%d", id))
	if src := p.find(`[data-kind="FRONT"] img`).AttrOr("src", ""); src != fmt.Sprintf("/media/%d", newer.ID) {
		t.Errorf("FRONT src = %q, want the newest archived /media/%d", src, newer.ID)
	}

	if lvl, _ := p.testid("dob").Attr("data-level"); lvl != "s-red" || !strings.Contains(p.testid("dob").Text(), "under 18") {
		t.Errorf("under-age date of birth not flagged: %q level %q", p.testid("dob").Text(), lvl)
	}
	if lvl, _ := p.testid("expiry").Attr("data-level"); lvl != "s-red" {
		t.Errorf("expired document not flagged: level %q", lvl)
	}
	if !strings.Contains(p.testid("document-panel").Text(), "КОВАЛЕНКО") {
		t.Errorf("original-script name missing from the document table")
	}
	flags := p.testid("flag").Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-flag", "") })
	for _, want := range []string{"ip-country", "doc-expired", "under-18"} {
		if !slices.Contains(flags, want) {
			t.Errorf("flags = %v, want %s", flags, want)
		}
	}
	var unknown string
	p.testid("fraud-tag").Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Text(), "BRAND_NEW_TAG") {
			unknown = s.Text()
		}
	})
	if !strings.Contains(unknown, "Not in the vendor's vocabulary.") {
		t.Errorf("unknown tag line = %q", unknown)
	}
	otherID := ta.caseIDByRef(t, store.SourceMarkID, "scan-other")
	links := p.testid("duplicate-link")
	if links.Length() != 1 || links.AttrOr("href", "") != fmt.Sprintf("/cases/%d", otherID) {
		t.Errorf("duplicate-face links = %d (%q), want one to /cases/%d", links.Length(), links.AttrOr("href", ""), otherID)
	}
	if got := strings.TrimSpace(p.testid("check-hits").Text()); got != "2" || p.testid("check-details").Length() != 1 {
		t.Errorf("AML hits = %q, details %d", got, p.testid("check-details").Length())
	}
	ds := p.testid("delivery")
	if ds.Length() != 2 || p.testid("delivery-raw").Length() != 2 {
		t.Fatalf("history: %d deliveries, %d raw bodies", ds.Length(), p.testid("delivery-raw").Length())
	}
	if ds.Last().Find(`[data-testid="delivery-applied"]`).Length() != 1 || ds.First().Find(`[data-testid="delivery-applied"]`).Length() != 0 {
		t.Errorf("the shown delivery is not marked as the latest only")
	}
}

func TestVideoKYCCasePage(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	cb := webtest.VCIP{SessionID: "sess-lang", Name: "PRIYA NAIR", Country: "AE", City: "Dubai",
		Instructions: []webtest.Instruction{
			{Text: "Please show your PAN card", IDCardBox: true, Screenshot: true, Translations: [][2]string{
				{"ENGLISH", "Please show your PAN card"}, {"HINDI", "कृपया अपना पैन कार्ड दिखाएं"},
				{"KANNADA", "ದಯವಿಟ್ಟು ನಿಮ್ಮ ಪ್ಯಾನ್ ಕಾರ್ಡ್ ತೋರಿಸಿ"}, {"KLINGON", "qaStaH nuq"}}},
			{Text: "What is your name?", Translations: [][2]string{{"ENGLISH", "What is your name?"}, {"HINDI", "तुम्हारा नाम क्या है?"}}},
		},
		DocumentImages: []string{"https://media.example.test/pan.png"},
		DocumentData:   []map[string]any{{"dob": "1994-08-15", "name": "PRIYA NAIR"}},
		Screenshots:    [][]string{{"https://media.example.test/s1-final.png", "https://media.example.test/s1-b.png"}, {}},
		VideoURL:       "https://media.example.test/call.mp4", Thumbnail: "https://media.example.test/thumb.png",
		Feedback: "4.5", FieldValues: map[string]any{"Remark": "Accepted"}, CallbackParameters: map[string]any{"crm": "9912"},
	}
	ta.postVCIP(t, cb.Body())
	id := ta.caseIDByRef(t, store.SourceVCIP, "sess-lang")
	for _, m := range caseMedia(t, ta, id) {
		archive(t, ta, m)
	}
	path := fmt.Sprintf("/cases/%d", id)

	p := rev.get(path)
	wantStatus(t, "video-KYC case", p, http.StatusOK)
	type shown struct{ lang, attr string }
	visible := func(p *page) []shown {
		var out []shown
		p.testid("instruction-text").Each(func(_ int, s *goquery.Selection) {
			if _, hidden := s.Attr("hidden"); !hidden {
				out = append(out, shown{s.AttrOr("data-lang", ""), s.AttrOr("lang", "-")})
			}
		})
		return out
	}
	// No customer language in the callback: English by default, with its lang attribute.
	if got, want := visible(p), []shown{{"ENGLISH", "en"}, {"ENGLISH", "en"}}; !slices.Equal(got, want) {
		t.Errorf("default translations shown = %v, want %v", got, want)
	}
	if n := p.testid("lang-switch").Find(`[data-testid="lang-option"]`).Length(); n != 4 {
		t.Errorf("language switcher offers %d languages, want 4 (every key present)", n)
	}
	p.testid("instruction-text").Each(func(_ int, s *goquery.Selection) {
		want := map[string]string{"ENGLISH": "en", "HINDI": "hi", "KANNADA": "kn", "KLINGON": "-"}[s.AttrOr("data-lang", "")]
		if got := s.AttrOr("lang", "-"); got != want {
			t.Errorf("%s translation lang = %q, want %q", s.AttrOr("data-lang", ""), got, want)
		}
	})
	// Without script: ?lang=KANNADA re-renders with Kannada beside English.
	p = rev.get(path + "?lang=KANNADA")
	if got, want := visible(p), []shown{{"KANNADA", "kn"}}; !slices.Equal(got, want) {
		t.Errorf("?lang=KANNADA shows %v, want %v", got, want)
	}
	if cur := p.find(`[data-testid="lang-option"][aria-current="true"]`).AttrOr("data-lang", ""); cur != "KANNADA" {
		t.Errorf("current language = %q", cur)
	}
	if !strings.Contains(p.testid("instructions").Text(), "Please show your PAN card") {
		t.Errorf("English text not shown beside the translation")
	}

	if flags := p.testid("flag").Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-flag", "") }); !slices.Contains(flags, "outside-india") {
		t.Errorf("a session from AE is not flagged outside India: %v", flags)
	}
	video := p.find(`[data-kind="RECORDED_VIDEO"] video`)
	if video.AttrOr("preload", "") != "metadata" || !strings.HasPrefix(video.AttrOr("poster", ""), "/media/") {
		t.Errorf("recorded video = %s", outer(video))
	}
	steps := p.testid("screenshot-step")
	if steps.Length() != 1 || steps.Find(`[data-testid="final-image"]`).Length() != 1 || steps.Find("img").Length() != 2 {
		t.Errorf("screenshot steps: %d steps, %d final, %d images", steps.Length(),
			steps.Find(`[data-testid="final-image"]`).Length(), steps.Find("img").Length())
	}
	if p.find(`[data-kind="DOCUMENT_IMAGE"] img[data-zoomable]`).Length() != 1 {
		t.Errorf("document image not shown as a zoomable image")
	}
	// Flat field values and callback parameters are tables with words for labels.
	fv := p.testid("field-values").Find("table.kv tr")
	cp := p.testid("callback-parameters").Find("table.kv tr")
	if fv.Length() != 1 || strings.TrimSpace(fv.Find("th").Text()) != "Agent's remark" || strings.TrimSpace(fv.Find("td").Text()) != "Accepted" ||
		cp.Length() != 1 || strings.TrimSpace(cp.Find("th").Text()) != "CRM reference" || strings.TrimSpace(cp.Find("td").Text()) != "9912" ||
		strings.TrimSpace(p.testid("feedback").Text()) != "4.5" {
		t.Errorf("call details missing")
	}
	if !strings.Contains(p.testid("video-document").Text(), "age 31") {
		t.Errorf("video document data = %q", p.testid("video-document").Text())
	}
	if labels := p.testid("video-document").Find("th").Map(func(_ int, s *goquery.Selection) string { return s.Text() }); !slices.Equal(labels, []string{"Name", "Date of birth"}) {
		t.Errorf("video document labels = %v, want words in reading order", labels)
	}

	ta.postVCIP(t, webtest.VCIP{SessionID: "sess-in", Name: "IN INDIA", Country: "IN"}.Body())
	p = rev.get(fmt.Sprintf("/cases/%d", ta.caseIDByRef(t, store.SourceVCIP, "sess-in")))
	if p.find(`[data-flag="outside-india"]`).Length() != 0 {
		t.Errorf("a session from India is flagged outside India")
	}
}

// TestUnreadableStoredDataIsShownNotHidden: a case whose stored snapshot or tags no longer decode
// opens with a red banner saying what could not be read, and its queue row is marked; it is never
// silently a blank case.
func TestUnreadableStoredDataIsShownNotHidden(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	ta.postMarkID(t, suspected("broken-1", "ANNA", "BROKEN").Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "broken-1")
	raw, err := sql.Open("sqlite3", ta.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE cases SET snapshot = '{"ref": [', fraud_tags = 'not json' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	p := rev.get(fmt.Sprintf("/cases/%d", id))
	wantStatus(t, "case with unreadable data", p, http.StatusOK)
	banner := p.testid("banner-data-problem")
	if banner.Length() != 2 || !strings.Contains(banner.Text(), "snapshot") || !strings.Contains(banner.Text(), "fraud tags") {
		t.Errorf("data-problem banners = %d %q, want one for the snapshot and one for the fraud tags", banner.Length(), banner.Text())
	}
	if q := rev.get("/cases"); q.testid("data-problem-marker").Length() != 1 {
		t.Errorf("queue shows %d unreadable markers, want 1", q.testid("data-problem-marker").Length())
	}
}
