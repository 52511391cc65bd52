package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Actor is who did something: a user, or the system itself.
type Actor struct {
	ID   int64 // 0 for the system
	Name string
}

// SystemActor is the actor for things the program does on its own.
var SystemActor = Actor{Name: "system"}

// AuditEntry is one row of the append-only, hash-chained audit log.
type AuditEntry struct {
	ID         int64
	At         time.Time
	Actor      string
	ActorID    int64
	Action     string
	TargetType string // "case", "user", "export", "media", "delivery", "settings", "session"
	TargetID   string
	CaseID     int64
	// Details is marshalled to JSON when writing; DetailsJSON holds it when reading.
	Details     any
	DetailsJSON string
	PrevHash    string
	Hash        string
}

// genesisHash is the previous hash of the first entry.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// entryHash chains an entry to its predecessor. Every field, including the row ID, is length-prefixed
// so that no two different entries can produce the same input.
func entryHash(id int64, at, actor string, actorID int64, action, targetType, targetID string, caseID int64, details, prev string) string {
	h := sha256.New()
	for _, f := range []string{strconv.FormatInt(id, 10), at, actor, strconv.FormatInt(actorID, 10), action,
		targetType, targetID, strconv.FormatInt(caseID, 10), details, prev} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// appendAudit writes an entry inside the caller's transaction, so the action and its record commit together.
func (db *DB) appendAudit(ctx context.Context, tx *sql.Tx, at string, e AuditEntry) error {
	_, err := db.appendAuditID(ctx, tx, at, e)
	return err
}

// appendAuditID is appendAudit returning the new entry's id, for rows that point at it.
func (db *DB) appendAuditID(ctx context.Context, tx *sql.Tx, at string, e AuditEntry) (int64, error) {
	details := "{}"
	if e.Details != nil {
		b, err := json.Marshal(e.Details)
		if err != nil {
			return 0, fmt.Errorf("store: audit details: %w", err)
		}
		details = string(b)
	}
	prev := genesisHash
	var lastID int64
	var prevMAC sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT id, hash, mac FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&lastID, &prev, &prevMAC)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: audit chain head: %w", err)
	}
	id := lastID + 1
	hash := entryHash(id, at, e.Actor, e.ActorID, e.Action, e.TargetType, e.TargetID, e.CaseID, details, prev)
	var mac any // audit_key.go
	switch {
	case db.auditKey != nil:
		mac = linkMAC(db.auditKey, id, hash, prevMAC.String)
	case prevMAC.Valid:
		return 0, ErrAuditKeyRequired
	}
	var actorID, caseID any
	if e.ActorID != 0 {
		actorID = e.ActorID
	}
	if e.CaseID != 0 {
		caseID = e.CaseID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log
		(id, at, actor, actor_id, action, target_type, target_id, case_id, details, prev_hash, hash, mac)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, at, e.Actor, actorID, e.Action, e.TargetType, e.TargetID, caseID, details, prev, hash, mac); err != nil {
		return 0, fmt.Errorf("store: append audit: %w", err)
	}
	return id, nil
}

// Audit appends one entry in its own transaction.
func (db *DB) Audit(ctx context.Context, e AuditEntry) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	defer tx.Rollback()
	if err := db.appendAudit(ctx, tx, db.now(), e); err != nil {
		return err
	}
	return tx.Commit()
}

// AuditMany appends the entries next yields, in order, in one transaction: all or none. An entry's
// At is its time (zero: now). It is for importing a trail kept elsewhere and for loading large
// test trails; each entry chains like any other.
func (db *DB) AuditMany(ctx context.Context, next func() (AuditEntry, bool)) (int, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: audit many: %w", err)
	}
	defer tx.Rollback()
	n := 0
	for e, ok := next(); ok; e, ok = next() {
		at := db.now()
		if !e.At.IsZero() {
			at = FormatTime(e.At)
		}
		if err := db.appendAudit(ctx, tx, at, e); err != nil {
			return 0, err
		}
		n++
	}
	return n, commit(tx, "audit many")
}

// AuditBreak names the first entry at which the chain no longer holds.
type AuditBreak struct {
	ID     int64
	Reason string
}

func (b *AuditBreak) Error() string { return fmt.Sprintf("audit entry %d: %s", b.ID, b.Reason) }

