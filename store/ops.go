package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"
)

// CheckWritable proves that the database takes a durable write, for /readyz.
func (db *DB) CheckWritable(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, `INSERT OR REPLACE INTO readiness_probe (id, checked_at) VALUES (1, ?)`, db.now())
	if err != nil {
		return fmt.Errorf("store: database not writable: %w", err)
	}
	return nil
}

// Migrations compares the migrations this binary embeds with those recorded in the database:
// pending are embedded but not applied; unknown are applied but not embedded (a newer binary
// migrated this database).
func (db *DB) Migrations(ctx context.Context) (pending, unknown []string, err error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, nil, fmt.Errorf("store: list migrations: %w", err)
	}
	embedded := map[string]bool{}
	for _, n := range names {
		embedded[strings.TrimPrefix(n, "migrations/")] = true
	}
	rows, err := db.read.QueryContext(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		return nil, nil, fmt.Errorf("store: read migrations: %w", err)
	}
	defer rows.Close()
	applied := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, nil, fmt.Errorf("store: read migrations: %w", err)
		}
		applied[n] = true
		if !embedded[n] {
			unknown = append(unknown, n)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: read migrations: %w", err)
	}
	for n := range embedded {
		if !applied[n] {
			pending = append(pending, n)
		}
	}
	sort.Strings(pending)
	sort.Strings(unknown)
	return pending, unknown, nil
}

// OpsStats is what /metrics reports about the work, read cheaply: counters kept by triggers,
// and index-bounded reads (the oldest waiting case; sessions active since a cut-off).
type OpsStats struct {
	// Cases counts cases by review state (needs_decision, informational, pending_approval, decided).
	Cases map[string]int
	// Media counts media rows by fetch state (queued, archived, failed, purged).
	Media map[string]int
	// OldestNeedsDecision is when the longest-waiting undecided case started waiting; zero if none.
	OldestNeedsDecision time.Time
	// ActiveSessions counts sessions seen since the cut-off.
	ActiveSessions int
}

// OpsStats reads the operational counts in one read transaction.
func (db *DB) OpsStats(ctx context.Context, activeSince time.Time) (OpsStats, error) {
	s := OpsStats{Cases: map[string]int{}, Media: map[string]int{}}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return s, fmt.Errorf("store: ops stats: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT kind, state, n FROM state_counts`)
	if err != nil {
		return s, fmt.Errorf("store: ops stats: %w", err)
	}
	for rows.Next() {
		var kind, state string
		var n int
		if err := rows.Scan(&kind, &state, &n); err != nil {
			rows.Close()
			return s, fmt.Errorf("store: ops stats: %w", err)
		}
		switch kind {
		case "case":
			s.Cases[state] = n
		case "media":
			s.Media[state] = n
		}
	}
	if err := rows.Err(); err != nil {
		return s, fmt.Errorf("store: ops stats: %w", err)
	}
	rows.Close()
	var oldest string
	// From the cases_queue index: the first entry of the needs_decision range.
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MIN(waiting_since), '') FROM cases WHERE review_state = 'needs_decision'`).
		Scan(&oldest); err != nil {
		return s, fmt.Errorf("store: ops stats: %w", err)
	}
	if oldest != "" {
		s.OldestNeedsDecision = ParseTime(oldest)
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE last_seen_at >= ?`, FormatTime(activeSince)).
		Scan(&s.ActiveSessions); err != nil {
		return s, fmt.Errorf("store: ops stats: %w", err)
	}
	return s, nil
}

// CheckWritable proves that a file can be created in the archive, for /readyz.
func (b *Blobs) CheckWritable() error {
	if err := ensureDir(b.Dir); err != nil {
		return fmt.Errorf("store: media dir not writable: %w", err)
	}
	f, err := os.CreateTemp(b.Dir, blobTempPrefix+"readyz-*")
	if err != nil {
		return fmt.Errorf("store: media dir not writable: %w", err)
	}
	name := f.Name()
	_, werr := f.Write([]byte("ok"))
	cerr := f.Close()
	os.Remove(name)
	if werr != nil || cerr != nil {
		return fmt.Errorf("store: media dir not writable: %v %v", werr, cerr)
	}
	return nil
}
