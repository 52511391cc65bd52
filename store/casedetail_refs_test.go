package store

import (
	"context"
	"fmt"
	"testing"
)

// TestCasesByRefManyRefs: 40,000 references (more than SQLite binds in one statement) are looked
// up in batches, and a case named at either end of the list is found.
func TestCasesByRefManyRefs(t *testing.T) {
	db, _ := openWorkspace(t)
	ctx := context.Background()
	first := ingestWS(t, db, wsCase{ref: "ref-0", first: "A", overall: StatusSuspected})
	last := ingestWS(t, db, wsCase{ref: "ref-39999", first: "B", overall: StatusSuspected})
	refs := make([]string, 40_000)
	for i := range refs {
		refs[i] = fmt.Sprintf("ref-%d", i)
	}
	got, err := db.CasesByRef(ctx, SourceMarkID, refs)
	if err != nil {
		t.Fatalf("CasesByRef(40,000 refs): %v", err)
	}
	if len(got) != 2 || got["ref-0"] != first || got["ref-39999"] != last {
		t.Fatalf("CasesByRef = %v, want ref-0 → %d and ref-39999 → %d", got, first, last)
	}
}
