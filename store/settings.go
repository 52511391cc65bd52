package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
)

// Settings returns the settings an admin has changed at run time, by key.
func (db *DB) Settings(ctx context.Context) (map[string]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return nil, fmt.Errorf("store: settings: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("store: settings: %w", err)
		}
		out[k] = v
	}
	return out, rows.Err()
}

// saveSettings writes the given settings and one "settings.change" audit entry naming each
// changed key with its value before and after, in one transaction. Unchanged keys are skipped;
// it reports whether anything changed.
func (db *DB) saveSettings(ctx context.Context, actor Actor, values map[string]string) (bool, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: save settings: %w", err)
	}
	defer tx.Rollback()
	changes := map[string]any{}
	for _, k := range slices.Sorted(maps.Keys(values)) {
		var before string
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, k).Scan(&before)
		if err == nil && before == values[k] {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, values[k]); err != nil {
			return false, fmt.Errorf("store: save setting %s: %w", k, err)
		}
		changes[k] = map[string]string{"before": before, "after": values[k]}
	}
	if len(changes) == 0 {
		return false, nil
	}
	row, err := bindRow(ctx, tx, "settings", 0)
	if err != nil {
		return false, err
	}
	changes["row"] = row
	if err := db.appendAudit(ctx, tx, db.now(), AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "settings.change",
		TargetType: "settings", Details: changes}); err != nil {
		return false, err
	}
	return true, tx.Commit()
}
