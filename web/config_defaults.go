package web

import (
	"time"

	"github.com/kycdesk/kycdesk/web/mediafetch"
	"github.com/kycdesk/kycdesk/web/outbound"
)

// DefaultConfig is every setting's default. The flag definitions of `kycdesk serve` and
// Config.withDefaults both read it, so a default is written down in one place only.
func DefaultConfig() Config {
	return Config{
		DataDir:               "./data",
		MarkIDSignatureHeader: "Idenfy-Signature",
		MaxBodyBytes:          1 << 20,
		SessionIdle:           30 * time.Minute,
		SessionMaxAge:         12 * time.Hour,
		LoginLockAfter:        5,
		LoginLockFor:          15 * time.Minute,
		LoginRatePerMinute:    30,
		RequireMFA:            MFAAdmins,
		FourEyesVCIP:          true,
		SLA:                   24 * time.Hour,
		ClaimTTL:              30 * time.Minute,
		AuditAnchorEvery:      time.Hour,
		MaxWebhookBodies:      DefaultMaxWebhookBodies,
		MaxConnsPerIP:         DefaultMaxConnsPerIP,
		Media:                 mediafetch.DefaultConfig(),
		Outbound:              outbound.DefaultConfig(),
		Ops: Ops{
			Addr:        "127.0.0.1:8080",
			MinFreeDisk: 1 << 30,
		},
	}
}

// Ops is how the server is run in production: where it listens, TLS, and the readiness checks.
type Ops struct {
	// Addr is the address to listen on.
	Addr string
	// TLSCertFile and TLSKeyFile, when both set, serve HTTPS (TLS 1.2 or later) with this pair,
	// reloaded by ReloadTLS (SIGHUP) without dropping connections.
	TLSCertFile string
	TLSKeyFile  string
	// MinFreeDisk is the free space, in bytes, below which /readyz fails and the webhooks answer
	// 503 so the vendor retries later rather than have a callback acknowledged that may not be stored.
	MinFreeDisk int64
	// FreeDisk reports the bytes available to this process on the file system holding path;
	// tests inject one. Nil uses statfs.
	FreeDisk func(path string) (uint64, error)
}

func (o Ops) withDefaults() Ops {
	if o.FreeDisk == nil {
		o.FreeDisk = statfsFree
	}
	return o
}

// tlsEnabled reports whether the server itself terminates TLS.
func (o Ops) tlsEnabled() bool { return o.TLSCertFile != "" || o.TLSKeyFile != "" }
