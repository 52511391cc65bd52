package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Errors of an SSO sign-in that the caller turns into a sentence for the person signing in.
var (
	// ErrNoRole: the provider vouched for the person, but none of their groups maps to a role.
	ErrNoRole = errors.New("no mapped group")
	// ErrDisabled: the account exists and an admin disabled it here.
	ErrDisabled = errors.New("account disabled")
)

// ssoPasswordHash is the password hash of an SSO account: not a bcrypt hash, so no password matches.
const ssoPasswordHash = "!sso"

// SSOSignIn is what the identity provider said about a person, after the ID token was verified.
type SSOSignIn struct {
	Issuer, Subject string
	// Username is the preferred name for a new account (made unique here); DisplayName is refreshed
	// at every sign-in.
	Username, DisplayName string
	// Groups are the role claim's values as received; Roles are those mapped to our roles.
	Groups, Roles []string
	RemoteAddr    string
}

// Identity is the provider identity of an SSO account.
type Identity struct {
	UserID          int64
	Issuer, Subject string
}

// SignInSSO finds or creates the account of (issuer, subject) and sets its roles to the mapped
// ones, all in one transaction with its audit entries. Someone with no mapped role gets no account
// (ErrNoRole); an existing account that lost every role keeps no role and no session. A disabled
// account is refused with ErrDisabled. The sign-in itself is audited by the caller once the session exists.
func (db *DB) SignInSSO(ctx context.Context, in SSOSignIn) (User, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return User{}, fmt.Errorf("store: sso sign-in: %w", err)
	}
	defer tx.Rollback()
	now := db.now()
	seen := map[string]any{"issuer": in.Issuer, "subject": in.Subject, "groups": ssoList(in.Groups), "remote_addr": in.RemoteAddr}
	refuse := func(name string, reason error) (User, error) {
		d := map[string]any{"reason": reason.Error()}
		for k, v := range seen {
			d[k] = v
		}
		if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: "anonymous", Action: "login.sso_refused", TargetType: "user",
			TargetID: name, Details: d}); err != nil {
			return User{}, err
		}
		if err := tx.Commit(); err != nil {
			return User{}, fmt.Errorf("store: sso sign-in: %w", err)
		}
		return User{}, reason
	}
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT user_id FROM user_identities WHERE issuer = ? AND subject = ?`, in.Issuer, in.Subject).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if len(in.Roles) == 0 {
			return refuse(in.Username, ErrNoRole)
		}
		name, err := freeUsername(ctx, tx, in.Username, in.Subject)
		if err != nil {
			return User{}, err
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO users (username, display_name, password_hash, roles, password_changed_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, name, in.DisplayName, ssoPasswordHash, strings.Join(in.Roles, ","), now, now)
		if err != nil {
			return User{}, fmt.Errorf("store: create sso user: %w", err)
		}
		id, _ = r.LastInsertId()
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_identities (issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?)`,
			in.Issuer, in.Subject, id, now); err != nil {
			return User{}, fmt.Errorf("store: create sso identity: %w", err)
		}
		d := map[string]any{"roles": in.Roles, "source": "sso"}
		for k, v := range seen {
			d[k] = v
		}
		if d["row"], err = bindRow(ctx, tx, "users", id); err != nil { // audit_bind.go
			return User{}, err
		}
		if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: SystemActor.Name, Action: "user.create", TargetType: "user",
			TargetID: name, Details: d}); err != nil {
			return User{}, err
		}
	case err != nil:
		return User{}, fmt.Errorf("store: sso sign-in: %w", err)
	default:
		u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
		if err != nil {
			return User{}, fmt.Errorf("store: sso sign-in: %w", err)
		}
		if u.Disabled {
			return refuse(u.Username, ErrDisabled)
		}
		if !slices.Equal(u.Roles, in.Roles) {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET roles = ? WHERE id = ?`, strings.Join(in.Roles, ","), id); err != nil {
				return User{}, fmt.Errorf("store: sso roles: %w", err)
			}
			d := map[string]any{"roles_before": ssoList(u.Roles), "roles": ssoList(in.Roles), "source": "sso"}
			for k, v := range seen {
				d[k] = v
			}
			if d["row"], err = bindRow(ctx, tx, "users", id); err != nil { // audit_bind.go
				return User{}, err
			}
			if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: SystemActor.Name, Action: "user.update", TargetType: "user",
				TargetID: u.Username, Details: d}); err != nil {
				return User{}, err
			}
		}
		if len(in.Roles) == 0 {
			// Removed from every group: whatever sessions they still have end with the roles.
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
				return User{}, fmt.Errorf("store: end sessions: %w", err)
			}
			return refuse(u.Username, ErrNoRole)
		}
		if in.DisplayName != "" && in.DisplayName != u.DisplayName {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET display_name = ? WHERE id = ?`, in.DisplayName, id); err != nil {
				return User{}, fmt.Errorf("store: sso name: %w", err)
			}
		}
	}
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return User{}, fmt.Errorf("store: sso sign-in: %w", err)
	}
	return u, tx.Commit()
}

