package store

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// TestStreamAuditRowsAsStored: every entry comes out with its columns exactly as stored, also
// those whose text holds the separator the scan joins columns with, is empty, or is a BLOB.
func TestStreamAuditRowsAsStored(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	seedAudit(t, db, 5)
	for _, s := range []string{"", auditRowSep, "a" + auditRowSep + "b", auditRowSep + auditRowSep, "nul\x00byte", "é, \"q\"\n"} {
		if err := db.Audit(ctx, AuditEntry{Actor: s, Action: "case.view", TargetType: s, TargetID: s,
			Details: map[string]string{"s": s}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.write.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, details, prev_hash, hash)
		VALUES (?, ?, 'case.view', ?, '', '')`, []byte("blob\x1ftime"), []byte("blob actor"), []byte(`{"b":1}`)); err != nil {
		t.Fatal(err)
	}
	seedAudit(t, db, 2)

	rows, err := db.read.QueryContext(ctx, `SELECT id, at, actor, action, target_type, target_id, COALESCE(case_id, 0),
		details, prev_hash, hash FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var want []AuditRow
	for rows.Next() {
		var r AuditRow
		if err := rows.Scan(&r.ID, &r.At, &r.Actor, &r.Action, &r.TargetType, &r.TargetID, &r.CaseID, &r.Details, &r.PrevHash, &r.Hash); err != nil {
			t.Fatal(err)
		}
		want = append(want, r)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}

	var got []AuditRow
	if err := db.StreamAuditRows(ctx, AuditFilter{}, func(r *AuditRow) error { got = append(got, *r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("StreamAuditRows gave %d entries, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %#v\nwant %#v", want[i].ID, got[i], want[i])
		}
	}
}

// TestStreamAuditRowsFilters: the same entries, in the same order, as StreamAudit for a filter;
// and fn's error ends the stream.
func TestStreamAuditRowsFilters(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	seedAudit(t, db, 30)
	if err := db.Audit(ctx, AuditEntry{Actor: "rev2", Action: "case.claim", CaseID: 3}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []AuditFilter{{}, {Actor: "rev2"}, {Action: "case."}, {CaseID: 3}, {ExcludeViews: true}} {
		var want, got []int64
		if err := db.StreamAudit(ctx, f, func(e AuditEntry) error { want = append(want, e.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		if err := db.StreamAuditRows(ctx, f, func(r *AuditRow) error { got = append(got, r.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) || len(want) == 0 && f.CaseID == 0 {
			t.Errorf("StreamAuditRows(%+v) ids = %v, want %v", f, got, want)
		}
	}
	stop := errors.New("stop")
	n := 0
	if err := db.StreamAuditRows(ctx, AuditFilter{}, func(*AuditRow) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("StreamAuditRows with a failing fn = %v after %d entries, want stop after 1", err, n)
	}
}
