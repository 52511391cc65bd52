package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Endpoint is a bank system that receives events.
type Endpoint struct {
	ID             int64
	URL            string
	Events         []string
	Secret         string
	OldSecret      string    // signs beside Secret until OldSecretUntil, after a rotation
	OldSecretUntil time.Time // zero: no old secret
	Enabled        bool
	DisabledReason string
	DisabledAt     time.Time
	FailingSince   time.Time // zero when the last attempt succeeded (or none failed)
	LastSuccessAt  time.Time
	CreatedAt      time.Time
	CreatedBy      string
	Pending        int // messages waiting to be delivered
}

// Subscribes reports whether the endpoint receives events of type typ.
func (e Endpoint) Subscribes(typ string) bool {
	for _, t := range e.Events {
		if t == typ {
			return true
		}
	}
	return false
}

// Secrets are the secrets that sign a message sent at now: the current one, and the old one
// during its grace period.
func (e Endpoint) Secrets(now time.Time) []string {
	s := []string{e.Secret}
	if e.OldSecret != "" && now.Before(e.OldSecretUntil) {
		s = append(s, e.OldSecret)
	}
	return s
}

const endpointColumns = `e.id, e.url, e.events, e.secret, e.old_secret, e.old_secret_until, e.enabled, e.disabled_reason,
	e.disabled_at, e.failing_since, e.last_success_at, e.created_at, e.created_by,
	(SELECT COUNT(*) FROM webhook_messages m WHERE m.endpoint_id = e.id AND m.state = 'pending')`

func scanEndpoint(row interface{ Scan(...any) error }) (Endpoint, error) {
	var e Endpoint
	var events, oldUntil, disabledAt, failing, success, created string
	if err := row.Scan(&e.ID, &e.URL, &events, &e.Secret, &e.OldSecret, &oldUntil, &e.Enabled, &e.DisabledReason,
		&disabledAt, &failing, &success, &created, &e.CreatedBy, &e.Pending); err != nil {
		return e, err
	}
	for _, t := range strings.Split(events, ",") {
		if t != "" {
			e.Events = append(e.Events, t)
		}
	}
	e.OldSecretUntil, e.DisabledAt, e.FailingSince = ParseTime(oldUntil), ParseTime(disabledAt), ParseTime(failing)
	e.LastSuccessAt, e.CreatedAt = ParseTime(success), ParseTime(created)
	return e, nil
}

// CheckEndpointURL says what is wrong with an endpoint address, or nil.
func CheckEndpointURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalidField("url", "Give the full address of the receiver, starting with https:// (or http:// inside your network).")
	}
	if u.User != nil {
		return invalidField("url", "Leave user names and passwords out of the address: the signature authenticates each message.")
	}
	if len(raw) > 2000 {
		return invalidField("url", "Keep the address under 2000 characters.")
	}
	return nil
}

// CreateEndpoint adds an endpoint that receives the given event types (none: the default set),
// signed with secret. The secret never goes into the audit log.
func (db *DB) CreateEndpoint(ctx context.Context, actor Actor, rawURL string, types []string, secret string) (Endpoint, error) {
	if err := CheckEndpointURL(rawURL); err != nil {
		return Endpoint{}, err
	}
	types, err := normalizeEventTypes(types)
	if err != nil {
		return Endpoint{}, err
	}
	if !strings.HasPrefix(secret, "whsec_") {
		return Endpoint{}, Errorf(KindInvalid, "The signing secret must start with whsec_.")
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return Endpoint{}, fmt.Errorf("store: create endpoint: %w", err)
	}
	defer tx.Rollback()
	now := db.now()
	u := strings.TrimSpace(rawURL)
	r, err := tx.ExecContext(ctx, `INSERT INTO webhook_endpoints (url, events, secret, created_at, created_by) VALUES (?, ?, ?, ?, ?)`,
		u, ","+strings.Join(types, ",")+",", secret, now, actor.Name)
	if err != nil {
		return Endpoint{}, fmt.Errorf("store: create endpoint: %w", err)
	}
	id, _ := r.LastInsertId()
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "webhook.endpoint.add",
		TargetType: "endpoint", TargetID: fmt.Sprint(id), Details: map[string]any{"url": u, "events": types}}); err != nil {
		return Endpoint{}, err
	}
	if err := commit(tx, "create endpoint"); err != nil {
		return Endpoint{}, err
	}
	return db.EndpointByID(ctx, id)
}

// EndpointByID returns one endpoint.
func (db *DB) EndpointByID(ctx context.Context, id int64) (Endpoint, error) {
	e, err := scanEndpoint(db.read.QueryRowContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints e WHERE e.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("store: endpoint %d: %w", id, errNoSuchThing)
	}
	if err != nil {
		return e, fmt.Errorf("store: endpoint %d: %w", id, err)
	}
	return e, nil
}

