package web

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

// bcryptCost is the configured password hashing cost, or the default.
func (a *App) bcryptCost() int {
	if a.cfg.BcryptCost <= 0 {
		return store.DefaultBcryptCost
	}
	return a.cfg.BcryptCost
}

// handleUsers lists the accounts beside the add-a-user form.
func (a *App) handleUsers(c echo.Context) error {
	return a.renderUsers(c, http.StatusOK, views.NewUserForm{PasswordMode: "generate"}, "")
}

// renderUsers shows the users page with the add form as given and, optionally, a page-level error.
func (a *App) renderUsers(c echo.Context, status int, form views.NewUserForm, pageErr string) error {
	users, err := a.db.ListUsers(c.Request().Context())
	if err != nil {
		return err
	}
	p := a.page(c, "Users", "admin")
	p.Error = pageErr
	v := views.UsersPage{Users: users, Me: currentUser(c).ID, Now: a.cfg.Now(), Form: form}
	if v.SSO, v.MFA, err = a.signInFacts(c.Request().Context()); err != nil {
		return err
	}
	if v.Grants, err = a.db.PendingGrants(c.Request().Context()); err != nil {
		return err
	}
	return a.render(c, status, views.Users(p, v))
}

// formRoles reads the role checkboxes, keeping known roles in display order.
func formRoles(c echo.Context) []string {
	values, _ := c.FormParams()
	picked := values["roles"]
	var out []string
	for _, r := range store.AllRoles {
		if slices.Contains(picked, r) {
			out = append(out, r)
		}
	}
	return out
}

// handleUserCreate adds an account. A generated password is shown once on the result page; it is
// rendered, not redirected to, so it never travels in a URL or sits in a session.
func (a *App) handleUserCreate(c echo.Context) error {
	ctx := c.Request().Context()
	f := views.NewUserForm{
		Username:     strings.TrimSpace(c.FormValue("username")),
		DisplayName:  strings.TrimSpace(c.FormValue("display_name")),
		Roles:        formRoles(c),
		PasswordMode: c.FormValue("password_mode"),
		Errors:       map[string]string{},
	}
	if f.PasswordMode != "type" {
		f.PasswordMode = "generate"
	}
	password := c.FormValue("password")
	if !store.ValidUsername(f.Username) {
		f.Errors["username"] = "A username is 2 to 64 letters, digits or . _ - @, without spaces."
	}
	if len(f.DisplayName) > 200 {
		f.Errors["display_name"] = "Keep the display name under 200 characters."
	}
	if len(f.Roles) == 0 {
		f.Errors["roles"] = "Choose at least one role."
	}
	shown := ""
	if f.PasswordMode == "type" {
		if len(password) < store.MinPasswordLen || len(password) > store.MaxPasswordLen {
			f.Errors["password"] = "A password must be " + strconv.Itoa(store.MinPasswordLen) + " to " + strconv.Itoa(store.MaxPasswordLen) + " characters long."
		}
	} else {
		var err error
		if password, err = store.GeneratePassword(); err != nil {
			return err
		}
		shown = password
	}
	if len(f.Errors) > 0 {
		return a.renderUsers(c, http.StatusUnprocessableEntity, f, "")
	}
	hash, err := store.HashPassword(password, a.bcryptCost())
	if err != nil {
		return err
	}
	u, err := a.db.CreateUser(ctx, actor(c), f.Username, f.DisplayName, hash, f.Roles)
	if errors.Is(err, store.ErrConflict) {
		f.Errors["username"] = "The username " + f.Username + " is taken. Choose another."
		return a.renderUsers(c, http.StatusUnprocessableEntity, f, "")
	}
	if fields, ok := fieldErrors(err, "username"); ok {
		maps.Copy(f.Errors, fields)
		return a.renderUsers(c, http.StatusUnprocessableEntity, f, "")
	}
	if err != nil {
		return err
	}
	p := a.page(c, "User added", "admin")
	var waiting []string
	for _, r := range f.Roles {
		if !u.Has(r) {
			waiting = append(waiting, r)
		}
	}
	return a.render(c, http.StatusOK, views.UserPassword(p, views.PasswordShown{Username: u.Username, Password: shown, Created: true,
		Roles: u.Roles, Waiting: waiting}))
}

