package store

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func registerRefs(t *testing.T, db *DB, f RegisterFilter) []string {
	t.Helper()
	var out []string
	if err := db.StreamRegister(context.Background(), f, func(r RegisterRow) error {
		out = append(out, r.Ref)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDecisionRegister checks the register's rows and filters over the dashboard's scenario: the
// returned first decision on V is not final and is left out; the approved one is in, with its approver.
func TestDecisionRegister(t *testing.T) {
	db, clk, ids, users := dashScenario(t)
	ctx := context.Background()
	// A decline on day 3 with a long Devanagari note: the register keeps its first 200 characters.
	rev1 := users["rev1"]
	n := ingestWS(t, db, wsCase{ref: "N", first: "N", overall: StatusSuspected, final: true})
	mustOK(t, db.Claim(ctx, rev1, n))
	clk.advance(5 * time.Minute)
	note := strings.Repeat("क", 250)
	if _, err := db.Decide(ctx, rev1, DecisionInput{CaseID: n, Outcome: OutcomeDecline, ReasonCode: "poor_quality", Note: note}); err != nil {
		t.Fatal(err)
	}

	var rows []RegisterRow
	if err := db.StreamRegister(ctx, RegisterFilter{}, func(r RegisterRow) error { rows = append(rows, r); return nil }); err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, r := range rows {
		refs = append(refs, r.Ref)
	}
	if got := strings.Join(refs, ","); got != "A,B,C,V,N" {
		t.Fatalf("register = %s, want A,B,C,V,N (final decisions, oldest first)", got)
	}
	day := func(d, h, m int) time.Time { return time.Date(2025, 11, d, h, m, 0, 0, time.UTC) }
	a, v, last := rows[0], rows[3], rows[4]
	checks := []struct {
		name      string
		got, want any
	}{
		{"A.Source", a.Source, SourceMarkID},
		{"A.VendorStatus", a.VendorStatus, StatusSuspected},
		{"A.Reviewer", a.Reviewer, "rev1"},
		{"A.Approver", a.Approver, ""},
		{"A.FirstAt", a.FirstAt, day(20, 9, 0)},
		{"A.ClaimedAt", a.ClaimedAt, day(20, 10, 0)},
		{"A.DecidedAt", a.DecidedAt, day(20, 10, 20)},
		{"A.ApprovedAt", a.ApprovedAt, time.Time{}},
		{"A.Outcome", a.Outcome, OutcomeAllow},
		{"A.Reason", a.Reason, "tags_explained"},
		{"A.Note", a.Note, "checked"},
		{"A.CaseID", a.CaseID, ids["A"]},
		{"V.Source", v.Source, SourceVCIP},
		{"V.Approver", v.Approver, "sup"},
		{"V.ClaimedAt", v.ClaimedAt, day(21, 9, 40)},
		{"V.DecidedAt", v.DecidedAt, day(21, 10, 0)},
		{"V.ApprovedAt", v.ApprovedAt, day(21, 10, 30)},
		{"V.FinalAt", v.FinalAt(), day(21, 10, 30)},
		{"N.Note runes", utf8.RuneCountInString(last.Note), 200},
		{"N.Note prefix", strings.HasPrefix(note, last.Note), true},
		{"MediaHashes", a.MediaHashes, 0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// Each row names the audit entry that made it final.
	for _, r := range rows {
		want := "case.decision"
		if r.Approver != "" {
			want = "case.approve"
		}
		var e AuditEntry
		_ = db.StreamAudit(ctx, AuditFilter{CaseID: r.CaseID}, func(x AuditEntry) error {
			if x.ID == r.AuditID {
				e = x
			}
			return nil
		})
		var details struct{ Decision int64 }
		_ = json.Unmarshal([]byte(e.DetailsJSON), &details)
		if e.Action != want || details.Decision != r.DecisionID {
			t.Errorf("%s: audit entry %d = %s of decision %d, want %s of %d", r.Ref, r.AuditID, e.Action, details.Decision, want, r.DecisionID)
		}
	}
	for _, c := range []struct {
		name string
		f    RegisterFilter
		want string
	}{
		{"decline", RegisterFilter{Outcome: OutcomeDecline}, "B,N"},
		{"rev2", RegisterFilter{Reviewer: "rev2"}, "C,V"},
		{"vcip", RegisterFilter{Source: SourceVCIP}, "V"},
		{"day 2", RegisterFilter{From: day(21, 0, 0), To: day(22, 0, 0)}, "C,V"},
		{"day 2 allow by rev2 on markid", RegisterFilter{From: day(21, 0, 0), To: day(22, 0, 0), Outcome: OutcomeAllow, Reviewer: "rev2", Source: SourceMarkID}, "C"},
		{"newest two", RegisterFilter{NewestFirst: true, Limit: 2}, "N,V"},
		{"nobody", RegisterFilter{Reviewer: "nobody"}, ""},
	} {
		if got := strings.Join(registerRefs(t, db, c.f), ","); got != c.want {
			t.Errorf("register %s = %q, want %q", c.name, got, c.want)
		}
	}
}
