package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// LegalHold keeps a case, or every case of a client, out of every purge until it is lifted.
type LegalHold struct {
	ID        int64
	CaseID    int64  // 0 for a hold on a client
	ClientID  string // "" for a hold on one case
	Reason    string
	SetBy     int64
	SetByName string
	SetAt     time.Time
}

// MaxHoldReason bounds a hold's reason.
const MaxHoldReason = 500

// PlaceHold puts a legal hold on the case (clientWide false) or on every case of its client id,
// with its audit entry, in one transaction. Supervisors and admins only.
func (db *DB) PlaceHold(ctx context.Context, actor Actor, caseID int64, clientWide bool, reason string) error {
	reason = strings.TrimSpace(reason)
	if msg := HoldReasonProblem(reason); msg != "" {
		return invalidField("legal_hold_reason", msg)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: hold: %w", err)
	}
	defer tx.Rollback()
	if err := mayHold(ctx, tx, actor, "place"); err != nil {
		return err
	}
	var client string
	err = tx.QueryRowContext(ctx, `SELECT client_id FROM cases WHERE id = ?`, caseID).Scan(&client)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: hold case %d: %w", caseID, errNoSuchThing)
	}
	if err != nil {
		return fmt.Errorf("store: hold: %w", err)
	}
	var caseCol any = caseID
	details := map[string]any{"reason": reason, "scope": "case"}
	if clientWide {
		if client == "" {
			return invalidField("legal_hold_reason", "This case has no client ID, so hold this case alone.")
		}
		caseCol = nil
		details["scope"], details["client_id"] = "client", client
	} else {
		client = ""
	}
	now := db.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO legal_holds (case_id, client_id, reason, set_by, set_at) VALUES (?, ?, ?, ?, ?)`,
		caseCol, client, reason, actor.ID, now)
	if err != nil {
		return fmt.Errorf("store: hold: %w", err)
	}
	id, _ := res.LastInsertId()
	details["hold"] = id
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "case.legal_hold",
		TargetType: "case", TargetID: fmt.Sprint(caseID), CaseID: caseID, Details: details}); err != nil {
		return err
	}
	return commit(tx, "hold")
}

// LiftHold lifts a hold with a reason and its audit entry, in one transaction. caseID is the case
// page the hold is lifted from: the hold must cover that case, and the entry targets it. From the
// legal holds page caseID is 0, and the entry targets what the entry that placed the hold targeted
// (the case it was placed on or from, or the client of a hold placed by client ID), so that the two
// entries are found together.
func (db *DB) LiftHold(ctx context.Context, actor Actor, caseID, holdID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > MaxHoldReason {
		return invalidField("legal_hold_lift_reason", fmt.Sprintf("Say why the hold ends (at most %d characters).", MaxHoldReason))
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: lift hold: %w", err)
	}
	defer tx.Rollback()
	if err := mayHold(ctx, tx, actor, "lift"); err != nil {
		return err
	}
	var heldCase int64
	var client, setAt string
	var lifted bool
	err = tx.QueryRowContext(ctx, `SELECT COALESCE(case_id, 0), client_id, set_at, lifted_at IS NOT NULL FROM legal_holds WHERE id = ?`,
		holdID).Scan(&heldCase, &client, &setAt, &lifted)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: lift hold %d: %w", holdID, errNoSuchThing)
	}
	if err != nil {
		return fmt.Errorf("store: lift hold: %w", err)
	}
	if lifted {
		return Errorf(KindConflict, "That hold has already been lifted.")
	}
	target := AuditEntry{TargetType: "case", TargetID: fmt.Sprint(caseID), CaseID: caseID}
	switch {
	case caseID != 0:
		if err := holdCovers(ctx, tx, heldCase, client, caseID); err != nil {
			return err
		}
	case heldCase != 0:
		target = AuditEntry{TargetType: "case", TargetID: fmt.Sprint(heldCase), CaseID: heldCase}
	default:
		if target, err = holdPlacedOn(ctx, tx, holdID, client, setAt); err != nil {
			return err
		}
	}
	now := db.now()
	res, err := tx.ExecContext(ctx, `UPDATE legal_holds SET lifted_by = ?, lifted_at = ?, lift_reason = ?
		WHERE id = ? AND lifted_at IS NULL`, actor.ID, now, reason, holdID)
	if err != nil {
		return fmt.Errorf("store: lift hold: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Errorf(KindConflict, "That hold has already been lifted.")
	}
	details := map[string]any{"hold": holdID, "reason": reason, "scope": "case"}
	if client != "" {
		details["scope"], details["client_id"] = "client", client
	}
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "case.legal_hold_lifted",
		TargetType: target.TargetType, TargetID: target.TargetID, CaseID: target.CaseID, Details: details}); err != nil {
		return err
	}
	return commit(tx, "lift hold")
}

// holdCovers checks that the hold (on heldCase, or on every case of client) covers caseID.
func holdCovers(ctx context.Context, tx *sql.Tx, heldCase int64, client string, caseID int64) error {
	if heldCase == caseID {
		return nil
	}
	if client != "" {
		var caseClient string
		err := tx.QueryRowContext(ctx, `SELECT client_id FROM cases WHERE id = ?`, caseID).Scan(&caseClient)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: lift hold: %w", err)
		}
		if caseClient == client {
			return nil
		}
	}
	return fmt.Errorf("store: hold does not cover case %d: %w", caseID, errNoSuchThing)
}

// holdPlacedSQL finds the entry that placed a hold through audit_at (the unary + keeps SQLite off
// audit_action, which would walk every hold ever placed).
const holdPlacedSQL = `SELECT target_type, target_id, case_id FROM audit_log
	WHERE at = ? AND +action = 'case.legal_hold' AND json_extract(details, '$.hold') = ? ORDER BY id LIMIT 1`

// holdPlacedOn is the target of the entry that placed the client hold: found through its time
// (the hold's set_at, written in the same transaction) and its hold id. A hold placed from a case
// page targets that case; one placed by client ID (or whose entry is not found) the client.
func holdPlacedOn(ctx context.Context, tx *sql.Tx, holdID int64, client, setAt string) (AuditEntry, error) {
	var e AuditEntry
	var caseID sql.NullInt64
	err := tx.QueryRowContext(ctx, holdPlacedSQL, setAt, holdID).Scan(&e.TargetType, &e.TargetID, &caseID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return AuditEntry{TargetType: "client", TargetID: client}, nil
	case err != nil:
		return e, fmt.Errorf("store: lift hold: placing entry: %w", err)
	}
	e.CaseID = caseID.Int64
	return e, nil
}

// MaxClientIDLen bounds a client ID typed on the legal holds page.
const MaxClientIDLen = 200

// PlaceClientHold puts a legal hold on every case of a client ID, those there are and those still
// to come, with its audit entry (target: the client), in one transaction. Supervisors and admins
// only. An ID no case has is refused: a mistyped ID would otherwise hold nothing while the team
// believes the client's cases are kept.
func (db *DB) PlaceClientHold(ctx context.Context, actor Actor, clientID, reason string) (int64, error) {
	clientID, reason = strings.TrimSpace(clientID), strings.TrimSpace(reason)
	fields := map[string]string{}
	switch {
	case clientID == "":
		fields["legal_hold_client_id"] = "Give the client ID whose cases to hold, exactly as a case page shows it."
	case len(clientID) > MaxClientIDLen:
		fields["legal_hold_client_id"] = fmt.Sprintf("A client ID is at most %d characters.", MaxClientIDLen)
	}
	if msg := HoldReasonProblem(reason); msg != "" {
		fields["legal_hold_reason"] = msg
	}
	if len(fields) > 0 {
		return 0, FieldErrors(fields)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: client hold: %w", err)
	}
	defer tx.Rollback()
	if err := mayHold(ctx, tx, actor, "place"); err != nil {
		return 0, err
	}
	var cases int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE client_id = ?`, clientID).Scan(&cases); err != nil {
		return 0, fmt.Errorf("store: client hold: %w", err)
	}
	if cases == 0 {
		return 0, invalidField("legal_hold_client_id", fmt.Sprintf("No case has the client ID “%s”, so this hold would keep nothing. "+
			"Check the ID against a case page (it must match exactly, letter case included); once a case with it arrives, hold it then.", clientID))
	}
	now := db.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO legal_holds (case_id, client_id, reason, set_by, set_at) VALUES (NULL, ?, ?, ?, ?)`,
		clientID, reason, actor.ID, now)
	if err != nil {
		return 0, fmt.Errorf("store: client hold: %w", err)
	}
	id, _ := res.LastInsertId()
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "case.legal_hold",
		TargetType: "client", TargetID: clientID, Details: map[string]any{"reason": reason, "scope": "client",
			"client_id": clientID, "hold": id, "cases": cases}}); err != nil {
		return 0, err
	}
	return id, commit(tx, "client hold")
}

// HoldReasonProblem is what is wrong with a hold's reason, or "": the sentence a form shows.
func HoldReasonProblem(reason string) string {
	if reason == "" || len([]rune(reason)) > MaxHoldReason {
		return fmt.Sprintf("Give the reason for the hold (at most %d characters): the order, the case number or the request.", MaxHoldReason)
	}
	return ""
}

// HoldInForce is one row of the legal holds page.
type HoldInForce struct {
	LegalHold
	CaseClientID string // a case hold: the held case's client ID ("" if it has none)
	Cases        int    // the cases it covers now: 1 for a case hold, the client's cases for a client hold
}

// HoldFilter picks the holds the legal holds page lists.
type HoldFilter struct {
	// Find is a client ID or a case number: the holds that cover it (a hold on the case, on its
	// client, on the client, or on one of the client's cases).
	Find   string
	Before int64 // keyset: only holds older than this hold id (0: from the newest)
	Limit  int   // at most HoldPageSize; 0 is HoldPageSize
}

// HoldPage is one page of holds in force, newest first.
type HoldPage struct {
	Holds []HoldInForce
	Total int   // every hold in force, whatever the filter
	Next  int64 // the Before of the next (older) page; 0 when this is the last
}

// HoldPageSize is how many holds the legal holds page shows at a time.
const HoldPageSize = 100

// ListHolds reads a page of the holds in force, newest first, through legal_holds_open (only holds
// in force, never those lifted); a client hold's case count is read from cases_client.
func (db *DB) ListHolds(ctx context.Context, f HoldFilter) (HoldPage, error) {
	var page HoldPage
	q, args := holdListSQL(f)
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM legal_holds WHERE lifted_at IS NULL`).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("store: count holds: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return page, fmt.Errorf("store: list holds: %w", err)
	}
	defer rows.Close()
	limit := holdLimit(f)
	for rows.Next() {
		var h HoldInForce
		var at string
		if err := rows.Scan(&h.ID, &h.CaseID, &h.ClientID, &h.Reason, &h.SetBy, &h.SetByName, &at, &h.CaseClientID, &h.Cases); err != nil {
			return page, fmt.Errorf("store: list holds: %w", err)
		}
		h.SetAt = ParseTime(at)
		if len(page.Holds) == limit {
			page.Next = page.Holds[limit-1].ID
			break
		}
		page.Holds = append(page.Holds, h)
	}
	return page, rows.Err()
}

