package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Decision outcomes.
const (
	OutcomeAllow   = "allow"
	OutcomeDecline = "decline"
)

// Second-approval verdicts.
const (
	VerdictApproved = "approved"
	VerdictReturned = "returned"
)

// DecisionInput is a reviewer's allow or decline of a case.
type DecisionInput struct {
	CaseID     int64
	Outcome    string // OutcomeAllow or OutcomeDecline
	ReasonCode string
	Note       string
	// SeenDelivery is the delivery whose snapshot the reviewer had on screen (0: the current one).
	// If a newer callback has become the case's snapshot since, the decision is refused.
	SeenDelivery int64
	FaceMatch    *FaceMatch // the browser's advisory face similarity, when it computed one
}

// decisionProblems checks a decision's fields against the rules: an outcome, a configured reason
// that fits the case's source and the outcome, and a note for a decline or for allowing a
// SUSPECTED case. It returns nil when all is well.
func (r Rules) decisionProblems(f CaseFacts, in DecisionInput) map[string]string {
	p := map[string]string{}
	note := strings.TrimSpace(in.Note)
	switch in.Outcome {
	case OutcomeAllow:
		if note == "" && strings.EqualFold(f.Overall, StatusSuspected) {
			p["note"] = "Explain why you allow a case the vendor marked SUSPECTED."
		}
	case OutcomeDecline:
		if note == "" {
			p["note"] = "Say why you decline: the customer may ask, and an auditor will."
		}
	default:
		p["outcome"] = "Choose Allow or Decline."
	}
	code := strings.TrimSpace(in.ReasonCode)
	rc, known := r.Reason(code)
	switch {
	case code == "":
		p["reason"] = "Choose a reason."
	case !known || !rc.AppliesTo(f.Source, ""):
		p["reason"] = "Choose a reason from the list."
	case !rc.AppliesTo(f.Source, in.Outcome):
		p["reason"] = fmt.Sprintf("“%s” is a reason to %s; choose one that fits your outcome.", rc.Label, rc.Outcome)
	}
	if len(note) > MaxNote {
		p["note"] = fmt.Sprintf("Keep the note under %d characters.", MaxNote)
	}
	if why := r.checklistProblem(in.Outcome, f.Checklist); why != "" {
		p["checklist"] = why
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// Decision is one recorded allow or decline. Decisions are never changed or deleted: a return or
// a reopen adds rows beside them.
type Decision struct {
	ID            int64
	CaseID        int64
	Outcome       string
	ReasonCode    string
	Note          string
	DecidedBy     int64
	DecidedByName string
	DecidedAt     time.Time
	NeedsApproval bool
	DeliveryID    int64
	Approvals     []Approval
	// Checklist is the checklist as it stood when the decision was made (nil: the case had none).
	Checklist []ChecklistEntry
}

// Approval is a supervisor's verdict on a decision that needed a second person.
type Approval struct {
	ID         int64
	DecisionID int64
	Verdict    string // VerdictApproved or VerdictReturned
	Reason     string
	By         int64
	ByName     string
	At         time.Time
}

// Reopen is a supervisor sending a decided case back for a new decision.
type Reopen struct {
	ID     int64
	CaseID int64
	Reason string
	By     int64
	ByName string
	At     time.Time
}

// claimTx gives the case to actor and audits it. prev is the holder being replaced (0: none).
func (db *DB) claimTx(ctx context.Context, tx *sql.Tx, actor Actor, caseID int64, now string, prev int64, details map[string]any) error {
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET claimed_by = ?, claimed_at = ?, claim_touched_at = ? WHERE id = ?`,
		actor.ID, now, now, caseID); err != nil {
		return fmt.Errorf("store: claim case %d: %w", caseID, err)
	}
	if details == nil {
		details = map[string]any{}
	}
	if prev != 0 && prev != actor.ID {
		details["expired_claim_of"] = prev
	}
	return db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "case.claim",
		TargetType: "case", TargetID: fmt.Sprint(caseID), CaseID: caseID, Details: details})
}

// Claim gives the case to actor for deciding. A live claim by someone else is ErrConflict; a claim
// idle for longer than the rules' claim TTL has lapsed and may be taken over. Claiming one's own
// case refreshes the claim.
func (db *DB) Claim(ctx context.Context, actor Actor, caseID int64) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: claim: %w", err)
	}
	defer tx.Rollback()
	s, err := loadCaseState(ctx, tx, caseID, actor)
	if err != nil {
		return err
	}
	now := db.Now()
	if err := db.Rules().Actions(s.who, s.CaseFacts, now).Claim.Err(); err != nil {
		return err
	}
	if err := db.endHoldTx(ctx, tx, actor, caseID, now, "claimed"); err != nil {
		return err
	}
	if err := db.claimTx(ctx, tx, actor, caseID, FormatTime(now), s.ClaimedBy, nil); err != nil {
		return err
	}
	return commit(tx, "claim")
}

// ClaimNext claims for actor the oldest case that matches f (on its Needs decision tab), waits for
// a decision and nobody holds (or whose claim lapsed), and returns its ID; ErrNotFound when there
// is none. The zero filter is the whole queue.
func (db *DB) ClaimNext(ctx context.Context, actor Actor, f QueueFilter) (int64, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: claim next: %w", err)
	}
	defer tx.Rollback()
	now := db.Now()
	f.Tab, f.Assignee = TabNeedsDecision, ""
	if err := db.foldQuery(ctx, &f); err != nil {
		return 0, fmt.Errorf("store: claim next: %w", err)
	}
	where, args := f.where()
	where = append(where, "(c.claimed_by IS NULL OR c.claim_touched_at < ?)")
	args = append(args, FormatTime(now.Add(-db.Rules().ClaimTTL)))
	// A case on hold waits for its date to come back; an escalated one for a supervisor.
	var roles string
	if err := tx.QueryRowContext(ctx, `SELECT roles FROM users WHERE id = ?`, actor.ID).Scan(&roles); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: claim next: %w", err)
	}
	where = append(where, "(c.held_at IS NULL OR c.held_until <= ?)")
	args = append(args, FormatTime(now))
	if !(Viewer{Roles: strings.Split(roles, ",")}).has(RoleSupervisor) {
		where = append(where, "c.escalated_at IS NULL")
	}
	var id int64
	var prev sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT c.id, c.claimed_by FROM cases c INDEXED BY `+f.pageIndex()+`
		WHERE `+strings.Join(where, " AND ")+` ORDER BY c.waiting_since, c.id LIMIT 1`, args...).Scan(&id, &prev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: claim next: %w", Errorf(KindNotFound, "No unclaimed case is waiting for a decision."))
	}
	if err != nil {
		return 0, fmt.Errorf("store: claim next: %w", err)
	}
	s, err := loadCaseState(ctx, tx, id, actor)
	if err != nil {
		return 0, err
	}
	if err := db.Rules().Actions(s.who, s.CaseFacts, now).Claim.Err(); err != nil {
		return 0, err
	}
	if err := db.endHoldTx(ctx, tx, actor, id, now, "claimed"); err != nil {
		return 0, err
	}
	if err := db.claimTx(ctx, tx, actor, id, FormatTime(now), prev.Int64, map[string]any{"next": true}); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: claim next: %w", err)
	}
	return id, nil
}

