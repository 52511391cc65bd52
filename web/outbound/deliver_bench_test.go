package outbound

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// benchDesk is a database with a reviewer and an endpoint on a local receiver that answers 200
// and reports the case reference of each delivery with its arrival time.
type benchDesk struct {
	db      *store.DB
	rev     store.Actor
	arrived chan arrival
	cfg     Config
}

type arrival struct {
	ref string
	at  time.Time
}

func newBenchDesk(b *testing.B) *benchDesk {
	b.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	u, err := db.CreateUser(ctx, store.SystemActor, "rev", "", "x", []string{store.RoleReviewer})
	if err != nil {
		b.Fatal(err)
	}
	d := &benchDesk{db: db, rev: store.Actor{ID: u.ID, Name: "rev"}, arrived: make(chan arrival, b.N+16)}
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			Data store.EventData `json:"data"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &ev)
		w.WriteHeader(http.StatusOK)
		d.arrived <- arrival{ref: ev.Data.Ref, at: time.Now()}
	}))
	b.Cleanup(rcv.Close)
	secret, _ := NewSecret()
	if _, err := db.CreateEndpoint(ctx, store.SystemActor, rcv.URL+"/hook", []string{store.EventDecided}, secret); err != nil {
		b.Fatal(err)
	}
	d.cfg = Config{AllowHosts: []string{"127.0.0.1"}}
	return d
}

// decide ingests and decides one Mark ID case: one case.decided event, committed on return.
func (d *benchDesk) decide(b *testing.B, ref string) {
	ctx := context.Background()
	res, err := d.db.Ingest(ctx, &store.Incoming{Source: store.SourceMarkID, ReceivedAt: time.Now(), Body: []byte(ref),
		Snapshot: &store.Snapshot{Source: store.SourceMarkID, Ref: ref, Status: store.Status{Overall: store.StatusSuspected}}})
	if err != nil {
		b.Fatal(err)
	}
	if err := d.db.Claim(ctx, d.rev, res.CaseID); err != nil {
		b.Fatal(err)
	}
	if _, err := d.db.Decide(ctx, d.rev, store.DecisionInput{CaseID: res.CaseID, Outcome: store.OutcomeAllow,
		ReasonCode: "face_matches", Note: "ok"}); err != nil {
		b.Fatal(err)
	}
}

func (d *benchDesk) run(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	dl := New(d.cfg, d.db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	done := make(chan struct{})
	go func() { defer close(done); dl.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done })
}

// BenchmarkWebhookThroughput: b.N decided events wait in the outbox; the deliverer sends them
// all to a local receiver. Reports delivered events per second (each one signed, sent, answered
// and recorded durably).
func BenchmarkWebhookThroughput(b *testing.B) {
	d := newBenchDesk(b)
	for i := range b.N {
		d.decide(b, fmt.Sprintf("t-%06d", i))
	}
	b.ResetTimer()
	start := time.Now()
	d.run(b)
	for range b.N {
		<-d.arrived
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
}

// BenchmarkWebhookLag: decisions are made at 50 a second; the lag of each is from the commit of
// the decision to the receiver answering 200. Reports p50 and p99 in milliseconds.
func BenchmarkWebhookLag(b *testing.B) {
	d := newBenchDesk(b)
	d.run(b)
	committed := make(map[string]time.Time, b.N)
	arrived := make(map[string]time.Time, b.N)
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for range b.N {
			a := <-d.arrived
			arrived[a.ref] = a.at
		}
	}()
	b.ResetTimer()
	tick := time.NewTicker(20 * time.Millisecond) // 50 decisions a second
	defer tick.Stop()
	for i := range b.N {
		<-tick.C
		ref := fmt.Sprintf("l-%06d", i)
		d.decide(b, ref)
		committed[ref] = time.Now()
	}
	<-collected
	b.StopTimer()
	lags := make([]time.Duration, 0, b.N)
	for ref, at := range committed {
		lags = append(lags, max(arrived[ref].Sub(at), 0)) // an arrival before Decide returned counts as 0
	}
	slices.Sort(lags)
	pct := func(p float64) float64 { return float64(lags[int(p*float64(len(lags)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	b.ReportMetric(float64(lags[len(lags)-1].Microseconds())/1000, "max_ms")
}
