package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// BenchmarkScale measures every review page over HTTP, signed in, against a data dir seeded
// beforehand (`kycdesk demo --data DIR --synthetic N`), named by KYCDESK_SCALE_DATA; without it the
// benchmark is skipped. scripts/bench-scale.sh seeds 100,000, 1,000,000 and 5,000,000 cases once
// into ~/.cache/kycdesk-bench and runs this at each size. Each page reports the median and 95th
// percentile of a request. The pages' audit entries (a case view is one) and the benchmark's user
// stay in the data dir: a few hundred rows per run.
//
//	KYCDESK_SCALE_DATA=DIR go test -run '^$' -bench Scale -benchtime 200x ./web
func BenchmarkScale(b *testing.B) {
	dir := os.Getenv("KYCDESK_SCALE_DATA")
	if dir == "" {
		b.Skip("KYCDESK_SCALE_DATA names no seeded data dir (make bench-scale seeds one)")
	}
	ta := newTestAppIn(b, dir, time.Now().UTC())
	ctx := context.Background()
	counts, err := ta.db.ReviewCounts(ctx)
	if err != nil || counts.All == 0 {
		b.Fatalf("no cases in %s: %v", dir, err)
	}
	b.Logf("scale: %d cases", counts.All)
	rev := ta.loginAs(b, "bench"+strconv.FormatInt(time.Now().UnixNano(), 36), store.RoleReviewer)
	// Cases spread over the whole history, oldest to newest, not only the head of the queue.
	var casePaths []string
	for k := 0; k < 200; k++ {
		casePaths = append(casePaths, fmt.Sprintf("/cases/%d", 1+int64(k)*int64(counts.All)/200))
	}
	// A month in the middle of the history.
	oldest, err := ta.db.Queue(ctx, store.QueueFilter{Tab: store.TabAll, ClaimCutoff: ta.clock.Now()}, nil, nil, 1)
	if err != nil || len(oldest.Rows) == 0 {
		b.Fatalf("oldest case: %v", err)
	}
	first := oldest.Rows[0].FirstReceivedAt
	month := first.Add(ta.clock.Now().Sub(first) / 2)
	for _, bc := range []struct {
		name  string
		paths []string
		rows  bool // the first page must list cases
	}{
		{"QueueDefault", []string{"/cases"}, true},
		{"TabPending", []string{"/cases?tab=pending"}, true},
		{"TabDecided", []string{"/cases?tab=decided"}, true},
		{"TabAll", []string{"/cases?tab=all"}, true},
		{"FilterFraudTag", []string{"/cases?fraud=VIRTUAL_CAMERA"}, false},
		{"FilterFraudTag2", []string{"/cases?fraud=DOC_MOBILE_PHOTO"}, false},
		{"FilterMismatchTag", []string{"/cases?mismatch=SURNAME&tab=all"}, true},
		{"FilterSource", []string{"/cases?source=vcip"}, true},
		{"FilterStatus", []string{"/cases?status=DENIED&tab=all"}, true},
		{"FilterCountry", []string{"/cases?country=IN"}, true},
		{"FilterUnassigned", []string{"/cases?assignee=unassigned"}, true},
		{"FilterDates", []string{"/cases?from=" + month.Format("2006-01-02") + "&to=" + month.AddDate(0, 0, 30).Format("2006-01-02") + "&tab=all"}, true},
		{"SearchName", []string{"/cases?q=priya", "/cases?q=kovalenko", "/cases?q=anna+sharma"}, true},
		{"SearchCommon", []string{"/cases?q=kumar", "/cases?q=singh"}, false},
		{"SearchRare", []string{"/cases?q=zyxwv"}, false},
		{"SearchRef", []string{"/cases?q=client-100123"}, false},
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
