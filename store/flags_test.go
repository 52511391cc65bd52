package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// TestHoldPausesTheSLAClock: a hold stops the case's waiting time from growing until its date to
// come back, "next case" passes it by until then, claiming ends it, and the pause moves the case's
// waiting start forward by exactly the time it was held.
func TestHoldPausesTheSLAClock(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	aud := wsUser(t, db, "aud", RoleAuditor)
	held := ingestWS(t, db, wsCase{ref: "held", first: "ANNA", overall: StatusSuspected})
	clk.advance(time.Minute)
	other := ingestWS(t, db, wsCase{ref: "other", first: "BORIS", overall: StatusSuspected})
	start := wsState(t, db, held).WaitingSince

	clk.advance(2 * time.Hour)
	wantErr(t, "hold by an auditor", db.Hold(ctx, aud, held, clk.now().Add(24*time.Hour), "waiting for the customer"), ErrForbidden)
	wantErr(t, "hold without a reason", db.Hold(ctx, rev, held, clk.now().Add(24*time.Hour), "  "), ErrInvalid)
	wantErr(t, "hold into the past", db.Hold(ctx, rev, held, clk.now().Add(-time.Minute), "why"), ErrInvalid)
	wantErr(t, "hold for two months", db.Hold(ctx, rev, held, clk.now().Add(60*24*time.Hour), "why"), ErrInvalid)
	if err := db.Claim(ctx, rev, held); err != nil {
		t.Fatal(err)
	}
	pre, heldAt := clk.now().Sub(start), clk.now()
	if err := db.Hold(ctx, rev, held, clk.now().Add(24*time.Hour), "waiting for the customer's new utility bill"); err != nil {
		t.Fatalf("Hold: %v", err)
	}
	c := wsState(t, db, held)
	if c.Hold == nil || c.Hold.Reason != "waiting for the customer's new utility bill" || c.Hold.ByName != "rev" || c.ClaimedBy != 0 {
		t.Fatalf("after hold: hold %+v, claimed by %d; want the hold in force and the claim let go", c.Hold, c.ClaimedBy)
	}
	wantErr(t, "hold twice", db.Hold(ctx, rev, held, clk.now().Add(48*time.Hour), "again"), ErrConflict)

	clk.advance(5 * time.Hour)
	if got := wsState(t, db, held).Waited(clk.now()); got != pre {
		t.Errorf("waited while on hold = %v, want the %v before the hold", got, pre)
	}
	rows, err := db.Queue(ctx, QueueFilter{Tab: TabNeedsDecision}, nil, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows.Rows {
		if r.ID == held && (r.HeldUntil.IsZero() || r.Waited(clk.now()) != pre) {
			t.Errorf("queue row of the held case: until %v, waited %v; want the hold and %v", r.HeldUntil, r.Waited(clk.now()), pre)
		}
	}
	next, err := db.ClaimNext(ctx, rev, QueueFilter{})
	if err != nil || next != other {
		t.Fatalf("next case while the older one is on hold = %d, %v; want %d", next, err, other)
	}
	onHold, err := db.Queue(ctx, QueueFilter{Tab: TabNeedsDecision, Assignee: AssigneeHeld}, nil, nil, 10)
	if err != nil || len(onHold.Rows) != 1 || onHold.Rows[0].ID != held {
		t.Fatalf("queue filtered to holds = %+v, %v; want just the held case", onHold.Rows, err)
	}

	// Past its date the hold no longer pauses the clock, and the case is next again.
	clk.advance(20 * time.Hour) // 25h after the hold: 1h past its date
	if got := wsState(t, db, held).Waited(clk.now()); got != pre+time.Hour {
		t.Errorf("waited 1h after the hold's date = %v, want %v", got, pre+time.Hour)
	}
	if err := db.Release(ctx, rev, other); err != nil {
		t.Fatal(err)
	}
	next, err = db.ClaimNext(ctx, rev, QueueFilter{})
	if err != nil || next != held {
		t.Fatalf("next case after the hold's date = %d, %v; want the held case %d", next, err, held)
	}
	c = wsState(t, db, held)
	if c.Hold != nil || !c.WaitingSince.Equal(start.Add(24*time.Hour)) {
		t.Errorf("after claiming: hold %+v, waiting since %v; want no hold and the start moved by the 24h held", c.Hold, c.WaitingSince)
	}
	if got := auditActions(t, db, held); !slices.Contains(got, "case.hold") || !slices.Contains(got, "case.resume") {
		t.Errorf("audit = %v, want case.hold and case.resume", got)
	}
	flags, err := db.CaseFlags(ctx, held)
	if err != nil || len(flags) != 2 || flags[0].Kind != FlagHold || flags[1].Kind != FlagResume || !flags[0].Until.Equal(heldAt.Add(24*time.Hour)) {
		t.Errorf("flags = %+v, %v; want the hold (with its date) then the resume", flags, err)
	}
}

// TestResumeAndDecideEndTheHold: resuming early counts only the time held; deciding a held case
// ends its hold in the decision's transaction.
func TestResumeAndDecideEndTheHold(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	id := ingestWS(t, db, wsCase{ref: "r", first: "ANNA", overall: StatusSuspected})
	start := wsState(t, db, id).WaitingSince
	wantErr(t, "resume without a hold", db.Resume(ctx, rev, id), ErrConflict)
	if err := db.Hold(ctx, rev, id, clk.now().Add(72*time.Hour), "ask the vendor"); err != nil {
		t.Fatal(err)
	}
	clk.advance(3 * time.Hour)
	if err := db.Resume(ctx, rev, id); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	if c := wsState(t, db, id); c.Hold != nil || !c.WaitingSince.Equal(start.Add(3*time.Hour)) {
		t.Errorf("after resume: hold %+v, waiting since %v; want none and the start moved by 3h", c.Hold, c.WaitingSince)
	}
	if err := db.Hold(ctx, rev, id, clk.now().Add(72*time.Hour), "ask the vendor again"); err != nil {
		t.Fatal(err)
	}
	clk.advance(time.Hour)
	if err := db.Claim(ctx, rev, id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Decide(ctx, rev, DecisionInput{CaseID: id, Outcome: OutcomeDecline, ReasonCode: "document_forged", Note: "forged"}); err != nil {
		t.Fatalf("Decide: %v", err)
	}
	if c := wsState(t, db, id); c.Hold != nil || !c.WaitingSince.Equal(start.Add(4*time.Hour)) {
		t.Errorf("after deciding: hold %+v, waiting since %v; want none and 4h held in all", c.Hold, c.WaitingSince)
	}
}

// TestEscalateToSupervisors: an escalated case leaves the reviewers' hands until a supervisor
// decides it or sends it back.
func TestEscalateToSupervisors(t *testing.T) {
	db, _ := openWorkspace(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	rev2 := wsUser(t, db, "rev2", RoleReviewer)
	sup := wsUser(t, db, "sup", RoleSupervisor)
	id := ingestWS(t, db, wsCase{ref: "e", first: "ANNA", overall: StatusSuspected})
	if err := db.Claim(ctx, rev, id); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "escalate a case another reviewer holds", db.Escalate(ctx, rev2, id, "not sure"), ErrConflict)
	wantErr(t, "escalate without a reason", db.Escalate(ctx, rev, id, ""), ErrInvalid)
	if err := db.Escalate(ctx, rev, id, "PEP hit on a relative: a supervisor should decide"); err != nil {
		t.Fatalf("Escalate: %v", err)
	}
	c := wsState(t, db, id)
	if c.Escalation == nil || c.Escalation.ByName != "rev" || c.ClaimedBy != 0 {
		t.Fatalf("after escalating: %+v, claimed by %d; want the escalation and the claim let go", c.Escalation, c.ClaimedBy)
	}
	wantErr(t, "a reviewer claims an escalated case", db.Claim(ctx, rev2, id), ErrConflict)
	if _, err := db.ClaimNext(ctx, rev2, QueueFilter{}); !isNotFound(err) {
		t.Errorf("next case for a reviewer = %v, want none: the only case is escalated", err)
	}
	wantErr(t, "hand an escalated case to a reviewer", db.Reassign(ctx, sup, id, rev2.ID), ErrInvalid)
	esc, err := db.Queue(ctx, QueueFilter{Tab: TabNeedsDecision, Assignee: AssigneeEscalated}, nil, nil, 10)
	if err != nil || len(esc.Rows) != 1 || !esc.Rows[0].Escalated {
		t.Fatalf("escalated filter = %+v, %v; want the case", esc.Rows, err)
	}
	wantErr(t, "a reviewer sends it back", db.SendBack(ctx, rev, id, "fine"), ErrForbidden)
	if err := db.SendBack(ctx, sup, id, "The hit is a namesake; decide it as usual."); err != nil {
		t.Fatalf("SendBack: %v", err)
	}
	if err := db.Claim(ctx, rev2, id); err != nil {
		t.Fatalf("a reviewer claims the case sent back: %v", err)
	}
	if err := db.Escalate(ctx, rev2, id, "still unsure"); err != nil {
		t.Fatal(err)
	}
	next, err := db.ClaimNext(ctx, sup, QueueFilter{})
	if err != nil || next != id {
		t.Fatalf("next case for a supervisor = %d, %v; want the escalated case", next, err)
	}
	if _, err := db.Decide(ctx, sup, DecisionInput{CaseID: id, Outcome: OutcomeAllow, ReasonCode: "face_matches", Note: "namesake"}); err != nil {
		t.Fatalf("the supervisor decides: %v", err)
	}
	if c := wsState(t, db, id); c.Escalation != nil {
		t.Errorf("after the decision the case is still escalated: %+v", c.Escalation)
	}
	want := []string{"case.claim", "case.escalate", "case.send_back", "case.claim", "case.escalate", "case.claim", "case.decision"}
	if got := auditActions(t, db, id); !slices.Equal(filterCase(got), want) {
		t.Errorf("audit = %v, want %v", filterCase(got), want)
	}
}

func filterCase(actions []string) []string {
	var out []string
	for _, a := range actions {
		if a != "case.view" {
			out = append(out, a)
		}
	}
	return out
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// TestDashboardOverdueLeavesHeldTimeOut: "over the SLA now" judges a case on hold by the time it
// waited unheld, as its page does.
func TestDashboardOverdueLeavesHeldTimeOut(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	held := ingestWS(t, db, wsCase{ref: "held", first: "ANNA", overall: StatusSuspected})
	ingestWS(t, db, wsCase{ref: "waits", first: "BORIS", overall: StatusSuspected})
	clk.advance(2 * time.Hour)
	if err := db.Hold(ctx, rev, held, clk.now().Add(72*time.Hour), "proof of address"); err != nil {
		t.Fatal(err)
	}
	clk.advance(48 * time.Hour) // both started waiting 50h ago; the held one waited 2h unheld
	d, err := db.Dashboard(ctx, DashboardFilter{From: clk.now().AddDate(0, 0, -7), To: clk.now()})
	if err != nil {
		t.Fatal(err)
	}
	if d.OverdueNow != 1 {
		t.Errorf("over the SLA now = %d, want 1: the case on hold has waited 2h on its clock", d.OverdueNow)
	}
	clk.advance(48 * time.Hour) // the hold's date passed 24h ago: 2h + 24h unheld
	if d, err = db.Dashboard(ctx, DashboardFilter{From: clk.now().AddDate(0, 0, -7), To: clk.now()}); err != nil || d.OverdueNow != 2 {
		t.Errorf("over the SLA now after the hold's date = %d, %v; want 2", d.OverdueNow, err)
	}
}
