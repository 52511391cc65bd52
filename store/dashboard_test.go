package store

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// dashScenario builds, over three days, a small desk whose every dashboard figure is worked out
// by hand in TestDashboardFigures. The clock ends on day 3 at 09:00.
func dashScenario(t *testing.T) (*DB, *wsClock, map[string]int64, map[string]Actor) {
	t.Helper()
	db, clk := openWorkspace(t)
	ctx := context.Background()
	rev1 := wsUser(t, db, "rev1", RoleReviewer)
	rev2 := wsUser(t, db, "rev2", RoleReviewer)
	sup := wsUser(t, db, "sup", RoleSupervisor)
	ids := map[string]int64{}
	// Day 1, 09:00: four cases need a decision, one is informational.
	ids["A"] = ingestWS(t, db, wsCase{ref: "A", first: "A", overall: StatusSuspected, final: true,
		fraud: []string{"FACE_SUSPECTED"}, mismatch: []string{"NAME"}})
	ids["B"] = ingestWS(t, db, wsCase{ref: "B", first: "B", overall: StatusSuspected, final: true, fraud: []string{"FACE_SUSPECTED"}})
	ids["C"] = ingestWS(t, db, wsCase{ref: "C", first: "C", overall: StatusSuspected, final: true, fraud: []string{"DOC_FAKE"}})
	v := wsCase{source: SourceVCIP, ref: "V", first: "V", overall: StatusSuspected}.snapshot()
	v.FieldValues = json.RawMessage(`{"Remark":"Recheck Required"}`)
	res, err := db.Ingest(ctx, &Incoming{Source: SourceVCIP, ReceivedAt: db.Now(), Body: []byte(`{"sessionId":"V"}`), Snapshot: v})
	if err != nil {
		t.Fatal(err)
	}
	ids["V"] = res.CaseID
	archiveRecording(t, db, res.CaseID)
	ids["I"] = ingestWS(t, db, wsCase{ref: "I", first: "I", overall: StatusApproved, final: true})

	decide := func(who Actor, id int64, outcome, reason string) {
		t.Helper()
		if _, err := db.Decide(ctx, who, DecisionInput{CaseID: id, Outcome: outcome, ReasonCode: reason, Note: "checked"}); err != nil {
			t.Fatalf("Decide(%d): %v", id, err)
		}
	}
	claim := func(who Actor, id int64) {
		t.Helper()
		mustOK(t, db.Claim(ctx, who, id))
	}
	clk.advance(time.Hour) // 10:00
	claim(rev1, ids["A"])
	clk.advance(20 * time.Minute) // 10:20
	decide(rev1, ids["A"], OutcomeAllow, "tags_explained")
	claim(rev1, ids["B"])
	clk.advance(25 * time.Minute) // 10:45
	decide(rev1, ids["B"], OutcomeDecline, "document_forged")

	clk.t = time.Date(2025, 11, 21, 9, 0, 0, 0, time.UTC) // day 2
	claim(rev2, ids["C"])
	clk.advance(10 * time.Minute) // 09:10
	decide(rev2, ids["C"], OutcomeAllow, "tags_explained")
	claim(rev2, ids["V"])
	clk.advance(10 * time.Minute) // 09:20
	decide(rev2, ids["V"], OutcomeAllow, "tags_explained")
	clk.advance(10 * time.Minute) // 09:30
	mustOK(t, db.Return(ctx, sup, ids["V"], "look at the recording again"))
	clk.advance(10 * time.Minute) // 09:40
	claim(rev2, ids["V"])
	clk.advance(20 * time.Minute) // 10:00
	decide(rev2, ids["V"], OutcomeAllow, "tags_explained")
	clk.advance(30 * time.Minute) // 10:30
	mustOK(t, db.Approve(ctx, sup, ids["V"], ""))
	clk.advance(30 * time.Minute) // 11:00
	mustOK(t, db.Reopen(ctx, sup, ids["B"], "new information"))

	clk.t = time.Date(2025, 11, 22, 9, 0, 0, 0, time.UTC) // day 3
	return db, clk, ids, map[string]Actor{"rev1": rev1, "rev2": rev2, "sup": sup}
}

func dashDays() (time.Time, time.Time) {
	return time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC), time.Date(2025, 11, 22, 0, 0, 0, 0, time.UTC)
}

