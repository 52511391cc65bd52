package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestClientHoldListAndLiftTargets: a hold placed by client ID (admin or supervisor, never a
// reviewer; an ID no case has is refused), the page's list with its counts, find and keyset
// pages, and the lift's audit entry targeting what the placing entry targeted.
func TestClientHoldListAndLiftTargets(t *testing.T) {
	db, _ := mediaTestDB(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	sup := wsUser(t, db, "sup", RoleSupervisor)
	adm := wsUser(t, db, "adm", RoleAdmin)
	a := retentionCase(t, db, "a", "cli-7", mediaSHA("a"))
	retentionCase(t, db, "b", "cli-7", mediaSHA("b"))
	c := retentionCase(t, db, "c", "cli-8", mediaSHA("c"))

	if _, err := db.PlaceClientHold(ctx, rev, "cli-7", "order 1"); !isKind(err, KindForbidden) {
		t.Fatalf("a reviewer placed a client hold: %v", err)
	}
	for _, bad := range []struct{ client, reason, field string }{
		{"cli-77", "order 1", "legal_hold_client_id"},
		{"", "order 1", "legal_hold_client_id"},
		{"cli-7", "  ", "legal_hold_reason"},
		{"cli-7", strings.Repeat("x", MaxHoldReason+1), "legal_hold_reason"},
	} {
		_, err := db.PlaceClientHold(ctx, adm, bad.client, bad.reason)
		if e, ok := AsError(err); !ok || e.Fields[bad.field] == "" {
			t.Errorf("PlaceClientHold(%q, %d chars): err = %v, want a %s field error", bad.client, len(bad.reason), err, bad.field)
		}
	}
	byClient, err := db.PlaceClientHold(ctx, adm, " cli-7 ", "Court order 12/2026")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PlaceHold(ctx, sup, c, false, "Police request 88"); err != nil {
		t.Fatal(err)
	}
	if err := db.PlaceHold(ctx, sup, a, true, "Ombudsman complaint"); err != nil { // from case a's page
		t.Fatal(err)
	}

	page, err := db.ListHolds(ctx, HoldFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 3 || len(page.Holds) != 3 || page.Next != 0 {
		t.Fatalf("list = %+v", page)
	}
	fromCase, caseHold, first := page.Holds[0], page.Holds[1], page.Holds[2]
	if first.ID != byClient || first.ClientID != "cli-7" || first.CaseID != 0 || first.Cases != 2 || first.SetByName != "adm" {
		t.Errorf("client hold row = %+v", first)
	}
	if caseHold.CaseID != c || caseHold.ClientID != "" || caseHold.CaseClientID != "cli-8" || caseHold.Cases != 1 {
		t.Errorf("case hold row = %+v", caseHold)
	}
	if fromCase.ClientID != "cli-7" || fromCase.Cases != 2 {
		t.Errorf("client hold from a case page = %+v", fromCase)
	}

	for find, want := range map[string][]int64{
		"cli-7":             {fromCase.ID, byClient},
		fmt.Sprint(a):       {fromCase.ID, byClient}, // the holds on its client
		"#" + fmt.Sprint(c): {caseHold.ID},
		"cli-8":             {caseHold.ID}, // a hold on one of the client's cases
		"nobody":            nil,
	} {
		p, err := db.ListHolds(ctx, HoldFilter{Find: find})
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, h := range p.Holds {
			got = append(got, h.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("find %q = %v, want %v", find, got, want)
		}
	}
	p1, _ := db.ListHolds(ctx, HoldFilter{Limit: 2})
	if len(p1.Holds) != 2 || p1.Next != caseHold.ID {
		t.Fatalf("first page of 2 = %+v", p1)
	}
	p2, _ := db.ListHolds(ctx, HoldFilter{Limit: 2, Before: p1.Next})
	if len(p2.Holds) != 1 || p2.Holds[0].ID != byClient || p2.Next != 0 {
		t.Fatalf("second page = %+v", p2)
	}

	// From a case page, only a hold that covers the case can be lifted.
	wantErr(t, "lift another case's hold from case a's page", db.LiftHold(ctx, sup, a, caseHold.ID, "wrong page"), ErrNotFound)
	wantErr(t, "lift without a reason", db.LiftHold(ctx, adm, 0, byClient, " "), ErrInvalid)
	for _, id := range []int64{byClient, caseHold.ID, fromCase.ID} {
		if err := db.LiftHold(ctx, adm, 0, id, "Order expired"); err != nil {
			t.Fatal(err)
		}
	}
	wantErr(t, "lift twice", db.LiftHold(ctx, adm, 0, byClient, "again"), ErrConflict)
	targets := map[string]string{}
	err = db.StreamAudit(ctx, AuditFilter{Action: "case."}, func(e AuditEntry) error {
		if strings.HasPrefix(e.Action, "case.legal_hold") {
			targets[e.Action+" "+e.Actor+" "+e.DetailsJSON] = fmt.Sprintf("%s %s %d", e.TargetType, e.TargetID, e.CaseID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		fmt.Sprintf(`case.legal_hold adm {"cases":2,"client_id":"cli-7","hold":%d,"reason":"Court order 12/2026","scope":"client"}`, byClient): "client cli-7 0",
		fmt.Sprintf(`case.legal_hold_lifted adm {"client_id":"cli-7","hold":%d,"reason":"Order expired","scope":"client"}`, byClient):          "client cli-7 0",
		fmt.Sprintf(`case.legal_hold_lifted adm {"hold":%d,"reason":"Order expired","scope":"case"}`, caseHold.ID):                             fmt.Sprintf("case %d %d", c, c),
		fmt.Sprintf(`case.legal_hold_lifted adm {"client_id":"cli-7","hold":%d,"reason":"Order expired","scope":"client"}`, fromCase.ID):       fmt.Sprintf("case %d %d", a, a),
	}
	for k, v := range want {
		if targets[k] != v {
			t.Errorf("audit %s: target %q, want %q", k, targets[k], v)
		}
	}
	if p, _ := db.ListHolds(ctx, HoldFilter{}); p.Total != 0 || len(p.Holds) != 0 {
		t.Errorf("after lifting all: %+v", p)
	}
	verifyAudit(t, db, "after the holds")
}

// TestHoldQueriesUseIndexes: the page, its find, a client's case count and the placing entry's
// lookup each read through an index, never a scan of cases, holds or the audit log.
func TestHoldQueriesUseIndexes(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	list, listArgs := holdListSQL(HoldFilter{})
	find, findArgs := holdListSQL(HoldFilter{Find: "12"})
	for name, q := range map[string]struct {
		sql  string
		args []any
		want []string
	}{
		"list":          {list, listArgs, []string{"legal_holds_open", "cases_client"}},
		"find":          {find, findArgs, []string{"legal_holds_client", "legal_holds_case", "cases_client"}},
		"client cases":  {`SELECT COUNT(*) FROM cases WHERE client_id = ?`, []any{"x"}, []string{"cases_client"}},
		"placing entry": {holdPlacedSQL, []any{"2025-01-01T00:00:00Z", 1}, []string{"audit_at"}},
		"count":         {`SELECT COUNT(*) FROM legal_holds WHERE lifted_at IS NULL`, nil, []string{"legal_holds_"}},
	} {
		plan := explain(t, db, q.sql, q.args...)
		for _, line := range plan {
			if strings.Contains(line, "SCAN ") && !strings.Contains(line, "CONSTANT ROW") && !strings.Contains(line, "USING INDEX legal_holds_") &&
				!strings.Contains(line, "USING COVERING INDEX legal_holds_") {
				t.Errorf("%s: plan scans: %q (plan %q)", name, line, plan)
			}
		}
		joined := strings.Join(plan, "\n")
		for _, idx := range q.want {
			if !strings.Contains(joined, idx) {
				t.Errorf("%s: plan does not use %s:\n%s", name, idx, joined)
			}
		}
	}
	_ = ctx
}

// explain is the EXPLAIN QUERY PLAN detail lines of q.
func explain(t *testing.T, db *DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.read.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, detail)
	}
	return out
}

func isKind(err error, k ErrorKind) bool {
	e, ok := AsError(err)
	return ok && e.Kind == k
}
