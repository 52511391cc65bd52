package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// CaseRecord is one case as its page shows it: the derived columns, the review state, the claim,
// and the authoritative snapshot.
type CaseRecord struct {
	// DataProblems say which stored parts of the case could not be read (empty when all could).
	DataProblems         []string
	ID                   int64
	Source               Source
	Ref                  string
	ClientID             string
	ExternalRef          string
	Name                 string
	Overall              string
	Final                bool
	AutoDocument         string
	AutoFace             string
	ManualDocument       string
	ManualFace           string
	FraudTags            []string
	MismatchTags         []string
	ReviewState          string
	ChangedAfterDecision bool
	DeliveryCount        int
	FirstReceivedAt      time.Time
	LastReceivedAt       time.Time
	WaitingSince         time.Time
	// SnapshotDelivery is the delivery whose snapshot the case shows (0 for none).
	SnapshotDelivery int64
	// ClaimedBy is the user whose claim the case carries (0: none); see ClaimLive.
	ClaimedBy      int64
	ClaimedByName  string
	ClaimedAt      time.Time
	ClaimTouchedAt time.Time
	Snapshot       Snapshot
	// Hold and Escalation are the hold and the escalation in force (nil: none).
	Hold       *CaseHold
	Escalation *CaseEscalation
}

// ClaimLive reports whether the case's claim still holds, given the oldest activity that counts.
func (c CaseRecord) ClaimLive(cutoff time.Time) bool {
	return c.ClaimedBy != 0 && !c.ClaimTouchedAt.Before(cutoff)
}

// CaseByID returns one case with its snapshot decoded.
func (db *DB) CaseByID(ctx context.Context, id int64) (CaseRecord, error) {
	var c CaseRecord
	var fraud, mismatch, first, last, waiting, claimedAt, touched, snap string
	err := db.read.QueryRowContext(ctx, `SELECT c.id, c.source, c.ref, c.client_id, c.external_ref, c.full_name,
		c.overall, c.final, c.auto_document, c.auto_face, c.manual_document, c.manual_face, c.fraud_tags, c.mismatch_tags,
		c.review_state, c.changed_after_decision, c.delivery_count, c.first_received_at, c.last_received_at,
		c.waiting_since, COALESCE(c.snapshot_delivery, 0), COALESCE(c.claimed_by, 0),
		COALESCE(NULLIF(u.display_name, ''), u.username, ''), COALESCE(c.claimed_at, ''), COALESCE(c.claim_touched_at, ''),
		c.snapshot
		FROM cases c LEFT JOIN users u ON u.id = c.claimed_by WHERE c.id = ?`, id).Scan(
		&c.ID, &c.Source, &c.Ref, &c.ClientID, &c.ExternalRef, &c.Name, &c.Overall, &c.Final, &c.AutoDocument,
		&c.AutoFace, &c.ManualDocument, &c.ManualFace, &fraud, &mismatch, &c.ReviewState, &c.ChangedAfterDecision,
		&c.DeliveryCount, &first, &last, &waiting, &c.SnapshotDelivery, &c.ClaimedBy, &c.ClaimedByName, &claimedAt,
		&touched, &snap)
	if errors.Is(err, sql.ErrNoRows) {
		return CaseRecord{}, fmt.Errorf("store: case %d: %w", id, errNoSuchThing)
	}
	if err != nil {
		return CaseRecord{}, fmt.Errorf("store: case %d: %w", id, err)
	}
	// A column that no longer decodes still leaves the others to show, and says so: a blank case
	// would look like a vendor that sent nothing.
	if err := json.Unmarshal([]byte(fraud), &c.FraudTags); err != nil {
		c.DataProblems = append(c.DataProblems, "the fraud tags could not be read: "+err.Error())
	}
	if err := json.Unmarshal([]byte(mismatch), &c.MismatchTags); err != nil {
		c.DataProblems = append(c.DataProblems, "the mismatch tags could not be read: "+err.Error())
	}
	if err := json.Unmarshal([]byte(snap), &c.Snapshot); err != nil {
		c.DataProblems = append(c.DataProblems, "the stored snapshot could not be read: "+err.Error())
	}
	c.FirstReceivedAt, c.LastReceivedAt, c.WaitingSince = ParseTime(first), ParseTime(last), ParseTime(waiting)
	if claimedAt != "" {
		c.ClaimedAt = ParseTime(claimedAt)
	}
	if touched != "" {
		c.ClaimTouchedAt = ParseTime(touched)
	}
	if err := db.caseFlagsNow(ctx, &c); err != nil {
		return CaseRecord{}, err
	}
	return c, nil
}

