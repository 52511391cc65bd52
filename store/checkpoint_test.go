package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCheckpointerCopiesTheLog: below the backstop no connection of the store checkpoints on
// commit, so the write-ahead log reaches the database file only through the checkpointer; a
// checkpoint leaves every committed case readable from the database file alone, without the log.
func TestCheckpointerCopiesTheLog(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	for _, conn := range []*sql.DB{db.write, db.read} {
		var pages int
		if err := conn.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&pages); err != nil {
			t.Fatal(err)
		}
		if pages != backstopPages {
			t.Fatalf("wal_autocheckpoint = %d on a store connection, want the backstop's %d", pages, backstopPages)
		}
	}
	const n = 100 // some 40 pages each: past the 1,000 pages SQLite would checkpoint at, short of the backstop
	body := strings.Repeat("x", 3000)
	for i := 0; i < n; i++ {
		ref := fmt.Sprintf("ckpt-%d", i)
		if _, err := db.Ingest(ctx, incoming(markSnap(ref, StatusSuspected, false, "FACE_SUSPECTED"), ref+body, time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Stat(db.Path() + "-wal"); err != nil || fi.Size() >= int64(backstopPages)*4096 {
		t.Fatalf("the log = %v (%v): past the backstop, so a commit may have checkpointed", fi, err)
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

// TestLogStaysBounded: a writer that never pauses still sees the log start over, so the -wal
// file stays near the restart threshold however much is written (here 160 MB in 2,500 commits).
func TestLogStaysBounded(t *testing.T) {
	// At 32 MB, so that the test writes five times the backstop in 160 MB.
	defer func(pages int) { backstopPages = pages }(backstopPages)
	backstopPages = 8192
	db := openTest(t)
	ctx := context.Background()
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE filler (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	blob := make([]byte, 64<<10)
	largest := int64(0)
	for i := 0; i < 2500; i++ {
		if _, err := db.write.ExecContext(ctx, `INSERT INTO filler (b) VALUES (?)`, blob); err != nil {
			t.Fatal(err)
		}
		if i%50 == 0 {
			if _, err := db.write.ExecContext(ctx, `DELETE FROM filler`); err != nil {
				t.Fatal(err)
			}
		}
		if fi, err := os.Stat(db.Path() + "-wal"); err == nil {
			largest = max(largest, fi.Size())
		}
	}
	if limit := int64(96 << 20); largest > limit {
		t.Fatalf("the log grew to %d MB under a busy writer, want it to start over below %d MB", largest>>20, limit>>20)
	}
	t.Logf("largest log: %.1f MB", float64(largest)/(1<<20))
}

// The writer keeps its statement journals (and so its temporary pages) in memory; the readers
// and the checkpointer keep SQLite's default: on a new database, after the migrations set the
// writer to FILE for their while, on a writer connection opened again, and on a database opened again.
func TestWriterTempStoreMemory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "temp.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		for _, c := range []struct {
			name string
			pool *sql.DB
			want int
		}{{"writer", db.write, 2}, {"reader", db.read, 0}, {"checkpointer", db.ckpt.conn, 0}} {
			var got int
			if err := c.pool.QueryRow("PRAGMA temp_store").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("%s: %s temp_store = %d, want %d", when, c.name, got, c.want)
			}
		}
	}
	check("new database")
	// A writer connection the pool drops (as the bulk load drops its own) is opened again with
	// the same pragmas.
	conn, err := db.write.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
	check("writer connection opened again")
	db = reopen(t, db, path)
	defer db.Close()
	check("database opened again")
}
