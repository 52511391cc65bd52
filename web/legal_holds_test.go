package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/kycdesk/kycdesk/store"
)

// heldCase posts a Mark ID case of client with one archived picture, has rev decline it (so that
// retention applies to it) and returns its id and the picture's SHA-256.
func heldCase(t *testing.T, ta *testApp, rev *client, ref, clientID string) (int64, string) {
	t.Helper()
	ctx := context.Background()
	m := suspected(ref, "ASHA", "RAO")
	m.ClientID = clientID
	m.Files = map[string]string{"FRONT": "https://cdn.example/" + ref + "/front.png"}
	ta.postMarkID(t, m.Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, ref)
	media, err := ta.db.CaseMedia(ctx, id)
	if err != nil || len(media) != 1 {
		t.Fatalf("media of %s: %v %v", ref, media, err)
	}
	sha, size, err := ta.app.blobs.Put(strings.NewReader("\x89PNG\r\n\x1a\n"+ref), 0)
	mustNoErr(t, err)
	mustNoErr(t, ta.db.MediaArchived(ctx, media[0].ID, sha, size, "image/png"))
	path := fmt.Sprintf("/cases/%d", id)
	rev.get(path)
	rev.postForm(path+"/claim", nil)
	wantStatus(t, "decide "+ref, decide(rev, id, "decline", "document_forged", "Photo page replaced."), http.StatusOK)
	return id, sha
}

// mediaState is the state of the case's one media row, and whether its file is still on disk.
func mediaState(t *testing.T, ta *testApp, id int64, sha string) string {
	t.Helper()
	media, err := ta.db.CaseMedia(context.Background(), id)
	if err != nil || len(media) != 1 {
		t.Fatalf("media of case %d: %v %v", id, media, err)
	}
	if _, err := os.Stat(ta.app.blobs.Path(sha)); err == nil {
		return media[0].State + "+file"
	}
	return media[0].State
}

// holdRows are the page's rows as "scope case client covers reason by".
func holdRows(p *page) []string {
	var out []string
	p.testid("hold-row").Each(func(_ int, s *goquery.Selection) {
		cell := func(id string) string { return strings.TrimSpace(s.Find(`[data-testid="` + id + `"]`).Text()) }
		out = append(out, strings.Join([]string{cell("hold-scope"), cell("hold-case"), cell("hold-client"), cell("hold-covers"),
			cell("hold-reason"), cell("hold-set-by")}, " | "))
	})
	return out
}

// holdLiftAction is the Lift form's address of the row whose client (or case) cell is key.
func holdLiftAction(t *testing.T, p *page, key string) string {
	t.Helper()
	var action string
	p.testid("hold-row").Each(func(_ int, s *goquery.Selection) {
		if strings.TrimSpace(s.Find(`[data-testid="hold-client"]`).Text()) == key ||
			strings.TrimSpace(s.Find(`[data-testid="hold-case"]`).Text()) == key {
			action, _ = s.Find(`[data-testid="hold-lift-form"]`).Attr("action")
		}
	})
	if action == "" {
		t.Fatalf("no Lift form on the row of %s; rows %q", key, holdRows(p))
	}
	return action
}

// holdAudit lists the legal hold entries as "action actor target case_id".
func holdAudit(t *testing.T, ta *testApp) []string {
	t.Helper()
	var out []string
	err := ta.db.StreamAudit(context.Background(), store.AuditFilter{Action: "case."}, func(e store.AuditEntry) error {
		if strings.HasPrefix(e.Action, "case.legal_hold") {
			out = append(out, fmt.Sprintf("%s %s %s:%s %d", e.Action, e.Actor, e.TargetType, e.TargetID, e.CaseID))
		}
		return nil
	})
	mustNoErr(t, err)
	return out
}

