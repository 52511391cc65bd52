package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAuditVerifyCLIBindingsAndKey: with --audit-key-file every command signs the log; verify
// with the key checks the signatures, a command without the key refuses to add unsigned entries,
// a key inside the data dir is refused, and a role granted by editing the file is named.
func TestAuditVerifyCLIBindingsAndKey(t *testing.T) {
	ctx := context.Background()
	data, keyDir := t.TempDir(), t.TempDir()
	key := filepath.Join(keyDir, "audit.key")
	if err := os.WriteFile(key, []byte(strings.Repeat("ab", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	inside := filepath.Join(data, "audit.key")
	if err := os.WriteFile(inside, []byte(strings.Repeat("cd", 32)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"user", "add", "--data", data, "--audit-key-file", inside, "--username", "x", "--role", "reviewer"}); err == nil ||
		!strings.Contains(err.Error(), "inside the data dir") {
		t.Fatalf("a key inside the data dir: %v, want it refused", err)
	}
	for _, u := range []string{"rev1", "rev2"} {
		if err := run(ctx, []string{"user", "add", "--data", data, "--audit-key-file", key, "--username", u, "--role", "reviewer"}); err != nil {
			t.Fatalf("user add %s: %v", u, err)
		}
	}
	if err := run(ctx, []string{"user", "add", "--data", data, "--username", "nokey", "--role", "reviewer"}); err == nil ||
		!strings.Contains(err.Error(), "signed with a key") {
		t.Fatalf("user add without the key on a signed log: %v, want it refused", err)
	}
	if err := run(ctx, []string{"audit", "verify", "--data", data, "--audit-key-file", key}); err != nil {
		t.Fatalf("audit verify with the key on an untouched log: %v", err)
	}
	raw, err := sql.Open("sqlite3", filepath.Join(data, "kycdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE users SET roles = 'reviewer,admin' WHERE username = 'rev2'`); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--audit-key-file", key}, nil} {
		err := run(ctx, append([]string{"audit", "verify", "--data", data}, args...))
		if err == nil || !strings.Contains(err.Error(), "1 of the records the log binds no longer match") {
			t.Errorf("audit verify %v after granting admin in the file = %v, want the user named", args, err)
		}
	}
}
