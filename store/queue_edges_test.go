package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// TestReplayedOldDeliveryKeepsItsDateRange: a quarantined callback replayed after a later one
// made the case restarts the wait no earlier than the case's first callback, so a date filter
// (which the planner walks by waiting time) still finds the case.
func TestReplayedOldDeliveryKeepsItsDateRange(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	t0 := clk.t
	q, err := db.Ingest(ctx, &Incoming{Source: SourceMarkID, ReceivedAt: t0, Body: []byte(`{"odd":1}`), DecodeErr: errors.New("old decoder")})
	if err != nil {
		t.Fatal(err)
	}
	clk.t = t0.Add(2 * time.Hour)
	id := ingestWS(t, db, wsCase{ref: "late-1", first: "ANNA", last: "ROY", overall: StatusSuspected})
	if err := db.Claim(ctx, rev, id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Decide(ctx, rev, DecisionInput{CaseID: id, Outcome: OutcomeAllow, ReasonCode: "face_matches", Note: "ok"}); err != nil {
		t.Fatal(err)
	}
	clk.t = t0.Add(3 * time.Hour)
	if _, err := db.Replay(ctx, SystemActor, q.DeliveryID, wsCase{ref: "late-1", first: "ANNA", last: "ROY", overall: StatusSuspected}.snapshot(), nil); err != nil {
		t.Fatal(err)
	}
	checkQueueKeys(t, db, "replay of an old delivery")
	for _, f := range []QueueFilter{{From: t0.Add(time.Hour)}, {Tab: TabAll, From: t0.Add(time.Hour), To: t0.Add(4 * time.Hour)}} {
		f.ClaimCutoff = clk.t.Add(-time.Hour)
		if want, got := slowQueue(t, db, f), queueIDs(t, db, f); !slices.Equal(got, want) || !slices.Contains(got, id) {
			t.Errorf("Queue(from %s) = %v, want %v with case %d", f.From.Format(time.TimeOnly), got, want, id)
		}
	}
}

// TestOddRedeliveryKeepsTheCaseFindable: a later callback whose verdict and data arrived with
// unexpected types (decoded as empty, with schema warnings) leaves the case waiting for a decision
// and still found by its name.
func TestOddRedeliveryKeepsTheCaseFindable(t *testing.T) {
	db, clk := openWorkspace(t)
	id := ingestWS(t, db, wsCase{ref: "odd-r", first: "ANNA", last: "ROY", overall: StatusSuspected, fraud: []string{"VIRTUAL_CAMERA"}})
	clk.advance(time.Minute)
	s := wsCase{ref: "odd-r"}.snapshot() // what the decoder yields for {"status": {"overall": {…}}, "data": […]}
	s.SchemaWarnings = []SchemaWarning{{Field: "status.overall", Got: "an object", Want: "a string", Value: `{"value":"SUSPECTED"}`},
		{Field: "data", Got: "an array", Want: "an object", Value: `[]`}}
	if _, err := db.Ingest(context.Background(), &Incoming{Source: SourceMarkID, ReceivedAt: db.Now(), Body: []byte(`{}`), Snapshot: s}); err != nil {
		t.Fatal(err)
	}
	checkQueueKeys(t, db, "odd re-delivery")
	cut := clk.t.Add(-time.Hour)
	if got := queueIDs(t, db, QueueFilter{ClaimCutoff: cut}); !slices.Contains(got, id) {
		t.Errorf("needs-decision tab = %v, want case %d still there", got, id)
	}
	if got := queueIDs(t, db, QueueFilter{Tab: TabAll, Query: "anna roy", ClaimCutoff: cut}); !slices.Contains(got, id) {
		t.Errorf("search anna roy = %v, want case %d", got, id)
	}
}

// TestUnknownVerdictNeedsAPerson: an identity check whose verdict is missing or outside the
// specification is shown to a person, like a SUSPECTED one.
func TestUnknownVerdictNeedsAPerson(t *testing.T) {
	for overall, want := range map[string]bool{StatusApproved: false, StatusDenied: false, StatusExpired: false,
		StatusSuspected: true, "": true, "42": true, "REVIEWING": true} {
		s := &Snapshot{Source: SourceMarkID, Status: Status{Overall: overall}}
		if got := s.NeedsDecision(); got != want {
			t.Errorf("NeedsDecision(overall %q) = %v, want %v", overall, got, want)
		}
	}
}

// TestReferencePrefixCountIsALowerBound: a reference prefix shared by more cases than the search
// reads (session IDs that start with a date) gives a count that says it is a lower bound.
func TestReferencePrefixCountIsALowerBound(t *testing.T) {
	db, clk := openWorkspace(t)
	bulkCases(t, db, maxRefMatches+100, clk.t)
	ctx := context.Background()
	n, err := db.QueueCounts(ctx, QueueFilter{Query: "bulk-00", ClaimCutoff: clk.t})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(n.AtLeast, TabAll) || n.All != maxRefMatches {
		t.Errorf("QueueCounts(bulk-00) = %+v, want All = %d marked as a lower bound", n, maxRefMatches)
	}
	n, err = db.QueueCounts(ctx, QueueFilter{Query: "bulk-00012", ClaimCutoff: clk.t})
	if err != nil {
		t.Fatal(err)
	}
	if n.All != 1 || len(n.AtLeast) != 0 {
		t.Errorf("QueueCounts(bulk-00012) = %+v, want exactly one case", n)
	}
}
