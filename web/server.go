package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/mediafetch"
	"github.com/kycdesk/kycdesk/web/outbound"
)

// App is the running server: the Echo router plus its background workers.
type App struct {
	cfg      Config
	db       *store.DB
	log      *slog.Logger
	echo     *echo.Echo
	ingester *store.Ingester
	metrics  *metrics
	cookies  *sessions.CookieStore
	authLog  *authFailureLog
	// bodySlots holds one token per webhook body being read (webhook_limits.go).
	bodySlots chan struct{}
	blobs     *store.Blobs
	fetcher   *mediafetch.Fetcher
	outbound  *outbound.Deliverer
	views     mediaViews
	sso       *ssoClient // nil without --oidc-issuer
	cert      *certificate

	stop    context.CancelFunc
	workers sync.WaitGroup
}

// New wires the whole application around an open database. Call Start to run the background
// workers and Close to stop them.
func New(cfg Config, db *store.DB) (*App, error) {
	cfg = cfg.withDefaults()
	if len(cfg.SessionKey) < 64 {
		return nil, errors.New("web: a 64-byte session key is required")
	}
	if err := cfg.checkAuth(); err != nil {
		return nil, err
	}
	db.Now = cfg.Now
	a := &App{
		cfg:       cfg,
		db:        db,
		log:       cfg.Logger,
		metrics:   newMetrics(),
		authLog:   newAuthFailureLog(time.Minute),
		bodySlots: make(chan struct{}, cfg.MaxWebhookBodies),
		blobs:     &store.Blobs{Dir: filepath.Join(cfg.DataDir, "media"), Keys: db.DataKeys()},
	}
	if cfg.Ops.tlsEnabled() {
		cert, err := newCertificate(cfg.Ops.TLSCertFile, cfg.Ops.TLSKeyFile)
		if err != nil {
			return nil, err
		}
		a.cert = cert
	}
	a.cookies = sessions.NewCookieStore(cfg.SessionKey[:32], cfg.SessionKey[32:64])
	a.cookies.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int(cfg.SessionMaxAge.Seconds()),
		HttpOnly: true,
		Secure:   cfg.secureCookies(),
		SameSite: http.SameSiteLaxMode,
	}
	a.fetcher = mediafetch.New(cfg.Media, db, a.blobs, a.log)
	a.fetcher.OnResult = a.metrics.mediaResult
	a.metrics.reg.MustRegister(newOpsCollector(a))
	a.outbound = a.newDeliverer()
	if _, err := db.LoadRules(context.Background(), cfg.baseRules()); err != nil {
		return nil, err
	}
	a.ingester = db.NewIngester(a.ingesterOptions())
	a.startSSO()
	a.echo = a.routes()
	return a, nil
}

// Handler is the HTTP handler to serve.
func (a *App) Handler() http.Handler { return a.echo }

// Echo exposes the router, for tests that enumerate routes.
func (a *App) Echo() *echo.Echo { return a.echo }

// DB is the application's database.
func (a *App) DB() *store.DB { return a.db }

// Start runs the background workers (media fetching) until Close.
func (a *App) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	a.stop = cancel
	a.workers.Add(1)
	go func() {
		defer a.workers.Done()
		a.fetcher.Run(ctx)
	}()
	a.workers.Add(1)
	go func() {
		defer a.workers.Done()
		a.runRetention(ctx)
	}()
	a.workers.Add(1)
	go func() {
		defer a.workers.Done()
		a.outbound.Run(ctx)
	}()
	a.workers.Add(1)
	go func() {
		defer a.workers.Done()
		a.flushAuthFailures(ctx)
	}()
	a.workers.Add(1)
	go func() {
		defer a.workers.Done()
		a.runAuditAnchor(ctx)
	}()
}

// Close stops the workers and waits for queued deliveries to commit.
func (a *App) Close() {
	if a.stop != nil {
		a.stop()
	}
	a.workers.Wait()
	a.ingester.Close()
}

func (c Config) secureCookies() bool {
	return c.SecureCookies || c.Ops.tlsEnabled() || strings.HasPrefix(c.BaseURL, "https://")
}

// Serve listens on addr until ctx is done, then shuts down gracefully: in-flight requests finish.
func (a *App) Serve(ctx context.Context, srv *http.Server, ready func(addr string)) error {
	srv.Handler = a.echo
	// Slow clients cannot hold connections open: headers in 10 s, a whole request in 60 s, idle
	// keep-alives closed after 2 minutes. No write timeout: exports and video streams may be long.
	if srv.ReadHeaderTimeout == 0 {
		srv.ReadHeaderTimeout = 10 * time.Second
	}
	if srv.ReadTimeout == 0 {
		srv.ReadTimeout = 60 * time.Second
	}
	if srv.IdleTimeout == 0 {
		srv.IdleTimeout = 2 * time.Minute
	}
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return fmt.Errorf("web: listen: %w", err)
	}
	ln = limitConnsPerIP(ln, a.cfg.MaxConnsPerIP, a.trustedProxy, a.metrics.connRefused)
	ln = a.wrapTLS(ln, srv)
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("web: shutdown: %w", err)
	}
	return nil
}
