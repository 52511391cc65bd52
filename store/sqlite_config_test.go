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