// freeUsername picks the account name for a new SSO user: the provider's name cleaned to the
// characters a username allows, with -2, -3… when another account holds it (never linking to it).
func freeUsername(ctx context.Context, tx *sql.Tx, want, subject string) (string, error) {
	var b strings.Builder
	for _, r := range want {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' || r == '@' {
			b.WriteRune(r)
		}
	}
	base := b.String()
	if len(base) > 56 {
		base = base[:56]
	}
	if len(base) < 2 {
		base = "sso-" + strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, subject)
		if len(base) > 20 {
			base = base[:20]
		}
	}
	for i := 1; i < 1000; i++ {
		name := base
		if i > 1 {
			name = base + "-" + strconv.Itoa(i)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE username = ?`, name).Scan(&n); err != nil {
			return "", fmt.Errorf("store: sso username: %w", err)
		}
		if n == 0 {
			return name, nil
		}
	}
	return "", fmt.Errorf("%w: no free username for %q", ErrConflict, want)
}

// Identities returns the provider identity of every SSO account, by user ID.
func (db *DB) Identities(ctx context.Context) (map[int64]Identity, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT user_id, issuer, subject FROM user_identities`)
	if err != nil {
		return nil, fmt.Errorf("store: identities: %w", err)
	}
	defer rows.Close()
	out := map[int64]Identity{}
	for rows.Next() {
		var i Identity
		if err := rows.Scan(&i.UserID, &i.Issuer, &i.Subject); err != nil {
			return nil, fmt.Errorf("store: identities: %w", err)
		}
		out[i.UserID] = i
	}
	return out, rows.Err()
}

// IsSSOUser reports whether the account signs in only through the identity provider.
func (db *DB) IsSSOUser(ctx context.Context, userID int64) (bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_identities WHERE user_id = ?`, userID).Scan(&n); err != nil {
		return false, fmt.Errorf("store: sso user: %w", err)
	}
	return n > 0, nil
}

// OIDCLogin is one sign-in started at the provider, waiting for the browser to come back.
type OIDCLogin struct {
	StateHash, BrowserHash string
	Nonce, Verifier, Next  string
	CreatedAt              time.Time
}

// StartOIDCLogin records a sign-in sent to the provider, and forgets those older than maxAge.
func (db *DB) StartOIDCLogin(ctx context.Context, l OIDCLogin, maxAge time.Duration) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: oidc login: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM oidc_logins WHERE created_at < ?`, FormatTime(db.Now().Add(-maxAge))); err != nil {
		return fmt.Errorf("store: oidc login: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO oidc_logins (state_hash, browser_hash, nonce, verifier, next, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, l.StateHash, l.BrowserHash, l.Nonce, l.Verifier, l.Next, db.now()); err != nil {
		return fmt.Errorf("store: oidc login: %w", err)
	}
	return tx.Commit()
}

// TakeOIDCLogin returns and deletes the sign-in of a state: each state is good for one return only.
// An unknown (tampered or already used) state is ErrNotFound.
func (db *DB) TakeOIDCLogin(ctx context.Context, stateHash string) (OIDCLogin, error) {
	l := OIDCLogin{StateHash: stateHash}
	var created string
	err := db.write.QueryRowContext(ctx, `DELETE FROM oidc_logins WHERE state_hash = ?
		RETURNING browser_hash, nonce, verifier, next, created_at`, stateHash).Scan(&l.BrowserHash, &l.Nonce, &l.Verifier, &l.Next, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return OIDCLogin{}, fmt.Errorf("store: oidc login: %w", errNoSuchThing)
	}
	if err != nil {
		return OIDCLogin{}, fmt.Errorf("store: oidc login: %w", err)
	}
	l.CreatedAt = ParseTime(created)
	return l, nil
}

func ssoList(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
