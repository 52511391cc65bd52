package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// TestAgentVerdict: the video-KYC agent's remark, ticked items and feedback lead the Signals panel
// in plain words (negative red, positive green, unknown verbatim and neutral); the queue row shows
// the remark where Mark ID rows show the vendor's status; the queue filters by remark.
func TestAgentVerdict(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	post := func(ref, name string, fv map[string]any, feedback, msg string) int64 {
		ta.postVCIP(t, webtest.VCIP{SessionID: ref, Name: name, Country: "IN", FieldValues: fv, Feedback: feedback, FeedbackMsg: msg}.Body())
		return ta.caseIDByRef(t, store.SourceVCIP, ref)
	}
	rejected := post("ag-rej", "RITA REJECTED", map[string]any{"Remark": "Rejected", "ItemsToSelect": []string{"Recheck Required", "Internet Slow"}},
		"2", "Face not clearly visible, poor lighting")
	accepted := post("ag-acc", "ARUN ACCEPTED", map[string]any{"Remark": "Accepted"}, "4.5", "good")
	unknown := post("ag-unk", "UMA UNKNOWN", map[string]any{"Remark": "Customer <b>sneezed</b>"}, "", "")
	ta.postMarkID(t, suspected("ag-mark", "MARK", "IDENTITY").Body())

	tests := []struct {
		id            int64
		remark, level string
		items         []string
		feedback      string
		plain         string
		counted       bool
	}{
		{rejected, "Rejected", "s-red", []string{"Recheck Required:s-red", "Internet Slow:s-amber"}, "2", "the agent rejected the session", true},
		{accepted, "Accepted", "s-green", nil, "4.5", "the agent accepted the session", false},
		{unknown, "Customer <b>sneezed</b>", "s-grey", nil, "", "remark as the agent wrote it", false},
	}
	for _, tc := range tests {
		p := rev.get(fmt.Sprintf("/cases/%d", tc.id))
		sig := p.testid("signals")
		first := sig.Find("li").First()
		if first.AttrOr("data-testid", "") != "agent-verdict" {
			t.Errorf("%s: the first line of Signals is %q, want the agent's verdict", tc.remark, first.AttrOr("data-testid", ""))
		}
		r := sig.Find(`[data-testid="agent-remark"]`)
		if strings.TrimSpace(r.Text()) != tc.remark || !r.HasClass(tc.level) {
			t.Errorf("remark = %q (class %q), want %q in %s", r.Text(), r.AttrOr("class", ""), tc.remark, tc.level)
		}
		if !strings.Contains(first.Text(), tc.plain) {
			t.Errorf("%s: verdict %q lacks %q", tc.remark, strings.Join(strings.Fields(first.Text()), " "), tc.plain)
		}
		var items []string
		sig.Find(`[data-testid="agent-item"]`).Each(func(_ int, s *goquery.Selection) {
			items = append(items, strings.TrimSpace(s.Text())+":"+s.AttrOr("data-level", ""))
		})
		if strings.Join(items, ",") != strings.Join(tc.items, ",") {
			t.Errorf("%s: ticked items = %v, want %v", tc.remark, items, tc.items)
		}
		if tc.feedback != "" && !strings.Contains(sig.Find(`[data-testid="agent-feedback"]`).Text(), tc.feedback) {
			t.Errorf("%s: feedback line = %q", tc.remark, sig.Find(`[data-testid="agent-feedback"]`).Text())
		}
		if tc.remark == "Customer <b>sneezed</b>" && sig.Find("b").Length() != 0 {
			t.Errorf("vendor markup in the remark reached the page as markup")
		}
	}

	q := rev.get("/cases?tab=all")
	rows := map[string]string{}
	q.testid("queue-row").Each(func(_ int, s *goquery.Selection) {
		name := strings.TrimSpace(s.Find(`[data-testid="row-link"]`).Text())
		if rm := s.Find(`[data-testid="row-remark"]`); rm.Length() == 1 {
			rows[name] = strings.TrimSpace(rm.Text()) + ":" + rm.AttrOr("data-level", "")
		} else {
			rows[name] = ""
		}
	})
	want := map[string]string{"RITA REJECTED": "Rejected:s-red", "ARUN ACCEPTED": "Accepted:s-green",
		"UMA UNKNOWN": "Customer <b>sneezed</b>:s-grey", "MARK IDENTITY": ""}
	for name, w := range want {
		if rows[name] != w {
			t.Errorf("queue row %s remark = %q, want %q", name, rows[name], w)
		}
	}
	f := rev.get("/cases?tab=all&remark=rejected")
	if n := f.testid("queue-row").Length(); n != 1 || !strings.Contains(f.testid("queue-row").Text(), "RITA REJECTED") {
		t.Errorf("filter by remark rejected: %d rows %q", n, f.testid("queue-row").Text())
	}
	if v := f.testid("filter-remark").AttrOr("value", ""); v != "rejected" {
		t.Errorf("the remark filter keeps %q, want what was typed", v)
	}
}
