package web

import (
	"strconv"

	"github.com/PuerkitoBio/goquery"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kycdesk/kycdesk/store"
)

// TestSchemaWarningKeepsTheCase: a Mark ID verdict whose status.additionalSteps is an object (the
// documented type is a string) used to be quarantined whole; now the case reaches the queue with
// its verdict, the case page and ingest health name the field and what arrived, and /metrics
// counts it. A body with no usable scanRef is still quarantined.
func TestSchemaWarningKeepsTheCase(t *testing.T) {
	ta := newTestApp(t)
	adm := ta.loginAs(t, "adm1", store.RoleAdmin)
	rev := ta.loginAs(t, "rev1", store.RoleReviewer)
	body := []byte(`{"final": true, "scanRef": "odd-1", "clientId": "c-odd",
		"status": {"overall": "SUSPECTED", "fraudTags": ["VIRTUAL_CAMERA"], "additionalSteps": {"step": "ADDRESS", "required": true}},
		"data": {"docFirstName": "ANNA", "docLastName": "KOVALENKO", "docDob": ["1990-01-01"]}}`)
	if r := ta.postMarkID(t, body); r.Outcome != store.OutcomeStored {
		t.Fatalf("callback with an object additionalSteps: outcome %s, want stored", r.Outcome)
	}
	id := ta.caseIDByRef(t, store.SourceMarkID, "odd-1")
	if rows := rev.get("/cases?q=odd-1").testid("queue-row"); rows.Length() != 1 {
		t.Fatalf("queue search for the case: %d rows, want 1", rows.Length())
	}
	p := rev.get("/cases/" + strconv.FormatInt(id, 10))
	ws := p.testid("schema-warning")
	if ws.Length() != 2 {
		t.Fatalf("case page schema warnings = %d (%q), want 2", ws.Length(), ws.Text())
	}
	fields := map[string]string{}
	ws.Each(func(_ int, s *goquery.Selection) { f, _ := s.Attr("data-field"); fields[f] = s.Text() })
	if w := fields["status.additionalSteps"]; !strings.Contains(w, "an object") || !strings.Contains(w, `{"step":"ADDRESS","required":true}`) {
		t.Errorf("warning for status.additionalSteps = %q, want it to say an object arrived and show it", w)
	}
	if w := fields["data.docDob"]; !strings.Contains(w, "an array") {
		t.Errorf("warning for data.docDob = %q, want it to say an array arrived", w)
	}
	if got := strings.TrimSpace(p.testid("signals").Text()); !strings.Contains(got, "VIRTUAL_CAMERA") {
		t.Errorf("signals = %q, want the fraud tag the body carried", got)
	}

	if r := ta.postMarkID(t, []byte(`{"scanRef": {"id": 7}, "status": {"overall": "APPROVED"}}`)); r.Outcome != store.OutcomeQuarantined {
		t.Fatalf("callback with an object scanRef: outcome %s, want quarantined", r.Outcome)
	}

	h := adm.get("/admin/health")
	if n := strings.TrimSpace(h.testid("health-schema-total").Text()); n != "1" {
		t.Errorf("ingest health schema warnings = %q, want 1", n)
	}
	row := h.testid("schema-row")
	if row.Length() != 1 || !strings.Contains(row.Text(), "status.additionalSteps") {
		t.Errorf("ingest health schema rows = %d %q, want the delivery naming status.additionalSteps", row.Length(), row.Text())
	}
	if q := strings.TrimSpace(h.testid("health-quarantine-total").Text()); q != "1" {
		t.Errorf("quarantined = %q, want only the body without a usable scanRef", q)
	}

	resp, err := http.Get(ta.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, line := range []string{`kycdesk_schema_warnings_total{source="markid"} 1`, `kycdesk_schema_warnings_total{source="vcip"} 0`} {
		if !strings.Contains(string(text), line) {
			t.Errorf("/metrics lacks %q", line)
		}
	}
}
