package web

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/evidence"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// Aadhaar numbers of the privacy tests: two that pass Verhoeff, one that fails it.
const (
	aadhaarDoc    = "2341 2341 2346" // the AADHAAR document's number
	aadhaarText   = "987654321012"   // in a vendor text field and in a reviewer's note
	notAadhaar    = "234123412347"   // fails Verhoeff: stays as sent
	maskedDoc     = "XXXX XXXX 2346"
	maskedText    = "XXXX XXXX 1012"
	aadhaarScan   = "aadhaar-1"
	aadhaarClient = "cust-aadhaar"
)

// aadhaarCase posts a Mark ID callback carrying Aadhaar numbers in the document, the name, the
// address and the additional data, and returns the case id.
func aadhaarCase(t *testing.T, ta *testApp) int64 {
	t.Helper()
	m := webtest.MarkID{ScanRef: aadhaarScan, ClientID: aadhaarClient, FullName: "ASHA RAO " + aadhaarText,
		First: "ASHA", Last: "RAO", Overall: store.StatusSuspected, Final: true,
		DocType: "AADHAAR", DocNumber: aadhaarDoc, DocCountry: "IN", DOB: "1990-05-04",
		Data: map[string]any{"address": "Door 5, UID " + aadhaarText + ", ref " + notAadhaar,
			"additionalData": map[string]any{"uid": 234123412346}}}
	if r := ta.postMarkID(t, m.Body()); r.Status != http.StatusOK {
		t.Fatalf("webhook = %d", r.Status)
	}
	return ta.caseIDByRef(t, store.SourceMarkID, aadhaarScan)
}

// assertMasked fails when text shows an Aadhaar number in full, or lost the one that is not.
func assertMasked(t *testing.T, what, text string, wantMasks ...string) {
	t.Helper()
	for _, full := range []string{aadhaarDoc, "234123412346", "2341-2341-2346", aadhaarText, "9876 5432 1012"} {
		if strings.Contains(text, full) {
			t.Errorf("%s shows the Aadhaar number %s", what, full)
		}
	}
	for _, m := range wantMasks {
		if !strings.Contains(text, m) {
			t.Errorf("%s lacks the masked form %q", what, m)
		}
	}
}

