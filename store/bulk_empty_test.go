package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// bulkSnaps yields n small Mark ID cases for the bulk loaders.
func bulkSnaps(n int, now time.Time) func() (BulkCase, bool) {
	i := 0
	return func() (BulkCase, bool) {
		if i >= n {
			return BulkCase{}, false
		}
		i++
		return BulkCase{Snapshot: markSnap(fmt.Sprintf("empty-%d", i), StatusSuspected, false, "VIRTUAL_CAMERA"),
			ReceivedAt: now.Add(-time.Duration(n-i) * time.Minute), ReviewState: ReviewNeedsDecision}, true
	}
}

// masterRows is sqlite_master without root pages, sorted.
func masterRows(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := db.read.Query(`SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var kind, name, table, sql string
		if err := rows.Scan(&kind, &name, &table, &sql); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Join([]string{kind, name, table, sql}, " | "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBulkLoadEmptySchema: after a load the schema is the migrations' own (every index and
// trigger back, from the same SQL), the cases are there and searchable, and the counts the
// set-aside triggers keep are right.
func TestBulkLoadEmptySchema(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx := context.Background()
	before := masterRows(t, db)
	n, err := db.BulkLoadEmpty(ctx, bulkSnaps(500, clk.now()))
	if err != nil || n != 500 {
		t.Fatalf("BulkLoadEmpty = %d, %v; want 500", n, err)
	}
	if after := masterRows(t, db); !slices.Equal(after, before) {
		t.Errorf("sqlite_master after the load:\n%s\nwant as the migrations left it:\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	if err := db.CheckLoadFinished(ctx); err != nil {
		t.Errorf("CheckLoadFinished after a finished load = %v", err)
	}
	counts, err := db.ReviewCounts(ctx)
	if err != nil || counts.All != 500 || counts.NeedsDecision != 500 {
		t.Errorf("ReviewCounts = %+v, %v; want 500 needing a decision", counts, err)
	}
	p, err := db.Queue(ctx, QueueFilter{Tab: TabAll, Query: "empty-77"}, nil, nil, 5)
	if err != nil || len(p.Rows) != 1 {
		t.Errorf("search for a loaded reference: %d rows, %v; want 1", len(p.Rows), err)
	}
	// The writer connection the load relaxed is gone: the next write syncs again.
	var sync int
	if err := db.write.QueryRow(`PRAGMA synchronous`).Scan(&sync); err != nil || sync != 2 {
		t.Errorf("writer's synchronous after the load = %d, %v; want 2 (FULL)", sync, err)
	}
	// and keeps its statement journals in memory again (the load sorted on files).
	var temp int
	if err := db.write.QueryRow(`PRAGMA temp_store`).Scan(&temp); err != nil || temp != 2 {
		t.Errorf("writer's temp_store after the load = %d, %v; want 2 (MEMORY)", temp, err)
	}
}

// TestBulkLoadEmptyRefusesUsedDatabase: a database with a case is left as it is.
func TestBulkLoadEmptyRefusesUsedDatabase(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx := context.Background()
	if _, err := db.BulkLoad(ctx, bulkSnaps(1, clk.now())); err != nil {
		t.Fatal(err)
	}
	before := masterRows(t, db)
	_, err := db.BulkLoadEmpty(ctx, bulkSnaps(10, clk.now().Add(time.Hour)))
	if e, ok := AsError(err); !ok || e.Kind != KindConflict || !strings.Contains(e.Message, "empty data directory") {
		t.Fatalf("BulkLoadEmpty into a database with a case = %v, want a conflict naming the empty data directory", err)
	}
	if after := masterRows(t, db); !slices.Equal(after, before) {
		t.Errorf("the refused load changed the schema")
	}
	counts, err := db.ReviewCounts(ctx)
	if err != nil || counts.All != 1 {
		t.Errorf("ReviewCounts = %+v, %v; want the one case", counts, err)
	}
}

// TestBulkLoadEmptyUnfinished: a load that stops half way leaves a database CheckLoadFinished
// and a second load refuse, with a sentence that says what to do.
func TestBulkLoadEmptyUnfinished(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	next := bulkSnaps(1000, clk.now())
	i := 0
	_, err := db.BulkLoadEmpty(ctx, func() (BulkCase, bool) {
		if i++; i == 100 {
			cancel() // as Ctrl-C does
		}
		return next()
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("BulkLoadEmpty stopped half way = %v, want context.Canceled", err)
	}
	err = db.CheckLoadFinished(context.Background())
	if e, ok := AsError(err); !ok || e.Kind != KindConflict || !strings.Contains(e.Message, "Delete the directory") {
		t.Errorf("CheckLoadFinished after a stopped load = %v, want a conflict that says to delete the directory", err)
	}
	if _, err := db.BulkLoadEmpty(context.Background(), bulkSnaps(10, clk.now())); !errors.Is(err, errLoadUnfinished) {
		t.Errorf("a second BulkLoadEmpty = %v, want %v", err, errLoadUnfinished)
	}
}
