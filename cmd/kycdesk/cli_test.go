package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// TestAuditVerifyCLI creates accounts through the CLI, verifies the chain, then tampers with the
// database file directly and expects `audit verify` to fail naming the entry.
func TestAuditVerifyCLI(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	for _, u := range []string{"rev1", "sup1", "aud1"} {
		if err := run(ctx, []string{"user", "add", "--data", data, "--username", u, "--role", "reviewer"}); err != nil {
			t.Fatalf("user add %s: %v", u, err)
		}
	}
	if err := run(ctx, []string{"user", "disable", "--data", data, "--username", "sup1"}); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"audit", "verify", "--data", data}); err != nil {
		t.Fatalf("audit verify on an untouched log: %v", err)
	}
	if err := run(ctx, []string{"audit", "verify", "--data", data, "--expect", "2:" + strings.Repeat("0", 64)}); err == nil ||
		!strings.Contains(err.Error(), "entry 2") {
		t.Errorf("audit verify --expect with a wrong head = %v, want it to name entry 2", err)
	}
	raw, err := sql.Open("sqlite3", filepath.Join(data, "kycdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{`DROP TRIGGER audit_no_update`, `UPDATE audit_log SET details = '{"roles":["admin"]}' WHERE id = 2`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	err = run(ctx, []string{"audit", "verify", "--data", data})
	if err == nil || !strings.Contains(err.Error(), "BROKEN at entry 2") {
		t.Errorf("audit verify after editing entry 2 = %v, want BROKEN at entry 2", err)
	}
}

func TestUserAddRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	if err := run(ctx, []string{"user", "add", "--data", data, "--username", "x1", "--role", "superuser"}); err == nil {
		t.Error("user add with an unknown role succeeded")
	}
	if err := run(ctx, []string{"user", "add", "--data", data, "--username", "dup", "--role", "auditor"}); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"user", "add", "--data", data, "--username", "DUP", "--role", "auditor"}); err == nil {
		t.Error("user add accepted a username that differs only in case")
	}
}
