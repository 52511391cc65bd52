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

// TestStatementsStayPrepared runs two of the mover's statements three times with new values
// bound and the bindings cleared after each run, as go-sqlite3 does, and counts how often SQLite
// re-prepares them. Without the query planner stability guarantee it re-prepares them at every
// run (it looks at a bound value while planning the join); with it, as every connection of the
// desk has it (sqlite_config.go), never.
func TestStatementsStayPrepared(t *testing.T) {
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
	for _, c := range []struct {
		name, query string
		args        []any
	}{
		{"findCaseSQL", findCaseSQL, []any{string(SourceMarkID), "keep-1"}},
		{"the search word pairs", insertPairs + ` WHERE a.case_id = ?`, []any{caseID}},
	} {
		without, err := stmtReprepares(db.Path(), c.query, rounds, false, c.args...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		with, err := stmtReprepares(db.Path(), c.query, rounds, true, c.args...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if without == 0 {
			t.Errorf("%s was not re-prepared even without the guarantee: this check shows nothing", c.name)
		}
		if with != 0 {
			t.Errorf("%s was re-prepared %d times in %d runs with the query planner stability guarantee, want 0", c.name, with, rounds)
		}
	}
}
