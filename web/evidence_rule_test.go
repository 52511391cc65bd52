package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// postVCIPRecorded posts a video-KYC callback that names a recording, and archives the recording
// as the media fetcher would: the evidence rule lets such a case be allowed.
func (ta *testApp) postVCIPRecorded(t testing.TB, v webtest.VCIP) int64 {
	t.Helper()
	if v.VideoURL == "" {
		v.VideoURL = "https://vcip.example.in/rec/" + v.SessionID + ".webm"
	}
	ta.postVCIP(t, v.Body())
	id := ta.caseIDByRef(t, store.SourceVCIP, v.SessionID)
	ta.archiveRecording(t, id)
	return id
}

// archiveRecording marks every recording the case's callbacks named archived.
func (ta *testApp) archiveRecording(t testing.TB, caseID int64) {
	t.Helper()
	ctx := context.Background()
	ms, err := ta.db.CaseMedia(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		if m.Kind == store.MediaRecordedVideo {
			sum := sha256.Sum256([]byte(m.URL))
			if err := ta.db.MediaArchived(ctx, m.ID, hex.EncodeToString(sum[:]), 1000, "video/webm"); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatalf("case %d names no recording", caseID)
	}
}

// TestAllowDisabledWithoutRecording: on a video-KYC case whose recording is not archived the page
// shows Allow disabled with the store's sentence, the store refuses an allow posted anyway (409),
// and a decline as "recording unavailable" is recorded. Once the recording is archived Allow is
// offered again. Settings shows the rule.
func TestAllowDisabledWithoutRecording(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	ta.postVCIP(t, webtest.VCIP{SessionID: "no-rec", Name: "NO RECORDING", Country: "IN",
		VideoURL: "https://vcip.example.in/rec/no-rec.webm"}.Body())
	id := ta.caseIDByRef(t, store.SourceVCIP, "no-rec")
	path := fmt.Sprintf("/cases/%d", id)

	p := rev.postForm(path+"/claim", nil)
	allow := p.testid("outcome-allow")
	if _, disabled := allow.Attr("disabled"); !disabled || p.testid("outcome-decline").Is("[disabled]") {
		t.Fatalf("allow disabled %v, decline disabled %v; want only Allow disabled", disabled, p.testid("outcome-decline").Is("[disabled]"))
	}
	why := strings.TrimSpace(p.testid("allow-blocked").Text())
	if !strings.Contains(why, "recording") || !strings.Contains(why, "still being fetched") {
		t.Errorf("sentence beside Allow = %q", why)
	}
	if !strings.Contains(p.testid("reason").Text(), "Recording unavailable") {
		t.Errorf("reasons offered lack \"Recording unavailable\": %q", p.testid("reason").Text())
	}
	seen := p.find(`input[name="seen"]`).AttrOr("value", "")
	p = rev.postForm(path+"/decision", url.Values{"outcome": {"allow"}, "reason": {"face_matches"}, "confirm": {"1"}, "seen": {seen}})
	if p.Status != http.StatusConflict || !strings.Contains(p.testid("page-error").Text(), "still being fetched") {
		t.Fatalf("allow posted anyway: status %d, error %q; want 409 with the sentence", p.Status, p.testid("page-error").Text())
	}
	if ds, _ := ta.db.CaseDecisions(context.Background(), id); len(ds) != 0 {
		t.Fatalf("a refused allow left %d decisions", len(ds))
	}

	// Archived: Allow is offered again.
	ta.archiveRecording(t, id)
	p = rev.get(path)
	if _, disabled := p.testid("outcome-allow").Attr("disabled"); disabled || p.testid("allow-blocked").Length() != 0 {
		t.Errorf("with the recording archived Allow is still disabled")
	}

	// A decline needs no recording.
	ta.postVCIP(t, webtest.VCIP{SessionID: "no-rec-2", Name: "NO RECORDING TWO", Country: "IN"}.Body())
	id2 := ta.caseIDByRef(t, store.SourceVCIP, "no-rec-2")
	p = claimAndDecide(t, rev, id2, store.OutcomeDecline, "recording_unavailable", "The vendor sent no recording.")
	wantStatus(t, "decline without a recording", p, http.StatusOK)

	adm := ta.loginAs(t, "adm", store.RoleAdmin)
	s := adm.get("/admin/settings")
	if got := s.testid("settings-evidence-vcip").AttrOr("value", ""); got != store.MediaRecordedVideo {
		t.Errorf("settings evidence for video KYC = %q, want RECORDED_VIDEO", got)
	}
}

// TestSettingsEditTheEvidenceRule: an admin changes what an allow needs on Settings; a kind the
// desk cannot require is refused beside its field and nothing is saved; a form without the fields
// leaves the rule as it is.
func TestSettingsEditTheEvidenceRule(t *testing.T) {
	ta := newTestApp(t)
	adm := ta.loginAs(t, "adm", store.RoleAdmin)
	reasons := store.FormatReasonCodes(store.DefaultRules().ReasonCodes)
	post := func(extra url.Values) *page {
		v := settingsValues("24", "30", reasons)
		for k, vals := range extra {
			v[k] = vals
		}
		return adm.postForm("/admin/settings", v)
	}
	p := post(url.Values{"evidence_vcip": {"RECORDED_VIDEO, SELFIE_PLEASE"}, "evidence_markid": {""}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.find(`#set-ev-vcip ~ .field-error, [data-testid="settings-evidence"] .field-error`).Text(), "SELFIE_PLEASE") {
		t.Errorf("unknown kind: status %d, errors %q", p.Status, p.testid("settings-evidence").Text())
	}
	if got := ta.db.Rules().RequiredEvidence(store.SourceVCIP); strings.Join(got, ",") != store.MediaRecordedVideo {
		t.Errorf("after a refused save the rule is %v", got)
	}
	p = post(url.Values{"evidence_vcip": {"recorded_video"}, "evidence_markid": {"FRONT, FACE"}})
	wantStatus(t, "save the evidence rule", p, http.StatusOK)
	if got := ta.db.Rules().RequiredEvidence(store.SourceMarkID); strings.Join(got, ",") != "FRONT,FACE" {
		t.Errorf("saved Mark ID evidence = %v, want FRONT,FACE", got)
	}
	if got := adm.get("/admin/settings").testid("settings-evidence-markid").AttrOr("value", ""); got != "FRONT, FACE" {
		t.Errorf("Settings shows Mark ID evidence %q", got)
	}
	post(nil)
	if got := ta.db.Rules().RequiredEvidence(store.SourceMarkID); strings.Join(got, ",") != "FRONT,FACE" {
		t.Errorf("a form without the evidence fields changed the rule to %v", got)
	}
}
