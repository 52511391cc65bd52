package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The rows an audit entry binds. The audit chain proves that the log was not edited; these bind
// the records themselves to it, so that editing a decision, deleting an approval or granting a
// role in the database file shows as a row whose SHA-256 no entry carries. Records that are
// never changed (decisions, approvals, reopens) are bound by the entry that made them; accounts
// and settings, which change, by the newest entry that changed them.
var boundTables = []struct {
	name    string
	query   string // the row's bound columns, id first
	mutable bool
}{
	{"decisions", `SELECT id, case_id, outcome, reason_code, note, decided_by, decided_at, needs_approval,
		COALESCE(delivery_id, 0) FROM decisions`, false},
	{"approvals", `SELECT id, decision_id, verdict, reason, by_user, at FROM approvals`, false},
	{"reopens", `SELECT id, case_id, reason, by_user, at FROM reopens`, false},
	// Who may sign in, with what and as what; not the display name or the lockout counters.
	{"users", `SELECT id, username, password_hash, roles, disabled FROM users`, true},
	// All settings are one row.
	{"settings", `SELECT 0, COALESCE((SELECT group_concat(key || '=' || value, char(10))
		FROM (SELECT key, value FROM settings ORDER BY key)), '')`, true},
}

// queryer is a transaction or a connection pool.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// rowDigests returns the SHA-256 of table's rows by id; with id set, of that row only.
func rowDigests(ctx context.Context, q queryer, table string, id *int64) (map[int64]string, error) {
	for _, t := range boundTables {
		if t.name != table {
			continue
		}
		query, args := t.query, []any(nil)
		if id != nil && table != "settings" {
			query, args = query+" WHERE id = ?", []any{*id}
		}
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, fmt.Errorf("store: digest %s: %w", table, err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		out := map[int64]string{}
		for rows.Next() {
			vals := make([]sql.RawBytes, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return nil, fmt.Errorf("store: digest %s: %w", table, err)
			}
			h := sha256.New()
			for _, f := range append([][]byte{[]byte(table)}, toBytes(vals)...) {
				h.Write([]byte(strconv.Itoa(len(f)) + ":"))
				h.Write(f)
				h.Write([]byte{'\n'})
			}
			n, _ := strconv.ParseInt(string(vals[0]), 10, 64)
			out[n] = hex.EncodeToString(h.Sum(nil))
		}
		return out, rows.Err()
	}
	return nil, fmt.Errorf("store: %s is not a bound table", table)
}

func toBytes(vals []sql.RawBytes) [][]byte {
	out := make([][]byte, len(vals))
	for i, v := range vals {
		out[i] = append([]byte(nil), v...)
	}
	return out
}

// boundRow is what an audit entry's details say about a row it binds.
type boundRow struct {
	Table  string `json:"table"`
	ID     int64  `json:"id"`
	SHA256 string `json:"sha256"`
}

// bindRow is the binding of one row as written in the same transaction, for an entry's details.
func bindRow(ctx context.Context, tx *sql.Tx, table string, id int64) (boundRow, error) {
	d, err := rowDigests(ctx, tx, table, &id)
	if err != nil {
		return boundRow{}, err
	}
	sum, ok := d[id]
	if !ok {
		return boundRow{}, fmt.Errorf("store: bind %s %d: no such row", table, id)
	}
	return boundRow{Table: table, ID: id, SHA256: sum}, nil
}

// baselineBindings binds, once, the rows that existed before rows were bound (migration 0091),
// in audit.baseline entries. A second baseline later in the log is itself a finding of verify.
func (db *DB) baselineBindings(ctx context.Context) error {
	// Looked at first without the write lock, which a running server's writer holds most of the time.
	var pending int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_baseline_pending`).Scan(&pending); err != nil {
		return fmt.Errorf("store: audit baseline: %w", err)
	}
	if pending == 0 {
		return nil
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: audit baseline: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_baseline_pending`).Scan(&pending); err != nil {
		return fmt.Errorf("store: audit baseline: %w", err)
	}
	if pending == 0 {
		return nil
	}
	var batch []boundRow
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := db.appendAudit(ctx, tx, db.now(), AuditEntry{Actor: SystemActor.Name, Action: "audit.baseline",
			TargetType: "audit", Details: map[string]any{"rows": batch}})
		batch = nil
		return err
	}
	for _, t := range boundTables {
		d, err := rowDigests(ctx, tx, t.name, nil)
		if err != nil {
			return err
		}
		if t.name == "settings" && d[0] == settingsEmptyDigest() {
			continue
		}
		ids := make([]int64, 0, len(d))
		for id := range d {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, id := range ids {
			batch = append(batch, boundRow{Table: t.name, ID: id, SHA256: d[id]})
			if len(batch) == 500 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM audit_baseline_pending`); err != nil {
		return fmt.Errorf("store: audit baseline: %w", err)
	}
	return commit(tx, "audit baseline")
}

// settingsEmptyDigest is the digest of no settings at all, which needs no binding.
func settingsEmptyDigest() string {
	h := sha256.New()
	for _, f := range []string{"settings", "0", ""} {
		h.Write([]byte(strconv.Itoa(len(f)) + ":" + f + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// BindingProblem is a bound row that does not match the audit log.
type BindingProblem struct {
	Table   string
	ID      int64
	EntryID int64 // the audit entry that binds it; 0 when none does
	Reason  string
}

// String names the row and what is wrong: "decision 3: changed since audit entry 17".
func (p BindingProblem) String() string {
	what := strings.TrimSuffix(p.Table, "s")
	if p.Table == "settings" {
		return "settings: " + p.Reason
	}
	return fmt.Sprintf("%s %d: %s", what, p.ID, p.Reason)
}

// VerifyBindings recomputes every bound row from its table and compares it with the audit
// entries: a row no entry binds, a row changed since its entry, and an entry whose row vanished
// are each reported, in table and id order.
func (db *DB) VerifyBindings(ctx context.Context) ([]BindingProblem, error) {
	type key struct {
		table string
		id    int64
	}
	type binding struct {
		entry int64
		sum   string
	}
	bound := map[key][]binding{}
	var baselines []int64
	rows, err := db.read.QueryContext(ctx, `SELECT id, action, details FROM audit_log
		WHERE details LIKE '%"sha256"%' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: verify bindings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var action, details string
		if err := rows.Scan(&id, &action, &details); err != nil {
			return nil, fmt.Errorf("store: verify bindings: %w", err)
		}
		var d struct {
			Row  *boundRow  `json:"row"`
			Rows []boundRow `json:"rows"`
		}
		if json.Unmarshal([]byte(details), &d) != nil {
			continue
		}
		if action == "audit.baseline" {
			baselines = append(baselines, id)
		}
		if d.Row != nil {
			d.Rows = append(d.Rows, *d.Row)
		}
		for _, r := range d.Rows {
			k := key{r.Table, r.ID}
			bound[k] = append(bound[k], binding{entry: id, sum: r.SHA256})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: verify bindings: %w", err)
	}
	var out []BindingProblem
	for i := 1; i < len(baselines); i++ {
		if baselines[i] != baselines[i-1]+1 {
			out = append(out, BindingProblem{Table: "audit_log", ID: baselines[i], EntryID: baselines[i],
				Reason: "a second baseline: rows were bound wholesale again after the first start"})
		}
	}
	for _, t := range boundTables {
		current, err := rowDigests(ctx, db.read, t.name, nil)
		if err != nil {
			return nil, err
		}
		ids := make([]int64, 0, len(current))
		for id := range current {
			ids = append(ids, id)
		}
		for k := range bound {
			if k.table == t.name {
				if _, ok := current[k.id]; !ok {
					ids = append(ids, k.id)
				}
			}
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, id := range ids {
			bs := bound[key{t.name, id}]
			sum, exists := current[id]
			switch {
			case !exists:
				out = append(out, BindingProblem{Table: t.name, ID: id, EntryID: bs[len(bs)-1].entry,
					Reason: fmt.Sprintf("vanished: audit entry %d records it", bs[len(bs)-1].entry)})
			case len(bs) == 0:
				if t.name == "settings" && sum == settingsEmptyDigest() {
					continue
				}
				out = append(out, BindingProblem{Table: t.name, ID: id,
					Reason: "no audit entry records this row (written outside KYC Desk?)"})
			case t.mutable && bs[len(bs)-1].sum != sum:
				out = append(out, BindingProblem{Table: t.name, ID: id, EntryID: bs[len(bs)-1].entry,
					Reason: fmt.Sprintf("changed since audit entry %d, its last recorded change", bs[len(bs)-1].entry)})
			case !t.mutable:
				for _, b := range bs {
					if b.sum != sum {
						out = append(out, BindingProblem{Table: t.name, ID: id, EntryID: b.entry,
							Reason: fmt.Sprintf("changed since audit entry %d recorded it", b.entry)})
						break
					}
				}
			}
		}
	}
	return out, nil
}
