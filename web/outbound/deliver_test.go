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
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/kycdesk/kycdesk/store"
)

// clock is the deliverer's clock, moved by the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// received is one request a receiver got, with the official library's verdict on its signature.
type received struct {
	ID, Timestamp, Signature string
	Body                     []byte
	Event                    struct {
		Type string          `json:"type"`
		Data store.EventData `json:"data"`
	}
	VerifyErr error
}

// receiver is a bank system: it checks every request with the Standard Webhooks library and
// answers with the next status of its script (200 once the script runs out).
type receiver struct {
	srv     *httptest.Server
	secrets []string // every secret the signature must verify with
	clock   *clock
	got     chan received
	mu      sync.Mutex
	script  []func(w http.ResponseWriter)
}

func newReceiver(t *testing.T, clk *clock, script ...func(w http.ResponseWriter)) *receiver {
	t.Helper()
	r := &receiver{clock: clk, got: make(chan received, 100), script: script}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	got := received{ID: req.Header.Get("webhook-id"), Timestamp: req.Header.Get("webhook-timestamp"),
		Signature: req.Header.Get("webhook-signature"), Body: body}
	_ = json.Unmarshal(body, &got.Event)
	r.mu.Lock()
	secrets := r.secrets
	var answer func(w http.ResponseWriter)
	if len(r.script) > 0 {
		answer, r.script = r.script[0], r.script[1:]
	}
	r.mu.Unlock()
	for _, s := range secrets {
		wh, err := standardwebhooks.NewWebhook(s)
		if err == nil {
			// The desk's clock is the test's, so the library checks the signature and the test
			// checks the timestamp against that clock.
			err = wh.VerifyIgnoringTimestamp(body, req.Header)
		}
		if err == nil && got.Timestamp != strconv.FormatInt(r.clock.Now().Unix(), 10) {
			err = fmt.Errorf("webhook-timestamp %s, want the desk clock's %d", got.Timestamp, r.clock.Now().Unix())
		}
		if err != nil && got.VerifyErr == nil {
			got.VerifyErr = err
		}
	}
	if answer != nil {
		answer(w)
	} else {
		w.WriteHeader(http.StatusOK)
	}
	r.got <- got
}

func status(code int) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) { w.WriteHeader(code) }
}

// next waits for the receiver's next request; a missing one fails the test after a minute.
func (r *receiver) next(t *testing.T) received {
	t.Helper()
	select {
	case g := <-r.got:
		if g.VerifyErr != nil {
			t.Errorf("delivery %s: signature does not verify: %v", g.ID, g.VerifyErr)
		}
		return g
	case <-time.After(time.Minute):
		t.Fatal("the receiver got nothing within a minute")
	}
	return received{}
}

// env is a database with a reviewer and a supervisor, an endpoint on a receiver, and a
// deliverer on a test clock with no jitter.
type env struct {
	db       *store.DB
	clock    *clock
	rev, sup store.Actor
	ep       store.Endpoint
	rcv      *receiver
	d        *Deliverer
	attempts chan string
	disabled chan string
	cancel   context.CancelFunc
	done     chan struct{}
}

func newEnv(t *testing.T, cfg Config, script ...func(w http.ResponseWriter)) *env {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "kycdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	db.Now = clk.Now
	e := &env{db: db, clock: clk, attempts: make(chan string, 100), disabled: make(chan string, 10)}
	for _, name := range []string{"rev", "sup"} {
		role := store.RoleReviewer
		if name == "sup" {
			role = store.RoleSupervisor
		}
		u, err := db.CreateUser(ctx, store.SystemActor, name, "", "x", []string{role})
		if err != nil {
			t.Fatal(err)
		}
		if name == "rev" {
			e.rev = store.Actor{ID: u.ID, Name: name}
		} else {
			e.sup = store.Actor{ID: u.ID, Name: name}
		}
	}
	e.rcv = newReceiver(t, clk, script...)
	secret, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	e.rcv.secrets = []string{secret}
	e.ep, err = db.CreateEndpoint(ctx, store.Actor{Name: "admin"}, e.rcv.srv.URL+"/hook", nil, secret)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Now = clk.Now
	cfg.Jitter = func(d time.Duration) time.Duration { return d }
	if !cfg.AllowPrivate && cfg.AllowHosts == nil {
		cfg.AllowHosts = []string{"127.0.0.1"}
	}
	cfg.OnAttempt = func(r string) { e.attempts <- r }
	cfg.OnDisable = func(_ int64, reason string) { e.disabled <- reason }
	e.d = New(cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return e
}

// start runs the deliverer until the test ends.
func (e *env) start(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel, e.done = cancel, make(chan struct{})
	go func() {
		defer close(e.done)
		e.d.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-e.done
	})
}

