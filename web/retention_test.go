package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// TestLegalHoldAndPurgeOnCasePage: a supervisor places a hold on every case of a client from the
// case page (audited), a held case survives the retention job, and once the hold is lifted the
// purge runs and the case page says "media purged on <date> under <policy>; hashes kept".
func TestLegalHoldAndPurgeOnCasePage(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	ta.postMarkID(t, suspected("held-1", "ASHA", "RAO").Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "held-1")
	path := fmt.Sprintf("/cases/%d", id)
	revPW := ta.addUser(t, "rev", store.RoleReviewer)
	rev := ta.login(t, "rev", revPW)
	rev.postForm(path+"/claim", nil)
	wantStatus(t, "decide", decide(rev, id, "decline", "document_forged", "Photo page replaced."), http.StatusOK)
	if rev.get(path).testid("legal-hold-form").Length() != 0 {
		t.Errorf("a reviewer is offered the legal hold form")
	}

	supPW := ta.addUser(t, "sup", store.RoleSupervisor)
	sup := ta.login(t, "sup", supPW)
	sup.get(path)
	bad := sup.postForm(path+"/legal-hold", url.Values{"legal_hold_client": {"1"}})
	wantStatus(t, "hold without reason", bad, http.StatusUnprocessableEntity)
	if bad.testid("legal-hold-form").Find(".field-error").Length() == 0 {
		t.Errorf("no field error beside the hold reason")
	}
	p := sup.postForm(path+"/legal-hold", url.Values{"legal_hold_client": {"1"}, "legal_hold_reason": {"Court order 44/2026"}})
	wantStatus(t, "hold", p, http.StatusOK)
	if got := p.testid("legal-hold-banner").Text(); !strings.Contains(got, "client client-held-1") || !strings.Contains(got, "Court order 44/2026") {
		t.Errorf("hold banner = %q", got)
	}

	ta.clock.Advance(200 * 24 * time.Hour)
	if run, err := ta.db.ApplyRetention(ctx, ta.app.blobs.Remove); err != nil || run.MediaCases != 0 {
		t.Fatalf("retention under a hold: %+v %v", run, err)
	}
	// Sessions do not last 200 days: sign in again.
	sup, rev = ta.login(t, "sup", supPW), ta.login(t, "rev", revPW)
	lift, _ := sup.get(path).testid("legal-hold-lift-form").Attr("action")
	if lift == "" {
		t.Fatal("no lift form")
	}
	wantStatus(t, "lift", sup.postForm(lift, url.Values{"legal_hold_lift_reason": {"Order expired"}}), http.StatusOK)
	if run, err := ta.db.ApplyRetention(ctx, ta.app.blobs.Remove); err != nil || run.MediaCases != 1 {
		t.Fatalf("retention after the lift: %+v %v", run, err)
	}
	page := rev.get(path)
	got := page.testid("purged-banner").Text()
	if !strings.Contains(got, "Media purged on") || !strings.Contains(got, "any/any: media 180 d") || !strings.Contains(got, "hashes kept") {
		t.Errorf("purged banner = %q", got)
	}
	if page.testid("timeline-decision").Length() != 1 {
		t.Errorf("the decision is not on the page after the purge")
	}
	var acts []string
	_ = ta.db.StreamAudit(ctx, store.AuditFilter{CaseID: id}, func(e store.AuditEntry) error {
		if strings.HasPrefix(e.Action, "case.legal_hold") || e.Action == "retention.purge" {
			acts = append(acts, e.Action)
		}
		return nil
	})
	if strings.Join(acts, " ") != "case.legal_hold case.legal_hold_lifted retention.purge" {
		t.Errorf("audit = %v", acts)
	}
}
