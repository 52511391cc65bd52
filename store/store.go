// Package store holds KYC Desk's domain types, the review rules (Rules, Rules.Actions) and
// everything that touches SQLite; its errors are *Error values that carry the user's sentence. It
// must not know about HTTP or HTML, and nothing outside it writes SQL.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/mattn/go-sqlite3" // SQLite driver (cgo).
)

// TimeFormat is the one layout every timestamp is stored in (UTC, sortable).
const TimeFormat = "2006-01-02T15:04:05.000000000Z"

// cacheKiB is each connection's page cache (32 MB), set in the DSN.
const cacheKiB = 32000

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the application's database: one writer connection and a pool of readers.
type DB struct {
	path  string
	write *sql.DB
	read  *sql.DB
	// derivedCh is closed and replaced at each derivation commit, waking WaitDerived.
	derivedMu sync.Mutex
	derivedCh chan struct{}
	// outbox is signalled after a commit that queued events (OutboxSignal).
	outbox chan struct{}
	// Now is the clock; tests replace it.
	Now func() time.Time
	// rules are the review rules in force (LoadRules, SaveRules).
	rules rulesCache
	// auditKey signs each audit entry's link when set (audit_key.go).
	auditKey []byte
	// keys seal raw delivery bodies when set (crypt.go).
	keys *Keyring
	// ckpt copies the write-ahead log into the database beside the writer (checkpoint.go).
	ckpt *checkpointer
	// pairsReady says case_pairs holds every case's word pairs; fill is the background fill
	// that completes it (backfill.go), and fillGate, in tests, paces that fill's batches.
	pairsReady atomic.Bool
	// wholeWords says every case's words hold its names' whole words in the scripts of India
	// (the indic_words fill, search_words.go); lettersGone that their letters are gone again.
	wholeWords, lettersGone atomic.Bool
	fillMu                  sync.Mutex // guards fill and closed
	fill                    *backfiller
	closed                  bool
	fillGate                chan struct{}
	// fillFailures records the fills' failed batches (upkeep.go).
	fillFailures failureLog
	// ib is the inbox (inbox.go), opened on first use; inboxMu guards it and inboxClosed.
	inboxMu     sync.Mutex
	ib          *inbox
	inboxClosed bool
}

// Open opens (creating if needed) the database at path and applies pending migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	if err := ensureDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	// Pragmas live in the DSN so every pooled connection gets them.
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "immediate")
	q.Set("_cache_size", fmt.Sprint(-cacheKiB))
	// Every connection keeps its last 128 statements prepared: the writer's mover alone uses some
	// thirty (a media insert for each count of files a delivery has), and a page a dozen or more.
	q.Set("_stmt_cache_size", "128")
	w, err := sql.Open(writerDriverName, "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open writer: %w", err)
	}
	// One writer: SQLite serialises writes anyway, and one connection avoids SQLITE_BUSY.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	q.Set("_query_only", "true")
	q.Set("_txlock", "deferred")
	r, err := sql.Open(driverName, "file:"+path+"?"+q.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open reader: %w", err)
	}
	q.Del("_query_only")
	ckpt, err := startCheckpointer("file:" + path + "?" + q.Encode())
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	db := &DB{path: path, write: w, read: r, ckpt: ckpt, outbox: make(chan struct{}, 1), Now: func() time.Time { return time.Now().UTC() }}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.baselineBindings(ctx); err != nil { // audit_bind.go
		db.Close()
		return nil, err
	}
	if err := db.loadBackfills(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close stops the background fill and the checkpointer and closes both connection pools.
func (db *DB) Close() error {
	db.stopBackfills()
	db.inboxMu.Lock()
	ib := db.ib
	db.ib, db.inboxClosed = nil, true
	db.inboxMu.Unlock()
	var ibErr error
	if ib != nil {
		ibErr = ib.close()
	}
	return errors.Join(ibErr, db.ckpt.close(), db.read.Close(), db.write.Close())
}

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// Ping reports whether the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// now returns the clock's time formatted for storage.
func (db *DB) now() string { return db.Now().UTC().Format(TimeFormat) }

// FormatTime formats t the way the store keeps timestamps.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// ParseTime parses a stored timestamp; a malformed one yields the zero time.
func ParseTime(s string) time.Time {
	t, err := time.Parse(TimeFormat, s)
	if err != nil {
		t, _ = time.Parse(time.RFC3339Nano, s)
	}
	return t
}

func (db *DB) migrate(ctx context.Context) error {
	// Up to date, as when a command (backup, user add) opens the database of a running server:
	// nothing to write, so nothing waits for the write lock that the server's writer, busy with
	// callbacks, holds most of the time. A new database (no schema_migrations) takes the writer.
	if pending, _, err := db.Migrations(ctx); err == nil && len(pending) == 0 {
		return nil
	}
	// A migration may build an index over every case: its sort spills to temporary files rather
	// than taking the memory of the whole index (writerDriverName).
	conn, release, err := db.scratchWriter(ctx, "PRAGMA temp_store = FILE")
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer release()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("store: list migrations: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		if err := db.applyMigration(ctx, conn, name, base); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, conn *sql.Conn, name, base string) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migrate %s: %w", base, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = ?`, base).Scan(&n); err != nil {
		return fmt.Errorf("store: migrate %s: %w", base, err)
	}
	if n > 0 {
		return nil
	}
	body, err := migrations.ReadFile(name)
	if err != nil {
		return fmt.Errorf("store: migrate %s: %w", base, err)
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("store: migrate %s: %w", base, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, base, db.now()); err != nil {
		return fmt.Errorf("store: migrate %s: %w", base, err)
	}
	return tx.Commit()
}
