package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// claimAndDecide claims the case as c and records a complete decision, with the evidence on screen.
func claimAndDecide(t *testing.T, c *client, id int64, outcome, reason, note string) *page {
	t.Helper()
	p := c.postForm(fmt.Sprintf("/cases/%d/claim", id), nil)
	seen, _ := p.find(`input[name="seen"]`).Attr("value")
	return c.postForm(fmt.Sprintf("/cases/%d/decision", id), url.Values{"outcome": {outcome}, "reason": {reason},
		"note": {note}, "confirm": {"1"}, "seen": {seen}})
}

// TestQueueTimeColumnHasOneMeaning: the waiting tabs show how long each case has waited; the
// Decided and All tabs show when each case joined the queue, labelled so, in the order the rows
// are sorted; the case page names its time "first callback".
func TestQueueTimeColumnHasOneMeaning(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	for i, ref := range []string{"t-1", "t-2", "t-3"} {
		ta.postMarkID(t, suspected(ref, "ANNA", fmt.Sprint("TIME", i)).Body())
		ta.clock.Advance(time.Hour)
	}
	// A late callback for the first case: its latest callback is now the newest of all.
	ta.postMarkID(t, webtest.MarkID{ScanRef: "t-1", ClientID: "c-t-1", Overall: "SUSPECTED", Final: true,
		First: "ANNA", Last: "TIME0"}.Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "t-2")
	if p := claimAndDecide(t, rev, id, store.OutcomeDecline, "poor_quality", "blurred"); p.Status != http.StatusOK {
		t.Fatalf("decide: %d", p.Status)
	}
	for _, tab := range []string{"all", "decided"} {
		p := rev.get("/cases?tab=" + tab)
		if h := strings.TrimSpace(p.find("th.c-waited").Text()); h != "Queued" {
			t.Errorf("%s tab: time column heading = %q, want Queued", tab, h)
		}
		var shown []string
		p.find(`[data-testid="row-waited"] time`).Each(func(_ int, s *goquery.Selection) {
			shown = append(shown, s.AttrOr("datetime", ""))
		})
		if len(shown) == 0 || !slices.IsSorted(shown) {
			t.Errorf("%s tab: times shown %v, want them in the rows' (ascending) order", tab, shown)
		}
	}
	needs := rev.get("/cases")
	if h := strings.TrimSpace(needs.find("th.c-waited").Text()); h != "Waiting" {
		t.Errorf("needs-decision tab heading = %q, want Waiting", h)
	}
	if needs.find(`[data-testid="row-waited"] time`).Length() != 0 {
		t.Error("needs-decision tab shows dates where it should show how long each case waited")
	}
	c := rev.get(fmt.Sprintf("/cases/%d", ta.caseIDByRef(t, store.SourceMarkID, "t-1")))
	if !strings.Contains(c.testid("case-first-received").Text(), "first callback") {
		t.Errorf("case page time label = %q, want it to say first callback", c.testid("case-first-received").Text())
	}
}

// TestFailedReplayIsRed: a replay that does not help says so in red, with the parse error, and
// never in the green flash of a success.
func TestFailedReplayIsRed(t *testing.T) {
	ta := newTestApp(t)
	adm := ta.loginAs(t, "adm", store.RoleAdmin)
	res := ta.postMarkID(t, []byte(`{"scanRef": "q-red", "status": `))
	p := adm.postForm(fmt.Sprintf("/admin/deliveries/%d/replay", res.DeliveryID), nil)
	wantStatus(t, "replay", p, http.StatusOK)
	if p.testid("flash").Length() != 0 {
		t.Errorf("a failed replay shows a flash: %q", p.testid("flash").Text())
	}
	e := p.testid("page-error")
	if !e.HasClass("s-red") || !strings.Contains(e.Text(), "still cannot be read") || !strings.Contains(e.Text(), "before the JSON is complete") {
		t.Errorf("failed replay banner = %q (class %q), want a red banner with the parse error", e.Text(), e.AttrOr("class", ""))
	}
}

