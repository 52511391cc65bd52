package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// benchServer runs the real app on a loopback listener for a benchmark. With inline, each case is
// derived inside the transaction the acknowledgement waits for: the design before the deriver,
// kept as the baseline.
//
// KYCDESK_BENCH_DATA names a data dir to ingest into instead (one `kycdesk demo --synthetic`
// loaded, say), to measure ingest against years of history; each run then adds its callbacks there.
func benchServer(b *testing.B, inline bool) (*httptest.Server, *App) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bench.db")
	if dir := os.Getenv("KYCDESK_BENCH_DATA"); dir != "" {
		path = filepath.Join(dir, "kycdesk.db")
	}
	db, err := store.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	key := make([]byte, 64)
	rand.Read(key)
	// The access log is formatted as in production (JSON, one line per request) and discarded,
	// so its cost is in the figures but not on the terminal.
	app, err := New(Config{DataDir: b.TempDir(), SessionKey: key, MarkIDSecrets: []string{"bench-secret"},
		VCIPTokens: []string{"bench-token"}, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), deriveInline: inline}, db)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	b.Cleanup(func() { srv.Close(); app.Close(); db.Close() })
	return srv, app
}

// BenchmarkIngest measures acknowledged (durable) callbacks per second and latency percentiles over
// HTTP against the real app, at 1 and 32 concurrent senders, with the realistic mix of bodies of
// benchCustomers. b.N is the number of callbacks. design=derive is the desk as it runs (the 200
// after the raw commit, the case derived after); design=inline is the baseline that derived the
// case inside the acknowledged transaction. Right before each run it measures the single-row
// synchronous=FULL commit ceiling in the same temp dir, and reports the ratio to it. For derive it
// also reports how far the cases fell behind (the oldest underived delivery's age, sampled every
// 10 ms: max-lag-ms) and how long the backlog took to empty after the last 200 (drain-ms).
func BenchmarkIngest(b *testing.B) {
	for _, design := range []string{"inline", "derive"} {
		for _, senders := range []int{1, 32} {
			b.Run(fmt.Sprintf("design=%s/senders=%d", design, senders), func(b *testing.B) {
				benchIngest(b, design == "inline", senders)
			})
		}
	}
}

func benchIngest(b *testing.B, inline bool, senders int) {
	calls := benchCalls(b, b.N, fmt.Sprintf("bench-%t-%d-%d", inline, senders, b.N))
	ceiling := sqliteCeiling(b, benchMeanBody(calls), min(max(b.N, 500), 3000))
	srv, app := benchServer(b, inline)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
	var (
		next atomic.Int64
		got  acks
		wg   sync.WaitGroup
	)
	lag := sampleLag(app.DB())
	written0 := procWritten()
	b.ResetTimer()
	start := time.Now()
	for s := 0; s < senders; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, b.N/senders+1)
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					break
				}
				t0 := time.Now()
				if !postCall(client, srv.URL, calls[i-1]) {
					got.failures.Add(1)
					continue
				}
				local = append(local, time.Since(t0))
			}
			got.record(local)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	acked := time.Now()
	drained := waitBacklogEmpty(b, app.DB())
	maxLag := lag()
	written := procWritten()
	latencies := got.sorted(b)
	rate := float64(len(latencies)) / elapsed.Seconds()
	b.ReportMetric(rate, "acks/s")
	b.ReportMetric(ceiling, "ceiling-commits/s")
	b.ReportMetric(rate/ceiling, "ratio")
	b.ReportMetric(ms(percentile(latencies, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(latencies, 99)), "p99-ms")
	if written > written0 && written0 >= 0 {
		b.ReportMetric(float64(written-written0)/1024/float64(b.N), "written-KiB/ack")
	}
	if !inline {
		b.ReportMetric(ms(maxLag), "max-lag-ms")
		b.ReportMetric(ms(drained.Sub(acked)), "drain-ms")
	}
}

// acks is what a benchmark's senders saw: the latency of each acknowledged callback, and how
// many were not acknowledged.
type acks struct {
	mu        sync.Mutex
	latencies []time.Duration
	failures  atomic.Int64
}

// record adds one sender's latencies.
func (a *acks) record(local []time.Duration) {
	a.mu.Lock()
	a.latencies = append(a.latencies, local...)
	a.mu.Unlock()
}

