package store

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func ptr[T any](v T) *T { return &v }

func markSnap(ref, overall string, final bool, fraud ...string) *Snapshot {
	return &Snapshot{Source: SourceMarkID, Ref: ref, ClientID: "client-" + ref,
		Person: Person{FirstName: "ANNA", LastName: "KOVALENKO"},
		Status: Status{Overall: overall, Final: ptr(final), FraudTags: fraud},
		Media:  []MediaRef{{Kind: MediaFront, URL: "https://media.example.test/" + ref + "/front.png"}}}
}

func incoming(s *Snapshot, body string, at time.Time) *Incoming {
	return &Incoming{Source: s.Source, ReceivedAt: at, RemoteAddr: "192.0.2.1",
		Headers: http.Header{"Authorization": {"Bearer secret"}, "Idenfy-Signature": {"abc"}}, Body: []byte(body), Snapshot: s}
}

type ingestedCase struct {
	overall, state string
	final          bool
	deliveries     int
	changed        bool
}

func readCase(t *testing.T, db *DB, source Source, ref string) ingestedCase {
	t.Helper()
	var c ingestedCase
	err := db.read.QueryRow(`SELECT overall, review_state, final, delivery_count, changed_after_decision FROM cases WHERE source = ? AND ref = ?`,
		source, ref).Scan(&c.overall, &c.state, &c.final, &c.deliveries, &c.changed)
	if err != nil {
		t.Fatalf("read case %s: %v", ref, err)
	}
	return c
}

func TestIngestFinalWinsOverLateAuto(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	if _, err := db.Ingest(ctx, incoming(markSnap("s1", StatusApproved, true), `{"final":true}`, t0)); err != nil {
		t.Fatal(err)
	}
	// The automatic result arrives late, after the manual one.
	if _, err := db.Ingest(ctx, incoming(markSnap("s1", StatusSuspected, false, "FACE_SUSPECTED"), `{"final":false}`, t0.Add(time.Minute))); err != nil {
		t.Fatal(err)
	}
	got := readCase(t, db, SourceMarkID, "s1")
	want := ingestedCase{overall: StatusApproved, state: ReviewInformational, final: true, deliveries: 2}
	if got != want {
		t.Errorf("case after final then auto = %+v, want %+v", got, want)
	}
	hist, err := db.CaseDeliveries(ctx, 1)
	if err != nil || len(hist) != 2 {
		t.Fatalf("CaseDeliveries = %d rows, %v; want 2", len(hist), err)
	}
	if !hist[0].Applied || hist[1].Applied {
		t.Errorf("applied flags = %v,%v; want true,false", hist[0].Applied, hist[1].Applied)
	}
}

