package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// TestDashboardPageAndCSV drives the dashboard over HTTP: two SUSPECTED callbacks, one allowed,
// one carrying a tag that a spreadsheet would run as a formula. The page shows the figures in its
// tables, and the CSV download of a chart holds the same rows with the formula guard, and is audited.
func TestDashboardPageAndCSV(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	for _, m := range []webtest.MarkID{
		{ScanRef: "d-1", First: "ANNA", Last: "K", Overall: store.StatusSuspected, Final: true, Fraud: []string{"=HYPERLINK(1)"}},
		{ScanRef: "d-2", First: "BO", Last: "L", Overall: store.StatusSuspected, Final: true, Fraud: []string{"=HYPERLINK(1)", "FACE_SUSPECTED"}},
	} {
		if r := ta.postMarkID(t, m.Body()); r.Status != http.StatusOK {
			t.Fatalf("webhook %s = %d", m.ScanRef, r.Status)
		}
	}
	ta.addUser(t, "rev", store.RoleReviewer)
	rev := store.Actor{ID: ta.userID(t, "rev"), Name: "rev"}
	id := ta.caseIDByRef(t, store.SourceMarkID, "d-1")
	if err := ta.db.Claim(ctx, rev, id); err != nil {
		t.Fatal(err)
	}
	ta.clock.Advance(10 * time.Minute)
	if _, err := ta.db.Decide(ctx, rev, store.DecisionInput{CaseID: id, Outcome: store.OutcomeAllow, ReasonCode: "tags_explained", Note: "explained"}); err != nil {
		t.Fatal(err)
	}

	sup := ta.loginAs(t, "sup", store.RoleSupervisor)
	p := sup.get("/dashboard?period=7")
	if p.Status != http.StatusOK {
		t.Fatalf("GET /dashboard = %d", p.Status)
	}
	for id, want := range map[string]string{"dash-received": "2", "dash-final": "1", "dash-queue-now": "1", "dash-overdue-now": "0"} {
		if got := strings.TrimSpace(p.testid(id).Text()); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	if got := p.testid("dashboard-period").Text(); got != "14 Nov 2025 – 20 Nov 2025 (UTC)" {
		t.Errorf("period = %q", got)
	}
	for _, chart := range []string{"received", "decisions", "queue", "ages", "sla", "turnaround", "reviewers", "reasons", "signals"} {
		if p.testid("chart-"+chart).Find("svg[role=img] title").Length() == 0 {
			t.Errorf("chart %s has no titled SVG", chart)
		}
		if p.testid("chart-"+chart+"-table").Find("thead th").Length() == 0 {
			t.Errorf("chart %s has no table", chart)
		}
	}
	var signals [][]string
	p.testid("chart-signals-table").Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
		var row []string
		tr.Find("th, td").Each(func(_ int, td *goquery.Selection) { row = append(row, strings.TrimSpace(td.Text())) })
		signals = append(signals, row)
	})
	want := []string{"fraud tag", "=HYPERLINK(1)", "1", "1", "100 %"}
	if len(signals) != 1 || strings.Join(signals[0], "|") != strings.Join(want, "|") {
		t.Errorf("signals table = %q, want only %q (the undecided case counts nowhere)", signals, want)
	}
	today := p.testid("chart-received-table").Find("tbody tr").Last().Find("th, td")
	if got := today.Eq(0).Text() + " " + today.Eq(1).Text(); got != "2025-11-20 2" {
		t.Errorf("received today row = %q, want 2025-11-20 2", got)
	}

	href, _ := p.testid("chart-signals-csv").Attr("href")
	resp, err := sup.http.Get(ta.url + href)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || strings.Join(rows[0], "|") != "Kind|Signal|Final decisions|Allowed|False-positive rate" ||
		strings.Join(rows[1], "|") != "fraud tag|'=HYPERLINK(1)|1|1|100 %" {
		t.Errorf("signals CSV = %q, want the header and one guarded row", rows)
	}
	var audited bool
	_ = ta.db.StreamAudit(ctx, store.AuditFilter{Action: "export.dashboard"}, func(e store.AuditEntry) error {
		audited = audited || (e.Actor == "sup" && e.TargetID == "dashboard.signals")
		return nil
	})
	if !audited {
		t.Error("the CSV download was not audited")
	}

	if p := sup.get("/dashboard?period=custom&from=2025-11-20&to=2025-11-01"); p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.testid("dashboard-errors").Text(), "before the first day") {
		t.Errorf("reversed custom period = %d %q", p.Status, p.testid("dashboard-errors").Text())
	}
	if p := sup.get("/dashboard?source=elsewhere"); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("unknown source = %d, want 422", p.Status)
	}
	if p := sup.get("/dashboard/csv?chart=nope&period=7"); p.Status != http.StatusNotFound {
		t.Errorf("unknown chart = %d, want 404", p.Status)
	}
	// The source filter: no video-KYC case was received.
	if got := strings.TrimSpace(sup.get("/dashboard?period=7&source=vcip").testid("dash-received").Text()); got != "0" {
		t.Errorf("vcip received = %q, want 0", got)
	}
}
