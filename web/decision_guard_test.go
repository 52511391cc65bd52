package web

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// TestDecisionOnStaleEvidenceNeedsAFreshLook: a callback that changes the case while the reviewer
// is looking refuses the decision, and the re-shown form must be confirmed again against the new
// evidence; a form that does not say which evidence it saw is refused outright.
func TestDecisionOnStaleEvidenceNeedsAFreshLook(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	cb := suspected("stale-1", "OLGA", "STALE")
	ta.postMarkID(t, cb.Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "stale-1")
	path := fmt.Sprintf("/cases/%d", id)
	rev.postForm(path+"/claim", nil)
	seenBefore := rev.seen

	cb.Fraud = append(cb.Fraud, "DOC_MOBILE_PHOTO") // new evidence arrives
	ta.clock.Advance(1)
	ta.postMarkID(t, cb.Body())

	form := url.Values{"outcome": {"decline"}, "reason": {"document_forged"}, "note": {"forged"}, "confirm": {"1"}, "seen": {seenBefore}}
	p := rev.postForm(path+"/decision", form)
	wantStatus(t, "decision on stale evidence", p, http.StatusConflict)
	if _, checked := p.testid("confirm").Attr("checked"); checked {
		t.Error("the re-shown form still has 'I have checked the evidence' ticked; the reviewer must confirm again")
	}
	if rev.seen == seenBefore {
		t.Error("the re-shown form still points at the old evidence")
	}

	missing := url.Values{"outcome": {"decline"}, "reason": {"document_forged"}, "note": {"forged"}, "confirm": {"1"}, "seen": {""}}
	wantStatus(t, "decision without 'seen'", rev.postForm(path+"/decision", missing), http.StatusConflict)

	// Confirming against the evidence now on screen works.
	form.Set("seen", rev.seen)
	if p := rev.postForm(path+"/decision", form); p.Status != http.StatusOK || p.testid("banner-decided").Length() != 1 {
		t.Errorf("decision after a fresh look: status %d, no decision banner", p.Status)
	}
}

// TestLapsedClaimKeepsTheReviewersNote: a claim that runs out while the reviewer writes does not
// throw their note away; if nobody else took the case it is theirs again, to confirm once more.
func TestLapsedClaimKeepsTheReviewersNote(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	ta.postMarkID(t, suspected("lapse-1", "LEV", "LAPSED").Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "lapse-1")
	path := fmt.Sprintf("/cases/%d", id)
	rev.postForm(path+"/claim", nil)
	ta.clock.Advance(31 * time.Minute)
	note := "Checked the passport against the registry; the photo matches."
	p := rev.postForm(path+"/decision", url.Values{"outcome": {"allow"}, "reason": {"face_matches"}, "note": {note}, "confirm": {"1"}})
	wantStatus(t, "decision after the claim lapsed", p, http.StatusConflict)
	if got := p.find(`textarea[name="note"]`).Text(); got != note {
		t.Errorf("note after the lapse = %q, want the reviewer's text kept", got)
	}
	if _, checked := p.testid("confirm").Attr("checked"); checked {
		t.Error("confirmation still ticked after the lapse")
	}
	rec, err := ta.db.CaseByID(t.Context(), id)
	if err != nil || rec.ClaimedBy != ta.userID(t, "rev") {
		t.Errorf("case claimed by %d after the lapse, want rev again", rec.ClaimedBy)
	}
}

// TestDecidedRowsShowTheDecision: the Pending and Decided tabs say what was decided and by whom.
func TestDecidedRowsShowTheDecision(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	ta.postMarkID(t, suspected("row-dec", "ROW", "DECIDED").Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "row-dec")
	rev.postForm(fmt.Sprintf("/cases/%d/claim", id), nil)
	decide(rev, id, "decline", "document_forged", "forged stamp")
	p := rev.get("/cases?tab=decided")
	if got := p.testid("row-decision").Text(); got != "decline" {
		t.Errorf("decided row decision = %q, want decline", got)
	}
	if got := p.testid("row-decider").Text(); got != "rev" {
		t.Errorf("decided row decider = %q, want rev", got)
	}
	if n := rev.get("/cases").testid("row-decision").Length(); n != 0 {
		t.Errorf("the needs-decision tab shows %d decisions, want none", n)
	}
}
