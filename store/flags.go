package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Case flags: a hold pauses a case's SLA clock until a date to come back, and an escalation sends
// the case to the supervisors. Both are recorded in case_flags for the timeline (never edited), and
// what is in force now is on the case row (held_at, held_until, escalated_at).

// Kinds of case flag.
const (
	FlagHold     = "hold"
	FlagResume   = "resume"
	FlagEscalate = "escalate"
	FlagSendBack = "send_back"
)

// MaxHold is the longest a case can be put on hold at once.
const MaxHold = 30 * 24 * time.Hour

// MaxFlagReason bounds the reason given for a hold or an escalation.
const MaxFlagReason = 500

// CaseHold is a hold in force: since when, until when, by whom and why.
type CaseHold struct {
	Since, Until time.Time
	By           int64
	ByName       string
	Reason       string
}

// Due reports whether the hold's date to come back has been reached.
func (h *CaseHold) Due(now time.Time) bool { return h != nil && !now.Before(h.Until) }

// CaseEscalation is an escalation to the supervisors in force.
type CaseEscalation struct {
	Since  time.Time
	By     int64
	ByName string
	Reason string
}

// CaseFlag is one hold, resume, escalation or send-back in a case's timeline.
type CaseFlag struct {
	ID     int64
	CaseID int64
	Kind   string
	By     int64 // 0: the desk itself
	ByName string
	At     time.Time
	Reason string
	Until  time.Time // a hold's date to come back
}

// pausedFor is how long a hold placed at heldAt, until until, has stopped the SLA clock of a case
// waiting since waiting, at now. A hold counts only from when the case last started to wait (a new
// vendor callback may restart the wait) and only up to its date to come back.
func pausedFor(waiting, heldAt, until, now time.Time) time.Duration {
	if heldAt.IsZero() {
		return 0
	}
	from, to := heldAt, now
	if waiting.After(from) {
		from = waiting
	}
	if until.Before(to) {
		to = until
	}
	if to.Before(from) {
		return 0
	}
	return to.Sub(from)
}

// Waited is how long the case has waited at now on its SLA clock: the time since it started to wait,
// less any hold in force.
func (c CaseRecord) Waited(now time.Time) time.Duration {
	var heldAt, until time.Time
	if c.Hold != nil {
		heldAt, until = c.Hold.Since, c.Hold.Until
	}
	return max(0, now.Sub(c.WaitingSince)-pausedFor(c.WaitingSince, heldAt, until, now))
}

// Waited is how long the queue row's case has waited at now on its SLA clock (see CaseRecord.Waited).
func (r QueueRow) Waited(now time.Time) time.Duration {
	return max(0, now.Sub(r.WaitingSince)-pausedFor(r.WaitingSince, r.HeldAt, r.HeldUntil, now))
}

// flagPermissions fills in who may hold, resume, escalate or send back the case described by f.
func (r Rules) flagPermissions(a *CaseActions, who Viewer, f CaseFacts, now time.Time) {
	decider, sup := who.has(RoleReviewer, RoleSupervisor), who.has(RoleSupervisor)
	notDecider := forbidden("Only reviewers and supervisors hold or escalate cases.")
	live := r.ClaimLive(f, now)
	byOther := live && f.ClaimedBy != who.ID
	waiting := waitingConflict(f.ReviewState)
	switch {
	case !decider:
		a.Hold, a.Escalate = notDecider, notDecider
	case waiting != nil:
		a.Hold, a.Escalate = *waiting, *waiting
	case byOther && !sup:
		busy := conflict("%s is working on this case: only they or a supervisor can hold or escalate it.", f.ClaimHolder)
		a.Hold, a.Escalate = busy, busy
	default:
		a.Hold, a.Escalate = allowed, allowed
		if f.Escalated && !sup {
			a.Hold = conflict("This case is escalated to the supervisors: a supervisor decides whether it waits.")
		}
		if !f.HeldUntil.IsZero() && now.Before(f.HeldUntil) {
			a.Hold = conflict("This case is already on hold until %s. Resume it first to change the date.", f.HeldUntil.UTC().Format("2 Jan 2006 15:04 UTC"))
		}
		switch {
		case f.Escalated:
			a.Escalate = conflict("This case is already escalated to the supervisors.")
		case sup:
			a.Escalate = conflict("You are a supervisor: decide the case, or ask another supervisor in a note.")
		}
	}
	switch {
	case !decider:
		a.Resume = notDecider
	case f.HeldUntil.IsZero():
		a.Resume = conflict("This case is not on hold.")
	case waiting != nil:
		a.Resume = *waiting
	case byOther && !sup:
		a.Resume = conflict("%s is working on this case: only they or a supervisor can resume it.", f.ClaimHolder)
	default:
		a.Resume = allowed
	}
	switch {
	case !sup:
		a.SendBack = forbidden("Only a supervisor sends an escalated case back to the reviewers.")
	case !f.Escalated:
		a.SendBack = conflict("This case is not escalated.")
	default:
		a.SendBack = allowed
	}
}

