// Package web is KYC Desk's HTTP server: one route table, the middleware, the handlers, the vendor
// webhook endpoints, and the one mapping of store errors to HTTP (handleError). Handlers parse
// requests, call the store and hand store types to views; no SQL and no HTML strings live here.
// Wiring lives in New so that tests start exactly what `kycdesk serve` runs.
package web

import (
	"log/slog"
	"net"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/mediafetch"
	"github.com/kycdesk/kycdesk/web/outbound"
)

// Config is everything the server needs. cmd/kycdesk fills it from flags and KYCDESK_* variables.
type Config struct {
	// DataDir holds the database, the media archive and generated secrets.
	DataDir string
	// Version is the desk's version, as evidence packs record it ("dev" when unset).
	Version string
	// BaseURL is the public URL; an https:// one marks cookies Secure.
	BaseURL string
	// TrustedProxies are the networks of reverse proxies whose X-Forwarded-For is believed.
	TrustedProxies []*net.IPNet
	// SecureCookies forces the Secure cookie flag (also implied by an https BaseURL).
	SecureCookies bool

	// MarkIDSecrets are the HMAC keys for /webhooks/markid; several allow rotation. Empty disables the source.
	MarkIDSecrets []string
	// MarkIDSignatureHeader carries the hex HMAC-SHA256 of the raw body.
	MarkIDSignatureHeader string
	// VCIPTokens are the bearer tokens accepted on /webhooks/vcip. Empty disables the source.
	VCIPTokens []string
	// MaxBodyBytes caps a webhook body; larger ones get 413.
	MaxBodyBytes int64
	// MaxWebhookBodies caps the webhook bodies read at once; beyond it a sender gets 503 with
	// Retry-After. 0 uses DefaultMaxWebhookBodies.
	MaxWebhookBodies int
	// MaxConnsPerIP caps the connections one client address holds open (trusted proxies are
	// exempt). 0 uses DefaultMaxConnsPerIP; negative disables the cap.
	MaxConnsPerIP int
	// AuditAnchorEvery is how often the audit chain's head is written to the log (audit_anchor.go).
	AuditAnchorEvery time.Duration
	// MetricsToken, when set, is required as a bearer token on /metrics.
	MetricsToken string

	// SessionKey signs and encrypts the session cookie (64 bytes: 32 to sign, 32 to encrypt).
	SessionKey     []byte
	SessionIdle    time.Duration
	SessionMaxAge  time.Duration
	LoginLockAfter int
	LoginLockFor   time.Duration
	// LoginRatePerMinute limits sign-in attempts per client IP.
	LoginRatePerMinute int
	// OIDC is sign-in with the bank's identity provider; an empty Issuer turns it off.
	OIDC OIDCConfig
	// LocalLogin is who may sign in with a password: LocalLoginAll, LocalLoginAdmins or
	// LocalLoginOff; empty means all without OIDC and admins with it.
	LocalLogin string
	// RequireMFA is whose password sign-ins need a second factor: MFAOff, MFAAdmins (empty) or MFAAll.
	RequireMFA string
	// BcryptCost is the cost of password hashes made on the users page; 0 uses store.DefaultBcryptCost.
	// Tests lower it to keep account creation fast.
	BcryptCost int

	// FourEyesVCIP requires a second person's approval for video-KYC decisions.
	FourEyesVCIP bool
	// FourEyesMarkID requires it for identity-verification decisions too.
	FourEyesMarkID bool
	// SLA is how long a case may wait before it is flagged overdue.
	SLA time.Duration
	// ClaimTTL is how long a claim lasts without activity.
	ClaimTTL time.Duration
	// ReasonCodes are the reasons offered on the decision form; empty uses store.DefaultRules'.
	ReasonCodes []store.ReasonCode

	Media mediafetch.Config
	// Outbound configures the decision webhooks sent to the bank's systems.
	Outbound outbound.Config
	// MediaRetentionDays, when above 0, is the media period of every default retention policy
	// (days after the final decision); 0 leaves the defaults (store.DefaultRetention).
	MediaRetentionDays int

	Logger *slog.Logger
	// Now is the clock; tests inject one.
	Now func() time.Time

	Ops
	// deriveInline derives each case inside the transaction the acknowledgement waits for, as
	// the desk did before the deriver: only BenchmarkIngest sets it, to measure that design as
	// the baseline in the same run.
	deriveInline bool
}

// withDefaults fills every unset field with its default from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.MarkIDSignatureHeader == "" {
		c.MarkIDSignatureHeader = d.MarkIDSignatureHeader
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = d.MaxBodyBytes
	}
	if c.AuditAnchorEvery <= 0 {
		c.AuditAnchorEvery = time.Hour
	}
	if c.MaxWebhookBodies <= 0 {
		c.MaxWebhookBodies = DefaultMaxWebhookBodies
	}
	if c.MaxConnsPerIP == 0 {
		c.MaxConnsPerIP = DefaultMaxConnsPerIP
	}
	if c.SessionIdle <= 0 {
		c.SessionIdle = d.SessionIdle
	}
	if c.SessionMaxAge <= 0 {
		c.SessionMaxAge = d.SessionMaxAge
	}
	if c.LoginLockAfter <= 0 {
		c.LoginLockAfter = d.LoginLockAfter
	}
	if c.LoginLockFor <= 0 {
		c.LoginLockFor = d.LoginLockFor
	}
	if c.LoginRatePerMinute <= 0 {
		c.LoginRatePerMinute = d.LoginRatePerMinute
	}
	if c.SLA <= 0 {
		c.SLA = d.SLA
	}
	if c.ClaimTTL <= 0 {
		c.ClaimTTL = d.ClaimTTL
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = func() time.Time { return time.Now().UTC() }
	}
	c.Ops = c.Ops.withDefaults()
	return c.authDefaults()
}
