package web

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// certificate holds the served TLS pair. Handshakes read it through GetCertificate, so a reload
// swaps the pointer and only new handshakes see the new pair: open connections are not dropped.
type certificate struct {
	certFile, keyFile string
	current           atomic.Pointer[tls.Certificate]
}

// loadCertificate reads and checks the pair; an unreadable or mismatched pair is an error.
func loadCertificate(certFile, keyFile string) (*tls.Certificate, error) {
	if certFile == "" || keyFile == "" {
		return nil, errors.New("web: TLS needs both --tls-cert and --tls-key")
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("web: TLS pair %s / %s: %w", certFile, keyFile, err)
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, fmt.Errorf("web: TLS certificate %s: %w", certFile, err)
	}
	pair.Leaf = leaf
	return &pair, nil
}

// newCertificate loads the pair once; the server does not start with a bad one.
func newCertificate(certFile, keyFile string) (*certificate, error) {
	pair, err := loadCertificate(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	c := &certificate{certFile: certFile, keyFile: keyFile}
	c.current.Store(pair)
	return c, nil
}

func (c *certificate) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return c.current.Load(), nil
}

// tlsConfig is TLS 1.2 or later with Go's default (modern, forward-secret) cipher suites.
func (c *certificate) tlsConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: c.get, NextProtos: []string{"h2", "http/1.1"}}
}

// ReloadTLS reads the certificate and key files again (on SIGHUP). A bad pair is logged and
// returned, and the pair in use is kept. Without TLS it does nothing.
func (a *App) ReloadTLS() error {
	if a.cert == nil {
		a.log.Info("TLS reload requested, but this server does not serve TLS itself (no --tls-cert)")
		return nil
	}
	pair, err := loadCertificate(a.cert.certFile, a.cert.keyFile)
	if err != nil {
		a.log.Error("TLS reload failed; still serving the previous certificate", "err", err,
			"not_after", a.cert.current.Load().Leaf.NotAfter.UTC().Format(time.RFC3339))
		return err
	}
	a.cert.current.Store(pair)
	a.log.Info("TLS certificate reloaded", "subject", pair.Leaf.Subject.String(),
		"not_after", pair.Leaf.NotAfter.UTC().Format(time.RFC3339))
	return nil
}

// wrapTLS makes ln a TLS listener when the server terminates TLS itself.
func (a *App) wrapTLS(ln net.Listener, srv *http.Server) net.Listener {
	if a.cert == nil {
		return ln
	}
	srv.TLSConfig = a.cert.tlsConfig()
	return tls.NewListener(ln, srv.TLSConfig)
}

// Scheme is "https" when the server terminates TLS itself, otherwise "http".
func (a *App) Scheme() string {
	if a.cert != nil {
		return "https"
	}
	return "http"
}
