package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func seedAudit(t *testing.T, db *DB, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := db.Audit(context.Background(), AuditEntry{Actor: "rev1", ActorID: 1, Action: "case.view",
			TargetType: "case", TargetID: fmt.Sprint(i), CaseID: int64(i + 1), Details: map[string]any{"i": i}}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditChainIntact(t *testing.T) {
	db := openTest(t)
	seedAudit(t, db, 20)
	n, brk, err := db.VerifyAudit(context.Background())
	if err != nil || brk != nil || n != 20 {
		t.Fatalf("VerifyAudit = %d, %v, %v; want 20 intact", n, brk, err)
	}
}

func TestAuditIsAppendOnly(t *testing.T) {
	db := openTest(t)
	seedAudit(t, db, 2)
	if _, err := db.write.Exec(`UPDATE audit_log SET actor = 'x' WHERE id = 1`); err == nil {
		t.Error("UPDATE audit_log succeeded; want the trigger to refuse it")
	}
	if _, err := db.write.Exec(`DELETE FROM audit_log WHERE id = 1`); err == nil {
		t.Error("DELETE FROM audit_log succeeded; want the trigger to refuse it")
	}
}

// TestAuditTamper edits, deletes and swaps rows behind the application's back (dropping the
// triggers first, as an attacker with file access could) and expects verify to name the row.
func TestAuditTamper(t *testing.T) {
	cases := []struct {
		name   string
		sql    []string
		wantID int64
	}{
		{"edit details", []string{`UPDATE audit_log SET details = '{"i":99}' WHERE id = 5`}, 5},
		{"edit actor", []string{`UPDATE audit_log SET actor = 'someone-else' WHERE id = 7`}, 7},
		{"edit time", []string{`UPDATE audit_log SET at = '2020-01-01T00:00:00.000000000Z' WHERE id = 3`}, 3},
		{"delete middle", []string{`DELETE FROM audit_log WHERE id = 4`}, 5},
		{"delete first", []string{`DELETE FROM audit_log WHERE id = 1`}, 2},
		{"swap two rows", []string{
			`UPDATE audit_log SET id = -6 WHERE id = 6`,
			`UPDATE audit_log SET id = 6 WHERE id = 8`,
			`UPDATE audit_log SET id = 8 WHERE id = -6`}, 6},
		{"edit and rehash one row", []string{
			`UPDATE audit_log SET actor = 'x', hash = '0000000000000000000000000000000000000000000000000000000000000001' WHERE id = 9`}, 9},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t)
			seedAudit(t, db, 10)
			for _, q := range append([]string{`DROP TRIGGER audit_no_update`, `DROP TRIGGER audit_no_delete`}, tc.sql...) {
				if _, err := db.write.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			_, brk, err := db.VerifyAudit(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if brk == nil || brk.ID != tc.wantID {
				t.Fatalf("VerifyAudit break = %v, want entry %d", brk, tc.wantID)
			}
		})
	}
}

func TestAuditListKeyset(t *testing.T) {
	db := openTest(t)
	db.Now = func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }
	seedAudit(t, db, 25)
	var seen []int64
	before := int64(0)
	for {
		page, next, err := db.ListAudit(context.Background(), AuditFilter{Action: "case."}, before, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			seen = append(seen, e.ID)
		}
		if next == 0 {
			break
		}
		before = next
	}
	if len(seen) != 25 || seen[0] != 25 || seen[24] != 1 {
		t.Errorf("keyset pages = %v, want 25..1", seen)
	}
}