// handleUserUpdate applies one operation to an account: roles, disable, enable or reset.
func (a *App) handleUserUpdate(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	target, err := a.db.UserByID(ctx, id)
	if err != nil {
		return err
	}
	me := currentUser(c)
	self := target.ID == me.ID
	refuse := func(msg string) error {
		return a.renderUsers(c, http.StatusConflict, views.NewUserForm{PasswordMode: "generate"}, msg)
	}
	var ch store.UserChange
	switch op := c.FormValue("op"); op {
	case "roles":
		roles := formRoles(c)
		if len(roles) == 0 {
			return a.renderUsers(c, http.StatusUnprocessableEntity, views.NewUserForm{PasswordMode: "generate"},
				"Choose at least one role for "+target.Username+". To stop someone signing in, disable the account instead.")
		}
		if a.isSSOAccount(ctx, target.ID) {
			return refuse(target.Username + " signs in through the identity provider: their roles come from their groups there, at every sign-in.")
		}
		if self {
			// Granting yourself reviewer or supervisor would let one person be maker and checker.
			return refuse("You cannot change your own roles: another admin must do it, so nobody grants themselves access or removes the last admin by accident.")
		}
		ch.Roles = roles
	case "disable":
		if self {
			return refuse("You cannot disable your own account. Ask another admin.")
		}
		disabled := true
		ch.Disabled = &disabled
	case "enable":
		disabled := false
		ch.Disabled = &disabled
	case "mfa-reset":
		return a.handleMFAReset(c, target)
	case "reset":
		if a.isSSOAccount(ctx, target.ID) {
			return refuse(target.Username + " signs in through the identity provider and has no password here.")
		}
		pw, err := store.GeneratePassword()
		if err != nil {
			return err
		}
		hash, err := store.HashPassword(pw, a.bcryptCost())
		if err != nil {
			return err
		}
		ch.PasswordHash = &hash
		if err := a.db.UpdateUser(ctx, actor(c), id, ch); err != nil {
			return err
		}
		p := a.page(c, "Password reset", "admin")
		return a.render(c, http.StatusOK, views.UserPassword(p, views.PasswordShown{Username: target.Username, Password: pw}))
	default:
		return echo.NewHTTPError(http.StatusBadRequest, "Unknown change. Use the buttons on the users page.")
	}
	if err := a.db.UpdateUser(ctx, actor(c), id, ch); err != nil {
		return err
	}
	flash := "user"
	if ch.Roles != nil {
		if now, err := a.db.UserByID(ctx, id); err == nil && !slices.Equal(now.Roles, ch.Roles) {
			flash = "grant-waiting"
		}
	}
	if ch.Disabled != nil && *ch.Disabled {
		flash = "user-disabled"
	} else if ch.Disabled != nil {
		flash = "user-enabled"
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users?flash="+flash)
}

// handleGrantDecision is a second admin approving or rejecting a role grant.
func (a *App) handleGrantDecision(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	approve := c.FormValue("verdict") == "approve"
	if err := a.db.DecideGrant(c.Request().Context(), actor(c), id, approve); err != nil {
		if e, ok := store.AsError(err); ok && (e.Kind == store.KindConflict || e.Kind == store.KindForbidden) {
			return a.renderUsers(c, statusOf(e.Kind), views.NewUserForm{PasswordMode: "generate"}, e.Message)
		}
		return err
	}
	if approve {
		return c.Redirect(http.StatusSeeOther, "/admin/users?flash=grant-approved")
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users?flash=grant-rejected")
}
