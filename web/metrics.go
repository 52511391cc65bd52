package web

import (
	"context"
	"slices"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kycdesk/kycdesk/store"
)

// metrics is the app's own Prometheus registry; nothing registers globally.
type metrics struct {
	reg       *prometheus.Registry
	callbacks *prometheus.CounterVec
	ingest    *prometheus.HistogramVec
	media     *prometheus.CounterVec
	refused   prometheus.Counter
	schema    *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		callbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kycdesk_callbacks_total",
			Help: "Vendor callbacks received, by source and outcome (stored, duplicate, quarantined, unauthorized, too_large, busy, unavailable, not_configured, disk_low).",
		}, []string{"source", "outcome"}),
		ingest: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kycdesk_ingest_seconds",
			Help:    "Time from receiving a callback to acknowledging it durably.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"source"}),
		media: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kycdesk_media_fetches_total",
			Help: "Media fetch attempts, by media kind and result.",
		}, []string{"kind", "result"}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kycdesk_connections_refused_total",
			Help: "Connections closed at once because their client address already held the most allowed.",
		}),
	}
	m.schema = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kycdesk_schema_warnings_total",
		Help: "Stored callbacks with at least one field of an unexpected type (the case was kept), by source.",
	}, []string{"source"})
	for _, src := range []store.Source{store.SourceMarkID, store.SourceVCIP} {
		m.schema.WithLabelValues(string(src)) // both series exist from the start, at 0
	}
	m.reg.MustRegister(m.callbacks, m.ingest, m.media, m.refused, m.schema,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) callback(source store.Source, outcome string) {
	m.callbacks.WithLabelValues(string(source), outcome).Inc()
}

func (m *metrics) observeIngest(source store.Source, start time.Time) {
	m.ingest.WithLabelValues(string(source)).Observe(time.Since(start).Seconds())
}

// mediaResult counts a fetch. The kind is a label only when it is one of ours: a vendor may name
// any key in fileUrls, and vendor text must neither grow the series nor be readable on /metrics.
func (m *metrics) mediaResult(kind, result string) {
	if !slices.Contains(metricMediaKinds, kind) {
		kind = "other"
	}
	m.media.WithLabelValues(kind, result).Inc()
}

// metricMediaKinds are the media kinds that are labels; any other is counted as "other".
var metricMediaKinds = []string{store.MediaFront, store.MediaBack, store.MediaFace, store.MediaFrontVideo,
	store.MediaBackVideo, store.MediaFaceVideo, store.MediaDocumentImage, store.MediaScreenshot,
	store.MediaFinalImage, store.MediaRecordedVideo, store.MediaVideoThumbnail}

func (m *metrics) connRefused() { m.refused.Inc() }

// handleMetrics serves Prometheus text. It carries counts only, no personal data, so it is open
// unless a metrics token is configured.
func (a *App) handleMetrics(c echo.Context) error {
	if a.cfg.MetricsToken != "" && !bearerMatches(c.Request().Header.Get("Authorization"), []string{a.cfg.MetricsToken}) {
		return echo.NewHTTPError(401, "a bearer token is required for /metrics")
	}
	promhttp.HandlerFor(a.metrics.reg, promhttp.HandlerOpts{}).ServeHTTP(c.Response(), c.Request())
	return nil
}

// handleHealthz answers 200 when the database answers.
func (a *App) handleHealthz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := a.db.Ping(ctx); err != nil {
		return c.String(503, "database unavailable\n")
	}
	return c.String(200, "ok\n")
}
