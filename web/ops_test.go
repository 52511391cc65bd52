package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// syncBuffer is a log destination the server's goroutines may write to concurrently.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// jsonLines parses every line of a JSON log, failing the test on one that is not JSON.
func jsonLines(t *testing.T, log string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %v\n%s", err, sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// TestLogsCarryNoSecrets drives sign-in, pages with personal data in the query, both webhooks
// (good, bad, quarantined), a decision and an export with a JSON logger at debug level, then checks
// that every line parses, that each request has one access line with the route pattern and
// request id, and that no password, cookie, CSRF token, webhook secret or token, body or query
// text appears anywhere in the log.
func TestLogsCarryNoSecrets(t *testing.T) {
	logs := &syncBuffer{}
	const metricsToken = "metrics-token-SECRET-7f3a"
	ta := newTestApp(t, withConfig(func(c *Config) {
		c.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		c.MetricsToken = metricsToken
	}))
	password := ta.addUser(t, "rev", store.RoleReviewer)
	rev := ta.login(t, "rev", password)

	const bodyMarker = "BODYMARKER-Zyx41"
	cb := suspected("logref-"+bodyMarker, "ANNA", "LOGSECRET"+bodyMarker)
	first := ta.postMarkID(t, cb.Body())
	vc := webtest.VCIP{SessionID: "vc-" + bodyMarker, Name: "Priya " + bodyMarker}
	ta.postVCIP(t, vc.Body())
	// Authenticated but unparseable: quarantined, and its parse error quotes the body.
	broken := []byte(`{"scanRef": "` + bodyMarker + `", "status": ` + bodyMarker + `}`)
	if r := ta.postMarkID(t, broken); r.Outcome != store.OutcomeQuarantined {
		t.Fatalf("broken body outcome = %q, want quarantined", r.Outcome)
	}
	// Wrong credentials (401): the attempted token must not be logged either.
	for _, h := range [][2]string{{"Authorization", "Bearer wrong-token-" + bodyMarker}} {
		req, _ := http.NewRequest(http.MethodPost, ta.url+"/webhooks/vcip", strings.NewReader(string(vc.Body())))
		req.Header.Set(h[0], h[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	const queryMarker = "QUERYMARKER-Kovalenko"
	rev.get("/cases?q=" + url.QueryEscape(queryMarker))
	id := ta.caseIDByRef(t, store.SourceMarkID, cb.ScanRef)
	casePath := fmt.Sprintf("/cases/%d", id)
	rev.get(casePath)
	rev.postForm(casePath+"/claim", nil)
	const noteMarker = "NOTEMARKER-fraud-ring"
	if p := rev.postForm(casePath+"/decision", url.Values{"outcome": {"decline"}, "reason": {"document_forged"},
		"note": {noteMarker}, "confirm": {"1"}}); p.Status != http.StatusOK {
		t.Fatalf("decision: status %d", p.Status)
	}
	req, _ := http.NewRequest(http.MethodGet, ta.url+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+metricsToken)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("/metrics with the token: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	// A request id sent by a proxy is kept; one that could smuggle text is replaced.
	req, _ = http.NewRequest(http.MethodGet, ta.url+"/healthz", nil)
	req.Header.Set("X-Request-Id", "proxy-abc.123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); got != "proxy-abc.123" {
		t.Errorf("X-Request-Id = %q, want the proxy's id kept", got)
	}
	req.Header.Set("X-Request-Id", "evil\" injected="+bodyMarker)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); strings.Contains(got, bodyMarker) || len(got) != 24 {
		t.Errorf("X-Request-Id = %q, want a fresh id instead of the unsafe one", got)
	}

	var cookies []string
	u, _ := url.Parse(ta.url)
	for _, c := range rev.http.Jar.Cookies(u) {
		cookies = append(cookies, c.Value)
	}
	if len(cookies) < 2 {
		t.Fatalf("the signed-in browser holds %d cookies, want session and CSRF", len(cookies))
	}
	log := logs.String()
	secrets := map[string]string{
		"password": password, "CSRF token": rev.csrf, "Mark ID secret": testMarkIDSecret, "video-KYC token": testVCIPToken,
		"metrics token": metricsToken, "webhook body": bodyMarker, "query string": queryMarker, "decision note": noteMarker,
		"customer name": "LOGSECRET",
	}
	for i, c := range cookies {
		secrets[fmt.Sprintf("cookie %d", i)] = c
	}
	for what, s := range secrets {
		if s != "" && strings.Contains(log, s) {
			t.Errorf("the log contains the %s (%q)", what, s)
		}
	}

	lines := jsonLines(t, log)
	var access []map[string]any
	for _, l := range lines {
		if l["msg"] == "request" {
			access = append(access, l)
		}
	}
	find := func(method, route string) map[string]any {
		for _, l := range access {
			if l["method"] == method && l["route"] == route {
				return l
			}
		}
		t.Fatalf("no access line for %s %s in:\n%s", method, route, log)
		return nil
	}
	caseLine := find("GET", "/cases/:id")
	if caseLine["status"] != float64(200) || caseLine["user_id"] != float64(ta.userID(t, "rev")) {
		t.Errorf("case page line = %v, want status 200 and the reviewer's user_id", caseLine)
	}
	if b, _ := caseLine["bytes"].(float64); b <= 0 {
		t.Errorf("case page line bytes = %v, want the body size", caseLine["bytes"])
	}
	if _, ok := caseLine["duration_ms"].(float64); !ok {
		t.Errorf("case page line has no duration_ms: %v", caseLine)
	}
	if !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(fmt.Sprint(caseLine["request_id"])) {
		t.Errorf("request_id = %v, want 24 hex digits", caseLine["request_id"])
	}
	hook := find("POST", "/webhooks/markid")
	if hook["source"] != "markid" || hook["outcome"] == nil || hook["delivery_id"] == nil {
		t.Errorf("webhook line = %v, want source, delivery_id and outcome", hook)
	}
	if hook["delivery_id"] != float64(first.DeliveryID) && find("POST", "/webhooks/markid")["delivery_id"] == nil {
		t.Errorf("webhook line delivery_id = %v, want %d", hook["delivery_id"], first.DeliveryID)
	}
	bad := 0
	for _, l := range access {
		if l["route"] == "/webhooks/vcip" && l["status"] == float64(401) && l["outcome"] == "unauthorized" {
			bad++
		}
	}
	if bad != 1 {
		t.Errorf("%d access lines for the 401 video-KYC callback, want 1 with outcome unauthorized", bad)
	}
	for _, l := range access {
		if r, _ := l["route"].(string); strings.Contains(r, "?") || regexp.MustCompile(`/\d+`).MatchString(r) {
			t.Errorf("access line route %q is a raw path, want the pattern", r)
		}
	}
}

// TestReadyz: ready on a healthy server; with the free disk (injected) under the floor it
// answers 503 naming the disk, and the webhooks answer 503 so the vendor retries. A read-only
// media dir is named too.
func TestReadyz(t *testing.T) {
	var mu sync.Mutex
	free := uint64(10 << 30)
	ta := newTestApp(t, withConfig(func(c *Config) {
		c.Ops.MinFreeDisk = 1 << 30
		c.Ops.FreeDisk = func(string) (uint64, error) {
			mu.Lock()
			defer mu.Unlock()
			return free, nil
		}
	}))
	get := func() (int, string) {
		resp, err := http.Get(ta.url + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(); code != 200 || body != "ready\n" {
		t.Fatalf("/readyz = %d %q, want 200 ready", code, body)
	}
	ta.postVCIP(t, webtest.VCIP{SessionID: "before-full"}.Body())

	mu.Lock()
	free = 200 << 20
	mu.Unlock()
	code, body := get()
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "disk: 200.0 MiB free, below --min-free-disk 1.0 GiB") {
		t.Errorf("/readyz with 200 MiB free = %d %q, want 503 naming the disk", code, body)
	}
	req, _ := http.NewRequest(http.MethodPost, ta.url+"/webhooks/vcip", bytes.NewReader(webtest.VCIP{SessionID: "while-full"}.Body()))
	req.Header.Set("Authorization", "Bearer "+testVCIPToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("webhook with the disk under the floor = %d (Retry-After %q), want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if ids, _ := ta.db.CasesByRef(context.Background(), store.SourceVCIP, []string{"while-full"}); len(ids) != 0 {
		t.Error("the callback refused for disk space was stored anyway")
	}
	metrics := ta.newClient(t).get("/metrics").Body
	for _, want := range []string{`kycdesk_callbacks_total{outcome="disk_low",source="vcip"} 1`, "kycdesk_disk_free_bytes 2.097152e+08",
		"kycdesk_min_free_disk_bytes 1.073741824e+09"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	mu.Lock()
	free = 5 << 30
	mu.Unlock()
	if code, _ := get(); code != 200 {
		t.Errorf("/readyz after space was freed = %d, want 200", code)
	}
	ta.postVCIP(t, webtest.VCIP{SessionID: "after-full"}.Body())

	// The database closed: not writable, named.
	ta.db.Close()
	if code, body := get(); code != 503 || !strings.Contains(body, "database: not writable") {
		t.Errorf("/readyz with the database closed = %d %q, want 503 naming the database", code, body)
	}
}

// TestMetricsOps: the scrape reports cases by review state, the oldest undecided case's age,
// media backlog and failures, active sessions, the SLA and the Go and process collectors, and
// the trigger-kept counts follow state changes.
func TestMetricsOps(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	ta.postMarkID(t, suspected("m-1", "ANNA", "ONE").Body())
	ta.clock.Advance(2 * time.Hour)
	ta.postMarkID(t, suspected("m-2", "BORIS", "TWO").Body())
	ta.postMarkID(t, webtest.MarkID{ScanRef: "m-3", Overall: "SUSPECTED", Final: true,
		Files: map[string]string{"FRONT": "http://127.0.0.1:1/front.jpg"}}.Body())
	ta.clock.Advance(time.Hour)

	id := ta.caseIDByRef(t, store.SourceMarkID, "m-1")
	path := fmt.Sprintf("/cases/%d", id)
	rev.get(path)
	rev.postForm(path+"/claim", nil)
	if p := rev.postForm(path+"/decision", url.Values{"outcome": {"allow"}, "reason": {"document_genuine"}, "note": {"checked"}, "confirm": {"1"}}); p.Status != 200 {
		t.Fatalf("decision: %d", p.Status)
	}
	var n struct{ needs, decided int }
	if err := ta.db.StreamCases(context.Background(), func(r store.CaseRow) error {
		switch r.ReviewState {
		case "needs_decision":
			n.needs++
		case "decided":
			n.decided++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	m := ta.newClient(t).get("/metrics").Body
	for _, want := range []string{
		fmt.Sprintf(`kycdesk_cases{state="needs_decision"} %d`, n.needs),
		fmt.Sprintf(`kycdesk_cases{state="decided"} %d`, n.decided),
		`kycdesk_cases{state="pending_approval"} 0`,
		`kycdesk_oldest_needs_decision_seconds 3600`,
		`kycdesk_media{state="queued"} 1`,
		`kycdesk_media_backlog 1`,
		`kycdesk_media_failed 0`,
		`kycdesk_sessions_active 1`,
		`kycdesk_sla_seconds 86400`,
		`go_goroutines `,
		`process_resident_memory_bytes `,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if n.decided != 1 || n.needs != 2 {
		t.Errorf("cases needing a decision/decided = %d/%d, want 2/1", n.needs, n.decided)
	}
}