// attempt waits until the deliverer has recorded its next attempt and returns the result.
func (e *env) attempt(t *testing.T) string {
	t.Helper()
	select {
	case r := <-e.attempts:
		return r
	case <-time.After(time.Minute):
		t.Fatal("no attempt was recorded within a minute")
	}
	return ""
}

// decide ingests a case and allows it: a video-KYC one waits for a second approval under the
// default rules (case.decision_pending), a SUSPECTED Mark ID one is decided (case.decided).
func (e *env) decide(t *testing.T, ref string, fourEyes bool) int64 {
	t.Helper()
	ctx := context.Background()
	snap := &store.Snapshot{Source: store.SourceMarkID, Ref: ref, ClientID: "client-" + ref, Status: store.Status{Overall: store.StatusSuspected}}
	if fourEyes {
		snap = &store.Snapshot{Source: store.SourceVCIP, Ref: ref, ClientID: "client-" + ref,
			Media: []store.MediaRef{{Kind: store.MediaRecordedVideo, URL: "https://vcip.example.in/rec/" + ref + ".webm"}}}
	}
	res, err := e.db.Ingest(ctx, &store.Incoming{Source: snap.Source, ReceivedAt: e.clock.Now(), Body: []byte(ref), Snapshot: snap})
	if err != nil {
		t.Fatal(err)
	}
	if fourEyes { // an allow needs the recording archived
		ms, err := e.db.CaseMedia(ctx, res.CaseID)
		if err != nil || len(ms) != 1 {
			t.Fatalf("media: %v %v", ms, err)
		}
		if err := e.db.MediaArchived(ctx, ms[0].ID, strings.Repeat("ab", 32), 10, "video/webm"); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.db.Claim(ctx, e.rev, res.CaseID); err != nil {
		t.Fatal(err)
	}
	in := store.DecisionInput{CaseID: res.CaseID, Outcome: store.OutcomeAllow, ReasonCode: "face_matches", Note: "checked"}
	if _, err := e.db.Decide(ctx, e.rev, in); err != nil {
		t.Fatal(err)
	}
	return res.CaseID
}

func (e *env) log(t *testing.T) []store.MessageLog {
	t.Helper()
	l, _, err := e.db.EndpointLog(context.Background(), e.ep.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestRetryAfter500SameID: a receiver that answers 500 and then 200 gets the same webhook-id
// twice, validly signed both times; the second attempt waits the schedule's 5 seconds.
func TestRetryAfter500SameID(t *testing.T) {
	e := newEnv(t, Config{}, status(500))
	e.decide(t, "s-500", false)
	e.start(t)
	first := e.rcv.next(t)
	if r := e.attempt(t); r != store.AttemptFailed {
		t.Fatalf("first attempt = %s, want failed", r)
	}
	if first.Event.Type != store.EventDecided || first.Event.Data.Ref != "s-500" || first.Event.Data.ReasonLabel != "Face matches" ||
		first.Event.Data.DecidedBy != "rev" || first.Event.Data.Outcome != store.OutcomeAllow || first.Event.Data.Sequence == 0 {
		t.Errorf("payload = %s, want a case.decided of s-500 by rev, allow, Face matches, with a sequence", first.Body)
	}
	l := e.log(t)
	if len(l) != 1 || !l[0].NextAt.Equal(e.clock.Now().Add(5*time.Second)) {
		t.Fatalf("after a 500 the message is due again at %v, want 5s later (%v)", l[0].NextAt, e.clock.Now().Add(5*time.Second))
	}
	e.clock.Advance(5 * time.Second)
	e.d.Wake()
	second := e.rcv.next(t)
	if r := e.attempt(t); r != store.AttemptDelivered {
		t.Fatalf("second attempt = %s, want delivered", r)
	}
	if second.ID != first.ID || string(second.Body) != string(first.Body) {
		t.Errorf("retry sent id %s body %s, want the same id %s and body", second.ID, second.Body, first.ID)
	}
	l = e.log(t)
	if l[0].State != "delivered" || len(l[0].Attempts) != 2 || l[0].Attempts[0].StatusCode != 200 || l[0].Attempts[1].StatusCode != 500 {
		t.Errorf("log = %+v, want delivered after a 500 then a 200", l[0])
	}
}

// TestGoneDisablesEndpoint: a 410 disables the endpoint; later events wait for it.
func TestGoneDisablesEndpoint(t *testing.T) {
	e := newEnv(t, Config{}, status(http.StatusGone))
	e.decide(t, "s-410", false)
	e.start(t)
	e.rcv.next(t)
	e.attempt(t)
	select {
	case <-e.disabled:
	case <-time.After(time.Minute):
		t.Fatal("the endpoint was not disabled after a 410")
	}
	ep, err := e.db.EndpointByID(context.Background(), e.ep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ep.Enabled || ep.DisabledReason == "" {
		t.Errorf("after a 410 the endpoint is enabled=%v reason %q, want disabled with a reason", ep.Enabled, ep.DisabledReason)
	}
	entries, _, err := e.db.ListAudit(context.Background(), store.AuditFilter{Action: "webhook.endpoint.disable"}, 0, 10)
	if err != nil || len(entries) != 1 {
		t.Errorf("audit of the disabling = %d entries (%v), want 1", len(entries), err)
	}
}

// TestLoopbackRefusedWithoutAllowFlag: with no allow flag the guard refuses the receiver on
// 127.0.0.1 and nothing reaches it.
func TestLoopbackRefusedWithoutAllowFlag(t *testing.T) {
	e := newEnv(t, Config{AllowHosts: []string{}})
	e.decide(t, "s-loop", false)
	e.start(t)
	if r := e.attempt(t); r != store.AttemptRefused {
		t.Fatalf("attempt to 127.0.0.1 = %s, want refused", r)
	}
	select {
	case g := <-e.rcv.got:
		t.Fatalf("the receiver on loopback got %s, want nothing", g.ID)
	default:
	}
	l := e.log(t)
	if len(l) != 1 || len(l[0].Attempts) != 1 || l[0].State != "pending" {
		t.Fatalf("log = %+v, want one pending message with one refused attempt", l)
	}
}

// TestReplaySendsSameID: replaying one message, or a time range, re-sends the same webhook-id.
func TestReplaySendsSameID(t *testing.T) {
	e := newEnv(t, Config{})
	e.decide(t, "s-replay", false)
	e.start(t)
	first := e.rcv.next(t)
	e.attempt(t)
	ctx := context.Background()
	msg := e.log(t)[0]
	if err := e.db.ReplayMessage(ctx, store.Actor{Name: "admin"}, e.ep.ID, msg.ID); err != nil {
		t.Fatal(err)
	}
	again := e.rcv.next(t)
	e.attempt(t)
	if again.ID != first.ID {
		t.Errorf("replay sent %s, want the original id %s", again.ID, first.ID)
	}
	n, err := e.db.ReplayRange(ctx, store.Actor{Name: "admin"}, e.ep.ID, e.clock.Now().Add(-time.Hour), e.clock.Now().Add(time.Second))
	if err != nil || n != 1 {
		t.Fatalf("ReplayRange = %d, %v; want 1 event", n, err)
	}
	third := e.rcv.next(t)
	e.attempt(t)
	if third.ID != first.ID {
		t.Errorf("range replay sent %s, want the original id %s", third.ID, first.ID)
	}
	l := e.log(t)
	if len(l) != 3 || l[0].Trigger != store.TriggerReplay || l[0].Attempts[0].Trigger != store.TriggerReplay || l[2].Trigger != store.TriggerScheduled {
		t.Errorf("log triggers = %+v, want scheduled then two replays", l)
	}
	entries, _, _ := e.db.ListAudit(ctx, store.AuditFilter{}, 0, 50)
	var replays int
	for _, a := range entries {
		if a.Action == "webhook.replay" || a.Action == "webhook.replay_range" {
			replays++
		}
	}
	if replays != 2 {
		t.Errorf("audited replays = %d, want 2", replays)
	}
}

// TestCaseEventsInSequenceOrder: while a case's first event is failing, its second waits; both
// then arrive in sequence order. Another case's event is not held up.
func TestCaseEventsInSequenceOrder(t *testing.T) {
	e := newEnv(t, Config{Workers: 4}, status(500))
	ctx := context.Background()
	id := e.decide(t, "s-order", true) // case.decision_pending
	if err := e.db.Approve(ctx, e.sup, id, ""); err != nil {
		t.Fatal(err)
	}
	e.start(t)
	first := e.rcv.next(t)
	e.attempt(t)
	if first.Event.Type != store.EventDecisionPending {
		t.Fatalf("first delivery is %s, want case.decision_pending", first.Event.Type)
	}
	// Another case goes out at once while s-order's second event waits behind its first.
	e.decide(t, "s-other", false)
	other := e.rcv.next(t)
	e.attempt(t)
	if other.Event.Data.Ref != "s-other" {
		t.Fatalf("while s-order's first event waits to be retried, %s (%s) was sent, want only s-other's", other.Event.Type, other.Event.Data.Ref)
	}
	e.clock.Advance(5 * time.Second)
	e.d.Wake()
	a, b := e.rcv.next(t), e.rcv.next(t)
	if a.ID != first.ID || b.Event.Type != store.EventDecided || b.Event.Data.Sequence <= a.Event.Data.Sequence {
		t.Errorf("after the retry: %s #%d then %s #%d, want the pending event again then case.decided",
			a.Event.Type, a.Event.Data.Sequence, b.Event.Type, b.Event.Data.Sequence)
	}
	if b.Event.Data.ApprovedBy != "sup" || b.Event.Data.ApprovedAt == nil {
		t.Errorf("case.decided after four-eyes: approvedBy %q at %v, want sup with a time", b.Event.Data.ApprovedBy, b.Event.Data.ApprovedAt)
	}
}

// TestRetryAfterHonoured: a 503 with Retry-After: 120 waits two minutes, not the schedule's 5 s.
func TestRetryAfterHonoured(t *testing.T) {
	e := newEnv(t, Config{}, func(w http.ResponseWriter) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	e.decide(t, "s-503", false)
	e.start(t)
	e.rcv.next(t)
	e.attempt(t)
	if l := e.log(t); !l[0].NextAt.Equal(e.clock.Now().Add(120 * time.Second)) {
		t.Errorf("after 503 Retry-After 120 the next attempt is at %v, want %v", l[0].NextAt, e.clock.Now().Add(120*time.Second))
	}
}

// TestRedirectIsAFailure: only a 2xx counts; a 302 is not followed.
func TestRedirectIsAFailure(t *testing.T) {
	e := newEnv(t, Config{}, func(w http.ResponseWriter) {
		w.Header().Set("Location", "/elsewhere")
		w.WriteHeader(http.StatusFound)
	})
	e.decide(t, "s-302", false)
	e.start(t)
	e.rcv.next(t)
	if r := e.attempt(t); r != store.AttemptFailed {
		t.Errorf("a 302 = %s, want failed", r)
	}
	select {
	case g := <-e.rcv.got:
		t.Errorf("the redirect was followed: got %s", g.ID)
	default:
	}
}

// TestFailingPeriodDisables: an endpoint failing for longer than the configured period is disabled.
func TestFailingPeriodDisables(t *testing.T) {
	e := newEnv(t, Config{DisableAfter: time.Hour}, status(500), status(500), status(500))
	e.decide(t, "s-fail", false)
	e.start(t)
	e.rcv.next(t)
	e.attempt(t)
	e.clock.Advance(2 * time.Hour)
	e.d.Wake()
	e.rcv.next(t)
	e.attempt(t)
	select {
	case reason := <-e.disabled:
		if reason == "" {
			t.Error("disabled without a reason")
		}
	case <-time.After(time.Minute):
		t.Fatal("an endpoint failing for 2 hours with a 1-hour period was not disabled")
	}
}

// TestRotationSignsWithBothSecrets: during the grace period both the old and the new secret
// verify; after it, only the new one is used.
func TestRotationSignsWithBothSecrets(t *testing.T) {
	e := newEnv(t, Config{})
	ctx := context.Background()
	old := e.rcv.secrets[0]
	fresh, _ := NewSecret()
	if err := e.db.RotateEndpointSecret(ctx, store.Actor{Name: "admin"}, e.ep.ID, fresh, time.Hour); err != nil {
		t.Fatal(err)
	}
	e.rcv.mu.Lock()
	e.rcv.secrets = []string{old, fresh}
	e.rcv.mu.Unlock()
	e.decide(t, "s-rot", false)
	e.start(t)
	e.rcv.next(t)
	e.attempt(t)
	e.clock.Advance(2 * time.Hour)
	e.rcv.mu.Lock()
	e.rcv.secrets = []string{fresh}
	e.rcv.mu.Unlock()
	e.decide(t, "s-rot2", false)
	g := e.rcv.next(t)
	e.attempt(t)
	wh, _ := standardwebhooks.NewWebhook(old)
	if err := wh.VerifyIgnoringTimestamp(g.Body, http.Header{"Webhook-Id": {g.ID}, "Webhook-Timestamp": {g.Timestamp},
		"Webhook-Signature": {g.Signature}}); err == nil {
		t.Errorf("after the grace period the old secret still verifies %q", g.Signature)
	}
}