// VerifyAudit walks the whole chain in order. It returns the number of entries checked and,
// when the chain is broken (an entry edited, deleted or reordered), the first broken entry.
func (db *DB) VerifyAudit(ctx context.Context) (int, *AuditBreak, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, at, actor, COALESCE(actor_id, 0), action, target_type, target_id,
		COALESCE(case_id, 0), details, prev_hash, hash, mac FROM audit_log ORDER BY id`)
	if err != nil {
		return 0, nil, fmt.Errorf("store: verify audit: %w", err)
	}
	defer rows.Close()
	prev, wantID, n := genesisHash, int64(1), 0
	prevMAC, signed, lastID, lastSigned := "", false, int64(0), false
	for rows.Next() {
		var (
			id, actorID, caseID                                 int64
			at, actor, action, tt, tid, details, prevHash, hash string
			mac                                                 sql.NullString
		)
		if err := rows.Scan(&id, &at, &actor, &actorID, &action, &tt, &tid, &caseID, &details, &prevHash, &hash, &mac); err != nil {
			return n, nil, fmt.Errorf("store: verify audit: %w", err)
		}
		switch {
		case id != wantID:
			return n, &AuditBreak{ID: id, Reason: fmt.Sprintf("expected entry %d next; entries are missing or renumbered", wantID)}, nil
		case prevHash != prev:
			return n, &AuditBreak{ID: id, Reason: "its previous-hash does not match the entry before it (an entry was deleted, swapped or edited)"}, nil
		case entryHash(id, at, actor, actorID, action, tt, tid, caseID, details, prevHash) != hash:
			return n, &AuditBreak{ID: id, Reason: "its content does not match its hash (the entry was edited)"}, nil
		}
		if db.auditKey != nil {
			switch {
			case mac.Valid && mac.String != linkMAC(db.auditKey, id, hash, prevMAC):
				return n, &AuditBreak{ID: id, Reason: "its signature does not match the audit key (the entry was rewritten, or the key is another one)"}, nil
			case !mac.Valid && signed:
				return n, &AuditBreak{ID: id, Reason: "it is not signed although entries before it are (written or rewritten without the audit key)"}, nil
			}
			signed = signed || mac.Valid
			prevMAC = mac.String
		}
		prev, wantID, lastID, lastSigned = hash, id+1, id, mac.Valid
		n++
	}
	if err := rows.Err(); err != nil {
		return n, nil, err
	}
	if db.auditKey != nil && n > 0 && !lastSigned {
		return n, &AuditBreak{ID: lastID, Reason: "the newest entry is not signed with the audit key (the log was rewritten without it, or the server runs without --audit-key-file)"}, nil
	}
	return n, nil, nil
}

// AuditFilter narrows the audit log. Zero fields match everything.
type AuditFilter struct {
	// ExcludeViews leaves out case and media views: the evidence of who saw what, kept in full,
	// but noise when reading what people did.
	ExcludeViews bool
	Actor        string
	Action       string // exact, or a prefix ending in "." such as "case."
	CaseID       int64
	From         time.Time // inclusive
	To           time.Time // exclusive
}

func (f AuditFilter) where() (string, []any) {
	var conds []string
	var args []any
	if f.Actor != "" {
		conds = append(conds, "actor = ?")
		args = append(args, f.Actor)
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			// The unary + keeps SQLite walking the primary key newest-first instead of sorting every match.
			conds = append(conds, "+action >= ? AND +action < ?")
			args = append(args, f.Action, f.Action[:len(f.Action)-1]+"/")
		} else {
			conds = append(conds, "action = ?")
			args = append(args, f.Action)
		}
	}
	if f.ExcludeViews {
		conds = append(conds, "+action NOT IN ('case.view', 'media.view', 'media.download')")
	}
	if f.CaseID != 0 {
		conds = append(conds, "case_id = ?")
		args = append(args, f.CaseID)
	}
	if !f.From.IsZero() {
		conds = append(conds, "+at >= ?")
		args = append(args, FormatTime(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "+at < ?")
		args = append(args, FormatTime(f.To))
	}
	if len(conds) == 0 {
		return "1=1", nil
	}
	return strings.Join(conds, " AND "), args
}

const auditColumns = `id, at, actor, COALESCE(actor_id, 0), action, target_type, target_id, COALESCE(case_id, 0), details, prev_hash, hash`

func scanAudit(row interface{ Scan(...any) error }) (AuditEntry, error) {
	var e AuditEntry
	var at string
	err := row.Scan(&e.ID, &at, &e.Actor, &e.ActorID, &e.Action, &e.TargetType, &e.TargetID, &e.CaseID, &e.DetailsJSON, &e.PrevHash, &e.Hash)
	e.At = ParseTime(at)
	return e, err
}

// ListAudit returns up to limit entries, newest first, with IDs below before (0 = from the newest).
// It returns the cursor for the next page, or 0 when there is none.
func (db *DB) ListAudit(ctx context.Context, f AuditFilter, before int64, limit int) ([]AuditEntry, int64, error) {
	where, args := f.where()
	if before > 0 {
		where += " AND id < ?"
		args = append(args, before)
	}
	args = append(args, limit+1)
	rows, err := db.read.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE `+where+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list audit: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: list audit: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: list audit: %w", err)
	}
	var next int64
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}

