package web

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/outbound"
)

// newDeliverer builds the webhook deliverer on the app's clock, base URL and metrics.
func (a *App) newDeliverer() *outbound.Deliverer {
	cfg := a.cfg.Outbound
	if cfg.Now == nil {
		cfg.Now = a.cfg.Now
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = a.cfg.BaseURL
	}
	attempts := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kycdesk_webhook_attempts_total",
		Help: "Outbound webhook delivery attempts, by result (delivered, failed, refused, timeout).",
	}, []string{"result"})
	for _, r := range []string{store.AttemptDelivered, store.AttemptFailed, store.AttemptRefused, store.AttemptTimeout} {
		attempts.WithLabelValues(r)
	}
	stat := func(read func(store.OutboxStats) float64) func() float64 {
		return func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			s, err := a.db.OutboxStats(ctx)
			if err != nil {
				return -1
			}
			return read(s)
		}
	}
	a.metrics.reg.MustRegister(attempts,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "kycdesk_outbox_pending",
			Help: "Webhook messages waiting for delivery."}, stat(func(s store.OutboxStats) float64 { return float64(s.Pending) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "kycdesk_outbox_oldest_pending_seconds",
			Help: "Age of the oldest webhook message waiting for delivery (0 when none)."},
			stat(func(s store.OutboxStats) float64 {
				if s.OldestPending.IsZero() {
					return 0
				}
				return a.cfg.Now().Sub(s.OldestPending).Seconds()
			})),
	)
	prev := cfg.OnAttempt
	cfg.OnAttempt = func(result string) {
		attempts.WithLabelValues(result).Inc()
		if prev != nil {
			prev(result)
		}
	}
	return outbound.New(cfg, a.db, a.log)
}
