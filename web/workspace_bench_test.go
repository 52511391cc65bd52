package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/demo"
)

// workspaceBenchCases is how many cases the workspace benchmarks run against.
const workspaceBenchCases = 100_000

// BenchmarkWorkspace measures the review pages over HTTP, signed in, against 100,000 cases:
// the queue's default tab, a fraud-tag filter, a name search, and a case page. Each reports the
// median and 95th percentile of a request (targets: queue p95 < 50 ms, case page p95 < 30 ms).
//
//	go test -run '^$' -bench Workspace -benchtime 200x ./web
func BenchmarkWorkspace(b *testing.B) {
	ta := newTestApp(b)
	ctx := context.Background()
	start := time.Now()
	if err := demo.LoadSynthetic(ctx, ta.db, workspaceBenchCases, ta.clock.Now()); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d cases in %s", workspaceBenchCases, time.Since(start).Round(time.Millisecond))
	rev := ta.loginAs(b, "bench", store.RoleReviewer)
	page, err := ta.db.Queue(ctx, store.QueueFilter{ClaimCutoff: ta.clock.Now()}, nil, nil, 200)
	if err != nil || len(page.Rows) == 0 {
		b.Fatalf("no cases to open: %v", err)
	}
	var casePaths []string
	for _, r := range page.Rows {
		casePaths = append(casePaths, fmt.Sprintf("/cases/%d", r.ID))
	}
	for _, bc := range []struct {
		name  string
		paths []string
		rows  bool // the page must list cases
	}{
		{"QueueDefault", []string{"/cases"}, true},
		{"QueueFraudTag", []string{"/cases?fraud=VIRTUAL_CAMERA"}, true},
		{"QueueSearchName", []string{"/cases?q=priya", "/cases?q=kovalenko", "/cases?q=anna+sharma"}, true},
		{"CasePage", casePaths, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := rev.get(bc.paths[0])
			if p.Status != http.StatusOK || bc.rows && p.testid("queue-row").Length() == 0 {
				b.Fatalf("GET %s: status %d, %d rows", bc.paths[0], p.Status, p.testid("queue-row").Length())
			}
			times := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				path := bc.paths[i%len(bc.paths)]
				t0 := time.Now()
				resp, err := rev.http.Get(ta.url + path)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				times = append(times, time.Since(t0))
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("GET %s: %d", path, resp.StatusCode)
				}
			}
			b.StopTimer()
			slices.Sort(times)
			b.ReportMetric(wsPercentile(times, 50), "p50-ms")
			b.ReportMetric(wsPercentile(times, 95), "p95-ms")
		})
	}
}

// wsPercentile is the p-th percentile of sorted durations, in milliseconds.
func wsPercentile(sorted []time.Duration, p int) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p+99)/100 - 1
	if i < 0 {
		i = 0
	}
	return float64(sorted[i]) / float64(time.Millisecond)
}
