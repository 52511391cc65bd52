package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestBackupHoldsUnmovedCallbacks: a callback acknowledged into the inbox but not yet moved into
// the database when a backup runs is in the backup, and after a restore it is moved like any
// other; one already moved (still kept in the inbox, so in both snapshots) is moved once.
func TestBackupHoldsUnmovedCallbacks(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	db, err := Open(ctx, filepath.Join(data, "kycdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if _, _, err := db.insertInboxBatch(ctx, []*Incoming{snapIncoming(t, markSnap("b-moved", StatusApproved, true), t0)}); err != nil {
		t.Fatal(err)
	}
	db.NewIngester(IngesterOptions{Decode: snapDecode}).Close() // moves b-moved
	if _, _, err := db.insertInboxBatch(ctx, []*Incoming{snapIncoming(t, markSnap("b-waiting", StatusSuspected, false), t0)}); err != nil {
		t.Fatal(err)
	}

	dest := filepath.Join(t.TempDir(), "backup")
	blobs := &Blobs{Dir: filepath.Join(data, "media")}
	if err := os.MkdirAll(blobs.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	res, err := db.Backup(ctx, blobs, dest, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Manifest.Inbox == "" || len(res.Manifest.Files) != 2 {
		t.Fatalf("manifest = %+v, want the database and the inbox", res.Manifest)
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
	for _, ref := range []string{"b-moved", "b-waiting"} {
		if c := readCase(t, rdb, SourceMarkID, ref); c.deliveries != 1 {
			t.Errorf("restored case %s = %+v, want it with its one delivery", ref, c)
		}
	}
	// The restored inbox goes on from every id the restored database holds.
	next, _, err := rdb.insertInboxBatch(ctx, []*Incoming{snapIncoming(t, markSnap("b-next", StatusApproved, true), t0)})
	if err != nil {
		t.Fatal(err)
	}
	var maxID int64
	if err := rdb.read.QueryRow(`SELECT MAX(id) FROM deliveries`).Scan(&maxID); err != nil || next[0].DeliveryID <= maxID {
		t.Errorf("restored inbox gave id %d; the restored database holds ids up to %d (%v)", next[0].DeliveryID, maxID, err)
	}
}

// TestOpenBesideABusyWriter: a command (backup, verify) opens the database of a running server
// whose writer holds the write lock, as it does most of the time while callbacks pour in; an
// up-to-date database opens without waiting for that lock, and reads.
func TestOpenBesideABusyWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kycdesk.db")
	server, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	if err := server.Audit(ctx, AuditEntry{Actor: "root", Action: "user.create", TargetType: "user", TargetID: "1"}); err != nil {
		t.Fatal(err)
	}
	tx, err := server.write.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the write lock, held
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	cmd, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("open beside a writer holding the lock: %v", err)
	}
	defer cmd.Close()
	if _, _, err := cmd.AuditHead(ctx); err != nil {
		t.Fatalf("read beside a writer holding the lock: %v", err)
	}
}
