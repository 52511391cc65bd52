package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strings"
	"testing"
	"time"
)

// goroutinesCreated is how many goroutines the process has started so far.
func goroutinesCreated() uint64 {
	s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestConnTxQueriesStartNoGoroutines: the queries of the mover's transaction (connTx) start no
// goroutine each, as those of an *sql.Tx do (database/sql's Rows.awaitDone). Both are counted, so
// the test says so if the check itself stops telling them apart.
func TestConnTxQueriesStartNoGoroutines(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	const queries = 200
	run := func(ctx context.Context, tx txn) uint64 {
		before := goroutinesCreated()
		for i := range queries {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT ? + 1`, i).Scan(&n); err != nil || n != i+1 {
				t.Fatalf("query %d: %d, %v", i, n, err)
			}
		}
		return goroutinesCreated() - before
	}

	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	withTx := run(ctx, sqlTx)
	if err := sqlTx.Rollback(); err != nil {
		t.Fatal(err)
	}
	ctc, err := beginConnTx(ctx, db.write)
	if err != nil {
		t.Fatal(err)
	}
	// Given a context that can end, as a caller might: the transaction runs without its end.
	cancellable, cancel := context.WithCancel(ctx)
	defer cancel()
	withConn := run(cancellable, ctc)
	if err := ctc.Rollback(); err != nil {
		t.Fatal(err)
	}
	if withTx < queries {
		t.Fatalf("%d queries on an *sql.Tx started %d goroutines: the check no longer sees the goroutine a query starts", queries, withTx)
	}
	if withConn > queries/20 {
		t.Errorf("%d queries in a connTx started %d goroutines (an *sql.Tx: %d), want about none", queries, withConn, withTx)
	}
}

// TestConnTxRollbackFreesTheWriter: a connTx rolled back, or whose COMMIT failed, leaves
// nothing of its writes, and the writer connection it gives back is outside any transaction:
// the next write commits on its own.
func TestConnTxRollbackFreesTheWriter(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	for _, q := range []string{
		`CREATE TABLE txp (id INTEGER PRIMARY KEY)`,
		// A deferred foreign key fails at COMMIT, and SQLite keeps the transaction open then.
		`CREATE TABLE txc (pid INTEGER REFERENCES txp (id) DEFERRABLE INITIALLY DEFERRED)`,
	} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// begin begins a connTx and runs one statement in it.
	begin := func(stmt string) *connTx {
		t.Helper()
		tx, err := beginConnTx(ctx, db.write)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
		return tx
	}
	count := func(table string) int {
		var n int
		if err := db.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	tx := begin(`INSERT INTO txp (id) VALUES (1)`)
	if err := tx.Rollback(); err != nil {
		t.Fatalf("rollback: %v", err)
	}
	if n := count("txp"); n != 0 {
		t.Fatalf("after rollback txp has %d rows, want 0", n)
	}

	tx = begin(`INSERT INTO txc (pid) VALUES (99)`)
	if err := tx.Commit(); err == nil {
		t.Fatal("COMMIT of a row whose parent is missing succeeded, want the foreign key error")
	}
	if err := tx.Commit(); err != sql.ErrTxDone {
		t.Fatalf("commit after rollback: %v, want sql.ErrTxDone", err)
	}
	if n := count("txc"); n != 0 {
		t.Fatalf("after the failed commit txc has %d rows, want 0", n)
	}
	// A transaction SQLite has ended itself (as it does on a full disk): the commit fails, and the
	// connection goes back outside any transaction.
	tx = begin(`ROLLBACK`)
	if err := tx.Commit(); err == nil {
		t.Fatal("COMMIT of a transaction SQLite has ended succeeded, want an error")
	}
	// The writer is free and outside a transaction: a BEGIN would fail inside one.
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatalf("begin after the failed commit: %v", err)
	}
	if _, err := sqlTx.ExecContext(ctx, `INSERT INTO txp (id) VALUES (2)`); err != nil {
		t.Fatal(err)
	}
	if err := sqlTx.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := count("txp"); n != 1 {
		t.Fatalf("txp has %d rows, want the 1 committed after the failed commit", n)
	}
}

// TestMoverStartsNoGoroutinePerQuery: the raw commit of a batch of deliveries and the mover's
// transaction that derives their cases start no goroutine a query (each does several queries a
// delivery: the duplicate check; finding the case, linking the delivery).
func TestMoverStartsNoGoroutinePerQuery(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	const n = 100
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	var items []*Incoming
	for i := range n {
		s := markSnap(fmt.Sprintf("g-%d", i), StatusSuspected, false, "FACE_SUSPECTED")
		items = append(items, incoming(s, fmt.Sprintf(`{"scanRef":"g-%d"}`, i), t0.Add(time.Duration(i)*time.Millisecond)))
	}
	before := goroutinesCreated()
	res, rows, err := db.insertInboxBatch(ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	raw := goroutinesCreated() - before
	var jobs []deriveJob
	for i, in := range items {
		jobs = append(jobs, deriveJob{id: res[i].DeliveryID, received: rows[i].received, row: &rows[i], snap: in.Snapshot, snapJSON: in.snapJSON})
	}
	before = goroutinesCreated()
	for len(jobs) > 0 {
		used, _, err := db.moveTx(ctx, jobs, len(jobs), false)
		if err != nil {
			t.Fatal(err)
		}
		jobs = jobs[used:]
	}
	moved := goroutinesCreated() - before
	if raw > n/10 || moved > n/10 {
		t.Errorf("%d deliveries: the raw commit started %d goroutines and the move %d, want about none", n, raw, moved)
	}
	var cases int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&cases); err != nil || cases != n {
		t.Fatalf("%d cases after the move (%v), want %d", cases, err, n)
	}
}

// TestManyFilesLeaveNoStatementOpen: a delivery with more files than one multi-row insert takes
// (a video-KYC session sends a screenshot an instruction, with no limit) makes the mover prepare a
// statement in its transaction. It is closed with the transaction: once the database is closed,
// the process holds none of its files open (a statement left open keeps SQLite's connection, its
// files and its locks alive).
func TestManyFilesLeaveNoStatementOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "test.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s := markSnap("many-files", StatusSuspected, false)
	for i := range 3 * bulkRowsParams / 8 {
		s.Media = append(s.Media, MediaRef{Kind: MediaFront, Position: i, URL: fmt.Sprintf("https://media.example.test/many/%d.png", i)})
	}
	in := incoming(s, `{"scanRef":"many-files"}`, time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC))
	res, rows, err := db.insertInboxBatch(ctx, []*Incoming{in})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.moveTx(ctx, []deriveJob{{id: res[0].DeliveryID, received: rows[0].received, row: &rows[0],
		snap: in.Snapshot, snapJSON: in.snapJSON}}, 1, false); err != nil {
		t.Fatal(err)
	}
	var media int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM media`).Scan(&media); err != nil || media != len(s.Media) {
		t.Fatalf("%d media rows (%v), want %d", media, err, len(s.Media))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && strings.HasPrefix(target, dir) {
			t.Errorf("after Close the process still holds %s open", target)
		}
	}
}
