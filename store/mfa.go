package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Stages of a login challenge: the password was right, and the second factor is still to come.
const (
	StageTOTP  = "totp"  // enter a code from the authenticator app, or a recovery code
	StageEnrol = "enrol" // set up an authenticator app first
)

// LoginChallenge is a sign-in between its password and its second factor.
type LoginChallenge struct {
	ID        string
	UserID    int64
	Stage     string
	Next      string
	CreatedAt time.Time
}

// CreateLoginChallenge records a sign-in waiting for its second factor, replacing any older one
// of the same user and forgetting those older than maxAge.
func (db *DB) CreateLoginChallenge(ctx context.Context, ch LoginChallenge, maxAge time.Duration) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: login challenge: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_challenges WHERE user_id = ? OR created_at < ?`,
		ch.UserID, FormatTime(db.Now().Add(-maxAge))); err != nil {
		return fmt.Errorf("store: login challenge: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO login_challenges (id, user_id, stage, next, created_at) VALUES (?, ?, ?, ?, ?)`,
		ch.ID, ch.UserID, ch.Stage, ch.Next, db.now()); err != nil {
		return fmt.Errorf("store: login challenge: %w", err)
	}
	return tx.Commit()
}

// LoginChallengeByID returns a challenge younger than maxAge; an older or unknown one is ErrNotFound.
func (db *DB) LoginChallengeByID(ctx context.Context, id string, maxAge time.Duration) (LoginChallenge, error) {
	ch := LoginChallenge{ID: id}
	var created string
	err := db.read.QueryRowContext(ctx, `SELECT user_id, stage, next, created_at FROM login_challenges WHERE id = ?`, id).
		Scan(&ch.UserID, &ch.Stage, &ch.Next, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return LoginChallenge{}, fmt.Errorf("store: login challenge: %w", errNoSuchThing)
	}
	if err != nil {
		return LoginChallenge{}, fmt.Errorf("store: login challenge: %w", err)
	}
	ch.CreatedAt = ParseTime(created)
	if db.Now().Sub(ch.CreatedAt) > maxAge {
		return LoginChallenge{}, fmt.Errorf("store: login challenge expired: %w", errNoSuchThing)
	}
	return ch, nil
}

// DeleteLoginChallenge ends a challenge.
func (db *DB) DeleteLoginChallenge(ctx context.Context, id string) error {
	if _, err := db.write.ExecContext(ctx, `DELETE FROM login_challenges WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: login challenge: %w", err)
	}
	return nil
}

// TOTP is a user's authenticator-app factor.
type TOTP struct {
	Secret    string // base32
	Confirmed bool   // false while enrolment waits for the first code
	LastStep  int64  // the newest 30-second step accepted
}

// TOTPOf returns the user's factor, ErrNotFound when there is none.
func (db *DB) TOTPOf(ctx context.Context, userID int64) (TOTP, error) {
	var t TOTP
	var confirmed sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT secret, confirmed_at, last_step FROM user_totp WHERE user_id = ?`, userID).
		Scan(&t.Secret, &confirmed, &t.LastStep)
	if errors.Is(err, sql.ErrNoRows) {
		return TOTP{}, fmt.Errorf("store: totp: %w", errNoSuchThing)
	}
	if err != nil {
		return TOTP{}, fmt.Errorf("store: totp: %w", err)
	}
	t.Confirmed = confirmed.Valid
	return t, nil
}

// PendingTOTP returns the unconfirmed secret of an enrolment under way, or records secret as
// one. A user with a confirmed factor gets ErrConflict.
func (db *DB) PendingTOTP(ctx context.Context, userID int64, secret string) (string, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("store: totp: %w", err)
	}
	defer tx.Rollback()
	var have string
	var confirmed sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT secret, confirmed_at FROM user_totp WHERE user_id = ?`, userID).Scan(&have, &confirmed)
	switch {
	case err == nil && confirmed.Valid:
		return "", Errorf(KindConflict, "An authenticator app is already set up.")
	case err == nil:
		return have, tx.Commit()
	case !errors.Is(err, sql.ErrNoRows):
		return "", fmt.Errorf("store: totp: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO user_totp (user_id, secret, created_at) VALUES (?, ?, ?)`, userID, secret, db.now()); err != nil {
		return "", fmt.Errorf("store: totp: %w", err)
	}
	return secret, tx.Commit()
}

