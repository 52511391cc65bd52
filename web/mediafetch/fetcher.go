// Package mediafetch downloads the media files vendors link to into the local archive.
// The links are pre-signed and expire within about an hour, so fetching starts as soon as a
// callback is stored. The database is the queue: a restart loses nothing.
package mediafetch

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kycdesk/kycdesk/store"
)

// Outcomes passed to OnResult.
const (
	OutcomeArchived = "archived" // the file is in the archive
	OutcomeRetry    = "retry"    // the attempt failed; the row is tried again later
	OutcomeFailed   = "failed"   // the fetcher gave up; a person can retry
)

// maxBackoff caps the wait between attempts: an expiring link is worth trying often.
const maxBackoff = 5 * time.Minute

// Config tunes the fetcher; zero fields take the documented defaults.
type Config struct {
	// Workers is how many downloads run at once (default 4).
	Workers int
	// Timeout is how long a download may wait for the server: for the response, and then for
	// each next piece of the body (default 30s). A download as a whole may take 10 times as
	// long, so a large video on a slow link still completes while a stalled one is dropped.
	Timeout time.Duration
	// GiveUpAfter is how long after queueing a failing download is abandoned (default 2h).
	GiveUpAfter time.Duration
	// MaxImage and MaxVideo cap a file's size by the media kind (defaults 20 MiB and 200 MiB).
	MaxImage int64
	MaxVideo int64
	// AllowPrivate permits downloads from loopback, private and link-local addresses.
	// Only for development and tests.
	AllowPrivate bool
	// AllowHosts are the destinations exempt from the address checks, e.g. a vendor's on-premises
	// server: "host:port" allows that port only ("[fd00::1]:8443" for IPv6); a bare host, any
	// port. Redirects elsewhere are still checked.
	AllowHosts []string
	// BackoffBase is the first retry delay, doubled on each failure up to 5 minutes (default 2s).
	BackoffBase time.Duration
	// PollInterval is how often the queue is read when nothing wakes the fetcher (default 1s).
	PollInterval time.Duration
}

// DefaultConfig is the fetcher's defaults, which `kycdesk serve` shows on its flags.
func DefaultConfig() Config {
	return Config{
		Workers:      4,
		Timeout:      30 * time.Second,
		GiveUpAfter:  2 * time.Hour,
		MaxImage:     20 << 20,
		MaxVideo:     200 << 20,
		BackoffBase:  2 * time.Second,
		PollInterval: time.Second,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Workers <= 0 {
		c.Workers = d.Workers
	}
	if c.Timeout <= 0 {
		c.Timeout = d.Timeout
	}
	if c.GiveUpAfter <= 0 {
		c.GiveUpAfter = d.GiveUpAfter
	}
	if c.MaxImage <= 0 {
		c.MaxImage = d.MaxImage
	}
	if c.MaxVideo <= 0 {
		c.MaxVideo = d.MaxVideo
	}
	if c.BackoffBase <= 0 {
		c.BackoffBase = d.BackoffBase
	}
	if c.PollInterval <= 0 {
		c.PollInterval = d.PollInterval
	}
	return c
}

// Fetcher downloads queued media with a pool of workers.
type Fetcher struct {
	// OnResult, when set before Run, is called after every attempt with the media kind
	// (store.MediaFront…) and OutcomeArchived, OutcomeRetry or OutcomeFailed.
	OnResult func(kind, outcome string)

	cfg     Config
	db      *store.DB
	blobs   *store.Blobs
	log     *slog.Logger
	client  *http.Client
	wake    chan struct{}
	mu      sync.Mutex
	running map[int64]bool // rows being fetched, so the dispatcher does not hand them out twice
}

// New returns a fetcher; Run starts it.
func New(cfg Config, db *store.DB, blobs *store.Blobs, log *slog.Logger) *Fetcher {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.Default()
	}
	return &Fetcher{
		cfg:     cfg,
		db:      db,
		blobs:   blobs,
		log:     log,
		client:  newHTTPClient(cfg),
		wake:    make(chan struct{}, 1),
		running: map[int64]bool{},
	}
}

