package store

import (
	"context"
	"database/sql"
	"runtime/metrics"
	"testing"
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
	run := func(tx txn) uint64 {
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
	withTx := run(sqlTx)
	if err := sqlTx.Rollback(); err != nil {
		t.Fatal(err)
	}
	ctc, err := beginConnTx(ctx, db.write)
	if err != nil {
		t.Fatal(err)
	}
	withConn := run(ctc)
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
	count := func(table string) int {
		var n int
		if err := db.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	tx, err := beginConnTx(ctx, db.write)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO txp (id) VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatalf("rollback: %v", err)
	}
	if n := count("txp"); n != 0 {
		t.Fatalf("after rollback txp has %d rows, want 0", n)
	}

	tx, err = beginConnTx(ctx, db.write)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO txc (pid) VALUES (99)`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err == nil {
		t.Fatal("COMMIT of a row whose parent is missing succeeded, want the foreign key error")
	}
	if err := tx.Rollback(); err != nil {
		t.Fatalf("rollback after the failed commit: %v", err)
	}
	if err := tx.Commit(); err != sql.ErrTxDone {
		t.Fatalf("commit after rollback: %v, want sql.ErrTxDone", err)
	}
	if n := count("txc"); n != 0 {
		t.Fatalf("after the failed commit txc has %d rows, want 0", n)
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
