package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/kycdesk/kycdesk/store"
)

// Who may sign in with a password (--local-login).
const (
	LocalLoginAll    = "all"
	LocalLoginAdmins = "admins"
	LocalLoginOff    = "off"
)

// Whose password sign-ins need a second factor (--require-mfa).
const (
	MFAOff    = "off"
	MFAAdmins = "admins"
	MFAAll    = "all"
)

// Defaults of the OIDC flags.
const (
	DefaultOIDCScopes        = "openid profile email groups"
	DefaultOIDCRoleClaim     = "groups"
	DefaultOIDCUsernameClaim = "preferred_username"
	DefaultOIDCRoleMap       = "kyc-reviewers=reviewer,kyc-supervisors=supervisor,kyc-admins=admin,kyc-auditors=auditor"
	DefaultOIDCName          = "your organisation's account"
)

// OIDCConfig is sign-in with the bank's identity provider (OpenID Connect, authorization code
// flow with PKCE). An empty Issuer turns it off.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL; its /.well-known/openid-configuration is read at start.
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is where the provider sends the browser back: BaseURL + /auth/oidc/callback by default.
	RedirectURL string
	// Scopes requested; DefaultOIDCScopes when empty.
	Scopes []string
	// RoleClaim names the claim holding the person's groups; a dotted name (realm_access.roles)
	// reaches into nested objects. UsernameClaim names the claim that names a new account.
	RoleClaim, UsernameClaim string
	// RoleMap maps a group to the roles it grants.
	RoleMap map[string][]string
	// Name is the provider as people know it, on the sign-in button: "Sign in with <Name>".
	Name string
	// HTTPClient talks to the provider; nil uses one with a 10-second timeout.
	HTTPClient *http.Client
}

// Enabled reports whether OIDC sign-in is configured.
func (o OIDCConfig) Enabled() bool { return o.Issuer != "" }

// ParseRoleMap reads "group=role,group=role" (a group may appear more than once).
func ParseRoleMap(s string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		group, role, ok := strings.Cut(pair, "=")
		group, role = strings.TrimSpace(group), strings.ToLower(strings.TrimSpace(role))
		if !ok || group == "" || role == "" {
			return nil, fmt.Errorf("role map: %q is not group=role", pair)
		}
		if !slices.Contains(store.AllRoles, role) {
			return nil, fmt.Errorf("role map: %q maps to %q, which is not a role (roles: %s)", group, role, strings.Join(store.AllRoles, ", "))
		}
		if !slices.Contains(out[group], role) {
			out[group] = append(out[group], role)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("role map: map at least one group to a role, e.g. " + DefaultOIDCRoleMap)
	}
	return out, nil
}

// authDefaults fills the sign-in settings: the local-login policy follows whether OIDC is on.
func (c Config) authDefaults() Config {
	if c.LocalLogin == "" {
		c.LocalLogin = LocalLoginAll
		if c.OIDC.Enabled() {
			c.LocalLogin = LocalLoginAdmins
		}
	}
	if c.RequireMFA == "" {
		c.RequireMFA = MFAAdmins
	}
	o := &c.OIDC
	if !o.Enabled() {
		return c
	}
	if len(o.Scopes) == 0 {
		o.Scopes = strings.Fields(DefaultOIDCScopes)
	}
	if !slices.Contains(o.Scopes, "openid") {
		o.Scopes = append([]string{"openid"}, o.Scopes...)
	}
	if o.RoleClaim == "" {
		o.RoleClaim = DefaultOIDCRoleClaim
	}
	if o.UsernameClaim == "" {
		o.UsernameClaim = DefaultOIDCUsernameClaim
	}
	if o.RoleMap == nil {
		o.RoleMap, _ = ParseRoleMap(DefaultOIDCRoleMap)
	}
	if o.Name == "" {
		o.Name = DefaultOIDCName
	}
	if o.RedirectURL == "" && c.BaseURL != "" {
		o.RedirectURL = strings.TrimRight(c.BaseURL, "/") + "/auth/oidc/callback"
	}
	return c
}

// checkAuth refuses sign-in settings that cannot work, with the flag to fix.
func (c Config) checkAuth() error {
	if !slices.Contains([]string{LocalLoginAll, LocalLoginAdmins, LocalLoginOff}, c.LocalLogin) {
		return fmt.Errorf("--local-login is %q: use all, admins or off", c.LocalLogin)
	}
	if !slices.Contains([]string{MFAOff, MFAAdmins, MFAAll}, c.RequireMFA) {
		return fmt.Errorf("--require-mfa is %q: use off, admins or all", c.RequireMFA)
	}
	if !c.OIDC.Enabled() {
		if c.LocalLogin == LocalLoginOff {
			return errors.New("--local-login off leaves no way to sign in: set --oidc-issuer too")
		}
		return nil
	}
	if u, err := url.Parse(c.OIDC.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("--oidc-issuer %q is not an http(s) URL", c.OIDC.Issuer)
	}
	if c.OIDC.ClientID == "" {
		return errors.New("--oidc-client-id is required with --oidc-issuer")
	}
	if c.OIDC.RedirectURL == "" {
		return errors.New("--oidc-redirect-url (or --base-url) is required with --oidc-issuer: the provider must know where to send people back")
	}
	if u, err := url.Parse(c.OIDC.RedirectURL); err != nil || u.Host == "" || !strings.HasSuffix(u.Path, "/auth/oidc/callback") {
		return fmt.Errorf("--oidc-redirect-url %q must be an absolute URL ending in /auth/oidc/callback", c.OIDC.RedirectURL)
	}
	return nil
}

// Config is the configuration in force, defaults filled in.
func (a *App) Config() Config { return a.cfg }