// TestAdminPlacesAndLiftsLegalHolds: an admin, who has no case pages, holds one case by its number
// and every case of a client by its ID from the legal holds page; the retention purge keeps those
// cases' media and purges the others; the audit names the admin; once the admin lifts the client
// hold with a reason, the purge takes that client's media. Bad input is answered on the form.
func TestAdminPlacesAndLiftsLegalHolds(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	revPW := ta.addUser(t, "rev", store.RoleReviewer)
	rev := ta.login(t, "rev", revPW)
	a1, sha1 := heldCase(t, ta, rev, "lh-a1", "cust-1")
	a2, sha2 := heldCase(t, ta, rev, "lh-a2", "cust-1")
	b, shaB := heldCase(t, ta, rev, "lh-b", "cust-2")
	free, shaFree := heldCase(t, ta, rev, "lh-free", "cust-3")

	admPW := ta.addUser(t, "adm", store.RoleAdmin)
	adm := ta.login(t, "adm", admPW)
	p := adm.get("/legal-holds")
	wantStatus(t, "admin opens the page", p, http.StatusOK)
	if p.testid("nav-legal-holds").Length() != 1 || p.testid("empty").Length() != 1 {
		t.Fatalf("page without the nav link or the empty state: %s", p.Body)
	}
	if got := adm.get(fmt.Sprintf("/cases/%d", b)); got.Status != http.StatusForbidden {
		t.Errorf("admin opens a case page: status %d, want 403", got.Status)
	}

	// Bad input: the form again with a sentence beside the field, never a 500.
	long := strings.Repeat("x", store.MaxHoldReason+1)
	for _, bad := range []struct {
		what  string
		form  url.Values
		field string
		says  string
	}{
		{"no reason", url.Values{"scope": {"case"}, "legal_hold_case": {fmt.Sprint(b)}, "legal_hold_reason": {"  "}}, "legal_hold_reason", "Give the reason"},
		{"reason too long", url.Values{"scope": {"case"}, "legal_hold_case": {fmt.Sprint(b)}, "legal_hold_reason": {long}}, "legal_hold_reason", "at most 500"},
		{"unknown case", url.Values{"scope": {"case"}, "legal_hold_case": {"99999"}, "legal_hold_reason": {"Order 1"}}, "legal_hold_case", "No case has the number 99999"},
		{"not a number", url.Values{"scope": {"case"}, "legal_hold_case": {"lh-b"}, "legal_hold_reason": {"Order 1"}}, "legal_hold_case", "Give the case number"},
		{"no case number", url.Values{"scope": {"case"}, "legal_hold_reason": {""}}, "legal_hold_case", "Give the case number"},
		{"unknown client", url.Values{"scope": {"client"}, "legal_hold_client_id": {"cust-404"}, "legal_hold_reason": {"Order 1"}}, "legal_hold_client_id", "No case has the client ID “cust-404”"},
		{"no client", url.Values{"scope": {"client"}, "legal_hold_reason": {"Order 1"}}, "legal_hold_client_id", "Give the client ID"},
		{"client, no reason", url.Values{"scope": {"client"}, "legal_hold_client_id": {"cust-1"}}, "legal_hold_reason", "Give the reason"},
		{"client, reason too long", url.Values{"scope": {"client"}, "legal_hold_client_id": {"cust-1"}, "legal_hold_reason": {long}}, "legal_hold_reason", "at most 500"},
	} {
		got := adm.postForm("/legal-holds", bad.form)
		wantStatus(t, bad.what, got, http.StatusUnprocessableEntity)
		form := "hold-" + bad.form.Get("scope") + "-form"
		if msg := got.testid(form).Find(`[data-testid="error-` + bad.field + `"]`).Text(); !strings.Contains(msg, bad.says) {
			t.Errorf("%s: %s error %q, want it to say %q", bad.what, bad.field, msg, bad.says)
		}
		if v, _ := got.testid("hold-client-id").Attr("value"); bad.form.Get("scope") == "client" && v != bad.form.Get("legal_hold_client_id") {
			t.Errorf("%s: the client ID typed is not kept: %q", bad.what, v)
		}
	}
	if got := adm.postForm("/legal-holds", url.Values{"legal_hold_case": {fmt.Sprint(b)}, "legal_hold_reason": {"x"}}); got.Status != http.StatusBadRequest {
		t.Errorf("no scope: status %d, want 400", got.Status)
	}
	if n := auditCount(t, ta, store.AuditFilter{Action: "case.legal_hold"}); n != 0 {
		t.Fatalf("refused forms wrote %d hold entries", n)
	}

	p = adm.postForm("/legal-holds", url.Values{"scope": {"case"}, "legal_hold_case": {fmt.Sprint(b)}, "legal_hold_reason": {"Court order 7/2026"}})
	wantStatus(t, "hold a case", p, http.StatusOK)
	if !strings.Contains(p.testid("flash").Text(), "Legal hold placed on the case") {
		t.Errorf("flash = %q", p.testid("flash").Text())
	}
	p = adm.postForm("/legal-holds", url.Values{"scope": {"client"}, "legal_hold_client_id": {"cust-1"}, "legal_hold_reason": {"Subpoena 19, Mumbai"}})
	wantStatus(t, "hold a client", p, http.StatusOK)
	if !strings.Contains(p.testid("flash").Text(), "every case of the client") {
		t.Errorf("flash = %q", p.testid("flash").Text())
	}
	want := []string{
		"client | all | cust-1 | 2 cases | Subpoena 19, Mumbai | adm",
		fmt.Sprintf("case | %d | cust-2 | 1 case | Court order 7/2026 | adm", b),
	}
	if got := holdRows(p); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if p.testid("hold-case-link").Length() != 0 || strings.Contains(p.Body, `href="/cases/`) {
		t.Errorf("an admin's page links to case pages")
	}
	if got := p.testid("holds-count").Text(); got != "2" {
		t.Errorf("count = %q", got)
	}
	if got := strings.Join(holdAudit(t, ta), "\n"); got != fmt.Sprintf("case.legal_hold adm case:%d %d\ncase.legal_hold adm client:cust-1 0", b, b) {
		t.Errorf("audit:\n%s", got)
	}

	ta.clock.Advance(200 * 24 * time.Hour)
	run, err := ta.db.ApplyRetention(ctx, ta.app.blobs.Remove)
	if err != nil || run.MediaCases != 1 {
		t.Fatalf("retention under the holds: %+v %v", run, err)
	}
	for _, c := range []struct {
		id   int64
		sha  string
		want string
	}{{a1, sha1, "archived+file"}, {a2, sha2, "archived+file"}, {b, shaB, "archived+file"}, {free, shaFree, "purged"}} {
		if got := mediaState(t, ta, c.id, c.sha); got != c.want {
			t.Errorf("case %d media after the purge: %s, want %s", c.id, got, c.want)
		}
	}

	// Sessions do not last 200 days: sign in again. An empty lift reason is refused on the row.
	adm = ta.login(t, "adm", admPW)
	p = adm.get("/legal-holds")
	lift := holdLiftAction(t, p, "cust-1")
	bad := adm.postForm(lift, url.Values{"legal_hold_lift_reason": {" "}})
	wantStatus(t, "lift without a reason", bad, http.StatusUnprocessableEntity)
	if msg := bad.testid("error-legal_hold_lift_reason").Text(); !strings.Contains(msg, "Say why the hold ends") {
		t.Errorf("lift error = %q", msg)
	}
	if n := bad.find(`[data-testid="hold-lift"][open]`).Length(); n != 1 {
		t.Errorf("%d Lift forms open after the refusal, want the refused row's", n)
	}
	p = adm.postForm(lift, url.Values{"legal_hold_lift_reason": {"Subpoena withdrawn"}})
	wantStatus(t, "lift", p, http.StatusOK)
	if !strings.Contains(p.testid("flash").Text(), "Legal hold lifted") || len(holdRows(p)) != 1 {
		t.Errorf("after the lift: flash %q, rows %q", p.testid("flash").Text(), holdRows(p))
	}
	again := adm.postForm(lift, url.Values{"legal_hold_lift_reason": {"Again"}})
	wantStatus(t, "lift twice", again, http.StatusConflict)
	if !strings.Contains(again.testid("page-error").Text(), "already been lifted") {
		t.Errorf("second lift says %q", again.testid("page-error").Text())
	}
	if run, err = ta.db.ApplyRetention(ctx, ta.app.blobs.Remove); err != nil || run.MediaCases != 2 {
		t.Fatalf("retention after the lift: %+v %v", run, err)
	}
	for _, c := range []struct {
		id   int64
		sha  string
		want string
	}{{a1, sha1, "purged"}, {a2, sha2, "purged"}, {b, shaB, "archived+file"}} {
		if got := mediaState(t, ta, c.id, c.sha); got != c.want {
			t.Errorf("case %d media after the lift: %s, want %s", c.id, got, c.want)
		}
	}
	audit := holdAudit(t, ta)
	if last := audit[len(audit)-1]; last != "case.legal_hold_lifted adm client:cust-1 0" {
		t.Errorf("lift entry = %q (all %q)", last, audit)
	}
	if n, brk, err := ta.db.VerifyAudit(ctx); err != nil || brk != nil {
		t.Fatalf("audit verify: %d %+v %v", n, brk, err)
	}
}

