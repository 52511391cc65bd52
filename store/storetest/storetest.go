// Package storetest is the test kit shared by the store's, web's and e2e's tests and benchmarks:
// a settable clock, a fresh database in a temp dir, and large synthetic audit trails. Only tests
// import it; nothing here belongs in the binary.
package storetest

import (
	"context"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// Clock is a settable clock, safe for concurrent use. Its zero value reads 2025-11-20 09:00 UTC.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t.IsZero() {
		c.t = time.Date(2025, 11, 20, 9, 0, 0, 0, time.UTC)
	}
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	now := c.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = now.Add(d)
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// OpenDB opens a fresh database in a temp dir, closed when the test ends, with its clock set to
// clk (nil: the real clock).
func OpenDB(t testing.TB, clk *Clock) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "kycdesk.db"))
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if clk != nil {
		db.Now = clk.Now
	}
	return db
}

// SeedAudit appends n made-up entries, one a second up to now, through the store's own chaining,
// so that VerifyAudit still passes: mostly case views, with claims, decisions and sign-ins mixed
// in. The entries describe nothing that happened.
func SeedAudit(ctx context.Context, db *store.DB, n int) error {
	start := db.Now().UTC().Add(-time.Duration(n) * time.Second)
	i := 0
	_, err := db.AuditMany(ctx, func() (store.AuditEntry, bool) {
		if i >= n {
			return store.AuditEntry{}, false
		}
		actorID := int64(i%8 + 1)
		caseID := int64(i%50000 + 1)
		e := store.AuditEntry{At: start.Add(time.Duration(i) * time.Second), Actor: "rev" + strconv.FormatInt(actorID, 10),
			ActorID: actorID, Action: "case.view", TargetType: "case", TargetID: strconv.FormatInt(caseID, 10), CaseID: caseID}
		switch i % 10 {
		case 1:
			e.Action = "case.claim"
		case 2:
			e.Action = "case.decision"
			e.Details = map[string]any{"decision": i, "note": "document and selfie match", "outcome": "allow", "reason": "document_genuine"}
		case 3:
			e.Action, e.TargetType, e.TargetID, e.CaseID = "login.success", "user", e.Actor, 0
			e.Details = map[string]any{"remote_addr": "203.0.113.9"}
		}
		i++
		return e, true
	})
	return err
}
