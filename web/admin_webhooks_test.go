package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/kycdesk/kycdesk/store"
)

// bankReceiver is the bank's system: it verifies every delivery with the Standard Webhooks
// library against the secret the test gives it, and answers 200.
type bankReceiver struct {
	srv    *httptest.Server
	secret chan string
	got    chan string // webhook-id of each verified delivery
	bad    chan error
}

func newBankReceiver(t *testing.T) *bankReceiver {
	t.Helper()
	r := &bankReceiver{secret: make(chan string, 1), got: make(chan string, 50), bad: make(chan error, 50)}
	var secret string
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		select {
		case secret = <-r.secret:
		default:
		}
		body, _ := io.ReadAll(req.Body)
		wh, err := standardwebhooks.NewWebhook(secret)
		if err == nil {
			// The app runs on the test's clock; the library checks the signature, not the time.
			err = wh.VerifyIgnoringTimestamp(body, req.Header)
		}
		if err != nil {
			r.bad <- fmt.Errorf("delivery %s: %w", req.Header.Get("webhook-id"), err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"ok":true}`)
		r.got <- req.Header.Get("webhook-id")
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *bankReceiver) next(t *testing.T) string {
	t.Helper()
	select {
	case id := <-r.got:
		return id
	case err := <-r.bad:
		t.Fatalf("the receiver refused a delivery: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("the receiver got nothing within a minute")
	}
	return ""
}

// webhookApp is the app with its workers running, deliveries allowed to 127.0.0.1, and a channel
// that reports each recorded attempt.
func webhookApp(t *testing.T, opts ...testAppOption) (*testApp, chan string) {
	t.Helper()
	attempts := make(chan string, 50)
	opts = append(opts, withWorkers(), withConfig(func(c *Config) {
		c.Outbound.AllowHosts = []string{"127.0.0.1"}
		c.Outbound.OnAttempt = func(r string) { attempts <- r }
	}))
	return newTestApp(t, opts...), attempts
}

func waitAttempt(t *testing.T, attempts chan string) string {
	t.Helper()
	select {
	case r := <-attempts:
		return r
	case <-time.After(time.Minute):
		t.Fatal("no delivery attempt was recorded within a minute")
	}
	return ""
}

// TestAdminAddsEndpointAndDecisionIsDelivered: an admin adds an endpoint on the page and sees
// its secret once; a test event and then a reviewer's decision reach the receiver, verified by the
// library; the log shows each attempt; rotation, disable and enable are audited.
func TestAdminAddsEndpointAndDecisionIsDelivered(t *testing.T) {
	ta, attempts := webhookApp(t)
	rcv := newBankReceiver(t)
	adm := ta.loginAs(t, "adm", store.RoleAdmin)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)

	p := adm.get("/admin/webhooks")
	wantStatus(t, "webhooks page", p, http.StatusOK)
	if p.testid("empty").Length() != 1 || !strings.Contains(p.testid("guard-note").Text(), "--outbound-allow-hosts") {
		t.Errorf("empty webhooks page: no empty state or no guard note")
	}
	p = adm.postForm("/admin/webhooks", url.Values{"url": {"ftp://bank.test/x"}, "events": {store.EventDecided}})
	wantStatus(t, "bad URL", p, http.StatusUnprocessableEntity)
	if p.testid("error-url").Length() != 1 {
		t.Error("a non-http URL gave no field error")
	}
	p = adm.postForm("/admin/webhooks", url.Values{"url": {rcv.srv.URL + "/kyc"}, "events": {store.EventDecided, store.EventReturned}})
	wantStatus(t, "add endpoint", p, http.StatusOK)
	secret := strings.TrimSpace(p.testid("endpoint-secret").Text())
	if !strings.HasPrefix(secret, "whsec_") || len(secret) < 6+32 {
		t.Fatalf("shown secret = %q, want whsec_ and base64 of at least 24 bytes", secret)
	}
	rcv.secret <- secret
	eps, _ := ta.db.Endpoints(context.Background())
	epPath := fmt.Sprintf("/admin/webhooks/%d", eps[0].ID)
	if strings.Contains(adm.get(epPath).Body, secret) || strings.Contains(adm.get("/admin/webhooks").Body, secret) {
		t.Error("the secret is shown again after the add page")
	}

	p = adm.postForm(epPath+"/test", nil)
	wantStatus(t, "send test", p, http.StatusOK)
	testID := rcv.next(t)
	if r := waitAttempt(t, attempts); r != store.AttemptDelivered {
		t.Fatalf("test event attempt = %s, want delivered", r)
	}

	ta.postMarkID(t, suspected("scan-wh", "ANNA", "VALID").Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "scan-wh")
	rev.postForm(fmt.Sprintf("/cases/%d/claim", id), nil)
	wantStatus(t, "decide", decide(rev, id, "decline", "document_forged", "Photo page replaced."), http.StatusOK)
	decidedID := rcv.next(t)
	if r := waitAttempt(t, attempts); r != store.AttemptDelivered {
		t.Fatalf("decision attempt = %s, want delivered", r)
	}

	// /metrics: nothing pending, two attempts delivered.
	mreq, _ := http.NewRequest(http.MethodGet, ta.url+"/metrics", nil)
	mresp, err := http.DefaultClient.Do(mreq)
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(mresp.Body)
	mresp.Body.Close()
	for _, line := range []string{"kycdesk_outbox_pending 0", "kycdesk_outbox_oldest_pending_seconds 0",
		`kycdesk_webhook_attempts_total{result="delivered"} 2`, `kycdesk_webhook_attempts_total{result="failed"} 0`} {
		if !strings.Contains(string(metrics), "\n"+line+"\n") {
			t.Errorf("/metrics lacks %q", line)
		}
	}

	p = adm.get(epPath)
	msgs := p.testid("log-message")
	if msgs.Length() != 2 || msgs.First().AttrOr("data-msg-id", "") != decidedID || msgs.Last().AttrOr("data-msg-id", "") != testID {
		t.Fatalf("log shows %d messages, want the decision (%s) above the test event (%s)", msgs.Length(), decidedID, testID)
	}
	first := msgs.First()
	if first.AttrOr("data-state", "") != "delivered" || strings.TrimSpace(first.Find(`[data-testid="attempt-code"]`).Text()) != "200" ||
		strings.TrimSpace(first.Find(`[data-testid="attempt-trigger"]`).Text()) != store.TriggerScheduled ||
		!strings.Contains(first.Find(`[data-testid="attempt-response"]`).Text(), `"ok":true`) {
		t.Errorf("log row of the decision: %q", strings.Join(strings.Fields(first.Text()), " "))
	}
	if tr := strings.TrimSpace(msgs.Last().Find(`[data-testid="attempt-trigger"]`).Text()); tr != store.TriggerManual {
		t.Errorf("test event trigger = %q, want manual", tr)
	}

	// Replay from the log: the same webhook-id again.
	replayForm := first.Find(`form`).AttrOr("action", "")
	wantStatus(t, "replay", adm.postForm(replayForm, nil), http.StatusOK)
	if again := rcv.next(t); again != decidedID {
		t.Errorf("replay sent %s, want %s", again, decidedID)
	}
	waitAttempt(t, attempts)

	p = adm.postForm(epPath+"/rotate", url.Values{"grace": {"24h"}})
	wantStatus(t, "rotate", p, http.StatusOK)
	if s := strings.TrimSpace(p.testid("endpoint-secret").Text()); !strings.HasPrefix(s, "whsec_") || s == secret {
		t.Errorf("rotated secret = %q, want a new whsec_ secret", s)
	}
	wantStatus(t, "disable", adm.postForm(epPath+"/disable", nil), http.StatusOK)
	h := adm.get("/admin/health")
	if h.testid("health-webhooks-disabled").Length() != 1 {
		t.Error("ingest health does not mention the disabled endpoint")
	}
	wantStatus(t, "enable", adm.postForm(epPath+"/enable", nil), http.StatusOK)

	entries, _, err := ta.db.ListAudit(context.Background(), store.AuditFilter{}, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"webhook.endpoint.add": false, "webhook.endpoint.test": false, "webhook.replay": false,
		"webhook.endpoint.rotate": false, "webhook.endpoint.disable": false, "webhook.endpoint.enable": false}
	for _, e := range entries {
		if _, ok := want[e.Action]; ok {
			want[e.Action] = true
		}
		if strings.Contains(e.DetailsJSON, "whsec_") {
			t.Errorf("audit entry %s carries a secret", e.Action)
		}
	}
	for a, ok := range want {
		if !ok {
			t.Errorf("no %s in the audit log", a)
		}
	}
}

// TestAdminTokensPage: a token is shown once, stored hashed, works on the API, and stops working
// when revoked from the page.
func TestAdminTokensPage(t *testing.T) {
	ta := newTestApp(t)
	adm := ta.loginAs(t, "adm", store.RoleAdmin)
	p := adm.postForm("/admin/tokens", url.Values{"name": {""}, "scopes": {store.ScopeDecisionsRead}})
	wantStatus(t, "nameless token", p, http.StatusUnprocessableEntity)
	if p.testid("error-name").Length() != 1 {
		t.Error("a token without a name gave no field error")
	}
	p = adm.postForm("/admin/tokens", url.Values{"name": {"onboarding"}, "scopes": {store.ScopeDecisionsRead}})
	wantStatus(t, "add token", p, http.StatusOK)
	token := strings.TrimSpace(p.testid("new-token").Text())
	if st, _ := ta.apiGet(t, "/api/v1/decisions", token, nil); st != http.StatusOK {
		t.Fatalf("the new token on the feed = %d, want 200", st)
	}
	p = adm.get("/admin/tokens")
	if strings.Contains(p.Body, token) {
		t.Error("the token list shows the token itself")
	}
	row := p.testid("token-row").First()
	if strings.TrimSpace(row.Find(`[data-testid="token-uses"]`).Text()) != "1" {
		t.Errorf("uses = %q, want 1", row.Find(`[data-testid="token-uses"]`).Text())
	}
	// Hashed at rest: the token's text is nowhere in the database files.
	for _, f := range []string{"kycdesk.db", "kycdesk.db-wal"} {
		b, err := os.ReadFile(filepath.Join(ta.cfg.DataDir, f))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if strings.Contains(string(b), token) {
			t.Errorf("%s holds the token in clear text", f)
		}
	}
	wantStatus(t, "revoke", adm.postForm(row.Find("form").AttrOr("action", ""), nil), http.StatusOK)
	if st, _ := ta.apiGet(t, "/api/v1/decisions", token, nil); st != http.StatusUnauthorized {
		t.Errorf("revoked token = %d, want 401", st)
	}
}
