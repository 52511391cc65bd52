package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// AuditRow is an audit entry's exported columns exactly as stored: the text its chain hash covers,
// the time as the stored text too (TimeFormat), so an export need not parse and re-format it.
type AuditRow struct {
	ID         int64
	At         string
	Actor      string
	Action     string
	TargetType string
	TargetID   string
	CaseID     int64
	Details    string
	PrevHash   string
	Hash       string
}

// auditRowSep joins an entry's text columns into one value for the export's scan; see StreamAuditRows.
const auditRowSep = "\x1f"

// StreamAuditRows calls fn for every matching entry, oldest first, without loading them all. fn
// gets the same *AuditRow each time, refilled: it must copy the row (not its strings) to keep it.
//
// SQLite joins the eight text columns into one value with a unit separator, so the driver hands
// over one string per entry instead of eight (an allocation and an interface conversion each,
// most of what the scan of an export cost; the join costs SQLite little). An entry whose text
// holds the separator itself is read again column by column, so every entry comes out exactly as
// stored whatever it contains, and fails as StreamAudit would on a NULL where text belongs.
func (db *DB) StreamAuditRows(ctx context.Context, f AuditFilter, fn func(*AuditRow) error) error {
	conn, release, err := db.streamConn(ctx)
	if err != nil {
		return fmt.Errorf("store: stream audit rows: %w", err)
	}
	defer release()
	where, args := f.where()
	rows, err := conn.QueryContext(ctx, `SELECT id, COALESCE(case_id, 0), at || char(31) || actor || char(31) || action
		|| char(31) || target_type || char(31) || target_id || char(31) || details || char(31) || prev_hash || char(31) || hash
		FROM audit_log WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return fmt.Errorf("store: stream audit rows: %w", err)
	}
	defer rows.Close()
	var r AuditRow
	var joined sql.NullString // NULL only if a column is: the schema forbids it
	dest := []any{&r.ID, &r.CaseID, &joined}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("store: stream audit rows: %w", err)
		}
		if !joined.Valid || !r.split(joined.String) {
			// On the same connection, so inside the same read transaction as the scan.
			if err := conn.QueryRowContext(ctx, `SELECT at, actor, action, target_type, target_id, details, prev_hash, hash
				FROM audit_log WHERE id = ?`, r.ID).Scan(&r.At, &r.Actor, &r.Action, &r.TargetType, &r.TargetID,
				&r.Details, &r.PrevHash, &r.Hash); err != nil {
				return fmt.Errorf("store: stream audit rows: entry %d: %w", r.ID, err)
			}
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: stream audit rows: %w", err)
	}
	return nil
}

// split fills the text columns from their joined value. It reports false unless the value splits
// into exactly eight: when a column holds the separator, the fields cannot be told apart.
func (r *AuditRow) split(joined string) bool {
	var ok bool
	for _, p := range [...]*string{&r.At, &r.Actor, &r.Action, &r.TargetType, &r.TargetID, &r.Details, &r.PrevHash} {
		if *p, joined, ok = strings.Cut(joined, auditRowSep); !ok {
			return false
		}
	}
	r.Hash = joined
	return !strings.Contains(joined, auditRowSep)
}
