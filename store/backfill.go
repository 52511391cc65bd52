package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// backfillBatch is how many cases one backfill transaction fills: small enough that the raw
// commits queued behind it on the single writer wait a few milliseconds, not seconds.
const backfillBatch = 400

// backfillRetry is how long the backfill waits after a failed batch (the disk full, say).
const backfillRetry = time.Second

// backfiller fills the existing cases' rows of a search table a migration added (case_pairs,
// 0171), in the background, once StartBackfills is called; table backfills (0172) records how far
// it got.
type backfiller struct {
	stop chan struct{}
	done chan struct{}
	once sync.Once
	// gate, when set (tests), is received from before each batch.
	gate chan struct{}
}

// loadBackfills reads which fills are done, so the queue uses complete tables from the start.
func (db *DB) loadBackfills(ctx context.Context) error {
	var done sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT done_at FROM backfills WHERE name = 'case_pairs'`).Scan(&done)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: backfills: %w", err)
	}
	db.pairsReady.Store(errors.Is(err, sql.ErrNoRows) || done.Valid)
	return nil
}

// StartBackfills fills, in the background and a batch at a time, what a migration left to fill
// (today the word pairs of cases from before migration 0171). Until a fill is done, searches
// take the way they took before its table existed: slower for some words, never different.
// The server calls it once it serves; Close stops it, and the next start goes on from there.
func (db *DB) StartBackfills() {
	db.fillMu.Lock()
	defer db.fillMu.Unlock()
	if db.pairsReady.Load() || db.fill != nil || db.closed {
		return
	}
	db.fill = &backfiller{stop: make(chan struct{}), done: make(chan struct{}), gate: db.fillGate}
	go db.backfillLoop(db.fill)
}

// waitBackfills returns once every fill is done, or ctx ends.
func (db *DB) waitBackfills(ctx context.Context) error {
	if db.pairsReady.Load() {
		return nil
	}
	db.fillMu.Lock()
	f := db.fill
	db.fillMu.Unlock()
	if f == nil {
		return errors.New("store: backfills: not started")
	}
	select {
	case <-f.done:
		if !db.pairsReady.Load() {
			return errors.New("store: backfills: stopped before they were done")
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stopBackfills stops the fill between batches, waits for it, and keeps a later StartBackfills
// from starting one.
func (db *DB) stopBackfills() {
	db.fillMu.Lock()
	f := db.fill
	db.closed = true
	db.fillMu.Unlock()
	f.close()
}

func (db *DB) backfillLoop(f *backfiller) {
	defer close(f.done)
	for {
		if f.gate != nil {
			select {
			case <-f.gate:
			case <-f.stop:
				return
			}
		}
		select {
		case <-f.stop:
			return
		default:
		}
		done, err := db.backfillPairs(context.Background())
		if done {
			return
		}
		if err != nil {
			select {
			case <-time.After(backfillRetry):
			case <-f.stop:
				return
			}
		}
	}
}

// backfillPairs fills the word pairs of the next backfillBatch cases and reports whether the
// fill is now done. Cases ingested meanwhile have their pairs already: INSERT OR IGNORE keeps them.
func (db *DB) backfillPairs(ctx context.Context) (bool, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: backfill pairs: %w", err)
	}
	defer tx.Rollback()
	var next int64
	var doneAt sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT next_id, done_at FROM backfills WHERE name = 'case_pairs'`).Scan(&next, &doneAt); err != nil {
		return false, fmt.Errorf("store: backfill pairs: %w", err)
	}
	if doneAt.Valid {
		db.pairsReady.Store(true)
		return true, nil
	}
	var last sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(id) FROM (SELECT id FROM cases WHERE id >= ? ORDER BY id LIMIT ?)`,
		next, backfillBatch).Scan(&last); err != nil {
		return false, fmt.Errorf("store: backfill pairs: %w", err)
	}
	if !last.Valid {
		if _, err := tx.ExecContext(ctx, `UPDATE backfills SET done_at = ? WHERE name = 'case_pairs'`, db.now()); err != nil {
			return false, fmt.Errorf("store: backfill pairs: %w", err)
		}
		if err := commit(tx, "backfill pairs"); err != nil {
			return false, err
		}
		db.pairsReady.Store(true)
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, insertPairs+` WHERE a.case_id BETWEEN ? AND ?`, next, last.Int64); err != nil {
		return false, fmt.Errorf("store: backfill pairs: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE backfills SET next_id = ? WHERE name = 'case_pairs'`, last.Int64+1); err != nil {
		return false, fmt.Errorf("store: backfill pairs: %w", err)
	}
	return false, commit(tx, "backfill pairs")
}

// close stops the backfill between batches and waits for it.
func (f *backfiller) close() {
	if f == nil {
		return
	}
	f.once.Do(func() { close(f.stop) })
	<-f.done
}
