package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/kycdesk/kycdesk/store"
)

// fastHashes makes passwords hashed on the users page cheap, as the test helpers' are.
func fastHashes() testAppOption {
	return withConfig(func(c *Config) { c.BcryptCost = bcrypt.MinCost })
}

// TestAdminAuditRoleMatrix checks who may open the admin and audit pages: admins everything,
// auditors the audit pages only, reviewers and supervisors neither.
func TestAdminAuditRoleMatrix(t *testing.T) {
	ta := newTestApp(t, fastHashes())
	clients := map[string]*client{
		"reviewer":   ta.loginAs(t, "rev1", store.RoleReviewer),
		"supervisor": ta.loginAs(t, "sup1", store.RoleSupervisor),
		"auditor":    ta.loginAs(t, "aud1", store.RoleAuditor),
		"admin":      ta.loginAs(t, "adm1", store.RoleAdmin),
	}
	paths := []string{"/admin/users", "/admin/health", "/audit", "/audit/export?format=csv", "/audit/report"}
	want := map[string][]int{
		"reviewer":   {403, 403, 403, 403, 403},
		"supervisor": {403, 403, 403, 403, 403},
		"auditor":    {403, 403, 200, 200, 200},
		"admin":      {200, 200, 200, 200, 200},
	}
	for role, c := range clients {
		for i, path := range paths {
			if got := c.get(path).Status; got != want[role][i] {
				t.Errorf("%s GET %s = %d, want %d", role, path, got, want[role][i])
			}
		}
	}
	// Writes are guarded the same way.
	aud := clients["auditor"]
	aud.get("/audit")
	if p := aud.postForm("/admin/users", url.Values{"username": {"sneaky"}, "roles": {"admin"}}); p.Status != http.StatusForbidden {
		t.Errorf("auditor POST /admin/users = %d, want 403", p.Status)
	}
	if _, err := ta.db.UserByUsername(context.Background(), "sneaky"); err == nil {
		t.Error("an auditor created a user")
	}
	anon := ta.newClient(t)
	if p := anon.get("/audit"); p.URL.Path != "/login" {
		t.Errorf("anonymous GET /audit ended at %s, want the sign-in page", p.URL.Path)
	}
}

// cannotLogin asserts that username cannot sign in with password.
func cannotLogin(t *testing.T, ta *testApp, username, password string) {
	t.Helper()
	c := ta.newClient(t)
	c.get("/login")
	p := c.postForm("/login", url.Values{"username": {username}, "password": {password}})
	if p.URL.Path != "/login" || p.Status != http.StatusUnauthorized {
		t.Errorf("login(%s) ended at %s with %d, want refused on the sign-in page", username, p.URL.Path, p.Status)
	}
}

// userRow finds a user's row on the users page.
func userRow(t *testing.T, p *page, username string) (id, state string) {
	t.Helper()
	row := p.find(`[data-testid="user-row"][data-username="` + username + `"]`)
	if row.Length() != 1 {
		t.Fatalf("users page has %d rows for %s, want 1", row.Length(), username)
	}
	id, _ = row.Attr("data-user-id")
	return id, strings.TrimSpace(row.Find(`[data-testid="user-state"]`).Text())
}

func TestAdminCreateDisableResetUser(t *testing.T) {
	ta := newTestApp(t, fastHashes())
	ctx := context.Background()
	adm := ta.loginAs(t, "adm1", store.RoleAdmin)
	adm.get("/admin/users")

	// Create with a generated password, shown once on the result page.
	p := adm.postForm("/admin/users", url.Values{"username": {"newrev"}, "display_name": {"New Reviewer"},
		"roles": {store.RoleReviewer}, "password_mode": {"generate"}})
	if p.Status != http.StatusOK {
		t.Fatalf("create user = %d, want 200 with the password", p.Status)
	}
	password := strings.TrimSpace(p.testid("new-password").Text())
	if len(password) < store.MinPasswordLen {
		t.Fatalf("generated password %q is shorter than %d", password, store.MinPasswordLen)
	}
	if again := adm.get("/admin/users"); strings.Contains(again.Body, password) {
		t.Error("the users page shows the generated password again")
	}
	u, err := ta.db.UserByUsername(ctx, "newrev")
	if err != nil || u.DisplayName != "New Reviewer" || !slices.Equal(u.Roles, []string{store.RoleReviewer}) {
		t.Fatalf("created user = %+v, %v", u, err)
	}
	if created, _, _ := ta.db.ListAudit(ctx, store.AuditFilter{Action: "user.create", Actor: "adm1"}, 0, 10); len(created) != 1 {
		t.Errorf("user.create audit entries by adm1 = %d, want 1", len(created))
	}

	// The new user signs in with it; a reviewer cannot open the audit log.
	rev := ta.login(t, "newrev", password)
	if p := rev.get("/audit"); p.Status != http.StatusForbidden {
		t.Fatalf("newrev GET /audit = %d, want 403 while signed in", p.Status)
	}

	// Disable: the page says so, the session ends and signing in fails.
	users := adm.get("/admin/users")
	id, state := userRow(t, users, "newrev")
	if state != "active" {
		t.Errorf("newrev state = %q, want active", state)
	}
	p = adm.postForm("/admin/users/"+id, url.Values{"op": {"disable"}})
	if p.URL.Path != "/admin/users" || !strings.Contains(p.testid("flash").Text(), "User disabled: their sessions have ended") {
		t.Fatalf("disable ended at %s (%d) saying %q, want the users page saying what disabling did", p.URL, p.Status, p.testid("flash").Text())
	}
	if _, state := userRow(t, p, "newrev"); state != "disabled" {
		t.Errorf("newrev state after disable = %q, want disabled", state)
	}
	if p := rev.get("/audit"); p.URL.Path != "/login" {
		t.Errorf("the disabled user's session still works: GET /audit ended at %s", p.URL.Path)
	}
	cannotLogin(t, ta, "newrev", password)
	if got, _, _ := ta.db.ListAudit(ctx, store.AuditFilter{Action: "user.disable"}, 0, 10); len(got) != 1 || got[0].TargetID != "newrev" {
		t.Errorf("user.disable entries = %+v, want one for newrev", got)
	}

	// Enable and reset: the old password stops working, the new one (shown once) works.
	adm.postForm("/admin/users/"+id, url.Values{"op": {"enable"}})
	p = adm.postForm("/admin/users/"+id, url.Values{"op": {"reset"}})
	fresh := strings.TrimSpace(p.testid("new-password").Text())
	if p.Status != http.StatusOK || fresh == "" || fresh == password {
		t.Fatalf("reset = %d with password %q, want a new password", p.Status, fresh)
	}
	cannotLogin(t, ta, "newrev", password)
	ta.login(t, "newrev", fresh)
}

