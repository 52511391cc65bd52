package store

import (
	"context"
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
	db.Close()

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

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
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
	db.Close() // stops between batches

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
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
			db.Close()
			db, err = Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if got := db.pairsReady.Load(); got != tc.wantFilled {
				t.Errorf("pairs complete after 0172 = %t, want %t", got, tc.wantFilled)
			}
		})
	}
}
