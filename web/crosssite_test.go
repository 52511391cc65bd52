package web

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// TestCrossSiteGETsWriteNothing: a top-level link from another site to a case wrote a case.view
// entry in the victim's name (and kept their claim alive), and one to /audit/export wrote an
// export.audit entry. Such requests now get a "continue" page and write nothing; the continue
// link is same-origin and does what the link meant.
func TestCrossSiteGETsWriteNothing(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	aud := ta.loginAs(t, "aud", store.RoleAuditor)
	ta.postMarkID(t, webtest.MarkID{ScanRef: "xs-1", First: "ANNA", Overall: "SUSPECTED", Final: true}.Body())
	path := fmt.Sprintf("/cases/%d", ta.caseIDByRef(t, store.SourceMarkID, "xs-1"))
	crossSite := func(c *client, path string) *page {
		req, _ := http.NewRequest(http.MethodGet, ta.url+path, nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Sec-Fetch-Mode", "navigate")
		return c.do(req)
	}
	for _, tc := range []struct {
		c            *client
		path, action string
	}{
		{rev, path, "case.view"},
		{aud, "/audit/export?format=csv", "export.audit"},
		{aud, "/audit/report?from=2025-11-01&to=2025-11-30", "export.report"},
	} {
		before := auditCount(t, ta, store.AuditFilter{Action: tc.action})
		p := crossSite(tc.c, tc.path)
		if p.Status != http.StatusOK || p.testid("cross-site").Length() != 1 {
			t.Fatalf("cross-site GET %s = %d without the continue page", tc.path, p.Status)
		}
		if href, _ := p.testid("cross-site-continue").Attr("href"); href != tc.path {
			t.Errorf("continue link = %q, want %q", href, tc.path)
		}
		if n := auditCount(t, ta, store.AuditFilter{Action: tc.action}); n != before {
			t.Errorf("cross-site GET %s wrote %d %s entries, want none", tc.path, n-before, tc.action)
		}
		tc.c.get(tc.path) // the same link followed from our own page (no Sec-Fetch-Site here)
		if n := auditCount(t, ta, store.AuditFilter{Action: tc.action}); n != before+1 {
			t.Errorf("GET %s from KYC Desk wrote %d %s entries, want 1", tc.path, n-before, tc.action)
		}
	}
}

// TestCaseViewDoesNotRefreshClaim: opening a case is not activity on its claim (a link from
// anywhere can open it); only the holder's actions are. A claim viewed 20 minutes in still ends
// at its TTL, and a colleague may then take the case.
func TestCaseViewDoesNotRefreshClaim(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	rev2 := ta.loginAs(t, "rev2", store.RoleReviewer)
	ta.postMarkID(t, webtest.MarkID{ScanRef: "claim-1", First: "ANNA", Overall: "SUSPECTED", Final: true}.Body())
	path := fmt.Sprintf("/cases/%d", ta.caseIDByRef(t, store.SourceMarkID, "claim-1"))
	rev.get(path)
	if p := rev.postForm(path+"/claim", nil); p.Status != http.StatusOK {
		t.Fatalf("claim = %d", p.Status)
	}
	ta.clock.Advance(20 * time.Minute)
	rev.get(path)
	ta.clock.Advance(ta.cfg.ClaimTTL - 20*time.Minute + time.Second)
	rev2.get(path)
	if p := rev2.postForm(path+"/claim", nil); p.Status != http.StatusOK || p.testid("decision-form").Length() != 1 {
		t.Fatalf("colleague's claim after the TTL = %d without the decision form: the view kept the claim alive", p.Status)
	}
}
