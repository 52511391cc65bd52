package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// TestCSRFTokenNotFromQuery: a valid token in the address (?_csrf=…) was accepted. It counts only
// in the form body or the X-CSRF-Token header now.
func TestCSRFTokenNotFromQuery(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	ta.postMarkID(t, webtest.MarkID{ScanRef: "csrf-q", First: "ANNA", Overall: "SUSPECTED", Final: true}.Body())
	path := fmt.Sprintf("/cases/%d", ta.caseIDByRef(t, store.SourceMarkID, "csrf-q"))
	rev.get(path)
	post := func(target, body string, header bool) int {
		req, _ := http.NewRequest(http.MethodPost, ta.url+target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if header {
			req.Header.Set("X-CSRF-Token", rev.csrf)
		}
		return rev.do(req).Status
	}
	if s := post(path+"/claim?_csrf="+url.QueryEscape(rev.csrf), "", false); s != http.StatusForbidden {
		t.Fatalf("claim with the token in the query = %d, want 403", s)
	}
	if s := post(path+"/claim", "", true); s != http.StatusOK {
		t.Fatalf("claim with the token in the header = %d, want 200 (the case page after the redirect)", s)
	}
	if s := post(path+"/release", "_csrf="+url.QueryEscape(rev.csrf), false); s != http.StatusOK {
		t.Fatalf("release with the token in the form = %d, want 200", s)
	}
}