// TestLegalHoldsPageRoles: supervisors use the page too (with links to the cases); reviewers and
// auditors are refused the page and its forms; the list pages past the newest 100.
func TestLegalHoldsPageRoles(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	aud := ta.loginAs(t, "aud", store.RoleAuditor)
	sup := ta.loginAs(t, "sup", store.RoleSupervisor)
	id, _ := heldCase(t, ta, rev, "lh-s1", "cust-9")

	p := sup.get("/legal-holds")
	wantStatus(t, "supervisor opens the page", p, http.StatusOK)
	if p.testid("nav-legal-holds").Length() != 1 {
		t.Errorf("no Legal holds link in a supervisor's nav")
	}
	// A pasted case address works as the case number.
	p = sup.postForm("/legal-holds", url.Values{"scope": {"case"}, "legal_hold_case": {fmt.Sprintf("%s/cases/%d", ta.url, id)},
		"legal_hold_reason": {"Police request 88"}})
	wantStatus(t, "supervisor holds a case", p, http.StatusOK)
	if href, _ := p.testid("hold-case-link").Attr("href"); href != fmt.Sprintf("/cases/%d", id) {
		t.Errorf("a supervisor's row links to %q", href)
	}
	if got := sup.get(fmt.Sprintf("/cases/%d", id)).testid("legal-hold-banner").Text(); !strings.Contains(got, "Police request 88") {
		t.Errorf("the case page does not show the hold: %q", got)
	}
	lift := holdLiftAction(t, sup.get("/legal-holds"), fmt.Sprint(id))

	for name, c := range map[string]*client{"reviewer": rev, "auditor": aud} {
		if c == rev {
			c.get("/cases")
		} else {
			c.get("/audit")
		}
		if got := c.get("/legal-holds"); got.Status != http.StatusForbidden || got.testid("nav-legal-holds").Length() != 0 {
			t.Errorf("%s GET /legal-holds: status %d, nav link %d", name, got.Status, got.testid("nav-legal-holds").Length())
		}
		c.get("/")
		for path, form := range map[string]url.Values{
			"/legal-holds": {"scope": {"client"}, "legal_hold_client_id": {"cust-9"}, "legal_hold_reason": {"mine"}},
			lift:           {"legal_hold_lift_reason": {"mine"}},
		} {
			if got := c.postForm(path, form); got.Status != http.StatusForbidden {
				t.Errorf("%s POST %s: status %d, want 403", name, path, got.Status)
			}
		}
	}
	if n := auditCount(t, ta, store.AuditFilter{Action: "case.legal_hold"}); n != 1 {
		t.Errorf("hold entries = %d, want the supervisor's one", n)
	}
	if got := strings.Join(holdAudit(t, ta), "\n"); got != fmt.Sprintf("case.legal_hold sup case:%d %d", id, id) {
		t.Errorf("audit = %s", got)
	}

	// Past the first 100 holds, the page pages.
	supActor := store.Actor{ID: ta.userID(t, "sup"), Name: "sup"}
	for i := 0; i < store.HoldPageSize; i++ {
		mustNoErr(t, ta.db.PlaceHold(ctx, supActor, id, false, fmt.Sprintf("Order %03d", i)))
	}
	p = sup.get("/legal-holds")
	if n := p.testid("hold-row").Length(); n != store.HoldPageSize || p.testid("holds-count").Text() != "101" {
		t.Fatalf("first page: %d rows, count %q", n, p.testid("holds-count").Text())
	}
	next, _ := p.testid("holds-next").Attr("href")
	p = sup.get(next)
	if rows := holdRows(p); len(rows) != 1 || !strings.Contains(rows[0], "Police request 88") || p.testid("holds-newest").Length() != 1 {
		t.Errorf("older page %s: %q", next, rows)
	}
	// Lifting from an older page returns to it.
	lift = holdLiftAction(t, p, fmt.Sprint(id))
	before := strings.TrimPrefix(next, "/legal-holds?before=")
	p = sup.postForm(lift, url.Values{"legal_hold_lift_reason": {"Request closed"}, "before": {before}})
	wantStatus(t, "lift from the older page", p, http.StatusOK)
	if p.URL.Query().Get("before") != before || len(holdRows(p)) != 0 {
		t.Errorf("after the lift: %s, rows %q", p.URL, holdRows(p))
	}
	// Find: the holds that cover a client ID or a case number.
	if n := sup.get("/legal-holds?find=cust-9").testid("hold-row").Length(); n != store.HoldPageSize {
		t.Errorf("find cust-9: %d rows", n)
	}
	if n := sup.get("/legal-holds?find=cust-1").testid("hold-row").Length(); n != 0 {
		t.Errorf("find cust-1: %d rows", n)
	}
}
