package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Permission says whether a person may take one action on a case now and, when not, the
// sentence that tells them why.
type Permission struct {
	Allowed bool
	Kind    ErrorKind // why not: KindForbidden (the role) or KindConflict (the case's state)
	Why     string
}

// Err is nil when the action is allowed, and otherwise the *Error to return.
func (p Permission) Err() error {
	if p.Allowed {
		return nil
	}
	return &Error{Kind: p.Kind, Message: p.Why}
}

// CaseActions answers "what may this person do to this case now", one Permission per action. The
// case page's decision panel and the store's own checks both read it, so they cannot disagree.
type CaseActions struct {
	Claim, Release, Decide, Approve, Return, Reopen, Reassign Permission
	// Hold, Resume, Escalate and SendBack are the case flags (store/flags.go).
	Hold, Resume, Escalate, SendBack Permission
	// Allow is Decide with the outcome allow: it also needs the evidence the rules require.
	Allow Permission
}

// CaseFacts are what the rules read about a case.
type CaseFacts struct {
	Source       Source
	Overall      string
	ReviewState  string
	ClaimedBy    int64
	ClaimHolder  string
	ClaimTouched time.Time
	PendingMaker int64     // who made the decision waiting for a second approval
	HeldUntil    time.Time // the hold's date to come back; zero when the case is not on hold
	Escalated    bool      // escalated to the supervisors
	// PendingOutcome is that decision's outcome: approving an allow needs the evidence too.
	PendingOutcome string
	// Evidence is what became of the media the rules require before an allow (Rules.Evidence).
	Evidence []Evidence
	// Checklist is the case's checklist as the reviewer has left it (store/checklist.go); an allow
	// must satisfy it. Only read where a decision is checked.
	Checklist []ChecklistEntry
}

// Viewer is who wants to act: their id and roles.
type Viewer struct {
	ID    int64
	Roles []string
}

func (p Viewer) has(roles ...string) bool {
	for _, r := range roles {
		if slices.Contains(p.Roles, r) {
			return true
		}
	}
	return false
}

// ClaimLive reports whether the case's claim still holds at now.
func (r Rules) ClaimLive(f CaseFacts, now time.Time) bool {
	return f.ClaimedBy != 0 && !f.ClaimTouched.Before(now.Add(-r.ClaimTTL))
}

var allowed = Permission{Allowed: true}

func conflict(format string, args ...any) Permission {
	return Permission{Kind: KindConflict, Why: fmt.Sprintf(format, args...)}
}

func forbidden(why string) Permission { return Permission{Kind: KindForbidden, Why: why} }

// Actions says what who may do to the case described by f at now.
func (r Rules) Actions(who Viewer, f CaseFacts, now time.Time) CaseActions {
	var a CaseActions
	live := r.ClaimLive(f, now)
	decider := who.has(RoleReviewer, RoleSupervisor)
	sup := who.has(RoleSupervisor)
	notDecider := forbidden("Only reviewers and supervisors decide cases.")
	notSup := forbidden("Only a supervisor can do this.")

	waiting := waitingConflict(f.ReviewState)
	switch {
	case !decider:
		a.Claim, a.Decide = notDecider, notDecider
	case waiting != nil:
		a.Claim, a.Decide = *waiting, *waiting
	case f.Escalated && !sup:
		a.Claim, a.Decide = escalatedConflict(), escalatedConflict()
	case live && f.ClaimedBy != who.ID:
		held := conflict("%s is working on this case. Ask them to release it, or a supervisor to reassign it.", f.ClaimHolder)
		a.Claim, a.Decide = held, held
	case !live && f.ClaimedBy == who.ID:
		a.Claim = allowed
		a.Decide = conflict("Your claim on this case expired after %s without activity. Claim it again, check the evidence, then decide.", formatTTL(r.ClaimTTL))
	case !live:
		a.Claim = allowed
		a.Decide = conflict("Claim this case before you decide it, so nobody else works on it at the same time.")
	default: // the person's own live claim: claiming again refreshes it
		a.Claim, a.Decide = allowed, allowed
	}

	a.Allow = a.Decide
	if a.Decide.Allowed {
		if why := r.missingEvidence(f); why != "" {
			a.Allow = conflict("%s You can decline (for example as “recording unavailable”), or wait until it is archived.", why)
		}
	}

	a.Release = allowed
	if f.ClaimedBy != who.ID {
		a.Release = conflict("You do not hold this case, so there is nothing to release.")
	}

	r.flagPermissions(&a, who, f, now)
	switch {
	case !sup:
		a.Approve, a.Return, a.Reassign, a.Reopen = notSup, notSup, notSup, notSup
		return a
	case f.ReviewState != ReviewPendingApproval:
		a.Approve = conflict("This case has no decision waiting for a second approval.")
		a.Return = a.Approve
	case f.PendingMaker == who.ID:
		a.Approve = conflict("You made this decision, so a different supervisor must give the second approval.")
		a.Return = a.Approve
	default:
		a.Approve, a.Return = allowed, allowed
		if why := r.missingEvidence(f); why != "" && f.PendingOutcome == OutcomeAllow {
			a.Approve = conflict("%s Return the decision, or approve once it is archived.", why)
		}
	}
	a.Reassign = allowed
	if waiting != nil {
		a.Reassign = *waiting
	}
	a.Reopen = allowed
	if f.ReviewState != ReviewDecided {
		a.Reopen = conflict("Only a decided case can be reopened.")
	}
	return a
}