func holdLimit(f HoldFilter) int {
	if f.Limit <= 0 || f.Limit > HoldPageSize {
		return HoldPageSize
	}
	return f.Limit
}

// holdListSQL is the page's query: one row more than the page, to know whether another follows.
func holdListSQL(f HoldFilter) (string, []any) {
	before := f.Before
	if before <= 0 {
		before = math.MaxInt64
	}
	q := `SELECT h.id, COALESCE(h.case_id, 0), h.client_id, h.reason, h.set_by,
		COALESCE(NULLIF(u.display_name, ''), u.username, ''), h.set_at, COALESCE(c.client_id, ''),
		CASE WHEN h.case_id IS NULL THEN (SELECT COUNT(*) FROM cases k WHERE k.client_id = h.client_id) ELSE 1 END
		FROM legal_holds h LEFT JOIN users u ON u.id = h.set_by LEFT JOIN cases c ON c.id = h.case_id
		WHERE h.lifted_at IS NULL AND h.id < ?`
	args := []any{before}
	if find := strings.TrimSpace(f.Find); find != "" {
		// Each arm is one index lookup; the case-number arms match nothing for a find that is no number.
		n, _ := strconv.ParseInt(strings.TrimPrefix(find, "#"), 10, 64)
		q += ` AND h.id IN (
			SELECT id FROM legal_holds WHERE lifted_at IS NULL AND client_id = ?
			UNION ALL SELECT l.id FROM cases k JOIN legal_holds l ON l.case_id = k.id AND l.lifted_at IS NULL WHERE k.client_id = ?
			UNION ALL SELECT id FROM legal_holds WHERE lifted_at IS NULL AND case_id = ?
			UNION ALL SELECT l.id FROM cases k JOIN legal_holds l ON l.client_id = k.client_id AND l.lifted_at IS NULL
				WHERE k.id = ? AND k.client_id <> '')`
		args = append(args, find, find, n, n)
	}
	q += ` ORDER BY h.id DESC LIMIT ?`
	return q, append(args, holdLimit(f)+1)
}

