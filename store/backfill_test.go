package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPairsBackfillInBackground: a desk upgraded from before migration 0171 gets its cases' word
// pairs filled in the background, a batch at a time, resumed after a restart; searches are the
// same all along, and walk the pairs once the fill is done.
func TestPairsBackfillInBackground(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "upgraded.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var want []int64 // the ANNA SHARMA cases, newest wait last (the queue's order)
	n := 3*backfillBatch + 50
	for i := 0; i < n; i++ {
		first, last := "PRIYA", "SHARMA"
		switch {
		case i%9 == 4:
			first = "ANNA"
		case i%2 == 1:
			first, last = "ANNA", "KOVALENKO"
		}
		id := ingestWS(t, db, wsCase{ref: fmt.Sprintf("u-%d", i), first: first, last: last, overall: StatusSuspected})
		if first == "ANNA" && last == "SHARMA" {
			want = append(want, id)
		}
	}
	// As an upgrade from before 0171 leaves it: the table there, empty, its fill pending.
	if _, err := db.write.ExecContext(ctx, `DELETE FROM case_pairs; UPDATE backfills SET next_id = 0, done_at = NULL`); err != nil {
		t.Fatal(err)
	}
	db = reopen(t, db, path)

	search := func(db *DB, step string) {
		t.Helper()
		p, err := db.Queue(ctx, QueueFilter{Tab: TabAll, Query: "anna sharma"}, nil, nil, 500)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, r := range p.Rows {
			got = append(got, r.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: search \"anna sharma\" = %d cases %v, want %d %v", step, len(got), got, len(want), want)
		}
		plan, err := explainQueue(ctx, db, QueueFilter{Tab: TabAll, Query: "anna sharma"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		walksPairs := slices.ContainsFunc(plan, func(s string) bool { return strings.Contains(s, "case_pairs_queue") })
		if walksPairs != db.pairsReady.Load() {
			t.Errorf("%s: the search walks case_pairs_queue: %t, want %t (the fill done: %t):\n%s",
				step, walksPairs, db.pairsReady.Load(), db.pairsReady.Load(), strings.Join(plan, "\n"))
		}
	}

	if db.pairsReady.Load() {
		t.Fatal("pairs ready right after opening an upgraded desk: the fill ran in the migration, or was skipped")
	}
	search(db, "before the fill")
	db.fillGate = make(chan struct{})
	db.StartBackfills()
	db.fillGate <- struct{}{} // the first batch runs,
	db.fillGate <- struct{}{} // and is committed once the second may start
	// Cases go on arriving during the fill: one more ANNA SHARMA.
	want = append(want, ingestWS(t, db, wsCase{ref: "during", first: "ANNA", last: "SHARMA", overall: StatusSuspected}))
	search(db, "during the fill")
	db = reopen(t, db, path) // the fill stops between batches
	defer db.Close()
	var next int64
	if err := db.read.QueryRowContext(ctx, `SELECT next_id FROM backfills WHERE name = 'case_pairs'`).Scan(&next); err != nil {
		t.Fatal(err)
	}
	if next <= backfillBatch {
		t.Fatalf("after a restart the fill goes on from case %d, want past the first batch (%d)", next, backfillBatch)
	}
	db.StartBackfills()
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := db.waitBackfills(wctx); err != nil {
		t.Fatal(err)
	}
	checkQueueKeys(t, db, "after the fill")
	search(db, "after the fill")
}

// TestBackfillsMigrationKnowsWhatIsDone runs migration 0172 again over the three states a desk
// can reach it in: nothing to pair, pairs filled in place by the 0171 of 1 December 2026, and
// words without pairs (an upgrade from before 0171): only the last one is left to the fill.
func TestBackfillsMigrationKnowsWhatIsDone(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		cases      bool
		dropPairs  bool
		wantFilled bool
	}{
		{"a new desk", false, false, true},
		{"pairs filled in place", true, false, true},
		{"words without pairs", true, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.db")
			db, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			if tc.cases {
				for i := 0; i < 3; i++ {
					ingestWS(t, db, wsCase{ref: fmt.Sprintf("m-%d", i), first: "ANNA", last: "SHARMA", overall: StatusSuspected})
				}
			}
			reset := `DROP TABLE backfills; DELETE FROM schema_migrations WHERE name = '0172_backfills.sql';`
			if tc.dropPairs {
				reset += `DELETE FROM case_pairs;`
			}
			if _, err := db.write.ExecContext(ctx, reset); err != nil {
				t.Fatal(err)
			}
			db = reopen(t, db, path)
			defer db.Close()
			if got := db.pairsReady.Load(); got != tc.wantFilled {
				t.Errorf("pairs complete after 0172 = %t, want %t", got, tc.wantFilled)
			}
		})
	}
}

