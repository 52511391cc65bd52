package web

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// opsCollector reads the operational gauges once per scrape, cheaply: per-state counts from
// the trigger-kept state_counts table (a few rows however many cases there are), the oldest
// waiting case from the head of the queue index, active sessions from the last-seen index, and
// free disk from statfs. The archive's size needs a scan of the media index, so it is refreshed
// at most every archiveSizeEvery.
type opsCollector struct {
	a *App

	cases, media, oldest, sessions, sla, free, minFree, backlog, failed, archived *prometheus.Desc
	derive, deriveAge, upkeepFailures, fillRemaining                              *prometheus.Desc

	mu          sync.Mutex
	archiveAt   time.Time
	archiveSize int64
}

const archiveSizeEvery = 5 * time.Minute

func newOpsCollector(a *App) *opsCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &opsCollector{
		a:        a,
		cases:    d("kycdesk_cases", "Cases by review state.", "state"),
		media:    d("kycdesk_media", "Media rows by fetch state.", "state"),
		oldest:   d("kycdesk_oldest_needs_decision_seconds", "How long the longest-waiting case needing a decision has waited; 0 when none does."),
		sessions: d("kycdesk_sessions_active", "Signed-in sessions active within the idle timeout."),
		sla:      d("kycdesk_sla_seconds", "The overdue threshold (Settings, or --sla)."),
		free:     d("kycdesk_disk_free_bytes", "Free disk for the data dir and media archive (the smaller)."),
		minFree:  d("kycdesk_min_free_disk_bytes", "--min-free-disk: below it /readyz fails and the webhooks answer 503."),
		backlog:  d("kycdesk_media_backlog", "Media files queued for fetching."),
		failed:   d("kycdesk_media_failed", "Media files whose fetch gave up."),
		archived: d("kycdesk_media_archived_bytes", "Bytes of archived media (distinct files; refreshed every 5 minutes)."),
		derive:   d("kycdesk_ingest_backlog", "Acknowledged callbacks whose case is not derived yet."),
		deriveAge: d("kycdesk_ingest_backlog_oldest_seconds",
			"How long the oldest acknowledged callback has waited for its case; 0 when none is waiting."),
		upkeepFailures: d("kycdesk_upkeep_failures_total",
			"Failed attempts of the store's background work since start: task=checkpoint (copying the write-ahead log into the database) or task=backfill (a fill an upgrade left).", "task"),
		fillRemaining: d("kycdesk_backfill_remaining_cases", "Cases a background fill left by an upgrade has still to do; absent once every fill is done.", "fill"),
	}
}

// Describe sends every descriptor.
func (o *opsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{o.cases, o.media, o.oldest, o.sessions, o.sla, o.free, o.minFree, o.backlog, o.failed, o.archived,
		o.derive, o.deriveAge, o.upkeepFailures, o.fillRemaining} {
		ch <- d
	}
}

// Collect reads the figures; one that cannot be read is left out of this scrape rather than
// reported as a wrong number.
func (o *opsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	a := o.a
	now := a.cfg.Now()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	if s, err := a.db.OpsStats(ctx, now.Add(-a.cfg.SessionIdle)); err == nil {
		for state, n := range s.Cases {
			gauge(o.cases, float64(n), state)
		}
		for state, n := range s.Media {
			gauge(o.media, float64(n), state)
		}
		age := 0.0
		if !s.OldestNeedsDecision.IsZero() {
			age = now.Sub(s.OldestNeedsDecision).Seconds()
		}
		gauge(o.oldest, age)
		gauge(o.sessions, float64(s.ActiveSessions))
		gauge(o.backlog, float64(s.Media["queued"]))
		gauge(o.failed, float64(s.Media["failed"]))
	} else {
		a.log.Warn("metrics: ops stats", "err", err)
	}
	if b, err := a.db.DeriveBacklog(ctx); err == nil {
		gauge(o.derive, float64(b.Count))
		age := 0.0
		if !b.Oldest.IsZero() {
			age = max(now.Sub(b.Oldest).Seconds(), 0)
		}
		gauge(o.deriveAge, age)
	} else {
		a.log.Warn("metrics: ingest backlog", "err", err)
	}
	if u, err := a.db.Upkeep(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(o.upkeepFailures, prometheus.CounterValue, float64(u.Checkpoint.Count), "checkpoint")
		ch <- prometheus.MustNewConstMetric(o.upkeepFailures, prometheus.CounterValue, float64(u.Fill.Count), "backfill")
		for _, f := range u.Fills {
			gauge(o.fillRemaining, float64(f.Left()), f.Name)
		}
	} else {
		a.log.Warn("metrics: upkeep", "err", err)
	}
	gauge(o.sla, a.slaNow().Seconds())
	if free, err := a.freeDisk(); err == nil {
		gauge(o.free, float64(free))
	}
	gauge(o.minFree, float64(a.cfg.Ops.MinFreeDisk))
	if size, ok := o.archiveBytes(ctx); ok {
		gauge(o.archived, float64(size))
	}
}

func (o *opsCollector) archiveBytes(ctx context.Context) (int64, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.archiveAt.IsZero() && time.Since(o.archiveAt) < archiveSizeEvery {
		return o.archiveSize, true
	}
	s, err := o.a.db.MediaStats(ctx)
	if err != nil {
		return 0, false
	}
	o.archiveAt, o.archiveSize = time.Now(), s.Bytes
	return s.Bytes, true
}

// slaNow is the overdue threshold in force (the saved setting, or the flag).
func (a *App) slaNow() time.Duration { return a.rules().SLA }