// TestBadgesAndTimelineSayWhatHappened: a declined case's badge is red and says Declined, an
// allowed one green; after a second approval or a return the timeline no longer says the
// decision waits, and a returned case is held by the reviewer who made the decision.
func TestBadgesAndTimelineSayWhatHappened(t *testing.T) {
	ta := newTestApp(t, withConfig(func(c *Config) { c.FourEyesVCIP = true }))
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	sup := ta.loginAs(t, "sup", store.RoleSupervisor)
	ta.postMarkID(t, suspected("b-decline", "DORA", "DECLINE").Body())
	ta.postMarkID(t, suspected("b-allow", "ALMA", "ALLOW").Body())
	ta.postVCIPRecorded(t, webtest.VCIP{SessionID: "b-vcip", Name: "VEENA RAO", Country: "IN", IP: "49.36.0.1"})
	declined := ta.caseIDByRef(t, store.SourceMarkID, "b-decline")
	allowed := ta.caseIDByRef(t, store.SourceMarkID, "b-allow")
	vc := ta.caseIDByRef(t, store.SourceVCIP, "b-vcip")
	claimAndDecide(t, rev, declined, store.OutcomeDecline, "document_forged", "printed photo")
	claimAndDecide(t, rev, allowed, store.OutcomeAllow, "tags_explained", "namesake")
	for id, want := range map[int64][2]string{declined: {"Declined", "s-red"}, allowed: {"Allowed", "s-green"}} {
		b := rev.get(fmt.Sprintf("/cases/%d", id)).testid("case-review-state")
		if strings.TrimSpace(b.Text()) != want[0] || !b.HasClass(want[1]) {
			t.Errorf("case %d badge = %q (class %q), want %s in %s", id, b.Text(), b.AttrOr("class", ""), want[0], want[1])
		}
	}
	all := rev.get("/cases?tab=all")
	got := map[string]string{}
	all.testid("row-review-state").Each(func(_ int, s *goquery.Selection) { got[strings.TrimSpace(s.Text())] = s.AttrOr("class", "") })
	if !strings.Contains(got["Declined"], "s-red") || !strings.Contains(got["Allowed"], "s-green") {
		t.Errorf("All tab review badges = %v, want Declined red and Allowed green", got)
	}

	claimAndDecide(t, rev, vc, store.OutcomeAllow, "face_matches", "")
	path := fmt.Sprintf("/cases/%d", vc)
	if tl := rev.get(path).testid("timeline-decision").Text(); !strings.Contains(tl, "waits for a second approval") {
		t.Errorf("pending timeline = %q, want it to say the decision waits", tl)
	}
	p := sup.postForm(path+"/return", url.Values{"return_reason": {"Check the PAN card again"}})
	if p.testid("flash").Length() != 1 || !strings.Contains(p.testid("flash").Text(), "holds the case again") {
		t.Errorf("return flash = %q", p.testid("flash").Text())
	}
	if tl := p.testid("timeline-decision").Text(); strings.Contains(tl, "waits") {
		t.Errorf("timeline after the return still says the decision waits: %q", tl)
	}
	if r := p.testid("timeline-returned").Text(); !strings.Contains(r, "sent it back to rev") {
		t.Errorf("return in the timeline = %q, want it to name the reviewer it went back to", r)
	}
	if c, _ := ta.db.CaseByID(t.Context(), vc); c.ClaimedBy != ta.userID(t, "rev") {
		t.Errorf("after the return the case is held by user %d, want the reviewer %d", c.ClaimedBy, ta.userID(t, "rev"))
	}
	if rev.get(path).testid("decision-form").Length() != 1 {
		t.Error("the reviewer the decision went back to has no decision form")
	}
}

