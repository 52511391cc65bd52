package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkOpsStats compares what one /metrics scrape costs against 200,000 cases: the
// trigger-kept counts read by OpsStats, against the COUNT(*) … GROUP BY review_state over the
// queue index that they replace (the baseline, measured in the same run).
//
//	go test -run '^$' -bench OpsStats -benchtime 20x ./store
func BenchmarkOpsStats(b *testing.B) {
	db, clk := openWorkspace(b)
	ctx := context.Background()
	start := time.Now()
	const cases = 200_000
	i := 0
	if _, err := db.BulkLoad(ctx, func() (BulkCase, bool) {
		if i >= cases {
			return BulkCase{}, false
		}
		state := ReviewNeedsDecision
		if i%10 == 0 {
			state = ReviewDecided
		}
		bc := BulkCase{Snapshot: markSnap(fmt.Sprintf("ops-%07d", i), StatusSuspected, true), ReviewState: state,
			ReceivedAt: clk.t.Add(-time.Duration(cases-i) * time.Second)}
		i++
		return bc, true
	}); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d cases in %s", cases, time.Since(start).Round(time.Millisecond))
	b.Run("counters", func(b *testing.B) {
		for b.Loop() {
			s, err := db.OpsStats(ctx, clk.t.Add(-time.Hour))
			if err != nil || s.Cases["needs_decision"] == 0 {
				b.Fatalf("OpsStats = %v, %v", s.Cases, err)
			}
		}
	})
	b.Run("count-group-by-baseline", func(b *testing.B) {
		for b.Loop() {
			rows, err := db.read.QueryContext(ctx, `SELECT review_state, COUNT(*) FROM cases GROUP BY review_state`)
			if err != nil {
				b.Fatal(err)
			}
			total := 0
			for rows.Next() {
				var st string
				var n int
				rows.Scan(&st, &n)
				total += n
			}
			rows.Close()
			if total != cases {
				b.Fatalf("counted %d cases, want %d", total, cases)
			}
		}
	})
}
