package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Roles a user can hold. A user may hold several.
const (
	RoleReviewer   = "reviewer"
	RoleSupervisor = "supervisor"
	RoleAdmin      = "admin"
	RoleAuditor    = "auditor"
)

// AllRoles lists every role in display order.
var AllRoles = []string{RoleReviewer, RoleSupervisor, RoleAdmin, RoleAuditor}

// User is a staff account.
type User struct {
	ID           int64
	Username     string
	DisplayName  string
	PasswordHash string
	Roles        []string
	Disabled     bool
	FailedLogins int
	LockedUntil  time.Time // zero when not locked
	CreatedAt    time.Time
}

// Has reports whether the user holds role.
func (u User) Has(role string) bool { return slices.Contains(u.Roles, role) }

// Name is the display name, or the username when there is none.
func (u User) Name() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// ParseRoles splits "reviewer,supervisor" into validated roles.
func ParseRoles(s string) ([]string, error) {
	var out []string
	for _, r := range strings.Split(s, ",") {
		r = strings.ToLower(strings.TrimSpace(r))
		if r == "" {
			continue
		}
		if !slices.Contains(AllRoles, r) {
			return nil, Errorf(KindInvalid, "unknown role %q (roles: %s)", r, strings.Join(AllRoles, ", "))
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, Errorf(KindInvalid, "at least one role is required (roles: %s)", strings.Join(AllRoles, ", "))
	}
	return out, nil
}

// ValidUsername reports whether name is an acceptable username.
func ValidUsername(name string) bool {
	if len(name) < 2 || len(name) > 64 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' || r == '@') {
			return false
		}
	}
	return true
}