// sorted returns the latencies in order, and fails the benchmark if any callback went unacknowledged.
func (a *acks) sorted(b *testing.B) []time.Duration {
	b.Helper()
	if f := a.failures.Load(); f > 0 {
		b.Fatalf("%d callbacks were not acknowledged", f)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	slices.Sort(a.latencies)
	return a.latencies
}

// postCall sends one callback to the server at base and reports whether it was acknowledged (200).
func postCall(client *http.Client, base string, c benchCall) bool {
	req, _ := http.NewRequest(http.MethodPost, base+c.path, bytes.NewReader(c.body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(c.header, c.value)
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// sampleLag watches the backlog's oldest delivery every 10 ms until the returned func is called,
// which stops it and returns the largest age seen.
func sampleLag(db *store.DB) func() time.Duration {
	stop := make(chan struct{})
	done := make(chan time.Duration, 1)
	go func() {
		var worst time.Duration
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				done <- worst
				return
			case <-tick.C:
			}
			if bl, err := db.DeriveBacklog(context.Background()); err == nil && bl.Count > 0 {
				worst = max(worst, time.Since(bl.Oldest))
			}
		}
	}()
	return func() time.Duration { close(stop); return <-done }
}

// waitBacklogEmpty returns when every acknowledged delivery has its case, and when that was.
func waitBacklogEmpty(b *testing.B, db *store.DB) time.Time {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := db.WaitBacklogEmpty(ctx); err != nil {
		b.Fatal(err)
	}
	return time.Now()
}

// BenchmarkSQLiteCeiling is the raw ceiling on this machine: one durable single-row commit per
// operation into a one-table database with the same pragmas as the store, the row the size of
// BenchmarkIngest's mean body.
func BenchmarkSQLiteCeiling(b *testing.B) {
	body := benchMeanBody(benchCalls(b, 64, "ceiling"))
	b.ResetTimer()
	b.ReportMetric(sqliteCeiling(b, body, b.N), "commits/s")
}

// sqliteCeiling makes n single-row synchronous=FULL commits of body into a fresh one-table
// database in a temp dir and returns the commits per second.
func sqliteCeiling(b *testing.B, body []byte, n int) float64 {
	b.Helper()
	path := filepath.Join(b.TempDir(), "ceiling.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=10000&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Exec(`INSERT INTO t (body) VALUES (?)`, body); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	return float64(n) / time.Since(start).Seconds()
}

func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	if i > len(sorted) {
		i = len(sorted)
	}
	if i < 1 {
		i = 1
	}
	return sorted[i-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// procWritten is how many bytes this process has caused to be written to storage so far (Linux's
// /proc/self/io write_bytes less cancelled_write_bytes: the log, the checkpoints and the database
// file alike), or -1 where that is not known. Each derived case's pages are written to the log and
// again by a checkpoint, and that volume bounds derivation beside the CPU, so the bytes written
// per callback are reported beside the rate. A checkpoint still due after the backlog empties is
// not counted.
func procWritten() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1
	}
	fields := map[string]int64{}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ": "); ok {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				fields[k] = n
			}
		}
	}
	written, ok := fields["write_bytes"]
	if !ok {
		return -1
	}
	return written - fields["cancelled_write_bytes"]
}

// BenchmarkIngestPaced offers callbacks at a steady rate, as a vendor's traffic arrives, rather
// than as fast as senders can go: rate=2000 is the "a case within 1 s at 2,000/s", and
// 1000 and 3000 either side of it show where the deriver stops keeping up. b.N is
// the number of callbacks (the realistic mix of BenchmarkIngest), each sent at its due time,
// start + i/rate, by whichever of 64 senders is free. Latency counts from the due time, so a
// callback that waited for a free sender or a slow server is charged for it. max-lag-ms is the
// oldest acknowledged-but-underived callback's age at worst (sampled every 10 ms): how long a
// case took, at most, to appear after its 200. offered/s is the rate asked for, acks/s the rate
// achieved.
func BenchmarkIngestPaced(b *testing.B) {
	for _, rate := range []int{1000, 2000, 3000} {
		b.Run(fmt.Sprintf("design=derive/rate=%d", rate), func(b *testing.B) {
			calls := benchCalls(b, b.N, fmt.Sprintf("paced-%d-%d", rate, b.N))
			srv, app := benchServer(b, false)
			const senders = 64
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
			type job struct {
				call benchCall
				due  time.Time
			}
			jobs := make(chan job, b.N)
			var (
				got acks
				wg  sync.WaitGroup
			)
			for s := 0; s < senders; s++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var local []time.Duration
					for j := range jobs {
						if !postCall(client, srv.URL, j.call) {
							got.failures.Add(1)
							continue
						}
						local = append(local, time.Since(j.due))
					}
					got.record(local)
				}()
			}
			lag := sampleLag(app.DB())
			interval := time.Second / time.Duration(rate)
			b.ResetTimer()
			start := time.Now()
			for i, c := range calls {
				due := start.Add(time.Duration(i) * interval)
				if wait := time.Until(due); wait > 0 {
					time.Sleep(wait) // pacing the offered load, not waiting for a result
				}
				jobs <- job{call: c, due: due}
			}
			close(jobs)
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			acked := time.Now()
			drained := waitBacklogEmpty(b, app.DB())
			maxLag := lag()
			latencies := got.sorted(b)
			b.ReportMetric(float64(rate), "offered/s")
			b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "acks/s")
			b.ReportMetric(ms(percentile(latencies, 50)), "p50-ms")
			b.ReportMetric(ms(percentile(latencies, 99)), "p99-ms")
			b.ReportMetric(ms(maxLag), "max-lag-ms")
			b.ReportMetric(ms(drained.Sub(acked)), "drain-ms")
		})
	}
}
