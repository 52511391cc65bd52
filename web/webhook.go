package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/internal/jsonfield"
	"github.com/kycdesk/kycdesk/web/markid"
	"github.com/kycdesk/kycdesk/web/vcip"
)

// webhookReply is the JSON body every webhook answer carries.
type webhookReply struct {
	Status     string `json:"status"`
	Message    string `json:"message,omitempty"`
	DeliveryID int64  `json:"deliveryId,omitempty"`
	Outcome    string `json:"outcome,omitempty"`
}

// handleMarkID receives the identity-verification webhook, authenticated by an HMAC over the raw body.
func (a *App) handleMarkID(c echo.Context) error {
	return a.receive(c, store.SourceMarkID, len(a.cfg.MarkIDSecrets) > 0, "--markid-secret",
		func(r *http.Request) bool { return signatureWellFormed(r.Header.Get(a.cfg.MarkIDSignatureHeader)) },
		func(r *http.Request, body []byte) bool {
			return signatureMatches(body, r.Header.Get(a.cfg.MarkIDSignatureHeader), a.cfg.MarkIDSecrets)
		}, markid.Decode)
}

// handleVCIP receives the video-KYC callback, authenticated by a shared bearer token.
func (a *App) handleVCIP(c echo.Context) error {
	return a.receive(c, store.SourceVCIP, len(a.cfg.VCIPTokens) > 0, "--vcip-token",
		func(r *http.Request) bool { return bearerMatches(r.Header.Get("Authorization"), a.cfg.VCIPTokens) },
		func(*http.Request, []byte) bool { return true }, vcip.Decode)
}

// receive is the shared ingest path: authenticate, cap size, decode, store raw, acknowledge.
// The body is committed to disk before the 200; a body that does not decode is kept as quarantined.
// The case is derived from the stored delivery after the 200, by the ingester's deriver.
// headersOK checks what needs no body (a bearer token, the shape of a signature) before a byte of
// the body is read; authentic then checks the body itself.
func (a *App) receive(c echo.Context, source store.Source, configured bool, flag string,
	headersOK func(*http.Request) bool, authentic func(*http.Request, []byte) bool,
	decode func([]byte) (*store.Snapshot, error)) error {
	start := time.Now()
	r := c.Request()
	if !configured {
		a.callbackOutcome(c, source, "not_configured")
		return c.JSON(http.StatusServiceUnavailable, webhookReply{Status: "error",
			Message: source.Label() + " callbacks are not configured on this server: set " + flag + "."})
	}
	unauthorized := func() error {
		a.callbackOutcome(c, source, "unauthorized")
		a.auditAuthFailure(c, source)
		return c.JSON(http.StatusUnauthorized, webhookReply{Status: "error", Message: "authentication failed"})
	}
	if !headersOK(r) {
		return unauthorized()
	}
	if low, _ := a.diskLow(); low {
		a.callbackOutcome(c, source, "disk_low")
		// The access line says outcome=disk_low; /readyz and kycdesk_disk_free_bytes say why.
		c.Response().Header().Set("Retry-After", "300")
		return c.JSON(http.StatusServiceUnavailable, webhookReply{Status: "error", Message: "the server is low on disk space; retry later"})
	}
	if !a.takeBodySlot() {
		a.callbackOutcome(c, source, "busy")
		return busy(c)
	}
	defer a.releaseBodySlot()
	body, err := readWebhookBody(c.Response(), r, a.cfg.MaxBodyBytes)
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			a.callbackOutcome(c, source, "too_large")
			return c.JSON(http.StatusRequestEntityTooLarge, webhookReply{Status: "error",
				Message: "the body is larger than the configured limit"})
		}
		return c.JSON(http.StatusBadRequest, webhookReply{Status: "error", Message: "the body could not be read"})
	}
	if !authentic(r, body) {
		return unauthorized()
	}
	in := &store.Incoming{
		Source:     source,
		ReceivedAt: a.cfg.Now(),
		RemoteAddr: c.RealIP(),
		Headers:    r.Header.Clone(),
		Body:       body,
	}
	in.Snapshot, in.DecodeErr = decode(body)
	res, err := a.ingester.Submit(r.Context(), in)
	if err != nil {
		// Not stored: tell the sender to retry rather than lose the callback.
		a.log.Error("ingest failed", "request_id", requestID(c), "source", source, "err", err)
		a.callbackOutcome(c, source, "unavailable")
		return c.JSON(http.StatusServiceUnavailable, webhookReply{Status: "error", Message: "temporarily unable to store the callback; retry"})
	}
	a.callbackOutcome(c, source, res.Outcome)
	requestLogOf(c).delivery = res.DeliveryID
	a.metrics.observeIngest(source, start)
	if res.Outcome == store.OutcomeQuarantined {
		// Ids and field names only: the stored error may quote the body, the log must not.
		a.log.Warn("callback quarantined", "request_id", requestID(c), "source", source, "delivery_id", res.DeliveryID,
			"problem", jsonfield.LogText(in.DecodeErr))
	}
	if res.Outcome == store.OutcomeStored {
		if ws := in.Snapshot.SchemaWarnings; len(ws) > 0 {
			a.metrics.schema.WithLabelValues(string(source)).Inc()
			// Field names only, never the values that arrived.
			fields := make([]string, 0, len(ws))
			for _, w := range ws {
				fields = append(fields, w.Field)
			}
			a.log.Warn("callback stored with schema warnings", "request_id", requestID(c), "source", source,
				"delivery_id", res.DeliveryID, "fields", strings.Join(fields, ","))
		}
		if a.cfg.deriveInline {
			a.fetcher.Wake() // otherwise the deriver wakes it once the case exists
		}
	}
	return c.JSON(http.StatusOK, webhookReply{Status: "ok", DeliveryID: res.DeliveryID, Outcome: res.Outcome})
}