// CaseHolds lists the holds in force on the case, its own and its client's.
func (db *DB) CaseHolds(ctx context.Context, caseID int64) ([]LegalHold, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT h.id, COALESCE(h.case_id, 0), h.client_id, h.reason, h.set_by,
		COALESCE(NULLIF(u.display_name, ''), u.username, ''), h.set_at
		FROM legal_holds h LEFT JOIN users u ON u.id = h.set_by, cases c
		WHERE c.id = ? AND h.lifted_at IS NULL AND (h.case_id = c.id OR (c.client_id <> '' AND h.client_id = c.client_id))
		ORDER BY h.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case holds: %w", err)
	}
	defer rows.Close()
	var out []LegalHold
	for rows.Next() {
		var h LegalHold
		var at string
		if err := rows.Scan(&h.ID, &h.CaseID, &h.ClientID, &h.Reason, &h.SetBy, &h.SetByName, &at); err != nil {
			return nil, fmt.Errorf("store: case holds: %w", err)
		}
		h.SetAt = ParseTime(at)
		out = append(out, h)
	}
	return out, rows.Err()
}

// heldSQL is true for a case (alias c) under a hold in force.
const heldSQL = `EXISTS (SELECT 1 FROM legal_holds h WHERE h.lifted_at IS NULL
	AND (h.case_id = c.id OR (c.client_id <> '' AND h.client_id = c.client_id)))`

