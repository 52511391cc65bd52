package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestSQLiteAllocatorConfigured checks that the process runs SQLite as sqlite_config.go sets it
// up: something that opened a connection before the store's init would leave SQLite's defaults
// (40 lookaside slots, a mutex per allocation), and only the benchmarks would notice.
func TestSQLiteAllocatorConfigured(t *testing.T) {
	if sqliteConfigErr != 0 {
		t.Fatalf("sqlite3_config returned %d: SQLite was initialised before the store's init ran", sqliteConfigErr)
	}
	if !qpsgOn() {
		t.Error("a new connection has no query planner stability guarantee: the automatic extension did not run")
	}
	// A join of 30 tables holds many small allocations at once: SQLite's default lookaside
	// (1200,40: 30 large and 93 small slots) peaks at 123 here.
	var q strings.Builder
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&q, "CREATE TABLE t%d (a INTEGER PRIMARY KEY, b TEXT, c TEXT, d TEXT);", i)
	}
	q.WriteString("SELECT * FROM t0")
	for i := 1; i < 30; i++ {
		fmt.Fprintf(&q, " JOIN t%d ON t%d.a = t0.a", i, i)
	}
	if peak := lookasidePeak(q.String()); peak <= 123 {
		t.Errorf("a connection held at most %d lookaside slots at once: the default's 123, not the %d configured", peak, lookasideSlots)
	}
	db := openTest(t)
	var n int
	if err := db.read.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM sqlite_master`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if used := sqliteMemoryUsed(); used != 0 {
		t.Errorf("SQLite counts %d bytes in use: its memory statistics (a mutex per allocation) are on", used)
	}
}

// TestMoverStatementsStayPrepared runs statements three times with new values bound, as
// go-sqlite3 does, and counts how often SQLite re-prepares them. The join that findCaseSQL
// replaced is re-prepared at every run after the first without the query planner stability
// guarantee, and never with it (every connection of the desk has it: sqlite_config.go). The
// mover's statements that read a case's rows are not re-prepared even without it.
func TestMoverStatementsStayPrepared(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	s := markSnap("keep-1", StatusSuspected, false, "FACE_SUSPECTED")
	if _, err := db.Ingest(ctx, incoming(s, `{"scanRef":"keep-1"}`, db.Now())); err != nil {
		t.Fatal(err)
	}
	var caseID int64
	if err := db.read.QueryRowContext(ctx, `SELECT id FROM cases WHERE ref = 'keep-1'`).Scan(&caseID); err != nil {
		t.Fatal(err)
	}
	const rounds = 3
	joined := `SELECT c.id, c.rank, c.review_state, COALESCE(d.received_at, ''), c.fraud_tags, c.mismatch_tags
		FROM cases c LEFT JOIN deliveries d ON d.id = c.snapshot_delivery WHERE c.source = ? AND c.ref = ?`
	if n, err := stmtReprepares(db.Path(), joined, rounds, false, string(SourceMarkID), "keep-1"); err != nil || n != rounds-1 {
		t.Fatalf("the join findCaseSQL replaced, without the guarantee: re-prepared %d times in %d runs (%v); the check relies on %d", n, rounds, err, rounds-1)
	}
	if n, err := stmtReprepares(db.Path(), joined, rounds, true, string(SourceMarkID), "keep-1"); err != nil || n != 0 {
		t.Errorf("the same join with the query planner stability guarantee: re-prepared %d times in %d runs (%v), want 0", n, rounds, err)
	}
	for _, c := range []struct {
		name, query string
		args        []any
	}{
		{"findCaseSQL", findCaseSQL, []any{string(SourceMarkID), "keep-1"}},
		{"sameWordsSQL", sameWordsSQL, []any{caseID, "anna kovalenko"}},
		{"insertWordsSQL", insertWordsSQL, []any{caseID, "anna maria kovalenko"}},
		{"insertCasePairsSQL", insertCasePairsSQL, []any{caseID}},
	} {
		n, err := stmtReprepares(db.Path(), c.query, rounds, false, c.args...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if n != 0 {
			t.Errorf("%s was re-prepared %d times in %d runs: its plan depends on a bound value, so the mover parses it for every case", c.name, n, rounds)
		}
	}
}
