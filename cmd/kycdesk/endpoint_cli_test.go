package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kycdesk/kycdesk/store"
)

// TestEndpointAndTokenCLI drives `kycdesk endpoint` and `kycdesk token` in process and checks
// the database: disable, enable, rotate and revoke take effect, and every change is audited under
// the operating-system user.
func TestEndpointAndTokenCLI(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	t.Setenv("USER", "ops")
	steps := [][]string{
		{"endpoint", "add", "--data", data, "--url", "https://onboarding.bank.test/kyc", "--events", "case.decided,case.returned"},
		{"endpoint", "list", "--data", data},
		{"endpoint", "disable", "--data", data, "--id", "1"},
		{"endpoint", "enable", "--data", data, "--id", "1"},
		{"endpoint", "rotate", "--data", data, "--id", "1", "--grace", "2h"},
		{"token", "add", "--data", data, "--name", "onboarding", "--scope", "decisions:read,cases:read"},
		{"token", "list", "--data", data},
		{"token", "revoke", "--data", data, "--id", "1"},
	}
	var secretBefore string
	for i, args := range steps {
		if i == 4 {
			db, err := store.Open(ctx, filepath.Join(data, "kycdesk.db"))
			if err != nil {
				t.Fatal(err)
			}
			ep, err := db.EndpointByID(ctx, 1)
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			secretBefore = ep.Secret
		}
		if err := run(ctx, args); err != nil {
			t.Fatalf("kycdesk %s: %v", strings.Join(args, " "), err)
		}
	}
	for _, bad := range [][]string{
		{"endpoint", "add", "--data", data, "--url", "ftp://bank.test/x"},
		{"endpoint", "add", "--data", data, "--url", "https://bank.test/x", "--events", "case.exploded"},
		{"token", "add", "--data", data, "--name", "x", "--scope", "admin:all"},
		{"endpoint", "disable", "--data", data, "--id", "99"},
	} {
		if err := run(ctx, bad); err == nil {
			t.Errorf("kycdesk %s succeeded, want an error", strings.Join(bad, " "))
		}
	}
	db, err := store.Open(ctx, filepath.Join(data, "kycdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ep, err := db.EndpointByID(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !ep.Enabled || strings.Join(ep.Events, ",") != "case.decided,case.returned" || ep.Secret == secretBefore ||
		ep.OldSecret != secretBefore || !strings.HasPrefix(ep.Secret, "whsec_") {
		t.Errorf("endpoint after the CLI = %+v, want enabled, two event types, a rotated secret with the old one kept", ep)
	}
	tk, err := db.TokenByID(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Active() || !tk.Has(store.ScopeCasesRead) {
		t.Errorf("token after revoke = %+v, want revoked with both scopes", tk)
	}
	entries, _, err := db.ListAudit(ctx, store.AuditFilter{Actor: "cli:ops"}, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range entries {
		got[e.Action] = true
	}
	for _, a := range []string{"webhook.endpoint.add", "webhook.endpoint.disable", "webhook.endpoint.enable",
		"webhook.endpoint.rotate", "api.token.add", "api.token.revoke"} {
		if !got[a] {
			t.Errorf("no %s by cli:ops in the audit log (have %v)", a, got)
		}
	}
}
