package outbound

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/mediafetch"
)

// Schedule is the wait before each attempt: the first goes out at once, the tenth 24 hours after
// the ninth. After the tenth failure the message is given up (and stays in the log, replayable).
var Schedule = []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour,
	5 * time.Hour, 10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour}

// Config tunes the deliverer; zero fields take the documented defaults.
type Config struct {
	// Workers is how many messages are sent at once (default 4).
	Workers int
	// Timeout is how long a receiver has to answer with a 2xx (default 15s).
	Timeout time.Duration
	// DisableAfter disables an endpoint whose every delivery has failed for this long (default 72h).
	DisableAfter time.Duration
	// AllowPrivate lets deliveries reach loopback, private and link-local addresses.
	AllowPrivate bool
	// AllowHosts are host names or IP literals exempt from the address checks.
	AllowHosts []string
	// BaseURL makes each event's caseUrl absolute.
	BaseURL string
	// Now is the clock (default: the system's, in UTC).
	Now func() time.Time
	// Jitter spreads a retry delay (default: up to 10 % longer, at random).
	Jitter func(time.Duration) time.Duration
	// PollInterval is how often the outbox is read when nothing wakes the deliverer (default 1s).
	PollInterval time.Duration
	// OnAttempt, when set, is called after every attempt with its result (store.AttemptDelivered…).
	OnAttempt func(result string)
	// OnDisable, when set, is called when an endpoint is disabled, with the reason.
	OnDisable func(endpointID int64, reason string)
}

// DefaultConfig is the documented defaults: 4 workers, 15 s to answer, disabled after 72 h of failures.
func DefaultConfig() Config {
	return Config{Workers: 4, Timeout: 15 * time.Second, DisableAfter: 72 * time.Hour, PollInterval: time.Second}
}

func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.Timeout <= 0 {
		c.Timeout = 15 * time.Second
	}
	if c.DisableAfter <= 0 {
		c.DisableAfter = 72 * time.Hour
	}
	if c.Now == nil {
		c.Now = func() time.Time { return time.Now().UTC() }
	}
	if c.Jitter == nil {
		c.Jitter = func(d time.Duration) time.Duration {
			if d <= 0 {
				return d
			}
			return d + time.Duration(rand.Int64N(int64(d)/10+1))
		}
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	return c
}

// Deliverer sends due messages from the outbox. The database is the queue: a restart, even a
// kill -9, loses nothing; a message whose answer was never recorded is sent again (at least once).
type Deliverer struct {
	cfg     Config
	db      *store.DB
	log     *slog.Logger
	client  *http.Client
	wake    chan struct{}
	mu      sync.Mutex
	running map[int64]bool // messages being sent, so the dispatcher does not hand them out twice
}

