package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session is a signed-in browser.
type Session struct {
	ID         string
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// CreateSession records a new session for a user.
func (db *DB) CreateSession(ctx context.Context, id string, userID int64, remoteAddr, userAgent string) error {
	now := db.now()
	_, err := db.write.ExecContext(ctx, `INSERT INTO sessions (id, user_id, created_at, last_seen_at, remote_addr, user_agent)
		VALUES (?, ?, ?, ?, ?, ?)`, id, userID, now, now, remoteAddr, userAgent)
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// SessionByID returns a session.
func (db *DB) SessionByID(ctx context.Context, id string) (Session, error) {
	var s Session
	var created, seen string
	err := db.read.QueryRowContext(ctx, `SELECT id, user_id, created_at, last_seen_at FROM sessions WHERE id = ?`, id).
		Scan(&s.ID, &s.UserID, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fmt.Errorf("store: session: %w", errNoSuchThing)
	}
	if err != nil {
		return Session{}, fmt.Errorf("store: session: %w", err)
	}
	s.CreatedAt, s.LastSeenAt = ParseTime(created), ParseTime(seen)
	return s, nil
}

// TouchSession moves a session's last-seen time to now.
func (db *DB) TouchSession(ctx context.Context, id string) error {
	_, err := db.write.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, db.now(), id)
	if err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}
