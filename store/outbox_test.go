package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// eventTypes lists the outbox's events of a case, oldest first.
func eventTypes(t *testing.T, db *DB, caseID int64) []string {
	t.Helper()
	evs, err := db.CaseEvents(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func messagesTo(t *testing.T, db *DB, endpointID int64) int {
	t.Helper()
	var n int
	if err := db.read.QueryRow(`SELECT COUNT(*) FROM webhook_messages WHERE endpoint_id = ?`, endpointID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOutboxEventsWithEachStep: each step of review writes its event in its own transaction; a
// refused step writes none; late callbacks and (opt-in) new cases are announced; each endpoint
// gets only the types it subscribed to.
func TestOutboxEventsWithEachStep(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	rev, _ := db.CreateUser(ctx, SystemActor, "rev", "", "x", []string{RoleReviewer})
	sup, _ := db.CreateUser(ctx, SystemActor, "sup", "", "x", []string{RoleSupervisor})
	revA, supA := Actor{ID: rev.ID, Name: "rev"}, Actor{ID: sup.ID, Name: "sup"}
	all, err := db.CreateEndpoint(ctx, SystemActor, "https://bank.test/all", EventTypes, "whsec_AAAA")
	if err != nil {
		t.Fatal(err)
	}
	decidedOnly, err := db.CreateEndpoint(ctx, SystemActor, "https://bank.test/decided", []string{EventDecided}, "whsec_AAAA")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateEndpoint(ctx, SystemActor, "https://bank.test/x", []string{"case.exploded"}, "whsec_AAAA"); !errors.Is(err, ErrInvalid) {
		t.Errorf("an endpoint for an unknown type = %v, want ErrInvalid", err)
	}

	res, err := db.Ingest(ctx, incoming(withRecording(&Snapshot{Source: SourceVCIP, Ref: "s-1"}), "v1", now))
	if err != nil {
		t.Fatal(err)
	}
	id := res.CaseID
	archiveRecording(t, db, id)
	decide := func() {
		t.Helper()
		if err := db.Claim(ctx, revA, id); err != nil {
			t.Fatal(err)
		}
		// Video KYC: the default rules want a second approval.
		if _, err := db.Decide(ctx, revA, DecisionInput{CaseID: id, Outcome: OutcomeAllow, ReasonCode: "face_matches",
			Note: "n"}); err != nil {
			t.Fatal(err)
		}
	}
	decide()
	// A refused step (the maker approving their own decision) writes no event.
	if err := db.Approve(ctx, revA, id, ""); err == nil {
		t.Fatal("the reviewer approved their own decision")
	}
	if err := db.Return(ctx, supA, id, "look again"); err != nil {
		t.Fatal(err)
	}
	decide()
	if err := db.Approve(ctx, supA, id, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Ingest(ctx, incoming(&Snapshot{Source: SourceVCIP, Ref: "s-1", ClientID: "later"}, "v2", now)); err != nil {
		t.Fatal(err)
	}
	decide()
	if err := db.Approve(ctx, supA, id, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.Reopen(ctx, supA, id, "complaint"); err != nil {
		t.Fatal(err)
	}
	want := []string{EventReceived, EventDecisionPending, EventReturned, EventDecisionPending, EventDecided, EventChanged,
		EventDecisionPending, EventDecided, EventReopened}
	if got := eventTypes(t, db, id); !equalStrings(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
	if n := messagesTo(t, db, all.ID); n != len(want) {
		t.Errorf("the all-types endpoint has %d messages, want %d", n, len(want))
	}
	if n := messagesTo(t, db, decidedOnly.ID); n != 2 {
		t.Errorf("the case.decided endpoint has %d messages, want 2", n)
	}
	evs, _ := db.CaseEvents(ctx, id)
	d := evs[4].Data
	if d.Outcome != OutcomeAllow || d.ReasonLabel != "Face matches" || d.DecidedBy != "rev" || d.ApprovedBy != "sup" || d.ApprovedAt == nil ||
		d.Source != SourceVCIP || d.Ref != "s-1" || d.Sequence != evs[4].ID {
		t.Errorf("case.decided data = %+v, want rev's allow approved by sup", d)
	}
	if evs[0].MsgID == evs[1].MsgID || len(evs[0].MsgID) < 20 {
		t.Errorf("webhook ids %q, %q: want distinct random ids", evs[0].MsgID, evs[1].MsgID)
	}
}

// TestCaseReceivedIsOptIn: with no endpoint asking for case.received, ingest writes no event.
func TestCaseReceivedIsOptIn(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	if _, err := db.CreateEndpoint(ctx, SystemActor, "https://bank.test/d", nil, "whsec_AAAA"); err != nil {
		t.Fatal(err)
	}
	res, err := db.Ingest(ctx, incoming(&Snapshot{Source: SourceVCIP, Ref: "s-2"}, "v", now))
	if err != nil {
		t.Fatal(err)
	}
	if got := eventTypes(t, db, res.CaseID); len(got) != 0 {
		t.Errorf("events of a new case with no case.received subscriber = %v, want none", got)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
