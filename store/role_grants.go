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

// Role grants. While four-eyes is on, the maker and the checker must be two people; an admin who
// could give two accounts of their own making the reviewer and supervisor roles would be both.
// So, when the rules ask for it and there is a second admin to ask, a grant of reviewer,
// supervisor or admin by an admin waits in role_grants until a different admin approves it. Roles taken
// away take effect at once. Accounts the desk or the command line sets up (no admin acting), and
// accounts whose roles come from the identity provider, are outside this path.

// Grant states.
const (
	GrantPending    = "pending"
	GrantApproved   = "approved"
	GrantRejected   = "rejected"
	GrantSuperseded = "superseded"
)

// RoleGrant is a change of an account's roles that waits for, or got, a second admin's word.
type RoleGrant struct {
	ID              int64
	UserID          int64
	Username        string
	Roles           []string // the whole role list the account gets when approved
	Current         []string // the roles the account holds now
	RequestedBy     int64
	RequestedByName string
	RequestedAt     time.Time
	State           string
}

// Added lists the roles the grant adds to what the account holds now.
func (g RoleGrant) Added() []string {
	var out []string
	for _, r := range g.Roles {
		if !slices.Contains(g.Current, r) {
			out = append(out, r)
		}
	}
	return out
}

// heldRoles are the roles whose grant waits: the two that make and check decisions, and admin,
// since a second admin account of one admin's making could approve that admin's grants.
var heldRoles = []string{RoleReviewer, RoleSupervisor, RoleAdmin}

// GrantApprovalInForce reports whether a grant of reviewer or supervisor by an admin waits for a
// second admin now, and says why when it does not.
func (db *DB) GrantApprovalInForce(ctx context.Context) (bool, string, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return false, "", fmt.Errorf("store: grant approval: %w", err)
	}
	defer tx.Rollback()
	return db.grantApprovalTx(ctx, tx)
}

func (db *DB) grantApprovalTx(ctx context.Context, tx *sql.Tx) (bool, string, error) {
	r := db.Rules()
	if !r.GrantApproval {
		return false, "Grants take effect at once: the setting is off.", nil
	}
	if !r.NeedsFourEyes(SourceVCIP) && !r.NeedsFourEyes(SourceMarkID) {
		return false, "Grants take effect at once: four-eyes is off for every source.", nil
	}
	n, err := countEnabledAdmins(ctx, tx)
	if err != nil {
		return false, "", err
	}
	if n < 2 {
		return false, "Grants take effect at once: there is no second enabled admin to approve them. The audit report lists cases whose maker and checker were set up by the same admin.", nil
	}
	return true, "", nil
}

// splitGrant decides, inside tx, which of the roles asked for take effect now and whether the rest
// wait for a second admin: it returns the roles to hold now and, when some wait, the whole list to
// record as a pending grant. current is what the account holds now (nil for a new account).
func (db *DB) splitGrant(ctx context.Context, tx *sql.Tx, actor Actor, current, asked []string) (now, pending []string, err error) {
	if actor.ID == 0 {
		return asked, nil, nil
	}
	var held []string
	for _, r := range asked {
		if slices.Contains(heldRoles, r) && !slices.Contains(current, r) {
			held = append(held, r)
		}
	}
	if len(held) == 0 {
		return asked, nil, nil
	}
	on, _, err := db.grantApprovalTx(ctx, tx)
	if err != nil || !on {
		return asked, nil, err
	}
	for _, r := range asked {
		if !slices.Contains(held, r) {
			now = append(now, r)
		}
	}
	return now, asked, nil
}

// recordGrant supersedes any grant still pending for the account and, when roles is not nil,
// records a new pending one inside tx. It returns the new grant's id (0: none).
func recordGrant(ctx context.Context, tx *sql.Tx, actor Actor, userID int64, roles []string, now string) (int64, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE role_grants SET state = 'superseded', decided_by = ?, decided_at = ?
		WHERE user_id = ? AND state = 'pending'`, nullID(actor.ID), now, userID); err != nil {
		return 0, fmt.Errorf("store: role grant: %w", err)
	}
	if roles == nil {
		return 0, nil
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO role_grants (user_id, roles, requested_by, requested_at) VALUES (?, ?, ?, ?)`,
		userID, strings.Join(roles, ","), actor.ID, now)
	if err != nil {
		return 0, fmt.Errorf("store: role grant: %w", err)
	}
	return r.LastInsertId()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// PendingGrants lists the grants waiting for a second admin, oldest first.
