package main

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// stdoutOf runs fn with os.Stdout sent to a file and returns what it wrote.
func stdoutOf(t *testing.T, fn func() error) (string, error) {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = f
	err = fn()
	os.Stdout = saved
	f.Close()
	b, _ := os.ReadFile(f.Name())
	return string(b), err
}

// TestRetentionCLI: a case decided six years ago is purged by `retention run` (media, then
// personal fields and its raw callback), `retention report` lists the tombstones with their
// hashes and policy as CSV, and `audit verify` still passes.
func TestRetentionCLI(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	if err := run(ctx, []string{"user", "add", "--data", data, "--username", "rev1", "--role", "reviewer"}); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(data, "kycdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	users, _ := db.ListUsers(ctx)
	long := time.Now().AddDate(-6, 0, 0)
	db.Now = func() time.Time { return long }
	body := []byte(`{"scanRef":"old-1","fullName":"ASHA RAO"}`)
	res, err := db.Ingest(ctx, &store.Incoming{Source: store.SourceMarkID, ReceivedAt: long, Body: body,
		Snapshot: &store.Snapshot{Source: store.SourceMarkID, Ref: "old-1", Person: store.Person{FullName: "ASHA RAO"},
			Status: store.Status{Overall: store.StatusSuspected}}})
	if err != nil {
		t.Fatal(err)
	}
	rev := store.Actor{ID: users[0].ID, Name: users[0].Username}
	if err := db.Claim(ctx, rev, res.CaseID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Decide(ctx, rev, store.DecisionInput{CaseID: res.CaseID, Outcome: store.OutcomeAllow,
		ReasonCode: "face_matches", Note: "Matches."}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	out, err := stdoutOf(t, func() error { return run(ctx, []string{"retention", "run", "--data", data}) })
	if err != nil || !strings.Contains(out, "pseudonymised for 1") {
		t.Fatalf("retention run = %q, %v", out, err)
	}
	day := time.Now().UTC().Format("2006-01-02")
	out, err = stdoutOf(t, func() error {
		return run(ctx, []string{"retention", "report", "--data", data, "--from", day, "--to", day})
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 3 { // header, the raw body, the personal fields
		t.Fatalf("report = %q (%v)", out, err)
	}
	if h := strings.Join(rows[0], ","); h != "purged_at,case_id,kind,item,sha256,size,policy,audit_id" {
		t.Errorf("report header = %s", h)
	}
	if rows[1][2] != "raw_body" || rows[1][5] != "41" || !strings.HasPrefix(rows[1][6], "any/any: media 180 d") || rows[2][2] != "personal_fields" {
		t.Errorf("report rows = %v", rows[1:])
	}
	if err := run(ctx, []string{"audit", "verify", "--data", data}); err != nil {
		t.Errorf("audit verify after the purge: %v", err)
	}
	if out, _ := stdoutOf(t, func() error {
		return run(ctx, []string{"retention", "report", "--data", data, "--from", "2000-01-01", "--to", "2000-01-02"})
	}); strings.Count(out, "\n") != 1 {
		t.Errorf("a report of a period with no purge = %q, want the header alone", out)
	}
}
