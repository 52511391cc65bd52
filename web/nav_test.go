package web

import (
	"fmt"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// TestNavCountsOnEveryPage: the queue counts its tabs once and hands them to the navigation; other
// pages count the two navigation states themselves. Both must say the same.
func TestNavCountsOnEveryPage(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	ta.postMarkID(t, suspected("nav-1", "NINA", "ONE").Body())
	ta.postMarkID(t, suspected("nav-2", "NINA", "TWO").Body())
	ta.postMarkID(t, webtest.MarkID{ScanRef: "nav-3", Overall: "APPROVED", Final: true}.Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "nav-1")
	for _, path := range []string{"/cases", "/cases?source=vcip", fmt.Sprintf("/cases/%d", id)} {
		p := rev.get(path)
		if got := p.testid("nav-queue-count").Text(); got != "2" {
			t.Errorf("%s: nav queue count = %q, want 2", path, got)
		}
		if got := p.testid("nav-pending-count").Text(); got != "0" {
			t.Errorf("%s: nav pending count = %q, want 0", path, got)
		}
	}
	// An auditor's navigation carries no counts, so none are computed for them.
	aud := ta.loginAs(t, "aud", store.RoleAuditor)
	if n := aud.get("/cases?tab=all").testid("nav-queue-count").Length(); n != 0 {
		t.Errorf("auditor nav shows %d counts, want none", n)
	}
}
