package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/evidence"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// TestEvidencePackDownload: an auditor downloads a case's pack from the case page's link; it
// verifies, and the download is audited before (inside the pack) and after (with the manifest's digest).
func TestEvidencePackDownload(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	if r := ta.postMarkID(t, webtest.MarkID{ScanRef: "e-1", First: "ANNA", Last: "K", Overall: store.StatusSuspected, Final: true}.Body()); r.Status != http.StatusOK {
		t.Fatalf("webhook = %d", r.Status)
	}
	id := ta.caseIDByRef(t, store.SourceMarkID, "e-1")
	aud := ta.loginAs(t, "aud", store.RoleAuditor)
	href, ok := aud.get(fmt.Sprintf("/cases/%d", id)).testid("evidence-pack").Attr("href")
	if !ok {
		t.Fatal("the case page offers an auditor no evidence pack")
	}
	if n := ta.loginAs(t, "rev", store.RoleReviewer).get(fmt.Sprintf("/cases/%d", id)).testid("evidence-pack").Length(); n != 0 {
		t.Error("the case page offers a reviewer the evidence pack they may not download")
	}
	resp, err := aud.http.Get(ta.url + href)
	if err != nil {
		t.Fatal(err)
	}
	pack, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("GET %s = %d %s", href, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	rep, err := evidence.Verify(bytes.NewReader(pack), int64(len(pack)))
	if err != nil || !rep.OK() {
		t.Fatalf("downloaded pack: %v %v", err, rep.Problems)
	}
	var actions []string
	var after struct {
		Manifest string `json:"manifest_sha256"`
	}
	_ = ta.db.StreamAudit(ctx, store.AuditFilter{CaseID: id}, func(e store.AuditEntry) error {
		actions = append(actions, e.Action)
		if e.Action == "evidence.exported" {
			_ = json.Unmarshal([]byte(e.DetailsJSON), &after)
		}
		return nil
	})
	if fmt.Sprint(actions) != "[case.view case.view evidence.export evidence.exported]" { // the auditor's and the reviewer's views
		t.Errorf("case audit = %v", actions)
	}
	if after.Manifest != rep.ManifestHash {
		t.Errorf("audited manifest digest %q, pack's %q", after.Manifest, rep.ManifestHash)
	}
	if rep.AuditEntries != 3 { // two views and the export itself; the entry after it is not in the pack
		t.Errorf("pack audit entries = %d, want 3", rep.AuditEntries)
	}
	if p := aud.get("/cases/999999/evidence"); p.Status != http.StatusNotFound {
		t.Errorf("pack of no case = %d, want 404", p.Status)
	}
}