// Release gives up actor's claim on the case. Only the holder can release; a supervisor reassigns.
func (db *DB) Release(ctx context.Context, actor Actor, caseID int64) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: release: %w", err)
	}
	defer tx.Rollback()
	s, err := loadCaseState(ctx, tx, caseID, actor)
	if err != nil {
		return err
	}
	if err := db.Rules().Actions(s.who, s.CaseFacts, db.Now()).Release.Err(); err != nil {
		return err
	}
	now := db.now()
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET claimed_by = NULL, claimed_at = NULL, claim_touched_at = NULL
		WHERE id = ?`, caseID); err != nil {
		return fmt.Errorf("store: release case %d: %w", caseID, err)
	}
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "case.release",
		TargetType: "case", TargetID: fmt.Sprint(caseID), CaseID: caseID}); err != nil {
		return err
	}
	return commit(tx, "release")
}

// Reassign hands the case's claim to another reviewer or supervisor (a supervisor's action),
// whoever holds it now.
func (db *DB) Reassign(ctx context.Context, actor Actor, caseID, toUser int64) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: reassign: %w", err)
	}
	defer tx.Rollback()
	s, err := loadCaseState(ctx, tx, caseID, actor)
	if err != nil {
		return err
	}
	if err := db.Rules().Actions(s.who, s.CaseFacts, db.Now()).Reassign.Err(); err != nil {
		return err
	}
	to, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, toUser))
	if errors.Is(err, sql.ErrNoRows) {
		return invalidField("user_id", "Choose a reviewer to hand the case to.")
	}
	if err != nil {
		return fmt.Errorf("store: reassign: %w", err)
	}
	if to.Disabled || !(to.Has(RoleReviewer) || to.Has(RoleSupervisor)) {
		return invalidField("user_id", to.Username+" cannot decide cases: choose an active reviewer or supervisor.")
	}
	if s.Escalated && !to.Has(RoleSupervisor) {
		return invalidField("user_id", "This case is escalated to the supervisors: send it back to the reviewers before you hand it to "+to.Username+".")
	}
	now := db.now()
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET claimed_by = ?, claimed_at = ?, claim_touched_at = ? WHERE id = ?`,
		to.ID, now, now, caseID); err != nil {
		return fmt.Errorf("store: reassign case %d: %w", caseID, err)
	}
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "case.reassign",
		TargetType: "case", TargetID: fmt.Sprint(caseID), CaseID: caseID,
		Details: map[string]any{"from": s.ClaimedBy, "to": to.ID, "to_username": to.Username}}); err != nil {
		return err
	}
	return commit(tx, "reassign")
}

