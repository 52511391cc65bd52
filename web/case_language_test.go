package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// TestInstructionLanguageDefault: the instructions open in the customer's language, from a
// language field of callbackParameters or else browserData.browserLanguage, when the call has that
// translation; otherwise in English. The shown text carries the right lang attribute, and ?lang=
// still picks another.
func TestInstructionLanguageDefault(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	ins := []webtest.Instruction{{Text: "Please show your PAN card", Translations: [][2]string{
		{"ENGLISH", "Please show your PAN card"}, {"HINDI", "कृपया अपना पैन कार्ड दिखाएं"},
		{"BENGALI", "দয়া করে আপনার প্যান কার্ডটি দেখান"}, {"GUJARATI", "કૃપા કરીને તમારું પાન કાર્ડ બતાવો"}}}}
	tests := []struct {
		name, browser string
		params        map[string]any
		want, attr    string
	}{
		{"bengali-browser", "bn-IN", nil, "BENGALI", "bn"},
		{"bare-code", "gu", nil, "GUJARATI", "gu"},
		{"callback-parameter-wins", "bn-IN", map[string]any{"language": "GUJARATI", "id": "crm-1"}, "GUJARATI", "gu"},
		{"callback-parameter-code", "en-IN", map[string]any{"lang": "hi-IN"}, "HINDI", "hi"},
		{"no-such-translation", "ta-IN", nil, "ENGLISH", "en"},
		{"english-browser", "en-GB", nil, "ENGLISH", "en"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ref := "lang-" + tc.name
			ta.postVCIP(t, webtest.VCIP{SessionID: ref, Name: "LANG " + strings.ToUpper(tc.name), Country: "IN",
				UserAgent: "Mozilla/5.0", Browser: "Chrome", Language: tc.browser, Instructions: ins,
				CallbackParameters: tc.params}.Body())
			path := fmt.Sprintf("/cases/%d", ta.caseIDByRef(t, store.SourceVCIP, ref))
			p := rev.get(path)
			var shown []string
			p.testid("instruction-text").Each(func(_ int, s *goquery.Selection) {
				if _, hidden := s.Attr("hidden"); !hidden {
					shown = append(shown, s.AttrOr("data-lang", "")+":"+s.AttrOr("lang", "-"))
				}
			})
			if want := []string{tc.want + ":" + tc.attr}; strings.Join(shown, ",") != strings.Join(want, ",") {
				t.Errorf("shown = %v, want %v", shown, want)
			}
			if cur := p.find(`[data-testid="lang-option"][aria-current="true"]`).AttrOr("data-lang", ""); cur != tc.want {
				t.Errorf("switch marks %q current, want %q", cur, tc.want)
			}
			if got := p.testid("instruction-en").AttrOr("lang", ""); got != "en" {
				t.Errorf("English line lang = %q", got)
			}
			p = rev.get(path + "?lang=HINDI")
			if cur := p.find(`[data-testid="lang-option"][aria-current="true"]`).AttrOr("data-lang", ""); cur != "HINDI" {
				t.Errorf("?lang=HINDI: current %q", cur)
			}
		})
	}
}