const userColumns = `id, username, display_name, password_hash, roles, disabled, failed_logins, COALESCE(locked_until, ''), created_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var roles, locked, created string
	if err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &roles, &u.Disabled, &u.FailedLogins, &locked, &created); err != nil {
		return User{}, err
	}
	for _, r := range strings.Split(roles, ",") {
		if r != "" {
			u.Roles = append(u.Roles, r)
		}
	}
	if locked != "" {
		u.LockedUntil = ParseTime(locked)
	}
	u.CreatedAt = ParseTime(created)
	return u, nil
}

// CreateUser adds an account and its audit entry in one transaction.
func (db *DB) CreateUser(ctx context.Context, actor Actor, username, displayName, passwordHash string, roles []string) (User, error) {
	if !ValidUsername(username) {
		return User{}, Errorf(KindInvalid, "a username is 2-64 letters, digits or . _ - @")
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return User{}, fmt.Errorf("store: create user: %w", err)
	}
	defer tx.Rollback()
	now := db.now()
	// A grant of reviewer or supervisor may wait for a second admin (role_grants.go).
	given, pending, err := db.splitGrant(ctx, tx, actor, nil, roles)
	if err != nil {
		return User{}, err
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO users (username, display_name, password_hash, roles, password_changed_at, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, username, displayName, passwordHash, strings.Join(given, ","), now, now, nullID(actor.ID))
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return User{}, Errorf(KindConflict, "the username %q is taken", username)
		}
		return User{}, fmt.Errorf("store: create user: %w", err)
	}
	id, _ := r.LastInsertId()
	row, err := bindRow(ctx, tx, "users", id)
	if err != nil {
		return User{}, err
	}
	details := map[string]any{"roles": given, "row": row}
	if pending != nil {
		grant, err := recordGrant(ctx, tx, actor, id, pending, now)
		if err != nil {
			return User{}, err
		}
		details["grant"], details["grant_roles"] = grant, pending
	}
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "user.create",
		TargetType: "user", TargetID: username, Details: details}); err != nil {
		return User{}, err
	}
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return User{}, fmt.Errorf("store: create user: %w", err)
	}
	return u, tx.Commit()
}

// UserByID returns one user.
func (db *DB) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("store: user %d: %w", id, errNoSuchThing)
	}
	return u, err
}

// UserByUsername returns one user by name (case-insensitive).
func (db *DB) UserByUsername(ctx context.Context, username string) (User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, username))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("store: user %q: %w", username, errNoSuchThing)
	}
	return u, err
}

// ListUsers returns every account ordered by username.
func (db *DB) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountUsers returns how many accounts exist.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// UserChange is one change to an account; nil fields are left as they are.
type UserChange struct {
	PasswordHash *string
	Roles        []string
	Disabled     *bool
	DisplayName  *string
}

// UpdateUser applies a change, ends the user's sessions when access shrinks, and audits it.
func (db *DB) UpdateUser(ctx context.Context, actor Actor, id int64, ch UserChange) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: update user: %w", err)
	}
	defer tx.Rollback()
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: update user %d: %w", id, errNoSuchThing)
	}
	if err != nil {
		return fmt.Errorf("store: update user: %w", err)
	}
	adminsBefore, err := countEnabledAdmins(ctx, tx)
	if err != nil {
		return err
	}
	now := db.now()
	details := map[string]any{}
	endSessions := false
	if ch.PasswordHash != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, password_changed_at = ?, failed_logins = 0, locked_until = NULL WHERE id = ?`,
			*ch.PasswordHash, now, id); err != nil {
			return fmt.Errorf("store: set password: %w", err)
		}
		// A reset also lifts a lock on the name (login_guard.go).
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_guard WHERE name = lower(?)`, u.Username); err != nil {
			return fmt.Errorf("store: set password: %w", err)
		}
		details["password"] = "reset"
		endSessions = true
	}
	if ch.Roles != nil {
		// Roles taken away go at once; a grant of reviewer or supervisor may wait for a second admin.
		given, pending, err := db.splitGrant(ctx, tx, actor, u.Roles, ch.Roles)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET roles = ?, roles_changed_by = ?, roles_approved_by = NULL WHERE id = ?`,
			strings.Join(given, ","), nullID(actor.ID), id); err != nil {
			return fmt.Errorf("store: set roles: %w", err)
		}
		grant, err := recordGrant(ctx, tx, actor, id, pending, now)
		if err != nil {
			return err
		}
		details["roles_before"] = u.Roles
		details["roles"] = given
		if grant != 0 {
			details["grant"], details["grant_roles"] = grant, pending
		}
	}
	if ch.Disabled != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = ? WHERE id = ?`, *ch.Disabled, id); err != nil {
			return fmt.Errorf("store: set disabled: %w", err)
		}
		details["disabled"] = *ch.Disabled
		endSessions = endSessions || *ch.Disabled
	}
	if ch.DisplayName != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET display_name = ? WHERE id = ?`, *ch.DisplayName, id); err != nil {
			return fmt.Errorf("store: set name: %w", err)
		}
		details["display_name"] = *ch.DisplayName
	}
	// The desk must keep at least one enabled admin, whoever asks and however changes interleave.
	after, err := countEnabledAdmins(ctx, tx)
	if err != nil {
		return err
	}
	if adminsBefore > 0 && after == 0 {
		return Errorf(KindConflict, "this change would leave no enabled admin; enable or create another admin first")
	}
	if ch.Disabled != nil && *ch.Disabled {
		// A disabled user's claims would block their cases until they expire: release them now.
		r, err := tx.ExecContext(ctx, `UPDATE cases SET claimed_by = NULL, claimed_at = NULL, claim_touched_at = NULL
			WHERE claimed_by = ?`, id)
		if err != nil {
			return fmt.Errorf("store: release claims: %w", err)
		}
		if n, _ := r.RowsAffected(); n > 0 {
			details["claims_released"] = n
		}
	}
	if endSessions {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return fmt.Errorf("store: end sessions: %w", err)
		}
		// A sign-in waiting for its second factor ends too: its password may be the old one.
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_challenges WHERE user_id = ?`, id); err != nil {
			return fmt.Errorf("store: end sign-ins: %w", err)
		}
	}
	if details["row"], err = bindRow(ctx, tx, "users", id); err != nil {
		return err
	}
	action := "user.update"
	if ch.Disabled != nil && ch.PasswordHash == nil && ch.Roles == nil && ch.DisplayName == nil {
		action = map[bool]string{true: "user.disable", false: "user.enable"}[*ch.Disabled]
	}
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: action,
		TargetType: "user", TargetID: u.Username, Details: details}); err != nil {
		return err
	}
	return tx.Commit()
}

func countEnabledAdmins(ctx context.Context, tx *sql.Tx) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE disabled = 0
		AND (',' || roles || ',') LIKE '%,admin,%'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count admins: %w", err)
	}
	return n, nil
}