// New returns a deliverer; Run starts it.
func New(cfg Config, db *store.DB, log *slog.Logger) *Deliverer {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.Default()
	}
	return &Deliverer{
		cfg: cfg, db: db, log: log, wake: make(chan struct{}, 1), running: map[int64]bool{},
		client: &http.Client{
			Timeout: cfg.Timeout,
			Transport: &http.Transport{
				Proxy:                  nil, // a proxy would dial for us, past the address check
				DialContext:            mediafetch.GuardedDial(cfg.Timeout, cfg.AllowPrivate, cfg.AllowHosts),
				ForceAttemptHTTP2:      true,
				TLSHandshakeTimeout:    cfg.Timeout,
				MaxIdleConnsPerHost:    cfg.Workers,
				IdleConnTimeout:        90 * time.Second,
				MaxResponseHeaderBytes: 64 << 10,
			},
			// A 3xx is an answer like any other, and not a success: never follow it.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// Wake makes a running deliverer read the outbox now (after a test moves the clock, say).
func (d *Deliverer) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is done, then waits for the sends under way.
func (d *Deliverer) Run(ctx context.Context) {
	jobs := make(chan store.OutboundMessage)
	var wg sync.WaitGroup
	for range d.cfg.Workers {
		wg.Go(func() {
			for m := range jobs {
				d.send(ctx, m)
				d.mu.Lock()
				delete(d.running, m.ID)
				d.mu.Unlock()
				d.Wake() // the case's next message may be due now
			}
		})
	}
	defer wg.Wait()
	defer close(jobs)
	tick := time.NewTicker(d.cfg.PollInterval)
	defer tick.Stop()
	for {
		d.dispatch(ctx, jobs)
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-d.db.OutboxSignal():
		case <-tick.C:
		}
	}
}

// dispatch hands due messages to the workers until every due message is being sent.
func (d *Deliverer) dispatch(ctx context.Context, jobs chan<- store.OutboundMessage) {
	for {
		d.mu.Lock()
		skip := make(map[int64]bool, len(d.running))
		for id := range d.running {
			skip[id] = true
		}
		d.mu.Unlock()
		due, err := d.db.DueMessages(ctx, d.cfg.Now(), skip, 2*d.cfg.Workers)
		if err != nil {
			if ctx.Err() == nil {
				d.log.Error("webhooks: reading the outbox", "err", err)
			}
			return
		}
		if len(due) == 0 {
			return
		}
		for _, m := range due {
			d.mu.Lock()
			d.running[m.ID] = true
			d.mu.Unlock()
			select {
			case jobs <- m:
			case <-ctx.Done():
				d.mu.Lock()
				delete(d.running, m.ID)
				d.mu.Unlock()
				return
			}
		}
	}
}

// send makes one attempt and records it. An attempt cut short by shutdown is not recorded: the
// message stays due and goes out again after the restart.
func (d *Deliverer) send(ctx context.Context, m store.OutboundMessage) {
	a := d.attempt(ctx, m)
	if ctx.Err() != nil && a.Result != store.AttemptDelivered {
		return
	}
	out, err := d.db.RecordAttempt(context.WithoutCancel(ctx), a)
	if err != nil {
		d.log.Error("webhooks: recording an attempt", "message", m.ID, "err", err)
		return
	}
	if d.cfg.OnAttempt != nil {
		d.cfg.OnAttempt(a.Result)
	}
	if out.Disabled {
		d.log.Warn("webhooks: endpoint disabled", "endpoint", m.Endpoint.ID, "url", m.Endpoint.URL, "reason", out.Reason)
		if d.cfg.OnDisable != nil {
			d.cfg.OnDisable(m.Endpoint.ID, out.Reason)
		}
	}
}

// attempt POSTs the message and classifies the answer; it says when to try again.
func (d *Deliverer) attempt(ctx context.Context, m store.OutboundMessage) store.Attempt {
	now := d.cfg.Now()
	a := store.Attempt{MessageID: m.ID, EndpointID: m.Endpoint.ID, At: now, Trigger: m.Trigger, Result: store.AttemptFailed,
		DisableFailingSince: now.Add(-d.cfg.DisableAfter)}
	failed := m.Attempts + 1
	if failed >= len(Schedule) {
		a.GiveUp = true
	} else {
		a.Next = now.Add(d.cfg.Jitter(Schedule[failed]))
	}
	body, err := Payload(m.Event, d.cfg.BaseURL)
	if err != nil {
		a.Error = err.Error()
		return a
	}
	sig, err := Signature(m.Event.MsgID, now, body, m.Endpoint.Secrets(now))
	if err != nil {
		a.Error = err.Error()
		return a
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Endpoint.URL, bytes.NewReader(body))
	if err != nil {
		a.Error = "The endpoint address cannot be used: " + err.Error()
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "KYC-Desk-Webhooks/1")
	req.Header.Set("webhook-id", m.Event.MsgID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	start := time.Now()
	resp, err := d.client.Do(req)
	if err != nil {
		a.Duration = time.Since(start)
		a.Error = err.Error()
		var ne net.Error
		switch {
		case errors.Is(err, mediafetch.ErrBlocked):
			a.Result = store.AttemptRefused
			a.Error = "Refused by the address guard: " + err.Error() +
				". Start the server with --outbound-allow-hosts or --outbound-allow-private to reach internal systems."
		case errors.As(err, &ne) && ne.Timeout():
			a.Result = store.AttemptTimeout
			a.Error = "No answer within " + d.cfg.Timeout.String() + "."
		}
		return a
	}
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	a.Duration = time.Since(start)
	a.StatusCode = resp.StatusCode
	a.Response = string(head)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		a.Result, a.Next, a.GiveUp = store.AttemptDelivered, time.Time{}, false
	case resp.StatusCode == http.StatusGone:
		a.Disable = "The receiver answered 410 Gone, which asks for no more deliveries."
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		if wait, ok := retryAfter(resp.Header.Get("Retry-After"), now); ok && !a.GiveUp && now.Add(wait).After(a.Next) {
			a.Next = now.Add(wait)
		}
	}
	return a
}

// retryAfter reads a Retry-After header (seconds or an HTTP date), capped at a day.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	var wait time.Duration
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		wait = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		wait = t.Sub(now)
	} else {
		return 0, false
	}
	if wait < 0 {
		wait = 0
	}
	return min(wait, 24*time.Hour), true
}