func (db *DB) PendingGrants(ctx context.Context) ([]RoleGrant, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT g.id, g.user_id, u.username, g.roles, u.roles, g.requested_by,
		COALESCE(NULLIF(r.display_name, ''), r.username, ''), g.requested_at, g.state
		FROM role_grants g JOIN users u ON u.id = g.user_id LEFT JOIN users r ON r.id = g.requested_by
		WHERE g.state = 'pending' ORDER BY g.id`)
	if err != nil {
		return nil, fmt.Errorf("store: pending grants: %w", err)
	}
	defer rows.Close()
	var out []RoleGrant
	for rows.Next() {
		var g RoleGrant
		var roles, current, at string
		if err := rows.Scan(&g.ID, &g.UserID, &g.Username, &roles, &current, &g.RequestedBy, &g.RequestedByName, &at, &g.State); err != nil {
			return nil, fmt.Errorf("store: pending grants: %w", err)
		}
		g.Roles, g.Current, g.RequestedAt = splitRoles(roles), splitRoles(current), ParseTime(at)
		out = append(out, g)
	}
	return out, rows.Err()
}

func splitRoles(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// DecideGrant is a second admin approving (or rejecting) a pending grant. The admin who asked for
// it, and the account it is for, cannot decide it. Approval gives the account the grant's roles
// and records who asked and who approved; either way the decision is audited.
func (db *DB) DecideGrant(ctx context.Context, actor Actor, grantID int64, approve bool) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: decide grant: %w", err)
	}
	defer tx.Rollback()
	var g RoleGrant
	var roles, current string
	err = tx.QueryRowContext(ctx, `SELECT g.user_id, u.username, g.roles, u.roles, g.requested_by, g.state
		FROM role_grants g JOIN users u ON u.id = g.user_id WHERE g.id = ?`, grantID).
		Scan(&g.UserID, &g.Username, &roles, &current, &g.RequestedBy, &g.State)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: grant %d: %w", grantID, errNoSuchThing)
	}
	if err != nil {
		return fmt.Errorf("store: decide grant: %w", err)
	}
	var myRoles string
	var disabled bool
	if err := tx.QueryRowContext(ctx, `SELECT roles, disabled FROM users WHERE id = ?`, actor.ID).Scan(&myRoles, &disabled); err != nil ||
		disabled || !slices.Contains(splitRoles(myRoles), RoleAdmin) {
		return Errorf(KindForbidden, "Only an enabled admin approves role grants.")
	}
	switch {
	case g.State != GrantPending:
		return Errorf(KindConflict, "This grant is no longer waiting: it was %s.", g.State)
	case actor.ID == g.RequestedBy:
		return Errorf(KindConflict, "You asked for this grant, so a different admin must approve it.")
	case actor.ID == g.UserID:
		return Errorf(KindConflict, "This grant is for your own account, so a different admin must approve it.")
	}
	now := db.now()
	state, action := GrantRejected, "user.grant_reject"
	details := map[string]any{"grant": grantID, "roles": splitRoles(roles), "requested_by": g.RequestedBy}
	if approve {
		state, action = GrantApproved, "user.grant_approve"
		if _, err := tx.ExecContext(ctx, `UPDATE users SET roles = ?, roles_changed_by = ?, roles_approved_by = ? WHERE id = ?`,
			roles, g.RequestedBy, actor.ID, g.UserID); err != nil {
			return fmt.Errorf("store: approve grant: %w", err)
		}
		details["roles_before"] = splitRoles(current)
		if details["row"], err = bindRow(ctx, tx, "users", g.UserID); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE role_grants SET state = ?, decided_by = ?, decided_at = ? WHERE id = ?`,
		state, actor.ID, now, grantID); err != nil {
		return fmt.Errorf("store: decide grant: %w", err)
	}
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: action,
		TargetType: "user", TargetID: g.Username, Details: details}); err != nil {
		return err
	}
	return tx.Commit()
}

// SameAdminPair is a second approval whose maker's and checker's accounts one admin created or last
// changed the roles of: one person could have been both.
type SameAdminPair struct {
	ApprovalID int64
	CaseID     int64
	Source     Source
	Ref        string
	Maker      string
	Checker    string
	Admin      string // who set up both accounts
	// GrantsApproved says a second admin approved the role grants of both accounts.
	GrantsApproved bool
	At             time.Time
}

// reportSameAdmin lists the period's approvals whose maker and checker accounts were created or last
// changed by the same admin.
func reportSameAdmin(ctx context.Context, tx *sql.Tx, lo, hi string, r *Report) error {
	rows, err := tx.QueryContext(ctx, `SELECT t.id, t.case_id, t.source, t.ref, t.maker, t.checker,
		COALESCE((SELECT COALESCE(NULLIF(x.display_name, ''), x.username) FROM users x WHERE x.id = t.admin), ''), t.approved, t.at
		FROM (SELECT a.id, d.case_id, c.source, c.ref, a.at,
			COALESCE(NULLIF(m.display_name, ''), m.username) AS maker, COALESCE(NULLIF(s.display_name, ''), s.username) AS checker,
			MIN(adm.id) AS admin, m.roles_approved_by IS NOT NULL AND s.roles_approved_by IS NOT NULL AS approved
			FROM approvals a JOIN decisions d ON d.id = a.decision_id JOIN cases c ON c.id = d.case_id
			JOIN users m ON m.id = d.decided_by JOIN users s ON s.id = a.by_user
			JOIN users adm ON adm.id IN (m.created_by, m.roles_changed_by) AND adm.id IN (s.created_by, s.roles_changed_by)
			WHERE a.at >= ? AND a.at < ? AND a.verdict = 'approved'
			GROUP BY a.id) t ORDER BY t.at, t.id`, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p SameAdminPair
		var at string
		if err := rows.Scan(&p.ApprovalID, &p.CaseID, &p.Source, &p.Ref, &p.Maker, &p.Checker, &p.Admin, &p.GrantsApproved, &at); err != nil {
			return err
		}
		p.At = ParseTime(at)
		r.SameAdmin = append(r.SameAdmin, p)
	}
	return rows.Err()
}
