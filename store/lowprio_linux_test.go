package store

import (
	"context"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// threadNice is the calling OS thread's nice value (the raw system call answers 20 - nice).
func threadNice(t *testing.T) int {
	p, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	if err != nil {
		t.Error(err)
	}
	return 20 - p
}

// TestLowThreadIsLowered: what the mover runs on its low thread runs at lowNice, and the thread
// that hands it over keeps its own priority; the runtime has a slot more for it.
func TestLowThreadIsLowered(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := threadNice(t)
	low := startLowThread()
	defer low.stop()
	var got int
	if err := low.run(func() error { got = threadNice(t); return nil }); err != nil {
		t.Fatal(err)
	}
	if got != lowNice {
		t.Errorf("the low thread runs at nice %d, want %d", got, lowNice)
	}
	if after := threadNice(t); after != before {
		t.Errorf("the caller's thread went from nice %d to %d", before, after)
	}
	if os.Getenv("GOMAXPROCS") == "" {
		procsMu.Lock()
		set := procs
		procsMu.Unlock()
		if n := runtime.GOMAXPROCS(0); n != set || set == 0 {
			t.Errorf("GOMAXPROCS = %d, want the %d that gives the low thread a slot of its own", n, set)
		}
	}
}

// TestMoveTransactionsPriority: a delivery acknowledged just now is moved by a transaction on the
// low thread; one whose wait has passed boostAfter, at the normal priority.
func TestMoveTransactionsPriority(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	normal := threadNice(t)
	var (
		mu   sync.Mutex
		seen []int
	)
	moveTxStarted = func() {
		mu.Lock()
		seen = append(seen, threadNice(t))
		mu.Unlock()
	}
	defer func(b time.Duration) { moveTxStarted, boostAfter = nil, b }(boostAfter)
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		ref   string
		boost time.Duration
		want  int
	}{{"m-low", time.Hour, lowNice}, {"m-boosted", 0, normal}} {
		// Set before the ingester starts, read by its goroutines: no race.
		boostAfter = c.boost
		g := db.NewIngester(IngesterOptions{Decode: snapDecode})
		// A new ingester first reads the inbox for what an earlier process left; a delivery
		// acknowledged before that read has finished is moved from the table, as a backlog, at
		// the normal priority. The first delivery is moved once that read is over, so the
		// second is handed over in memory.
		var got []int
		for _, ref := range []string{c.ref + "-first", c.ref} {
			res, err := g.Submit(ctx, snapIncoming(t, markSnap(ref, StatusApproved, true), t0))
			if err == nil {
				err = db.WaitDerived(ctx, res.DeliveryID)
			}
			if err != nil {
				g.Close()
				t.Fatal(err)
			}
			mu.Lock()
			got = seen
			seen = nil
			mu.Unlock()
		}
		g.Close()
		if len(got) == 0 {
			t.Fatalf("%s: no move transaction seen", c.ref)
		}
		for _, n := range got {
			if n != c.want {
				t.Errorf("%s (boostAfter %s): a move transaction ran at nice %d, want %d", c.ref, c.boost, n, c.want)
			}
		}
	}
}
