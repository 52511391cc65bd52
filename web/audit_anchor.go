package web

import (
	"context"
	"fmt"
	"time"
)

// The audit chain's head goes to the log at a fixed interval, as a line a log collector keeps
// (msg "audit chain head", with expect=ID:HASH as `kycdesk audit verify --expect` takes it). A
// copy the attacker does not hold then shows a truncated log, or one rewritten wholesale.

// runAuditAnchor writes the head at start and then every AuditAnchorEvery, until ctx is done.
func (a *App) runAuditAnchor(ctx context.Context) {
	a.anchorAuditHead(ctx)
	tick := time.NewTicker(a.cfg.AuditAnchorEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			a.anchorAuditHead(ctx)
		}
	}
}

// anchorAuditHead writes one anchor line.
func (a *App) anchorAuditHead(ctx context.Context) {
	id, hash, err := a.db.AuditHead(ctx)
	if err != nil {
		if ctx.Err() == nil {
			a.log.Error("audit anchor", "err", err)
		}
		return
	}
	a.log.Info("audit chain head", "anchor", "kycdesk.audit", "id", id, "hash", hash,
		"expect", fmt.Sprintf("%d:%s", id, hash))
}