// TestDecisionPanelWarnsAndOffersWhatFits: an automatic Mark ID result warns that the manual one
// may still come; a sole supervisor deciding a four-eyes case is told nobody can approve it, and
// Settings and ingest health say so too; a Mark ID case never offers a video-KYC-only reason; a
// supervisor can take a case over; a late callback that makes a held case need no decision
// leaves its holder a Release button.
func TestDecisionPanelWarnsAndOffersWhatFits(t *testing.T) {
	ta := newTestApp(t, withConfig(func(c *Config) { c.FourEyesVCIP = true }))
	sup := ta.loginAs(t, "sup", store.RoleSupervisor, store.RoleReviewer)
	adm := ta.loginAs(t, "adm", store.RoleAdmin)
	ta.postMarkID(t, webtest.MarkID{ScanRef: "w-auto", Overall: "SUSPECTED", Final: false, First: "ANNA", Last: "AUTO"}.Body())
	ta.postVCIP(t, webtest.VCIP{SessionID: "w-vcip", Name: "VEENA RAO", Country: "IN", IP: "49.36.0.1"}.Body())
	auto := ta.caseIDByRef(t, store.SourceMarkID, "w-auto")
	vc := ta.caseIDByRef(t, store.SourceVCIP, "w-vcip")

	p := sup.postForm(fmt.Sprintf("/cases/%d/claim", auto), nil)
	if w := p.testid("decision-warning").Text(); !strings.Contains(w, "automatic result") {
		t.Errorf("automatic Mark ID result: warnings = %q", w)
	}
	var reasons []string
	p.find(`select[name="reason"] option`).Each(func(_ int, s *goquery.Selection) { reasons = append(reasons, s.AttrOr("value", "")) })
	if slices.Contains(reasons, "outside_india") || !slices.Contains(reasons, "document_forged") {
		t.Errorf("Mark ID reasons = %v, want document_forged and not the video-KYC-only outside_india", reasons)
	}
	var names []string
	p.find(`select[name="user_id"] option`).Each(func(_ int, s *goquery.Selection) { names = append(names, s.Text()) })
	if len(names) != 0 {
		t.Errorf("holder's own case offers reassignment to %v, want none (only the holder decides)", names)
	}

	p = sup.postForm(fmt.Sprintf("/cases/%d/claim", vc), nil)
	if w := p.testid("decision-warning").Text(); !strings.Contains(w, "no such supervisor is enabled") {
		t.Errorf("sole supervisor on a four-eyes case: warnings = %q", w)
	}
	for _, path := range []string{"/admin/settings", "/admin/health"} {
		if g := adm.get(path).testid("four-eyes-gap"); !strings.Contains(g.Text(), "Video KYC") {
			t.Errorf("%s: four-eyes gap = %q, want it to name Video KYC", path, g.Text())
		}
	}
	ta.addUser(t, "rev", store.RoleReviewer)
	if g := adm.get("/admin/settings").testid("four-eyes-gap"); g.Length() != 0 {
		t.Errorf("with a reviewer and a supervisor, Settings still warns: %q", g.Text())
	}

	// Another supervisor takes over the first supervisor's case.
	sup2 := ta.loginAs(t, "sup2", store.RoleSupervisor)
	p = sup2.get(fmt.Sprintf("/cases/%d", auto))
	names = nil
	p.find(`select[name="user_id"] option`).Each(func(_ int, s *goquery.Selection) { names = append(names, s.Text()) })
	if !slices.Contains(names, "Me (sup2)") {
		t.Errorf("reassign choices = %v, want the supervisor themself among them", names)
	}

	// The vendor's manual result arrives APPROVED while sup holds the case: no decision is needed
	// any more, and sup can still give the claim back.
	ta.postMarkID(t, webtest.MarkID{ScanRef: "w-auto", Overall: "APPROVED", Final: true, First: "ANNA", Last: "AUTO"}.Body())
	p = sup.get(fmt.Sprintf("/cases/%d", auto))
	if p.testid("release").Length() != 1 {
		t.Errorf("holder of a case that no longer needs a decision has no Release button (state %q)", p.testid("case-review-state").Text())
	}
}

