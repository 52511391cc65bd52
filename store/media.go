package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Media states. A row is queued until a fetch archives it or gives up; the fetcher keeps no
// queue of its own, so a fetch interrupted by a restart simply happens again.
const (
	MediaStateQueued   = "queued"
	MediaStateArchived = "archived"
	MediaStateFailed   = "failed"
	MediaStatePurged   = "purged"
)

// Media is one media URL a delivery named, and what became of fetching it.
type Media struct {
	ID         int64
	CaseID     int64
	DeliveryID int64
	Kind       string // MediaFront, MediaFaceVideo…
	Label      string
	Position   int
	URL        string
	State      string // MediaStateQueued, MediaStateArchived…
	// SHA256 names the archived file (see Blobs); empty until archived.
	SHA256 string
	Size   int64
	// ContentType is sniffed from the bytes when archived, never taken from the vendor's header.
	ContentType string
	FetchedAt   *time.Time
	Attempts    int
	// LastError is the most recent failed attempt's reason, kept after a later success.
	LastError     string
	NextAttemptAt time.Time
	QueuedAt      time.Time
}

// IsVideo reports whether the media is a video, going by its kind.
func (m Media) IsVideo() bool { return IsVideoKind(m.Kind) }

const mediaColumns = `id, case_id, delivery_id, kind, label, position, url, state, sha256, size, content_type,
	COALESCE(fetched_at, ''), attempts, last_error, next_attempt_at, queued_at`

func scanMedia(row interface{ Scan(...any) error }) (Media, error) {
	var m Media
	var fetched, next, queued string
	if err := row.Scan(&m.ID, &m.CaseID, &m.DeliveryID, &m.Kind, &m.Label, &m.Position, &m.URL, &m.State,
		&m.SHA256, &m.Size, &m.ContentType, &fetched, &m.Attempts, &m.LastError, &next, &queued); err != nil {
		return Media{}, err
	}
	if fetched != "" {
		t := ParseTime(fetched)
		m.FetchedAt = &t
	}
	m.NextAttemptAt, m.QueuedAt = ParseTime(next), ParseTime(queued)
	return m, nil
}

func queryMedia(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([]Media, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Media
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// DueMedia returns up to limit queued media whose next attempt is due, the longest-waiting first.
func (db *DB) DueMedia(ctx context.Context, limit int) ([]Media, error) {
	if limit <= 0 {
		limit = 100
	}
	out, err := queryMedia(ctx, db.read, `SELECT `+mediaColumns+` FROM media
		WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`, db.now(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: due media: %w", err)
	}
	return out, nil
}

// MediaByID returns one media row.
func (db *DB) MediaByID(ctx context.Context, id int64) (Media, error) {
	m, err := scanMedia(db.read.QueryRowContext(ctx, `SELECT `+mediaColumns+` FROM media WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Media{}, fmt.Errorf("store: media %d: %w", id, errNoSuchThing)
	}
	if err != nil {
		return Media{}, fmt.Errorf("store: media %d: %w", id, err)
	}
	return m, nil
}

// CaseMedia returns every media row of a case, in the order the vendor listed them.
func (db *DB) CaseMedia(ctx context.Context, caseID int64) ([]Media, error) {
	out, err := queryMedia(ctx, db.read, `SELECT `+mediaColumns+` FROM media
		WHERE case_id = ? ORDER BY position, id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case %d media: %w", caseID, err)
	}
	return out, nil
}

// MediaArchived records a successful fetch: the file's hash, size and sniffed content type.
// A row purged meanwhile stays purged (ErrConflict).
func (db *DB) MediaArchived(ctx context.Context, id int64, sha string, size int64, contentType string) error {
	if !validSHA256(sha) {
		return fmt.Errorf("store: archive media %d: %w", id, Errorf(KindInvalid, "%q is not a SHA-256", sha))
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: archive media %d: %w", id, err)
	}
	defer tx.Rollback()
	now := db.now()
	r, err := tx.ExecContext(ctx, `UPDATE media SET state = 'archived', sha256 = ?, size = ?, content_type = ?,
		fetched_at = ?, attempts = attempts + 1, next_attempt_at = ?
		WHERE id = ? AND state <> 'purged'`, sha, size, contentType, now, now, id)
	if err != nil {
		return fmt.Errorf("store: archive media %d: %w", id, err)
	}
	if err := mediaUpdated(ctx, tx, r, id, "archive"); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: archive media %d: %w", id, err)
	}
	return nil
}

// MediaAttemptFailed records a failed fetch of a queued row: the attempt is counted and its
// error kept. The row is tried again at nextAttempt, or marked failed when giveUp.
func (db *DB) MediaAttemptFailed(ctx context.Context, id int64, errText string, nextAttempt time.Time, giveUp bool) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: media %d attempt failed: %w", id, err)
	}
	defer tx.Rollback()
	state := MediaStateQueued
	if giveUp {
		state = MediaStateFailed
	}
	r, err := tx.ExecContext(ctx, `UPDATE media SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, state = ?
		WHERE id = ? AND state = 'queued'`, clipMediaError(errText, 2000), FormatTime(nextAttempt), state, id)
	if err != nil {
		return fmt.Errorf("store: media %d attempt failed: %w", id, err)
	}
	if err := mediaUpdated(ctx, tx, r, id, "record failed attempt of"); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: media %d attempt failed: %w", id, err)
	}
	return nil
}

