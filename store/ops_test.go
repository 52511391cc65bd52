package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOpenCreatesPrivateFiles: a new data dir is 0700 and the database with its -wal and -shm
// 0600, even under a permissive umask; FileModeWarnings names what was widened later.
func TestOpenCreatesPrivateFiles(t *testing.T) {
	old := syscall.Umask(0o002)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	db, err := Open(context.Background(), filepath.Join(dir, "kycdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CheckWritable(context.Background()); err != nil {
		t.Fatal(err)
	}
	check := func(p string, want os.FileMode) {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s mode = %04o, want %04o", filepath.Base(p), got, want)
		}
	}
	check(dir, 0o700)
	for _, f := range []string{"kycdesk.db", "kycdesk.db-wal", "kycdesk.db-shm"} {
		check(filepath.Join(dir, f), 0o600)
	}
	if w := FileModeWarnings(dir); len(w) != 0 {
		t.Errorf("FileModeWarnings on a fresh dir = %q, want none", w)
	}
	os.Chmod(dir, 0o750)
	os.Chmod(filepath.Join(dir, "kycdesk.db-wal"), 0o640)
	w := strings.Join(FileModeWarnings(dir), "\n")
	for _, want := range []string{dir + " is mode 0750; want 0700", "kycdesk.db-wal is mode 0640; want 0600"} {
		if !strings.Contains(w, want) {
			t.Errorf("FileModeWarnings = %q, want it to say %q", w, want)
		}
	}
}

// TestStateCountsFollowChanges: the trigger-kept counts equal a full count after ingest, a
// decision, and media changes; and no migration is pending or unknown after Open.
func TestStateCountsFollowChanges(t *testing.T) {
	db, _ := openWorkspace(t)
	ctx := context.Background()
	a := wsUser(t, db, "rev-a", RoleReviewer)
	var ids []int64
	for _, ref := range []string{"s1", "s2", "s3"} {
		ids = append(ids, ingestWS(t, db, wsCase{ref: ref, first: "ANNA", overall: StatusSuspected}))
	}
	if err := db.Claim(ctx, a, ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Decide(ctx, a, DecisionInput{CaseID: ids[0], Outcome: OutcomeAllow, ReasonCode: "face_matches", Note: "ok"}); err != nil {
		t.Fatal(err)
	}
	s, err := db.OpsStats(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	full := func(q string) map[string]int {
		out := map[string]int{}
		rows, err := db.read.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			var n int
			rows.Scan(&k, &n)
			out[k] = n
		}
		return out
	}
	for kind, pair := range map[string][2]map[string]int{
		"case":  {s.Cases, full(`SELECT review_state, COUNT(*) FROM cases GROUP BY review_state`)},
		"media": {s.Media, full(`SELECT state, COUNT(*) FROM media GROUP BY state`)},
	} {
		for state, n := range pair[1] {
			if pair[0][state] != n {
				t.Errorf("%s count %s = %d, want %d (full count)", kind, state, pair[0][state], n)
			}
		}
	}
	if s.Cases["decided"] != 1 || s.Cases["needs_decision"] != 2 {
		t.Errorf("case counts = %v, want one decided and two needing a decision", s.Cases)
	}
	if s.OldestNeedsDecision.IsZero() {
		t.Error("OldestNeedsDecision is zero with two cases waiting")
	}
	pending, unknown, err := db.Migrations(ctx)
	if err != nil || len(pending) != 0 || len(unknown) != 0 {
		t.Errorf("Migrations = %v, %v, %v; want none pending or unknown", pending, unknown, err)
	}
	if _, err := db.write.Exec(`INSERT INTO schema_migrations (name, applied_at) VALUES ('9999_future.sql', '')`); err != nil {
		t.Fatal(err)
	}
	if _, unknown, _ := db.Migrations(ctx); len(unknown) != 1 || unknown[0] != "9999_future.sql" {
		t.Errorf("unknown migrations = %v, want 9999_future.sql", unknown)
	}
}
