package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// backfillBatch is how many cases one backfill transaction fills: small enough that the raw
// commits queued behind it on the single writer wait a few milliseconds, not seconds.
const backfillBatch = 400

// indicBatch is the indic fills' batch: rewriting one case's words and pairs costs about a
// millisecond, and where most names are Indian a batch of backfillBatch held the writer for
// 150–260 ms (100,000 cases upgraded from before 0173, a write probe every 2 ms).
const indicBatch = 25

// backfillRetry is how long the backfill waits after a failed batch (the disk full, say).
const backfillRetry = time.Second

// backfiller fills, in the background once StartBackfills is called, the existing cases' rows
// that a migration's new search table or tokenizer asks for (the fills below); table backfills
// (0172) records how far each got.
type backfiller struct {
	stop chan struct{}
	done chan struct{}
	once sync.Once
	// gate, when set (tests), is received from before each batch.
	gate chan struct{}
}

// aFill is one background fill: its row in backfills, the flag that says it is done, and what it
// does for the cases first..last.
type aFill struct {
	name  string
	ready *atomic.Bool
	step  func(ctx context.Context, tx *sql.Tx, first, last int64) error
	// batch is how many case ids one transaction covers: backfillBatch unless a case costs more.
	batch int
}

// fills are the background fills in the order they run. The indic fills run in that order: the
// letters can go only once every search folds whole words.
func (db *DB) fills() []aFill {
	return []aFill{
		// The word pairs of cases from before 0171. Cases ingested meanwhile have their pairs
		// already: INSERT OR IGNORE keeps them.
		{"case_pairs", &db.pairsReady, func(ctx context.Context, tx *sql.Tx, first, last int64) error {
			_, err := tx.ExecContext(ctx, insertPairs+` WHERE a.case_id BETWEEN ? AND ?`, first, last)
			return err
		}, backfillBatch},
		// The whole words of names in the scripts of India (0173), beside their letters.
		{"indic_words", &db.wholeWords, db.refillIndicWords, indicBatch},
		// Then only the whole words: searchBody no longer adds the letters.
		{"indic_letters", &db.lettersGone, db.refillIndicWords, indicBatch},
	}
}

// loadBackfills reads which fills are done, so the queue uses complete tables from the start. A
// fill with no row is done: its migration found nothing to fill.
func (db *DB) loadBackfills(ctx context.Context) error {
	for _, f := range db.fills() {
		var done sql.NullString
		err := db.read.QueryRowContext(ctx, `SELECT done_at FROM backfills WHERE name = ?`, f.name).Scan(&done)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: backfills: %w", err)
		}
		f.ready.Store(errors.Is(err, sql.ErrNoRows) || done.Valid)
	}
	return nil
}

// filled reports whether every fill is done.
func (db *DB) filled() bool {
	for _, f := range db.fills() {
		if !f.ready.Load() {
			return false
		}
	}
	return true
}

// StartBackfills fills, in the background and a batch at a time, what a migration left to fill:
// the word pairs of cases from before migration 0171, and the whole words of names in Indian
// scripts from before 0173. Until a fill is done, searches take the way they took before its
// migration: slower or wider for some words, never missing a case. The server calls it once it
// serves; Close stops it, and the next start goes on from there.
func (db *DB) StartBackfills() {
	db.fillMu.Lock()
	defer db.fillMu.Unlock()
	if db.filled() || db.fill != nil || db.closed {
		return
	}
	db.fill = &backfiller{stop: make(chan struct{}), done: make(chan struct{}), gate: db.fillGate}
	go db.backfillLoop(db.fill)
}

// waitBackfills returns once every fill is done, or ctx ends.
func (db *DB) waitBackfills(ctx context.Context) error {
	if db.filled() {
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
		if !db.filled() {
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
	for _, fill := range db.fills() {
		for !fill.ready.Load() {
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
			if _, err := db.backfill(context.Background(), fill); err != nil {
				db.fillFailures.failed(err, db.Now().UTC())
				select {
				case <-time.After(backfillRetry):
				case <-f.stop:
					return
				}
				continue
			}
			db.fillFailures.succeeded()
		}
	}
}

// backfill fills the next backfillBatch cases of fill and reports whether it is now done.
func (db *DB) backfill(ctx context.Context, fill aFill) (bool, error) {
	// A fill can be done again from where its committed progress says: a batch a power cut loses
	// is filled again, so it commits without an fsync of its own (lazy_commit.go).
	conn, err := db.lazyWriter(ctx)
	if err != nil {
		return false, fmt.Errorf("store: backfill %s: %w", fill.name, err)
	}
	defer conn.release()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: backfill %s: %w", fill.name, err)
	}
	defer tx.Rollback()
	var next int64
	var doneAt sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT next_id, done_at FROM backfills WHERE name = ?`, fill.name).Scan(&next, &doneAt); err != nil {
		return false, fmt.Errorf("store: backfill %s: %w", fill.name, err)
	}
	if doneAt.Valid {
		fill.ready.Store(true)
		return true, nil
	}
	var last sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(id) FROM (SELECT id FROM cases WHERE id >= ? ORDER BY id LIMIT ?)`,
		next, fill.batch).Scan(&last); err != nil {
		return false, fmt.Errorf("store: backfill %s: %w", fill.name, err)
	}
	if !last.Valid {
		if _, err := tx.ExecContext(ctx, `UPDATE backfills SET done_at = ? WHERE name = ?`, db.now(), fill.name); err != nil {
			return false, fmt.Errorf("store: backfill %s: %w", fill.name, err)
		}
		if err := commit(tx, "backfill "+fill.name); err != nil {
			return false, err
		}
		fill.ready.Store(true)
		return true, nil
	}
	if err := fill.step(ctx, tx, next, last.Int64); err != nil {
		return false, fmt.Errorf("store: backfill %s: %w", fill.name, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE backfills SET next_id = ? WHERE name = ?`, last.Int64+1, fill.name); err != nil {
		return false, fmt.Errorf("store: backfill %s: %w", fill.name, err)
	}
	return false, commit(tx, "backfill "+fill.name)
}

// close stops the backfill between batches and waits for it.
func (f *backfiller) close() {
	if f == nil {
		return
	}
	f.once.Do(func() { close(f.stop) })
	<-f.done
}