// RetryMedia queues a failed (or backing-off) row for fetching now, with a fresh give-up window
// counted from now. Archived and purged rows are ErrConflict.
// The retry and its audit entry (by actor) commit together.
func (db *DB) RetryMedia(ctx context.Context, actor Actor, id int64) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: retry media %d: %w", id, err)
	}
	defer tx.Rollback()
	now := db.now()
	r, err := tx.ExecContext(ctx, `UPDATE media SET state = 'queued', next_attempt_at = ?, queued_at = ?
		WHERE id = ? AND state IN ('failed', 'queued')`, now, now, id)
	if err != nil {
		return fmt.Errorf("store: retry media %d: %w", id, err)
	}
	if err := mediaUpdated(ctx, tx, r, id, "retry"); err != nil {
		return err
	}
	var caseID int64
	var kind, lastErr string
	if err := tx.QueryRowContext(ctx, `SELECT case_id, kind, last_error FROM media WHERE id = ?`, id).Scan(&caseID, &kind, &lastErr); err != nil {
		return fmt.Errorf("store: retry media %d: %w", id, err)
	}
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "media.retry",
		TargetType: "media", TargetID: fmt.Sprint(id), CaseID: caseID,
		Details: map[string]any{"kind": kind, "last_error": lastErr}}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: retry media %d: %w", id, err)
	}
	return nil
}

// mediaUpdated turns an UPDATE that matched no row into ErrNotFound or, when the row exists
// but is in a state the update does not apply to, ErrConflict.
func mediaUpdated(ctx context.Context, tx *sql.Tx, r sql.Result, id int64, verb string) error {
	n, err := r.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s media %d: %w", verb, id, err)
	}
	if n > 0 {
		return nil
	}
	var state string
	err = tx.QueryRowContext(ctx, `SELECT state FROM media WHERE id = ?`, id).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: %s media %d: %w", verb, id, errNoSuchThing)
	}
	if err != nil {
		return fmt.Errorf("store: %s media %d: %w", verb, id, err)
	}
	return fmt.Errorf("store: %s media %d: %w", verb, id, Errorf(KindConflict, "This file is %s; the change does not apply to it.", state))
}

