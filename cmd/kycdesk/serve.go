package main

import (
	"context"
	"crypto/rand"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web"
)

func runServe(ctx context.Context, args []string) error {
	f := newFlags("serve")
	var (
		addr, data, markidSecrets, vcipTokens, allowHosts, sessionKey, proxies string
		cfg                                                                    web.Config
	)
	f.str(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	f.dataFlag(&data)
	f.str(&cfg.BaseURL, "base-url", "", "public URL of this server; https:// marks cookies Secure")
	f.boolean(&cfg.SecureCookies, "secure-cookies", false, "mark cookies Secure (behind a TLS proxy)")
	f.str(&proxies, "trusted-proxies", "", "CIDRs of reverse proxies whose X-Forwarded-For is trusted, comma-separated")
	f.str(&markidSecrets, "markid-secret", "", "HMAC secret(s) for /webhooks/markid, comma-separated for rotation; unset disables the source")
	f.str(&cfg.MarkIDSignatureHeader, "markid-signature-header", "Idenfy-Signature", "header carrying the hex HMAC-SHA256 of the body")
	f.str(&vcipTokens, "vcip-token", "", "bearer token(s) for /webhooks/vcip, comma-separated; unset disables the source")
	f.int64(&cfg.MaxBodyBytes, "max-body", 1<<20, "largest webhook body in bytes")
	f.str(&cfg.MetricsToken, "metrics-token", "", "require this bearer token on /metrics")
	f.str(&sessionKey, "session-key", "", "session cookie key (at least 32 characters); generated into the data dir when unset")
	f.duration(&cfg.SessionIdle, "session-idle", 30*time.Minute, "sign out after this long idle")
	f.duration(&cfg.SessionMaxAge, "session-max-age", 12*time.Hour, "sign out this long after sign-in")
	f.integer(&cfg.LoginRatePerMinute, "login-rate", 30, "sign-in attempts allowed per client IP per minute")
	f.boolean(&cfg.FourEyesVCIP, "four-eyes", true, "video-KYC decisions need a supervisor's second approval")
	f.boolean(&cfg.FourEyesMarkID, "four-eyes-markid", false, "identity-verification decisions need a second approval too")
	f.duration(&cfg.SLA, "sla", 24*time.Hour, "a case waiting longer is flagged overdue")
	f.integer(&cfg.Media.Workers, "media-workers", 4, "parallel media downloads")
	f.duration(&cfg.Media.Timeout, "media-timeout", 30*time.Second, "timeout of one media download")
	f.duration(&cfg.Media.GiveUpAfter, "media-give-up", 2*time.Hour, "stop retrying a media download after this long")
	f.int64(&cfg.Media.MaxImage, "media-max-image", 20<<20, "largest image in bytes")
	f.int64(&cfg.Media.MaxVideo, "media-max-video", 200<<20, "largest video in bytes")
	f.boolean(&cfg.Media.AllowPrivate, "media-allow-private", false, "allow media downloads from private and loopback addresses (on-prem vendors, tests)")
	f.str(&allowHosts, "media-allow-hosts", "", "hosts allowed even on private addresses, comma-separated")
	f.integer(&cfg.MediaRetentionDays, "retention-days", 0, "delete media of closed cases after this many days; 0 keeps them forever")
	auth := addAuthFlags(f)
	if err := f.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cfg.Logger = log
	cfg.DataDir = data
	cfg.MarkIDSecrets = list(markidSecrets)
	cfg.VCIPTokens = list(vcipTokens)
	cfg.Media.AllowHosts = list(allowHosts)
	for _, p := range list(proxies) {
		_, n, err := net.ParseCIDR(p)
		if err != nil {
			return fmt.Errorf("--trusted-proxies: %q is not a CIDR such as 10.0.0.0/8", p)
		}
		cfg.TrustedProxies = append(cfg.TrustedProxies, n)
	}
	key, err := loadSessionKey(data, sessionKey)
	if err != nil {
		return err
	}
	cfg.SessionKey = key
	if err := auth.apply(&cfg); err != nil {
		return err
	}

	db, err := openData(ctx, data)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := ensureFirstAdmin(ctx, db, log); err != nil {
		return err
	}
	if len(cfg.MarkIDSecrets) == 0 {
		log.Warn("Mark ID callbacks are disabled: no --markid-secret configured; /webhooks/markid answers 503")
	}
	if len(cfg.VCIPTokens) == 0 {
		log.Warn("video-KYC callbacks are disabled: no --vcip-token configured; /webhooks/vcip answers 503")
	}
	app, err := web.New(cfg, db)
	if err != nil {
		return err
	}
	auth.announce(log, app.Config())
	app.Start()
	defer app.Close()
	srv := &http.Server{Addr: addr}
	err = app.Serve(ctx, srv, func(bound string) { log.Info("KYC Desk is listening", "url", "http://"+bound, "data", data) })
	log.Info("stopped")
	return err
}

// loadSessionKey derives the 64-byte cookie key from the configured value, or from a random key
// generated once into the data dir (0600). There is never a built-in default.
func loadSessionKey(dir, configured string) ([]byte, error) {
	if configured != "" {
		if len(configured) < 32 {
			return nil, errors.New("--session-key must be at least 32 characters")
		}
		sum := sha512.Sum512([]byte(configured))
		return sum[:], nil
	}
	path := filepath.Join(dir, "session.key")
	b, err := os.ReadFile(path)
	if err == nil {
		key, derr := hex.DecodeString(strings.TrimSpace(string(b)))
		if derr != nil || len(key) < 64 {
			return nil, fmt.Errorf("%s is not a 64-byte hex key; delete it to generate a new one", path)
		}
		return key[:64], nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read session key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	key := make([]byte, 64)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write session key: %w", err)
	}
	return key, nil
}

// ensureFirstAdmin creates an "admin" account with a random password when no account holds the
// admin role yet (a fresh install, or one holding only the demo's reviewers), printing it once.
func ensureFirstAdmin(ctx context.Context, db *store.DB, log *slog.Logger) error {
	users, err := db.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.Has(store.RoleAdmin) || u.Username == "admin" {
			return nil
		}
	}
	pw, err := store.GeneratePassword()
	if err != nil {
		return err
	}
	hash, err := store.HashPassword(pw, store.DefaultBcryptCost)
	if err != nil {
		return err
	}
	if _, err := db.CreateUser(ctx, store.SystemActor, "admin", "Administrator", hash, []string{store.RoleAdmin}); err != nil {
		return err
	}
	log.Warn("first start: created user 'admin' — this password is shown only once", "username", "admin", "password", pw)
	return nil
}