// RecordCaseView audits that actor opened the case, naming the archived media the page showed. It
// does not touch a claim: a page can be opened by a link from anywhere, so only the holder's
// actions keep a claim alive.
func (db *DB) RecordCaseView(ctx context.Context, actor Actor, caseID int64, media []int64) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: case view: %w", err)
	}
	defer tx.Rollback()
	var details map[string]any
	if len(media) > 0 {
		details = map[string]any{"media": media}
	}
	if err := db.appendAudit(ctx, tx, FormatTime(db.Now()), AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "case.view",
		TargetType: "case", TargetID: fmt.Sprint(caseID), CaseID: caseID, Details: details}); err != nil {
		return err
	}
	return commit(tx, "case view")
}

// checkDecision is every rule a decision must pass, in the order a reviewer should hear them:
// whether they may decide at all, whether the evidence they saw is still current, then the form.
func (db *DB) checkDecision(s caseState, in DecisionInput, now time.Time) error {
	rules := db.Rules()
	acts := rules.Actions(s.who, s.CaseFacts, now)
	if err := acts.Decide.Err(); err != nil {
		return err
	}
	if in.Outcome == OutcomeAllow {
		if err := acts.Allow.Err(); err != nil {
			return err
		}
	}
	if in.SeenDelivery != 0 && in.SeenDelivery != s.snapshotDelivery {
		return Errorf(KindConflict, "A new callback changed this case while you were looking at it. Review the new evidence, then decide again.")
	}
	if p := rules.decisionProblems(s.CaseFacts, in); p != nil {
		return FieldErrors(p)
	}
	return nil
}

