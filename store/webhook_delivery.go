package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Delivery triggers: why an attempt was made.
const (
	TriggerScheduled = "scheduled" // the event itself, and its retries
	TriggerManual    = "manual"    // a test event an admin sent
	TriggerReplay    = "replay"    // an admin sent it again
)

// Attempt results.
const (
	AttemptDelivered = "delivered" // a 2xx in time
	AttemptFailed    = "failed"    // any other answer, or the connection failed
	AttemptRefused   = "refused"   // the address guard refused the destination
	AttemptTimeout   = "timeout"   // no complete answer within the time-out
)

// OutboundMessage is one event due for delivery to one endpoint.
type OutboundMessage struct {
	ID       int64
	Trigger  string
	Attempts int // failed attempts so far
	Endpoint Endpoint
	Event    Event
}

// DueMessages returns up to limit messages due at now to enabled endpoints, oldest due first.
// Only the first undelivered message of each case per endpoint is due, so a case's events arrive
// in sequence order. skip lists messages already being sent.
func (db *DB) DueMessages(ctx context.Context, now time.Time, skip map[int64]bool, limit int) ([]OutboundMessage, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT m.id, m.trigger, m.attempts, `+endpointColumns+`,
		v.id, v.msg_id, v.type, COALESCE(v.case_id, 0), v.at, v.data
		FROM webhook_messages m
		JOIN webhook_endpoints e ON e.id = m.endpoint_id
		JOIN events v ON v.id = m.event_id
		WHERE m.state = 'pending' AND m.next_attempt_at <= ? AND e.enabled = 1
		AND (m.case_id IS NULL OR NOT EXISTS (SELECT 1 FROM webhook_messages p
			WHERE p.state = 'pending' AND p.endpoint_id = m.endpoint_id AND p.case_id = m.case_id
			AND (p.event_id < m.event_id OR p.event_id = m.event_id AND p.id < m.id)))
		ORDER BY m.next_attempt_at, m.id LIMIT ?`, FormatTime(now), limit+len(skip))
	if err != nil {
		return nil, fmt.Errorf("store: due messages: %w", err)
	}
	defer rows.Close()
	var out []OutboundMessage
	for rows.Next() {
		var m OutboundMessage
		var e Endpoint
		var events, oldUntil, disabledAt, failing, success, created string
		var v Event
		var at, data string
		if err := rows.Scan(&m.ID, &m.Trigger, &m.Attempts, &e.ID, &e.URL, &events, &e.Secret, &e.OldSecret, &oldUntil,
			&e.Enabled, &e.DisabledReason, &disabledAt, &failing, &success, &created, &e.CreatedBy, &e.Pending,
			&v.ID, &v.MsgID, &v.Type, &v.CaseID, &at, &data); err != nil {
			return nil, fmt.Errorf("store: due messages: %w", err)
		}
		if skip[m.ID] || len(out) >= limit {
			continue
		}
		e.OldSecretUntil, e.FailingSince = ParseTime(oldUntil), ParseTime(failing)
		e.Events = strings.Split(strings.Trim(events, ","), ",")
		m.Endpoint = e
		if err := decodeEvent(&v, at, data); err != nil {
			return nil, fmt.Errorf("store: due messages: %w", err)
		}
		m.Event = v
		out = append(out, m)
	}
	return out, rows.Err()
}

// Attempt is the result of one try at delivering a message, and what should happen next.
type Attempt struct {
	MessageID  int64
	EndpointID int64
	At         time.Time
	Trigger    string
	Result     string // AttemptDelivered, AttemptFailed…
	StatusCode int
	Response   string // at most the first 2 KB of the body
	Error      string
	Duration   time.Duration
	// Next is when to try again after a failure; GiveUp ends the message as failed instead.
	Next   time.Time
	GiveUp bool
	// Disable, when set, disables the endpoint with this sentence as the reason (a 410).
	Disable string
	// DisableFailingSince disables the endpoint when it has been failing since this time or
	// earlier (the configured failing period before the attempt); zero never does.
	DisableFailingSince time.Time
}

// AttemptOutcome says what recording an attempt did to the endpoint.
type AttemptOutcome struct {
	Disabled bool
	Reason   string
}

// RecordAttempt writes the attempt to the delivery log and moves the message and its endpoint on,
// in one transaction. A disabling is audited.
func (db *DB) RecordAttempt(ctx context.Context, a Attempt) (AttemptOutcome, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return AttemptOutcome{}, fmt.Errorf("store: record attempt: %w", err)
	}
	defer tx.Rollback()
	at := FormatTime(a.At)
	if len(a.Response) > 2048 {
		a.Response = a.Response[:2048]
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts
		(message_id, endpoint_id, at, trigger, result, status_code, response, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.MessageID, a.EndpointID, at, a.Trigger, a.Result, a.StatusCode, a.Response, a.Error, a.Duration.Milliseconds()); err != nil {
		return AttemptOutcome{}, fmt.Errorf("store: record attempt: %w", err)
	}
	var out AttemptOutcome
	switch {
	case a.Result == AttemptDelivered:
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_messages SET state = 'delivered', attempts = attempts + 1, finished_at = ?
			WHERE id = ?`, at, a.MessageID); err != nil {
			return out, fmt.Errorf("store: record attempt: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET failing_since = '', last_success_at = ? WHERE id = ?`,
			at, a.EndpointID); err != nil {
			return out, fmt.Errorf("store: record attempt: %w", err)
		}
	default:
		state, next := "pending", FormatTime(a.Next)
		if a.GiveUp {
			state = "failed"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_messages SET state = ?, attempts = attempts + 1, next_attempt_at = ?,
			finished_at = CASE WHEN ? = 'failed' THEN ? ELSE finished_at END WHERE id = ?`,
			state, next, state, at, a.MessageID); err != nil {
			return out, fmt.Errorf("store: record attempt: %w", err)
		}
		var since string
		if err := tx.QueryRowContext(ctx, `UPDATE webhook_endpoints SET failing_since = COALESCE(NULLIF(failing_since, ''), ?)
			WHERE id = ? RETURNING failing_since`, at, a.EndpointID).Scan(&since); err != nil {
			return out, fmt.Errorf("store: record attempt: %w", err)
		}
		reason := a.Disable
		if reason == "" && !a.DisableFailingSince.IsZero() && since <= FormatTime(a.DisableFailingSince) {
			reason = fmt.Sprintf("Every delivery has failed since %s UTC: disabled after %s of failures.",
				ParseTime(since).Format("2006-01-02 15:04"), roundDuration(a.At.Sub(ParseTime(since))))
		}
		if reason != "" {
			r, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ?, disabled_at = ?
				WHERE id = ? AND enabled = 1`, reason, at, a.EndpointID)
			if err != nil {
				return out, fmt.Errorf("store: disable endpoint: %w", err)
			}
			if n, _ := r.RowsAffected(); n > 0 {
				out = AttemptOutcome{Disabled: true, Reason: reason}
				if err := db.appendAudit(ctx, tx, at, AuditEntry{Actor: SystemActor.Name, Action: "webhook.endpoint.disable",
					TargetType: "endpoint", TargetID: fmt.Sprint(a.EndpointID),
					Details: map[string]any{"reason": reason, "status": a.StatusCode}}); err != nil {
					return out, err
				}
			}
		}
	}
	return out, commit(tx, "record attempt")
}