func TestAdminCreateUserValidation(t *testing.T) {
	ta := newTestApp(t, fastHashes())
	adm := ta.loginAs(t, "adm1", store.RoleAdmin)
	ta.addUser(t, "taken", store.RoleReviewer)
	adm.get("/admin/users")
	tests := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"bad username", url.Values{"username": {"has space"}, "roles": {"reviewer"}}, "username"},
		{"no role", url.Values{"username": {"norole"}}, "roles"},
		{"short typed password", url.Values{"username": {"shortpw"}, "roles": {"auditor"}, "password_mode": {"type"}, "password": {"short"}}, "password"},
		{"taken username", url.Values{"username": {"taken"}, "roles": {"reviewer"}}, "username"},
	}
	for _, tc := range tests {
		p := adm.postForm("/admin/users", tc.form)
		if p.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", tc.name, p.Status)
		}
		if p.testid("error-"+tc.field).Length() != 1 {
			t.Errorf("%s: no error shown for %s", tc.name, tc.field)
		}
		// The form keeps what was typed.
		if got, _ := p.testid("user-new-username").Attr("value"); got != tc.form.Get("username") {
			t.Errorf("%s: username field = %q, want %q kept", tc.name, got, tc.form.Get("username"))
		}
	}
	n, _ := ta.db.CountUsers(context.Background())
	if n != 2 {
		t.Errorf("%d users after invalid submissions, want 2", n)
	}
	// A typed password that is long enough works and is not shown.
	p := adm.postForm("/admin/users", url.Values{"username": {"typed"}, "roles": {"auditor"}, "password_mode": {"type"}, "password": {"a-typed-password-1"}})
	if p.Status != http.StatusOK || p.testid("new-password").Length() != 0 {
		t.Fatalf("typed password: status %d, password shown %v", p.Status, p.testid("new-password").Length() != 0)
	}
	ta.login(t, "typed", "a-typed-password-1")
}

func TestAdminCannotLockThemselfOut(t *testing.T) {
	ta := newTestApp(t, fastHashes())
	ctx := context.Background()
	adm := ta.loginAs(t, "adm1", store.RoleAdmin, store.RoleAuditor)
	ta.addUser(t, "rev1", store.RoleReviewer)
	me := fmt.Sprint(ta.userID(t, "adm1"))
	adm.get("/admin/users")

	// Any change to one's own roles is refused: granting oneself supervisor would make one person
	// maker and checker, and dropping admin could leave the desk without one.
	for _, form := range []url.Values{{"op": {"disable"}}, {"op": {"roles"}, "roles": {store.RoleAuditor}},
		{"op": {"roles"}, "roles": {store.RoleAdmin, store.RoleAuditor, store.RoleSupervisor}}, {"op": {"roles"}, "roles": {store.RoleAdmin}}} {
		p := adm.postForm("/admin/users/"+me, form)
		if p.Status != http.StatusConflict || p.testid("page-error").Length() != 1 {
			t.Errorf("%v on self = %d (page error shown: %v), want 409 with a sentence", form, p.Status, p.testid("page-error").Length() == 1)
		}
	}
	u, _ := ta.db.UserByUsername(ctx, "adm1")
	if u.Disabled || !slices.Equal(u.Roles, []string{store.RoleAdmin, store.RoleAuditor}) {
		t.Fatalf("adm1 = %+v, want an enabled admin with the roles unchanged", u)
	}

	// Roles of someone else change and are audited with before and after.
	rev := fmt.Sprint(ta.userID(t, "rev1"))
	adm.postForm("/admin/users/"+rev, url.Values{"op": {"roles"}, "roles": {store.RoleAuditor, store.RoleReviewer}})
	r, _ := ta.db.UserByUsername(ctx, "rev1")
	if !slices.Equal(r.Roles, []string{store.RoleReviewer, store.RoleAuditor}) {
		t.Errorf("rev1 roles = %v, want reviewer and auditor", r.Roles)
	}
	got, _, _ := ta.db.ListAudit(ctx, store.AuditFilter{Action: "user.update"}, 0, 1)
	if len(got) != 1 || got[0].TargetID != "rev1" || !strings.Contains(got[0].DetailsJSON, `"roles_before":["reviewer"]`) {
		t.Errorf("last user.update = %+v, want rev1 with roles before and after", got)
	}
	if p := adm.postForm("/admin/users/"+rev, url.Values{"op": {"roles"}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("removing every role = %d, want 422", p.Status)
	}
	if p := adm.postForm("/admin/users/"+rev, url.Values{"op": {"explode"}}); p.Status != http.StatusBadRequest {
		t.Errorf("unknown op = %d, want 400", p.Status)
	}
}
