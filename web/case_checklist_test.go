package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// postChecklist saves one checklist row the way static/js/checklist.js does: a form body with
// the CSRF token in the X-CSRF-Token header.
func (c *client) postChecklist(path string, form url.Values, csrf string) (int, checklistAnswer) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.app.url+path+"/checklist", strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	p := c.do(req)
	var a checklistAnswer
	_ = json.Unmarshal([]byte(p.Body), &a)
	return p.Status, a
}

// TestChecklistOverHTTP: the video-KYC checklist on the case page, saved row by row by the holder
// (CSRF in the header), kept across a reload, enforced on allow, frozen with the decision and shown
// read-only to the supervisor with the bookmarks, and in the decision's history.
func TestChecklistOverHTTP(t *testing.T) {
	ta := newTestApp(t, withConfig(func(c *Config) { c.FourEyesVCIP = true }))
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	sup := ta.loginAs(t, "sup", store.RoleSupervisor)
	aud := ta.loginAs(t, "aud", store.RoleAuditor)
	cb := webtest.VCIP{SessionID: "sess-checklist", Name: "PRIYA NAIR", Country: "IN", City: "Pune",
		Instructions: []webtest.Instruction{
			{Text: "Show your face", Screenshot: true, Translations: [][2]string{{"ENGLISH", "Show your face"}, {"HINDI", "अपना चेहरा दिखाएं"}}},
			{Text: "Hold your PAN card", IDCardBox: true, Translations: [][2]string{{"ENGLISH", "Hold your PAN card"}, {"HINDI", "अपना पैन कार्ड दिखाएं"}}},
		},
		VideoURL: "https://media.example.test/call.webm", Thumbnail: "https://media.example.test/thumb.png",
	}
	ta.postVCIP(t, cb.Body())
	id := ta.caseIDByRef(t, store.SourceVCIP, "sess-checklist")
	ta.archiveRecording(t, id)
	path := fmt.Sprintf("/cases/%d", id)

	p := rev.get(path)
	wantStatus(t, "case page", p, http.StatusOK)
	rows := p.find(`[data-checklist-row]`)
	if rows.Length() != 2 || rows.First().AttrOr("data-key", "") != "instruction:1" {
		t.Fatalf("checklist rows = %d (%s)", rows.Length(), outer(rows.First()))
	}
	if !strings.Contains(rows.Eq(1).Text(), "ID box required") || !strings.Contains(rows.Eq(0).Text(), "screenshot required") {
		t.Errorf("row flags: %q / %q", rows.Eq(0).Text(), rows.Eq(1).Text())
	}
	if got := rows.Eq(1).Find(`[data-testid="instruction-text"][data-lang="HINDI"]`).AttrOr("lang", ""); got != "hi" {
		t.Errorf("Hindi beside English: lang = %q", got)
	}
	// Not claimed yet: read-only, and a save is refused with the store's sentence.
	if p.find(`[data-disposition-choice]`).Length() != 0 || p.testid("checklist-readonly").Length() != 1 {
		t.Errorf("the checklist is editable before the claim")
	}
	csrf := p.find(`[data-checklist]`).AttrOr("data-csrf", "")
	row1 := url.Values{"key": {"instruction:1"}, "bookmark_ms": {"3200"}, "disposition": {"satisfactory"}}
	if st, a := rev.postChecklist(path, row1, csrf); st != http.StatusConflict || !strings.Contains(a.Error, "Claim this case") {
		t.Errorf("save before claiming = %d %+v, want 409 with the claim sentence", st, a)
	}
	rev.postForm(path+"/claim", nil)
	p = rev.get(path)
	csrf = p.find(`[data-checklist]`).AttrOr("data-csrf", "")
	if p.find(`[data-checklist-row] [data-disposition-choice]`).Length() != 6 {
		t.Fatalf("the holder gets no disposition choices: %s", outer(p.find(`[data-checklist-row]`).First()))
	}
	if st, _ := rev.postChecklist(path, row1, ""); st != http.StatusForbidden {
		t.Errorf("save without the CSRF token = %d, want 403", st)
	}
	if st, _ := aud.postChecklist(path, row1, aud.get(path).find(`[data-checklist]`).AttrOr("data-csrf", "")); st != http.StatusForbidden {
		t.Errorf("an auditor's save = %d, want 403", st)
	}
	if st, a := rev.postChecklist(path, url.Values{"key": {"instruction:1"}, "disposition": {"great"}}, csrf); st != http.StatusUnprocessableEntity || a.Error == "" {
		t.Errorf("a made-up disposition = %d %+v, want 422 with a sentence", st, a)
	}
	if st, a := rev.postChecklist(path, row1, csrf); st != http.StatusOK || !a.OK || a.Progress != "1 of 2 dispositioned · 1 bookmarked" {
		t.Fatalf("save = %d %+v", st, a)
	}

	// Allowing with row 2 open is refused beside the form, and the checklist says it too.
	allow := url.Values{"outcome": {"allow"}, "reason": {"face_matches"}, "confirm": {"1"}}
	p = rev.postForm(path+"/decision", allow)
	wantStatus(t, "allow with an open row", p, http.StatusUnprocessableEntity)
	if got := p.testid("error-checklist").Text(); !strings.Contains(got, "instruction 2") {
		t.Errorf("decision form checklist error = %q", got)
	}
	if got := p.testid("checklist-problem").Text(); !strings.Contains(got, "instruction 2") {
		t.Errorf("checklist panel problem = %q", got)
	}
	// The draft survives a reload.
	p = rev.get(path)
	r1 := p.find(`[data-checklist-row][data-key="instruction:1"]`)
	if r1.AttrOr("data-bookmark-ms", "") != "3200" || r1.Find(`input[value="satisfactory"]`).AttrOr("checked", "x") == "x" ||
		strings.TrimSpace(r1.Find(`[data-testid="bookmark-time"]`).Text()) != "⌖ 0:03" {
		t.Errorf("row 1 after reload = %s", outer(r1))
	}
	row2 := url.Values{"key": {"instruction:2"}, "bookmark_ms": {"9100"}, "disposition": {"unclear"}, "note": {"Card partly covered; number read on the screenshot."}}
	if st, a := rev.postChecklist(path, row2, csrf); st != http.StatusOK || !a.OK {
		t.Fatalf("save row 2 = %d %+v", st, a)
	}
	p = rev.postForm(path+"/decision", allow)
	if p.URL.Path != path || p.testid("banner-pending").Length() != 1 {
		t.Fatalf("allow with every row dispositioned: status %d at %s; error %q %q", p.Status, p.URL.Path, p.testid("error-checklist").Text(), p.find(".field-error, .banner, [data-testid=page-error]").Text())
	}

	// The supervisor sees the frozen rows with their bookmarks, read-only, and the history lists them.
	p = sup.get(path)
	if p.testid("approve").Length() != 1 {
		t.Errorf("the supervisor is not offered the approval")
	}
	if p.testid("checklist-frozen").Length() != 1 || p.find(`[data-disposition-choice]`).Length() != 0 || p.testid("bookmark-button").Length() != 0 {
		t.Errorf("supervisor's checklist is not the frozen read-only one")
	}
	r2 := p.find(`[data-checklist-row][data-key="instruction:2"]`)
	if r2.AttrOr("data-bookmark-ms", "") != "9100" || strings.TrimSpace(r2.Find(`[data-testid="disposition"]`).Text()) != "unclear" ||
		!strings.Contains(r2.Find(`[data-testid="checklist-note-text"]`).Text(), "Card partly covered") {
		t.Errorf("frozen row 2 = %s", outer(r2))
	}
	hist := p.testid("timeline-checklist")
	if hist.Length() != 1 || !strings.Contains(hist.Text(), "0:09") || !strings.Contains(hist.Text(), "unclear") {
		t.Errorf("decision history checklist = %q", hist.Text())
	}
	if st, _ := rev.postChecklist(path, row1, csrf); st != http.StatusConflict {
		t.Errorf("save after the decision = %d, want 409", st)
	}
}
