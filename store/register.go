package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// RegisterRow is one final decision in the decision register: a decision that took effect, with
// no second approval needed or with one given.
type RegisterRow struct {
	DecisionID   int64
	CaseID       int64
	Source       Source
	Ref          string
	ClientID     string
	Name         string
	VendorStatus string // the overall status of the callback the reviewer decided on
	Reviewer     string
	Approver     string // "" without a second approval
	FirstAt      time.Time
	ClaimedAt    time.Time // zero when no claim is on record
	DecidedAt    time.Time
	ApprovedAt   time.Time // zero without a second approval
	Outcome      string
	Reason       string
	Note         string // its first 200 characters
	// Dispositions is the decision's checklist on one line (ChecklistSummary); "" when it had none.
	Dispositions string
	MediaHashes  int   // distinct archived media files of the case
	AuditID      int64 // the audit entry that made the decision final (0: loaded without one)
}

// FinalAt is when the decision took effect.
func (r RegisterRow) FinalAt() time.Time {
	if !r.ApprovedAt.IsZero() {
		return r.ApprovedAt
	}
	return r.DecidedAt
}

// RegisterFilter narrows the register. Zero fields match everything.
type RegisterFilter struct {
	From, To    time.Time // on the time the decision became final; From inclusive, To exclusive
	Source      Source
	Outcome     string
	Reviewer    string // username of the decision's maker
	Limit       int    // 0: no limit
	NewestFirst bool
}

// registerNoteChars is how much of a note the register carries.
const registerNoteChars = 200

// StreamRegister calls fn for every final decision matching f, oldest first unless NewestFirst,
// without loading them all.
func (db *DB) StreamRegister(ctx context.Context, f RegisterFilter, fn func(RegisterRow) error) error {
	conds := []string{"(d.needs_approval = 0 OR a.id IS NOT NULL)"}
	var args []any
	final := "COALESCE(a.at, d.decided_at)"
	if !f.From.IsZero() {
		conds = append(conds, final+" >= ?")
		args = append(args, FormatTime(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, final+" < ?")
		args = append(args, FormatTime(f.To))
	}
	if f.Source != "" {
		conds = append(conds, "c.source = ?")
		args = append(args, f.Source)
	}
	if f.Outcome != "" {
		conds = append(conds, "d.outcome = ?")
		args = append(args, f.Outcome)
	}
	if f.Reviewer != "" {
		conds = append(conds, "ur.username = ?")
		args = append(args, f.Reviewer)
	}
	order := " ORDER BY " + final + ", d.id"
	if f.NewestFirst {
		order = " ORDER BY " + final + " DESC, d.id DESC"
	}
	limit := ""
	if f.Limit > 0 {
		limit = " LIMIT ?"
		args = append(args, f.Limit)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT d.id, d.case_id, c.source, c.ref, c.client_id, c.full_name,
		COALESCE(dl.overall, c.overall), COALESCE(ur.username, ''), COALESCE(ua.username, ''), c.first_received_at,
		(SELECT al.at FROM audit_log al WHERE al.case_id = d.case_id AND al.action IN ('case.claim', 'case.reassign')
			AND al.at <= d.decided_at ORDER BY al.id DESC LIMIT 1),
		d.decided_at, a.at, d.outcome, d.reason_code, substr(d.note, 1, `+fmt.Sprint(registerNoteChars)+`),
		(SELECT COUNT(DISTINCT m.sha256) FROM media m WHERE m.case_id = d.case_id AND m.sha256 <> ''),
		COALESCE((SELECT al.id FROM audit_log al WHERE al.case_id = d.case_id
			AND al.action = CASE WHEN a.id IS NULL THEN 'case.decision' ELSE 'case.approve' END
			AND json_extract(al.details, '$.decision') = d.id ORDER BY al.id LIMIT 1), 0), COALESCE(d.checklist, '')
		FROM decisions d
		JOIN cases c ON c.id = d.case_id
		LEFT JOIN deliveries dl ON dl.id = d.delivery_id
		LEFT JOIN approvals a ON a.decision_id = d.id AND a.verdict = 'approved'
		LEFT JOIN users ur ON ur.id = d.decided_by
		LEFT JOIN users ua ON ua.id = a.by_user
		WHERE `+strings.Join(conds, " AND ")+order+limit, args...)
	if err != nil {
		return fmt.Errorf("store: decision register: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r RegisterRow
		var first, decided string
		var claimed, approved sql.NullString
		var checklist string
		if err := rows.Scan(&r.DecisionID, &r.CaseID, &r.Source, &r.Ref, &r.ClientID, &r.Name, &r.VendorStatus, &r.Reviewer,
			&r.Approver, &first, &claimed, &decided, &approved, &r.Outcome, &r.Reason, &r.Note, &r.MediaHashes, &r.AuditID,
			&checklist); err != nil {
			return fmt.Errorf("store: decision register: %w", err)
		}
		r.Dispositions = ChecklistSummary(parseChecklist(checklist))
		r.FirstAt, r.DecidedAt = ParseTime(first), ParseTime(decided)
		if claimed.Valid {
			r.ClaimedAt = ParseTime(claimed.String)
		}
		if approved.Valid {
			r.ApprovedAt = ParseTime(approved.String)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
