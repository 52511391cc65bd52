package store

import (
	"os"
	"runtime"
	"sync"
	"time"
)

// The mover moves and derives cases on a thread of lower CPU priority than the rest of the
// process, so that on a busy machine the acknowledgements (HTTP, signature checks, the inbox's
// commits) come first: a vendor kept waiting retries, and the retries are more load. With the two
// at equal priority, 32 senders got 0.65-0.72x the commit ceiling with p99 20.7-24.7 ms; with the
// mover lowered, 0.95-1.22x with p99 10.9-17.0 ms (BenchmarkIngest, four alternated runs each).
// But a case must still appear soon, so each move transaction whose oldest job was acknowledged
// more than boostAfter ago runs at the normal priority instead (inTransactions). Only the move
// transactions run low: the inbox's prune, whose writer the acknowledgements share, runs at the
// normal priority. An unprivileged process may lower a thread's priority but not raise it again,
// so there are two threads: the low one, a goroutine locked to its own OS thread, and the
// deriver's own.

// boostAfter is how long a job may wait before its transaction runs at the normal priority
// (a variable for the tests).
var boostAfter = 400 * time.Millisecond

// lowNice is the low thread's nice value (0 normal, 19 lowest).
const lowNice = 19

// lowThread runs functions one at a time on an OS thread of its own at lowNice.
type lowThread struct {
	work chan func()
	done chan struct{}
}

// procs is the GOMAXPROCS this file last set, and procsMu guards it.
var (
	procsMu sync.Mutex
	procs   int
)

// extraProc gives the runtime one GOMAXPROCS slot more than it had, unless the slot it has is the
// one this file gave (a test binary sets GOMAXPROCS back before each benchmark), or the operator
// set GOMAXPROCS in the environment. Setting it stops the runtime's own updates of GOMAXPROCS
// when a container's CPU limit changes while the process runs: a restart picks a new limit up.
func extraProc() {
	if os.Getenv("GOMAXPROCS") != "" {
		return
	}
	procsMu.Lock()
	defer procsMu.Unlock()
	if n := runtime.GOMAXPROCS(0); n != procs {
		procs = n + 1
		runtime.GOMAXPROCS(procs)
	}
}

func startLowThread() *lowThread {
	// A thread the kernel keeps waiting while it runs Go code holds one of the runtime's
	// GOMAXPROCS slots all that time, and then the rest of the process runs on one core fewer.
	// One slot more keeps the others' at the number of cores.
	extraProc()
	t := &lowThread{work: make(chan func()), done: make(chan struct{})}
	go func() {
		defer close(t.done)
		// Never unlocked: when the goroutine ends, the thread ends with it, priority and all.
		runtime.LockOSThread()
		lowerThreadPriority(lowNice)
		for f := range t.work {
			f()
		}
	}()
	return t
}

// run runs fn on the low thread and returns its error.
func (t *lowThread) run(fn func() error) error {
	errc := make(chan error, 1)
	t.work <- func() { errc <- fn() }
	return <-errc
}

func (t *lowThread) stop() {
	close(t.work)
	<-t.done
}

// thread is how the mover runs a transaction whose oldest job was queued then: on the low thread
// while it keeps up; at the normal priority, on the deriver's own, once that job has waited more
// than boostAfter (and for every job read back from a table, whose queued time is zero), until
// the oldest waits under a quarter of it, so that the mover catches up instead of hovering at the
// edge. Only the deriver's goroutine calls it.
func (g *Ingester) thread(queued time.Time) func(func() error) error {
	switch age := time.Since(queued); {
	case age > boostAfter:
		g.boosted = true
	case age < boostAfter/4:
		g.boosted = false
	}
	if g.boosted {
		return func(fn func() error) error { return fn() }
	}
	return g.low.run
}