// escalatedConflict is why a reviewer who is not a supervisor cannot claim or decide an escalated case.
func escalatedConflict() Permission {
	return conflict("This case is escalated to the supervisors: a supervisor decides it, or sends it back to the reviewers.")
}

func flagReason(reason, what string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", invalidField("flag_reason", "Say why "+what+": the next person to open the case reads it.")
	case len(reason) > MaxFlagReason:
		return "", invalidField("flag_reason", fmt.Sprintf("Keep the reason under %d characters.", MaxFlagReason))
	}
	return reason, nil
}

// addFlag records one case flag and its audit entry inside tx, returning the flag's id.
func (db *DB) addFlag(ctx context.Context, tx *sql.Tx, actor Actor, caseID int64, kind, reason string, until time.Time, now string,
	details map[string]any) error {
	var by, untilCol any
	if actor.ID != 0 {
		by = actor.ID
	}
	if !until.IsZero() {
		untilCol = FormatTime(until)
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO case_flags (case_id, kind, by_user, at, reason, until) VALUES (?, ?, ?, ?, ?, ?)`,
		caseID, kind, by, now, reason, untilCol)
	if err != nil {
		return fmt.Errorf("store: case %d %s: %w", caseID, kind, err)
	}
	id, _ := r.LastInsertId()
	if details == nil {
		details = map[string]any{}
	}
	// The audit entry names the flag by id and the reason by its length: the words stay in its row.
	details["flag"] = id
	if reason != "" {
		details["chars"] = len(reason)
	}
	return db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "case." + kind,
		TargetType: "case", TargetID: fmt.Sprint(caseID), CaseID: caseID, Details: details})
}

// endHoldTx ends the hold on the case, if any, inside tx: the time it paused the SLA clock moves the
// case's waiting start forward, so the wait counts only the time the case was not on hold. why says
// what ended it ("resumed", "claimed", "decided"); a hold whose date passed ends the same way.
func (db *DB) endHoldTx(ctx context.Context, tx *sql.Tx, actor Actor, caseID int64, now time.Time, why string) error {
	var heldAt, until, waiting sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT held_at, held_until, waiting_since FROM cases WHERE id = ?`, caseID).
		Scan(&heldAt, &until, &waiting); err != nil {
		return fmt.Errorf("store: case %d hold: %w", caseID, err)
	}
	if !heldAt.Valid {
		return nil
	}
	w := ParseTime(waiting.String)
	paused := pausedFor(w, ParseTime(heldAt.String), ParseTime(until.String), now)
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET held_at = NULL, held_until = NULL, waiting_since = ? WHERE id = ?`,
		FormatTime(w.Add(paused)), caseID); err != nil {
		return fmt.Errorf("store: case %d hold: %w", caseID, err)
	}
	return db.addFlag(ctx, tx, actor, caseID, FlagResume, "", time.Time{}, FormatTime(now),
		map[string]any{"why": why, "paused_seconds": int64(paused.Seconds())})
}

// flagOp runs one flag change: it loads the case and the actor inside a transaction, checks the
// permission the rules give, and commits what do wrote.
func (db *DB) flagOp(ctx context.Context, actor Actor, caseID int64, what string, perm func(CaseActions) Permission,
	do func(tx *sql.Tx, s caseState, now time.Time) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	defer tx.Rollback()
	s, err := loadCaseState(ctx, tx, caseID, actor)
	if err != nil {
		return err
	}
	now := db.Now()
	if err := perm(db.Rules().Actions(s.who, s.CaseFacts, now)).Err(); err != nil {
		return err
	}
	if err := do(tx, s, now); err != nil {
		return err
	}
	return commit(tx, what)
}

// Hold puts the case on hold until the given time, with a reason: its SLA clock stops, "next case"
// passes it by until then, and whoever held a claim on it lets it go. until must be in the future
// and at most MaxHold away.
func (db *DB) Hold(ctx context.Context, actor Actor, caseID int64, until time.Time, reason string) error {
	reason, err := flagReason(reason, "the case waits")
	if err != nil {
		return err
	}
	now := db.Now()
	switch {
	case until.IsZero():
		return invalidField("hold_until", "Choose the date to come back to the case.")
	case !until.After(now):
		return invalidField("hold_until", "Choose a date to come back that is still ahead.")
	case until.Sub(now) > MaxHold:
		return invalidField("hold_until", fmt.Sprintf("Hold a case for at most %d days; hold it again then if it must wait longer.", int(MaxHold.Hours()/24)))
	}
	return db.flagOp(ctx, actor, caseID, "hold", func(a CaseActions) Permission { return a.Hold }, func(tx *sql.Tx, s caseState, now time.Time) error {
		// A hold whose date has passed is still on the row: end it first, so its pause counts once.
		if err := db.endHoldTx(ctx, tx, actor, caseID, now, "held again"); err != nil {
			return err
		}
		at := FormatTime(now)
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET held_at = ?, held_until = ?, claimed_by = NULL, claimed_at = NULL,
			claim_touched_at = NULL WHERE id = ?`, at, FormatTime(until), caseID); err != nil {
			return fmt.Errorf("store: hold case %d: %w", caseID, err)
		}
		return db.addFlag(ctx, tx, actor, caseID, FlagHold, reason, until, at, map[string]any{"until": FormatTime(until)})
	})
}

