package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/kycdesk/kycdesk/store"
)

func settingsValues(sla, claim string, reasons string) url.Values {
	return url.Values{"sla_hours": {sla}, "claim_minutes": {claim}, "four_eyes_vcip": {"1"}, "reason_codes": {reasons}}
}

// TestSettingsChangeRulesAndAreAudited: an admin shortens the overdue time and edits the reason
// list; the queue and the decision form follow at once, and the change is audited before/after.
func TestSettingsChangeRulesAndAreAudited(t *testing.T) {
	ta := newTestApp(t)
	adm := ta.loginAs(t, "adm", store.RoleAdmin)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	ta.postMarkID(t, suspected("set-1", "ANNA", "SETTINGS").Body())
	ta.clock.Advance(3 * time.Hour)

	if n := rev.get("/cases").find(`[data-overdue="true"]`).Length(); n != 0 {
		t.Fatalf("with the 24 h default, %d cases are overdue after 3 h; want 0", n)
	}
	page := adm.get("/admin/settings")
	if got, _ := page.testid("settings-sla").Attr("value"); got != "24" {
		t.Errorf("settings page shows SLA %q hours, want the flag default 24", got)
	}

	bad := adm.postForm("/admin/settings", settingsValues("0", "abc", "only-a-code"))
	wantStatus(t, "invalid settings", bad, http.StatusUnprocessableEntity)
	for _, f := range []string{"error-sla_hours", "error-claim_minutes", "error-reason_codes"} {
		if bad.testid(f).Length() != 1 {
			t.Errorf("invalid settings: no %s", f)
		}
	}

	ok := adm.postForm("/admin/settings", settingsValues("2", "45", "face_ok | Face checked by hand | allow\nforged | Forged document | decline"))
	if ok.URL.Query().Get("flash") != "settings" {
		t.Fatalf("saving settings ended at %s (%d)", ok.URL, ok.Status)
	}
	if n := rev.get("/cases").find(`[data-overdue="true"]`).Length(); n != 1 {
		t.Errorf("after setting 2 h, %d cases are overdue after 3 h; want 1", n)
	}
	id := ta.caseIDByRef(t, store.SourceMarkID, "set-1")
	p := rev.postForm(fmt.Sprintf("/cases/%d/claim", id), nil)
	var reasons []string
	for _, v := range p.find(`select[name="reason"] option`).Map(func(_ int, s *goquery.Selection) string { v, _ := s.Attr("value"); return v }) {
		if v != "" {
			reasons = append(reasons, v)
		}
	}
	if strings.Join(reasons, ",") != "face_ok,forged" {
		t.Errorf("decision form reasons = %v, want the saved list face_ok,forged", reasons)
	}

	entries, _, err := ta.db.ListAudit(context.Background(), store.AuditFilter{Action: "settings.change"}, 0, 10)
	if err != nil || len(entries) != 1 {
		t.Fatalf("settings.change entries = %d, %v; want 1 (the invalid form saved nothing)", len(entries), err)
	}
	if d := entries[0].DetailsJSON; !strings.Contains(d, `"sla_minutes":{"after":"120","before":""}`) {
		t.Errorf("audit details = %s, want the SLA before and after", d)
	}
	// Settings survive a restart: a new app on the same database reads them.
	again, err := New(ta.cfg, ta.db)
	if err != nil {
		t.Fatal(err)
	}
	if got := again.rules().SLA; got != 2*time.Hour {
		t.Errorf("after restart SLA = %v, want 2h", got)
	}
}

// TestSettingsRefuseImpossibleNumbers: NaN, infinities and huge numbers were once "saved" and
// audited as a value that was then ignored. Now they are refused beside the field, nothing is
// saved and nothing is audited.
func TestSettingsRefuseImpossibleNumbers(t *testing.T) {
	ta := newTestApp(t)
	adm := ta.loginAs(t, "adm", store.RoleAdmin)
	reasons := store.FormatReasonCodes(store.DefaultRules().ReasonCodes)
	for _, sla := range []string{"NaN", "Inf", "-Inf", "1e300", "-3"} {
		p := adm.postForm("/admin/settings", settingsValues(sla, "30", reasons))
		wantStatus(t, "sla_hours="+sla, p, http.StatusUnprocessableEntity)
		if p.testid("error-sla_hours").Length() != 1 {
			t.Errorf("sla_hours=%s: no field error beside the field", sla)
		}
	}
	for _, claim := range []string{"0", "1441", "99999999999999"} {
		p := adm.postForm("/admin/settings", settingsValues("24", claim, reasons))
		wantStatus(t, "claim_minutes="+claim, p, http.StatusUnprocessableEntity)
	}
	if got := ta.db.Rules().SLA; got != 24*time.Hour {
		t.Errorf("SLA in force = %v, want the default 24h", got)
	}
	n := 0
	if err := ta.db.StreamAudit(context.Background(), store.AuditFilter{Action: "settings.change"}, func(store.AuditEntry) error {
		n++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d settings.change entries after refused saves, want 0", n)
	}
}
