package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// RawDelivery is a stored delivery's bytes, for replay.
type RawDelivery struct {
	ID     int64
	Source Source
	Body   []byte
}

// QuarantinedIDs lists the deliveries waiting in quarantine, oldest first.
func (db *DB) QuarantinedIDs(ctx context.Context) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id FROM deliveries WHERE outcome = 'quarantined' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: quarantined: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: quarantined: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// DeliveryRaw returns a delivery's source and bytes.
func (db *DB) DeliveryRaw(ctx context.Context, id int64) (RawDelivery, error) {
	d := RawDelivery{ID: id}
	err := db.read.QueryRowContext(ctx, `SELECT source, COALESCE(body, x'') FROM deliveries WHERE id = ?`, id).Scan(&d.Source, &d.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return RawDelivery{}, fmt.Errorf("store: delivery %d: %w", id, errNoSuchThing)
	}
	if err != nil {
		return RawDelivery{}, fmt.Errorf("store: delivery %d: %w", id, err)
	}
	if d.Body, err = db.openBody(d.Body); err != nil {
		return RawDelivery{}, fmt.Errorf("store: delivery %d: %w", id, err)
	}
	return d, nil
}

// Replay re-processes a quarantined delivery with a fresh decode (after an upgrade, say).
// On success the delivery becomes 'stored' and updates its case; on failure the new error is kept.
// Either way the replay is audited. It reports the delivery's outcome.
func (db *DB) Replay(ctx context.Context, actor Actor, id int64, snap *Snapshot, decodeErr error) (string, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("store: replay: %w", err)
	}
	defer tx.Rollback()
	var outcome, received string
	err = tx.QueryRowContext(ctx, `SELECT outcome, received_at FROM deliveries WHERE id = ?`, id).Scan(&outcome, &received)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: replay %d: %w", id, errNoSuchThing)
	}
	if err != nil {
		return "", fmt.Errorf("store: replay %d: %w", id, err)
	}
	if outcome != OutcomeQuarantined {
		return "", Errorf(KindConflict, "delivery %d is %s, not quarantined", id, outcome)
	}
	details := map[string]any{"delivery": id}
	result := OutcomeQuarantined
	var caseID int64
	if snap == nil {
		msg := "no decoded content"
		if decodeErr != nil {
			msg = decodeErr.Error()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET error = ? WHERE id = ?`, msg, id); err != nil {
			return "", fmt.Errorf("store: replay %d: %w", id, err)
		}
		details["error"] = msg
	} else {
		if _, err := tx.ExecContext(ctx, `SAVEPOINT replay`); err != nil {
			return "", fmt.Errorf("store: replay %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET outcome = 'stored', error = '', ref = ?, final = ?, overall = ?,
			auto_document = ?, auto_face = ?, manual_document = ?, manual_face = ?, fraud_tags = ?, mismatch_tags = ?
			WHERE id = ?`, append(summarize(snap), id)...); err != nil {
			return "", fmt.Errorf("store: replay %d: %w", id, err)
		}
		if err := recordSchemaWarnings(ctx, tx, id, snap); err != nil {
			return "", fmt.Errorf("store: replay %d: %w", id, err)
		}
		caseID, err = db.applySnapshot(ctx, tx, id, snap, nil, received)
		if err != nil {
			if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO replay`); rerr != nil {
				return "", fmt.Errorf("store: replay %d: %w", id, rerr)
			}
			details["error"] = err.Error()
			if _, err2 := tx.ExecContext(ctx, `UPDATE deliveries SET error = ? WHERE id = ?`, "could not apply to case: "+err.Error(), id); err2 != nil {
				return "", fmt.Errorf("store: replay %d: %w", id, err2)
			}
		} else {
			result = OutcomeStored
		}
		if _, err := tx.ExecContext(ctx, `RELEASE replay`); err != nil {
			return "", fmt.Errorf("store: replay %d: %w", id, err)
		}
	}
	details["outcome"] = result
	if err := db.appendAudit(ctx, tx, db.now(), AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "callback.replay",
		TargetType: "delivery", TargetID: fmt.Sprint(id), CaseID: caseID, Details: details}); err != nil {
		return "", err
	}
	return result, tx.Commit()
}

// QuarantinedBody returns a quarantined delivery with its raw body for an admin to read before
// replaying it, and audits the reading: the body holds personal data.
func (db *DB) QuarantinedBody(ctx context.Context, actor Actor, id int64) (QuarantinedDelivery, []byte, error) {
	var q QuarantinedDelivery
	var at string
	var body []byte
	err := db.read.QueryRowContext(ctx, `SELECT id, source, received_at, COALESCE(remote_addr, ''), size, COALESCE(error, ''),
		COALESCE(body, x'') FROM deliveries WHERE id = ? AND outcome = 'quarantined'`, id).
		Scan(&q.ID, &q.Source, &at, &q.RemoteAddr, &q.Size, &q.Error, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return q, nil, fmt.Errorf("store: quarantined delivery %d: %w", id, errNoSuchThing)
	}
	if err != nil {
		return q, nil, fmt.Errorf("store: quarantined delivery %d: %w", id, err)
	}
	q.ReceivedAt = ParseTime(at)
	if body, err = db.openBody(body); err != nil {
		return q, nil, fmt.Errorf("store: quarantined delivery %d: %w", id, err)
	}
	if err := db.Audit(ctx, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "delivery.view",
		TargetType: "delivery", TargetID: fmt.Sprint(id), Details: map[string]any{"bytes": len(body)}}); err != nil {
		return q, nil, err
	}
	return q, body, nil
}
