package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web"
)

// serveOptions is what `kycdesk serve` was told: the server's configuration plus how to log.
type serveOptions struct {
	cfg       web.Config
	logFormat string
	logLevel  slog.Level
	auth      *authFlags
	// auditKeyFile signs the audit log (--audit-key-file).
	auditKeyFile string
	// dataKeyFile encrypts raw bodies and media (--data-key-file).
	dataKeyFile string
}

// parseServe reads the flags (and their KYCDESK_* twins, and the *-file secrets) into options.
// Every default comes from web.DefaultConfig.
func parseServe(args []string) (serveOptions, error) {
	f := newFlags("serve")
	d := web.DefaultConfig()
	// Fields without a flag keep their default too: the whole configuration starts from it.
	o := serveOptions{cfg: d}
	var (
		cfg                                                         = &o.cfg
		markidSecrets, vcipTokens, allowHosts, sessionKey, proxies  string
		markidSecretFile, vcipTokenFile, sessionKeyFile, minFreeStr string
		logLevel                                                    string
		outboundHosts                                               string
	)
	f.str(&cfg.Ops.Addr, "addr", d.Ops.Addr, "address to listen on")
	f.dataFlag(&cfg.DataDir)
	f.str(&cfg.Ops.TLSCertFile, "tls-cert", "", "serve HTTPS with this PEM certificate (chain); reloaded on SIGHUP")
	f.str(&cfg.Ops.TLSKeyFile, "tls-key", "", "PEM private key of --tls-cert")
	f.str(&cfg.BaseURL, "base-url", d.BaseURL, "public URL of this server; https:// marks cookies Secure")
	f.boolean(&cfg.SecureCookies, "secure-cookies", d.SecureCookies, "mark cookies Secure (behind a TLS proxy)")
	f.str(&proxies, "trusted-proxies", "", "CIDRs of reverse proxies whose X-Forwarded-For is trusted, comma-separated")
	f.str(&markidSecrets, "markid-secret", "", "HMAC secret(s) for /webhooks/markid, comma-separated for rotation; unset disables the source (prefer --markid-secret-file)")
	f.str(&markidSecretFile, "markid-secret-file", "", "file holding the Mark ID HMAC secret(s), one per line or comma-separated")
	f.str(&cfg.MarkIDSignatureHeader, "markid-signature-header", d.MarkIDSignatureHeader, "header carrying the hex HMAC-SHA256 of the body")
	f.str(&vcipTokens, "vcip-token", "", "bearer token(s) for /webhooks/vcip, comma-separated; unset disables the source (prefer --vcip-token-file)")
	f.str(&vcipTokenFile, "vcip-token-file", "", "file holding the video-KYC bearer token(s), one per line or comma-separated")
	f.int64(&cfg.MaxBodyBytes, "max-body", d.MaxBodyBytes, "largest webhook body in bytes")
	f.str(&cfg.MetricsToken, "metrics-token", "", "require this bearer token on /metrics")
	f.str(&sessionKey, "session-key", "", "session cookie key (at least 32 characters); generated into the data dir when unset (prefer --session-key-file)")
	f.str(&sessionKeyFile, "session-key-file", "", "file holding the session cookie key")
	f.duration(&cfg.SessionIdle, "session-idle", d.SessionIdle, "sign out after this long idle")
	f.duration(&cfg.SessionMaxAge, "session-max-age", d.SessionMaxAge, "sign out this long after sign-in")
	f.integer(&cfg.LoginRatePerMinute, "login-rate", d.LoginRatePerMinute, "sign-in attempts allowed per client IP per minute")
	f.boolean(&cfg.FourEyesVCIP, "four-eyes", d.FourEyesVCIP, "video-KYC decisions need a supervisor's second approval")
	f.boolean(&cfg.FourEyesMarkID, "four-eyes-markid", d.FourEyesMarkID, "identity-verification decisions need a second approval too")
	f.duration(&cfg.SLA, "sla", d.SLA, "a case waiting longer is flagged overdue")
	f.integer(&cfg.Media.Workers, "media-workers", d.Media.Workers, "parallel media downloads")
	f.duration(&cfg.Media.Timeout, "media-timeout", d.Media.Timeout, "timeout of one media download")
	f.duration(&cfg.Media.GiveUpAfter, "media-give-up", d.Media.GiveUpAfter, "stop retrying a media download after this long")
	f.int64(&cfg.Media.MaxImage, "media-max-image", d.Media.MaxImage, "largest image in bytes")
	f.int64(&cfg.Media.MaxVideo, "media-max-video", d.Media.MaxVideo, "largest video in bytes")
	f.boolean(&cfg.Media.AllowPrivate, "media-allow-private", d.Media.AllowPrivate, "allow media downloads from private and loopback addresses (on-prem vendors, tests)")
	f.str(&allowHosts, "media-allow-hosts", "", "destinations allowed even on private addresses, comma-separated: host:port allows that port only, a bare host any port")
	f.duration(&cfg.AuditAnchorEvery, "audit-anchor-every", d.AuditAnchorEvery, "write the audit chain's head to the log this often, for a log collector to keep")
	f.integer(&cfg.MediaRetentionDays, "retention-days", d.MediaRetentionDays, "purge raw media this many days after a case's final decision, for every default retention policy; 0 keeps the defaults (Settings changes them)")
	f.str(&minFreeStr, "min-free-disk", formatSize(d.Ops.MinFreeDisk), "below this much free disk /readyz fails and webhooks answer 503 (e.g. 1GiB, 500MiB, or bytes)")
	f.str(&o.logFormat, "log-format", "", "json or text; default text on a terminal, json otherwise")
	f.str(&logLevel, "log-level", "info", "debug, info, warn or error")
	f.boolean(&cfg.Outbound.AllowPrivate, "outbound-allow-private", d.Outbound.AllowPrivate, "let decision webhooks reach private and loopback addresses (bank systems are usually internal)")
	f.str(&outboundHosts, "outbound-allow-hosts", strings.Join(d.Outbound.AllowHosts, ","), "webhook receiver hosts allowed even on private addresses, comma-separated")
	f.duration(&cfg.Outbound.DisableAfter, "outbound-disable-after", d.Outbound.DisableAfter, "disable a webhook endpoint whose deliveries have all failed for this long")
	auth := addAuthFlags(f)
	if err := f.Parse(args); err != nil {
		return o, err
	}
	if o.logFormat == "" {
		o.logFormat = "json"
		if isTerminal(os.Stderr) {
			o.logFormat = "text"
		}
	}
	if o.logFormat != "json" && o.logFormat != "text" {
		return o, fmt.Errorf("--log-format is json or text, not %q", o.logFormat)
	}
	if err := o.logLevel.UnmarshalText([]byte(logLevel)); err != nil {
		return o, fmt.Errorf("--log-level is debug, info, warn or error, not %q", logLevel)
	}
	n, err := parseSize(minFreeStr)
	if err != nil {
		return o, fmt.Errorf("--min-free-disk: %w", err)
	}
	cfg.Ops.MinFreeDisk = n
	if (cfg.Ops.TLSCertFile == "") != (cfg.Ops.TLSKeyFile == "") {
		return o, fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if markidSecrets, err = secretOrFile("markid-secret", markidSecrets, markidSecretFile); err != nil {
		return o, err
	}
	if vcipTokens, err = secretOrFile("vcip-token", vcipTokens, vcipTokenFile); err != nil {
		return o, err
	}
	if sessionKey, err = secretOrFile("session-key", sessionKey, sessionKeyFile); err != nil {
		return o, err
	}
	cfg.MarkIDSecrets = secretList(markidSecrets)
	cfg.VCIPTokens = secretList(vcipTokens)
	cfg.Outbound.AllowHosts = list(outboundHosts)
	cfg.Media.AllowHosts = list(allowHosts)
	for _, p := range list(proxies) {
		_, n, err := net.ParseCIDR(p)
		if err != nil {
			return o, fmt.Errorf("--trusted-proxies: %q is not a CIDR such as 10.0.0.0/8", p)
		}
		cfg.TrustedProxies = append(cfg.TrustedProxies, n)
	}
	key, err := loadSessionKey(cfg.DataDir, sessionKey)
	if err != nil {
		return o, err
	}
	cfg.SessionKey = key
	if err := auth.apply(cfg); err != nil {
		return o, err
	}
	o.auth = auth
	o.auditKeyFile = *f.auditKeyFile
	o.dataKeyFile = *f.dataKeyFile
	return o, nil
}

// newLogger is the structured logger on stderr in the chosen format and level.
func (o serveOptions) newLogger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: o.logLevel}
	if o.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

