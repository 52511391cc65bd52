package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"
)

// snapDecode is the store tests' vendor decoder: the body is a Snapshot's JSON.
func snapDecode(_ Source, body []byte) (*Snapshot, error) {
	var s Snapshot
	if err := json.Unmarshal(body, &s); err != nil {
		return nil, fmt.Errorf("not a snapshot: %w", err)
	}
	return &s, nil
}

// snapIncoming is a delivery whose body is its snapshot, so the deriver can decode it again.
func snapIncoming(t *testing.T, s *Snapshot, at time.Time) *Incoming {
	t.Helper()
	body, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return incoming(s, string(body), at)
}

func waitBacklog(t *testing.T, db *DB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := db.WaitBacklogEmpty(ctx); err != nil {
		t.Fatal(err)
	}
}

// deliveryRow is what the case history shows of one delivery.
type deliveryRow struct {
	Outcome, Ref, Overall, Error string
	CaseRef                      string
	Applied                      bool
	DuplicateOf                  int64
	Derived                      bool
}

func deliveryRows(t *testing.T, db *DB) []deliveryRow {
	t.Helper()
	rows, err := db.read.Query(`SELECT d.outcome, d.ref, d.overall, d.error, COALESCE(c.ref, ''), d.applied,
		COALESCE(d.duplicate_of, 0), d.derived FROM deliveries d LEFT JOIN cases c ON c.id = d.case_id ORDER BY d.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []deliveryRow
	for rows.Next() {
		var r deliveryRow
		if err := rows.Scan(&r.Outcome, &r.Ref, &r.Overall, &r.Error, &r.CaseRef, &r.Applied, &r.DuplicateOf, &r.Derived); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// derivedCase is a case as the queue and the case page show it.
type derivedCase struct {
	Ref, Overall, State, Waiting string
	Final, Changed               bool
	Deliveries, Media, Tags      int
	Search                       string
}

func derivedCases(t *testing.T, db *DB) []derivedCase {
	t.Helper()
	rows, err := db.read.Query(`SELECT c.ref, c.overall, c.review_state, c.waiting_since, c.final, c.changed_after_decision, c.delivery_count,
		(SELECT COUNT(*) FROM media m WHERE m.case_id = c.id), (SELECT COUNT(*) FROM case_tags g WHERE g.case_id = c.id),
		COALESCE((SELECT group_concat(term, ' ') FROM (SELECT term FROM case_terms WHERE case_id = c.id ORDER BY term)), '')
		FROM cases c ORDER BY c.source, c.ref`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []derivedCase
	for rows.Next() {
		var c derivedCase
		if err := rows.Scan(&c.Ref, &c.Overall, &c.State, &c.Waiting, &c.Final, &c.Changed, &c.Deliveries, &c.Media, &c.Tags, &c.Search); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// TestDeriverMatchesInline sends the same deliveries, in the same order, to a desk that derives
// each case inside the acknowledged transaction and to one that derives it afterwards: the cases,
// their history (which delivery applied, which is a duplicate) and the queue's counts come out
// identical. The sequence covers the ordering rules: auto → final → a late auto (the final stays),
// a final that arrives before an older auto, EXPIRED, a byte-identical retry, and no reference.
func TestDeriverMatchesInline(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	vcip := &Snapshot{Source: SourceVCIP, Ref: "v-1", Person: Person{FullName: "PRIYA RAGHAVAN"},
		Status: Status{Overall: StatusApproved, Final: ptr(true)},
		Media:  []MediaRef{{Kind: MediaFront, URL: "https://vcip.example.test/v-1/rec.mp4"}, {Kind: MediaFace, URL: "https://vcip.example.test/v-1/face.jpg"}}}
	seq := func(t *testing.T) []*Incoming {
		dup := snapIncoming(t, markSnap("m-dup", StatusSuspected, false, "FACE_SUSPECTED"), t0)
		retry := *dup
		return []*Incoming{
			snapIncoming(t, markSnap("m-1", StatusSuspected, false, "FACE_IN_BLACKLIST"), t0),
			snapIncoming(t, markSnap("m-1", StatusApproved, true), t0.Add(time.Minute)),
			snapIncoming(t, markSnap("m-1", StatusSuspected, false, "NAME"), t0.Add(2*time.Minute)),
			snapIncoming(t, markSnap("m-2", StatusDenied, true, "DOC_FAKE"), t0.Add(3*time.Minute)),
			snapIncoming(t, markSnap("m-2", StatusSuspected, false), t0.Add(-time.Minute)), // older, arrives later
			snapIncoming(t, markSnap("m-3", StatusExpired, true), t0),
			dup, &retry,
			snapIncoming(t, &Snapshot{Source: SourceMarkID}, t0), // no reference: quarantined
			snapIncoming(t, vcip, t0),
		}
	}
	run := func(t *testing.T, decode func(Source, []byte) (*Snapshot, error)) ([]derivedCase, []deliveryRow, map[string]int) {
		db := openTest(t)
		g := db.NewIngester(IngesterOptions{MaxBatch: 8, Decode: decode})
		for _, in := range seq(t) {
			if _, err := g.Submit(context.Background(), in); err != nil {
				t.Fatal(err)
			}
		}
		waitBacklog(t, db)
		g.Close()
		counts, err := db.stateCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return derivedCases(t, db), deliveryRows(t, db), counts
	}
	wantCases, wantDeliveries, wantCounts := run(t, nil)
	gotCases, gotDeliveries, gotCounts := run(t, snapDecode)
	if !reflect.DeepEqual(gotCases, wantCases) {
		t.Errorf("derived cases differ from inline:\n got %+v\nwant %+v", gotCases, wantCases)
	}
	if !reflect.DeepEqual(gotDeliveries, wantDeliveries) {
		t.Errorf("derived deliveries differ from inline:\n got %+v\nwant %+v", gotDeliveries, wantDeliveries)
	}
	if !reflect.DeepEqual(gotCounts, wantCounts) {
		t.Errorf("state counts = %v, inline %v", gotCounts, wantCounts)
	}
	// And the rules themselves, so the two cannot agree on something wrong.
	byRef := map[string]derivedCase{}
	for _, c := range gotCases {
		byRef[c.Ref] = c
	}
	if c := byRef["m-1"]; c.Overall != StatusApproved || !c.Final || c.Deliveries != 3 {
		t.Errorf("m-1 = %+v, want APPROVED final with 3 deliveries (the late automatic one does not win)", c)
	}
	if c := byRef["m-2"]; c.Overall != StatusDenied || !c.Final || c.Deliveries != 2 {
		t.Errorf("m-2 = %+v, want DENIED final with 2 deliveries", c)
	}
	if c := byRef["m-dup"]; c.Deliveries != 1 {
		t.Errorf("m-dup = %+v, want 1 delivery (the retry is a duplicate)", c)
	}
	if d := gotDeliveries[7]; d.Outcome != OutcomeDuplicate || d.CaseRef != "m-dup" || d.DuplicateOf == 0 {
		t.Errorf("the retry = %+v, want a duplicate on case m-dup", d)
	}
	if d := gotDeliveries[8]; d.Outcome != OutcomeQuarantined || d.Error == "" {
		t.Errorf("the delivery without a reference = %+v, want quarantined with the reason", d)
	}
	for i, d := range gotDeliveries {
		if !d.Derived {
			t.Errorf("delivery %d still marked underived: %+v", i, d)
		}
	}
}

// stateCounts reads the trigger-kept counts of cases by review state.
func (db *DB) stateCounts(ctx context.Context) (map[string]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT state, n FROM state_counts WHERE kind = 'case'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// TestDeriverResumesFromTable: deliveries acknowledged by a process that died before deriving them
// (rows in the inbox above the mark, nothing in memory) are moved and derived, in order, by the
// next ingester as soon as it starts; one whose body no longer decodes ends in the quarantine with
// the reason, and a retry of a first delivery that was still underived is linked to its case.
func TestDeriverResumesFromTable(t *testing.T) {
	db := openTest(t)
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	first := snapIncoming(t, markSnap("r-1", StatusSuspected, false), t0)
	retry := *first
	broken := incoming(markSnap("r-bad", StatusApproved, true), "{not json", t0)
	items := []*Incoming{first, snapIncoming(t, markSnap("r-1", StatusDenied, true), t0.Add(time.Minute)), &retry, broken,
		snapIncoming(t, markSnap("r-2", StatusApproved, true), t0)}
	res, _, err := db.insertInboxBatch(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	if res[2].Outcome != OutcomeDuplicate || res[2].CaseID != 0 || res[2].DuplicateOf != res[0].DeliveryID {
		t.Fatalf("retry before derivation = %+v, want a duplicate of %d without a case yet", res[2], res[0].DeliveryID)
	}
	// The duplicate waits in the inbox too: it is not in the case history yet.
	if b, err := db.DeriveBacklog(context.Background()); err != nil || b.Count != 5 || !b.Oldest.Equal(t0) {
		t.Fatalf("DeriveBacklog = %+v, %v; want 5 waiting since %s", b, err, t0)
	}
	if cs := derivedCases(t, db); len(cs) != 0 {
		t.Fatalf("cases before derivation = %+v, want none", cs)
	}

	// OnDerived is told after each derivation commit: the test waits for it rather than assuming
	// that an empty backlog (which another goroutine sees at the commit) means it has already run.
	derived := make(chan int, 16)
	g := db.NewIngester(IngesterOptions{Decode: snapDecode, OnDerived: func(n int) {
		select {
		case derived <- n:
		default:
		}
	}})
	defer g.Close()
	waitBacklog(t, db)
	if c := readCase(t, db, SourceMarkID, "r-1"); c.overall != StatusDenied || !c.final || c.deliveries != 2 {
		t.Errorf("r-1 = %+v, want DENIED final with 2 deliveries", c)
	}
	readCase(t, db, SourceMarkID, "r-2")
	ds := deliveryRows(t, db)
	if ds[2].CaseRef != "r-1" {
		t.Errorf("the retry = %+v, want it linked to case r-1", ds[2])
	}
	if ds[3].Outcome != OutcomeQuarantined || ds[3].Error == "" || ds[3].Ref != "" {
		t.Errorf("the undecodable delivery = %+v, want quarantined with the reason", ds[3])
	}
	if ids, err := db.QuarantinedIDs(context.Background()); err != nil || len(ids) != 1 || ids[0] != res[3].DeliveryID {
		t.Errorf("QuarantinedIDs = %v, %v; want [%d]", ids, err, res[3].DeliveryID)
	}
	if b, err := db.DeriveBacklog(context.Background()); err != nil || b.Count != 0 || !b.Oldest.IsZero() {
		t.Errorf("DeriveBacklog after = %+v, %v; want empty", b, err)
	}
	select {
	case n := <-derived:
		if n <= 0 {
			t.Errorf("OnDerived(%d), want the number of cases derived", n)
		}
	case <-time.After(time.Minute):
		t.Error("OnDerived was never called")
	}
}

// TestIngesterDeriveConcurrent: 300 concurrent senders through a small queue (so it overflows and
// the deriver falls back to the table) all end up as cases, and WaitDerived returns for each.
func TestIngesterDeriveConcurrent(t *testing.T) {
	db := openTest(t)
	g := db.NewIngester(IngesterOptions{MaxBatch: 16, Decode: snapDecode, queue: 4})
	defer g.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 300)
	for i := range 300 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ref := fmt.Sprintf("w%03d", i)
			res, err := g.Submit(context.Background(), snapIncoming(t, markSnap(ref, StatusSuspected, false), time.Now()))
			if err == nil {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				err = db.WaitDerived(ctx, res.DeliveryID)
				cancel()
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if cs := derivedCases(t, db); len(cs) != 300 {
		t.Errorf("cases = %d, want 300", len(cs))
	}
	if err := db.WaitDerived(context.Background(), 1_000_000); !errors.Is(err, ErrNotFound) {
		t.Errorf("WaitDerived(no such delivery) = %v, want ErrNotFound", err)
	}
}

// TestDeriverResumesSealedBodies: with a data key the backlog read back from the table is sealed
// on disk, and the deriver opens it before decoding: the case is derived as from memory.
func TestDeriverResumesSealedBodies(t *testing.T) {
	db := openTest(t)
	raw := make([]byte, DataKeySize)
	raw[0] = 7
	key, err := NewDataKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	db.SetDataKeys(KeyringOf(key))
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if _, _, err := db.insertInboxBatch(context.Background(), []*Incoming{snapIncoming(t, markSnap("sealed-1", StatusApproved, true), t0)}); err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := db.openedInbox().read.QueryRow(`SELECT body FROM inbox ORDER BY id DESC LIMIT 1`).Scan(&stored); err != nil || !IsSealed(stored) {
		t.Fatalf("inbox body sealed = %v (%v), want sealed", IsSealed(stored), err)
	}
	g := db.NewIngester(IngesterOptions{Decode: snapDecode})
	defer g.Close()
	waitBacklog(t, db)
	if c := readCase(t, db, SourceMarkID, "sealed-1"); c.overall != StatusApproved || !c.final {
		t.Errorf("sealed-1 = %+v, want APPROVED final", c)
	}
	if ids, err := db.QuarantinedIDs(context.Background()); err != nil || len(ids) != 0 {
		t.Errorf("QuarantinedIDs = %v, %v; want none", ids, err)
	}
}
