package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/demo"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// TestCaptureSavedAsEvidence: a frame posted by the page (PNG body, CSRF header) is archived by its
// hash, served back byte for byte, listed with the case's media and audited; anything but a picture,
// or a post without the token, is refused.
func TestCaptureSavedAsEvidence(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	ta.postVCIP(t, webtest.VCIP{SessionID: "sess-frame", Name: "ASHA RAO",
		VideoURL: "https://media.example.test/call.webm", Thumbnail: "https://media.example.test/thumb.png"}.Body())
	id := ta.caseIDByRef(t, store.SourceVCIP, "sess-frame")
	path := fmt.Sprintf("/cases/%d", id)
	rev.get(path)
	png := demo.ThumbnailPNG("frame")
	post := func(body []byte, csrf string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, ta.url+path+"/captures?frame_ms=7300", bytes.NewReader(body))
		req.Header.Set("Content-Type", "image/png")
		req.Header.Set("Accept", "application/json")
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		p := rev.do(req)
		var out map[string]any
		_ = json.Unmarshal([]byte(p.Body), &out)
		return p.Status, out
	}
	if st, _ := post(png, ""); st != http.StatusForbidden {
		t.Errorf("capture without the CSRF token = %d, want 403", st)
	}
	if st, a := post([]byte("not a picture at all"), rev.csrf); st != http.StatusUnsupportedMediaType {
		t.Errorf("a text body = %d %v, want 415", st, a)
	}
	st, a := post(png, rev.csrf)
	if st != http.StatusOK || a["ok"] != true {
		t.Fatalf("capture = %d %v", st, a)
	}
	src, _ := a["url"].(string)
	got := rev.get(src)
	if got.Status != http.StatusOK || got.Body != string(png) {
		t.Errorf("GET %s = %d, %d bytes; want the posted %d bytes", src, got.Status, len(got.Body), len(png))
	}
	p := rev.get(path)
	fig := p.find(`figure[data-kind="` + store.MediaCapture + `"]`)
	if fig.Length() != 1 || fig.Find("figcaption").Text() == "" {
		t.Errorf("the saved frame is not among the case's media: %s", outer(p.testid("media-panel")))
	}
	var n int
	if err := ta.db.StreamAudit(t.Context(), store.AuditFilter{CaseID: id}, func(e store.AuditEntry) error {
		if e.Action == "media.capture" && e.Actor == "rev" {
			n++
		}
		return nil
	}); err != nil || n != 1 {
		t.Errorf("media.capture audit entries = %d (%v), want 1", n, err)
	}
}
