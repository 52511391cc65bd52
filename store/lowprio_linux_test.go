package store

import (
	"runtime"
	"syscall"
	"testing"
)

// TestLowThreadIsLowered: what the mover runs on its low thread runs at lowNice, and the thread
// that hands it over keeps its own priority; the runtime has a slot more for it.
func TestLowThreadIsLowered(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// The raw system call answers 20 - nice.
	nice := func() int {
		p, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
		if err != nil {
			t.Fatal(err)
		}
		return 20 - p
	}
	before := nice()
	low := startLowThread()
	defer low.stop()
	var got int
	if err := low.run(func() error { got = nice(); return nil }); err != nil {
		t.Fatal(err)
	}
	if got != lowNice {
		t.Errorf("the low thread runs at nice %d, want %d", got, lowNice)
	}
	if after := nice(); after != before {
		t.Errorf("the caller's thread went from nice %d to %d", before, after)
	}
	procsMu.Lock()
	set := procs
	procsMu.Unlock()
	if n := runtime.GOMAXPROCS(0); n != set || set == 0 {
		t.Errorf("GOMAXPROCS = %d, want the %d that gives the low thread a slot of its own", n, set)
	}
}
