package store

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestRoleGrantsNeedASecondAdmin: with four-eyes on and two admins, an admin's grant of reviewer or
// supervisor waits; the same admin cannot approve it, a second one can; roles taken away go at once.
func TestRoleGrantsNeedASecondAdmin(t *testing.T) {
	db, _ := openWorkspace(t)
	ctx := context.Background()
	a1 := wsUser(t, db, "admin1", RoleAdmin)

	// One admin: nobody to ask, so the grant is immediate (and the report will flag the pair).
	solo, err := db.CreateUser(ctx, a1, "solo", "", "x", []string{RoleReviewer})
	if err != nil || !solo.Has(RoleReviewer) {
		t.Fatalf("a grant with one admin = %v, %v; want immediate", solo.Roles, err)
	}
	a2 := wsUser(t, db, "admin2", RoleAdmin)
	if on, why, err := db.GrantApprovalInForce(ctx); err != nil || !on {
		t.Fatalf("grant approval with two admins and four-eyes on video KYC: %v %q %v", on, why, err)
	}

	maker, err := db.CreateUser(ctx, a1, "maker9", "", "x", []string{RoleReviewer, RoleAuditor})
	if err != nil {
		t.Fatal(err)
	}
	if maker.Has(RoleReviewer) || !maker.Has(RoleAuditor) {
		t.Errorf("maker9 holds %v at once; want auditor only until a second admin approves reviewer", maker.Roles)
	}
	grants, err := db.PendingGrants(ctx)
	if err != nil || len(grants) != 1 || grants[0].Username != "maker9" || !slices.Equal(grants[0].Added(), []string{RoleReviewer}) {
		t.Fatalf("pending grants = %+v, %v", grants, err)
	}
	wantErr(t, "the asking admin approves", db.DecideGrant(ctx, a1, grants[0].ID, true), ErrConflict)
	wantErr(t, "a reviewer approves", db.DecideGrant(ctx, Actor{ID: solo.ID, Name: "solo"}, grants[0].ID, true), ErrForbidden)
	if err := db.DecideGrant(ctx, a2, grants[0].ID, true); err != nil {
		t.Fatalf("the second admin approves: %v", err)
	}
	if u, _ := db.UserByID(ctx, maker.ID); !u.Has(RoleReviewer) {
		t.Errorf("after approval maker9 holds %v", u.Roles)
	}
	wantErr(t, "approve twice", db.DecideGrant(ctx, a2, grants[0].ID, true), ErrConflict)

	// A role change: the removal at once, the new supervisor role waits; a new change supersedes it.
	if err := db.UpdateUser(ctx, a1, maker.ID, UserChange{Roles: []string{RoleSupervisor}}); err != nil {
		t.Fatal(err)
	}
	if u, _ := db.UserByID(ctx, maker.ID); len(u.Roles) != 0 {
		t.Errorf("after asking for supervisor instead of reviewer: holds %v, want nothing until approved", u.Roles)
	}
	if err := db.UpdateUser(ctx, a1, maker.ID, UserChange{Roles: []string{RoleAuditor}}); err != nil {
		t.Fatal(err)
	}
	if g, _ := db.PendingGrants(ctx); len(g) != 0 {
		t.Errorf("a change that grants nothing held still leaves %+v pending", g)
	}
	// Admin is held too: a second admin account of one admin's making could approve their grants.
	if _, err := db.CreateUser(ctx, a1, "admin3", "", "x", []string{RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	if g, _ := db.PendingGrants(ctx); len(g) != 1 || g[0].Username != "admin3" {
		t.Errorf("an admin grant: pending %+v, want it to wait", g)
	}
	g, _ := db.PendingGrants(ctx)
	if err := db.DecideGrant(ctx, a2, g[0].ID, false); err != nil {
		t.Fatal(err)
	}
	if u, _ := db.UserByUsername(ctx, "admin3"); u.Has(RoleAdmin) {
		t.Errorf("a rejected grant was applied: %v", u.Roles)
	}
	r := db.Rules()
	r.GrantApproval = false
	if _, err := db.SaveRules(ctx, a2, r); err != nil {
		t.Fatal(err)
	}
	if u, err := db.CreateUser(ctx, a1, "quick", "", "x", []string{RoleReviewer}); err != nil || !u.Has(RoleReviewer) {
		t.Errorf("with the setting off: %v, %v; want immediate", u.Roles, err)
	}
}

// TestReportListsMakerAndCheckerOfOneAdmin: the audit report names second approvals whose maker and
// checker accounts the same admin created or last changed.
func TestReportListsMakerAndCheckerOfOneAdmin(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx := context.Background()
	a1 := wsUser(t, db, "admin1", RoleAdmin) // alone: grants take effect at once
	u1, _ := db.CreateUser(ctx, a1, "maker9", "", "x", []string{RoleReviewer})
	u2, _ := db.CreateUser(ctx, a1, "checker9", "", "x", []string{RoleSupervisor})
	other := wsUser(t, db, "sup-other", RoleSupervisor) // the desk made it: no admin
	maker, checker := Actor{ID: u1.ID, Name: "maker9"}, Actor{ID: u2.ID, Name: "checker9"}
	from := clk.now()
	decideApprove := func(ref string, sup Actor) {
		t.Helper()
		id := ingestWS(t, db, wsCase{source: SourceVCIP, ref: ref, first: "ANNA"})
		if err := db.Claim(ctx, maker, id); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Decide(ctx, maker, DecisionInput{CaseID: id, Outcome: OutcomeAllow, ReasonCode: "face_matches", Note: "ok"}); err != nil {
			t.Fatal(err)
		}
		if err := db.Approve(ctx, sup, id, ""); err != nil {
			t.Fatal(err)
		}
		clk.advance(time.Minute)
	}
	decideApprove("same-admin", checker)
	decideApprove("two-people", other)
	r, err := db.Report(ctx, from, clk.now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.SameAdmin) != 1 || r.SameAdmin[0].Ref != "same-admin" || r.SameAdmin[0].Admin != "admin1" ||
		r.SameAdmin[0].Maker != "maker9" || r.SameAdmin[0].Checker != "checker9" {
		t.Fatalf("same-admin pairs = %+v; want the one case maker9 and checker9 decided", r.SameAdmin)
	}
}