// DeliveryBody is the start of a delivery's raw bytes, for showing on the case page.
type DeliveryBody struct {
	Bytes []byte
	Size  int  // the whole body's size
	Cut   bool // Bytes is only the first part
}

// DeliveryBodies returns the first max bytes of each listed delivery's body in one query.
// Duplicates (whose bytes live on the first delivery) and unknown IDs are absent from the map.
func (db *DB) DeliveryBodies(ctx context.Context, ids []int64, max int) (map[int64]DeliveryBody, error) {
	out := make(map[int64]DeliveryBody, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, max)
	for _, id := range ids {
		args = append(args, id)
	}
	// A sealed body is read whole (bodies are capped by --max-body) and cut once opened.
	rows, err := db.read.QueryContext(ctx, `SELECT id, CASE WHEN substr(body, 1, 8) = x'004b444531000000' THEN body
		ELSE substr(body, 1, ?) END, size FROM deliveries
		WHERE body IS NOT NULL AND id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: delivery bodies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var b DeliveryBody
		if err := rows.Scan(&id, &b.Bytes, &b.Size); err != nil {
			return nil, fmt.Errorf("store: delivery bodies: %w", err)
		}
		if b.Bytes, err = db.openBody(b.Bytes); err != nil {
			return nil, fmt.Errorf("store: delivery %d body: %w", id, err)
		}
		if len(b.Bytes) > max {
			b.Bytes = b.Bytes[:max]
		}
		b.Cut = len(b.Bytes) < b.Size
		out[id] = b
	}
	return out, rows.Err()
}

// CasesByRef maps each of refs that names a case of source to that case's ID, in one query per
// refsPerQuery refs (SQLite caps the variables of one statement); refs without a case are absent.
func (db *DB) CasesByRef(ctx context.Context, source Source, refs []string) (map[string]int64, error) {
	out := map[string]int64{}
	seen := map[string]bool{}
	var batch []any
	for i, r := range refs {
		if r = strings.TrimSpace(r); r != "" && !seen[r] {
			seen[r] = true
			batch = append(batch, r)
		}
		if len(batch) == refsPerQuery || i == len(refs)-1 && len(batch) > 0 {
			if err := db.casesByRef(ctx, source, batch, out); err != nil {
				return nil, err
			}
			batch = batch[:0]
		}
	}
	return out, nil
}

// refsPerQuery is how many references one look-up binds.
const refsPerQuery = 500

func (db *DB) casesByRef(ctx context.Context, source Source, refs []any, out map[string]int64) error {
	rows, err := db.read.QueryContext(ctx, `SELECT ref, id FROM cases WHERE source = ? AND ref IN (`+
		placeholders(len(refs))+`)`, append([]any{string(source)}, refs...)...)
	if err != nil {
		return fmt.Errorf("store: cases by ref: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ref string
		var id int64
		if err := rows.Scan(&ref, &id); err != nil {
			return fmt.Errorf("store: cases by ref: %w", err)
		}
		out[ref] = id
	}
	return rows.Err()
}

// Deciders lists the active users who can hold a case (reviewers and supervisors), by username.
func (db *DB) Deciders(ctx context.Context) ([]User, error) {
	all, err := db.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	var out []User
	for _, u := range all {
		if !u.Disabled && (u.Has(RoleReviewer) || u.Has(RoleSupervisor)) {
			out = append(out, u)
		}
	}
	return out, nil
}

// FourEyesGaps lists the sources whose four-eyes rule no pair of enabled users can satisfy now:
// a decision needs a reviewer or supervisor to make it and a different supervisor to approve it.
func (db *DB) FourEyesGaps(ctx context.Context) ([]Source, error) {
	deciders, err := db.Deciders(ctx)
	if err != nil {
		return nil, err
	}
	sups := 0
	for _, u := range deciders {
		if u.Has(RoleSupervisor) {
			sups++
		}
	}
	if sups >= 1 && len(deciders) >= 2 {
		return nil, nil
	}
	var out []Source
	rules := db.Rules()
	for _, src := range []Source{SourceMarkID, SourceVCIP} {
		if rules.NeedsFourEyes(src) {
			out = append(out, src)
		}
	}
	return out, nil
}

// placeholders is "?, ?, ?" for n parameters.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// CaseDecisions lists a case's decisions, oldest first, each with its second-approval verdicts.
func (db *DB) CaseDecisions(ctx context.Context, caseID int64) ([]Decision, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT d.id, d.case_id, d.outcome, d.reason_code, d.note, d.decided_by,
		COALESCE(NULLIF(u.display_name, ''), u.username, ''), d.decided_at, d.needs_approval, COALESCE(d.delivery_id, 0),
		COALESCE(d.checklist, '') FROM decisions d LEFT JOIN users u ON u.id = d.decided_by WHERE d.case_id = ? ORDER BY d.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case %d decisions: %w", caseID, err)
	}
	defer rows.Close()
	var out []Decision
	for rows.Next() {
		var d Decision
		var at, checklist string
		if err := rows.Scan(&d.ID, &d.CaseID, &d.Outcome, &d.ReasonCode, &d.Note, &d.DecidedBy, &d.DecidedByName,
			&at, &d.NeedsApproval, &d.DeliveryID, &checklist); err != nil {
			return nil, fmt.Errorf("store: case %d decisions: %w", caseID, err)
		}
		d.Checklist = parseChecklist(checklist)
		d.DecidedAt = ParseTime(at)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: case %d decisions: %w", caseID, err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	arows, err := db.read.QueryContext(ctx, `SELECT a.id, a.decision_id, a.verdict, a.reason, a.by_user,
		COALESCE(NULLIF(u.display_name, ''), u.username, ''), a.at
		FROM approvals a JOIN decisions d ON d.id = a.decision_id LEFT JOIN users u ON u.id = a.by_user
		WHERE d.case_id = ? ORDER BY a.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case %d approvals: %w", caseID, err)
	}
	defer arows.Close()
	byID := make(map[int64]int, len(out))
	for i, d := range out {
		byID[d.ID] = i
	}
	for arows.Next() {
		var a Approval
		var at string
		if err := arows.Scan(&a.ID, &a.DecisionID, &a.Verdict, &a.Reason, &a.By, &a.ByName, &at); err != nil {
			return nil, fmt.Errorf("store: case %d approvals: %w", caseID, err)
		}
		a.At = ParseTime(at)
		if i, ok := byID[a.DecisionID]; ok {
			out[i].Approvals = append(out[i].Approvals, a)
		}
	}
	return out, arows.Err()
}

// CaseReopens lists the times a case was reopened, oldest first.
func (db *DB) CaseReopens(ctx context.Context, caseID int64) ([]Reopen, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT r.id, r.case_id, r.reason, r.by_user,
		COALESCE(NULLIF(u.display_name, ''), u.username, ''), r.at
		FROM reopens r LEFT JOIN users u ON u.id = r.by_user WHERE r.case_id = ? ORDER BY r.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case %d reopens: %w", caseID, err)
	}
	defer rows.Close()
	var out []Reopen
	for rows.Next() {
		var r Reopen
		var at string
		if err := rows.Scan(&r.ID, &r.CaseID, &r.Reason, &r.By, &r.ByName, &at); err != nil {
			return nil, fmt.Errorf("store: case %d reopens: %w", caseID, err)
		}
		r.At = ParseTime(at)
		out = append(out, r)
	}
	return out, rows.Err()
}
