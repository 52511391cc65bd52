package main

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/evidence"
)

// TestAuditVerifyCLI creates accounts through the CLI, verifies the chain, then tampers with the
// database file directly and expects `audit verify` to fail naming the entry.
func TestAuditVerifyCLI(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	for _, u := range []string{"rev1", "sup1", "aud1"} {
		if err := run(ctx, []string{"user", "add", "--data", data, "--username", u, "--role", "reviewer"}); err != nil {
			t.Fatalf("user add %s: %v", u, err)
		}
	}
	if err := run(ctx, []string{"user", "disable", "--data", data, "--username", "sup1"}); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"audit", "verify", "--data", data}); err != nil {
		t.Fatalf("audit verify on an untouched log: %v", err)
	}
	if err := run(ctx, []string{"audit", "verify", "--data", data, "--expect", "2:" + strings.Repeat("0", 64)}); err == nil ||
		!strings.Contains(err.Error(), "entry 2") {
		t.Errorf("audit verify --expect with a wrong head = %v, want it to name entry 2", err)
	}
	raw, err := sql.Open("sqlite3", filepath.Join(data, "kycdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{`DROP TRIGGER audit_no_update`, `UPDATE audit_log SET details = '{"roles":["admin"]}' WHERE id = 2`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	err = run(ctx, []string{"audit", "verify", "--data", data})
	if err == nil || !strings.Contains(err.Error(), "BROKEN at entry 2") {
		t.Errorf("audit verify after editing entry 2 = %v, want BROKEN at entry 2", err)
	}
}

func TestUserAddRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	if err := run(ctx, []string{"user", "add", "--data", data, "--username", "x1", "--role", "superuser"}); err == nil {
		t.Error("user add with an unknown role succeeded")
	}
	if err := run(ctx, []string{"user", "add", "--data", data, "--username", "dup", "--role", "auditor"}); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"user", "add", "--data", data, "--username", "DUP", "--role", "auditor"}); err == nil {
		t.Error("user add accepted a username that differs only in case")
	}
}

// TestEvidenceVerifyCLI builds a pack of a demo case, checks it with `evidence verify`, then
// re-zips it with one byte of a raw callback changed and expects the command to name that file.
func TestEvidenceVerifyCLI(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "kycdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	snap := &store.Snapshot{Source: store.SourceMarkID, Ref: "cli-1", Person: store.Person{FullName: "ANNA K"},
		Status: store.Status{Overall: store.StatusSuspected}}
	res, err := db.Ingest(ctx, &store.Incoming{Source: store.SourceMarkID, ReceivedAt: time.Now(), Body: []byte(`{"scanRef":"cli-1"}`), Snapshot: snap})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RecordCaseView(ctx, store.Actor{Name: "aud"}, res.CaseID, nil); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, _, err := evidence.Write(ctx, &buf, db, &store.Blobs{Dir: t.TempDir()}, evidence.Options{CaseID: res.CaseID, Exporter: "aud", Version: "test", Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(t.TempDir(), "pack.zip")
	if err := os.WriteFile(good, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := runEvidence(io.Discard, []string{"verify", good}); err != nil {
		t.Fatalf("evidence verify of a fresh pack: %v", err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == "callbacks/delivery-1.json" {
			b[2] ^= 1
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zw.Close()
	bad := filepath.Join(t.TempDir(), "bad.zip")
	if err := os.WriteFile(bad, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var said bytes.Buffer
	err = runEvidence(&said, []string{"verify", bad})
	if err == nil || !strings.Contains(said.String(), "BROKEN callbacks/delivery-1.json: SHA-256") {
		t.Errorf("evidence verify of an edited pack = %v, output %q; want the callback named", err, said.String())
	}
}
