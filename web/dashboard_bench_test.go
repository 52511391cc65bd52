package web

import (
	"context"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/demo"
)

// BenchmarkDashboard measures the team dashboard over HTTP, signed in, at 1,000,000 cases spread
// over 90 days with 100,000 final decisions by eight reviewers (KYCDESK_BENCH_DASH_CASES and
// _DECISIONS change the sizes): the 30-day and 90-day pages for every source, the 90-day page of
// one source, and one chart's CSV. BulkLoad writes the summaries as it loads, as ingest and
// decisions do. Target: p95 < 200 ms.
//
//	go test -run '^$' -bench Dashboard -benchtime 100x ./web
func BenchmarkDashboard(b *testing.B) {
	cases, decisions := envInt("KYCDESK_BENCH_DASH_CASES", 1_000_000), envInt("KYCDESK_BENCH_DASH_DECISIONS", 100_000)
	ta := newTestApp(b)
	ctx := context.Background()
	var reviewers []int64
	for _, name := range []string{"r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"} {
		ta.addUser(b, name, store.RoleReviewer)
		reviewers = append(reviewers, ta.userID(b, name))
	}
	start := time.Now()
	if err := demo.LoadSyntheticHistory(ctx, ta.db, cases, decisions, reviewers, ta.clock.Now()); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d cases with %d decisions in %s", cases, decisions, time.Since(start).Round(time.Millisecond))
	sup := ta.loginAs(b, "bench-sup", store.RoleSupervisor)
	for _, bc := range []struct{ name, path string }{
		{"Period30", "/dashboard?period=30"},
		{"Period90", "/dashboard?period=90"},
		{"Period90VCIP", "/dashboard?period=90&source=vcip"},
		{"CSVTurnaround90", "/dashboard/csv?period=90&chart=turnaround"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if p := sup.get(bc.path); p.Status != http.StatusOK {
				b.Fatalf("GET %s: %d", bc.path, p.Status)
			}
			times := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				resp, err := sup.http.Get(ta.url + bc.path)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				times = append(times, time.Since(t0))
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("GET %s: %d", bc.path, resp.StatusCode)
				}
			}
			b.StopTimer()
			slices.Sort(times)
			b.ReportMetric(wsPercentile(times, 50), "p50-ms")
			b.ReportMetric(wsPercentile(times, 95), "p95-ms")
		})
	}
}

// envInt reads a positive integer from the environment, or returns def.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