func TestIngestAutoThenManualAndExpired(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	steps := []struct {
		snap *Snapshot
		body string
		want ingestedCase
	}{
		{markSnap("s2", StatusSuspected, false, "DOC_MOBILE_PHOTO"), "a", ingestedCase{StatusSuspected, ReviewNeedsDecision, false, 1, false}},
		{markSnap("s2", StatusDenied, true), "b", ingestedCase{StatusDenied, ReviewInformational, true, 2, false}},
		{markSnap("s3", StatusExpired, false), "c", ingestedCase{StatusExpired, ReviewInformational, false, 1, false}},
	}
	for i, s := range steps {
		if _, err := db.Ingest(ctx, incoming(s.snap, s.body, t0.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
		if got := readCase(t, db, SourceMarkID, s.snap.Ref); got != s.want {
			t.Errorf("step %d: case = %+v, want %+v", i, got, s.want)
		}
	}
}

func TestIngestDuplicateAndQuarantine(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	now := time.Now()
	first, err := db.Ingest(ctx, incoming(markSnap("s4", StatusSuspected, false), `same bytes`, now))
	if err != nil || first.Outcome != OutcomeStored {
		t.Fatalf("first = %+v, %v; want stored", first, err)
	}
	for i := 0; i < 3; i++ {
		dup, err := db.Ingest(ctx, incoming(markSnap("s4", StatusSuspected, false), `same bytes`, now))
		if err != nil || dup.Outcome != OutcomeDuplicate || dup.DuplicateOf != first.DeliveryID {
			t.Fatalf("retry %d = %+v, %v; want duplicate of %d", i, dup, err, first.DeliveryID)
		}
	}
	if got := readCase(t, db, SourceMarkID, "s4"); got.deliveries != 1 {
		t.Errorf("deliveries after 3 retries = %d, want 1", got.deliveries)
	}
	var dups int
	if err := db.read.QueryRow(`SELECT duplicates FROM deliveries WHERE id = ?`, first.DeliveryID).Scan(&dups); err != nil || dups != 3 {
		t.Errorf("duplicates counter = %d, %v; want 3", dups, err)
	}
	bad := &Incoming{Source: SourceMarkID, ReceivedAt: now, Body: []byte(`{"clientIp": 192.0.2.0,}`), DecodeErr: errors.New("invalid JSON at byte 13")}
	q, err := db.Ingest(ctx, bad)
	if err != nil || q.Outcome != OutcomeQuarantined || q.Error != "invalid JSON at byte 13" {
		t.Fatalf("bad body = %+v, %v; want quarantined with the error", q, err)
	}
	raw, err := db.DeliveryRaw(ctx, q.DeliveryID)
	if err != nil || string(raw.Body) != string(bad.Body) {
		t.Errorf("quarantined body = %q, %v; want the exact bytes", raw.Body, err)
	}
	// A snapshot with no reference cannot become a case: it is quarantined, not lost.
	noRef, err := db.Ingest(ctx, incoming(&Snapshot{Source: SourceVCIP}, `{"data":{}}`, now))
	if err != nil || noRef.Outcome != OutcomeQuarantined {
		t.Fatalf("no ref = %+v, %v; want quarantined", noRef, err)
	}
	var headers string
	if err := db.read.QueryRow(`SELECT headers FROM deliveries WHERE id = ?`, first.DeliveryID).Scan(&headers); err != nil {
		t.Fatal(err)
	}
	if want := `"Authorization":["[redacted]"]`; !contains(headers, want) {
		t.Errorf("stored headers = %s; want the credential redacted (%s)", headers, want)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestIngestReplayQuarantined(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	q, err := db.Ingest(ctx, &Incoming{Source: SourceMarkID, ReceivedAt: time.Now(), Body: []byte(`broken`), DecodeErr: errors.New("old decoder")})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := db.QuarantinedIDs(ctx)
	if err != nil || len(ids) != 1 || ids[0] != q.DeliveryID {
		t.Fatalf("QuarantinedIDs = %v, %v", ids, err)
	}
	out, err := db.Replay(ctx, SystemActor, q.DeliveryID, markSnap("s5", StatusApproved, true), nil)
	if err != nil || out != OutcomeStored {
		t.Fatalf("Replay = %q, %v; want stored", out, err)
	}
	if got := readCase(t, db, SourceMarkID, "s5"); got.overall != StatusApproved {
		t.Errorf("case after replay = %+v", got)
	}
	if _, err := db.Replay(ctx, SystemActor, q.DeliveryID, nil, nil); !errors.Is(err, ErrConflict) {
		t.Errorf("second replay err = %v, want ErrConflict", err)
	}
}

func TestIngesterGroupCommitConcurrent(t *testing.T) {
	db := openTest(t)
	g := db.NewIngester(IngesterOptions{MaxBatch: 64})
	defer g.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ref := fmt.Sprintf("c%03d", i)
			res, err := g.Submit(context.Background(), incoming(markSnap(ref, StatusSuspected, false), ref, time.Now()))
			if err == nil && res.Outcome != OutcomeStored {
				err = fmt.Errorf("%s: outcome %s", ref, res.Outcome)
			}
			if err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var n int
	if err := db.read.QueryRow(`SELECT COUNT(*) FROM cases`).Scan(&n); err != nil || n != 200 {
		t.Errorf("cases = %d, %v; want 200", n, err)
	}
}

// TestBatchWithOneBadDeliveryQuarantinesOnlyIt: a delivery whose case cannot be derived is kept as
// quarantined, and the deliveries sharing its commit are stored normally.
func TestBatchWithOneBadDeliveryQuarantinesOnlyIt(t *testing.T) {
	db := openTest(t)
	now := time.Now()
	items := []*Incoming{
		incoming(markSnap("b-1", StatusSuspected, false), "one", now),
		incoming(&Snapshot{Source: SourceMarkID}, "no reference", now), // no scanRef: cannot become a case
		incoming(markSnap("b-3", StatusApproved, true), "three", now),
	}
	res, err := db.ingestBatch(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{OutcomeStored, OutcomeQuarantined, OutcomeStored}
	for i, r := range res {
		if r.Outcome != want[i] {
			t.Errorf("delivery %d outcome = %s, want %s", i, r.Outcome, want[i])
		}
	}
	if !strings.Contains(res[1].Error, "no reference") {
		t.Errorf("quarantine reason = %q, want it to say the reference is missing", res[1].Error)
	}
	readCase(t, db, SourceMarkID, "b-1")
	readCase(t, db, SourceMarkID, "b-3")
}
