package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"
)

// TestCaseActionsAgreeWithStore puts cases in every review state, with and without claims, and
// for each person and action compares what Rules.Actions says with what the store then does. The
// decision panel shows controls from Actions, so a disagreement is a button that fails or a
// missing button for an action that would work.
func TestCaseActionsAgreeWithStore(t *testing.T) {
	ctx := context.Background()
	type setup struct {
		name  string
		build func(t *testing.T, db *DB, clk *wsClock, rev, sup, other Actor) int64
	}
	setups := []setup{
		{"unclaimed", func(t *testing.T, db *DB, clk *wsClock, rev, sup, other Actor) int64 {
			return ingestWS(t, db, wsCase{ref: "u", first: "U", overall: StatusSuspected})
		}},
		{"claimed by reviewer", func(t *testing.T, db *DB, clk *wsClock, rev, sup, other Actor) int64 {
			id := ingestWS(t, db, wsCase{ref: "c", first: "C", overall: StatusSuspected})
			mustOK(t, db.Claim(ctx, rev, id))
			return id
		}},
		{"reviewer's claim lapsed", func(t *testing.T, db *DB, clk *wsClock, rev, sup, other Actor) int64 {
			id := ingestWS(t, db, wsCase{ref: "l", first: "L", overall: StatusSuspected})
			mustOK(t, db.Claim(ctx, rev, id))
			clk.advance(db.Rules().ClaimTTL + time.Second)
			return id
		}},
		{"pending approval by reviewer", func(t *testing.T, db *DB, clk *wsClock, rev, sup, other Actor) int64 {
			id := ingestWS(t, db, wsCase{source: SourceVCIP, ref: "p", first: "P"})
			mustOK(t, db.Claim(ctx, rev, id))
			_, err := db.Decide(ctx, rev, DecisionInput{CaseID: id, Outcome: OutcomeAllow, ReasonCode: "face_matches"})
			mustOK(t, err)
			return id
		}},
		{"decided", func(t *testing.T, db *DB, clk *wsClock, rev, sup, other Actor) int64 {
			id := ingestWS(t, db, wsCase{ref: "d", first: "D", overall: StatusSuspected})
			mustOK(t, db.Claim(ctx, rev, id))
			_, err := db.Decide(ctx, rev, DecisionInput{CaseID: id, Outcome: OutcomeDecline, ReasonCode: "poor_quality", Note: "blurred"})
			mustOK(t, err)
			return id
		}},
		{"informational", func(t *testing.T, db *DB, clk *wsClock, rev, sup, other Actor) int64 {
			return ingestWS(t, db, wsCase{ref: "i", first: "I", overall: StatusApproved, final: true})
		}},
	}
	actions := []struct {
		name string
		perm func(CaseActions) Permission
		do   func(db *DB, who Actor, id int64, peer Actor) error
	}{
		{"claim", func(a CaseActions) Permission { return a.Claim }, func(db *DB, who Actor, id int64, _ Actor) error { return db.Claim(ctx, who, id) }},
		{"release", func(a CaseActions) Permission { return a.Release }, func(db *DB, who Actor, id int64, _ Actor) error { return db.Release(ctx, who, id) }},
		{"decide", func(a CaseActions) Permission { return a.Decide }, func(db *DB, who Actor, id int64, _ Actor) error {
			_, err := db.Decide(ctx, who, DecisionInput{CaseID: id, Outcome: OutcomeDecline, ReasonCode: "poor_quality", Note: "n"})
			return err
		}},
		{"approve", func(a CaseActions) Permission { return a.Approve }, func(db *DB, who Actor, id int64, _ Actor) error { return db.Approve(ctx, who, id, "") }},
		{"return", func(a CaseActions) Permission { return a.Return }, func(db *DB, who Actor, id int64, _ Actor) error { return db.Return(ctx, who, id, "look again") }},
		{"reopen", func(a CaseActions) Permission { return a.Reopen }, func(db *DB, who Actor, id int64, _ Actor) error { return db.Reopen(ctx, who, id, "new evidence") }},
		{"reassign", func(a CaseActions) Permission { return a.Reassign }, func(db *DB, who Actor, id int64, peer Actor) error { return db.Reassign(ctx, who, id, peer.ID) }},
	}
	people := []string{"reviewer", "supervisor", "other reviewer", "auditor"}
	checked := 0
	for _, st := range setups {
		for _, person := range people {
			for _, act := range actions {
				t.Run(fmt.Sprintf("%s/%s/%s", st.name, person, act.name), func(t *testing.T) {
					t.Parallel()
					db, clk := openWorkspace(t)
					rev := wsUser(t, db, "rev", RoleReviewer)
					sup := wsUser(t, db, "sup", RoleSupervisor)
					other := wsUser(t, db, "rev2", RoleReviewer)
					aud := wsUser(t, db, "aud", RoleAuditor)
					id := st.build(t, db, clk, rev, sup, other)
					who := map[string]Actor{"reviewer": rev, "supervisor": sup, "other reviewer": other, "auditor": aud}[person]
					roles := map[string][]string{"reviewer": {RoleReviewer}, "supervisor": {RoleSupervisor},
						"other reviewer": {RoleReviewer}, "auditor": {RoleAuditor}}[person]
					rec := wsState(t, db, id)
					maker := int64(0)
					if ds, _ := db.CaseDecisions(ctx, id); len(ds) > 0 && rec.ReviewState == ReviewPendingApproval {
						maker = ds[len(ds)-1].DecidedBy
					}
					p := act.perm(db.CaseActions(rec, Viewer{ID: who.ID, Roles: roles}, maker))
					err := act.do(db, who, id, other)
					if p.Allowed != (err == nil) {
						t.Fatalf("Actions says allowed=%v (%q) but the store returned %v", p.Allowed, p.Why, err)
					}
					if !p.Allowed {
						var e *Error
						if !errors.As(err, &e) || e.Message != p.Why {
							t.Errorf("store refused with %v, want the panel's sentence %q", err, p.Why)
						}
					}
				})
				checked++
			}
		}
	}
	if checked != len(setups)*len(people)*len(actions) {
		t.Fatalf("checked %d combinations", checked)
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestRulesValidateRefusesImpossibleValues: NaN, infinities and absurd numbers typed into the
// settings form never become rules.
func TestRulesValidateRefusesImpossibleValues(t *testing.T) {
	for _, h := range []float64{0, -1, 721, 1e300, posInf(), negInf(), nan()} {
		r := DefaultRules()
		r.SLA = DurationFromHours(h)
		var e *Error
		if err := r.Validate(); !errors.As(err, &e) || e.Fields["sla_hours"] == "" {
			t.Errorf("SLA of %v hours: Validate() = %v, want an sla_hours field error", h, err)
		}
	}
	for _, m := range []int{0, -5, 1441, 1 << 40} {
		r := DefaultRules()
		r.ClaimTTL = DurationFromMinutes(m)
		var e *Error
		if err := r.Validate(); !errors.As(err, &e) || e.Fields["claim_minutes"] == "" {
			t.Errorf("claim timeout of %d minutes: Validate() = %v, want a claim_minutes field error", m, err)
		}
	}
	if err := DefaultRules().Validate(); err != nil {
		t.Errorf("DefaultRules().Validate() = %v", err)
	}
}

func posInf() float64 { return math.Inf(1) }
func negInf() float64 { return math.Inf(-1) }
func nan() float64    { return math.NaN() }
