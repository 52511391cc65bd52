package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// LoginAttempt is the answer of TakeLoginAttempt, given before any secret is looked at.
type LoginAttempt struct {
	// Check: the caller may check the password (or one-time code) now. When false the name is
	// locked and the caller must answer "locked" without looking at the secret.
	Check bool
	// LastBeforeLock: this attempt was the last one allowed; if its secret is wrong, answer
	// "locked" (the name is locked already, as of this attempt).
	LastBeforeLock bool
	// User is the enabled account of that name; Known is false for unknown and disabled names,
	// which are counted and locked exactly the same way.
	User  User
	Known bool
}

// TakeLoginAttempt counts one sign-in attempt for name and decides, in one write transaction
// (so parallel guesses are serialised), whether its secret may be checked: at most lockAfter
// attempts are checked before the name locks for lockFor. The count is taken before the check,
// so a burst cannot race past the threshold; a success undoes it (ClearLoginFailures). Names that
// are not accounts go through the same rows and the same statements.
//
// Any secret that proves who someone is goes through this: the password, and a one-time code
// after it. Call ClearLoginFailures only once every secret of the sign-in has matched.
func (db *DB) TakeLoginAttempt(ctx context.Context, name string, lockAfter int, lockFor time.Duration) (LoginAttempt, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return LoginAttempt{}, fmt.Errorf("store: login attempt: %w", err)
	}
	defer tx.Rollback()
	now := db.Now()
	at := FormatTime(now)
	// Rows idle for a whole lock period are forgotten, so a spray of names leaves nothing behind.
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_guard WHERE updated_at < ?
		AND (locked_until IS NULL OR locked_until < ?)`, FormatTime(now.Add(-lockFor)), at); err != nil {
		return LoginAttempt{}, fmt.Errorf("store: login attempt: %w", err)
	}
	var failures int
	var locked sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT failures, locked_until FROM login_guard WHERE name = ?`, key).Scan(&failures, &locked)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return LoginAttempt{}, fmt.Errorf("store: login attempt: %w", err)
	}
	var a LoginAttempt
	u, uerr := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = ? COLLATE NOCASE`, key))
	switch {
	case uerr == nil && !u.Disabled:
		a.User, a.Known = u, true
	case uerr != nil && !errors.Is(uerr, sql.ErrNoRows):
		return LoginAttempt{}, fmt.Errorf("store: login attempt: %w", uerr)
	}
	if locked.Valid && locked.String > at {
		return a, tx.Commit() // locked: nothing counted, nothing checked
	}
	if locked.Valid {
		failures = 0 // a lock that ran out starts the count again
	}
	failures++
	a.Check = true
	var until any
	if failures >= lockAfter {
		a.LastBeforeLock = true
		until = FormatTime(now.Add(lockFor))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO login_guard (name, failures, locked_until, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until,
		updated_at = excluded.updated_at`, key, failures, until, at); err != nil {
		return LoginAttempt{}, fmt.Errorf("store: login attempt: %w", err)
	}
	if a.Known {
		// Mirrored on the account, for the users page.
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?`,
			failures, until, a.User.ID); err != nil {
			return LoginAttempt{}, fmt.Errorf("store: login attempt: %w", err)
		}
	}
	if a.LastBeforeLock {
		if err := db.appendAudit(ctx, tx, at, AuditEntry{Actor: SystemActor.Name, Action: "user.lock", TargetType: "user",
			TargetID: key, Details: map[string]any{"failures": failures, "locked_until": until}}); err != nil {
			return LoginAttempt{}, err
		}
	}
	return a, tx.Commit()
}

// ClearLoginFailures undoes the attempts counted for name after a sign-in whose every secret
// matched, and lifts the lock the last allowed attempt may have set.
func (db *DB) ClearLoginFailures(ctx context.Context, name string) error {
	key := strings.ToLower(strings.TrimSpace(name))
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: clear login failures: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_guard WHERE name = ?`, key); err != nil {
		return fmt.Errorf("store: clear login failures: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL
		WHERE username = ? COLLATE NOCASE`, key); err != nil {
		return fmt.Errorf("store: clear login failures: %w", err)
	}
	return commit(tx, "clear login failures")
}

// ReturnLoginAttempt gives back the attempt TakeLoginAttempt counted once its secret was right,
// and lifts the lock if that attempt was the last one allowed (a.LastBeforeLock). Earlier wrong
// attempts stay counted until ClearLoginFailures (or RecordLoginSuccess), so wrong one-time codes
// after a right password still add up to a lock.
func (db *DB) ReturnLoginAttempt(ctx context.Context, a LoginAttempt) error {
	key := strings.ToLower(a.User.Username)
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: return login attempt: %w", err)
	}
	defer tx.Rollback()
	var failures int
	err = tx.QueryRowContext(ctx, `UPDATE login_guard SET failures = max(failures - 1, 0),
		locked_until = CASE WHEN ? THEN NULL ELSE locked_until END WHERE name = ? RETURNING failures`,
		a.LastBeforeLock, key).Scan(&failures)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: return login attempt: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = ?,
		locked_until = CASE WHEN ? THEN NULL ELSE locked_until END WHERE username = ?`,
		failures, a.LastBeforeLock, key); err != nil {
		return fmt.Errorf("store: return login attempt: %w", err)
	}
	return commit(tx, "return login attempt")
}

// RecordLoginFailure counts a wrong secret checked outside TakeLoginAttempt (a one-time code after
// the password) against the same count and lock, and reports whether the account is locked now.
func (db *DB) RecordLoginFailure(ctx context.Context, id int64, lockAfter int, lockFor time.Duration) (bool, error) {
	var name string
	if err := db.read.QueryRowContext(ctx, `SELECT username FROM users WHERE id = ?`, id).Scan(&name); err != nil {
		return false, fmt.Errorf("store: login failure: %w", err)
	}
	a, err := db.TakeLoginAttempt(ctx, name, lockAfter, lockFor)
	if err != nil {
		return false, err
	}
	return !a.Check || a.LastBeforeLock, nil
}

// RecordLoginSuccess clears the count once every secret of a sign-in matched, unless the account
// was locked in the meantime (by guesses running in parallel). It reports whether the sign-in may
// proceed.
func (db *DB) RecordLoginSuccess(ctx context.Context, id int64) (bool, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: login success: %w", err)
	}
	defer tx.Rollback()
	var name string
	var locked sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT u.username, g.locked_until FROM users u
		LEFT JOIN login_guard g ON g.name = lower(u.username) WHERE u.id = ?`, id).Scan(&name, &locked)
	if err != nil {
		return false, fmt.Errorf("store: login success: %w", err)
	}
	if locked.Valid && locked.String > FormatTime(db.Now()) {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_guard WHERE name = lower(?)`, name); err != nil {
		return false, fmt.Errorf("store: login success: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?`, id); err != nil {
		return false, fmt.Errorf("store: login success: %w", err)
	}
	return true, commit(tx, "login success")
}
