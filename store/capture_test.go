package store

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestSaveCapture: a frame a reviewer saves as evidence becomes an archived media row of the case
// named by its SHA-256, and an audit entry says who saved which frame; the same frame twice, an
// auditor, or a time outside any recording are refused.
func TestSaveCapture(t *testing.T) {
	db, _ := openWorkspace(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	aud := wsUser(t, db, "aud", RoleAuditor)
	id := ingestSnapshot(t, db, vcipChecklistCase("sess-capture"))
	sha := strings.Repeat("ab", 32)
	m, err := db.SaveCapture(ctx, rev, id, sha, 2048, "image/png", 7300)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := db.CaseMedia(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var got *Media
	for i := range ms {
		if ms[i].ID == m.ID {
			got = &ms[i]
		}
	}
	if got == nil || got.Kind != MediaCapture || got.State != MediaStateArchived || got.SHA256 != sha || got.ContentType != "image/png" ||
		got.Label != "Frame at 0:07 · saved by rev" {
		t.Fatalf("case media = %+v", ms)
	}
	var details string
	if err := db.read.QueryRowContext(ctx, `SELECT details FROM audit_log WHERE case_id = ? AND action = 'media.capture'`, id).Scan(&details); err != nil {
		t.Fatalf("no media.capture audit entry: %v", err)
	}
	var d struct {
		SHA     string `json:"sha256"`
		FrameMS int64  `json:"frame_ms"`
	}
	if err := json.Unmarshal([]byte(details), &d); err != nil || d.SHA != sha || d.FrameMS != 7300 {
		t.Errorf("audit details = %s", details)
	}
	if _, err := db.SaveCapture(ctx, rev, id, sha, 2048, "image/png", 7300); err == nil {
		t.Error("the same frame was saved twice")
	}
	if _, err := db.SaveCapture(ctx, aud, id, sha, 2048, "image/png", 100); err == nil {
		t.Error("an auditor saved evidence")
	} else if e, _ := AsError(err); e == nil || e.Kind != KindForbidden {
		t.Errorf("auditor: %v, want forbidden", err)
	}
	if _, err := db.SaveCapture(ctx, rev, id, sha, 2048, "image/png", -1); err == nil {
		t.Error("a frame before the recording was saved")
	}
}
