package store

import (
	"context"
	"fmt"
)

// AuditLine is an audit entry exactly as stored: the strings its chain hash covers. Evidence packs
// carry these, so that a verifier with no database can recompute every hash.
type AuditLine struct {
	ID         int64  `json:"id"`
	At         string `json:"at"`
	Actor      string `json:"actor"`
	ActorID    int64  `json:"actor_id"`
	Action     string `json:"action"`
	TargetType string `json:"target_type"`
	TargetID   string `json:"target_id"`
	CaseID     int64  `json:"case_id"`
	Details    string `json:"details"` // the JSON text as stored, byte for byte
	PrevHash   string `json:"prev_hash"`
	Hash       string `json:"hash"`
}

// ChainHash is the hash the entry must carry given its content and PrevHash: the audit chain's
// function (keyless SHA-256 over length-prefixed fields).
func (l AuditLine) ChainHash() string {
	return entryHash(l.ID, l.At, l.Actor, l.ActorID, l.Action, l.TargetType, l.TargetID, l.CaseID, l.Details, l.PrevHash)
}

// GenesisHash is the previous-hash of the first audit entry.
const GenesisHash = genesisHash

// CaseAuditLines calls fn for the case's audit entries with IDs up to maxID, oldest first, as stored.
func (db *DB) CaseAuditLines(ctx context.Context, caseID, maxID int64, fn func(AuditLine) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT id, at, actor, COALESCE(actor_id, 0), action, target_type, target_id,
		COALESCE(case_id, 0), details, prev_hash, hash FROM audit_log WHERE case_id = ? AND id <= ? ORDER BY id`, caseID, maxID)
	if err != nil {
		return fmt.Errorf("store: case audit lines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l AuditLine
		if err := rows.Scan(&l.ID, &l.At, &l.Actor, &l.ActorID, &l.Action, &l.TargetType, &l.TargetID, &l.CaseID,
			&l.Details, &l.PrevHash, &l.Hash); err != nil {
			return fmt.Errorf("store: case audit lines: %w", err)
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	return rows.Err()
}