// TestDecideAndNextOverHTTP: with "then open the next case" the reviewer lands on the next case of
// the view they came from, held; with none left, back on that view saying so.
func TestDecideAndNextOverHTTP(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	ta.postMarkID(t, suspected("n-1", "ANNA", "ONE").Body())
	ta.clock.Advance(time.Minute)
	ta.postVCIP(t, webtest.VCIP{SessionID: "n-vcip", Name: "VEENA RAO"}.Body())
	ta.clock.Advance(time.Minute)
	ta.postMarkID(t, suspected("n-2", "ANNA", "TWO").Body())
	one, two := ta.caseIDByRef(t, store.SourceMarkID, "n-1"), ta.caseIDByRef(t, store.SourceMarkID, "n-2")

	from := url.Values{"source": {"markid"}}.Encode()
	p := rev.postForm("/cases/claim-next", url.Values{"from": {from}})
	if p.URL.Path != fmt.Sprintf("/cases/%d", one) {
		t.Fatalf("claim next in the Mark ID view opened %s, want case %d", p.URL, one)
	}
	seen := p.find(`input[name="seen"]`).AttrOr("value", "")
	next := p.find(`input[name="next"]`).AttrOr("value", "")
	if next != from {
		t.Errorf("decision form carries view %q, want %q", next, from)
	}
	p = rev.postForm(fmt.Sprintf("/cases/%d/decision", one), url.Values{"outcome": {"decline"}, "reason": {"poor_quality"},
		"note": {"blurred"}, "confirm": {"1"}, "seen": {seen}, "then_next": {"1"}, "next": {next}})
	if p.URL.Path != fmt.Sprintf("/cases/%d", two) || p.URL.Query().Get("flash") != "decided-next" {
		t.Fatalf("decide and next landed on %s, want case %d (the video-KYC case is outside the view)", p.URL, two)
	}
	if c, _ := ta.db.CaseByID(t.Context(), two); c.ClaimedBy != ta.userID(t, "rev") {
		t.Errorf("the next case is held by %d, want the reviewer", c.ClaimedBy)
	}
	seen = p.find(`input[name="seen"]`).AttrOr("value", "")
	p = rev.postForm(fmt.Sprintf("/cases/%d/decision", two), url.Values{"outcome": {"decline"}, "reason": {"poor_quality"},
		"note": {"blurred"}, "confirm": {"1"}, "seen": {seen}, "then_next": {"1"}, "next": {next}})
	if p.URL.Path != "/cases" || p.URL.Query().Get("source") != "markid" || p.testid("flash").Length() != 1 {
		t.Errorf("with no case left, landed on %s, want the Mark ID view with a flash", p.URL)
	}
}