// Endpoints lists every endpoint, oldest first.
func (db *DB) Endpoints(ctx context.Context) ([]Endpoint, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints e ORDER BY e.id`)
	if err != nil {
		return nil, fmt.Errorf("store: endpoints: %w", err)
	}
	defer rows.Close()
	var out []Endpoint
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("store: endpoints: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// endpointChange runs fn on the endpoint inside a transaction and audits action with details.
func (db *DB) endpointChange(ctx context.Context, actor Actor, id int64, action string, details map[string]any,
	fn func(tx *sql.Tx, e Endpoint, now string) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %s: %w", action, err)
	}
	defer tx.Rollback()
	e, err := scanEndpoint(tx.QueryRowContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints e WHERE e.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: endpoint %d: %w", id, errNoSuchThing)
	}
	if err != nil {
		return fmt.Errorf("store: %s: %w", action, err)
	}
	now := db.now()
	if err := fn(tx, e, now); err != nil {
		return err
	}
	if details == nil {
		details = map[string]any{}
	}
	details["url"] = e.URL
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: action,
		TargetType: "endpoint", TargetID: fmt.Sprint(id), Details: details}); err != nil {
		return err
	}
	return db.commitEvents(tx, action)
}

// SetEndpointEnabled turns an endpoint on or off. Enabling it clears the failure record, so the
// failing period starts again; its pending messages are then delivered.
func (db *DB) SetEndpointEnabled(ctx context.Context, actor Actor, id int64, enabled bool, reason string) error {
	action := "webhook.endpoint.disable"
	if enabled {
		action = "webhook.endpoint.enable"
	}
	var details map[string]any
	if reason != "" {
		details = map[string]any{"reason": reason}
	}
	return db.endpointChange(ctx, actor, id, action, details, func(tx *sql.Tx, e Endpoint, now string) error {
		var err error
		if enabled {
			_, err = tx.ExecContext(ctx, `UPDATE webhook_endpoints SET enabled = 1, disabled_reason = '', disabled_at = '',
				failing_since = '' WHERE id = ?`, id)
		} else {
			if reason == "" {
				reason = "Disabled by " + actor.Name + "."
			}
			_, err = tx.ExecContext(ctx, `UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ?, disabled_at = ? WHERE id = ?`,
				reason, now, id)
		}
		if err != nil {
			return fmt.Errorf("store: %s: %w", action, err)
		}
		return nil
	})
}

// RotateEndpointSecret makes secret the endpoint's signing secret; the one it replaces keeps
// signing beside it for grace, so the receiver can switch over without losing a message.
func (db *DB) RotateEndpointSecret(ctx context.Context, actor Actor, id int64, secret string, grace time.Duration) error {
	if !strings.HasPrefix(secret, "whsec_") {
		return Errorf(KindInvalid, "The signing secret must start with whsec_.")
	}
	if grace < 0 || grace > 30*24*time.Hour {
		return invalidField("grace", "The old secret can keep signing for up to 30 days.")
	}
	return db.endpointChange(ctx, actor, id, "webhook.endpoint.rotate", map[string]any{"grace": grace.String()},
		func(tx *sql.Tx, e Endpoint, now string) error {
			until := FormatTime(db.Now().Add(grace))
			old := e.Secret
			if grace == 0 {
				old, until = "", ""
			}
			if _, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET secret = ?, old_secret = ?, old_secret_until = ? WHERE id = ?`,
				secret, old, until, id); err != nil {
				return fmt.Errorf("store: rotate: %w", err)
			}
			return nil
		})
}

// SendTestEvent queues a kycdesk.test event for this endpoint only and returns its webhook-id.
func (db *DB) SendTestEvent(ctx context.Context, actor Actor, id int64) (string, error) {
	var msgID string
	err := db.endpointChange(ctx, actor, id, "webhook.endpoint.test", nil, func(tx *sql.Tx, e Endpoint, now string) error {
		data, err := json.Marshal(EventData{Ref: "test", Note: "A test event sent by " + actor.Name + "."})
		if err != nil {
			return err
		}
		eid, err := insertEvent(ctx, tx, now, EventTest, 0, string(data), id)
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT msg_id FROM events WHERE id = ?`, eid).Scan(&msgID)
	})
	return msgID, err
}

// ReplayMessage sends a message's event to its endpoint again, with the same webhook-id.
func (db *DB) ReplayMessage(ctx context.Context, actor Actor, endpointID, messageID int64) error {
	return db.endpointChange(ctx, actor, endpointID, "webhook.replay", map[string]any{"message": messageID},
		func(tx *sql.Tx, e Endpoint, now string) error {
			r, err := tx.ExecContext(ctx, `INSERT INTO webhook_messages (endpoint_id, event_id, case_id, trigger, next_attempt_at, created_at)
				SELECT endpoint_id, event_id, case_id, 'replay', ?, ? FROM webhook_messages WHERE id = ? AND endpoint_id = ?`,
				now, now, messageID, endpointID)
			if err != nil {
				return fmt.Errorf("store: replay: %w", err)
			}
			if n, _ := r.RowsAffected(); n == 0 {
				return fmt.Errorf("store: replay message %d: %w", messageID, errNoSuchThing)
			}
			return nil
		})
}

// ReplayRange sends again every event of the endpoint's types that happened in [from, to), in
// order, with their original webhook-ids. It also reaches events from while the endpoint was
// disabled. It returns how many were queued.
func (db *DB) ReplayRange(ctx context.Context, actor Actor, endpointID int64, from, to time.Time) (int, error) {
	if !to.After(from) {
		return 0, invalidField("to", "The end of the range must come after its start.")
	}
	var n int64
	err := db.endpointChange(ctx, actor, endpointID, "webhook.replay_range",
		map[string]any{"from": FormatTime(from), "to": FormatTime(to)},
		func(tx *sql.Tx, e Endpoint, now string) error {
			r, err := tx.ExecContext(ctx, `INSERT INTO webhook_messages (endpoint_id, event_id, case_id, trigger, next_attempt_at, created_at)
				SELECT ?, v.id, v.case_id, 'replay', ?, ? FROM events v, webhook_endpoints e
				WHERE e.id = ? AND v.at >= ? AND v.at < ? AND instr(e.events, ',' || v.type || ',') > 0 ORDER BY v.id`,
				endpointID, now, now, endpointID, FormatTime(from), FormatTime(to))
			if err != nil {
				return fmt.Errorf("store: replay range: %w", err)
			}
			n, _ = r.RowsAffected()
			return nil
		})
	return int(n), err
}