// MediaStats summarises the archive for the health page and metrics.
type MediaStats struct {
	Queued int // waiting to be fetched, including rows backing off after a failure
	Due    int // queued and due now: the fetchers' immediate backlog
	Failed int // gave up; a person can retry them
	// Archived counts rows; Files and Bytes count distinct files, as identical media are stored once.
	Archived int
	Purged   int
	Files    int
	Bytes    int64
	// OldestQueued is when the longest-waiting queued row was queued; nil when none is.
	OldestQueued *time.Time
}

// MediaStats counts media by state and sizes the archive.
func (db *DB) MediaStats(ctx context.Context) (MediaStats, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return MediaStats{}, fmt.Errorf("store: media stats: %w", err)
	}
	defer tx.Rollback()
	var s MediaStats
	rows, err := tx.QueryContext(ctx, `SELECT state, COUNT(*) FROM media GROUP BY state`)
	if err != nil {
		return MediaStats{}, fmt.Errorf("store: media stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return MediaStats{}, fmt.Errorf("store: media stats: %w", err)
		}
		switch state {
		case MediaStateQueued:
			s.Queued = n
		case MediaStateArchived:
			s.Archived = n
		case MediaStateFailed:
			s.Failed = n
		case MediaStatePurged:
			s.Purged = n
		}
	}
	if err := rows.Err(); err != nil {
		return MediaStats{}, fmt.Errorf("store: media stats: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM media WHERE state = 'queued' AND next_attempt_at <= ?`,
		db.now()).Scan(&s.Due); err != nil {
		return MediaStats{}, fmt.Errorf("store: media stats: %w", err)
	}
	var oldest string
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MIN(queued_at), '') FROM media WHERE state = 'queued'`).
		Scan(&oldest); err != nil {
		return MediaStats{}, fmt.Errorf("store: media stats: %w", err)
	}
	if oldest != "" {
		t := ParseTime(oldest)
		s.OldestQueued = &t
	}
	// Read from the media_files index alone: one row per distinct file.
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(size), 0) FROM
		(SELECT MAX(size) AS size FROM media WHERE state = 'archived' GROUP BY sha256)`).Scan(&s.Files, &s.Bytes); err != nil {
		return MediaStats{}, fmt.Errorf("store: media stats: %w", err)
	}
	return s, nil
}

// ArchivedShaInUse reports whether any archived row still refers to the file with this hash.
func (db *DB) ArchivedShaInUse(ctx context.Context, sha string) (bool, error) {
	inUse, err := archivedShaInUse(ctx, db.read, sha)
	if err != nil {
		return false, fmt.Errorf("store: media file %s in use: %w", sha, err)
	}
	return inUse, nil
}

