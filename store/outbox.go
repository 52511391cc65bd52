package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Event types sent to the bank's systems.
const (
	EventDecided         = "case.decided"
	EventDecisionPending = "case.decision_pending"
	EventReturned        = "case.returned"
	EventReopened        = "case.reopened"
	EventChanged         = "case.changed_after_decision"
	EventReceived        = "case.received" // opt-in: only endpoints that ask for it
	EventTest            = "kycdesk.test"  // sent by an admin to one endpoint
)

// EventTypes are the types an endpoint can subscribe to, in the order pages list them.
var EventTypes = []string{EventDecided, EventDecisionPending, EventReturned, EventReopened, EventChanged, EventReceived}

// DefaultEventTypes are what an endpoint gets when it names none: everything but case.received.
var DefaultEventTypes = []string{EventDecided, EventDecisionPending, EventReturned, EventReopened, EventChanged}

// EventData is the thin "data" of an event: enough to act on, nothing sensitive (no images, no
// document numbers, no dates of birth). The receiver fetches more through the API, audited.
type EventData struct {
	Source       Source     `json:"source"`
	Ref          string     `json:"ref"`
	ClientID     string     `json:"clientId"`
	Outcome      string     `json:"outcome"`
	ReasonCode   string     `json:"reasonCode"`
	ReasonLabel  string     `json:"reasonLabel"`
	Note         string     `json:"note"`
	DecidedBy    string     `json:"decidedBy"`
	ApprovedBy   string     `json:"approvedBy"`
	DecidedAt    *time.Time `json:"decidedAt"`
	ApprovedAt   *time.Time `json:"approvedAt"`
	VendorStatus string     `json:"vendorStatus"`
	CaseURL      string     `json:"caseUrl"`
	Sequence     int64      `json:"sequence"`
	// Checklist is the decision's frozen checklist: per instruction or signal its bookmark,
	// disposition and note (absent when the case has none).
	Checklist []ChecklistEntry `json:"checklist,omitempty"`
}

// Event is one row of the outbox.
type Event struct {
	ID     int64  // also Data.Sequence
	MsgID  string // the webhook-id
	Type   string
	CaseID int64
	At     time.Time
	Data   EventData
}

// msgIDEncoding writes message ids in lower-case base32 without padding.
var msgIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func newMsgID() (string, error) {
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "msg_" + msgIDEncoding.EncodeToString(b), nil
}

// typeKey is how an event type is found in webhook_endpoints.events.
func typeKey(typ string) string { return "," + typ + "," }

