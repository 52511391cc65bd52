package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestDeriveLeavesTheWriterSynced: the deriver commits at synchronous = NORMAL, and the writer
// connection is back at FULL (2) before any raw commit can use it, so every acknowledgement still
// waits for the disk. Raw commits and derivations interleave here, then the writer is asked.
func TestDeriveLeavesTheWriterSynced(t *testing.T) {
	db := openTest(t)
	g := db.NewIngester(IngesterOptions{MaxBatch: 4, Decode: snapDecode})
	defer g.Close()
	ctx := context.Background()
	for i := range 40 {
		res, err := g.Submit(ctx, snapIncoming(t, markSnap(fmt.Sprintf("s%02d", i), StatusSuspected, i%2 == 0), time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		if i%10 == 9 {
			wctx, cancel := context.WithTimeout(ctx, time.Minute)
			err := db.WaitDerived(wctx, res.DeliveryID)
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			var level int
			if err := db.write.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&level); err != nil {
				t.Fatal(err)
			}
			if level != 2 {
				t.Fatalf("after derivation %d the writer is at synchronous = %d, want 2 (FULL)", i, level)
			}
		}
	}
	if cs := derivedCases(t, db); len(cs) != 40 {
		t.Errorf("cases = %d, want 40", len(cs))
	}
}
