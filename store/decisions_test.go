package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

const wsTTL = 30 * time.Minute

// wsUser creates an account and returns it as an actor.
func wsUser(t testing.TB, db *DB, name string, roles ...string) Actor {
	t.Helper()
	u, err := db.CreateUser(context.Background(), SystemActor, name, "", "x", roles)
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return Actor{ID: u.ID, Name: u.Username}
}

func wsState(t *testing.T, db *DB, id int64) CaseRecord {
	t.Helper()
	c, err := db.CaseByID(context.Background(), id)
	if err != nil {
		t.Fatalf("CaseByID(%d): %v", id, err)
	}
	return c
}

// auditActions lists the actions recorded for a case, oldest first.
func auditActions(t *testing.T, db *DB, caseID int64) []string {
	t.Helper()
	var out []string
	err := db.StreamAudit(context.Background(), AuditFilter{CaseID: caseID}, func(e AuditEntry) error {
		out = append(out, e.Action)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: err = %v, want %v", what, err, want)
	}
}

func TestClaimConflictAndExpiry(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx := context.Background()
	a := wsUser(t, db, "rev-a", RoleReviewer)
	b := wsUser(t, db, "rev-b", RoleReviewer)
	id := ingestWS(t, db, wsCase{ref: "c1", first: "ANNA", overall: StatusSuspected})

	if err := db.Claim(ctx, a, id); err != nil {
		t.Fatal(err)
	}
	err := db.Claim(ctx, b, id)
	wantErr(t, "B claims A's case", err, ErrConflict)
	if !strings.Contains(err.Error(), "rev-a is working on this case") {
		t.Errorf("conflict message = %q, want it to name the holder", err)
	}
	_, err = db.Decide(ctx, b, DecisionInput{CaseID: id, Outcome: OutcomeAllow, ReasonCode: "face_matches", Note: "ok"})
	wantErr(t, "B decides A's case", err, ErrConflict)
	wantErr(t, "B releases A's case", db.Release(ctx, b, id), ErrConflict)

	// Viewing is not activity (a page can be opened by a link from anywhere): 20 minutes after
	// the claim A views the case, and the claim still ends at its TTL from the claim.
	clk.advance(20 * time.Minute)
	if err := db.RecordCaseView(ctx, a, id, nil); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "B claims while A's claim is live", db.Claim(ctx, b, id), ErrConflict)
	clk.advance(wsTTL - 20*time.Minute + time.Second)
	if c := wsState(t, db, id); c.ClaimLive(clk.t.Add(-wsTTL)) {
		t.Fatalf("viewing kept the claim alive past its TTL")
	}
	_, err = db.Decide(ctx, a, DecisionInput{CaseID: id, Outcome: OutcomeAllow, ReasonCode: "x", Note: "n"})
	wantErr(t, "A decides after expiry", err, ErrConflict)
	if !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired-claim message = %q", err)
	}
	if err := db.Claim(ctx, b, id); err != nil {
		t.Fatalf("B claims an expired claim: %v", err)
	}
	if c := wsState(t, db, id); c.ClaimedBy != b.ID {
		t.Errorf("holder = %d, want B (%d)", c.ClaimedBy, b.ID)
	}
	if err := db.Release(ctx, b, id); err != nil {
		t.Fatal(err)
	}
	if c := wsState(t, db, id); c.ClaimedBy != 0 {
		t.Errorf("after release holder = %d", c.ClaimedBy)
	}
	got := strings.Join(auditActions(t, db, id), ",")
	if want := "case.claim,case.view,case.claim,case.release"; got != want {
		t.Errorf("audit = %s, want %s", got, want)
	}
}

func TestClaimNextAndReassign(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx := context.Background()
	a := wsUser(t, db, "rev-a", RoleReviewer)
	b := wsUser(t, db, "rev-b", RoleReviewer)
	sup := wsUser(t, db, "sup", RoleSupervisor)
	aud := wsUser(t, db, "aud", RoleAuditor)
	first := ingestWS(t, db, wsCase{ref: "1", first: "A", overall: StatusSuspected})
	clk.advance(time.Second)
	second := ingestWS(t, db, wsCase{ref: "2", first: "B", overall: StatusSuspected})
	clk.advance(time.Second)
	ingestWS(t, db, wsCase{ref: "3", first: "C", overall: StatusApproved, final: true}) // informational

	got, err := db.ClaimNext(ctx, a, QueueFilter{})
	if err != nil || got != first {
		t.Fatalf("ClaimNext(a) = %d, %v; want %d", got, err, first)
	}
	got, err = db.ClaimNext(ctx, b, QueueFilter{})
	if err != nil || got != second {
		t.Fatalf("ClaimNext(b) = %d, %v; want %d", got, err, second)
	}
	_, err = db.ClaimNext(ctx, sup, QueueFilter{})
	wantErr(t, "ClaimNext with nothing left", err, ErrNotFound)

	wantErr(t, "reassign to an auditor", db.Reassign(ctx, sup, first, aud.ID), ErrInvalid)
	wantErr(t, "reassign to nobody", db.Reassign(ctx, sup, first, 999), ErrInvalid)
	if err := db.Reassign(ctx, sup, first, b.ID); err != nil {
		t.Fatal(err)
	}
	if c := wsState(t, db, first); c.ClaimedBy != b.ID {
		t.Errorf("after reassign holder = %d, want %d", c.ClaimedBy, b.ID)
	}
	wantErr(t, "A releases what is now B's", db.Release(ctx, a, first), ErrConflict)
}

