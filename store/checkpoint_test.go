package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestCheckpointerCopiesTheLog: no connection of the store checkpoints on commit, so the
// write-ahead log reaches the database file only through the checkpointer; a checkpoint leaves
// every committed case readable from the database file alone, without the log.
func TestCheckpointerCopiesTheLog(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	for _, conn := range []*sql.DB{db.write, db.read} {
		var pages int
		if err := conn.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&pages); err != nil {
			t.Fatal(err)
		}
		if pages != 0 {
			t.Fatalf("wal_autocheckpoint = %d on a store connection, want 0 (the checkpointer's job)", pages)
		}
	}
	const n = 200 // some 40 pages each: well past the 1,000 pages SQLite would checkpoint at
	body := strings.Repeat("x", 3000)
	for i := 0; i < n; i++ {
		ref := fmt.Sprintf("ckpt-%d", i)
		if _, err := db.Ingest(ctx, incoming(markSnap(ref, StatusSuspected, false, "FACE_SUSPECTED"), ref+body, time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	db.ckpt.checkpoint(ctx)
	// immutable=1 reads the database file as it is on disk and never the log.
	file, err := sql.Open("sqlite3", "file:"+db.Path()+"?mode=ro&immutable=1")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var cases int
	if err := file.QueryRowContext(ctx, "SELECT count(*) FROM cases").Scan(&cases); err != nil {
		t.Fatal(err)
	}
	if cases != n {
		t.Fatalf("the database file holds %d cases after a checkpoint, want all %d", cases, n)
	}
}
