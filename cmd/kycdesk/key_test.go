package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// TestKeyNewAndRotateCLI: `key new` writes a 0600 key file and never overwrites one; a data dir
// whose bodies are sealed refuses to open without its key or under another one, naming why; `key
// rotate` re-seals under the file's first key, after which the old key can go.
func TestKeyNewAndRotateCLI(t *testing.T) {
	ctx := context.Background()
	keys := t.TempDir()
	data := t.TempDir()
	k1, k2 := filepath.Join(keys, "k1"), filepath.Join(keys, "k2")
	for _, k := range []string{k1, k2} {
		if _, err := stdoutOf(t, func() error { return run(ctx, []string{"key", "new", "--out", k}) }); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(k); err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("key file %s: %v %v, want 0600", k, st.Mode(), err)
		}
	}
	if err := run(ctx, []string{"key", "new", "--out", k1}); err == nil || !strings.Contains(err.Error(), "never overwritten") {
		t.Errorf("key new over an existing file = %v", err)
	}
	inside := filepath.Join(data, "data.key")
	os.WriteFile(inside, []byte(strings.Repeat("ab", 32)+"\n"), 0o600)
	if err := run(ctx, []string{"user", "list", "--data", data, "--data-key-file", inside}); err == nil ||
		!strings.Contains(err.Error(), "inside the data dir") {
		t.Errorf("a key inside the data dir = %v", err)
	}
	os.Remove(inside)

	// A callback stored under k1.
	db, err := store.Open(ctx, filepath.Join(data, "kycdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	ring1, _ := store.LoadKeyring(k1)
	db.SetDataKeys(ring1)
	body := []byte(`{"scanRef":"k-1","fullName":"SEALED CANARY"}`)
	res, err := db.Ingest(ctx, &store.Incoming{Source: store.SourceMarkID, ReceivedAt: time.Now(), Body: body,
		Snapshot: &store.Snapshot{Source: store.SourceMarkID, Ref: "k-1", Status: store.Status{Overall: store.StatusSuspected}}})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, _ := os.ReadFile(filepath.Join(data, "kycdesk.db"))
	wal, _ := os.ReadFile(filepath.Join(data, "kycdesk.db-wal"))
	if bytes.Contains(append(raw, wal...), []byte(`"fullName":"SEALED CANARY"`)) {
		t.Error("the raw body is in the database file as plaintext")
	}

	for name, args := range map[string][]string{"no key": nil, "another key": {"--data-key-file", k2}} {
		err := run(ctx, append([]string{"user", "list", "--data", data}, args...))
		if err == nil || !strings.Contains(err.Error(), "encrypted under a data key this desk was not given") {
			t.Errorf("%s: %v, want the sentence", name, err)
		}
	}
	both := filepath.Join(keys, "both")
	b1, _ := os.ReadFile(k1)
	b2, _ := os.ReadFile(k2)
	os.WriteFile(both, append(b2, b1...), 0o600)
	out, err := stdoutOf(t, func() error { return run(ctx, []string{"key", "rotate", "--data", data, "--data-key-file", both}) })
	if err != nil || !strings.Contains(out, "1 raw bodies") {
		t.Fatalf("key rotate = %q, %v", out, err)
	}
	db, err = openDataKeyed(ctx, data, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := useDataKeys(ctx, db, data, k2); err != nil {
		t.Fatalf("after rotation, k2 alone: %v", err)
	}
	d, err := db.DeliveryRaw(ctx, res.DeliveryID)
	if err != nil || !bytes.Equal(d.Body, body) {
		t.Errorf("after rotation the body reads %q, %v", d.Body, err)
	}
}