func TestDecideValidationAndFourEyes(t *testing.T) {
	db, _ := openWorkspace(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	sup1 := wsUser(t, db, "sup1", RoleSupervisor, RoleReviewer)
	sup2 := wsUser(t, db, "sup2", RoleSupervisor)
	id := ingestWS(t, db, wsCase{source: SourceVCIP, ref: "sess-1", first: "PRIYA", last: "NAIR"})
	c := wsState(t, db, id)

	_, err := db.Decide(ctx, rev, DecisionInput{CaseID: id, Outcome: OutcomeDecline, ReasonCode: "poor_quality"})
	wantErr(t, "decide without a claim", err, ErrConflict)
	if err := db.Claim(ctx, sup1, id); err != nil {
		t.Fatal(err)
	}
	_, err = db.Decide(ctx, sup1, DecisionInput{CaseID: id, Outcome: OutcomeDecline, ReasonCode: "poor_quality"})
	var ve *Error
	if !errors.As(err, &ve) || ve.Fields["note"] == "" || !errors.Is(err, ErrInvalid) {
		t.Fatalf("decline without a note: err = %v, want a note field error", err)
	}
	_, err = db.Decide(ctx, sup1, DecisionInput{CaseID: id, Outcome: "maybe", ReasonCode: ""})
	if !errors.As(err, &ve) || ve.Fields["outcome"] == "" || ve.Fields["reason"] == "" {
		t.Fatalf("bad outcome and no reason: err = %v", err)
	}
	_, err = db.Decide(ctx, sup1, DecisionInput{CaseID: id, Outcome: OutcomeDecline, ReasonCode: "poor_quality",
		Note: "blurry", SeenDelivery: c.SnapshotDelivery + 100})
	wantErr(t, "decide on a stale snapshot", err, ErrConflict)

	d, err := db.Decide(ctx, sup1, DecisionInput{CaseID: id, Outcome: OutcomeDecline, ReasonCode: "poor_quality",
		Note: "Video too dark to see the PAN card.", SeenDelivery: c.SnapshotDelivery})
	if err != nil {
		t.Fatal(err)
	}
	c = wsState(t, db, id)
	if c.ReviewState != ReviewPendingApproval || c.ClaimedBy != 0 || !d.NeedsApproval {
		t.Fatalf("after a four-eyes decision: state %s holder %d needsApproval %v", c.ReviewState, c.ClaimedBy, d.NeedsApproval)
	}
	// Maker ≠ checker, even though sup1 is a supervisor.
	err = db.Approve(ctx, sup1, id, "")
	wantErr(t, "maker approves own decision", err, ErrConflict)
	wantErr(t, "maker returns own decision", db.Return(ctx, sup1, id, "look again"), ErrConflict)
	wantErr(t, "return without reason", db.Return(ctx, sup2, id, " "), ErrInvalid)
	if err := db.Return(ctx, sup2, id, "Check the second screenshot."); err != nil {
		t.Fatal(err)
	}
	if c := wsState(t, db, id); c.ReviewState != ReviewNeedsDecision || c.ClaimedBy != sup1.ID {
		t.Fatalf("after return state = %s, holder %d; want needs_decision, held by the maker %d", c.ReviewState, c.ClaimedBy, sup1.ID)
	}
	wantErr(t, "another reviewer claims a case sent back to its maker", db.Claim(ctx, rev, id), ErrConflict)
	if err := db.Release(ctx, sup1, id); err != nil {
		t.Fatal(err)
	}
	if err := db.Claim(ctx, rev, id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Decide(ctx, rev, DecisionInput{CaseID: id, Outcome: OutcomeAllow, ReasonCode: "face_matches"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Approve(ctx, sup1, id, ""); err != nil {
		t.Fatalf("another supervisor approves: %v", err)
	}
	wantErr(t, "approve twice", db.Approve(ctx, sup2, id, ""), ErrConflict)
	c = wsState(t, db, id)
	if c.ReviewState != ReviewDecided {
		t.Fatalf("after approval state = %s", c.ReviewState)
	}
	ds, err := db.CaseDecisions(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].Outcome != OutcomeDecline || ds[0].Approvals[0].Verdict != VerdictReturned ||
		ds[0].Approvals[0].ByName != "sup2" || ds[1].Approvals[0].Verdict != VerdictApproved || ds[1].DecidedByName != "rev" {
		t.Errorf("decision history = %+v", ds)
	}
	got := strings.Join(auditActions(t, db, id), ",")
	if want := "case.claim,case.decision,case.return,case.release,case.claim,case.decision,case.approve"; got != want {
		t.Errorf("audit = %s, want %s", got, want)
	}
}

func TestAllowSuspectedNeedsNote(t *testing.T) {
	db, _ := openWorkspace(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	id := ingestWS(t, db, wsCase{ref: "s", first: "S", overall: StatusSuspected})
	if err := db.Claim(ctx, rev, id); err != nil {
		t.Fatal(err)
	}
	_, err := db.Decide(ctx, rev, DecisionInput{CaseID: id, Outcome: OutcomeAllow, ReasonCode: "tags_explained"})
	var ve *Error
	if !errors.As(err, &ve) || ve.Fields["note"] == "" {
		t.Fatalf("allow SUSPECTED without note: err = %v", err)
	}
	if _, err := db.Decide(ctx, rev, DecisionInput{CaseID: id, Outcome: OutcomeAllow, ReasonCode: "tags_explained",
		Note: "Tags explained by the customer's travel."}); err != nil {
		t.Fatal(err)
	}
	if c := wsState(t, db, id); c.ReviewState != ReviewDecided {
		t.Errorf("state = %s, want decided (no four-eyes)", c.ReviewState)
	}
}

func TestLateCallbackAndReopen(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	sup := wsUser(t, db, "sup", RoleSupervisor)
	w := wsCase{ref: "late", first: "ANNA", overall: StatusSuspected, fraud: []string{"FACE_SUSPECTED"}}
	id := ingestWS(t, db, w)
	if err := db.Claim(ctx, rev, id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Decide(ctx, rev, DecisionInput{CaseID: id, Outcome: OutcomeAllow, ReasonCode: "face_matches", Note: "ok"}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "reopen without reason", db.Reopen(ctx, sup, id, ""), ErrInvalid)

	clk.advance(time.Hour)
	w.final, w.overall, w.fraud = true, StatusSuspected, []string{"FACE_SUSPECTED", "VIRTUAL_CAMERA"}
	ingestWS(t, db, w)
	c := wsState(t, db, id)
	if c.ReviewState != ReviewNeedsDecision || !c.ChangedAfterDecision {
		t.Fatalf("after a late callback: state %s changed %v", c.ReviewState, c.ChangedAfterDecision)
	}
	ds, _ := db.CaseDecisions(ctx, id)
	if len(ds) != 1 {
		t.Fatalf("late callback touched the decisions: %d", len(ds))
	}
	wantErr(t, "reopen a case that is not decided", db.Reopen(ctx, sup, id, "why"), ErrConflict)
	if err := db.Claim(ctx, rev, id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Decide(ctx, rev, DecisionInput{CaseID: id, Outcome: OutcomeDecline, ReasonCode: "face_mismatch",
		Note: "Virtual camera.", SeenDelivery: c.SnapshotDelivery}); err != nil {
		t.Fatal(err)
	}
	if c := wsState(t, db, id); c.ChangedAfterDecision || c.ReviewState != ReviewDecided {
		t.Fatalf("a new decision leaves changed=%v state=%s", c.ChangedAfterDecision, c.ReviewState)
	}
	if err := db.Reopen(ctx, sup, id, "Customer sent a new passport."); err != nil {
		t.Fatal(err)
	}
	c = wsState(t, db, id)
	if c.ReviewState != ReviewNeedsDecision || !c.WaitingSince.Equal(clk.t) {
		t.Errorf("after reopen: state %s waiting since %v", c.ReviewState, c.WaitingSince)
	}
	rs, err := db.CaseReopens(ctx, id)
	if err != nil || len(rs) != 1 || rs[0].ByName != "sup" || rs[0].Reason != "Customer sent a new passport." {
		t.Errorf("CaseReopens = %+v, %v", rs, err)
	}
	ds, _ = db.CaseDecisions(ctx, id)
	if len(ds) != 2 || ds[0].Outcome != OutcomeAllow || ds[1].Outcome != OutcomeDecline {
		t.Errorf("decisions after reopen = %+v", ds)
	}
}

func TestDecideRollsBackWithAudit(t *testing.T) {
	db, _ := openWorkspace(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	id := ingestWS(t, db, wsCase{ref: "rb", first: "R", overall: StatusSuspected})
	if err := db.Claim(ctx, rev, id); err != nil {
		t.Fatal(err)
	}
	// Break the audit chain's insert: the decision must not commit without its entry.
	if _, err := db.write.ExecContext(ctx, `CREATE TRIGGER ws_block BEFORE INSERT ON audit_log
		WHEN NEW.action = 'case.decision' BEGIN SELECT RAISE(ABORT, 'blocked'); END`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Decide(ctx, rev, DecisionInput{CaseID: id, Outcome: OutcomeAllow, ReasonCode: "face_matches", Note: "y"}); err == nil {
		t.Fatal("Decide succeeded without its audit entry")
	}
	ds, _ := db.CaseDecisions(ctx, id)
	if c := wsState(t, db, id); len(ds) != 0 || c.ReviewState != ReviewNeedsDecision || c.ClaimedBy != rev.ID {
		t.Errorf("after a failed audit: %d decisions, state %s, holder %d", len(ds), c.ReviewState, c.ClaimedBy)
	}
}
