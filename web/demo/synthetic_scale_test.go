package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/store/storetest"
	"github.com/kycdesk/kycdesk/web/ingest"
)

// TestLoadSyntheticDesk: the scale data set is shaped like ingested cases (each stored body is
// what its vendor sends and decodes to the stored snapshot), spans every review state and both
// sources, has the decisions of its decided and pending cases and archived media, and its names
// in other scripts are found as typed.
func TestLoadSyntheticDesk(t *testing.T) {
	clk := &storetest.Clock{}
	db := storetest.OpenDB(t, clk)
	ctx := context.Background()
	blobs := &store.Blobs{Dir: filepath.Join(t.TempDir(), "media")}
	const n = 400
	if _, err := LoadSyntheticDesk(ctx, db, blobs, n, clk.Now(), discard{}); err != nil {
		t.Fatal(err)
	}
	counts, err := db.ReviewCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts.All != n || counts.NeedsDecision == 0 || counts.PendingApproval == 0 || counts.Decided == 0 || counts.All == counts.NeedsDecision+counts.PendingApproval+counts.Decided {
		t.Errorf("ReviewCounts = %+v, want %d cases in every review state", counts, n)
	}
	sources := map[store.Source]int{}
	for id := int64(1); id <= n; id++ {
		c, err := db.CaseByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		sources[c.Source]++
		dels, err := db.CaseDeliveries(ctx, id)
		if err != nil || len(dels) != 1 {
			t.Fatalf("case %d deliveries = %d, %v; want one", id, len(dels), err)
		}
		_, body, err := scaleCase(int(id-1), dels[0].ReceivedAt)
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != dels[0].SHA256 {
			t.Fatalf("case %d: the stored delivery is not the vendor body scaleCase renders", id)
		}
		decoded, err := ingest.Decode(c.Source, body)
		if err != nil {
			t.Fatalf("case %d: stored body does not decode: %v", id, err)
		}
		want, _ := json.Marshal(decoded)
		got, _ := json.Marshal(c.Snapshot)
		if string(got) != string(want) {
			t.Fatalf("case %d: stored snapshot\n%s\nwant the decoder's\n%s", id, got, want)
		}
		media, err := db.CaseMedia(ctx, id)
		if err != nil || len(media) == 0 {
			t.Fatalf("case %d media = %d, %v", id, len(media), err)
		}
		for _, m := range media {
			f, err := blobs.Open(m.SHA256)
			if m.State != store.MediaStateArchived || err != nil {
				t.Errorf("case %d media %s: state %s, file %v; want archived", id, m.Kind, m.State, err)
				continue
			}
			f.Close()
		}
		decisions, err := db.CaseDecisions(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if want := c.ReviewState == store.ReviewDecided || c.ReviewState == store.ReviewPendingApproval; want != (len(decisions) == 1) {
			t.Errorf("case %d (%s) has %d decisions", id, c.ReviewState, len(decisions))
		}
	}
	if sources[store.SourceMarkID] == 0 || sources[store.SourceVCIP] == 0 {
		t.Errorf("sources = %v, want both", sources)
	}
	for _, q := range []string{"कुमार", "kumar", "nguyen", "КОВАЛЕНКО", "oconnor", "client-100007"} {
		p, err := db.Queue(ctx, store.QueueFilter{Tab: store.TabAll, Query: q}, nil, nil, 5)
		if err != nil || len(p.Rows) == 0 {
			t.Errorf("search %q: %d rows, %v; want some", q, len(p.Rows), err)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
