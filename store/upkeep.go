package store

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// The store's background work, which no request waits for and so nobody would see fail: the
// checkpointer copying the write-ahead log into the database (checkpoint.go) and the fills an
// upgrade leaves (backfill.go). Each retries by itself; what they record here is shown on ingest
// health and counted in /metrics, so a disk that turned read-only or full is not found out only
// when the log has grown to gigabytes.

// Failures is what one kind of background work has recorded of its failures.
type Failures struct {
	// Count is every failure since the process started.
	Count int64
	// Last is the latest one's error and when it happened; zero when none.
	Last   string
	LastAt time.Time
	// Recovered says the work has succeeded since Last.
	Recovered bool
}

// Failing reports whether the latest attempt failed.
func (f Failures) Failing() bool { return f.Count > 0 && !f.Recovered }

// failureLog is one Failures, kept safe for the goroutine that records and those that read.
type failureLog struct {
	mu sync.Mutex
	f  Failures
}

func (l *failureLog) failed(err error, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.f.Count++
	l.f.Last, l.f.LastAt, l.f.Recovered = err.Error(), at, false
}

func (l *failureLog) succeeded() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f.Count > 0 {
		l.f.Recovered = true
	}
}

func (l *failureLog) get() Failures {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f
}

// FillProgress is one background fill that an upgrade left and that is not done yet.
type FillProgress struct {
	Name string
	// Next is the first case id the fill has still to do; Last is the newest case's id, so
	// about Next-1 of Last are done.
	Next, Last int64
}

// Done is how many case ids the fill has gone past (ids start at 1).
func (p FillProgress) Done() int64 { return min(max(p.Next-1, 0), p.Last) }

// Left is how many case ids the fill has still to do.
func (p FillProgress) Left() int64 { return p.Last - p.Done() }

// Upkeep is the state of the store's background work.
type Upkeep struct {
	// Fills are those still running, in the order they run.
	Fills      []FillProgress
	Fill       Failures
	Checkpoint Failures
}

// Upkeep reads what the background work has done and recorded: a few rows, however many cases.
func (db *DB) Upkeep(ctx context.Context) (Upkeep, error) {
	u := Upkeep{Fill: db.fillFailures.get()}
	if db.ckpt != nil { // a backup's read-only snapshot has none
		u.Checkpoint = db.ckpt.failures.get()
	}
	if db.filled() {
		return u, nil
	}
	var last int64
	if err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM cases`).Scan(&last); err != nil {
		return u, fmt.Errorf("store: upkeep: %w", err)
	}
	for _, f := range db.fills() {
		if f.ready.Load() {
			continue
		}
		p := FillProgress{Name: f.name, Last: last}
		if err := db.read.QueryRowContext(ctx, `SELECT next_id FROM backfills WHERE name = ?`, f.name).Scan(&p.Next); err != nil {
			return u, fmt.Errorf("store: upkeep: %w", err)
		}
		u.Fills = append(u.Fills, p)
	}
	return u, nil
}