func runServe(ctx context.Context, args []string) error {
	o, err := parseServe(args)
	if err != nil {
		return err
	}
	cfg := o.cfg
	log := o.newLogger()
	cfg.Logger = log
	for _, w := range dataDirWarnings(cfg.DataDir) {
		log.Warn("file permissions too wide", "detail", w)
	}
	if err := store.AllocatorConfigErr(); err != nil {
		log.Warn("SQLite runs with its default allocator settings: ingest is slower", "err", err)
	}

	db, err := openDataKeyed(ctx, cfg.DataDir, o.auditKeyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckLoadFinished(ctx); err != nil {
		return fmt.Errorf("--data %s: %w", cfg.DataDir, err)
	}
	if err := useDataKeys(ctx, db, cfg.DataDir, o.dataKeyFile); err != nil {
		return err
	}
	if o.dataKeyFile == "" {
		log.Warn("raw callbacks and media are stored unencrypted: set --data-key-file to a key made by `kycdesk key new`, kept outside the data dir")
	} else {
		log.Info("raw callbacks and media are encrypted at rest", "key", db.DataKeys().Current().IDString())
	}
	if err := ensureFirstAdmin(ctx, db, log, cfg.DataDir, isTerminal(os.Stdout)); err != nil {
		return err
	}
	if o.auditKeyFile == "" {
		log.Warn("the audit log is not signed: set --audit-key-file to a key kept outside the data dir, or anyone who can write the database can rewrite its history")
	}
	if len(cfg.MarkIDSecrets) == 0 {
		log.Warn("Mark ID callbacks are disabled: no --markid-secret configured; /webhooks/markid answers 503")
	}
	if len(cfg.VCIPTokens) == 0 {
		log.Warn("video-KYC callbacks are disabled: no --vcip-token configured; /webhooks/vcip answers 503")
	}
	cfg.Version = version // evidence packs record it
	app, err := web.New(cfg, db)
	if err != nil {
		return err
	}
	o.auth.announce(log, app.Config())
	app.Start()
	defer app.Close()
	db.StartBackfills() // in the background: a fill left by an upgrade never holds up callbacks

	// SIGHUP reloads the TLS pair; a bad pair is logged and the old one kept.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for range hup {
			_ = app.ReloadTLS()
		}
	}()

	srv := &http.Server{Addr: cfg.Ops.Addr, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	err = app.Serve(ctx, srv, func(bound string) {
		log.Info("KYC Desk is listening", "url", app.Scheme()+"://"+bound, "data", cfg.DataDir, "version", version, "pid", os.Getpid())
	})
	log.Info("stopped")
	return err
}
