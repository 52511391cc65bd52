package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// rptDecide claims and decides a case as reviewer at the clock's time.
func rptDecide(t *testing.T, db *DB, clk *wsClock, at time.Time, who Actor, caseID int64, outcome, reason, note string) Decision {
	t.Helper()
	ctx := context.Background()
	clk.t = at
	if err := db.Claim(ctx, who, caseID); err != nil {
		t.Fatalf("Claim(%d) by %s: %v", caseID, who.Name, err)
	}
	d, err := db.Decide(ctx, who, DecisionInput{CaseID: caseID, Outcome: outcome, ReasonCode: reason, Note: note})
	if err != nil {
		t.Fatalf("Decide(%d) by %s: %v", caseID, who.Name, err)
	}
	return d
}

func rptIngest(t *testing.T, db *DB, s *Snapshot, at time.Time) int64 {
	t.Helper()
	if s.Source == SourceVCIP {
		withRecording(s)
	}
	res, err := db.Ingest(context.Background(), incoming(s, fmt.Sprintf(`{"ref":%q}`, s.Ref), at))
	if err != nil || res.CaseID == 0 {
		t.Fatalf("Ingest(%s) = %+v, %v", s.Ref, res, err)
	}
	if s.Source == SourceVCIP {
		archiveRecording(t, db, res.CaseID) // the evidence rule: no allow without it
	}
	return res.CaseID
}

func rptUser(t *testing.T, db *DB, name string, roles ...string) Actor {
	t.Helper()
	u, err := db.CreateUser(context.Background(), SystemActor, name, strings.ToUpper(name[:1])+name[1:], "x", roles)
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return Actor{ID: u.ID, Name: u.Username}
}

