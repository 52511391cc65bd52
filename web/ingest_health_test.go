package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// postUnsigned sends a Mark ID callback with a wrong signature and expects it refused.
func postUnsigned(t *testing.T, ta *testApp, body []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, ta.url+"/webhooks/markid", bytes.NewReader(body))
	req.Header.Set("Idenfy-Signature", strings.Repeat("ab", 32))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned callback = %d, want 401", resp.StatusCode)
	}
}

func TestIngestHealthCounts(t *testing.T) {
	ta := newTestApp(t)
	adm := ta.loginAs(t, "adm1", store.RoleAdmin)
	started := ta.clock.Now()

	good := []byte(`{"clientId":"c1","scanRef":"h-1","final":true,"status":{"overall":"APPROVED"},
"fileUrls":{"FRONT":"https://media.example.test/h-1/FRONT.png"}}`)
	if r := ta.postMarkID(t, good); r.Outcome != store.OutcomeStored {
		t.Fatalf("good callback outcome = %s", r.Outcome)
	}
	if r := ta.postMarkID(t, good); r.Outcome != store.OutcomeDuplicate {
		t.Fatalf("repeated callback outcome = %s", r.Outcome)
	}
	broken := ta.postMarkID(t, []byte(`{"scanRef": "h-2", "status": `))
	if broken.Outcome != store.OutcomeQuarantined {
		t.Fatalf("broken callback outcome = %s", broken.Outcome)
	}
	// Unauthorized attempts are sampled at most once a minute per source: the first writes an entry,
	// the second waits, and the third (two minutes on) writes one counting both.
	postUnsigned(t, ta, good)
	postUnsigned(t, ta, good)
	ta.clock.Advance(2 * time.Minute)
	postUnsigned(t, ta, good)

	p := adm.get("/admin/health")
	if p.Status != http.StatusOK {
		t.Fatalf("health page = %d", p.Status)
	}
	num := func(id string) string { return strings.TrimSpace(p.testid(id).Text()) }
	want := map[string]string{
		"health-markid-stored": "1", "health-markid-duplicate": "1", "health-markid-quarantined": "1", "health-markid-unauthorized": "3",
		"health-vcip-stored": "0", "health-vcip-duplicate": "0", "health-vcip-quarantined": "0", "health-vcip-unauthorized": "0",
		"health-quarantine-total": "1", "media-queued": "1", "media-failed": "0", "media-archived": "0",
	}
	for id, w := range want {
		if got := num(id); got != w {
			t.Errorf("%s = %q, want %q", id, got, w)
		}
	}
	for _, src := range []string{"markid", "vcip"} {
		if got := p.testid("health-"+src+"-configured").AttrOr("data-configured", ""); got != "true" {
			t.Errorf("%s configured = %q, want true", src, got)
		}
	}
	if got := p.testid("health-markid-last").Find("time").AttrOr("datetime", ""); got != started.Format(time.RFC3339) {
		t.Errorf("markid last callback = %q, want %s", got, started.Format(time.RFC3339))
	}
	if !strings.Contains(num("health-markid-diagnosis"), "failed authentication") {
		t.Errorf("markid diagnosis = %q, want it to point at the failed authentications", num("health-markid-diagnosis"))
	}
	if !strings.Contains(num("health-vcip-diagnosis"), "No callback has ever arrived") {
		t.Errorf("vcip diagnosis = %q", num("health-vcip-diagnosis"))
	}
	row := p.testid("quarantined-row")
	if row.Length() != 1 || row.AttrOr("data-id", "") != strconv.FormatInt(broken.DeliveryID, 10) {
		t.Fatalf("quarantine rows = %d, want delivery %d", row.Length(), broken.DeliveryID)
	}
	form := row.Find("form")
	if form.AttrOr("action", "") != "/admin/deliveries/"+strconv.FormatInt(broken.DeliveryID, 10)+"/replay" || form.Find(`input[name="_csrf"]`).Length() != 1 {
		t.Errorf("replay form = %q, want a POST to the delivery's replay with a CSRF token", form.AttrOr("action", ""))
	}

	// A day later the window is empty, but the last callback is still known.
	ta.clock.Advance(25 * time.Hour)
	p = adm.get("/admin/health")
	if got := num("health-markid-stored"); got != "0" {
		t.Errorf("stored a day later = %q, want 0", got)
	}
	if got := num("health-markid-unauthorized"); got != "0" {
		t.Errorf("unauthorized a day later = %q, want 0", got)
	}
	if !strings.Contains(num("health-markid-diagnosis"), "No callback in the last 24 hours") {
		t.Errorf("markid diagnosis a day later = %q", num("health-markid-diagnosis"))
	}
}

func TestIngestHealthNotConfigured(t *testing.T) {
	ta := newTestApp(t, withConfig(func(c *Config) { c.VCIPTokens = nil; c.BaseURL = "https://kyc.example.test/" }))
	adm := ta.loginAs(t, "adm1", store.RoleAdmin)
	p := adm.get("/admin/health")
	if got := p.testid("health-vcip-configured").AttrOr("data-configured", ""); got != "false" {
		t.Errorf("vcip configured = %q, want false", got)
	}
	if d := p.testid("health-vcip-diagnosis").Text(); !strings.Contains(d, "--vcip-token") {
		t.Errorf("vcip diagnosis = %q, want it to name the setting", d)
	}
	if !strings.Contains(p.testid("health-sources").Text(), "https://kyc.example.test/webhooks/markid") {
		t.Error("the endpoint is not shown with the public URL")
	}
	if p.testid("empty").Length() != 1 {
		t.Error("an empty quarantine shows no empty state")
	}
}
