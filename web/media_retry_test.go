package web

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// TestAdminRetriesFailedMediaFromHealth: admins do not open cases, so the ingest health page lists
// failed downloads with a Retry button that queues the download again and is audited.
func TestAdminRetriesFailedMediaFromHealth(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	adm := ta.loginAs(t, "adm", store.RoleAdmin)
	ta.postMarkID(t, webtest.MarkID{ScanRef: "media-fail", Overall: "SUSPECTED",
		Files: map[string]string{"FRONT": "https://media.example.test/front.png"}}.Body())
	media, err := ta.db.CaseMedia(ctx, ta.caseIDByRef(t, store.SourceMarkID, "media-fail"))
	if err != nil || len(media) != 1 {
		t.Fatalf("CaseMedia = %d rows, %v", len(media), err)
	}
	if err := ta.db.MediaAttemptFailed(ctx, media[0].ID, "the server answered 403 Forbidden", ta.clock.Now(), true); err != nil {
		t.Fatal(err)
	}
	page := adm.get("/admin/health")
	if n := page.testid("failed-media-row").Length(); n != 1 {
		t.Fatalf("health page lists %d failed downloads, want 1", n)
	}
	p := adm.postForm(fmt.Sprintf("/media/%d/retry", media[0].ID), url.Values{"back": {"health"}})
	if p.URL.Path != "/admin/health" || p.testid("flash").Length() != 1 {
		t.Errorf("retry ended at %s (%d), want back on /admin/health with a confirmation", p.URL, p.Status)
	}
	m, err := ta.db.MediaByID(ctx, media[0].ID)
	if err != nil || m.State != store.MediaStateQueued {
		t.Errorf("media after retry = %q, %v; want queued", m.State, err)
	}
	entries, _, err := ta.db.ListAudit(ctx, store.AuditFilter{Action: "media.retry"}, 0, 5)
	if err != nil || len(entries) != 1 || entries[0].Actor != "adm" {
		t.Errorf("media.retry audit entries = %+v, %v; want one by adm", entries, err)
	}
}
