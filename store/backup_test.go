package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestBackupHoldsUnmovedCallbacks: callbacks acknowledged into the inbox but not yet moved into
// the database when a backup begins are in the backup, and after a restore they are moved like any
// other, each once. Between the two snapshots (betweenSnapshots) one of them is moved and pruned
// from the inbox, as the running mover may do, and a delivery goes straight into the database
// with an id from the live inbox's sequence: the first must still be restored (the inbox is
// snapshotted first), and the restored inbox must go on after the second's id.
func TestBackupHoldsUnmovedCallbacks(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	data := filepath.Dir(db.Path())
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if _, _, err := db.insertInboxBatch(ctx, []*Incoming{snapIncoming(t, markSnap("b-moved", StatusApproved, true), t0)}); err != nil {
		t.Fatal(err)
	}
	db.NewIngester(IngesterOptions{Decode: snapDecode}).Close() // moves b-moved, which the inbox keeps for a while
	if _, _, err := db.insertInboxBatch(ctx, []*Incoming{snapIncoming(t, markSnap("b-waiting", StatusSuspected, false), t0),
		snapIncoming(t, markSnap("b-pruned", StatusSuspected, false), t0)}); err != nil {
		t.Fatal(err)
	}

	var direct IngestResult
	betweenSnapshots = func() {
		betweenSnapshots = nil
		// b-pruned: moved, then gone from the inbox (b-waiting with it).
		db.NewIngester(IngesterOptions{Decode: snapDecode}).Close()
		mark, err := inboxMark(ctx, db.read)
		if err != nil {
			t.Error(err)
			return
		}
		if err := pruneMoved(db, mark); err != nil {
			t.Error(err)
		}
		if direct, err = db.Ingest(ctx, snapIncoming(t, markSnap("b-direct", StatusApproved, true), t0)); err != nil {
			t.Error(err)
		}
	}
	defer func() { betweenSnapshots = nil }()
	dest := filepath.Join(t.TempDir(), "backup")
	blobs := &Blobs{Dir: filepath.Join(data, "media")}
	if err := os.MkdirAll(blobs.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	res, err := db.Backup(ctx, blobs, dest, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if direct.DeliveryID == 0 {
		t.Fatal("the hook between the snapshots did not run")
	}
	if m := res.Manifest; m.Format != 2 || m.Inbox == "" || len(m.Files) != 2 {
		t.Fatalf("manifest = %+v, want format 2 with the database and the inbox", m)
	}
	restored := filepath.Join(t.TempDir(), "restored")
	if vr, err := Restore(ctx, dest, restored, nil); err != nil || !vr.OK() {
		t.Fatalf("restore: %v %v", err, vr.Problems)
	}
	rdb, err := Open(ctx, filepath.Join(restored, "kycdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	rdb.NewIngester(IngesterOptions{Decode: snapDecode}).Close()
	for _, ref := range []string{"b-moved", "b-waiting", "b-pruned", "b-direct"} {
		if c := readCase(t, rdb, SourceMarkID, ref); c.deliveries != 1 {
			t.Errorf("restored case %s = %+v, want it with its one delivery", ref, c)
		}
	}
	// The restored inbox goes on after every id the restored database holds, b-direct's included.
	next, _, err := rdb.insertInboxBatch(ctx, []*Incoming{snapIncoming(t, markSnap("b-next", StatusApproved, true), t0)})
	if err != nil {
		t.Fatal(err)
	}
	if next[0].DeliveryID <= direct.DeliveryID {
		t.Errorf("restored inbox gave id %d; b-direct, in the restored database, has %d", next[0].DeliveryID, direct.DeliveryID)
	}
}

// TestOpenBesideABusyWriter: a command (backup, verify) opens the database of a running server
// whose writer holds the write lock, as it does most of the time while callbacks pour in; an
// up-to-date database opens without waiting for that lock, and reads.
func TestOpenBesideABusyWriter(t *testing.T) {
	ctx := context.Background()
	server := openTest(t)
	if err := server.Audit(ctx, AuditEntry{Actor: "root", Action: "user.create", TargetType: "user", TargetID: "1"}); err != nil {
		t.Fatal(err)
	}
	tx, err := server.write.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the write lock, held
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	cmd, err := Open(ctx, server.Path())
	if err != nil {
		t.Fatalf("open beside a writer holding the lock: %v", err)
	}
	defer cmd.Close()
	if _, _, err := cmd.AuditHead(ctx); err != nil {
		t.Fatalf("read beside a writer holding the lock: %v", err)
	}
}
