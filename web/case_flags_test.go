package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// TestHoldOverHTTP: a reviewer puts a case on hold until a day in their own zone; the page, the
// queue row and the timeline say so, the waited time stops growing, and resuming starts it again.
func TestHoldOverHTTP(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	aud := ta.loginAs(t, "aud", store.RoleAuditor)
	ta.postMarkID(t, suspected("hold-1", "ANNA", "HOLD").Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "hold-1")
	path := fmt.Sprintf("/cases/%d", id)
	rev.postForm(path+"/claim", nil)
	ta.clock.Advance(90 * time.Minute)

	day := ta.clock.Now().In(mustZone(t, "Asia/Kolkata")).AddDate(0, 0, 2).Format(time.DateOnly)
	if p := aud.postForm(path+"/hold", url.Values{"hold_until": {day}, "flag_reason": {"x"}}); p.Status != http.StatusForbidden {
		t.Errorf("an auditor holds a case: %d, want 403", p.Status)
	}
	p := rev.postForm(path+"/hold", url.Values{"hold_until": {"2020-01-01"}, "flag_reason": {"waiting for the customer's utility bill"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.testid("hold-form").Text(), "still ahead") ||
		p.testid("hold-details").AttrOr("open", "none") == "none" || p.testid("hold-reason").Text() != "waiting for the customer's utility bill" {
		t.Fatalf("a hold into the past: %d, form %q; want 422 with the form open, the sentence and the reason kept", p.Status, p.testid("hold-form").Text())
	}
	p = rev.postForm(path+"/hold", url.Values{"hold_until": {day}, "tz": {"Asia/Kolkata"}, "flag_reason": {"waiting for the customer's utility bill"}})
	if p.URL.Query().Get("flash") != "held" || p.testid("banner-hold").Length() != 1 ||
		!strings.Contains(p.testid("banner-hold").Text(), "utility bill") || p.testid("hold-state").Length() != 1 {
		t.Fatalf("after holding: %s, banner %q", p.URL, p.testid("banner-hold").Text())
	}
	rec, err := ta.db.CaseByID(t.Context(), id)
	if err != nil || rec.Hold == nil || rec.Hold.Until.In(mustZone(t, "Asia/Kolkata")).Format("2006-01-02 15:04") != day+" 09:00" {
		t.Fatalf("hold in the store = %+v, %v; want until 09:00 IST on %s", rec.Hold, err, day)
	}
	if p.testid("claim").Length() != 1 {
		t.Errorf("a held case can be claimed again (which ends the hold): no Claim button")
	}

	waited := func() string {
		t.Helper()
		row := rev.get("/cases?assignee=held").testid("queue-row")
		if row.Length() != 1 || row.Find(`[data-testid="row-held"]`).Length() != 1 {
			t.Fatalf("held filter lists %d rows, held badge %d; want the case with its badge", row.Length(), row.Find(`[data-testid="row-held"]`).Length())
		}
		return strings.TrimSpace(row.Find(`[data-testid="row-waited"]`).Text())
	}
	before := waited()
	ta.clock.Advance(5 * time.Hour)
	if after := waited(); after != before || !strings.Contains(before, "1h 30m") {
		t.Errorf("waited on hold went from %q to %q; want 1h 30m both times", before, after)
	}

	p = rev.postForm(path+"/resume", nil)
	if p.URL.Query().Get("flash") != "resumed" || p.testid("banner-hold").Length() != 0 {
		t.Fatalf("after resuming: %s, banner %d", p.URL, p.testid("banner-hold").Length())
	}
	if p.testid("timeline-hold").Length() != 1 || p.testid("timeline-resume").Length() != 1 ||
		!strings.Contains(p.testid("timeline-hold").Text(), "utility bill") {
		t.Errorf("timeline: hold %q, resume %d", p.testid("timeline-hold").Text(), p.testid("timeline-resume").Length())
	}
	if rows := rev.get("/cases?assignee=held").testid("queue-row"); rows.Length() != 0 {
		t.Errorf("held filter after resuming lists %d rows", rows.Length())
	}
}

// TestEscalateOverHTTP: a reviewer escalates; other reviewers can no longer claim or decide the
// case, supervisors find it under "Escalated" and send it back or decide it.
func TestEscalateOverHTTP(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	rev2 := ta.loginAs(t, "rev2", store.RoleReviewer)
	sup := ta.loginAs(t, "sup", store.RoleSupervisor)
	ta.postMarkID(t, suspected("esc-1", "BORIS", "ESCALATE").Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "esc-1")
	path := fmt.Sprintf("/cases/%d", id)
	rev.postForm(path+"/claim", nil)

	if p := rev.postForm(path+"/escalate", url.Values{"flag_reason": {""}}); p.Status != http.StatusUnprocessableEntity ||
		p.testid("escalate-details").AttrOr("open", "none") == "none" || p.testid("hold-form").Find(".field-error").Length() != 0 {
		t.Errorf("escalate without a reason: %d; want 422 with only the escalate form open and flagged", p.Status)
	}
	p := rev.postForm(path+"/escalate", url.Values{"flag_reason": {"PEP hit on a relative <b>check</b>"}})
	if p.URL.Path != "/cases" || p.URL.Query().Get("flash") != "escalated" {
		t.Fatalf("after escalating: landed on %s", p.URL)
	}
	p = rev2.get(path)
	if p.testid("banner-escalated").Length() != 1 || !strings.Contains(p.testid("banner-escalated").Text(), "PEP hit on a relative <b>check</b>") ||
		p.testid("claim").Length() != 0 || p.testid("decision-form").Length() != 0 {
		t.Errorf("a reviewer on the escalated case: banner %q, claim %d, form %d; want the banner and no claim or form",
			p.testid("banner-escalated").Text(), p.testid("claim").Length(), p.testid("decision-form").Length())
	}
	if p := rev2.postForm(path+"/claim", nil); p.Status != http.StatusConflict || !strings.Contains(p.Body, "escalated to the supervisors") {
		t.Errorf("a reviewer claims the escalated case: %d", p.Status)
	}
	rows := sup.get("/cases?assignee=escalated").testid("queue-row")
	if rows.Length() != 1 || rows.Find(`[data-testid="row-escalated"]`).Length() != 1 {
		t.Fatalf("supervisor's escalated filter: %d rows", rows.Length())
	}
	p = sup.get(path)
	if p.testid("send-back-form").Length() != 1 || p.testid("claim").Length() != 1 || p.testid("escalate-form").Length() != 0 {
		t.Errorf("a supervisor on the escalated case: send back %d, claim %d, escalate %d; want send back and claim, no escalate",
			p.testid("send-back-form").Length(), p.testid("claim").Length(), p.testid("escalate-form").Length())
	}
	if p := rev.postForm(path+"/send-back", url.Values{"flag_reason": {"fine"}}); p.Status != http.StatusForbidden {
		t.Errorf("a reviewer sends back: %d, want 403", p.Status)
	}
	p = sup.postForm(path+"/send-back", url.Values{"flag_reason": {"A namesake: different date of birth."}})
	if p.URL.Query().Get("flash") != "sent-back" || p.testid("banner-escalated").Length() != 0 ||
		p.testid("timeline-escalate").Length() != 1 || p.testid("timeline-send_back").Length() != 1 {
		t.Fatalf("after sending back: %s, banner %d", p.URL, p.testid("banner-escalated").Length())
	}
	if p := rev2.postForm(path+"/claim", nil); p.URL.Query().Get("flash") != "claimed" {
		t.Errorf("a reviewer claims the case sent back: %d %s", p.Status, p.URL)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
