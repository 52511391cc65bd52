package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// TestRoleGrantWaitsForASecondAdmin: with two admins and four-eyes on, an admin's new reviewer
// holds no reviewer role until the other admin approves it on the users page.
func TestRoleGrantWaitsForASecondAdmin(t *testing.T) {
	ta := newTestApp(t, withConfig(func(c *Config) { c.FourEyesVCIP = true }))
	adm1 := ta.loginAs(t, "adm1", store.RoleAdmin)
	adm2 := ta.loginAs(t, "adm2", store.RoleAdmin)
	p := adm1.postForm("/admin/users", url.Values{"username": {"maker9"}, "roles": {store.RoleReviewer},
		"password_mode": {"type"}, "password": {"maker9-password-2026"}})
	if p.Status != http.StatusOK || !strings.Contains(p.testid("grant-waiting").Text(), "reviewer waits for a second admin") {
		t.Fatalf("creating a reviewer: %d, %q; want the page to say the grant waits", p.Status, p.testid("grant-waiting").Text())
	}
	maker := ta.login(t, "maker9", "maker9-password-2026")
	if p := maker.get("/"); p.URL.Path != "/no-role" || !strings.Contains(p.Body, "a second admin must approve it") {
		t.Errorf("maker9 before approval lands on %s", p.URL)
	}
	if p := maker.get("/cases"); p.Status != http.StatusForbidden {
		t.Errorf("maker9 before approval opens the queue: %d, want 403", p.Status)
	}
	row := adm1.get("/admin/users").find(`[data-testid="grant-row"][data-username="maker9"]`)
	if row.Length() != 1 || row.Find(`[data-testid="grant-not-yours"]`).Length() != 1 || row.Find(`[data-testid="grant-approve"]`).Length() != 0 {
		t.Fatalf("the asking admin's view of the grant: %q", row.Text())
	}
	form := row.Find("form")
	if form.Length() != 0 {
		t.Fatalf("the asking admin is offered a form")
	}
	row = adm2.get("/admin/users").find(`[data-testid="grant-row"][data-username="maker9"]`)
	action, _ := row.Find("form").Attr("action")
	if action == "" {
		t.Fatalf("the second admin is offered no approval: %q", row.Text())
	}
	if p := adm1.postForm(action, url.Values{"verdict": {"approve"}}); p.Status != http.StatusConflict || !strings.Contains(p.Body, "a different admin must approve it") {
		t.Errorf("the asking admin approves by posting: %d", p.Status)
	}
	if p := adm2.postForm(action, url.Values{"verdict": {"approve"}}); p.URL.Query().Get("flash") != "grant-approved" ||
		!strings.Contains(p.find(`[data-username="maker9"] [data-testid="user-roles"]`).Text(), "reviewer") {
		t.Fatalf("after approval: %s, roles %q", p.URL, p.find(`[data-username="maker9"] [data-testid="user-roles"]`).Text())
	}
	if p := maker.get("/cases"); p.Status != http.StatusOK {
		t.Errorf("maker9 after approval opens the queue: %d, want 200", p.Status)
	}
	entries, _, err := ta.db.ListAudit(t.Context(), store.AuditFilter{Action: "user.grant_approve"}, 0, 10)
	if err != nil || len(entries) != 1 || entries[0].Actor != "adm2" {
		t.Errorf("grant approval audit = %+v, %v", entries, err)
	}
	if s := adm1.get("/admin/settings"); s.testid("settings-grant-approval").AttrOr("checked", "no") == "no" {
		t.Errorf("Settings does not show grant approval on by default")
	}
}

// TestReportFlagsMakerAndCheckerOfOneAdmin is the path a penetration test found: one admin makes
// maker9 and checker9, signs in as each, and decides and approves a video-KYC case alone. The audit
// report lists the case with the admin's name.
func TestReportFlagsMakerAndCheckerOfOneAdmin(t *testing.T) {
	ta := newTestApp(t, withConfig(func(c *Config) { c.FourEyesVCIP = true }))
	adm := ta.loginAs(t, "soloadmin", store.RoleAdmin)
	aud := ta.loginAs(t, "aud", store.RoleAuditor)
	for _, u := range []struct{ name, role string }{{"maker9", store.RoleReviewer}, {"checker9", store.RoleSupervisor}} {
		adm.postForm("/admin/users", url.Values{"username": {u.name}, "roles": {u.role}, "password_mode": {"type"}, "password": {u.name + "-password-2026"}})
	}
	maker, checker := ta.login(t, "maker9", "maker9-password-2026"), ta.login(t, "checker9", "checker9-password-2026")
	id := ta.postVCIPRecorded(t, webtest.VCIP{SessionID: "alone", Name: "VEENA RAO"})
	path := fmt.Sprintf("/cases/%d", id)
	maker.get(path)
	maker.postForm(path+"/claim", nil)
	maker.get(path)
	if p := maker.postForm(path+"/decision", url.Values{"outcome": {"allow"}, "reason": {"face_matches"}, "note": {"ok"}, "confirm": {"1"}}); p.Status != http.StatusOK {
		t.Fatalf("decision: %d", p.Status)
	}
	checker.get(path)
	if p := checker.postForm(path+"/approve", nil); p.URL.Query().Get("flash") != "approved" {
		t.Fatalf("approval: %d %s", p.Status, p.URL)
	}
	day := ta.clock.Now().Format("2006-01-02")
	rows := aud.get("/audit/report?from=" + day + "&to=" + day).testid("report-same-admin-row")
	if rows.Length() != 1 || !strings.Contains(rows.Text(), "soloadmin") || !strings.Contains(rows.Text(), "maker9") ||
		!strings.Contains(rows.Text(), "checker9") || !strings.Contains(rows.Text(), fmt.Sprintf("#%d", id)) {
		t.Errorf("same-admin rows = %d %q; want the case with soloadmin, maker9 and checker9", rows.Length(), rows.Text())
	}
}
