package store

import (
	"context"
	"testing"
	"time"
)

// TestReturnAndReopenKeepWaitingTime: a case sent back or reopened goes back to the queue at its
// original place; the customer has been waiting since the first callback, not since the send-back.
func TestReturnAndReopenKeepWaitingTime(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	now := t0
	db.Now = func() time.Time { return now }
	rev, _ := db.CreateUser(ctx, SystemActor, "rev", "", "x", []string{RoleReviewer})
	sup, _ := db.CreateUser(ctx, SystemActor, "sup", "", "x", []string{RoleSupervisor})
	res, err := db.Ingest(ctx, incoming(withRecording(&Snapshot{Source: SourceVCIP, Ref: "s-wait"}), "w", t0))
	if err != nil {
		t.Fatal(err)
	}
	id := res.CaseID
	archiveRecording(t, db, id)
	revA, supA := Actor{ID: rev.ID, Name: "rev"}, Actor{ID: sup.ID, Name: "sup"}
	decide := func() {
		t.Helper()
		now = now.Add(time.Hour)
		if err := db.Claim(ctx, revA, id); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Decide(ctx, revA, DecisionInput{CaseID: id, Outcome: OutcomeAllow, ReasonCode: "face_matches", Note: "checked"}); err != nil {
			t.Fatal(err)
		}
	}
	waiting := func(step string) {
		t.Helper()
		c, err := db.CaseByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !c.WaitingSince.Equal(t0) || c.ReviewState != ReviewNeedsDecision {
			t.Errorf("after %s: waiting since %v in %s, want %v in needs_decision", step, c.WaitingSince, c.ReviewState, t0)
		}
	}
	decide()
	now = now.Add(time.Hour)
	if err := db.Return(ctx, supA, id, "look at the PAN again"); err != nil {
		t.Fatal(err)
	}
	waiting("return")
	decide()
	if err := db.Approve(ctx, supA, id, ""); err != nil {
		t.Fatal(err)
	}
	now = now.Add(24 * time.Hour)
	if err := db.Reopen(ctx, supA, id, "customer complaint"); err != nil {
		t.Fatal(err)
	}
	waiting("reopen")
}

// TestDisablingAUserReleasesTheirClaims: nobody can work a case held by an account that is gone.
func TestDisablingAUserReleasesTheirClaims(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	rev, _ := db.CreateUser(ctx, SystemActor, "rev", "", "x", []string{RoleReviewer})
	res, err := db.Ingest(ctx, incoming(markSnap("held", StatusSuspected, false), "held", db.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Claim(ctx, Actor{ID: rev.ID, Name: "rev"}, res.CaseID); err != nil {
		t.Fatal(err)
	}
	off := true
	if err := db.UpdateUser(ctx, SystemActor, rev.ID, UserChange{Disabled: &off}); err != nil {
		t.Fatal(err)
	}
	c, err := db.CaseByID(ctx, res.CaseID)
	if err != nil || c.ClaimedBy != 0 {
		t.Errorf("claim after disabling its holder = %d, %v; want released", c.ClaimedBy, err)
	}
}
