package store

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestCaseByIDAndBodies(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx := context.Background()
	w := wsCase{ref: "scan-1", first: "ANNA", last: "KOVALENKO", overall: StatusSuspected, fraud: []string{"FACE_SUSPECTED"}, clientID: "c-9"}
	id := ingestWS(t, db, w)
	big := strings.Repeat("x", 5000)
	s := w.snapshot()
	if _, err := db.Ingest(ctx, &Incoming{Source: SourceMarkID, ReceivedAt: clk.t, Body: []byte(big), Snapshot: s}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Ingest(ctx, &Incoming{Source: SourceMarkID, ReceivedAt: clk.t, Body: []byte(big), Snapshot: s}); err != nil {
		t.Fatal(err) // a duplicate: its bytes stay with the first
	}
	c, err := db.CaseByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Ref != "scan-1" || c.ClientID != "c-9" || c.Snapshot.Person.FirstName != "ANNA" || len(c.FraudTags) != 1 {
		t.Errorf("CaseByID = %+v", c)
	}
	ds, err := db.CaseDeliveries(ctx, id)
	if err != nil || len(ds) != 3 {
		t.Fatalf("CaseDeliveries = %d, %v", len(ds), err)
	}
	bodies, err := db.DeliveryBodies(ctx, []int64{ds[0].ID, ds[1].ID, ds[2].ID, 999}, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 2 {
		t.Fatalf("DeliveryBodies returned %d bodies, want 2 (no duplicate, no unknown)", len(bodies))
	}
	if b := bodies[ds[1].ID]; len(b.Bytes) != 1024 || b.Size != 5000 || !b.Cut {
		t.Errorf("capped body = %d bytes of %d, cut %v", len(b.Bytes), b.Size, b.Cut)
	}
	if b := bodies[ds[0].ID]; b.Cut || !strings.HasPrefix(string(b.Bytes), `{"ref":"scan-1"`) {
		t.Errorf("small body = %q cut %v", b.Bytes, b.Cut)
	}
	_, err = db.CaseByID(ctx, 12345)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("CaseByID(missing) err = %v", err)
	}
}

func TestCasesByRef(t *testing.T) {
	db, _ := openWorkspace(t)
	ctx := context.Background()
	a := ingestWS(t, db, wsCase{ref: "dup-a", first: "A", overall: StatusSuspected})
	ingestWS(t, db, wsCase{source: SourceVCIP, ref: "dup-b", first: "B"})
	got, err := db.CasesByRef(ctx, SourceMarkID, []string{"dup-a", "dup-b", "nope", "dup-a", ""})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got["dup-a"] != a {
		t.Errorf("CasesByRef = %v, want only dup-a → %d", got, a)
	}
	if got, err := db.CasesByRef(ctx, SourceMarkID, nil); err != nil || len(got) != 0 {
		t.Errorf("CasesByRef(nil) = %v, %v", got, err)
	}
}
