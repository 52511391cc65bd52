package web

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/web/webtest"
)

// TestHealthShowsAnUpgradesFill: a desk upgraded from a version before the word pairs opens with
// their fill to do; ingest health says what is being rebuilt and how far it got, and /metrics
// has the cases left and the background failures (none yet).
func TestHealthShowsAnUpgradesFill(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2025, 11, 20, 9, 0, 0, 0, time.UTC)
	old := newTestAppIn(t, dir, start)
	for i := 0; i < 3; i++ {
		old.waitDerived(t, old.postMarkID(t, webtest.MarkID{ScanRef: fmt.Sprintf("up-%d", i), Overall: "SUSPECTED"}.Body()).DeliveryID)
	}
	// Every fill done: no line, no gauge.
	if n := old.loginAs(t, "upkeep-admin-old", "admin").get("/admin/health").testid("health-upkeep-fill").Length(); n != 0 {
		t.Errorf("ingest health with every fill done shows %d upkeep lines, want none", n)
	}
	if m := old.newClient(t).get("/metrics").Body; strings.Contains(m, "kycdesk_backfill_remaining_cases{") {
		t.Error("/metrics with every fill done still has kycdesk_backfill_remaining_cases")
	}

	// What an upgrade from before migration 0171 leaves: the pairs table empty, its fill to do.
	raw, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "kycdesk.db")+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`DELETE FROM case_pairs; UPDATE backfills SET next_id = 0, done_at = NULL WHERE name = 'case_pairs'`); err != nil {
		t.Fatal(err)
	}

	ta := newTestAppIn(t, dir, start) // the upgraded version starts; its fill has not run yet
	adm := ta.loginAs(t, "upkeep-admin", "admin")
	h := adm.get("/admin/health")
	line := h.testid("health-upkeep-fill")
	if line.Length() != 1 || !strings.Contains(line.Text(), "word pairs") || !strings.Contains(line.Text(), "0 of 3 cases done") ||
		!line.HasClass("s-green") {
		t.Errorf("ingest health during the fill: upkeep line %q (class %q), want the word pairs at 0 of 3 cases, green",
			line.Text(), line.AttrOr("class", ""))
	}
	metrics := ta.newClient(t).get("/metrics").Body
	for _, want := range []string{`kycdesk_backfill_remaining_cases{fill="case_pairs"} 3`,
		`kycdesk_upkeep_failures_total{task="backfill"} 0`, `kycdesk_upkeep_failures_total{task="checkpoint"} 0`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics during the fill lacks %q", want)
		}
	}

}