// callbackOutcome counts a webhook's outcome and puts it on the request's access-log line.
func (a *App) callbackOutcome(c echo.Context, source store.Source, outcome string) {
	a.metrics.callback(source, outcome)
	rl := requestLogOf(c)
	rl.source, rl.outcome = source, outcome
}

// signatureMatches checks a hex HMAC-SHA256 of the raw body against every configured secret in constant time.
func signatureMatches(body []byte, header string, secrets []string) bool {
	header = strings.TrimSpace(header)
	header = strings.TrimPrefix(strings.TrimPrefix(header, "sha256="), "SHA256=")
	got, err := hex.DecodeString(header)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	ok := false
	for _, s := range secrets {
		mac := hmac.New(sha256.New, []byte(s))
		mac.Write(body)
		if hmac.Equal(mac.Sum(nil), got) {
			ok = true // keep looping: the time taken does not depend on which key matched
		}
	}
	return ok
}

// bearerMatches checks an Authorization header against the accepted tokens in constant time.
func bearerMatches(header string, tokens []string) bool {
	const prefix = "bearer "
	if len(header) <= len(prefix) || !strings.EqualFold(header[:len(prefix)], prefix) {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(header[len(prefix):])))
	ok := false
	for _, t := range tokens {
		want := sha256.Sum256([]byte(t))
		if subtle.ConstantTimeCompare(got[:], want[:]) == 1 {
			ok = true
		}
	}
	return ok
}

// authFailureLog rate-limits audit entries for webhook authentication failures, so a flood cannot
// fill the disk: at most one entry per source per window, carrying the count since the last.
type authFailureLog struct {
	mu     sync.Mutex
	window time.Duration
	last   map[store.Source]time.Time
	missed map[store.Source]int
}

func newAuthFailureLog(window time.Duration) *authFailureLog {
	return &authFailureLog{window: window, last: map[store.Source]time.Time{}, missed: map[store.Source]int{}}
}

// take reports whether to write an entry now and how many failures it stands for.
func (l *authFailureLog) take(source store.Source, now time.Time) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.missed[source]++
	if now.Sub(l.last[source]) < l.window {
		return false, 0
	}
	n := l.missed[source]
	l.last[source], l.missed[source] = now, 0
	return true, n
}

// drain returns the failures counted but not yet written, per source, and starts a new window.
func (l *authFailureLog) drain(now time.Time) map[store.Source]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[store.Source]int{}
	for s, n := range l.missed {
		if n > 0 {
			out[s] = n
			l.missed[s], l.last[s] = 0, now
		}
	}
	return out
}

// flushAuthFailures writes the failures held back by the rate limit once a window, so the counts on
// the ingest health page are complete within a minute.
func (a *App) flushAuthFailures(ctx context.Context) {
	tick := time.NewTicker(a.authLog.window)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for source, n := range a.authLog.drain(a.cfg.Now()) {
			if err := a.db.Audit(ctx, store.AuditEntry{Actor: store.SystemActor.Name, Action: "webhook.auth_failed",
				TargetType: "webhook", TargetID: string(source),
				Details: map[string]any{"failures": n, "window": a.authLog.window.String(), "held_back": true}}); err != nil && ctx.Err() == nil {
				a.log.Error("audit webhook failures", "err", err)
			}
		}
	}
}

func (a *App) auditAuthFailure(c echo.Context, source store.Source) {
	write, n := a.authLog.take(source, a.cfg.Now())
	if !write {
		return
	}
	err := a.db.Audit(c.Request().Context(), store.AuditEntry{Actor: store.SystemActor.Name, Action: "webhook.auth_failed",
		TargetType: "webhook", TargetID: string(source),
		Details: map[string]any{"remote_addr": c.RealIP(), "failures": n, "window": a.authLog.window.String()}})
	if err != nil {
		a.log.Error("audit webhook failure", "err", err)
	}
}
