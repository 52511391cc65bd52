package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// csp is the Content-Security-Policy the app sends for path to the client.
func csp(t *testing.T, c *client, path string) string {
	t.Helper()
	resp, err := c.http.Get(c.app.url + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", path, resp.StatusCode)
	}
	return resp.Header.Get("Content-Security-Policy")
}

// TestFacePanelCSP: only a Mark ID case page, which compares faces with WebAssembly, may compile
// WebAssembly; no page may eval JavaScript.
func TestFacePanelCSP(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	ta.postMarkID(t, suspected("scan-f", "FAY", "FACE").Body())
	ta.postVCIP(t, webtest.VCIP{SessionID: "v-face"}.Body())
	markid := fmt.Sprintf("/cases/%d", ta.caseIDByRef(t, store.SourceMarkID, "scan-f"))
	vcip := fmt.Sprintf("/cases/%d", ta.caseIDByRef(t, store.SourceVCIP, "v-face"))

	got := csp(t, rev, markid)
	if !strings.Contains(got, "script-src 'self' 'wasm-unsafe-eval';") {
		t.Errorf("Mark ID case page CSP = %q, want script-src 'self' 'wasm-unsafe-eval'", got)
	}
	for _, path := range []string{vcip, "/cases"} {
		if got := csp(t, rev, path); strings.Contains(got, "wasm") || !strings.Contains(got, "script-src 'self';") {
			t.Errorf("%s CSP = %q, want script-src 'self' alone", path, got)
		}
	}
	for _, path := range []string{markid, vcip, "/cases"} {
		if got := csp(t, rev, path); strings.Contains(got, "'unsafe-eval'") || strings.Contains(got, "'unsafe-inline'") {
			t.Errorf("%s CSP = %q allows eval or inline script", path, got)
		}
	}

	p := rev.get(markid)
	panel := p.testid("face-compare")
	if panel.Length() != 1 {
		t.Fatalf("Mark ID case page has %d face panels, want 1", panel.Length())
	}
	// No media archived (no fetcher runs here): a sentence, and no script that would fail.
	if s := p.testid("face-status").Text(); !strings.Contains(s, "been archived yet") {
		t.Errorf("face status without media = %q, want it to say the pictures are not archived", s)
	}
	if _, ok := panel.Attr("data-face-compare"); ok {
		t.Errorf("face panel without pictures asks face.js to compare")
	}
	if n := rev.get(vcip).testid("face-compare").Length(); n != 0 {
		t.Errorf("video-KYC case page has %d Mark ID face panels, want 0", n)
	}
}

// TestDecisionRecordsFaceMatch: the face fields of the decision form are stored with the decision
// and written into its audit entry (the column is checked in the store's tests); a missing or malformed score changes nothing else.
func TestDecisionRecordsFaceMatch(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	cases := []struct {
		ref   string
		score string
		frame string
		want  string // the audit entry's face_match, "" for none
	}{
		{"scan-s1", "87", "", `{"score":87,"model":"` + views.FaceModel + `"}`},
		{"scan-s2", "64", "12000", `{"score":64,"model":"` + views.FaceModel + `","frame_ms":12000}`},
		{"scan-s3", "", "", ""},
		{"scan-s4", "250", "", ""},
		{"scan-s5", "abc", "", ""},
	}
	for _, c := range cases {
		ta.postMarkID(t, suspected(c.ref, "SAM", "SCORE").Body())
		id := ta.caseIDByRef(t, store.SourceMarkID, c.ref)
		path := fmt.Sprintf("/cases/%d", id)
		rev.postForm(path+"/claim", nil)
		p := rev.postForm(path+"/decision", url.Values{"outcome": {"allow"}, "reason": {"face_matches"}, "note": {"checked"},
			"confirm": {"1"}, "face_score": {c.score}, "face_model": {views.FaceModel}, "face_frame_ms": {c.frame}})
		wantStatus(t, c.ref+" decision", p, http.StatusOK)
		if p.URL.Query().Get("flash") == "" {
			t.Fatalf("%s: decision not recorded: landed on %s", c.ref, p.URL)
		}
		entries, _, err := ta.db.ListAudit(context.Background(), store.AuditFilter{CaseID: id, Action: "case.decision"}, 0, 5)
		if err != nil || len(entries) != 1 {
			t.Fatalf("%s: decision audit entries = %d, %v; want 1", c.ref, len(entries), err)
		}
		var details struct {
			FaceMatch *store.FaceMatch `json:"face_match"`
		}
		if err := json.Unmarshal([]byte(entries[0].DetailsJSON), &details); err != nil {
			t.Fatal(err)
		}
		got := ""
		if details.FaceMatch != nil {
			b, _ := json.Marshal(details.FaceMatch)
			got = string(b)
		}
		if got != c.want {
			t.Errorf("%s: audited face_match = %s, want %s", c.ref, got, c.want)
		}
	}
}