// TestAadhaarMaskedEverywhere checks every output path: the case page (with its raw callbacks),
// the queue, the raw download, the exports, the decision register CSV, the outbound webhook
// payload, the read API and the evidence pack.
func TestAadhaarMaskedEverywhere(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	id := aadhaarCase(t, ta)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	path := fmt.Sprintf("/cases/%d", id)

	p := rev.get(path)
	wantStatus(t, "case page", p, http.StatusOK)
	assertMasked(t, "case page", p.Body, maskedDoc, maskedText)
	if !strings.Contains(p.Body, notAadhaar) {
		t.Errorf("case page masked %s, which fails Verhoeff", notAadhaar)
	}
	if got := p.testid("privacy-masked").Text(); !strings.Contains(got, "Aadhaar number") || !strings.Contains(got, "Raw callback body") {
		t.Errorf("privacy strip says %q, want the Aadhaar number and the raw body named", got)
	}
	if p.testid("privacy-masked").Text() != "" && strings.Contains(p.testid("privacy-masked").Text(), "Document number") {
		t.Errorf("a reviewer sees the document number masked as an identifier (it is the Aadhaar number here)")
	}

	assertMasked(t, "queue", rev.get("/cases?tab=all").Body, "ASHA RAO "+maskedText)

	href, _ := p.testid("raw-link").First().Attr("href")
	if href == "" {
		href = fmt.Sprintf("/cases/%d/deliveries/%d/raw", id, 1)
	}
	raw := rev.get(href)
	wantStatus(t, "raw download", raw, http.StatusOK)
	assertMasked(t, "raw download", raw.Body, maskedText)
	if !json.Valid([]byte(raw.Body)) {
		t.Errorf("masked raw download is not JSON any more")
	}

	// A decision whose note quotes the number: the outbox event, the API and the register.
	rev.postForm(path+"/claim", nil)
	wantStatus(t, "decide", decide(rev, id, "decline", "document_forged", "customer read out "+aadhaarText), http.StatusOK)
	// The case page's decision history, and the customer history of another case of the client.
	assertMasked(t, "decision history", rev.get(path).testid("decision-history").Text(), "customer read out "+maskedText)
	other := webtest.MarkID{ScanRef: "aadhaar-2", ClientID: aadhaarClient, FullName: "ASHA RAO", First: "ASHA", Last: "RAO",
		Overall: store.StatusApproved, Final: true}
	if r := ta.postMarkID(t, other.Body()); r.Status != http.StatusOK {
		t.Fatalf("webhook = %d", r.Status)
	}
	hist := rev.get(fmt.Sprintf("/cases/%d", ta.caseIDByRef(t, store.SourceMarkID, "aadhaar-2"))).testid("customer-history")
	if hist.Length() != 1 {
		t.Fatalf("the client's second case has no customer history")
	}
	assertMasked(t, "customer history", hist.Text(), "ASHA RAO "+maskedText)
	events, err := ta.db.CaseEvents(ctx, id)
	if err != nil || len(events) == 0 {
		t.Fatalf("case events = %v, %v", events, err)
	}
	for _, e := range events {
		b, _ := json.Marshal(e.Data)
		assertMasked(t, "webhook payload "+e.Type, string(b))
		if e.Type == store.EventDecided && e.Data.Note != "customer read out "+maskedText {
			t.Errorf("webhook note = %q", e.Data.Note)
		}
	}
	token, _ := ta.addToken(t, "bank", store.ScopeDecisionsRead, store.ScopeCasesRead)
	for _, api := range []string{"/api/v1/cases/markid/" + aadhaarScan, "/api/v1/decisions"} {
		var out json.RawMessage
		if st, msg := ta.apiGet(t, api, token, &out); st != http.StatusOK {
			t.Fatalf("GET %s = %d %s", api, st, msg)
		}
		assertMasked(t, "API "+api, string(out), maskedText)
	}

	var cases, callbacks bytes.Buffer
	if err := ExportCases(ctx, ta.db, &cases, "csv"); err != nil {
		t.Fatal(err)
	}
	assertMasked(t, "cases CSV", cases.String(), "ASHA RAO "+maskedText)
	if err := ExportCallbacks(ctx, ta.db, &callbacks, "jsonl"); err != nil {
		t.Fatal(err)
	}
	assertMasked(t, "callbacks export", callbacks.String())

	aud := ta.loginAs(t, "aud", store.RoleAuditor)
	reg := aud.get("/audit/decisions/export?format=csv")
	wantStatus(t, "register CSV", reg, http.StatusOK)
	assertMasked(t, "register CSV", reg.Body, maskedText)
	assertMasked(t, "audit log page", aud.get("/audit").Body)

	// The evidence pack: case.html and the callbacks masked, the manifest saying so with the
	// digest of the bytes as received, and the pack still verifies.
	resp, err := aud.http.Get(ta.url + path + "/evidence")
	if err != nil {
		t.Fatal(err)
	}
	pack, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if rep, err := evidence.Verify(bytes.NewReader(pack), int64(len(pack))); err != nil || !rep.OK() {
		t.Fatalf("pack: %v %v", err, rep.Problems)
	}
	zr, err := zip.NewReader(bytes.NewReader(pack), int64(len(pack)))
	if err != nil {
		t.Fatal(err)
	}
	var manifest evidence.Manifest
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		switch {
		case f.Name == evidence.ManifestName:
			_ = json.Unmarshal(b, &manifest)
		case f.Name == evidence.CaseHTMLName || strings.HasPrefix(f.Name, "callbacks/"):
			assertMasked(t, "pack "+f.Name, string(b), maskedText)
		}
	}
	raws, _ := ta.db.CaseDeliveries(ctx, id)
	var masked int
	for _, f := range manifest.Files {
		if strings.HasPrefix(f.Name, "callbacks/") {
			masked++
			if f.Version != "masked" || f.OriginalSHA256 != raws[0].SHA256 {
				t.Errorf("manifest %s: version %q original %q, want masked with %s", f.Name, f.Version, f.OriginalSHA256, raws[0].SHA256)
			}
		}
	}
	if masked != 1 {
		t.Errorf("manifest lists %d callbacks, want 1", masked)
	}
	// The store keeps the body byte for byte as received.
	d, err := ta.db.DeliveryRaw(ctx, raws[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(d.Body); hex.EncodeToString(sum[:]) != raws[0].SHA256 || !bytes.Contains(d.Body, []byte(aadhaarText)) {
		t.Errorf("the stored raw body changed")
	}
}

// TestIdentifiersMaskedForAuditorsAndReveal: an auditor sees the document number, personal code
// and date of birth partly masked; a reveal needs a reason and words, shows the field on that
// page view only and is audited naming the field. Settings change who is masked.
func TestIdentifiersMaskedForAuditorsAndReveal(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	m := webtest.MarkID{ScanRef: "pass-1", First: "ANNA", Last: "K", Overall: store.StatusSuspected, Final: true,
		DocType: "PASSPORT", DocNumber: "FT1234567", DOB: "1990-05-04",
		Data: map[string]any{"docPersonalCode": "39005040000"}}
	ta.postMarkID(t, m.Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "pass-1")
	path := fmt.Sprintf("/cases/%d", id)
	full := []string{"FT1234567", "39005040000", "1990-05-04"}

	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	body := rev.get(path).Body
	for _, v := range full {
		if !strings.Contains(body, v) {
			t.Errorf("a reviewer does not see %s", v)
		}
	}
	aud := ta.loginAs(t, "aud", store.RoleAuditor)
	p := aud.get(path)
	docPanel := p.testid("document-panel").Text()
	for _, v := range full {
		if strings.Contains(docPanel, v) {
			t.Errorf("an auditor sees %s in full", v)
		}
	}
	for _, v := range []string{"XXXXX4567", "1990-XX-XX"} {
		if !strings.Contains(docPanel, v) {
			t.Errorf("an auditor's document panel lacks %s", v)
		}
	}
	// The raw body also holds the number: it is a reveal of its own.
	if strings.Contains(p.Body, "FT1234567") {
		t.Errorf("an auditor's page shows FT1234567 somewhere (raw body?)")
	}

	// No reason: refused beside the field, nothing revealed, nothing audited.
	bad := aud.postForm(path+"/reveal", url.Values{"reveal_field": {store.FieldDocNumber}, "reveal_text": {"sample"}})
	wantStatus(t, "reveal without reason", bad, http.StatusUnprocessableEntity)
	if bad.testid("reveal-form").Find(".field-error").Length() == 0 || strings.Contains(bad.testid("document-panel").Text(), "FT1234567") {
		t.Errorf("a reveal without a reason: no field error, or the value shown")
	}
	ok := aud.postForm(path+"/reveal", url.Values{"reveal_field": {store.FieldDocNumber}, "reveal_reason": {"audit_sample"},
		"reveal_text": {"quarterly sample 7"}})
	wantStatus(t, "reveal", ok, http.StatusOK)
	if got := ok.testid("document-panel").Text(); !strings.Contains(got, "FT1234567") || strings.Contains(got, "1990-05-04") {
		t.Errorf("after revealing the number the panel reads %q", got)
	}
	if !strings.Contains(ok.testid("privacy-revealed").Text(), "Document number") {
		t.Errorf("the page does not say what it reveals")
	}
	if strings.Contains(aud.get(path).testid("document-panel").Text(), "FT1234567") {
		t.Errorf("the next page view still shows the revealed number")
	}
	var reveals []map[string]any
	_ = ta.db.StreamAudit(ctx, store.AuditFilter{CaseID: id, Action: "case.reveal"}, func(e store.AuditEntry) error {
		var d map[string]any
		_ = json.Unmarshal([]byte(e.DetailsJSON), &d)
		d["actor"] = e.Actor
		reveals = append(reveals, d)
		return nil
	})
	if len(reveals) != 1 || reveals[0]["field"] != store.FieldDocNumber || reveals[0]["reason"] != "audit_sample" ||
		reveals[0]["text"] != "quarterly sample 7" || reveals[0]["actor"] != "aud" {
		t.Errorf("reveal audit = %v", reveals)
	}
	// Revealing the raw body shows the callback byte for byte.
	rawPage := aud.postForm(path+"/reveal", url.Values{"reveal_field": {store.FieldRawBody}, "reveal_reason": {"audit_sample"},
		"reveal_text": {"check the callback"}})
	if !strings.Contains(rawPage.Body, "FT1234567") || strings.Contains(rawPage.testid("document-panel").Text(), "FT1234567") {
		t.Errorf("a raw-body reveal should show the bytes as received and keep the panel masked")
	}

	// Settings: mask for nobody; the auditor then sees the values whole.
	adm := ta.loginAs(t, "adm", store.RoleAdmin)
	form := settingsForm(ta.db.Rules())
	adm.get("/admin/settings")
	sp := adm.postForm("/admin/settings", url.Values{"sla_hours": {form.SLAHours}, "claim_minutes": {form.ClaimMinutes},
		"four_eyes_vcip": {"1"}, "reason_codes": {form.ReasonCodes}, "mask_roles_form": {"1"}})
	wantStatus(t, "settings", sp, http.StatusOK)
	if len(ta.db.Rules().MaskIdentifiersFor) != 0 {
		t.Fatalf("mask roles after save = %v", ta.db.Rules().MaskIdentifiersFor)
	}
	if !strings.Contains(aud.get(path).testid("document-panel").Text(), "FT1234567") {
		t.Errorf("with masking off for auditors the number is still masked")
	}
}

// TestChecklistAadhaarMasked: an Aadhaar number in a video-KYC instruction (vendor text) and in a
// reviewer's checklist note reads masked wherever the frozen checklist goes: the case page, the
// decision webhook payload, the read API, the register CSV and the evidence pack.
func TestChecklistAadhaarMasked(t *testing.T) {
	ta := newTestApp(t, withConfig(func(c *Config) { c.FourEyesVCIP = false }))
	ctx := context.Background()
	cb := webtest.VCIP{SessionID: "sess-aadhaar", Name: "PRIYA NAIR", Country: "IN", City: "Pune",
		Instructions: []webtest.Instruction{{Text: "Confirm Aadhaar " + aadhaarText + " is yours", Screenshot: true}},
		VideoURL:     "https://media.example.test/call.webm"}
	ta.postVCIP(t, cb.Body())
	id := ta.caseIDByRef(t, store.SourceVCIP, "sess-aadhaar")
	path := fmt.Sprintf("/cases/%d", id)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	rev.postForm(path+"/claim", nil)
	p := rev.get(path)
	if got := p.find(`[data-checklist-row]`).Text(); !strings.Contains(got, maskedText) || strings.Contains(got, aadhaarText) {
		t.Errorf("checklist draft row reads %q, want the instruction's number masked", got)
	}
	csrf := p.find(`[data-checklist]`).AttrOr("data-csrf", "")
	row := url.Values{"key": {"instruction:1"}, "disposition": {"not_satisfactory"}, "note": {"read out " + aadhaarText + " twice"}}
	if st, a := rev.postChecklist(path, row, csrf); st != http.StatusOK || !a.OK {
		t.Fatalf("save = %d %+v", st, a)
	}
	wantStatus(t, "decide", decide(rev, id, "decline", "document_forged", "declined"), http.StatusOK)

	p = rev.get(path)
	if p.testid("checklist-frozen").Length() != 1 {
		t.Fatalf("no frozen checklist after the decision")
	}
	assertMasked(t, "case page checklist", p.find(`[data-checklist-row]`).Text(), maskedText)
	assertMasked(t, "case page", p.Body)

	events, err := ta.db.CaseEvents(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var decided int
	for _, e := range events {
		if e.Type != store.EventDecided {
			continue
		}
		decided++
		if len(e.Data.Checklist) != 1 {
			t.Fatalf("decision event checklist = %+v", e.Data.Checklist)
		}
		b, _ := json.Marshal(e.Data)
		assertMasked(t, "webhook payload", string(b), "Confirm Aadhaar "+maskedText, "read out "+maskedText)
	}
	if decided != 1 {
		t.Fatalf("decision events = %d, want 1", decided)
	}
	token, _ := ta.addToken(t, "bank", store.ScopeDecisionsRead, store.ScopeCasesRead)
	for _, api := range []string{"/api/v1/cases/vcip/sess-aadhaar", "/api/v1/decisions"} {
		var out json.RawMessage
		if st, msg := ta.apiGet(t, api, token, &out); st != http.StatusOK {
			t.Fatalf("GET %s = %d %s", api, st, msg)
		}
		assertMasked(t, "API "+api, string(out), "read out "+maskedText)
	}
	aud := ta.loginAs(t, "aud", store.RoleAuditor)
	reg := aud.get("/audit/decisions/export?format=csv")
	wantStatus(t, "register CSV", reg, http.StatusOK)
	assertMasked(t, "register CSV", reg.Body, "read out "+maskedText)

	resp, err := aud.http.Get(ta.url + path + "/evidence")
	if err != nil {
		t.Fatal(err)
	}
	pack, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	zr, err := zip.NewReader(bytes.NewReader(pack), int64(len(pack)))
	if err != nil {
		t.Fatal(err)
	}
	var seen bool
	for _, f := range zr.File {
		if f.Name != evidence.CaseHTMLName {
			continue
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		seen = true
		assertMasked(t, "pack case.html", string(b), "read out "+maskedText)
	}
	if !seen {
		t.Errorf("the pack has no %s", evidence.CaseHTMLName)
	}
}

// TestSchemaWarningAadhaarMasked: a field of an unexpected type whose value carries an Aadhaar
// number reads masked in the schema warning on the case page; ingest health names the field only.
func TestSchemaWarningAadhaarMasked(t *testing.T) {
	ta := newTestApp(t)
	adm := ta.loginAs(t, "adm", store.RoleAdmin)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	body := []byte(`{"final": true, "scanRef": "odd-aadhaar", "clientId": "c-odd", "status": {"overall": "SUSPECTED"},
		"data": {"docFirstName": "ANNA", "docLastName": "RAO", "docNumber": ["` + aadhaarText + `"]}}`)
	if r := ta.postMarkID(t, body); r.Outcome != store.OutcomeStored {
		t.Fatalf("outcome %s, want stored", r.Outcome)
	}
	id := ta.caseIDByRef(t, store.SourceMarkID, "odd-aadhaar")
	ws := rev.get(fmt.Sprintf("/cases/%d", id)).testid("schema-warnings")
	if ws.Length() != 1 {
		t.Fatalf("no schema warning on the case page")
	}
	assertMasked(t, "case page schema warning", ws.Text(), maskedText)
	h := adm.get("/admin/health").testid("health-schema")
	if h.Length() != 1 {
		t.Fatalf("no schema warnings panel on ingest health")
	}
	assertMasked(t, "ingest health schema warning", h.Text())
	if !strings.Contains(h.Text(), "data.docNumber") {
		t.Errorf("ingest health does not name the field: %q", h.Text())
	}
}
