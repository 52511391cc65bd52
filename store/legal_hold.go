package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
	if reason == "" || len([]rune(reason)) > MaxHoldReason {
		return invalidField("legal_hold_reason", fmt.Sprintf("Give the reason for the hold (at most %d characters): the order, the case number or the request.", MaxHoldReason))
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

// LiftHold lifts a hold with a reason and its audit entry, in one transaction.
func (db *DB) LiftHold(ctx context.Context, actor Actor, caseID, holdID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > MaxHoldReason {
		return invalidField("legal_hold_lift_reason", "Say why the hold ends.")
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: lift hold: %w", err)
	}
	defer tx.Rollback()
	if err := mayHold(ctx, tx, actor, "lift"); err != nil {
		return err
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
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "case.legal_hold_lifted",
		TargetType: "case", TargetID: fmt.Sprint(caseID), CaseID: caseID,
		Details: map[string]any{"hold": holdID, "reason": reason}}); err != nil {
		return err
	}
	return commit(tx, "lift hold")
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