// CheckDecision tells, without recording anything, whether Decide would accept in from actor now:
// nil, a conflict or forbidden *Error with its sentence, or field errors. Pages use it to show
// every problem at once; Decide checks again inside its transaction.
func (db *DB) CheckDecision(ctx context.Context, actor Actor, in DecisionInput) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("store: check decision: %w", err)
	}
	defer tx.Rollback()
	s, err := loadCaseState(ctx, tx, in.CaseID, actor)
	if err != nil {
		return err
	}
	if err := db.loadEvidenceFacts(ctx, tx, &s, in.CaseID); err != nil {
		return err
	}
	if s.Checklist, err = decisionChecklist(ctx, tx, in.CaseID, in.Outcome); err != nil {
		return err
	}
	return db.checkDecision(s, in, db.Now())
}

// Decide records actor's allow or decline. The case must be waiting for a decision and actor must
// hold a live claim on it. With four-eyes for the case's source the decision waits for a
// supervisor's approval; otherwise the case is decided. Either way the claim is released and the
// "changed after decision" marker cleared. The decision and its audit entry commit together.
func (db *DB) Decide(ctx context.Context, actor Actor, in DecisionInput) (Decision, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return Decision{}, fmt.Errorf("store: decide: %w", err)
	}
	defer tx.Rollback()
	s, err := loadCaseState(ctx, tx, in.CaseID, actor)
	if err != nil {
		return Decision{}, err
	}
	if err := db.loadEvidenceFacts(ctx, tx, &s, in.CaseID); err != nil {
		return Decision{}, err
	}
	if s.Checklist, err = decisionChecklist(ctx, tx, in.CaseID, in.Outcome); err != nil {
		return Decision{}, err
	}
	now := db.Now()
	if err := db.checkDecision(s, in, now); err != nil {
		return Decision{}, err
	}
	if err := db.endFlagsTx(ctx, tx, actor, in.CaseID, now); err != nil {
		return Decision{}, err
	}
	needsApproval := db.Rules().NeedsFourEyes(s.Source)
	at := FormatTime(now)
	var delivery any
	if s.snapshotDelivery != 0 {
		delivery = s.snapshotDelivery
	}
	face, err := faceMatchColumn(in.FaceMatch)
	if err != nil {
		return Decision{}, err
	}
	checklist, err := checklistColumn(s.Checklist)
	if err != nil {
		return Decision{}, err
	}
	// The label as offered now goes with the decision, so events name it even after the list changes.
	rc, _ := db.Rules().Reason(strings.TrimSpace(in.ReasonCode))
	r, err := tx.ExecContext(ctx, `INSERT INTO decisions (case_id, outcome, reason_code, note, decided_by, decided_at,
		needs_approval, delivery_id, face_match, reason_label, checklist) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.CaseID, in.Outcome, strings.TrimSpace(in.ReasonCode), strings.TrimSpace(in.Note), actor.ID, at, needsApproval, delivery, face,
		rc.Label, checklist)
	if err != nil {
		return Decision{}, fmt.Errorf("store: record decision: %w", err)
	}
	id, _ := r.LastInsertId()
	row, err := bindRow(ctx, tx, "decisions", id)
	if err != nil {
		return Decision{}, err
	}
	state := ReviewDecided
	if needsApproval {
		state = ReviewPendingApproval
	}
	var pendingSince any
	if needsApproval {
		pendingSince = at
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET review_state = ?, changed_after_decision = 0, pending_since = ?,
		claimed_by = NULL, claimed_at = NULL, claim_touched_at = NULL WHERE id = ?`, state, pendingSince, in.CaseID); err != nil {
		return Decision{}, fmt.Errorf("store: record decision: %w", err)
	}
	details := map[string]any{"decision": id, "row": row, "outcome": in.Outcome, "reason": strings.TrimSpace(in.ReasonCode),
		"note": strings.TrimSpace(in.Note), "needs_approval": needsApproval, "delivery": s.snapshotDelivery}
	if in.FaceMatch != nil {
		details["face_match"] = in.FaceMatch
	}
	if ev := archivedEvidence(s.Evidence); in.Outcome == OutcomeAllow && len(ev) > 0 {
		details["evidence"] = ev // the hashes the allow stood on
	}
	if len(s.Checklist) > 0 {
		details["checklist"] = s.Checklist
	}
	if err := db.appendAudit(ctx, tx, at, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "case.decision",
		TargetType: "case", TargetID: fmt.Sprint(in.CaseID), CaseID: in.CaseID, Details: details}); err != nil {
		return Decision{}, err
	}
	if err := db.dashAfterDecision(ctx, tx, id, s.Source, needsApproval, at); err != nil {
		return Decision{}, err
	}
	if err := enqueueEvent(ctx, tx, at, decisionEventType(needsApproval), in.CaseID); err != nil {
		return Decision{}, err
	}
	if err := db.commitEvents(tx, "decide"); err != nil {
		return Decision{}, err
	}
	return Decision{ID: id, CaseID: in.CaseID, Outcome: in.Outcome, ReasonCode: strings.TrimSpace(in.ReasonCode),
		Note: strings.TrimSpace(in.Note), DecidedBy: actor.ID, DecidedByName: actor.Name, DecidedAt: now,
		NeedsApproval: needsApproval, DeliveryID: s.snapshotDelivery, Checklist: s.Checklist}, nil
}