// StreamAudit calls fn for every matching entry, oldest first, without loading them all.
func (db *DB) StreamAudit(ctx context.Context, f AuditFilter, fn func(AuditEntry) error) error {
	conn, release, err := db.streamConn(ctx)
	if err != nil {
		return fmt.Errorf("store: stream audit: %w", err)
	}
	defer release()
	where, args := f.where()
	rows, err := conn.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return fmt.Errorf("store: stream audit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return fmt.Errorf("store: stream audit: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AuditHashAt returns the hash of entry id, or ErrNotFound.
func (db *DB) AuditHashAt(ctx context.Context, id int64) (string, error) {
	var hash string
	err := db.read.QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE id = ?`, id).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: audit entry %d: %w", id, errNoSuchThing)
	}
	return hash, err
}

// CaseLabel is how a case reads in a list of entries: its reference and name.
type CaseLabel struct {
	Source Source
	Ref    string
	Name   string
}

// AuditLabels reads, for a page of entries, the cases they name (by id) and every user's username,
// so that the page shows references, names and usernames instead of internal numbers. The audit
// rows themselves keep ids, so the chain never depends on data a purge may later remove.
func (db *DB) AuditLabels(ctx context.Context, entries []AuditEntry) (map[int64]CaseLabel, map[int64]string, error) {
	cases, users := map[int64]CaseLabel{}, map[int64]string{}
	var ids []any
	seen := map[int64]bool{}
	for _, e := range entries {
		if e.CaseID != 0 && !seen[e.CaseID] {
			seen[e.CaseID] = true
			ids = append(ids, e.CaseID)
		}
	}
	if len(ids) > 0 {
		rows, err := db.read.QueryContext(ctx, `SELECT id, source, ref, full_name FROM cases WHERE id IN (`+placeholders(len(ids))+`)`, ids...)
		if err != nil {
			return nil, nil, fmt.Errorf("store: audit labels: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var l CaseLabel
			if err := rows.Scan(&id, &l.Source, &l.Ref, &l.Name); err != nil {
				return nil, nil, fmt.Errorf("store: audit labels: %w", err)
			}
			cases[id] = l
		}
		if err := rows.Err(); err != nil {
			return nil, nil, fmt.Errorf("store: audit labels: %w", err)
		}
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, username FROM users`)
	if err != nil {
		return nil, nil, fmt.Errorf("store: audit labels: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, nil, fmt.Errorf("store: audit labels: %w", err)
		}
		users[id] = name
	}
	return cases, users, rows.Err()
}

// streamCacheKiB is the page cache of a connection that streams a whole table once: a scan reads
// each page once, so the readers' usual 32 MB would only fill with pages never read again, and an
// export of millions of rows would keep them resident.
const streamCacheKiB = 2048

// streamConn pins a reader with a small page cache for a one-pass scan; release restores the
// pool's cache size and returns the connection.
func (db *DB) streamConn(ctx context.Context) (*sql.Conn, func(), error) {
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", streamCacheKiB)); err != nil {
		conn.Close()
		return nil, nil, err
	}
	release := func() {
		// The DSN's size again, for whoever takes the connection next; if that fails the
		// connection is dropped rather than returned small.
		if _, err := conn.ExecContext(context.Background(), fmt.Sprintf("PRAGMA cache_size = -%d", cacheKiB)); err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}
	return conn, release, nil
}