// Resume ends the case's hold now: its SLA clock runs again.
func (db *DB) Resume(ctx context.Context, actor Actor, caseID int64) error {
	return db.flagOp(ctx, actor, caseID, "resume", func(a CaseActions) Permission { return a.Resume }, func(tx *sql.Tx, s caseState, now time.Time) error {
		return db.endHoldTx(ctx, tx, actor, caseID, now, "resumed")
	})
}

// Escalate sends the case to the supervisors with a reason: until a supervisor decides it or sends
// it back, only supervisors claim and decide it. The escalating reviewer's claim is let go.
func (db *DB) Escalate(ctx context.Context, actor Actor, caseID int64, reason string) error {
	reason, err := flagReason(reason, "the case needs a supervisor")
	if err != nil {
		return err
	}
	return db.flagOp(ctx, actor, caseID, "escalate", func(a CaseActions) Permission { return a.Escalate }, func(tx *sql.Tx, s caseState, now time.Time) error {
		at := FormatTime(now)
		release := ""
		if s.ClaimedBy != 0 && !s.who.has(RoleSupervisor) {
			release = `, claimed_by = NULL, claimed_at = NULL, claim_touched_at = NULL`
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET escalated_at = ?`+release+` WHERE id = ?`, at, caseID); err != nil {
			return fmt.Errorf("store: escalate case %d: %w", caseID, err)
		}
		return db.addFlag(ctx, tx, actor, caseID, FlagEscalate, reason, time.Time{}, at, nil)
	})
}

// SendBack is a supervisor returning an escalated case to the reviewers, with a reason.
func (db *DB) SendBack(ctx context.Context, actor Actor, caseID int64, reason string) error {
	reason, err := flagReason(reason, "the reviewers can decide it")
	if err != nil {
		return err
	}
	return db.flagOp(ctx, actor, caseID, "send back", func(a CaseActions) Permission { return a.SendBack }, func(tx *sql.Tx, s caseState, now time.Time) error {
		at := FormatTime(now)
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET escalated_at = NULL WHERE id = ?`, caseID); err != nil {
			return fmt.Errorf("store: send back case %d: %w", caseID, err)
		}
		return db.addFlag(ctx, tx, actor, caseID, FlagSendBack, reason, time.Time{}, at, nil)
	})
}

