package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkIngesterDirect measures the group-commit writer without HTTP, at 32 concurrent senders.
func BenchmarkIngesterDirect(b *testing.B) {
	db := openTest(b)
	g := db.NewIngester(IngesterOptions{MaxBatch: 128})
	defer g.Close()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for s := 0; s < 32; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				ref := fmt.Sprintf("d-%d", i)
				if _, err := g.Submit(context.Background(), incoming(markSnap(ref, StatusSuspected, false, "FACE_SUSPECTED"), ref, time.Now())); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "acks/s")
}
