package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// TestServeRefusesUnfinishedLoad: a data dir whose synthetic load stopped half way (as when
// `kycdesk demo --synthetic` is interrupted) is refused by serve and by a second demo, each
// saying to delete the directory and load again.
func TestServeRefusesUnfinishedLoad(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(data, "kycdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	stop, cancel := context.WithCancel(ctx)
	i := 0
	_, err = db.BulkLoadEmpty(stop, func() (store.BulkCase, bool) {
		if i++; i == 50 {
			cancel() // the operator's Ctrl-C
		}
		return store.BulkCase{Snapshot: &store.Snapshot{Source: store.SourceMarkID, Ref: fmt.Sprintf("cut-%d", i)},
			ReceivedAt: time.Now().UTC(), ReviewState: store.ReviewNeedsDecision}, true
	})
	db.Close()
	if err == nil {
		t.Fatal("BulkLoadEmpty with its context cancelled finished")
	}
	for _, args := range [][]string{
		{"serve", "--data", data, "--addr", "127.0.0.1:0", "--session-key", strings.Repeat("k", 40)},
		{"demo", "--data", data, "--synthetic", "10"},
	} {
		// A serve that does not refuse would serve until the deadline.
		bounded, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := run(bounded, args)
		cancel()
		if err == nil || !strings.Contains(err.Error(), "Delete the directory and run kycdesk demo again") {
			t.Errorf("kycdesk %s on a half-loaded data dir = %v, want a refusal that says to delete it and load again", args[0], err)
		}
	}
}
