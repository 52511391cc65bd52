package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// API scopes a token can hold.
const (
	ScopeDecisionsRead = "decisions:read"
	ScopeCasesRead     = "cases:read"
)

// APIScopes are every scope, in the order pages list them.
var APIScopes = []string{ScopeDecisionsRead, ScopeCasesRead}

// APIToken is a credential for the read API. Only its hash is stored.
type APIToken struct {
	ID         int64
	Name       string
	Hint       string // the token's first characters
	Scopes     []string
	CreatedAt  time.Time
	CreatedBy  string
	RevokedAt  time.Time // zero while active
	LastUsedAt time.Time
	Uses       int64
}

// Has reports whether the token holds scope.
func (t APIToken) Has(scope string) bool { return slices.Contains(t.Scopes, scope) }

// Active reports whether the token has not been revoked.
func (t APIToken) Active() bool { return t.RevokedAt.IsZero() }

// HashToken is how a token is kept at rest: its SHA-256. Tokens are 32 random bytes, so a fast
// hash is enough; nothing can be guessed from it.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ParseScopes checks a comma-separated scope list.
func ParseScopes(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" || slices.Contains(out, p) {
			continue
		}
		if !slices.Contains(APIScopes, p) {
			return nil, invalidField("scope", fmt.Sprintf("%q is not a scope; choose from %s.", p, strings.Join(APIScopes, ", ")))
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, invalidField("scope", "Give the token at least one scope: "+strings.Join(APIScopes, ", ")+".")
	}
	return out, nil
}

const tokenColumns = `id, name, hint, scopes, created_at, created_by, revoked_at, last_used_at, uses`

func scanToken(row interface{ Scan(...any) error }) (APIToken, error) {
	var t APIToken
	var scopes, created, revoked, used string
	if err := row.Scan(&t.ID, &t.Name, &t.Hint, &scopes, &created, &t.CreatedBy, &revoked, &used, &t.Uses); err != nil {
		return t, err
	}
	t.Scopes = strings.Split(scopes, ",")
	t.CreatedAt, t.RevokedAt, t.LastUsedAt = ParseTime(created), ParseTime(revoked), ParseTime(used)
	return t, nil
}

// CreateToken stores a new token's hash under name, with scopes, and audits it.
func (db *DB) CreateToken(ctx context.Context, actor Actor, name, token string, scopes []string) (APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 80 {
		return APIToken{}, invalidField("name", "Name the token after the system that uses it (at most 80 characters).")
	}
	scopes, err := ParseScopes(strings.Join(scopes, ","))
	if err != nil {
		return APIToken{}, err
	}
	if len(token) < 32 {
		return APIToken{}, Errorf(KindInvalid, "The token is too short.")
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return APIToken{}, fmt.Errorf("store: create token: %w", err)
	}
	defer tx.Rollback()
	now := db.now()
	r, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (name, hash, hint, scopes, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)`,
		name, HashToken(token), token[:8], strings.Join(scopes, ","), now, actor.Name)
	if err != nil {
		return APIToken{}, fmt.Errorf("store: create token: %w", err)
	}
	id, _ := r.LastInsertId()
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "api.token.add",
		TargetType: "token", TargetID: fmt.Sprint(id), Details: map[string]any{"name": name, "scopes": scopes}}); err != nil {
		return APIToken{}, err
	}
	if err := commit(tx, "create token"); err != nil {
		return APIToken{}, err
	}
	return db.TokenByID(ctx, id)
}

// TokenByID returns one token.
func (db *DB) TokenByID(ctx context.Context, id int64) (APIToken, error) {
	t, err := scanToken(db.read.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("store: token %d: %w", id, errNoSuchThing)
	}
	if err != nil {
		return t, fmt.Errorf("store: token %d: %w", id, err)
	}
	return t, nil
}

// Tokens lists every token, newest first.
func (db *DB) Tokens(ctx context.Context) ([]APIToken, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("store: tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken ends a token for good and audits it.
func (db *DB) RevokeToken(ctx context.Context, actor Actor, id int64) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	defer tx.Rollback()
	now := db.now()
	var name string
	err = tx.QueryRowContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = '' RETURNING name`, now, id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: revoke token %d: %w", id, errNoSuchThing)
	}
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "api.token.revoke",
		TargetType: "token", TargetID: fmt.Sprint(id), Details: map[string]any{"name": name}}); err != nil {
		return err
	}
	return commit(tx, "revoke token")
}

// UseToken finds the active token with this value and counts the use. An unknown or revoked
// token is ErrNotFound.
func (db *DB) UseToken(ctx context.Context, token string) (APIToken, error) {
	t, err := scanToken(db.write.QueryRowContext(ctx, `UPDATE api_tokens SET uses = uses + 1, last_used_at = ?
		WHERE hash = ? AND revoked_at = '' RETURNING `+tokenColumns, db.now(), HashToken(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("store: token: %w", errNoSuchThing)
	}
	if err != nil {
		return t, fmt.Errorf("store: token: %w", err)
	}
	return t, nil
}
