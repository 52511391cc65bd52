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
	ta.postVCIP(t, webtest.VCIP{SessionID: "b-vcip", Name: "VEENA RAO", Country: "IN", IP: "49.36.0.1"}.Body())
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
