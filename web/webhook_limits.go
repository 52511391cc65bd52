package web

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// Limits that keep unauthenticated traffic from growing memory. A webhook body is read only after
// what can be checked without it (the bearer token; the shape of the signature) has passed, and
// then into a buffer of exactly its declared size that nothing keeps once the request is done.
// At most MaxWebhookBodies bodies are read at once; the rest are told to come back.
const (
	// DefaultMaxWebhookBodies is how many webhook bodies may be in flight at once.
	DefaultMaxWebhookBodies = 64
	// DefaultMaxConnsPerIP is how many connections one client address may hold open.
	DefaultMaxConnsPerIP = 64
	// webhookRetryAfter is the Retry-After, in seconds, of a 503 for too many bodies in flight.
	webhookRetryAfter = 1
)

// errBodyTooLarge is a webhook body larger than the configured limit.
var errBodyTooLarge = errors.New("web: webhook body too large")

// takeBodySlot reserves room for one webhook body; false means every slot is taken.
func (a *App) takeBodySlot() bool {
	select {
	case a.bodySlots <- struct{}{}:
		return true
	default:
		return false
	}
}

// releaseBodySlot gives back the room takeBodySlot reserved.
func (a *App) releaseBodySlot() { <-a.bodySlots }

// busy is the answer when every body slot is taken: the vendors retry on a 503.
func busy(c echo.Context) error {
	c.Response().Header().Set("Retry-After", strconv.Itoa(webhookRetryAfter))
	return c.JSON(http.StatusServiceUnavailable, webhookReply{Status: "error",
		Message: "too many callbacks in flight; retry shortly"})
}

// readWebhookBody reads at most max bytes. A declared Content-Length above max is refused before
// a byte is read; a declared length is read into a buffer of exactly that size, an undeclared one
// into a buffer that grows only as bytes arrive.
func readWebhookBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	if r.ContentLength > max {
		return nil, errBodyTooLarge
	}
	if n := r.ContentLength; n >= 0 {
		buf := make([]byte, n) // the server stops the body at its declared length
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	var tooBig *http.MaxBytesError
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, max)); err != nil {
		if errors.As(err, &tooBig) {
			return nil, errBodyTooLarge
		}
		return nil, err
	}
	return buf.Bytes(), nil
}

// signatureWellFormed reports whether a Mark ID signature header can be an HMAC-SHA256 at all,
// so that a body with a missing or malformed one is refused unread.
func signatureWellFormed(header string) bool {
	header = strings.TrimSpace(header)
	header = strings.TrimPrefix(strings.TrimPrefix(header, "sha256="), "SHA256=")
	b, err := hex.DecodeString(header)
	return err == nil && len(b) == 32
}

// perIPListener closes connections from a client address that already holds max open ones.
// Addresses of trusted proxies are not limited: every client behind them shares their address.
type perIPListener struct {
	net.Listener
	max     int
	exempt  func(net.IP) bool
	mu      sync.Mutex
	counts  map[string]int
	refused func()
}

// limitConnsPerIP wraps ln; max <= 0 disables the limit.
func limitConnsPerIP(ln net.Listener, max int, exempt func(net.IP) bool, refused func()) net.Listener {
	if max <= 0 {
		return ln
	}
	return &perIPListener{Listener: ln, max: max, exempt: exempt, counts: map[string]int{}, refused: refused}
}

// Accept returns the next connection whose address is under its limit; others are closed at once.
func (l *perIPListener) Accept() (net.Conn, error) {
	for {
		conn, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host, _, _ := net.SplitHostPort(conn.RemoteAddr().String())
		if ip := net.ParseIP(host); ip != nil && l.exempt != nil && l.exempt(ip) {
			return conn, nil
		}
		l.mu.Lock()
		if l.counts[host] >= l.max {
			l.mu.Unlock()
			conn.Close()
			if l.refused != nil {
				l.refused()
			}
			continue
		}
		l.counts[host]++
		l.mu.Unlock()
		return &countedConn{Conn: conn, release: sync.OnceFunc(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.counts[host]--; l.counts[host] <= 0 {
				delete(l.counts, host)
			}
		})}, nil
	}
}

// countedConn gives its address's slot back when closed.
type countedConn struct {
	net.Conn
	release func()
}

// Close closes the connection and releases its slot once.
func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}

// trustedProxy reports whether ip belongs to a configured reverse proxy.
func (a *App) trustedProxy(ip net.IP) bool {
	for _, n := range a.cfg.TrustedProxies {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}
