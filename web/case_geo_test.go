package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// TestVCIPGeoVerdict: the case page checks the session's geotag against India's boundary offline
// and says, in Signals and in the geo panel, whether it is inside, whether the IP country agrees,
// and plots the point on a map drawn on the server; missing coordinates are amber, never a crash.
func TestVCIPGeoVerdict(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	tests := []struct {
		name, lat, lon, country string
		flag, gps, agree        string
		level                   string
		point, near             bool
	}{
		{"inside", "19.1136", "72.8697", "IN", "geo-ok", "inside", "Yes", "s-green", true, false},
		{"outside", "25.2048", "55.2708", "AE", "outside-india", "outside", "Yes", "s-red", true, false},
		{"mismatch", "28.6139", "77.2090", "AE", "geo-mismatch", "inside", "No", "s-red", true, false},
		{"border-inside", "31.6011", "74.6094", "IN", "geo-ok", "inside", "Yes", "s-green", true, true},
		{"border-outside", "31.6047", "74.5386", "IN", "outside-india", "outside", "No", "s-red", true, true},
		{"missing", "", "", "IN", "no-geo", "missing", "Cannot tell", "s-amber", false, false},
		{"unparseable", "12,97", "n/a", "IN", "no-geo", "missing", "Cannot tell", "s-amber", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ref := "geo-" + tc.name
			ta.postVCIP(t, webtest.VCIP{SessionID: ref, Name: "GEO " + strings.ToUpper(tc.name), Country: tc.country,
				IP: "203.0.113.9", Latitude: tc.lat, Longitude: tc.lon}.Body())
			p := rev.get(fmt.Sprintf("/cases/%d", ta.caseIDByRef(t, store.SourceVCIP, ref)))
			if p.Status != 200 {
				t.Fatalf("case page: %d", p.Status)
			}
			sig := p.testid("signals").Find(`[data-testid="flag"][data-flag^="geo-"], [data-testid="flag"][data-flag="outside-india"], [data-testid="flag"][data-flag="no-geo"]`)
			if sig.Length() != 1 || sig.AttrOr("data-flag", "") != tc.flag || !sig.Find("."+tc.level).Is("*") {
				t.Errorf("geo signal = %d lines, flag %q, want one %q in %s: %q", sig.Length(), sig.AttrOr("data-flag", ""),
					tc.flag, tc.level, strings.TrimSpace(sig.Text()))
			}
			if near := strings.Contains(sig.Text(), "from the border"); near != tc.near {
				t.Errorf("signal %q mentions the border: %v, want %v", strings.TrimSpace(sig.Text()), near, tc.near)
			}
			if tc.gps == "missing" && !strings.Contains(sig.Text(), "Location not provided") {
				t.Errorf("missing geotag signal = %q, want \"Location not provided\"", strings.TrimSpace(sig.Text()))
			}
			v := p.testid("geo-verdict")
			if v.AttrOr("data-gps", "") != tc.gps {
				t.Errorf("geo verdict gps = %q, want %q", v.AttrOr("data-gps", ""), tc.gps)
			}
			if got := strings.TrimSpace(v.Find(`[data-testid="geo-agree"] td`).Text()); got != tc.agree {
				t.Errorf("agree = %q, want %q", got, tc.agree)
			}
			if got := strings.TrimSpace(v.Find(`[data-testid="geo-ip-country"] td`).Text()); got != tc.country {
				t.Errorf("IP country = %q, want %q", got, tc.country)
			}
			if p.testid("geo-map").Find("path").AttrOr("d", "") == "" {
				t.Errorf("no map outline")
			}
			if got := p.testid("geo-point").Length() == 1; got != tc.point {
				t.Errorf("point plotted: %v, want %v", got, tc.point)
			}
		})
	}
}