func TestReport(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	clk := &wsClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	db.Now = clk.now
	rev1 := rptUser(t, db, "rev1", RoleReviewer)
	rev2 := rptUser(t, db, "rev2", RoleReviewer)
	sup1 := rptUser(t, db, "sup1", RoleSupervisor)

	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a := rptIngest(t, db, markSnap("A", StatusSuspected, true, "FACE_IN_BLACKLIST"), t0)
	b := rptIngest(t, db, markSnap("B", StatusSuspected, true), t0)
	c := rptIngest(t, db, markSnap("C", StatusSuspected, true), t0)
	vc := &Snapshot{Source: SourceVCIP, Ref: "D", Status: Status{Overall: StatusApproved, Final: ptr(true)}}
	d := rptIngest(t, db, vc, t0)
	early := rptIngest(t, db, markSnap("E", StatusSuspected, true), t0.Add(-48*time.Hour))

	// Before the period: must not count.
	rptDecide(t, db, clk, t0.Add(-24*time.Hour), rev1, early, OutcomeAllow, "document_genuine", "old one")
	rptDecide(t, db, clk, t0.Add(1*time.Hour), rev1, a, OutcomeAllow, "face_matches", "blocklist hit is a namesake")
	rptDecide(t, db, clk, t0.Add(3*time.Hour), rev2, b, OutcomeDecline, "document_forged", "printout")
	rptDecide(t, db, clk, t0.Add(2*time.Hour), rev1, c, OutcomeAllow, "document_genuine", "checked by phone")
	rptDecide(t, db, clk, t0.Add(4*time.Hour), rev2, d, OutcomeAllow, "face_matches", "")
	clk.t = t0.Add(5 * time.Hour)
	if err := db.Approve(ctx, sup1, d, ""); err != nil {
		t.Fatalf("Approve: %v", err)
	}

	from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	r, err := db.Report(ctx, from, from.AddDate(0, 0, 1))
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	if r.Decisions != 4 {
		t.Errorf("Decisions = %d, want 4", r.Decisions)
	}
	got := map[string]ReviewerDecisions{}
	for _, v := range r.ByReviewer {
		got[v.Username] = v
	}
	if v := got["rev1"]; v.Allowed != 2 || v.Declined != 0 || v.ForApproval != 0 || v.Name != "Rev1" {
		t.Errorf("rev1 = %+v, want 2 allowed, 0 declined, 0 for approval", v)
	}
	if v := got["rev2"]; v.Allowed != 1 || v.Declined != 1 || v.ForApproval != 1 {
		t.Errorf("rev2 = %+v, want 1 allowed, 1 declined, 1 for approval", v)
	}
	if len(r.ByReviewer) != 2 {
		t.Errorf("ByReviewer has %d rows, want 2", len(r.ByReviewer))
	}
	wantOutcomes := []OutcomeCount{{OutcomeAllow, 3}, {OutcomeDecline, 1}}
	if fmt.Sprint(r.ByOutcome) != fmt.Sprint(wantOutcomes) {
		t.Errorf("ByOutcome = %v, want %v", r.ByOutcome, wantOutcomes)
	}
	// Waits of 1h, 2h and 3h from the first callback, and 5h to the second approval of D.
	if r.Times.Count != 4 || r.Times.Median != 150*time.Minute || r.Times.P90 != 264*time.Minute {
		t.Errorf("Times = %+v, want 4 final outcomes, median 2h30m, p90 4h24m", r.Times)
	}
	if len(r.Overrides) != 2 || r.Overrides[0].CaseID != a || r.Overrides[1].CaseID != c {
		t.Fatalf("Overrides = %+v, want cases %d then %d", r.Overrides, a, c)
	}
	if o := r.Overrides[0]; o.ReasonCode != "face_matches" || o.Note != "blocklist hit is a namesake" || o.Reviewer != "Rev1" || o.Ref != "A" {
		t.Errorf("Overrides[0] = %+v", o)
	}
	if len(r.Approvals) != 1 {
		t.Fatalf("Approvals = %+v, want one", r.Approvals)
	}
	if ap := r.Approvals[0]; ap.CaseID != d || ap.DecidedBy != "Rev2" || ap.ApprovedBy != "Sup1" || ap.Verdict != VerdictApproved || ap.Outcome != OutcomeAllow {
		t.Errorf("Approvals[0] = %+v", ap)
	}
	headID, head, err := db.AuditHead(ctx)
	if err != nil || r.ChainHeadID != headID || r.ChainHead != head || head == "" {
		t.Errorf("chain head = %d %q, AuditHead = %d %q, %v", r.ChainHeadID, r.ChainHead, headID, head, err)
	}

	// The digest is the SHA-256 of exactly the JSONL bytes, and reading again gives the same one.
	var buf bytes.Buffer
	lines, err := r.WriteJSONL(&buf)
	if err != nil {
		t.Fatal(err)
	}
	sum, n := r.Digest()
	if n != lines || lines != strings.Count(buf.String(), "\n") || lines != 1+2+2+1+1+2+1 {
		t.Errorf("Digest lines = %d, WriteJSONL = %d, newlines = %d; want 10", n, lines, strings.Count(buf.String(), "\n"))
	}
	if want := rptSHA256(buf.Bytes()); sum != want {
		t.Errorf("Digest = %s, want sha256 of the JSONL %s", sum, want)
	}
	r2, err := db.Report(ctx, from, from.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if sum2, _ := r2.Digest(); sum2 != sum {
		t.Errorf("Digest changed between two reads of the same period: %s, %s", sum, sum2)
	}
}

func TestReportEmptyAndInvalid(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r, err := db.Report(ctx, from, from.AddDate(0, 1, 0))
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	if !r.Empty() || r.Decisions != 0 || len(r.ByOutcome) != 0 || r.Times.Count != 0 || r.ChainHead != "" {
		t.Errorf("empty Report = %+v", r)
	}
	if sum, n := r.Digest(); len(sum) != 64 || n != 3 {
		t.Errorf("empty Digest = %q, %d lines; want a hash over 3 lines", sum, n)
	}
	if _, err := db.Report(ctx, from, from); !errors.Is(err, ErrInvalid) {
		t.Errorf("Report(empty period) error = %v, want ErrInvalid", err)
	}
}

func TestPercentile(t *testing.T) {
	s := func(ms ...int) []time.Duration {
		out := make([]time.Duration, len(ms))
		for i, v := range ms {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{nil, 50, 0},
		{s(7), 90, 7 * time.Millisecond},
		{s(10, 20), 50, 15 * time.Millisecond},
		{s(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9100 * time.Microsecond},
		{s(1, 2, 3), 50, 2 * time.Millisecond},
		{s(1, 2, 3), 100, 3 * time.Millisecond},
	}
	for _, tc := range tests {
		if got := Percentile(tc.in, tc.p); got != tc.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", tc.in, tc.p, got, tc.want)
		}
	}
}

// TestAuditManyKeepsChain: entries appended in one go chain like any others, before and after.
func TestAuditManyKeepsChain(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	seedAudit(t, db, 3)
	i := 0
	n, err := db.AuditMany(ctx, func() (AuditEntry, bool) {
		i++
		return AuditEntry{Actor: "rev", ActorID: 1, Action: "case.view", TargetType: "case", TargetID: "1", CaseID: 1,
			At: time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC)}, i <= 2000
	})
	if err != nil || n != 2000 {
		t.Fatalf("AuditMany = %d, %v; want 2000", n, err)
	}
	seedAudit(t, db, 1) // the application keeps appending after the batch
	total, brk, err := db.VerifyAudit(ctx)
	if err != nil || brk != nil || total != 2004 {
		t.Fatalf("VerifyAudit = %d, %v, %v; want 2004 intact", total, brk, err)
	}
}

func rptSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestReportCountsOnlyFinalOutcomes builds the mix that once read "Decisions 6, Allowed 4,
// Declined 2": two final decisions, one sent back, one reopened and two waiting for a second
// approval. Only the two final ones are decisions; the rest is counted apart, and the turnaround
// runs to the final outcome.
func TestReportCountsOnlyFinalOutcomes(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clk := &wsClock{t: t0}
	db.Now = clk.now
	rev := rptUser(t, db, "rev1", RoleReviewer)
	sup := rptUser(t, db, "sup1", RoleSupervisor)
	vcip := func(ref string) int64 {
		return rptIngest(t, db, &Snapshot{Source: SourceVCIP, Ref: ref, Status: Status{Overall: StatusApproved, Final: ptr(true)}}, t0)
	}
	finalAllow := rptIngest(t, db, markSnap("F1", StatusSuspected, true), t0)
	finalDecline, returned, pending1, pending2 := vcip("F2"), vcip("R"), vcip("P1"), vcip("P2")
	reopened := rptIngest(t, db, markSnap("O", StatusSuspected, true), t0)

	rptDecide(t, db, clk, t0.Add(time.Hour), rev, finalAllow, OutcomeAllow, "tags_explained", "namesake") // final at 1h
	rptDecide(t, db, clk, t0.Add(2*time.Hour), rev, finalDecline, OutcomeDecline, "poor_quality", "dark")
	clk.t = t0.Add(6 * time.Hour)
	mustOK(t, db.Approve(ctx, sup, finalDecline, "")) // final at 6h
	rptDecide(t, db, clk, t0.Add(3*time.Hour), rev, returned, OutcomeAllow, "face_matches", "")
	clk.t = t0.Add(4 * time.Hour)
	mustOK(t, db.Return(ctx, sup, returned, "check the PAN card again"))
	rptDecide(t, db, clk, t0.Add(5*time.Hour), rev, reopened, OutcomeAllow, "tags_explained", "looked fine")
	clk.t = t0.Add(7 * time.Hour)
	mustOK(t, db.Reopen(ctx, sup, reopened, "new AML hit"))
	rptDecide(t, db, clk, t0.Add(8*time.Hour), rev, pending1, OutcomeAllow, "face_matches", "")
	rptDecide(t, db, clk, t0.Add(9*time.Hour), rev, pending2, OutcomeDecline, "poor_quality", "no PAN shown")

	from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	r, err := db.Report(ctx, from, from.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{"decisions": r.Decisions, "pending": r.Pending, "returned": r.Returned, "reopened": r.Reopened,
		"times": r.Times.Count, "overrides": len(r.Overrides), "approvals": len(r.Approvals)}
	for _, o := range r.ByOutcome {
		got[o.Outcome] = o.Count
	}
	want := map[string]int{"decisions": 2, OutcomeAllow: 1, OutcomeDecline: 1, "pending": 2, "returned": 1, "reopened": 1,
		"times": 2, "overrides": 1, "approvals": 2}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("report figures = %v\nwant %v", got, want)
	}
	if len(r.ByReviewer) != 1 || r.ByReviewer[0].Allowed != 1 || r.ByReviewer[0].Declined != 1 || r.ByReviewer[0].ForApproval != 1 {
		t.Errorf("ByReviewer = %+v, want rev1 with 1 allowed, 1 declined, 1 of them approved by a second person", r.ByReviewer)
	}
	// To the final outcome: 1h for the allow, 6h for the decline approved at 6h (not 2h, when made).
	if r.Times.Median != 210*time.Minute || r.Times.P90 != 330*time.Minute {
		t.Errorf("Times = %+v, want median 3h30m and p90 5h30m (waits of 1h and 6h)", r.Times)
	}
	if r.Empty() {
		t.Error("Empty() = true for a period with work")
	}
}