func archivedShaInUse(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, sha string) (bool, error) {
	var inUse bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM media WHERE state = 'archived' AND sha256 = ?)
		OR EXISTS (SELECT 1 FROM media_redactions r JOIN media m ON m.id = r.media_id WHERE m.state = 'archived' AND r.sha256 = ?)`, sha, sha).Scan(&inUse)
	return inUse, err
}

// purgeBatchCases bounds how long one purge transaction holds the writer, so callbacks keep flowing.
const purgeBatchCases = 100

// PurgeMedia applies retention: the media of every case that is closed (decided or
// informational) and received nothing since olderThan is marked purged, and each file no
// archived row refers to any more is deleted with remove. It returns the hashes deleted.
//
// remove runs inside the write transaction, so no fetch can record a file between the check
// that it is unused and its deletion; it must therefore not use db. If remove fails, that
// batch's rows stay as they were and the next purge deletes them again (remove must treat
// a missing file as done): a crash errs towards deletion, never towards keeping data.
func (db *DB) PurgeMedia(ctx context.Context, olderThan time.Time, remove func(sha string) error) ([]string, error) {
	var removed []string
	var after int64
	for {
		caseIDs, shas, err := db.purgeMediaBatch(ctx, FormatTime(olderThan), after, remove)
		removed = append(removed, shas...)
		if err != nil {
			return removed, err
		}
		if len(caseIDs) < purgeBatchCases {
			return removed, nil
		}
		after = caseIDs[len(caseIDs)-1]
	}
}

// purgeMediaBatch purges the media of up to purgeBatchCases cases with ids above after, and
// returns those cases and the hashes it deleted.
func (db *DB) purgeMediaBatch(ctx context.Context, before string, after int64, remove func(sha string) error) ([]int64, []string, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("store: purge media: %w", err)
	}
	defer tx.Rollback()
	caseIDs, err := queryColumn[int64](ctx, tx, `SELECT c.id FROM cases c
		WHERE c.id > ? AND c.review_state IN ('decided', 'informational') AND c.last_received_at < ?
		AND EXISTS (SELECT 1 FROM media m WHERE m.case_id = c.id AND m.state <> 'purged')
		ORDER BY c.id LIMIT ?`, after, before, purgeBatchCases)
	if err != nil {
		return nil, nil, fmt.Errorf("store: purge media: find cases: %w", err)
	}
	var candidates []string
	seen := map[string]bool{}
	for _, id := range caseIDs {
		// The redacted derivatives go with their originals.
		shas, err := queryColumn[string](ctx, tx, `SELECT sha256 FROM media WHERE case_id = ? AND state = 'archived'
			UNION SELECT r.sha256 FROM media_redactions r JOIN media m ON m.id = r.media_id WHERE m.case_id = ? AND m.state = 'archived'`, id, id)
		if err != nil {
			return nil, nil, fmt.Errorf("store: purge media of case %d: %w", id, err)
		}
		for _, s := range shas {
			if !seen[s] {
				seen[s] = true
				candidates = append(candidates, s)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE media SET state = 'purged' WHERE case_id = ? AND state <> 'purged'`, id); err != nil {
			return nil, nil, fmt.Errorf("store: purge media of case %d: %w", id, err)
		}
	}
	var removed []string
	for _, sha := range candidates {
		inUse, err := archivedShaInUse(ctx, tx, sha)
		if err != nil {
			return nil, removed, fmt.Errorf("store: purge media file %s: %w", sha, err)
		}
		if inUse {
			continue // another case still shows the same bytes
		}
		if err := remove(sha); err != nil {
			return nil, removed, fmt.Errorf("store: purge media file %s: %w", sha, err)
		}
		removed = append(removed, sha)
	}
	// The purge and its record commit together: no evidence is deleted without an audit entry.
	if len(caseIDs) > 0 {
		if err := db.appendAudit(ctx, tx, db.now(), AuditEntry{Actor: SystemActor.Name, Action: "media.purge", TargetType: "media",
			Details: map[string]any{"received_before": before, "cases": caseIDs, "deleted_sha256": nonNil(removed)}}); err != nil {
			return nil, nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, removed, fmt.Errorf("store: purge media: %w", err)
	}
	return caseIDs, removed, nil
}

// queryColumn returns the single column a query selects, for every row.
func queryColumn[T any](ctx context.Context, tx *sql.Tx, query string, args ...any) ([]T, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// clipMediaError shortens s to at most n bytes, on a rune boundary.
func clipMediaError(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// FailedMedia lists the newest media whose download gave up, for the ingest health page.
func (db *DB) FailedMedia(ctx context.Context, limit int) ([]Media, error) {
	m, err := queryMedia(ctx, db.read, `SELECT `+mediaColumns+` FROM media WHERE state = 'failed' ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: failed media: %w", err)
	}
	return m, nil
}

// FileExtension is the file-name extension for a type the media fetcher archives ("" for others),
// for downloads and evidence packs.
func FileExtension(contentType string) string {
	switch contentType {
	case "image/png":
		return ".png"
	case "image/jpeg":
		return ".jpg"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "image/bmp":
		return ".bmp"
	case "video/webm":
		return ".webm"
	case "video/mp4":
		return ".mp4"
	case "video/avi":
		return ".avi"
	case "application/pdf":
		return ".pdf"
	}
	return ""
}
