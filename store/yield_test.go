package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestMoverLetsOtherProcessesWrite: while the mover works through a backlog that keeps growing,
// a connection of its own with a busy timeout of 3 s (docs/litestream.yml gives Litestream 5 s)
// gets the write lock in each of three rounds, as Litestream's bookkeeping writes and the
// commands must.
func TestMoverLetsOtherProcessesWrite(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	g := db.NewIngester(IngesterOptions{Decode: snapDecode})
	defer g.Close()

	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	stop := make(chan struct{})
	var senders sync.WaitGroup
	errs := make(chan error, 8)
	for s := range 8 {
		senders.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				snap := markSnap(fmt.Sprintf("y-%d-%d", s, i), StatusSuspected, false)
				body, _ := json.Marshal(snap)
				if _, err := g.Submit(ctx, incoming(snap, string(body), t0)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	defer senders.Wait()
	defer close(stop)

	other, err := sql.Open("sqlite3", "file:"+db.Path()+"?_busy_timeout=3000")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.SetMaxOpenConns(1)
	if _, err := other.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS yield_probe (n INTEGER)`); err != nil {
		t.Fatal(err) // before the backlog: nothing holds the lock for long yet
	}
	behind := func() int {
		b, err := db.DeriveBacklog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return b.Count
	}
	deadline := time.Now().Add(time.Minute)
	for behind() < 1000 {
		if time.Now().After(deadline) {
			t.Fatal("no backlog of 1,000 callbacks after a minute: the mover keeps up, and the test tests nothing")
		}
		select {
		case err := <-errs:
			t.Fatal(err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	for round := range 3 {
		start := time.Now()
		if _, err := other.ExecContext(ctx, `INSERT INTO yield_probe VALUES (?)`, round); err != nil {
			t.Fatalf("round %d: no write within the 3 s of the busy timeout while the mover was busy: %v", round, err)
		}
		t.Logf("round %d: the write lock in %v", round, time.Since(start).Round(time.Millisecond))
		// The next round starts once the mover has moved again, outside the window this one used.
		mark, err := inboxMark(ctx, db.read)
		if err != nil {
			t.Fatal(err)
		}
		for again := mark; again == mark; {
			if again, err = inboxMark(ctx, db.read); err != nil {
				t.Fatal(err)
			}
		}
		if n := behind(); n == 0 {
			t.Fatalf("round %d: the backlog emptied, so the write may have come in while the mover was idle", round)
		}
	}
}
