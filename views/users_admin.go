package views

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// UsersPage is the admin's list of accounts beside the form that adds one.
type UsersPage struct {
	Users []store.User
	// Me is the signed-in admin, who cannot disable themself or drop their own admin role.
	Me   int64
	Now  time.Time
	Form NewUserForm
	// SSO holds the provider identity of the accounts that sign in through it; MFA the accounts
	// with an authenticator app set up.
	SSO map[int64]store.Identity
	MFA map[int64]bool
	// Grants are the role grants waiting for a second admin; GrantRule says, when grants take effect
	// at once, why.
	Grants    []store.RoleGrant
	GrantRule string
}

// NewUserForm is the add-a-user form as submitted, with a sentence per field that needs fixing.
type NewUserForm struct {
	Username    string
	DisplayName string
	Roles       []string
	// PasswordMode is "generate" (the default) or "type".
	PasswordMode string
	Errors       map[string]string
}

// PasswordShown is the one time a new or reset password is displayed.
type PasswordShown struct {
	Username string
	Password string
	// Created is true for a new account, false for a reset.
	Created bool
	Roles   []string
	// Waiting are the roles asked for that wait for a second admin's approval.
	Waiting []string
}

// admRoleHints says in a few words what each role may do.
var admRoleHints = map[string]string{
	store.RoleReviewer:   "claims and decides cases",
	store.RoleSupervisor: "second approvals, reopen, reassign",
	store.RoleAdmin:      "users and ingest health",
	store.RoleAuditor:    "reads the audit log and reports",
}

func admRoleHint(role string) string { return admRoleHints[role] }

func admHasRole(roles []string, role string) bool { return slices.Contains(roles, role) }

// admUserState is the account's state and its status class; an active account is the normal case
// and gets no colour.
func admUserState(u store.User, now time.Time) (string, string) {
	switch {
	case u.Disabled:
		return "disabled", StatusGrey
	case u.LockedUntil.After(now):
		return "locked", StatusAmber
	}
	return "active", ""
}

func admStateLabel(u store.User, now time.Time) string { l, _ := admUserState(u, now); return l }
func admStateClass(u store.User, now time.Time) string { _, c := admUserState(u, now); return c }

// admLockedUntil is the lock's end while it lasts, else zero (LocalTime shows a dash).
func admLockedUntil(u store.User, now time.Time) time.Time {
	if u.LockedUntil.After(now) {
		return u.LockedUntil
	}
	return time.Time{}
}

func (f NewUserForm) typing() bool { return f.PasswordMode == "type" }

func admCheckboxID(prefix string, id int64, role string) string {
	return prefix + "-" + strconv.FormatInt(id, 10) + "-" + role
}

func admJoinRoles(roles []string) string { return strings.Join(roles, ", ") }

// grantFor is the grant waiting for the account, if any.
func (v UsersPage) grantFor(id int64) *store.RoleGrant {
	for i := range v.Grants {
		if v.Grants[i].UserID == id {
			return &v.Grants[i]
		}
	}
	return nil
}
