package store

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// retentionCase ingests a SUSPECTED Mark ID case with a name, a document and one archived
// picture, and returns its id.
func retentionCase(t *testing.T, db *DB, ref, client, sha string) int64 {
	t.Helper()
	ctx := context.Background()
	res, err := db.Ingest(ctx, &Incoming{Source: SourceMarkID, ReceivedAt: db.Now(),
		Body: []byte(`{"scanRef":"` + ref + `","name":"ASHA RAO","doc":"FT1234567"}`),
		Snapshot: &Snapshot{Source: SourceMarkID, Ref: ref, ClientID: client, Status: Status{Overall: StatusSuspected},
			Person: Person{FullName: "ASHA RAO", DOB: "1990-05-04"}, Document: Document{Type: "PASSPORT", Number: "FT1234567"},
			Media: []MediaRef{{Kind: MediaFront, URL: "https://m.test/" + ref}}}})
	if err != nil || res.Outcome != OutcomeStored {
		t.Fatalf("ingest %s: %v %v", ref, res, err)
	}
	media, err := db.CaseMedia(ctx, res.CaseID)
	if err != nil || len(media) != 1 {
		t.Fatalf("media of %s: %v %v", ref, media, err)
	}
	if err := db.MediaArchived(ctx, media[0].ID, sha, 10, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	return res.CaseID
}

func retentionDecide(t *testing.T, db *DB, who Actor, id int64) {
	t.Helper()
	ctx := context.Background()
	if err := db.Claim(ctx, who, id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Decide(ctx, who, DecisionInput{CaseID: id, Outcome: OutcomeAllow, ReasonCode: "face_matches",
		Note: "Face and document match."}); err != nil {
		t.Fatal(err)
	}
}

func verifyAudit(t *testing.T, db *DB, when string) {
	t.Helper()
	n, brk, err := db.VerifyAudit(context.Background())
	if err != nil || brk != nil {
		t.Fatalf("audit verify %s: %d entries, break %+v, %v", when, n, brk, err)
	}
	if p, err := db.VerifyBindings(context.Background()); err != nil || len(p) > 0 {
		t.Fatalf("audit bindings %s: %v %v", when, p, err)
	}
}

// TestRetentionPurgeHoldAndProof: media go N days after the final decision with a tombstone
// each and an audit entry in the same transaction; personal fields M years after; a held case
// and an undecided one survive; the decision survives its media; the audit chain verifies.
func TestRetentionPurgeHoldAndProof(t *testing.T) {
	db, now := mediaTestDB(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	sup := wsUser(t, db, "sup", RoleSupervisor)
	decided := retentionCase(t, db, "decided", "cli-1", mediaSHA("a"))
	held := retentionCase(t, db, "held", "cli-9", mediaSHA("b"))
	open := retentionCase(t, db, "open", "cli-2", mediaSHA("c"))
	retentionDecide(t, db, rev, decided)
	retentionDecide(t, db, rev, held)
	if err := db.PlaceHold(ctx, rev, held, true, "court order 12/2026"); err == nil {
		t.Fatal("a reviewer placed a legal hold")
	}
	if err := db.PlaceHold(ctx, sup, held, true, ""); err == nil {
		t.Fatal("a hold without a reason was placed")
	}
	if err := db.PlaceHold(ctx, sup, held, true, "court order 12/2026"); err != nil {
		t.Fatal(err)
	}
	var removed []string
	remove := func(sha string) error { removed = append(removed, sha); return nil }

	*now = now.AddDate(0, 0, 179)
	if run, err := db.ApplyRetention(ctx, remove); err != nil || run.MediaCases != 0 {
		t.Fatalf("before 180 days: %+v %v", run, err)
	}
	*now = now.AddDate(0, 0, 2)
	run, err := db.ApplyRetention(ctx, remove)
	if err != nil {
		t.Fatal(err)
	}
	if run.MediaCases != 1 || !slices.Equal(removed, []string{mediaSHA("a")}) {
		t.Fatalf("after 181 days: %+v, removed %v; want only the decided case's file", run, removed)
	}
	for id, want := range map[int64]string{decided: MediaStatePurged, held: MediaStateArchived, open: MediaStateArchived} {
		if m, _ := db.CaseMedia(ctx, id); m[0].State != want {
			t.Errorf("case %d media %s, want %s", id, m[0].State, want)
		}
	}
	ts, err := db.CaseTombstones(ctx, decided)
	if err != nil || len(ts) != 1 {
		t.Fatalf("tombstones = %v, %v", ts, err)
	}
	if tb := ts[0]; tb.Kind != "media" || tb.SHA256 != mediaSHA("a") || tb.Size != 10 || !strings.HasPrefix(tb.Policy, "any/any: media 180 d") ||
		!tb.PurgedAt.Equal(*now) || tb.AuditID == 0 {
		t.Errorf("tombstone = %+v", tb)
	}
	if acts := auditActions(t, db, decided); acts[len(acts)-1] != "retention.purge" {
		t.Errorf("case audit = %v, want retention.purge last", acts)
	}
	if ds, err := db.CaseDecisions(ctx, decided); err != nil || len(ds) != 1 || ds[0].Note != "Face and document match." {
		t.Errorf("the decision did not survive its media's purge: %v %v", ds, err)
	}
	verifyAudit(t, db, "after the media purge")

	// Five years on: personal fields and raw bodies go, the decision stays, the chain verifies.
	*now = now.AddDate(5, 0, 0)
	if run, err = db.ApplyRetention(ctx, remove); err != nil || run.Pseudonymised != 1 {
		t.Fatalf("after five years: %+v %v", run, err)
	}
	rec, _ := db.CaseByID(ctx, decided)
	if rec.Name != "" || rec.Snapshot.Person.FullName != "" || rec.Snapshot.Document.Number != "" || rec.Snapshot.Person.DOB != "" ||
		rec.Ref != "decided" || rec.ClientID != "cli-1" {
		t.Errorf("pseudonymised case = name %q doc %q dob %q ref %q client %q", rec.Name, rec.Snapshot.Document.Number,
			rec.Snapshot.Person.DOB, rec.Ref, rec.ClientID)
	}
	dels, _ := db.CaseDeliveries(ctx, decided)
	raw, err := db.DeliveryRaw(ctx, dels[0].ID)
	if err != nil || len(raw.Body) != 0 {
		t.Errorf("raw body after pseudonymisation: %d bytes, %v", len(raw.Body), err)
	}
	ts, _ = db.CaseTombstones(ctx, decided)
	if len(ts) != 3 || ts[1].Kind != "raw_body" || ts[1].SHA256 != dels[0].SHA256 || ts[2].Kind != "personal_fields" {
		t.Errorf("tombstones after five years = %+v", ts)
	}
	if ds, _ := db.CaseDecisions(ctx, decided); len(ds) != 1 {
		t.Errorf("the decision did not survive pseudonymisation")
	}
	// The case leaves the name search (its words go from case_terms); the held one is still found.
	page, err := db.Queue(ctx, QueueFilter{Tab: TabAll, Query: "asha"}, nil, nil, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range page.Rows {
		if r.ID == decided {
			t.Errorf("the pseudonymised case is still found by its name")
		}
	}
	if len(page.Rows) == 0 {
		t.Errorf("the name search finds nothing, not even the cases that kept their names")
	}
	verifyAudit(t, db, "after pseudonymisation")

	// The held case kept everything; lifted, it goes in one run (media and personal fields).
	if m, _ := db.CaseMedia(ctx, held); m[0].State != MediaStateArchived {
		t.Fatalf("held case media %s", m[0].State)
	}
	holds, _ := db.CaseHolds(ctx, held)
	if len(holds) != 1 || holds[0].ClientID != "cli-9" || holds[0].Reason != "court order 12/2026" {
		t.Fatalf("holds = %+v", holds)
	}
	if err := db.LiftHold(ctx, sup, held, holds[0].ID, "order expired"); err != nil {
		t.Fatal(err)
	}
	if run, err = db.ApplyRetention(ctx, remove); err != nil || run.MediaCases != 1 || run.Pseudonymised != 1 {
		t.Fatalf("after lifting the hold: %+v %v", run, err)
	}
	if m, _ := db.CaseMedia(ctx, open); m[0].State != MediaStateArchived {
		t.Errorf("an undecided case lost its media")
	}
	var report []Tombstone
	if err := db.Tombstones(ctx, time.Time{}, now.Add(time.Second), func(tb Tombstone) error { report = append(report, tb); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(report) != 6 {
		t.Errorf("report lists %d tombstones, want 6", len(report))
	}
	if acts := auditActions(t, db, held); !slices.Contains(acts, "case.legal_hold") || !slices.Contains(acts, "case.legal_hold_lifted") {
		t.Errorf("hold audit = %v", acts)
	}
	verifyAudit(t, db, "at the end")
}