// mayHold checks, inside the transaction, that the actor is an enabled supervisor or admin.
func mayHold(ctx context.Context, tx *sql.Tx, actor Actor, verb string) error {
	var roles string
	var disabled bool
	err := tx.QueryRowContext(ctx, `SELECT roles, disabled FROM users WHERE id = ?`, actor.ID).Scan(&roles, &disabled)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: roles of user %d: %w", actor.ID, err)
	}
	for _, r := range strings.Split(roles, ",") {
		if !disabled && (r == RoleSupervisor || r == RoleAdmin) {
			return nil
		}
	}
	return Errorf(KindForbidden, "Only a supervisor or an admin can %s a legal hold.", verb)
}

// CaseRetention is what the case page says about retention: holds in force, and what was purged.
type CaseRetention struct {
	Holds           []LegalHold
	MediaPurgedAt   time.Time // zero: not purged
	MediaPolicy     string
	PseudonymisedAt time.Time
	Tombstones      []Tombstone
}

// CaseRetentionOf reads the case's holds, purge times and tombstones.
func (db *DB) CaseRetentionOf(ctx context.Context, caseID int64) (CaseRetention, error) {
	var r CaseRetention
	var media, pseudo string
	if err := db.read.QueryRowContext(ctx, `SELECT COALESCE(media_purged_at, ''), media_purge_policy, COALESCE(pseudonymised_at, '')
		FROM cases WHERE id = ?`, caseID).Scan(&media, &r.MediaPolicy, &pseudo); err != nil {
		return r, fmt.Errorf("store: case %d retention: %w", caseID, err)
	}
	if media != "" {
		r.MediaPurgedAt = ParseTime(media)
	}
	if pseudo != "" {
		r.PseudonymisedAt = ParseTime(pseudo)
	}
	var err error
	if r.Holds, err = db.CaseHolds(ctx, caseID); err != nil {
		return r, err
	}
	r.Tombstones, err = db.CaseTombstones(ctx, caseID)
	return r, err
}
