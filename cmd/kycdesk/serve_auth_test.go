package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web"
)

// TestAuthFlags reads the sign-in flags and their KYCDESK_* twins into the configuration.
func TestAuthFlags(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "oidc-secret")
	if err := os.WriteFile(secret, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KYCDESK_OIDC_ISSUER", "https://sso.bank.example/realms/staff")
	t.Setenv("KYCDESK_REQUIRE_MFA", "all")
	f := newFlags("serve")
	auth := addAuthFlags(f)
	if err := f.Parse([]string{"--oidc-client-id", "kycdesk", "--oidc-client-secret-file", secret,
		"--oidc-scopes", "openid,profile", "--oidc-role-map", "kyc-leads=supervisor,kyc-leads=reviewer", "--oidc-name", "Bank SSO"}); err != nil {
		t.Fatal(err)
	}
	var cfg web.Config
	if err := auth.apply(&cfg); err != nil {
		t.Fatal(err)
	}
	o := cfg.OIDC
	if o.Issuer != "https://sso.bank.example/realms/staff" || o.ClientID != "kycdesk" || o.ClientSecret != "s3cret" ||
		!slices.Equal(o.Scopes, []string{"openid", "profile"}) || !slices.Equal(o.RoleMap["kyc-leads"], []string{"supervisor", "reviewer"}) ||
		o.RoleClaim != "groups" || o.UsernameClaim != "preferred_username" || o.Name != "Bank SSO" || cfg.RequireMFA != web.MFAAll || cfg.LocalLogin != "" {
		t.Errorf("config = %+v (require-mfa %q, local-login %q)", o, cfg.RequireMFA, cfg.LocalLogin)
	}

	f = newFlags("serve")
	auth = addAuthFlags(f)
	if err := f.Parse([]string{"--oidc-client-secret", "x", "--oidc-client-secret-file", secret}); err != nil {
		t.Fatal(err)
	}
	if err := auth.apply(&web.Config{}); err == nil {
		t.Error("both --oidc-client-secret and --oidc-client-secret-file were accepted")
	}
}

// TestUserResetMFACLI: `kycdesk user reset-mfa` removes a factor, audited under the operator.
func TestUserResetMFACLI(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	if err := run(ctx, []string{"user", "add", "--data", data, "--username", "root", "--role", "admin"}); err != nil {
		t.Fatal(err)
	}
	db, err := newFlags("test").openData(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.UserByUsername(ctx, "root")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.PendingTOTP(ctx, u.ID, "JBSWY3DPEHPK3PXP"); err != nil {
		t.Fatal(err)
	}
	if err := db.ConfirmTOTP(ctx, u.ID, 1, []string{"h1", "h2"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	t.Setenv("USER", "ops")
	if err := run(ctx, []string{"user", "reset-mfa", "--data", data, "--username", "root"}); err != nil {
		t.Fatal(err)
	}
	db, err = newFlags("test").openData(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.TOTPOf(ctx, u.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after reset-mfa: TOTPOf = %v, want not found", err)
	}
	es, _, err := db.ListAudit(ctx, store.AuditFilter{Action: "user.mfa_reset"}, 0, 10)
	if err != nil || len(es) != 1 || es[0].Actor != "cli:ops" || es[0].TargetID != "root" {
		t.Errorf("reset audit = %+v, %v", es, err)
	}
}