func TestDashboardFigures(t *testing.T) {
	db, _, _, users := dashScenario(t)
	from, to := dashDays()
	d, err := db.Dashboard(context.Background(), DashboardFilter{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	h, m := time.Hour, time.Minute
	if diff := cmp.Diff([]string{"2025-11-20", "2025-11-21", "2025-11-22"}, d.Days); diff != "" {
		t.Errorf("Days (-want +got):\n%s", diff)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Received", d.Received, []Series{{"markid", []int{4, 0, 0}}, {"vcip", []int{1, 0, 0}}}},
		{"Final", d.Final, []Series{{"allow", []int{1, 2, 0}}, {"decline", []int{1, 0, 0}}}},
		// Day 1: +4 in, A and B decided. Day 2: C decided, V decided, returned, decided again; B reopened.
		{"QueueSize", d.QueueSize, []int{2, 1, 1}},
		// C waited 24h10m and V 25h30m to their final decisions; the SLA is 24 hours.
		{"SLABreach", d.SLABreach, []int{0, 2, 0}},
		{"Turnaround", d.Turnaround, []DayTurnaround{
			{Count: 2, Median: h + 32*m + 30*time.Second, P90: h + 42*m + 30*time.Second}, // 1h20, 1h45
			{Count: 2, Median: 24*h + 50*m, P90: 25*h + 22*m},                             // 24h10, 25h30 (V: first callback to approval)
			{Count: 0}}},
		{"QueueNow", d.QueueNow, 1},
		{"OverdueNow", d.OverdueNow, 1},
		{"QueueAges", d.QueueAges, []AgeBucket{ // B waits since day 1 09:00: 48 hours
			{"under 1 h", 0, h, 0}, {"1–4 h", h, 4 * h, 0}, {"4–24 h", 4 * h, 24 * h, 0},
			{"1–3 days", 24 * h, 72 * h, 1}, {"3–7 days", 72 * h, 168 * h, 0}, {"over 7 days", 168 * h, 0, 0}}},
		{"Reviewers", d.Reviewers, []ReviewerFigures{
			{UserID: users["rev1"].ID, Username: "rev1", Decisions: 2, Returned: 0, Handled: 2, MedianHandling: 22*m + 30*time.Second}, // 20m, 25m
			{UserID: users["rev2"].ID, Username: "rev2", Decisions: 2, Returned: 1, Handled: 2, MedianHandling: 15 * m},                // 10m, 20m
		}},
		{"Reasons", d.Reasons, []KeyCount{{"tags_explained", 3}, {"document_forged", 1}}},
		// FACE_SUSPECTED was on two SUSPECTED cases; one was allowed: a false-positive rate of 50 %.
		{"Signals", d.Signals, []SignalRate{
			{"fraud", "DOC_FAKE", 1, 1}, {"mismatch", "NAME", 1, 1}, {"remark", "Recheck Required", 1, 1},
			{"fraud", "FACE_SUSPECTED", 2, 1}}},
		{"ReceivedTotal", d.ReceivedTotal(), 5},
		{"FinalTotal", d.FinalTotal(), 4},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("Dashboard().%s (-want +got):\n%s", c.name, diff)
		}
	}
	if len(d.Signals) == 4 && d.Signals[3].Rate() != 0.5 {
		t.Errorf("FACE_SUSPECTED false-positive rate = %v, want 0.5", d.Signals[3].Rate())
	}
}

func TestDashboardSourceFilterAndPeriod(t *testing.T) {
	db, _, _, users := dashScenario(t)
	from, to := dashDays()
	d, err := db.Dashboard(context.Background(), DashboardFilter{From: from, To: to, Source: SourceVCIP})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Received", d.Received, []Series{{"vcip", []int{1, 0, 0}}}},
		{"Final", d.Final, []Series{{"allow", []int{0, 1, 0}}, {"decline", []int{0, 0, 0}}}},
		{"QueueSize", d.QueueSize, []int{1, 0, 0}},
		{"Turnaround", d.Turnaround[1], DayTurnaround{Count: 1, Median: 25*time.Hour + 30*time.Minute, P90: 25*time.Hour + 30*time.Minute}},
		{"QueueNow", d.QueueNow, 0},
		{"Reviewers", d.Reviewers, []ReviewerFigures{{UserID: users["rev2"].ID, Username: "rev2", Decisions: 1, Returned: 1, Handled: 1, MedianHandling: 20 * time.Minute}}},
		{"Signals", d.Signals, []SignalRate{{"remark", "Recheck Required", 1, 1}}},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("Dashboard(vcip).%s (-want +got):\n%s", c.name, diff)
		}
	}
	// Day 2 alone: the queue starts from day 1's closing size.
	d, err = db.Dashboard(context.Background(), DashboardFilter{From: from.AddDate(0, 0, 1), To: from.AddDate(0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{1}, d.QueueSize); diff != "" {
		t.Errorf("day-2 QueueSize (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Series{{"allow", []int{2}}, {"decline", []int{0}}}, d.Final); diff != "" {
		t.Errorf("day-2 Final (-want +got):\n%s", diff)
	}
	if _, err := db.Dashboard(context.Background(), DashboardFilter{From: to, To: from}); !strings.Contains(errString(err), "ends before") {
		t.Errorf("reversed period: err = %v, want a sentence", err)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestDashboardBackfill runs the migration's back-fill over the scenario's tables and expects the
// same figures the live summaries show, except the queue's history (not recorded before the
// migration), the agent remarks and the SLA breaches (the back-fill has neither).
func TestDashboardBackfill(t *testing.T) {
	db, _, _, _ := dashScenario(t)
	ctx := context.Background()
	from, to := dashDays()
	live, err := db.Dashboard(ctx, DashboardFilter{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	body, err := migrations.ReadFile("migrations/0100_dashboard.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, `DROP TABLE dash_daily; DROP TABLE dash_final; DROP INDEX cases_source_queue;`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, string(body)); err != nil {
		t.Fatalf("migration 0100 over existing data: %v", err)
	}
	back, err := db.Dashboard(ctx, DashboardFilter{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	var liveSignals []SignalRate
	for _, s := range live.Signals {
		if s.Kind != "remark" {
			liveSignals = append(liveSignals, s)
		}
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Received", back.Received, live.Received},
		{"Final", back.Final, live.Final},
		{"Turnaround", back.Turnaround, live.Turnaround},
		{"Reviewers", back.Reviewers, live.Reviewers},
		{"Reasons", back.Reasons, live.Reasons},
		{"Signals", back.Signals, liveSignals},
		{"QueueNow", back.QueueSize[len(back.QueueSize)-1], live.QueueNow},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("back-filled %s (-want +got):\n%s", c.name, diff)
		}
	}
}
