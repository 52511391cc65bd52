package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/kycdesk/kycdesk/web"
)

// authFlags are the sign-in flags of `kycdesk serve`: OpenID Connect, who may use a password,
// and who needs a second factor.
type authFlags struct {
	issuer, clientID, secret, secretFile, redirect, scopes string
	roleClaim, roleMap, usernameClaim, name                string
	localLogin, requireMFA                                 string
}

// addAuthFlags defines the sign-in flags on f.
func addAuthFlags(f flags) *authFlags {
	v := &authFlags{}
	f.str(&v.issuer, "oidc-issuer", "", "issuer URL of the bank's OpenID Connect provider; unset turns SSO off")
	f.str(&v.clientID, "oidc-client-id", "", "client ID registered at the provider")
	f.str(&v.secret, "oidc-client-secret", "", "client secret registered at the provider")
	f.str(&v.secretFile, "oidc-client-secret-file", "", "file holding the client secret (instead of --oidc-client-secret)")
	f.str(&v.redirect, "oidc-redirect-url", "", "redirect URL registered at the provider (default --base-url + /auth/oidc/callback)")
	f.str(&v.scopes, "oidc-scopes", web.DefaultOIDCScopes, "scopes to request, space- or comma-separated")
	f.str(&v.roleClaim, "oidc-role-claim", web.DefaultOIDCRoleClaim, "claim holding the groups; a dotted name such as realm_access.roles reaches into objects")
	f.str(&v.roleMap, "oidc-role-map", web.DefaultOIDCRoleMap, "group=role pairs, comma-separated")
	f.str(&v.usernameClaim, "oidc-username-claim", web.DefaultOIDCUsernameClaim, "claim that names a new account")
	f.str(&v.name, "oidc-name", "", "the provider's name on the sign-in button, e.g. \"Contoso ID\"")
	f.str(&v.localLogin, "local-login", "", "who may sign in with a password: all, admins or off (default all without OIDC, admins with it)")
	f.str(&v.requireMFA, "require-mfa", web.MFAAdmins, "whose password sign-ins need an authenticator app: off, admins or all")
	return v
}

// apply puts the parsed flags into cfg.
func (v *authFlags) apply(cfg *web.Config) error {
	cfg.LocalLogin = strings.ToLower(strings.TrimSpace(v.localLogin))
	cfg.RequireMFA = strings.ToLower(strings.TrimSpace(v.requireMFA))
	if v.issuer == "" {
		return nil
	}
	secret := v.secret
	if v.secretFile != "" {
		if secret != "" {
			return fmt.Errorf("set --oidc-client-secret or --oidc-client-secret-file, not both")
		}
		b, err := os.ReadFile(v.secretFile)
		if err != nil {
			return fmt.Errorf("--oidc-client-secret-file: %w", err)
		}
		secret = strings.TrimSpace(string(b))
	}
	roleMap, err := web.ParseRoleMap(v.roleMap)
	if err != nil {
		return fmt.Errorf("--oidc-role-map: %w", err)
	}
	cfg.OIDC = web.OIDCConfig{
		Issuer: v.issuer, ClientID: v.clientID, ClientSecret: secret, RedirectURL: v.redirect,
		Scopes:    strings.FieldsFunc(v.scopes, func(r rune) bool { return r == ' ' || r == ',' }),
		RoleClaim: v.roleClaim, UsernameClaim: v.usernameClaim, RoleMap: roleMap, Name: v.name,
	}
	return nil
}

// announce tells the operator at start how people sign in.
func (v *authFlags) announce(log *slog.Logger, cfg web.Config) {
	if v.issuer != "" {
		log.Info("SSO sign-in is on", "issuer", v.issuer, "redirect_url", cfg.OIDC.RedirectURL, "local_login", cfg.LocalLogin)
	}
	switch cfg.RequireMFA {
	case web.MFAAdmins:
		log.Info("admins signing in with a password set up an authenticator app (TOTP) at their next sign-in: the page shows a QR code and the key; --require-mfa off turns this off, e.g. for a demo")
	case web.MFAAll:
		log.Info("everyone signing in with a password sets up an authenticator app (TOTP) at their next sign-in")
	}
}