// pendingDecision is the decision a case in pending_approval waits on: its latest.
func pendingDecision(ctx context.Context, tx *sql.Tx, caseID int64) (id, decidedBy int64, err error) {
	err = tx.QueryRowContext(ctx, `SELECT id, decided_by FROM decisions WHERE case_id = ? ORDER BY id DESC LIMIT 1`, caseID).
		Scan(&id, &decidedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, Errorf(KindConflict, "This case has no decision to approve.")
	}
	if err != nil {
		return 0, 0, fmt.Errorf("store: pending decision of case %d: %w", caseID, err)
	}
	return id, decidedBy, nil
}

// Approve is a supervisor's second approval of a pending decision; the case becomes decided.
// The approver must be someone other than whoever made the decision.
// comment is optional and kept with the approval.
func (db *DB) Approve(ctx context.Context, actor Actor, caseID int64, comment string) error {
	comment = strings.TrimSpace(comment)
	if len(comment) > MaxNote {
		return invalidField("approve_comment", fmt.Sprintf("Keep the comment under %d characters.", MaxNote))
	}
	return db.secondLook(ctx, actor, caseID, VerdictApproved, comment)
}

// Return sends a pending decision back to the queue with the supervisor's reason; the decision
// stays on record and the case needs a new one.
func (db *DB) Return(ctx context.Context, actor Actor, caseID int64, reason string) error {
	return db.secondLook(ctx, actor, caseID, VerdictReturned, strings.TrimSpace(reason))
}