// waitingConflict explains why a case in state cannot be claimed or decided; nil when it can.
func waitingConflict(state string) *Permission {
	var p Permission
	switch state {
	case ReviewNeedsDecision:
		return nil
	case ReviewPendingApproval:
		p = conflict("This case already has a decision waiting for a second approval.")
	case ReviewDecided:
		p = conflict("This case is already decided. A supervisor can reopen it.")
	case ReviewInformational:
		p = conflict("This case needs no decision: the vendor's result stands on its own.")
	default:
		p = conflict("This case is not waiting for a decision.")
	}
	return &p
}

// caseState is what the rules read about a case and the person acting, inside a transaction.
type caseState struct {
	CaseFacts
	snapshotDelivery int64
	who              Viewer
}

// loadCaseState reads the case and the acting person's current roles (a role removed a moment ago
// no longer counts) inside tx.
func loadCaseState(ctx context.Context, tx *sql.Tx, id int64, actor Actor) (caseState, error) {
	var s caseState
	var touched, heldUntil string
	err := tx.QueryRowContext(ctx, `SELECT c.source, c.overall, c.review_state, COALESCE(c.snapshot_delivery, 0),
		COALESCE(c.held_until, ''), c.escalated_at IS NOT NULL,
		COALESCE(c.claimed_by, 0), COALESCE(NULLIF(u.display_name, ''), u.username, ''), COALESCE(c.claim_touched_at, ''),
		CASE WHEN c.review_state = 'pending_approval'
			THEN COALESCE((SELECT decided_by FROM decisions WHERE case_id = c.id ORDER BY id DESC LIMIT 1), 0) ELSE 0 END
		FROM cases c LEFT JOIN users u ON u.id = c.claimed_by WHERE c.id = ?`, id).
		Scan(&s.Source, &s.Overall, &s.ReviewState, &s.snapshotDelivery, &heldUntil, &s.Escalated, &s.ClaimedBy, &s.ClaimHolder, &touched, &s.PendingMaker)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("store: case %d: %w", id, errNoSuchThing)
	}
	if err != nil {
		return s, fmt.Errorf("store: case %d: %w", id, err)
	}
	if touched != "" {
		s.ClaimTouched = ParseTime(touched)
	}
	if heldUntil != "" {
		s.HeldUntil = ParseTime(heldUntil)
	}
	s.who = Viewer{ID: actor.ID}
	if actor.ID != 0 {
		var roles string
		var disabled bool
		err := tx.QueryRowContext(ctx, `SELECT roles, disabled FROM users WHERE id = ?`, actor.ID).Scan(&roles, &disabled)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return s, fmt.Errorf("store: roles of user %d: %w", actor.ID, err)
		}
		if err == nil && !disabled {
			s.who.Roles = strings.Split(roles, ",")
		}
	}
	return s, nil
}

// Facts are what the rules read about the case; pendingMaker is who made the decision waiting for
// a second approval (0: none).
func (rec CaseRecord) Facts(pendingMaker int64) CaseFacts {
	f := CaseFacts{Source: rec.Source, Overall: rec.Overall, ReviewState: rec.ReviewState, ClaimedBy: rec.ClaimedBy,
		ClaimHolder: rec.ClaimedByName, ClaimTouched: rec.ClaimTouchedAt, PendingMaker: pendingMaker, Escalated: rec.Escalation != nil}
	if rec.Hold != nil {
		f.HeldUntil = rec.Hold.Until
	}
	return f
}

// CaseActions says what who may do to the case now, by the rules in force.
func (db *DB) CaseActions(rec CaseRecord, who Viewer, pendingMaker int64) CaseActions {
	return db.Rules().Actions(who, rec.Facts(pendingMaker), db.Now())
}
