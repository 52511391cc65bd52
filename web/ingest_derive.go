package web

import (
	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/ingest"
)

// ingesterOptions sets up the webhooks' writer: a callback is acknowledged once its raw bytes
// commit, and its case is derived from the stored row right after, in batches (store.Ingester).
// The deriver decodes with this build's decoders when it reads the backlog back from the table.
func (a *App) ingesterOptions() store.IngesterOptions {
	opts := store.IngesterOptions{
		MaxBatch: 128,
		Decode:   ingest.Decode,
		// New cases may have media to fetch.
		OnDerived: func(int) { a.fetcher.Wake() },
		OnError:   func(err error) { a.log.Error("derive cases", "err", err) },
	}
	if a.cfg.deriveInline {
		opts.Decode, opts.OnDerived = nil, nil
	}
	return opts
}
