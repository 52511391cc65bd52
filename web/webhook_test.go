package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/ingest"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// send posts a raw webhook and returns the status and decoded answer, whatever the status.
func (ta *testApp) send(t *testing.T, path string, body []byte, headers map[string]string) webhookResult {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, ta.url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r webhookResult
	_ = json.NewDecoder(resp.Body).Decode(&r)
	r.Status = resp.StatusCode
	return r
}

// countDeliveries counts the deliveries by outcome once every acknowledged one has been moved out
// of the inbox into the main database, which is what the delivery list reads.
func countDeliveries(t *testing.T, ta *testApp) (stored, dup, quarantined int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := ta.db.WaitBacklogEmpty(ctx); err != nil {
		t.Fatal(err)
	}
	err := ta.db.StreamDeliveries(ctx, func(d store.DeliveryRow) error {
		switch d.Outcome {
		case store.OutcomeStored:
			stored++
		case store.OutcomeDuplicate:
			dup++
		case store.OutcomeQuarantined:
			quarantined++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return
}

func TestWebhookAuthentication(t *testing.T) {
	ta := newTestApp(t, withConfig(func(c *Config) {
		c.MarkIDSecrets = []string{"old-secret", "new-secret"} // rotation: both accepted
		c.MaxBodyBytes = 4096
	}))
	body := webtest.MarkID{ScanRef: "auth-1", Overall: "SUSPECTED", First: "ANNA", Last: "K"}.Body()
	cases := []struct {
		name    string
		path    string
		body    []byte
		headers map[string]string
		want    int
	}{
		{"markid new secret", "/webhooks/markid", body, map[string]string{"Idenfy-Signature": webtest.MarkIDSignature(body, "new-secret")}, 200},
		{"markid old secret", "/webhooks/markid", body, map[string]string{"Idenfy-Signature": webtest.MarkIDSignature(body, "old-secret")}, 200},
		{"markid uppercase hex", "/webhooks/markid", body, map[string]string{"Idenfy-Signature": strings.ToUpper(webtest.MarkIDSignature(body, "new-secret"))}, 200},
		{"markid wrong secret", "/webhooks/markid", body, map[string]string{"Idenfy-Signature": webtest.MarkIDSignature(body, "guess")}, 401},
		{"markid signature of other bytes", "/webhooks/markid", body, map[string]string{"Idenfy-Signature": webtest.MarkIDSignature(append(body, ' '), "new-secret")}, 401},
		{"markid no signature", "/webhooks/markid", body, nil, 401},
		{"markid garbage signature", "/webhooks/markid", body, map[string]string{"Idenfy-Signature": "zz"}, 401},
		{"vcip token", "/webhooks/vcip", webtest.VCIP{SessionID: "v-auth"}.Body(), map[string]string{"Authorization": "Bearer " + testVCIPToken}, 200},
		{"vcip wrong token", "/webhooks/vcip", webtest.VCIP{SessionID: "v-auth2"}.Body(), map[string]string{"Authorization": "Bearer nope"}, 401},
		{"vcip missing token", "/webhooks/vcip", webtest.VCIP{SessionID: "v-auth3"}.Body(), nil, 401},
		{"vcip basic instead of bearer", "/webhooks/vcip", webtest.VCIP{SessionID: "v-auth4"}.Body(), map[string]string{"Authorization": "Basic " + testVCIPToken}, 401},
		{"oversize body", "/webhooks/vcip", bytes.Repeat([]byte("x"), 5000), map[string]string{"Authorization": "Bearer " + testVCIPToken}, 413},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ta.send(t, tc.path, tc.body, tc.headers); got.Status != tc.want {
				t.Errorf("POST %s = %d (%s), want %d", tc.path, got.Status, got.Message, tc.want)
			}
		})
	}
	// Only authenticated bodies are stored: the first two (byte-identical, so one stored + one duplicate) and the vcip one.
	stored, dup, q := countDeliveries(t, ta)
	if stored != 2 || dup != 2 || q != 0 {
		t.Errorf("deliveries stored/duplicate/quarantined = %d/%d/%d, want 2/2/0", stored, dup, q)
	}
	metrics := ta.newClient(t).get("/metrics").Body
	for _, want := range []string{
		`kycdesk_callbacks_total{outcome="unauthorized",source="markid"} 4`,
		`kycdesk_callbacks_total{outcome="unauthorized",source="vcip"} 3`,
		`kycdesk_callbacks_total{outcome="too_large",source="vcip"} 1`,
		`kycdesk_callbacks_total{outcome="stored",source="markid"} 1`,
		`kycdesk_callbacks_total{outcome="duplicate",source="markid"} 2`,
		`kycdesk_ingest_seconds_count{source="markid"} 3`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// Authentication failures are audited, rate-limited to one entry per source per window.
	entries, _, err := ta.db.ListAudit(context.Background(), store.AuditFilter{Action: "webhook.auth_failed"}, 0, 10)
	if err != nil || len(entries) != 2 {
		t.Errorf("webhook.auth_failed audit entries = %d, %v; want 2 (one per source)", len(entries), err)
	}
}

func TestWebhookSourceNotConfigured(t *testing.T) {
	ta := newTestApp(t, withConfig(func(c *Config) { c.MarkIDSecrets = nil; c.VCIPTokens = nil }))
	body := webtest.MarkID{ScanRef: "x"}.Body()
	for _, path := range []string{"/webhooks/markid", "/webhooks/vcip"} {
		got := ta.send(t, path, body, map[string]string{"Idenfy-Signature": webtest.MarkIDSignature(body, ""), "Authorization": "Bearer "})
		if got.Status != http.StatusServiceUnavailable || !strings.Contains(got.Message, "not configured") {
			t.Errorf("POST %s unconfigured = %d %q, want 503 saying it is not configured", path, got.Status, got.Message)
		}
	}
	if stored, dup, q := countDeliveries(t, ta); stored+dup+q != 0 {
		t.Errorf("an unconfigured source stored %d deliveries", stored+dup+q)
	}
}

func TestWebhookTripleDeliveryIsOneEvent(t *testing.T) {
	ta := newTestApp(t)
	body := webtest.MarkID{ScanRef: "triple", Overall: "SUSPECTED", Fraud: []string{"FACE_SUSPECTED"}}.Body()
	first := ta.postMarkID(t, body)
	for i := 0; i < 3; i++ {
		r := ta.postMarkID(t, body)
		if r.Outcome != store.OutcomeDuplicate {
			t.Errorf("retry %d outcome = %q, want duplicate", i, r.Outcome)
		}
	}
	if first.Outcome != store.OutcomeStored {
		t.Errorf("first outcome = %q, want stored", first.Outcome)
	}
	hist, err := ta.db.CaseDeliveries(context.Background(), ta.caseIDByRef(t, store.SourceMarkID, "triple"))
	if err != nil {
		t.Fatal(err)
	}
	var events, dups int
	for _, d := range hist {
		if d.Outcome == store.OutcomeDuplicate {
			dups++
		} else {
			events++
		}
	}
	if events != 1 || dups != 3 {
		t.Errorf("history = %d events + %d duplicates, want 1 + 3", events, dups)
	}
}

func TestWebhookMalformedIsQuarantinedAndAcknowledged(t *testing.T) {
	ta := newTestApp(t)
	broken := []byte(`{"scanRef": "q-1", "clientIp": 192.0.2.0, "final": false,}`)
	r := ta.postMarkID(t, broken)
	if r.Outcome != store.OutcomeQuarantined {
		t.Fatalf("outcome = %q, want quarantined (and still 200)", r.Outcome)
	}
	var gotErr string
	_ = ta.db.StreamDeliveries(context.Background(), func(d store.DeliveryRow) error {
		gotErr = d.Error
		return nil
	})
	if !strings.Contains(gotErr, "invalid JSON at byte") {
		t.Errorf("quarantine error = %q, want the parse error with its position", gotErr)
	}
	// A body with no reference at all is quarantined too, not dropped.
	if r := ta.postVCIP(t, []byte(`{"data":{"name":"No Session"}}`)); r.Outcome != store.OutcomeQuarantined {
		t.Errorf("vcip without sessionId outcome = %q, want quarantined", r.Outcome)
	}
	// Replay after "an upgrade" keeps what still fails quarantined and says so.
	res, err := ingest.ReplayQuarantined(context.Background(), ta.db, store.SystemActor)
	if err != nil || res.Quarantined != 2 || res.Stored != 0 {
		t.Errorf("ReplayQuarantined = %+v, %v; want 2 still quarantined", res, err)
	}
}

func TestWebhookOrderingByMeaning(t *testing.T) {
	ta := newTestApp(t)
	manual := webtest.MarkID{ScanRef: "order-1", Overall: "APPROVED", Final: true, AutoDoc: "DOC_VALIDATED", AutoFace: "FACE_MATCH",
		ManualDoc: "DOC_VALIDATED", ManualFace: "FACE_MATCH"}
	auto := webtest.MarkID{ScanRef: "order-1", Overall: "SUSPECTED", Final: false, Fraud: []string{"FACE_SUSPECTED"}}
	ta.postMarkID(t, manual.Body())
	ta.clock.Advance(1)
	ta.postMarkID(t, auto.Body()) // late automatic result
	expired := webtest.MarkID{ScanRef: "order-2", Overall: "EXPIRED"}
	denied := webtest.MarkID{ScanRef: "order-3", Overall: "DENIED", Final: true, AutoFace: "FACE_MISMATCH"}
	ta.postMarkID(t, expired.Body())
	ta.postMarkID(t, denied.Body())
	want := map[string]string{"order-1": "APPROVED", "order-2": "EXPIRED", "order-3": "DENIED"}
	got := map[string]string{}
	states := map[string]string{}
	err := ta.db.StreamCases(context.Background(), func(r store.CaseRow) error {
		got[r.Ref], states[r.Ref] = r.Overall, r.ReviewState
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for ref, w := range want {
		if got[ref] != w {
			t.Errorf("case %s overall = %q, want %q", ref, got[ref], w)
		}
		if states[ref] != store.ReviewInformational {
			t.Errorf("case %s review state = %q, want informational", ref, states[ref])
		}
	}
}

// TestWebhookCorpusSignatures checks the published HMAC test vectors against the raw files, which
// proves the signature is computed over the exact bytes (indentation and final newline included).
func TestWebhookCorpusSignatures(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "corpus", "payloads")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("no ../shared/corpus in this checkout")
	}
	ta := newTestApp(t, withConfig(func(c *Config) { c.MarkIDSecrets = []string{"TestingKey"} }))
	vectors := []struct {
		file, sig string
		want      int
	}{
		{"gboddin-go-idenfy-testdata-webhook.1.json", "e7386736c7f0e8ee293a7637a316d64f7193c3197c133576e3f72061100180e2", 200},
		{"threefoldtech-tf-kyc-verifier-testdata-webhook.1.json", "249d9a838e9b981935324b02367ca72552aa430fc766f45f77fab7a81f9f3b9d", 200},
		// The first file's signature does not fit the second file's bytes: same JSON, other indentation.
		{"threefoldtech-tf-kyc-verifier-testdata-webhook.1.json", "e7386736c7f0e8ee293a7637a316d64f7193c3197c133576e3f72061100180e2", 401},
	}
	for _, v := range vectors {
		body, err := os.ReadFile(filepath.Join(dir, v.file))
		if err != nil {
			t.Fatal(err)
		}
		if got := ta.send(t, "/webhooks/markid", body, map[string]string{"Idenfy-Signature": v.sig}); got.Status != v.want {
			t.Errorf("%s with %s… = %d, want %d", v.file, v.sig[:8], got.Status, v.want)
		}
	}
}

func TestHealthz(t *testing.T) {
	ta := newTestApp(t)
	resp, err := http.Get(ta.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(b)) != "ok" {
		t.Errorf("/healthz = %d %q, want 200 ok", resp.StatusCode, b)
	}
	ta.db.Close()
	resp, err = http.Get(ta.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/healthz with the database closed = %d, want 503", resp.StatusCode)
	}
}

// TestAuthFailureSamplingLosesNoCount: one audit entry per window, and the failures held back in
// between are drained into the next entry, so the totals add up.
func TestAuthFailureSamplingLosesNoCount(t *testing.T) {
	l := newAuthFailureLog(time.Minute)
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	total := 0
	if write, n := l.take(store.SourceMarkID, t0); !write || n != 1 {
		t.Fatalf("first failure: write=%v n=%d, want an entry for 1", write, n)
	} else {
		total += n
	}
	for i := 1; i <= 4; i++ {
		if write, _ := l.take(store.SourceMarkID, t0.Add(time.Duration(i)*time.Second)); write {
			t.Fatalf("failure %d within the window wrote an entry", i+1)
		}
	}
	held := l.drain(t0.Add(time.Minute))
	total += held[store.SourceMarkID]
	if total != 5 {
		t.Errorf("entries account for %d failures, want 5", total)
	}
	if again := l.drain(t0.Add(2 * time.Minute)); len(again) != 0 {
		t.Errorf("second drain = %v, want nothing held back", again)
	}
}