// TestFillFailuresAreRecorded: a fill whose batches fail (here SQLite itself refuses the rows,
// as it would with the disk full) is retried, and what the operator sees says so: Upkeep names
// the fill, how far it got and the error, until a batch succeeds and the fill runs to its end.
func TestFillFailuresAreRecorded(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "upgraded.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	n := backfillBatch + 10
	var last int64
	for i := 0; i < n; i++ {
		last = ingestWS(t, db, wsCase{ref: fmt.Sprintf("f-%d", i), first: "ANNA", last: "SHARMA", overall: StatusSuspected})
	}
	u, err := db.Upkeep(ctx)
	if err != nil || len(u.Fills) != 0 || u.Fill.Count != 0 || u.Checkpoint.Count != 0 {
		t.Fatalf("a desk with nothing to fill: Upkeep = %+v, %v; want no fills, no failures", u, err)
	}
	if _, err := db.write.ExecContext(ctx, `DELETE FROM case_pairs; UPDATE backfills SET next_id = 0, done_at = NULL WHERE name = 'case_pairs';
		CREATE TRIGGER refuse_pairs BEFORE INSERT ON case_pairs BEGIN SELECT RAISE(ABORT, 'database or disk is full (test)'); END`); err != nil {
		t.Fatal(err)
	}
	db = reopen(t, db, path)
	defer db.Close()
	if u, err = db.Upkeep(ctx); err != nil || len(u.Fills) != 1 || u.Fills[0] != (FillProgress{Name: "case_pairs", Next: 0, Last: last}) {
		t.Fatalf("an upgraded desk before its fill: Upkeep = %+v, %v; want case_pairs at 0 of %d", u, err, last)
	}
	db.fillGate = make(chan struct{})
	db.StartBackfills()
	// A send on the gate returns as the fill's next attempt starts, so every attempt before it
	// has ended and been recorded.
	db.fillGate <- struct{}{} // attempt 1 is refused,
	db.fillGate <- struct{}{} // and recorded as attempt 2 (refused too) starts
	u, err = db.Upkeep(ctx)
	if err != nil || u.Fill.Count < 1 || !u.Fill.Failing() || !strings.Contains(u.Fill.Last, "disk is full (test)") || u.Fill.LastAt.IsZero() ||
		len(u.Fills) != 1 || u.Fills[0].Next != 0 {
		t.Fatalf("after a refused batch: Upkeep = %+v, %v; want a failure naming the error, the fill still at 0", u, err)
	}
	if _, err := db.write.ExecContext(ctx, `DROP TRIGGER refuse_pairs`); err != nil {
		t.Fatal(err)
	}
	db.fillGate <- struct{}{} // attempt 3 succeeds,
	db.fillGate <- struct{}{} // and is recorded as attempt 4 starts
	u, err = db.Upkeep(ctx)
	// Attempt 2 may have taken the writer before or after the DROP: one failure or two. Attempt 4,
	// let go by the last send, may already have filled the last rows: then no fill is left.
	if err != nil || u.Fill.Failing() || u.Fill.Count < 1 || len(u.Fills) > 1 || len(u.Fills) == 1 && u.Fills[0].Next <= 1 {
		t.Fatalf("after a batch succeeded: Upkeep = %+v, %v; want the failures counted, no longer failing, the fill past its first batch", u, err)
	}
	close(db.fillGate)
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := db.waitBackfills(wctx); err != nil {
		t.Fatal(err)
	}
	if u, err = db.Upkeep(ctx); err != nil || len(u.Fills) != 0 || u.Fill.Failing() {
		t.Fatalf("after the fill: Upkeep = %+v, %v; want no fill left, nothing failing", u, err)
	}
	checkQueueKeys(t, db, "after the fill")
}

// TestCheckpointFailuresAreRecorded: a checkpoint that fails (here its connection is gone, as
// with a disk that turned unreadable) is counted and shown as failing until one succeeds.
func TestCheckpointFailuresAreRecorded(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "ckpt.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The checkpointer's loop stops, so this test alone runs its checkpoints.
	db.ckpt.once.Do(func() { close(db.ckpt.stop) })
	<-db.ckpt.done
	db.ckpt.checkpoint(ctx)
	if u, err := db.Upkeep(ctx); err != nil || u.Checkpoint.Count != 0 {
		t.Fatalf("after a checkpoint that worked: %+v, %v; want no failure", u.Checkpoint, err)
	}
	ok := db.ckpt.conn
	broken, err := sql.Open(driverName, "file:"+filepath.Join(t.TempDir(), "gone", "nothing.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer broken.Close()
	db.ckpt.conn = broken // a checkpointer whose database cannot be opened
	db.ckpt.checkpoint(ctx)
	db.ckpt.checkpoint(ctx)
	u, err := db.Upkeep(ctx)
	if err != nil || u.Checkpoint.Count != 2 || !u.Checkpoint.Failing() || !strings.Contains(u.Checkpoint.Last, "checkpoint:") ||
		u.Checkpoint.LastAt.IsZero() {
		t.Fatalf("after two failed checkpoints: %+v, %v; want 2 failures, failing, the error kept", u.Checkpoint, err)
	}
	db.ckpt.conn = ok
	db.ckpt.checkpoint(ctx)
	if u, err := db.Upkeep(ctx); err != nil || u.Checkpoint.Count != 2 || u.Checkpoint.Failing() {
		t.Fatalf("after a checkpoint worked again: %+v, %v; want the 2 failures counted, no longer failing", u.Checkpoint, err)
	}
}

// reopen closes db and opens its file again, as the next start of the desk does (after an
// upgrade, say).
func reopen(t *testing.T, db *DB, path string) *DB {
	t.Helper()
	db.Close()
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}
