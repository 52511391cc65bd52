package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// bindFixture is a desk with one of everything the audit log binds: a video-KYC decision with
// its second approval, a decided case reopened, a reviewer account and a settings change.
type bindFixture struct {
	db                         *DB
	decision, approval, reopen int64
	victim, checker            int64
}

var testAuditKey = []byte("0123456789abcdef0123456789abcdef-test-key")

func newBindFixture(t *testing.T, keyed bool) bindFixture {
	t.Helper()
	db, _ := openWorkspace(t)
	if keyed {
		db.SetAuditKey(testAuditKey)
	}
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	sup := wsUser(t, db, "sup", RoleSupervisor)
	sup2 := wsUser(t, db, "sup2", RoleSupervisor)
	f := bindFixture{db: db, checker: sup2.ID}
	decide := func(ref string) int64 {
		id := ingestWS(t, db, wsCase{source: SourceVCIP, ref: ref, first: "PRIYA"})
		if err := db.Claim(ctx, rev, id); err != nil {
			t.Fatal(err)
		}
		d, err := db.Decide(ctx, rev, DecisionInput{CaseID: id, Outcome: OutcomeAllow, ReasonCode: "face_matches", Note: "same face"})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Approve(ctx, sup, id, ""); err != nil {
			t.Fatal(err)
		}
		f.decision = d.ID
		return id
	}
	decide("bind-1")
	if err := db.Reopen(ctx, sup, decide("bind-2"), "the customer sent a new document"); err != nil {
		t.Fatal(err)
	}
	u, err := db.CreateUser(ctx, SystemActor, "victim", "", "hash", []string{RoleReviewer})
	if err != nil {
		t.Fatal(err)
	}
	f.victim = u.ID
	r := db.Rules()
	r.SLA = 12 * time.Hour
	if _, err := db.SaveRules(ctx, SystemActor, r); err != nil {
		t.Fatal(err)
	}
	raw := rawDB(t, db)
	if err := raw.QueryRow(`SELECT MAX(id) FROM approvals`).Scan(&f.approval); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow(`SELECT MAX(id) FROM reopens`).Scan(&f.reopen); err != nil {
		t.Fatal(err)
	}
	return f
}

