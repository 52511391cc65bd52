package demo

import (
	"context"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/store/storetest"
)

// TestLoadSynthetic: the synthetic cases spread over every tab, are found by name, and open like
// any other case.
func TestLoadSynthetic(t *testing.T) {
	clk := &storetest.Clock{}
	db := storetest.OpenDB(t, clk)
	ctx := context.Background()
	if err := LoadSynthetic(ctx, db, 500, clk.Now()); err != nil {
		t.Fatal(err)
	}
	n, err := db.ReviewCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n.All != 500 || n.NeedsDecision == 0 || n.Decided == 0 || n.PendingApproval == 0 {
		t.Errorf("ReviewCounts after loading = %+v, want 500 cases spread over the tabs", n)
	}
	p, err := db.Queue(ctx, store.QueueFilter{Query: "anna"}, nil, nil, 10)
	if err != nil {
		t.Fatalf("search anna after loading: %v", err)
	}
	if len(p.Rows) == 0 {
		t.Fatal("search anna after loading found nothing")
	}
	c, err := db.CaseByID(ctx, p.Rows[0].ID)
	if err != nil || c.Snapshot.Ref != c.Ref || c.Name == "" {
		t.Errorf("CaseByID(loaded) = ref %q snapshot ref %q name %q, err %v", c.Ref, c.Snapshot.Ref, c.Name, err)
	}
}