func (db *DB) secondLook(ctx context.Context, actor Actor, caseID int64, verdict, reason string) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %s: %w", verdict, err)
	}
	defer tx.Rollback()
	s, err := loadCaseState(ctx, tx, caseID, actor)
	if err != nil {
		return err
	}
	if err := db.loadEvidenceFacts(ctx, tx, &s, caseID); err != nil {
		return err
	}
	acts := db.Rules().Actions(s.who, s.CaseFacts, db.Now())
	perm, action := acts.Approve, "case.approve"
	if verdict == VerdictReturned {
		perm, action = acts.Return, "case.return"
	}
	if err := perm.Err(); err != nil {
		return err
	}
	if verdict == VerdictReturned && reason == "" {
		return invalidField("return_reason", "Say what the reviewer should look at again.")
	}
	decision, maker, err := pendingDecision(ctx, tx, caseID)
	if err != nil {
		return err
	}
	now := db.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO approvals (decision_id, verdict, reason, by_user, at) VALUES (?, ?, ?, ?, ?)`,
		decision, verdict, reason, actor.ID, now)
	if err != nil {
		return fmt.Errorf("store: record %s: %w", verdict, err)
	}
	approval, _ := res.LastInsertId()
	row, err := bindRow(ctx, tx, "approvals", approval)
	if err != nil {
		return err
	}
	if verdict == VerdictApproved {
		_, err = tx.ExecContext(ctx, `UPDATE cases SET review_state = 'decided', pending_since = NULL WHERE id = ?`, caseID)
	} else {
		// Sent back to the reviewer who made it, who holds the case again (when they still may
		// decide); it keeps its place and its waiting time: the customer has waited all along.
		_, err = tx.ExecContext(ctx, `UPDATE cases SET review_state = 'needs_decision', pending_since = NULL, claimed_by = m.id,
			claimed_at = CASE WHEN m.id IS NULL THEN NULL ELSE ?2 END, claim_touched_at = CASE WHEN m.id IS NULL THEN NULL ELSE ?2 END
			FROM (SELECT (SELECT id FROM users WHERE id = ?1 AND disabled = 0
				AND (',' || roles || ',' LIKE '%,reviewer,%' OR ',' || roles || ',' LIKE '%,supervisor,%')) AS id) AS m
			WHERE cases.id = ?3`, maker, now, caseID)
	}
	if err != nil {
		return fmt.Errorf("store: record %s: %w", verdict, err)
	}
	details := map[string]any{"decision": decision, "row": row}
	if reason != "" {
		details["reason"] = reason
	}
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: action,
		TargetType: "case", TargetID: fmt.Sprint(caseID), CaseID: caseID, Details: details}); err != nil {
		return err
	}
	if err := db.dashAfterSecondLook(ctx, tx, decision, verdict, now); err != nil {
		return err
	}
	if err := enqueueEvent(ctx, tx, now, verdictEventType(verdict), caseID); err != nil {
		return err
	}
	return db.commitEvents(tx, verdict)
}

// Reopen sends a decided case back for a new decision, with the supervisor's reason. Earlier
// decisions stay on record.
func (db *DB) Reopen(ctx context.Context, actor Actor, caseID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: reopen: %w", err)
	}
	defer tx.Rollback()
	s, err := loadCaseState(ctx, tx, caseID, actor)
	if err != nil {
		return err
	}
	if err := db.Rules().Actions(s.who, s.CaseFacts, db.Now()).Reopen.Err(); err != nil {
		return err
	}
	if reason == "" {
		return invalidField("reopen_reason", "Say why the case needs a new decision.")
	}
	now := db.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO reopens (case_id, reason, by_user, at) VALUES (?, ?, ?, ?)`,
		caseID, reason, actor.ID, now)
	if err != nil {
		return fmt.Errorf("store: reopen case %d: %w", caseID, err)
	}
	reopen, _ := res.LastInsertId()
	row, err := bindRow(ctx, tx, "reopens", reopen)
	if err != nil {
		return err
	}
	// Reopened: back in the queue at its original place, with its original waiting time.
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET review_state = 'needs_decision' WHERE id = ?`,
		caseID); err != nil {
		return fmt.Errorf("store: reopen case %d: %w", caseID, err)
	}
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "case.reopen",
		TargetType: "case", TargetID: fmt.Sprint(caseID), CaseID: caseID, Details: map[string]any{"reason": reason, "row": row}}); err != nil {
		return err
	}
	if err := dashAfterReopen(ctx, tx, caseID, now); err != nil {
		return err
	}
	if err := enqueueEvent(ctx, tx, now, EventReopened, caseID); err != nil {
		return err
	}
	return db.commitEvents(tx, "reopen")
}

func commit(tx *sql.Tx, what string) error {
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: %s: commit: %w", what, err)
	}
	return nil
}

// formatTTL renders a claim lifetime for a sentence: "30 minutes".
func formatTTL(d time.Duration) string {
	if d >= time.Hour && d%time.Hour == 0 {
		if d == time.Hour {
			return "1 hour"
		}
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return fmt.Sprintf("%d minutes", int(d.Minutes()))
}