// endFlagsTx ends any hold and escalation as the case is decided, inside the decision's transaction.
func (db *DB) endFlagsTx(ctx context.Context, tx *sql.Tx, actor Actor, caseID int64, now time.Time) error {
	if err := db.endHoldTx(ctx, tx, actor, caseID, now, "decided"); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET escalated_at = NULL WHERE id = ? AND escalated_at IS NOT NULL`, caseID); err != nil {
		return fmt.Errorf("store: case %d escalation: %w", caseID, err)
	}
	return nil
}

// CaseFlags lists a case's holds, resumes, escalations and send-backs, oldest first.
func (db *DB) CaseFlags(ctx context.Context, caseID int64) ([]CaseFlag, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT f.id, f.case_id, f.kind, COALESCE(f.by_user, 0),
		COALESCE(NULLIF(u.display_name, ''), u.username, ''), f.at, f.reason, COALESCE(f.until, '')
		FROM case_flags f LEFT JOIN users u ON u.id = f.by_user WHERE f.case_id = ? ORDER BY f.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case %d flags: %w", caseID, err)
	}
	defer rows.Close()
	var out []CaseFlag
	for rows.Next() {
		var f CaseFlag
		var at, until string
		if err := rows.Scan(&f.ID, &f.CaseID, &f.Kind, &f.By, &f.ByName, &at, &f.Reason, &until); err != nil {
			return nil, fmt.Errorf("store: case %d flags: %w", caseID, err)
		}
		f.At = ParseTime(at)
		if until != "" {
			f.Until = ParseTime(until)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// caseFlagsNow fills in the hold and the escalation in force on c from its row and its newest flags.
func (db *DB) caseFlagsNow(ctx context.Context, c *CaseRecord) error {
	var heldAt, until, escalated sql.NullString
	if err := db.read.QueryRowContext(ctx, `SELECT held_at, held_until, escalated_at FROM cases WHERE id = ?`, c.ID).
		Scan(&heldAt, &until, &escalated); err != nil {
		return fmt.Errorf("store: case %d flags: %w", c.ID, err)
	}
	if !heldAt.Valid && !escalated.Valid {
		return nil
	}
	latest := func(kind string) (CaseFlag, error) {
		var f CaseFlag
		var at string
		err := db.read.QueryRowContext(ctx, `SELECT COALESCE(f.by_user, 0), COALESCE(NULLIF(u.display_name, ''), u.username, ''),
			f.at, f.reason FROM case_flags f LEFT JOIN users u ON u.id = f.by_user
			WHERE f.case_id = ? AND f.kind = ? ORDER BY f.id DESC LIMIT 1`, c.ID, kind).Scan(&f.By, &f.ByName, &at, &f.Reason)
		if err != nil && err != sql.ErrNoRows {
			return f, fmt.Errorf("store: case %d flags: %w", c.ID, err)
		}
		f.At = ParseTime(at)
		return f, nil
	}
	if heldAt.Valid {
		f, err := latest(FlagHold)
		if err != nil {
			return err
		}
		c.Hold = &CaseHold{Since: ParseTime(heldAt.String), Until: ParseTime(until.String), By: f.By, ByName: f.ByName, Reason: f.Reason}
	}
	if escalated.Valid {
		f, err := latest(FlagEscalate)
		if err != nil {
			return err
		}
		c.Escalation = &CaseEscalation{Since: ParseTime(escalated.String), By: f.By, ByName: f.ByName, Reason: f.Reason}
	}
	return nil
}