func roundDuration(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	}
	if d >= time.Hour {
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return d.Round(time.Second).String()
}

// OutboxStats are the figures /metrics reports about the outbox.
type OutboxStats struct {
	Pending       int
	OldestPending time.Time // zero when nothing is pending
}

// OutboxStats counts the messages waiting for delivery and finds the oldest.
func (db *DB) OutboxStats(ctx context.Context) (OutboxStats, error) {
	var s OutboxStats
	var oldest sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*), MIN(created_at) FROM webhook_messages WHERE state = 'pending'`).
		Scan(&s.Pending, &oldest)
	if err != nil {
		return s, fmt.Errorf("store: outbox stats: %w", err)
	}
	if oldest.Valid {
		s.OldestPending = ParseTime(oldest.String)
	}
	return s, nil
}

// DeliveryAttempt is one row of the delivery log.
type DeliveryAttempt struct {
	ID         int64
	At         time.Time
	Trigger    string
	Result     string
	StatusCode int
	Response   string
	Error      string
	Duration   time.Duration
}

// MessageLog is one message in an endpoint's delivery log, with its attempts, newest first.
type MessageLog struct {
	ID        int64
	EventID   int64
	MsgID     string
	Type      string
	CaseID    int64
	Ref       string
	State     string
	Trigger   string
	Attempts  []DeliveryAttempt
	CreatedAt time.Time
	NextAt    time.Time
}

// EndpointLog lists the endpoint's messages newest first, before the message ID before (0: from
// the newest), at most limit, each with its attempts. next is the cursor of the following page (0: none).
func (db *DB) EndpointLog(ctx context.Context, endpointID, before int64, limit int) (out []MessageLog, next int64, err error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := db.read.QueryContext(ctx, `SELECT m.id, v.id, v.msg_id, v.type, COALESCE(v.case_id, 0),
		COALESCE(json_extract(v.data, '$.ref'), ''), m.state, m.trigger, m.created_at, m.next_attempt_at
		FROM webhook_messages m JOIN events v ON v.id = m.event_id
		WHERE m.endpoint_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?`, endpointID, before, limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("store: endpoint log: %w", err)
	}
	defer rows.Close()
	byID := map[int64]int{}
	for rows.Next() {
		var m MessageLog
		var created, nextAt string
		if err := rows.Scan(&m.ID, &m.EventID, &m.MsgID, &m.Type, &m.CaseID, &m.Ref, &m.State, &m.Trigger, &created, &nextAt); err != nil {
			return nil, 0, fmt.Errorf("store: endpoint log: %w", err)
		}
		if len(out) == limit {
			next = out[len(out)-1].ID
			break
		}
		m.CreatedAt, m.NextAt = ParseTime(created), ParseTime(nextAt)
		byID[m.ID] = len(out)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: endpoint log: %w", err)
	}
	rows.Close()
	if len(out) == 0 {
		return nil, 0, nil
	}
	ids := make([]any, len(out))
	for i, m := range out {
		ids[i] = m.ID
	}
	arows, err := db.read.QueryContext(ctx, `SELECT message_id, id, at, trigger, result, status_code, response, error, duration_ms
		FROM webhook_attempts WHERE message_id IN (`+placeholders(len(ids))+`) ORDER BY id DESC`, ids...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: endpoint log attempts: %w", err)
	}
	defer arows.Close()
	for arows.Next() {
		var mid, ms int64
		var a DeliveryAttempt
		var at string
		if err := arows.Scan(&mid, &a.ID, &at, &a.Trigger, &a.Result, &a.StatusCode, &a.Response, &a.Error, &ms); err != nil {
			return nil, 0, fmt.Errorf("store: endpoint log attempts: %w", err)
		}
		a.At, a.Duration = ParseTime(at), time.Duration(ms)*time.Millisecond
		i := byID[mid]
		out[i].Attempts = append(out[i].Attempts, a)
	}
	return out, next, arows.Err()
}
