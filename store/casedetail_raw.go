package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// CaseDeliveryBody returns the whole raw body of one of a case's deliveries and audits that actor
// downloaded it. A duplicate's bytes are its first delivery's; a delivery of another case is not found.
func (db *DB) CaseDeliveryBody(ctx context.Context, actor Actor, caseID, deliveryID int64) ([]byte, error) {
	var body []byte
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(d.body, f.body) FROM deliveries d
		LEFT JOIN deliveries f ON f.id = d.duplicate_of
		WHERE d.id = ? AND d.case_id = ?`, deliveryID, caseID).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) || err == nil && body == nil {
		return nil, fmt.Errorf("store: delivery %d of case %d: %w", deliveryID, caseID, errNoSuchThing)
	}
	if err != nil {
		return nil, fmt.Errorf("store: delivery body: %w", err)
	}
	if body, err = db.openBody(body); err != nil {
		return nil, fmt.Errorf("store: delivery %d body: %w", deliveryID, err)
	}
	if err := db.Audit(ctx, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "delivery.download",
		TargetType: "delivery", TargetID: fmt.Sprint(deliveryID), CaseID: caseID,
		Details: map[string]any{"bytes": len(body)}}); err != nil {
		return nil, err
	}
	return body, nil
}