// Wake makes a running fetcher read the queue now; call it after storing a callback with media.
func (f *Fetcher) Wake() {
	select {
	case f.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// Run fetches due media until ctx is done, then waits for the downloads under way to stop.
// A download cut short by ctx is not counted as a failed attempt: its row stays due.
func (f *Fetcher) Run(ctx context.Context) {
	// Whatever an earlier process left half-written cannot be in progress any more.
	if n, err := f.blobs.RemoveStaleTemp(time.Now().Add(-10 * f.cfg.Timeout)); err != nil {
		f.log.Warn("media: removing unfinished files", "err", err)
	} else if n > 0 {
		f.log.Info("media: removed unfinished files from an earlier run", "count", n)
	}
	jobs := make(chan int64)
	var wg sync.WaitGroup
	for range f.cfg.Workers {
		wg.Go(func() {
			for id := range jobs {
				f.work(ctx, id)
				f.mu.Lock()
				delete(f.running, id)
				f.mu.Unlock()
			}
		})
	}
	defer wg.Wait()
	defer close(jobs)
	tick := time.NewTicker(f.cfg.PollInterval)
	defer tick.Stop()
	for {
		f.dispatch(ctx, jobs)
		select {
		case <-ctx.Done():
			return
		case <-f.wake:
		case <-tick.C:
		}
	}
}

// dispatch hands due rows to the workers until every due row is being fetched.
func (f *Fetcher) dispatch(ctx context.Context, jobs chan<- int64) {
	for {
		f.mu.Lock()
		limit := 2*f.cfg.Workers + len(f.running)
		f.mu.Unlock()
		due, err := f.db.DueMedia(ctx, limit)
		if err != nil {
			if ctx.Err() == nil {
				f.log.Error("media: reading the queue", "err", err)
			}
			return
		}
		sent := 0
		for _, m := range due {
			f.mu.Lock()
			busy := f.running[m.ID]
			f.running[m.ID] = true
			f.mu.Unlock()
			if busy {
				continue
			}
			select {
			case jobs <- m.ID:
				sent++
			case <-ctx.Done():
				f.mu.Lock()
				delete(f.running, m.ID)
				f.mu.Unlock()
				return
			}
		}
		if sent == 0 {
			return
		}
	}
}

// work fetches one row handed out by dispatch. The row is read again first: the list it came
// from may predate another worker finishing it.
func (f *Fetcher) work(ctx context.Context, id int64) {
	m, err := f.db.MediaByID(ctx, id)
	if err != nil {
		if ctx.Err() == nil {
			f.log.Error("media: reading a queued row", "media", id, "err", err)
		}
		return
	}
	if m.State != store.MediaStateQueued || m.NextAttemptAt.After(f.db.Now()) {
		return
	}
	if err := f.FetchOne(ctx, m); err != nil && ctx.Err() == nil {
		// Ids only: the kind is a vendor's key and the error may quote its URL; both are cut short.
		f.log.Warn("media: fetch failed", "media", m.ID, "case", m.CaseID, "attempt", m.Attempts+1, "err", clipText(err.Error()))
	}
}

// FetchOne downloads one media row into the archive and records the result on the row:
// archived, or the failed attempt with its next try (or failed for good). It returns the
// download's error, if any. Interrupted by ctx, it records nothing.
func (f *Fetcher) FetchOne(ctx context.Context, m store.Media) error {
	got, ferr := f.download(ctx, m)
	if ferr == nil {
		if err := f.db.MediaArchived(ctx, m.ID, got.sha, got.size, got.contentType); err != nil {
			return err
		}
		f.report(m.Kind, OutcomeArchived)
		f.log.Debug("media: archived", "media", m.ID, "case", m.CaseID, "bytes", got.size, "type", got.contentType)
		return nil
	}
	if ctx.Err() != nil {
		return ferr
	}
	now := f.db.Now()
	deadline := m.QueuedAt.Add(f.cfg.GiveUpAfter)
	giveUp := isPermanent(ferr) || !now.Before(deadline)
	next := now.Add(f.backoff(m.Attempts))
	if next.After(deadline) {
		next = deadline // the last try is made at the deadline, not skipped past it
	}
	if err := f.db.MediaAttemptFailed(ctx, m.ID, ferr.Error(), next, giveUp); err != nil {
		return errors.Join(ferr, err)
	}
	if giveUp {
		f.report(m.Kind, OutcomeFailed)
	} else {
		f.report(m.Kind, OutcomeRetry)
	}
	return ferr
}

// backoff is the wait after a row's attempts+1-th failure: BackoffBase doubled per earlier failure.
func (f *Fetcher) backoff(attempts int) time.Duration {
	d := f.cfg.BackoffBase
	for range attempts {
		if d >= maxBackoff {
			break
		}
		d *= 2
	}
	return min(d, maxBackoff)
}

func (f *Fetcher) report(kind, outcome string) {
	if f.OnResult != nil {
		f.OnResult(kind, outcome)
	}
}

// clipText cuts a log value to 200 bytes without splitting a character.
func clipText(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
