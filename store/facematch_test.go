package store

import (
	"context"
	"database/sql"
	"testing"
)

func TestParseFaceMatch(t *testing.T) {
	ms := int64(12000)
	cases := []struct {
		score, model, frame string
		want                *FaceMatch
	}{
		{"87", "face-api 1.7.15", "", &FaceMatch{Score: 87, Model: "face-api 1.7.15"}},
		{" 0 ", "m", "12000", &FaceMatch{Score: 0, Model: "m", FrameMS: &ms}},
		{"100", "m", "-5", &FaceMatch{Score: 100, Model: "m"}},
		{"", "m", "", nil},
		{"101", "m", "", nil},
		{"-1", "m", "", nil},
		{"7x", "m", "", nil},
		{"50", "", "", nil},
		{"50", string(make([]byte, maxFaceModel+1)), "", nil},
	}
	for _, c := range cases {
		got := ParseFaceMatch(c.score, c.model, c.frame)
		switch {
		case (got == nil) != (c.want == nil):
			t.Errorf("ParseFaceMatch(%q, %q, %q) = %+v, want %+v", c.score, c.model, c.frame, got, c.want)
		case got != nil && (got.Score != c.want.Score || got.Model != c.want.Model ||
			(got.FrameMS == nil) != (c.want.FrameMS == nil) || (got.FrameMS != nil && *got.FrameMS != *c.want.FrameMS)):
			t.Errorf("ParseFaceMatch(%q, %q, %q) = %+v, want %+v", c.score, c.model, c.frame, got, c.want)
		}
	}
}

// TestDecideStoresFaceMatch: the score is kept in the decision's row; without one the column is NULL.
func TestDecideStoresFaceMatch(t *testing.T) {
	db, _ := openWorkspace(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	for _, fm := range []*FaceMatch{{Score: 91, Model: "face-api 1.7.15"}, nil} {
		id := ingestWS(t, db, wsCase{source: SourceMarkID, ref: "scan-fm-" + map[bool]string{true: "none", false: "some"}[fm == nil], first: "ANA", last: "FACE", overall: StatusSuspected})
		if err := db.Claim(ctx, rev, id); err != nil {
			t.Fatal(err)
		}
		d, err := db.Decide(ctx, rev, DecisionInput{CaseID: id, Outcome: OutcomeDecline, ReasonCode: "poor_quality", Note: "blurred", FaceMatch: fm})
		if err != nil {
			t.Fatal(err)
		}
		var col sql.NullString
		if err := db.read.QueryRowContext(ctx, `SELECT face_match FROM decisions WHERE id = ?`, d.ID).Scan(&col); err != nil {
			t.Fatal(err)
		}
		want := sql.NullString{}
		if fm != nil {
			want = sql.NullString{String: `{"score":91,"model":"face-api 1.7.15"}`, Valid: true}
		}
		if col != want {
			t.Errorf("stored face_match = %+v, want %+v", col, want)
		}
	}
}