// rawDB is what an attacker with write access to the file has: a connection of their own.
func rawDB(t *testing.T, db *DB) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+db.Path()+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// tamper runs statements on the file as an attacker would, the immutability triggers dropped.
func tamper(t *testing.T, db *DB, stmts ...string) {
	t.Helper()
	raw := rawDB(t, db)
	for _, s := range append([]string{`DROP TRIGGER IF EXISTS decisions_no_update`, `DROP TRIGGER IF EXISTS decisions_no_delete`,
		`DROP TRIGGER IF EXISTS approvals_no_delete`, `DROP TRIGGER IF EXISTS audit_no_update`}, stmts...) {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestVerifyNamesTamperedRows is the pen test's edit of the database file: a decision's outcome,
// maker and note changed, its approval deleted, a reviewer made admin, four-eyes switched off, a
// decision added. The audit chain itself stays intact; verify recomputes the bound rows and names
// each one, with and without the audit key.
func TestVerifyNamesTamperedRows(t *testing.T) {
	for _, keyed := range []bool{false, true} {
		for _, tc := range []struct {
			name  string
			stmts func(f bindFixture) []string
			table string
			id    func(f bindFixture) int64
			want  string
		}{
			{"decision outcome", func(f bindFixture) []string {
				return []string{fmt.Sprintf(`UPDATE decisions SET outcome = 'decline' WHERE id = %d`, f.decision)}
			}, "decisions", func(f bindFixture) int64 { return f.decision }, "changed since audit entry"},
			{"decision maker", func(f bindFixture) []string {
				return []string{fmt.Sprintf(`UPDATE decisions SET decided_by = %d WHERE id = %d`, f.checker, f.decision)}
			}, "decisions", func(f bindFixture) int64 { return f.decision }, "changed since audit entry"},
			{"decision note", func(f bindFixture) []string {
				return []string{fmt.Sprintf(`UPDATE decisions SET note = 'nothing to see' WHERE id = %d`, f.decision)}
			}, "decisions", func(f bindFixture) int64 { return f.decision }, "changed since audit entry"},
			{"approval deleted", func(f bindFixture) []string {
				return []string{fmt.Sprintf(`DELETE FROM approvals WHERE id = %d`, f.approval)}
			}, "approvals", func(f bindFixture) int64 { return f.approval }, "vanished"},
			{"reopen rewritten", func(f bindFixture) []string {
				return []string{`DROP TRIGGER IF EXISTS reopens_no_update`, fmt.Sprintf(`UPDATE reopens SET reason = 'x' WHERE id = %d`, f.reopen)}
			}, "reopens", func(f bindFixture) int64 { return f.reopen }, "changed since audit entry"},
			{"reviewer made admin", func(f bindFixture) []string {
				return []string{fmt.Sprintf(`UPDATE users SET roles = 'reviewer,admin' WHERE id = %d`, f.victim)}
			}, "users", func(f bindFixture) int64 { return f.victim }, "changed since audit entry"},
			{"four-eyes off", func(f bindFixture) []string {
				return []string{`INSERT INTO settings (key, value) VALUES ('four_eyes_vcip', 'false')
					ON CONFLICT (key) DO UPDATE SET value = excluded.value`}
			}, "settings", func(bindFixture) int64 { return 0 }, "changed since audit entry"},
			{"decision added", func(f bindFixture) []string {
				return []string{fmt.Sprintf(`INSERT INTO decisions (id, case_id, outcome, reason_code, note, decided_by, decided_at)
					SELECT 9999, case_id, 'allow', 'face_matches', '', decided_by, decided_at FROM decisions WHERE id = %d`, f.decision)}
			}, "decisions", func(bindFixture) int64 { return 9999 }, "no audit entry"},
		} {
			t.Run(fmt.Sprintf("%s/keyed=%v", tc.name, keyed), func(t *testing.T) {
				f := newBindFixture(t, keyed)
				ctx := context.Background()
				if ps, err := f.db.VerifyBindings(ctx); err != nil || len(ps) != 0 {
					t.Fatalf("before tampering: %v, %v; want no problems", ps, err)
				}
				tamper(t, f.db, tc.stmts(f)...)
				ps, err := f.db.VerifyBindings(ctx)
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, p := range ps {
					found = found || p.Table == tc.table && p.ID == tc.id(f) && strings.Contains(p.Reason, tc.want)
				}
				if !found || len(ps) != 1 {
					t.Fatalf("VerifyBindings = %v, want exactly %s %d: %s", ps, tc.table, tc.id(f), tc.want)
				}
				if _, brk, err := f.db.VerifyAudit(ctx); err != nil || brk != nil {
					t.Fatalf("VerifyAudit = %v, %v: the chain itself was not touched", brk, err)
				}
			})
		}
	}
}

// TestKeyedChainCatchesRewrite: rewriting an entry and recomputing every SHA-256 after it passes
// the plain chain, which is why there is a key: with it the rewritten entry is named. Unsigned
// entries after signed ones and an unsigned newest entry are refused too.
func TestKeyedChainCatchesRewrite(t *testing.T) {
	f := newBindFixture(t, true)
	ctx := context.Background()
	n, brk, err := f.db.VerifyAudit(ctx)
	if err != nil || brk != nil || n < 10 {
		t.Fatalf("VerifyAudit before = %d, %v, %v", n, brk, err)
	}
	// Rewrite entry 5's details (say, a decision's note) and rehash the chain from there on.
	raw := rawDB(t, f.db)
	tamper(t, f.db)
	type entry struct {
		id, actorID, caseID                             int64
		at, actor, action, tt, tid, details, prev, hash string
	}
	rows, err := raw.Query(`SELECT id, at, actor, COALESCE(actor_id, 0), action, target_type, target_id,
		COALESCE(case_id, 0), details, prev_hash, hash FROM audit_log WHERE id >= 5 ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var es []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.id, &e.at, &e.actor, &e.actorID, &e.action, &e.tt, &e.tid, &e.caseID, &e.details, &e.prev, &e.hash); err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	rows.Close()
	prev := es[0].prev
	for i, e := range es {
		if i == 0 {
			e.details = `{"rewritten":true}`
		}
		e.prev = prev
		e.hash = entryHash(e.id, e.at, e.actor, e.actorID, e.action, e.tt, e.tid, e.caseID, e.details, e.prev)
		if _, err := raw.Exec(`UPDATE audit_log SET details = ?, prev_hash = ?, hash = ? WHERE id = ?`, e.details, e.prev, e.hash, e.id); err != nil {
			t.Fatal(err)
		}
		prev = e.hash
	}
	f.db.SetAuditKey(nil)
	if _, brk, _ := f.db.VerifyAudit(ctx); brk != nil {
		t.Fatalf("without the key the rehashed chain should pass (that is the weakness the key closes): %v", brk)
	}
	if err := f.db.Audit(ctx, AuditEntry{Actor: "cli", Action: "export.audit"}); !errors.Is(err, ErrAuditKeyRequired) {
		t.Fatalf("an unsigned entry on a signed log: err = %v, want ErrAuditKeyRequired", err)
	}
	f.db.SetAuditKey(testAuditKey)
	_, brk, err = f.db.VerifyAudit(ctx)
	if err != nil || brk == nil || brk.ID != 5 || !strings.Contains(brk.Reason, "signature") {
		t.Fatalf("VerifyAudit with the key = %v, %v; want entry 5 named by its signature", brk, err)
	}
	// An attacker without the key can only write unsigned entries: the newest is then unsigned.
	if _, err := raw.Exec(`UPDATE audit_log SET mac = NULL`); err != nil {
		t.Fatal(err)
	}
	if _, brk, _ := f.db.VerifyAudit(ctx); brk == nil || !strings.Contains(brk.Reason, "not signed") {
		t.Fatalf("VerifyAudit of an unsigned log with the key = %v, want the unsigned newest entry named", brk)
	}
}

// TestBaselineBindsOlderRowsOnce: rows from before binding existed are bound by one baseline at the
// next start, after which verify is clean; a second baseline later is itself reported.
func TestBaselineBindsOlderRowsOnce(t *testing.T) {
	f := newBindFixture(t, false)
	ctx := context.Background()
	// As before migration 0091: a decision whose entry carries no row, and the baseline pending.
	tamper(t, f.db, fmt.Sprintf(`INSERT INTO decisions (id, case_id, outcome, reason_code, note, decided_by, decided_at)
		SELECT 500, case_id, 'decline', 'poor_quality', 'legacy', decided_by, decided_at FROM decisions WHERE id = %d`, f.decision),
		`INSERT INTO audit_baseline_pending VALUES (1)`)
	if err := f.db.baselineBindings(ctx); err != nil {
		t.Fatal(err)
	}
	if ps, err := f.db.VerifyBindings(ctx); err != nil || len(ps) != 0 {
		t.Fatalf("after the baseline: %v, %v; want none", ps, err)
	}
	f.db.Audit(ctx, AuditEntry{Actor: "x", Action: "export.audit"})
	tamper(t, f.db, `INSERT INTO audit_baseline_pending VALUES (1)`)
	if err := f.db.baselineBindings(ctx); err != nil {
		t.Fatal(err)
	}
	ps, _ := f.db.VerifyBindings(ctx)
	if len(ps) != 1 || !strings.Contains(ps[0].Reason, "second baseline") {
		t.Fatalf("after a second baseline: %v, want it reported", ps)
	}
}