// enqueueEvent writes an event about the case, inside the caller's transaction, and queues it for
// every enabled endpoint that subscribes to its type. An opt-in type nobody subscribes to is not
// written at all, so the ingest path pays one indexed read for it.
func enqueueEvent(ctx context.Context, tx txn, now, typ string, caseID int64) error {
	if typ == EventReceived {
		var wanted bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM webhook_endpoints
			WHERE enabled = 1 AND instr(events, ?) > 0)`, typeKey(typ)).Scan(&wanted); err != nil {
			return fmt.Errorf("store: event %s: %w", typ, err)
		}
		if !wanted {
			return nil
		}
	}
	data, err := eventData(ctx, tx, caseID)
	if err != nil {
		return fmt.Errorf("store: event %s for case %d: %w", typ, caseID, err)
	}
	b, err := json.Marshal(data.masked())
	if err != nil {
		return fmt.Errorf("store: event %s: %w", typ, err)
	}
	_, err = insertEvent(ctx, tx, now, typ, caseID, string(b), nil)
	return err
}

// insertEvent writes the event row and fans it out: to endpointOnly (a test event), or to every
// enabled endpoint subscribed to typ.
func insertEvent(ctx context.Context, tx txn, now, typ string, caseID int64, data string, endpointOnly any) (int64, error) {
	msgID, err := newMsgID()
	if err != nil {
		return 0, fmt.Errorf("store: event id: %w", err)
	}
	var c any
	if caseID != 0 {
		c = caseID
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO events (msg_id, type, case_id, at, data) VALUES (?, ?, ?, ?, ?)`,
		msgID, typ, c, now, data)
	if err != nil {
		return 0, fmt.Errorf("store: insert event: %w", err)
	}
	id, _ := r.LastInsertId()
	if endpointOnly != nil {
		_, err = tx.ExecContext(ctx, `INSERT INTO webhook_messages (endpoint_id, event_id, case_id, trigger, next_attempt_at, created_at)
			VALUES (?, ?, ?, 'manual', ?, ?)`, endpointOnly, id, c, now, now)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO webhook_messages (endpoint_id, event_id, case_id, next_attempt_at, created_at)
			SELECT id, ?, ?, ?, ? FROM webhook_endpoints WHERE enabled = 1 AND instr(events, ?) > 0`,
			id, c, now, now, typeKey(typ))
	}
	if err != nil {
		return 0, fmt.Errorf("store: queue event: %w", err)
	}
	return id, nil
}

// eventData reads what an event says about a case: the case, its latest decision and that
// decision's second approval, as the transaction sees them.
func eventData(ctx context.Context, tx txn, caseID int64) (EventData, error) {
	var d EventData
	var decisionID int64
	var decidedAt, checklist string
	err := tx.QueryRowContext(ctx, `SELECT c.source, c.ref, c.client_id, c.overall,
		COALESCE(d.id, 0), COALESCE(d.outcome, ''), COALESCE(d.reason_code, ''), COALESCE(d.reason_label, ''),
		COALESCE(d.note, ''), COALESCE(u.username, ''), COALESCE(d.decided_at, ''), COALESCE(d.checklist, '')
		FROM cases c
		LEFT JOIN decisions d ON d.id = (SELECT MAX(id) FROM decisions WHERE case_id = c.id)
		LEFT JOIN users u ON u.id = d.decided_by
		WHERE c.id = ?`, caseID).Scan(&d.Source, &d.Ref, &d.ClientID, &d.VendorStatus, &decisionID, &d.Outcome,
		&d.ReasonCode, &d.ReasonLabel, &d.Note, &d.DecidedBy, &decidedAt, &checklist)
	if err != nil {
		return d, err
	}
	d.Checklist = parseChecklist(checklist)
	if decidedAt != "" {
		t := ParseTime(decidedAt)
		d.DecidedAt = &t
	}
	if decisionID == 0 {
		return d, nil
	}
	var approvedAt string
	err = tx.QueryRowContext(ctx, `SELECT COALESCE(u.username, ''), a.at FROM approvals a LEFT JOIN users u ON u.id = a.by_user
		WHERE a.decision_id = ? AND a.verdict = 'approved' ORDER BY a.id DESC LIMIT 1`, decisionID).Scan(&d.ApprovedBy, &approvedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return d, nil
	}
	if err != nil {
		return d, err
	}
	t := ParseTime(approvedAt)
	d.ApprovedAt = &t
	return d, nil
}

// OutboxSignal is readable after a commit that queued events: the delivery worker waits on it.
func (db *DB) OutboxSignal() <-chan struct{} { return db.outbox }

// signalOutbox wakes the delivery worker without ever blocking the writer.
func (db *DB) signalOutbox() {
	select {
	case db.outbox <- struct{}{}:
	default:
	}
}

// commitEvents commits a transaction that may have queued events, then wakes the worker.
func (db *DB) commitEvents(tx *sql.Tx, what string) error {
	if err := commit(tx, what); err != nil {
		return err
	}
	db.signalOutbox()
	return nil
}

const eventColumns = `id, msg_id, type, COALESCE(case_id, 0), at, data`

func scanEvent(row interface{ Scan(...any) error }) (Event, error) {
	var e Event
	var at, data string
	if err := row.Scan(&e.ID, &e.MsgID, &e.Type, &e.CaseID, &at, &data); err != nil {
		return e, err
	}
	return e, decodeEvent(&e, at, data)
}

// decodeEvent fills the event's time and data from their stored text.
func decodeEvent(e *Event, at, data string) error {
	e.At = ParseTime(at)
	if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
		return fmt.Errorf("event %d data: %w", e.ID, err)
	}
	e.Data.Sequence = e.ID
	return nil
}

// DecidedEvents is the keyset feed of case.decided events after the sequence number after,
// oldest first, at most limit of them.
func (db *DB) DecidedEvents(ctx context.Context, after int64, limit int) ([]Event, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+eventColumns+` FROM events
		WHERE type = ? AND id > ? ORDER BY id LIMIT ?`, EventDecided, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: decided events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("store: decided events: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// CaseEvents lists the events about one case, oldest first.
func (db *DB) CaseEvents(ctx context.Context, caseID int64) ([]Event, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("store: case events: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// normalizeEventTypes checks a list of subscribed types; an empty list is the default set.
func normalizeEventTypes(types []string) ([]string, error) {
	if len(types) == 0 {
		return DefaultEventTypes, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range types {
		t = strings.TrimSpace(t)
		if t == "" || seen[t] {
			continue
		}
		known := false
		for _, k := range EventTypes {
			known = known || k == t
		}
		if !known {
			return nil, invalidField("events", fmt.Sprintf("%q is not an event type; choose from %s.", t, strings.Join(EventTypes, ", ")))
		}
		seen[t] = true
		out = append(out, t)
	}
	if len(out) == 0 {
		return DefaultEventTypes, nil
	}
	return out, nil
}

// decisionEventType is what a new decision announces: pending a second approval, or final.
func decisionEventType(needsApproval bool) string {
	if needsApproval {
		return EventDecisionPending
	}
	return EventDecided
}

// verdictEventType is what a second look announces.
func verdictEventType(verdict string) string {
	if verdict == VerdictApproved {
		return EventDecided
	}
	return EventReturned
}

// enqueueIngestEvent announces what a callback did to a case: a late callback on a decided (or
// pending) case, or a new case that needs a decision (opt-in).
func enqueueIngestEvent(ctx context.Context, tx txn, now string, caseID int64, isNew bool, before, wanted string) error {
	switch {
	case !isNew && isDecided(before):
		return enqueueEvent(ctx, tx, now, EventChanged, caseID)
	case isNew && wanted == ReviewNeedsDecision:
		return enqueueEvent(ctx, tx, now, EventReceived, caseID)
	}
	return nil
}
