package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// SourceHealth is what arrived from one vendor since a point in time.
type SourceHealth struct {
	Source Source
	// LastReceived is the newest delivery ever stored from the source, whatever its outcome; zero if none.
	LastReceived time.Time
	Stored       int
	Duplicate    int
	Quarantined  int
	// Unauthorized counts failed authentications. They are never stored as deliveries: the counts come
	// from the rate-limited "webhook.auth_failed" audit entries, each carrying the failures since the one before.
	Unauthorized int
	// UnauthorizedSamples is the number of those audit entries; LastUnauthorized and LastUnauthorizedFrom
	// describe the newest.
	UnauthorizedSamples  int
	LastUnauthorized     time.Time
	LastUnauthorizedFrom string
}

// Received counts every authenticated delivery since the cut-off.
func (s SourceHealth) Received() int { return s.Stored + s.Duplicate + s.Quarantined }

// QuarantinedDelivery is a delivery that could not be decoded or applied, waiting for a replay.
type QuarantinedDelivery struct {
	ID         int64
	Source     Source
	ReceivedAt time.Time
	RemoteAddr string
	Size       int64
	Error      string
}

// IngestHealth answers "are callbacks arriving, and what becomes of them?".
type IngestHealth struct {
	Since   time.Time
	Sources []SourceHealth // in the order asked for
	// Quarantine lists the newest quarantined deliveries; QuarantineTotal counts all of them.
	Quarantine      []QuarantinedDelivery
	QuarantineTotal int
}

// IngestHealth reads per-source delivery counts since since (from the deliveries_source_time index),
// the unauthorized attempts recorded in the audit log since then, and up to limit quarantined deliveries.
func (db *DB) IngestHealth(ctx context.Context, since time.Time, sources []Source, limit int) (IngestHealth, error) {
	h := IngestHealth{Since: since.UTC()}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return h, fmt.Errorf("store: ingest health: %w", err)
	}
	defer tx.Rollback()
	cut := FormatTime(since)
	for _, src := range sources {
		s, err := sourceHealth(ctx, tx, src, cut)
		if err != nil {
			return h, fmt.Errorf("store: ingest health of %s: %w", src, err)
		}
		h.Sources = append(h.Sources, s)
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE outcome = 'quarantined'`).
		Scan(&h.QuarantineTotal); err != nil {
		return h, fmt.Errorf("store: ingest health: quarantine: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, source, received_at, remote_addr, size, error FROM deliveries
		WHERE outcome = 'quarantined' ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return h, fmt.Errorf("store: ingest health: quarantine: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var q QuarantinedDelivery
		var at string
		if err := rows.Scan(&q.ID, &q.Source, &at, &q.RemoteAddr, &q.Size, &q.Error); err != nil {
			return h, fmt.Errorf("store: ingest health: quarantine: %w", err)
		}
		q.ReceivedAt = ParseTime(at)
		h.Quarantine = append(h.Quarantine, q)
	}
	if err := rows.Err(); err != nil {
		return h, fmt.Errorf("store: ingest health: quarantine: %w", err)
	}
	return h, nil
}

func sourceHealth(ctx context.Context, tx *sql.Tx, src Source, cut string) (SourceHealth, error) {
	s := SourceHealth{Source: src}
	var last string
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(received_at), '') FROM deliveries WHERE source = ?`, src).
		Scan(&last); err != nil {
		return s, err
	}
	if last != "" {
		s.LastReceived = ParseTime(last)
	}
	rows, err := tx.QueryContext(ctx, `SELECT outcome, COUNT(*) FROM deliveries
		WHERE source = ? AND received_at >= ? GROUP BY outcome`, src, cut)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var outcome string
		var n int
		if err := rows.Scan(&outcome, &n); err != nil {
			return s, err
		}
		switch outcome {
		case OutcomeStored:
			s.Stored = n
		case OutcomeDuplicate:
			s.Duplicate = n
		case OutcomeQuarantined:
			s.Quarantined = n
		}
	}
	if err := rows.Err(); err != nil {
		return s, err
	}
	// Each sample stands for at least one failure, even if its details lost the count. The first entry
	// of the window, found on audit_at (MIN(+id) keeps SQLite from walking the table from its start),
	// bounds the walk of audit_action to the window's entries.
	var lastAt, lastFrom string
	err = tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(MAX(COALESCE(json_extract(details, '$.failures'), 1), 1)), 0),
		COALESCE(MAX(at), '') FROM audit_log
		WHERE action = 'webhook.auth_failed' AND id >= (SELECT MIN(+id) FROM audit_log WHERE at >= ?)
		AND at >= ? AND target_id = ?`, cut, cut, src).
		Scan(&s.UnauthorizedSamples, &s.Unauthorized, &lastAt)
	if err != nil {
		return s, err
	}
	if lastAt != "" {
		s.LastUnauthorized = ParseTime(lastAt)
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(json_extract(details, '$.remote_addr'), '') FROM audit_log
			WHERE action = 'webhook.auth_failed' AND id >= (SELECT MIN(+id) FROM audit_log WHERE at >= ?)
			AND at = ? AND target_id = ? ORDER BY id DESC LIMIT 1`, cut, lastAt, src).
			Scan(&lastFrom); err != nil {
			return s, err
		}
		s.LastUnauthorizedFrom = lastFrom
	}
	return s, nil
}
