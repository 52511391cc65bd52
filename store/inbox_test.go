package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestInboxMovedOnceAcrossRestarts: rows moved into the main database stay in the inbox for a
// while (inboxKeep); an ingester started again, and a database opened again, move none of them a
// second time, and a delivery stored straight into the main database (Ingest) meanwhile gets an id
// of its own, never one the inbox gave.
func TestInboxMovedOnceAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kycdesk.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	first := snapIncoming(t, markSnap("m-1", StatusSuspected, false), t0)
	retry := *first
	res, _, err := db.insertInboxBatch(ctx, []*Incoming{first, &retry, snapIncoming(t, markSnap("m-2", StatusApproved, true), t0)})
	if err != nil {
		t.Fatal(err)
	}
	// Straight into the main database while the three wait in the inbox.
	direct, err := db.Ingest(ctx, snapIncoming(t, markSnap("m-3", StatusApproved, true), t0))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.DeliveryID == direct.DeliveryID {
			t.Fatalf("Ingest gave id %d, which the inbox had given already (%+v)", direct.DeliveryID, res)
		}
	}
	db.NewIngester(IngesterOptions{Decode: snapDecode}).Close()
	db.NewIngester(IngesterOptions{Decode: snapDecode}).Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.NewIngester(IngesterOptions{Decode: snapDecode}).Close()
	var inInbox int
	if err := db.openedInbox().read.QueryRow(`SELECT COUNT(*) FROM inbox`).Scan(&inInbox); err != nil || inInbox != 3 {
		t.Fatalf("rows in the inbox = %d (%v), want the 3 moved ones kept for now", inInbox, err)
	}
	ds := deliveryRows(t, db)
	if len(ds) != 4 {
		t.Fatalf("deliveries = %+v, want 4 (3 moved once, 1 direct)", ds)
	}
	if ds[1].Outcome != OutcomeDuplicate || ds[1].CaseRef != "m-1" {
		t.Errorf("the retry = %+v, want a duplicate on case m-1", ds[1])
	}
	if c := readCase(t, db, SourceMarkID, "m-1"); c.deliveries != 1 {
		t.Errorf("m-1 = %+v, want 1 delivery (the retry is a duplicate)", c)
	}
	var dups int
	if err := db.read.QueryRow(`SELECT duplicates FROM deliveries WHERE id = ?`, res[0].DeliveryID).Scan(&dups); err != nil || dups != 1 {
		t.Errorf("duplicates counted on the first delivery = %d (%v), want 1", dups, err)
	}
	if b, err := db.DeriveBacklog(ctx); err != nil || b.Count != 0 {
		t.Errorf("DeriveBacklog = %+v, %v; want empty", b, err)
	}
	// The next inbox id goes on after every id given so far.
	next, _, err := db.insertInboxBatch(ctx, []*Incoming{snapIncoming(t, markSnap("m-4", StatusApproved, true), t0)})
	if err != nil {
		t.Fatal(err)
	}
	if next[0].DeliveryID <= direct.DeliveryID {
		t.Errorf("next inbox id %d, want above %d", next[0].DeliveryID, direct.DeliveryID)
	}
}

// TestInboxPruneKeepsUnmovedRows: once the mark synced inboxKeep ago covers the moved rows, the
// mover deletes exactly those from the inbox; a row acknowledged after them stays.
func TestInboxPruneKeepsUnmovedRows(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if _, _, err := db.insertInboxBatch(ctx, []*Incoming{snapIncoming(t, markSnap("p-1", StatusApproved, true), t0),
		snapIncoming(t, markSnap("p-2", StatusApproved, true), t0)}); err != nil {
		t.Fatal(err)
	}
	db.NewIngester(IngesterOptions{Decode: snapDecode}).Close()
	later, _, err := db.insertInboxBatch(ctx, []*Incoming{snapIncoming(t, markSnap("p-3", StatusApproved, true), t0)})
	if err != nil {
		t.Fatal(err)
	}
	mark, err := inboxMark(ctx, db.read)
	if err != nil || mark != later[0].DeliveryID-1 {
		t.Fatalf("mark = %d (%v), want %d", mark, err, later[0].DeliveryID-1)
	}
	if err := pruneMoved(db, mark); err != nil {
		t.Fatal(err)
	}
	ib := db.openedInbox()
	var ids []int64
	rows, err := ib.read.Query(`SELECT id FROM inbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) != 1 || ids[0] != later[0].DeliveryID {
		t.Fatalf("inbox after the prune = %v, want only the unmoved %d", ids, later[0].DeliveryID)
	}
}

// pruneMoved prunes the inbox as the mover does once the rows up to mark were moved inboxKeep ago.
func pruneMoved(db *DB, mark int64) error {
	g := &Ingester{db: db, marks: []movedMark{{at: time.Now().Add(-inboxKeep - time.Second), mark: mark}, {at: time.Now(), mark: mark}}}
	return g.prune(context.Background(), db.openedInbox())
}
