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
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// benchServer runs the real app on a loopback listener for a benchmark.
func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	key := make([]byte, 64)
	rand.Read(key)
	// The access log is formatted as in production (JSON, one line per request) and discarded,
	// so its cost is in the figures but not on the terminal.
	app, err := New(Config{DataDir: b.TempDir(), SessionKey: key, MarkIDSecrets: []string{"bench-secret"},
		VCIPTokens: []string{"bench-token"}, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}, db)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	b.Cleanup(func() { srv.Close(); app.Close(); db.Close() })
	return srv
}

// benchMarkIDBody is a SUSPECTED, automatic Mark ID callback with one file.
func benchMarkIDBody(ref string) []byte {
	return webtest.MarkID{ScanRef: ref, ClientID: "c-" + ref, IP: "203.0.113.9", IPCountry: "AE", Overall: "SUSPECTED",
		Fraud: []string{"FACE_IN_BLACKLIST"}, Mismatch: []string{"NAME"}, AutoDoc: "DOC_VALIDATED", AutoFace: "FACE_MATCH",
		First: "ANNA", Last: "KOVALENKO", DocNumber: "FT1234567", Expiry: "2031-05-04", DOB: "1990-05-04",
		DocType: "PASSPORT", Nationality: "UA", DocCountry: "UA",
		Files: map[string]string{"FRONT": "https://media.example.test/" + ref + "/FRONT.png"}}.Body()
}

// BenchmarkIngest measures acknowledged (durable) callbacks per second and latency percentiles over
// HTTP against the real app, at 1 and 32 concurrent senders. b.N is the number of callbacks.
func BenchmarkIngest(b *testing.B) {
	for _, senders := range []int{1, 32} {
		b.Run(fmt.Sprintf("senders=%d", senders), func(b *testing.B) {
			srv := benchServer(b)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
			var (
				next      atomic.Int64
				mu        sync.Mutex
				latencies = make([]time.Duration, 0, b.N)
				failures  atomic.Int64
				wg        sync.WaitGroup
			)
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
						body := benchMarkIDBody(fmt.Sprintf("bench-%d-%d", senders, i))
						req, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/markid", bytes.NewReader(body))
						req.Header.Set("Idenfy-Signature", webtest.MarkIDSignature(body, "bench-secret"))
						t0 := time.Now()
						resp, err := client.Do(req)
						if err != nil {
							failures.Add(1)
							continue
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							failures.Add(1)
							continue
						}
						local = append(local, time.Since(t0))
					}
					mu.Lock()
					latencies = append(latencies, local...)
					mu.Unlock()
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			if f := failures.Load(); f > 0 {
				b.Fatalf("%d callbacks were not acknowledged", f)
			}
			slices.Sort(latencies)
			b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "acks/s")
			b.ReportMetric(ms(percentile(latencies, 50)), "p50-ms")
			b.ReportMetric(ms(percentile(latencies, 99)), "p99-ms")
		})
	}
}

// BenchmarkSQLiteCeiling is the raw ceiling on this machine: one durable single-row commit per
// operation into a one-table database with the same pragmas as the store.
func BenchmarkSQLiteCeiling(b *testing.B) {
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
	body := benchMarkIDBody("ceiling")
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
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
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "commits/s")
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