// TestAuditLogReadsAsWork: a case page view is one entry naming the media it showed (its
// thumbnails add none); views are left out of the log until asked for; entries show the case's
// reference and name and usernames, not internal numbers.
func TestAuditLogReadsAsWork(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	sup := ta.loginAs(t, "sup", store.RoleSupervisor)
	aud := ta.loginAs(t, "aud", store.RoleAuditor)
	ta.postMarkID(t, webtest.MarkID{ScanRef: "aud-noise", Overall: "SUSPECTED", Final: true, First: "ANNA", Last: "NOISE",
		Files: map[string]string{"FRONT": "https://cdn.example/f", "BACK": "https://cdn.example/b", "FACE": "https://cdn.example/s"}}.Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "aud-noise")
	media, err := ta.db.CaseMedia(t.Context(), id)
	if err != nil || len(media) != 3 {
		t.Fatalf("CaseMedia = %d rows, %v", len(media), err)
	}
	for i, m := range media {
		sha, size, err := ta.app.blobs.Put(strings.NewReader(fmt.Sprintf("\x89PNG\r\n\x1a\nfile %d", i)), 0)
		if err != nil {
			t.Fatal(err)
		}
		mustNoErr(t, ta.db.MediaArchived(t.Context(), m.ID, sha, size, "image/png"))
	}
	rev.get(fmt.Sprintf("/cases/%d", id))
	for _, m := range media {
		rev.get(fmt.Sprintf("/media/%d", m.ID))
	}
	if n := auditCount(t, ta, store.AuditFilter{Action: "media.view"}); n != 0 {
		t.Errorf("thumbnails of a viewed case wrote %d media.view entries, want 0", n)
	}
	views, _, err := ta.db.ListAudit(t.Context(), store.AuditFilter{Action: "case.view", CaseID: id}, 0, 5)
	if err != nil || len(views) != 1 || !strings.Contains(views[0].DetailsJSON, fmt.Sprintf("%d", media[0].ID)) {
		t.Fatalf("case views = %+v, %v; want one naming the media shown", views, err)
	}
	// Opening a file without its case page is still recorded on its own.
	sup.get(fmt.Sprintf("/media/%d", media[0].ID))
	if n := auditCount(t, ta, store.AuditFilter{Action: "media.view"}); n != 1 {
		t.Errorf("a file opened without its case wrote %d media.view entries, want 1", n)
	}

	ta.postMarkID(t, suspected("aud-other", "BORIS", "OTHER").Body())
	other := ta.caseIDByRef(t, store.SourceMarkID, "aud-other")
	rev.postForm(fmt.Sprintf("/cases/%d/claim", other), nil)
	sup.postForm(fmt.Sprintf("/cases/%d/reassign", other), url.Values{"user_id": {fmt.Sprint(ta.userID(t, "sup"))}})

	p := aud.get("/audit")
	if p.testid("audit-views-hidden").Length() != 1 {
		t.Error("the audit log does not say views are left out")
	}
	p.testid("audit-row").Each(func(_ int, s *goquery.Selection) {
		if a := s.AttrOr("data-action", ""); a == "case.view" || a == "media.view" {
			t.Errorf("default audit log shows a %s entry", a)
		}
	})
	row := p.find(`[data-testid="audit-row"][data-action="case.reassign"]`)
	if c := row.Find(`[data-testid="audit-case"]`).Text(); !strings.Contains(c, "BORIS OTHER") || !strings.Contains(c, "aud-other") {
		t.Errorf("reassign entry's case = %q, want its reference and name", c)
	}
	if d := row.Find(`[data-testid="audit-details"]`).Text(); !strings.Contains(d, "from=rev") || !strings.Contains(d, "to=sup") {
		t.Errorf("reassign details = %q, want usernames for from and to", d)
	}
	all := aud.get("/audit?views=1")
	if all.find(`[data-testid="audit-row"][data-action="case.view"]`).Length() == 0 {
		t.Error("with views=1 the log shows no case views")
	}
}

func mustNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestQuarantinedBodyCanBeRead: an admin reads a quarantined body (escaped; pretty-printed when it
// parses) before replaying it, and the reading is audited.
func TestQuarantinedBodyCanBeRead(t *testing.T) {
	ta := newTestApp(t)
	adm := ta.loginAs(t, "adm", store.RoleAdmin)
	broken := ta.postMarkID(t, []byte(`{"scanRef": "<script>alert(1)</script>", "status": `))
	// Authenticates and parses as JSON, but names no case: quarantined too.
	parses := ta.postMarkID(t, []byte(`{"final":true,"status":{"overall":"APPROVED"}}`))
	h := adm.get("/admin/health")
	if h.testid("quarantine-view").Length() != 2 {
		t.Fatalf("ingest health offers %d Read links, want 2", h.testid("quarantine-view").Length())
	}
	p := adm.get(fmt.Sprintf("/admin/deliveries/%d", broken.DeliveryID))
	wantStatus(t, "read a quarantined delivery", p, http.StatusOK)
	if b := p.testid("delivery-body").Text(); !strings.Contains(b, `"scanRef": "<script>alert(1)</script>"`) {
		t.Errorf("body shown = %q, want it as received", b)
	}
	if p.find("pre script").Length() != 0 {
		t.Error("the vendor's body became markup")
	}
	if !strings.Contains(p.testid("delivery-error").Text(), "before the JSON is complete") {
		t.Errorf("error shown = %q", p.testid("delivery-error").Text())
	}
	p = adm.get(fmt.Sprintf("/admin/deliveries/%d", parses.DeliveryID))
	if b := p.testid("delivery-body").Text(); !strings.Contains(b, "\n  \"status\": {\n    \"overall\": \"APPROVED\"") {
		t.Errorf("a body that parses is not pretty-printed: %q", b)
	}
	if n := auditCount(t, ta, store.AuditFilter{Action: "delivery.view"}); n != 2 {
		t.Errorf("%d delivery.view entries, want 2", n)
	}
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	if p := rev.get(fmt.Sprintf("/admin/deliveries/%d", broken.DeliveryID)); p.Status != http.StatusForbidden {
		t.Errorf("a reviewer reads a quarantined body: %d", p.Status)
	}
}

// TestQueuePolish: a reversed date range is said, not silently empty; the All tab's empty state
// does not send the reviewer to the All tab; fraud and mismatch tags are told apart.
func TestQueuePolish(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	ta.postMarkID(t, webtest.MarkID{ScanRef: "pol-1", Overall: "SUSPECTED", Final: true, First: "ANNA", Last: "POLISH",
		Fraud: []string{"FACE_SUSPECTED"}, Mismatch: []string{"NAME"}}.Body())
	p := rev.get("/cases?from=2025-12-01&to=2025-11-01")
	if e := p.testid("filter-error").Text(); !strings.Contains(e, "end date is before the start date") {
		t.Errorf("reversed dates: filter errors = %q", e)
	}
	p = rev.get("/cases?tab=all&q=nobody-at-all")
	if h := p.testid("empty").Text(); h == "" || strings.Contains(h, "All tab") {
		t.Errorf("All tab empty state = %q, want one that does not send you to the All tab", h)
	}
	p = rev.get("/cases")
	if p.find(`code.tag-fraud[data-tag="FACE_SUSPECTED"]`).Length() != 1 || p.find(`code.tag-mismatch[data-tag="NAME"]`).Length() != 1 {
		t.Error("queue row does not tell its fraud tag from its mismatch tag")
	}
}

// TestPendingQueueForSupervisors: the pending tab lists decisions by how long they have waited for
// the second look (not by the customer's wait), shows the reviewer's outcome, reason and the first
// line of the note, and the approval can carry a comment that the timeline shows.
func TestPendingQueueForSupervisors(t *testing.T) {
	ta := newTestApp(t, withConfig(func(c *Config) { c.FourEyesVCIP = true }))
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	sup := ta.loginAs(t, "sup", store.RoleSupervisor)
	ta.postVCIPRecorded(t, webtest.VCIP{SessionID: "p-old", Name: "OLDEST CUSTOMER"})
	ta.clock.Advance(time.Hour)
	ta.postVCIPRecorded(t, webtest.VCIP{SessionID: "p-new", Name: "NEWER CUSTOMER"})
	old, newer := ta.caseIDByRef(t, store.SourceVCIP, "p-old"), ta.caseIDByRef(t, store.SourceVCIP, "p-new")
	// The newer customer's case is decided first: its decision has waited longer for approval.
	claimAndDecide(t, rev, newer, store.OutcomeDecline, "poor_quality", "No PAN card shown.\nSecond line.")
	ta.clock.Advance(30 * time.Minute)
	claimAndDecide(t, rev, old, store.OutcomeAllow, "face_matches", "")
	p := sup.get("/cases?tab=pending")
	var order []string
	p.testid("row-link").Each(func(_ int, s *goquery.Selection) { order = append(order, strings.TrimSpace(s.Text())) })
	if fmt.Sprint(order) != "[NEWER CUSTOMER OLDEST CUSTOMER]" {
		t.Errorf("pending tab order = %v, want the decision that has waited longest first", order)
	}
	if h := strings.TrimSpace(p.find("th.c-waited").Text()); h != "Pending for" {
		t.Errorf("pending tab time heading = %q", h)
	}
	why := p.testid("row-pending-why").First().Text()
	if !strings.Contains(why, "Poor quality") || !strings.Contains(why, "No PAN card shown.") || strings.Contains(why, "Second line") {
		t.Errorf("pending row says %q, want the reason and the note's first line", why)
	}
	path := fmt.Sprintf("/cases/%d", newer)
	p = sup.postForm(path+"/approve", url.Values{"approve_comment": {"Agreed: the card never appears."}})
	if !strings.Contains(p.testid("timeline-approved").Text(), "Agreed: the card never appears.") {
		t.Errorf("approval in the timeline = %q, want its comment", p.testid("timeline-approved").Text())
	}
}

// TestCustomerHistory: a case lists the customer's other cases (same client ID, same document
// number, or a duplicate face), linked, with their outcomes; an unrelated case is not listed.
func TestCustomerHistory(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	ta.postMarkID(t, webtest.MarkID{ScanRef: "h-now", ClientID: "cust-7", DocNumber: "P111", Overall: "SUSPECTED", Final: true,
		First: "ANNA", Last: "NOW", DuplicateFaces: []string{"h-face"}}.Body())
	ta.postMarkID(t, webtest.MarkID{ScanRef: "h-client", ClientID: "cust-7", DocNumber: "P999", Overall: "SUSPECTED", Final: true, First: "ANNA", Last: "EARLIER"}.Body())
	ta.postMarkID(t, webtest.MarkID{ScanRef: "h-doc", ClientID: "other", DocNumber: "P111", Overall: "SUSPECTED", Final: true, First: "ANNA", Last: "SAMEDOC"}.Body())
	ta.postMarkID(t, webtest.MarkID{ScanRef: "h-face", ClientID: "third", DocNumber: "Z1", Overall: "SUSPECTED", Final: true, First: "ANNA", Last: "FACE"}.Body())
	ta.postMarkID(t, webtest.MarkID{ScanRef: "h-none", ClientID: "nobody", DocNumber: "Q5", Overall: "SUSPECTED", Final: true, First: "ZED", Last: "NONE"}.Body())
	claimAndDecide(t, rev, ta.caseIDByRef(t, store.SourceMarkID, "h-client"), store.OutcomeDecline, "document_forged", "printout")
	p := rev.get(fmt.Sprintf("/cases/%d", ta.caseIDByRef(t, store.SourceMarkID, "h-now")))
	got := map[string]string{}
	p.testid("related-case").Each(func(_ int, s *goquery.Selection) {
		got[strings.TrimSpace(s.Find("a").Text())] = s.Text()
	})
	for name, want := range map[string][]string{"ANNA EARLIER": {"same client ID", "Declined"}, "ANNA SAMEDOC": {"same document number"},
		"ANNA FACE": {"duplicate face"}} {
		for _, w := range want {
			if !strings.Contains(got[name], w) {
				t.Errorf("customer history for %s = %q, want it to say %q", name, got[name], w)
			}
		}
	}
	if len(got) != 3 {
		t.Errorf("customer history lists %v, want exactly the three related cases", got)
	}
}

// TestAuditDaysInTheViewersZone: the audit log's date filter reads days in the zone the browser
// reports (the rows show times in that zone too), and its rows carry seconds.
func TestAuditDaysInTheViewersZone(t *testing.T) {
	ta := newTestApp(t)
	aud := ta.loginAs(t, "aud", store.RoleAuditor)
	// 20:00 UTC on 20 Nov is 01:30 on 21 Nov in India.
	ta.clock.Set(time.Date(2025, 11, 20, 20, 0, 0, 0, time.UTC))
	mustNoErr(t, ta.db.Audit(t.Context(), store.AuditEntry{Actor: "rev", Action: "case.claim", TargetType: "case", TargetID: "9", CaseID: 9}))
	count := func(q string) int {
		return aud.get("/audit?action=case.claim&" + q).testid("audit-row").Length()
	}
	if n := count("from=2025-11-21&to=2025-11-21&tz=Asia/Kolkata"); n != 1 {
		t.Errorf("21 Nov in India: %d rows, want the 01:30 IST entry", n)
	}
	if n := count("from=2025-11-20&to=2025-11-20&tz=Asia/Kolkata"); n != 0 {
		t.Errorf("20 Nov in India: %d rows, want none", n)
	}
	if n := count("from=2025-11-20&to=2025-11-20"); n != 1 {
		t.Errorf("20 Nov in UTC (no zone given): %d rows, want 1", n)
	}
	p := aud.get("/audit?action=case.claim&tz=Asia/Kolkata")
	if z := p.testid("audit-zone").Text(); !strings.Contains(z, "Asia/Kolkata") {
		t.Errorf("zone note = %q", z)
	}
	if p.find(`[data-testid="audit-row"] time[data-seconds]`).Length() != 1 {
		t.Error("audit rows do not show seconds")
	}
	if u, _ := url.Parse(p.testid("audit-export-csv").AttrOr("href", "")); u == nil || u.Query().Get("tz") != "Asia/Kolkata" {
		t.Errorf("the export link does not carry the zone: %v", u)
	}
	if p := aud.get("/audit?tz=../../etc/passwd"); p.Status != http.StatusOK || strings.Contains(p.testid("audit-zone").Text(), "passwd") {
		t.Errorf("a bad zone name: %d %q, want UTC", p.Status, p.testid("audit-zone").Text())
	}
}

// TestCaseNotes: reviewers and supervisors leave notes at any time; they join the timeline in
// order, are audited by id (the text stays in its row), and an auditor cannot add one.
func TestCaseNotes(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	sup := ta.loginAs(t, "sup", store.RoleSupervisor)
	aud := ta.loginAs(t, "aud", store.RoleAuditor)
	ta.postMarkID(t, suspected("note-1", "ANNA", "NOTES").Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "note-1")
	path := fmt.Sprintf("/cases/%d", id)
	p := rev.postForm(path+"/notes", url.Values{"case_note": {"Can someone check the AML hit? Looks like a namesake."}})
	if p.URL.Query().Get("flash") != "noted" {
		t.Fatalf("note: landed on %s", p.URL)
	}
	ta.clock.Advance(time.Minute)
	sup.postForm(path+"/notes", url.Values{"case_note": {"Namesake: different date of birth."}})
	if p := rev.postForm(path+"/notes", url.Values{"case_note": {"  "}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("empty note: %d, want 422", p.Status)
	}
	notes := sup.get(path).testid("timeline-note")
	if notes.Length() != 2 || !strings.Contains(notes.First().Text(), "namesake") || !strings.Contains(notes.Last().Text(), "different date of birth") {
		t.Errorf("timeline notes = %d %q", notes.Length(), notes.Text())
	}
	if p := aud.postForm(path+"/notes", url.Values{"case_note": {"auditor note"}}); p.Status != http.StatusForbidden {
		t.Errorf("auditor adds a note: %d", p.Status)
	}
	entries, _, err := ta.db.ListAudit(t.Context(), store.AuditFilter{Action: "case.note"}, 0, 10)
	if err != nil || len(entries) != 2 || strings.Contains(entries[0].DetailsJSON, "namesake") {
		t.Errorf("case.note audit = %+v, %v; want two entries naming the note, not its text", entries, err)
	}
}
