package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// CaseNote is a note a reviewer or supervisor left on a case: a question, a request to a
// colleague. Notes are never edited or deleted.
type CaseNote struct {
	ID     int64
	CaseID int64
	By     int64
	ByName string
	At     time.Time
	Body   string
}

// AddCaseNote records actor's note on the case with its audit entry, in one transaction.
func (db *DB) AddCaseNote(ctx context.Context, actor Actor, caseID int64, body string) error {
	body = strings.TrimSpace(body)
	switch {
	case body == "":
		return invalidField("case_note", "Write the note first.")
	case len(body) > MaxNote:
		return invalidField("case_note", fmt.Sprintf("Keep the note under %d characters.", MaxNote))
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: case note: %w", err)
	}
	defer tx.Rollback()
	s, err := loadCaseState(ctx, tx, caseID, actor)
	if err != nil {
		return err
	}
	if !s.who.has(RoleReviewer, RoleSupervisor) {
		return Errorf(KindForbidden, "Only reviewers and supervisors leave notes on cases.")
	}
	now := db.now()
	r, err := tx.ExecContext(ctx, `INSERT INTO case_notes (case_id, by_user, at, body) VALUES (?, ?, ?, ?)`, caseID, actor.ID, now, body)
	if err != nil {
		return fmt.Errorf("store: case note: %w", err)
	}
	id, _ := r.LastInsertId()
	// The audit entry names the note by id and length: the text stays in its row.
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "case.note",
		TargetType: "case", TargetID: fmt.Sprint(caseID), CaseID: caseID,
		Details: map[string]any{"note": id, "chars": len(body)}}); err != nil {
		return err
	}
	return commit(tx, "case note")
}

// CaseNotes lists a case's notes, oldest first.
func (db *DB) CaseNotes(ctx context.Context, caseID int64) ([]CaseNote, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT n.id, n.case_id, n.by_user, COALESCE(NULLIF(u.display_name, ''), u.username, ''),
		n.at, n.body FROM case_notes n LEFT JOIN users u ON u.id = n.by_user WHERE n.case_id = ? ORDER BY n.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case %d notes: %w", caseID, err)
	}
	defer rows.Close()
	var out []CaseNote
	for rows.Next() {
		var n CaseNote
		var at string
		if err := rows.Scan(&n.ID, &n.CaseID, &n.By, &n.ByName, &at, &n.Body); err != nil {
			return nil, fmt.Errorf("store: case %d notes: %w", caseID, err)
		}
		n.At = ParseTime(at)
		out = append(out, n)
	}
	return out, rows.Err()
}
