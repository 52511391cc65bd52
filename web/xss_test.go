package web

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/kycdesk/kycdesk/static"
	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// hostile is what a stranger might put in any field of a callback.
const hostile = `<script>alert(1)</script>"><img src=x onerror=alert(1)>'javascript:alert(1)`

// hostileURL is a media URL built to break out of an attribute.
const hostileURL = `https://media.example.test/x.png?"><script>alert(1)</script>`

// assertInert fails when the page could run anything but our own scripts.
func assertInert(t *testing.T, what string, p *page) {
	t.Helper()
	p.find("script").Each(func(_ int, s *goquery.Selection) {
		src, _ := s.Attr("src")
		if !strings.HasPrefix(src, static.Prefix) || strings.TrimSpace(s.Text()) != "" {
			t.Errorf("%s: foreign script element: %s", what, outer(s))
		}
	})
	p.find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			name := strings.ToLower(a.Key)
			val := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
			if strings.HasPrefix(name, "on") {
				t.Errorf("%s: event handler attribute %s on <%s>", what, a.Key, goquery.NodeName(s))
			}
			if name == "style" {
				t.Errorf("%s: style attribute on <%s> (CSP forbids it)", what, goquery.NodeName(s))
			}
			switch name {
			case "href", "src", "action", "poster", "formaction", "data-full", "xlink:href":
				if strings.HasPrefix(val, "javascript:") || strings.HasPrefix(val, "data:text") || strings.HasPrefix(val, "vbscript:") {
					t.Errorf("%s: %s=%q on <%s>", what, a.Key, a.Val, goquery.NodeName(s))
				}
			}
		}
	})
	if n := p.find("img[src='x']").Length(); n > 0 {
		t.Errorf("%s: the injected <img src=x> became an element (%d)", what, n)
	}
}

func outer(s *goquery.Selection) string {
	h, _ := goquery.OuterHtml(s)
	return h
}

func TestHostileCallbackRendersInert(t *testing.T) {
	ta := newTestApp(t)
	sup := ta.loginAs(t, "sup", store.RoleSupervisor, store.RoleReviewer)
	h := hostile
	m := webtest.MarkID{ScanRef: "xss-" + h, ClientID: h, ExternalRef: h, First: h, Last: h, FullName: h,
		OrgFirst: h, OrgLast: h, Overall: "SUSPECTED", AutoDoc: h, AutoFace: h, ManualDoc: h, ManualFace: h,
		Fraud: []string{h, "FACE_SUSPECTED"}, Mismatch: []string{h}, Suspicion: []string{h}, DocType: h, DocNumber: h,
		DocCountry: h, Nationality: h, DOB: h, Expiry: h, IP: h, IPCountry: h, ProxyRisk: h,
		Files: map[string]string{"FRONT": "javascript:alert(1)", "BACK": hostileURL, "FACE": " JaVaScRiPt:alert(1)",
			h: hostileURL + "&other"},
		DuplicateFaces: []string{h},
		AML: []any{map[string]any{"serviceName": h, "serviceGroupType": h, "errorMessage": h,
			"status": map[string]any{"overallStatus": h}, "data": []any{map[string]any{"name": h, h: h}}}},
		Data: map[string]any{"address": h, "orgAddress": h, "birthPlace": h, "orgBirthPlace": h, "authority": h,
			"orgAuthority": h, "docPersonalCode": h, "mothersMaidenName": h, "ageEstimate": h, "selectedCountry": h,
			"additionalData": map[string]any{h: h}, "manualAddress": h},
		Top: map[string]any{"clientLocation": h, "platform": h},
	}
	ta.postMarkID(t, m.Body())
	m.Final = true
	ta.postMarkID(t, m.Body()) // a second delivery: history, changes and raw bodies carry it too

	v := webtest.VCIP{SessionID: "xss-sess-" + h, Name: h, Email: h, Country: h, City: h, IP: h, UserAgent: h, Browser: h,
		Instructions:   []webtest.Instruction{{Text: h, Translations: [][2]string{{"ENGLISH", h}, {"HINDI", h}, {h, h}}}},
		DocumentImages: []string{hostileURL}, DocumentData: []map[string]any{{h: h, "dob": h}},
		Screenshots: [][]string{{"javascript:alert(1)", hostileURL}}, VideoURL: "javascript:alert(1)", Thumbnail: hostileURL,
		Feedback: h, FeedbackMsg: h, FieldValues: map[string]any{h: []string{h}}, CallbackParameters: map[string]any{h: h}}
	ta.postVCIP(t, v.Body())

	markID := ta.caseIDByRef(t, store.SourceMarkID, "xss-"+h)
	vcip := ta.caseIDByRef(t, store.SourceVCIP, "xss-sess-"+h)
	sup.postForm(fmt.Sprintf("/cases/%d/claim", markID), nil)

	pages := map[string]*page{
		"queue":       sup.get("/cases?tab=all"),
		"search":      sup.get("/cases?q=" + url.QueryEscape(h) + "&fraud=" + url.QueryEscape(h) + "&country=" + url.QueryEscape(h)),
		"markid case": sup.get(fmt.Sprintf("/cases/%d", markID)),
		"vcip case":   sup.get(fmt.Sprintf("/cases/%d?lang=", vcip) + url.QueryEscape(h)),
		"vcip hindi":  sup.get(fmt.Sprintf("/cases/%d?lang=HINDI", vcip)),
		"flash":       sup.get(fmt.Sprintf("/cases/%d?flash=", markID) + url.QueryEscape(h)),
		// The form comes back with the reviewer's hostile note in it.
		"422": sup.postForm(fmt.Sprintf("/cases/%d/decision", markID), url.Values{"outcome": {"decline"},
			"reason": {h}, "note": {h}}),
	}
	for name, p := range pages {
		if p.Status >= 500 {
			t.Fatalf("%s: status %d", name, p.Status)
		}
		assertInert(t, name, p)
	}

	// The hostile text is shown as text, where a reviewer expects it.
	c := pages["markid case"]
	for _, id := range []string{"case-name", "case-client", "case-external", "fraud-tag", "mismatch-tag", "delivery-raw"} {
		if !strings.Contains(c.testid(id).Text(), "<script>alert(1)</script>") {
			t.Errorf("markid case: %s does not show the hostile text as text: %q", id, c.testid(id).First().Text())
		}
	}
	if !strings.Contains(c.testid("document-panel").Text(), `"><img src=x onerror=alert(1)>`) {
		t.Errorf("document table does not show the hostile text as text")
	}
	vp := pages["vcip hindi"]
	for _, id := range []string{"case-name", "instruction-text", "field-values", "callback-parameters", "feedback", "geo-panel"} {
		if !strings.Contains(vp.testid(id).Text(), "<script>alert(1)</script>") {
			t.Errorf("vcip case: %s does not show the hostile text as text", id)
		}
	}
	if q := pages["search"].testid("search"); q.AttrOr("value", "") != h {
		t.Errorf("search box value = %q, want the query verbatim", q.AttrOr("value", ""))
	}
	if got := pages["422"].testid("note").Text(); got != h {
		t.Errorf("re-rendered note = %q, want it verbatim", got)
	}
	if pages["flash"].testid("flash").Length() != 0 {
		t.Errorf("an unknown flash code put words on the page")
	}
}