// ConfirmTOTP completes an enrolment with the step of the first good code, stores the recovery
// codes' hashes in place of any older ones, and audits it.
func (db *DB) ConfirmTOTP(ctx context.Context, userID int64, step int64, codeHashes []string) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: totp: %w", err)
	}
	defer tx.Rollback()
	now := db.now()
	r, err := tx.ExecContext(ctx, `UPDATE user_totp SET confirmed_at = ?, last_step = ? WHERE user_id = ? AND confirmed_at IS NULL`, now, step, userID)
	if err != nil {
		return fmt.Errorf("store: totp: %w", err)
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return Errorf(KindConflict, "No enrolment is waiting for a code.")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_recovery_codes WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("store: recovery codes: %w", err)
	}
	for _, h := range codeHashes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_recovery_codes (user_id, code_hash) VALUES (?, ?)`, userID, h); err != nil {
			return fmt.Errorf("store: recovery codes: %w", err)
		}
	}
	name, err := usernameOf(ctx, tx, userID)
	if err != nil {
		return err
	}
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: name, ActorID: userID, Action: "user.mfa_enrol", TargetType: "user",
		TargetID: name, Details: map[string]any{"factor": "totp", "recovery_codes": len(codeHashes)}}); err != nil {
		return err
	}
	return tx.Commit()
}

// UseTOTPStep accepts the code of a 30-second step once: it reports false when that step or a
// later one was already used (a replayed code), atomically against parallel attempts.
func (db *DB) UseTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	r, err := db.write.ExecContext(ctx, `UPDATE user_totp SET last_step = ?
		WHERE user_id = ? AND confirmed_at IS NOT NULL AND last_step < ?`, step, userID, step)
	if err != nil {
		return false, fmt.Errorf("store: totp: %w", err)
	}
	n, err := r.RowsAffected()
	return n == 1, err
}

// UseRecoveryCode spends one unused recovery code and audits it. It reports whether the code
// was good and how many remain.
func (db *DB) UseRecoveryCode(ctx context.Context, userID int64, codeHash, remoteAddr string) (bool, int, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, 0, fmt.Errorf("store: recovery code: %w", err)
	}
	defer tx.Rollback()
	now := db.now()
	r, err := tx.ExecContext(ctx, `UPDATE user_recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`,
		now, userID, codeHash)
	if err != nil {
		return false, 0, fmt.Errorf("store: recovery code: %w", err)
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return false, 0, nil
	}
	var left int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID).Scan(&left); err != nil {
		return false, 0, fmt.Errorf("store: recovery code: %w", err)
	}
	name, err := usernameOf(ctx, tx, userID)
	if err != nil {
		return false, 0, err
	}
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: name, ActorID: userID, Action: "user.recovery_code", TargetType: "user",
		TargetID: name, Details: map[string]any{"remaining": left, "remote_addr": remoteAddr}}); err != nil {
		return false, 0, err
	}
	return true, left, tx.Commit()
}

// ResetMFA removes a user's authenticator and recovery codes and ends their sessions, audited:
// they must enrol again at their next sign-in when the policy covers them.
func (db *DB) ResetMFA(ctx context.Context, actor Actor, userID int64) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: reset mfa: %w", err)
	}
	defer tx.Rollback()
	name, err := usernameOf(ctx, tx, userID)
	if err != nil {
		return err
	}
	r, err := tx.ExecContext(ctx, `DELETE FROM user_totp WHERE user_id = ?`, userID)
	if err != nil {
		return fmt.Errorf("store: reset mfa: %w", err)
	}
	had, _ := r.RowsAffected()
	for _, q := range []string{`DELETE FROM user_recovery_codes WHERE user_id = ?`, `DELETE FROM login_challenges WHERE user_id = ?`,
		`DELETE FROM sessions WHERE user_id = ?`} {
		if _, err := tx.ExecContext(ctx, q, userID); err != nil {
			return fmt.Errorf("store: reset mfa: %w", err)
		}
	}
	if err := db.appendAudit(ctx, tx, db.now(), AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "user.mfa_reset", TargetType: "user",
		TargetID: name, Details: map[string]any{"had_factor": had > 0}}); err != nil {
		return err
	}
	return tx.Commit()
}

// MFAEnrolled returns the IDs of the users with a confirmed authenticator.
func (db *DB) MFAEnrolled(ctx context.Context) (map[int64]bool, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT user_id FROM user_totp WHERE confirmed_at IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("store: mfa enrolled: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: mfa enrolled: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

func usernameOf(ctx context.Context, tx *sql.Tx, userID int64) (string, error) {
	var name string
	err := tx.QueryRowContext(ctx, `SELECT username FROM users WHERE id = ?`, userID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: user %d: %w", userID, errNoSuchThing)
	}
	if err != nil {
		return "", fmt.Errorf("store: user %d: %w", userID, err)
	}
	return name, nil
}
