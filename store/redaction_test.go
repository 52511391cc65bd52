package store

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"slices"
	"strings"
	"testing"
)

func TestParseRedactionBoxes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // "" valid, else part of the field error
	}{
		{`[{"x":0.1,"y":0.2,"w":0.3,"h":0.1}]`, ""},
		{`[{"x":0,"y":0,"w":1,"h":1}]`, ""},
		{`[]`, "at least one box"},
		{`nope`, "could not be read"},
		{`[{"x":0.8,"y":0.2,"w":0.3,"h":0.1}]`, "outside the image"},
		{`[{"x":-0.1,"y":0.2,"w":0.3,"h":0.1}]`, "outside the image"},
		{`[{"x":0.1,"y":0.2,"w":0.0001,"h":0.1}]`, "too small"},
		{`[{"x":0.1,"y":0.2,"w":0,"h":0.1}]`, "outside the image"},
	} {
		_, err := ParseRedactionBoxes(tc.in)
		e, _ := AsError(err)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("ParseRedactionBoxes(%s) = %v, want ok", tc.in, err)
		case tc.want != "" && (e == nil || !strings.Contains(e.Fields["boxes"], tc.want)):
			t.Errorf("ParseRedactionBoxes(%s) = %v, want a boxes error with %q", tc.in, err, tc.want)
		}
	}
}

// TestRedactImage: the pixels under a box become black in the derivative, the others stay, for
// PNG (lossless) and JPEG (re-encoded, so compared within a tolerance).
func TestRedactImage(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 100, 50))
	for y := 0; y < 50; y++ {
		for x := 0; x < 100; x++ {
			src.Set(x, y, color.RGBA{240, 240, 240, 255})
		}
	}
	var p, j bytes.Buffer
	if err := png.Encode(&p, src); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&j, src, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	boxes := []RedactionBox{{X: 0.2, Y: 0.2, W: 0.3, H: 0.4}} // x 20..50, y 10..30
	for _, tc := range []struct {
		name, ct string
		in       []byte
		tol      int
	}{{"png", "image/png", p.Bytes(), 0}, {"jpeg", "image/jpeg", j.Bytes(), 12}} {
		out, ct, err := RedactImage(bytes.NewReader(tc.in), boxes)
		if err != nil || ct != tc.ct {
			t.Fatalf("%s: RedactImage = %s, %v", tc.name, ct, err)
		}
		img, _, err := image.Decode(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		near := func(x, y int, want uint8) bool {
			r, _, _, _ := img.At(x, y).RGBA()
			d := int(r>>8) - int(want)
			return d <= tc.tol && -d <= tc.tol
		}
		for _, pt := range [][2]int{{20, 10}, {35, 20}, {49, 29}} {
			if !near(pt[0], pt[1], 0) {
				t.Errorf("%s: (%d,%d) under the box is not black", tc.name, pt[0], pt[1])
			}
		}
		for _, pt := range [][2]int{{5, 5}, {80, 40}, {60, 20}} {
			if !near(pt[0], pt[1], 240) {
				t.Errorf("%s: (%d,%d) outside the box changed", tc.name, pt[0], pt[1])
			}
		}
	}
	if _, _, err := RedactImage(strings.NewReader("not a picture"), boxes); err == nil {
		t.Errorf("RedactImage of text = nil error")
	}
}

// TestRedactionPurgedWithMedia: a redacted derivative is purged with its original's media, under
// its own tombstone, its file removed, and the audit chain still verifies; the drawing is audited
// and only reviewers and supervisors may draw.
func TestRedactionPurgedWithMedia(t *testing.T) {
	db, now := mediaTestDB(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	aud := wsUser(t, db, "aud", RoleAuditor)
	id := retentionCase(t, db, "redacted", "cli-1", mediaSHA("orig"))
	media, _ := db.CaseMedia(ctx, id)
	boxes := []RedactionBox{{X: 0.1, Y: 0.1, W: 0.5, H: 0.2}}
	if _, err := db.SaveRedaction(ctx, aud, media[0].ID, boxes, mediaSHA("derived"), 7, "image/jpeg"); err == nil {
		t.Fatal("an auditor drew redaction boxes")
	}
	r, err := db.SaveRedaction(ctx, rev, media[0].ID, boxes, mediaSHA("derived"), 7, "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := db.MediaRedaction(ctx, media[0].ID); err != nil || got.SHA256 != r.SHA256 || len(got.Boxes) != 1 || got.DrawnBy != "rev" {
		t.Fatalf("MediaRedaction = %+v, %v", got, err)
	}
	if acts := auditActions(t, db, id); !slices.Contains(acts, "media.redact") {
		t.Errorf("case audit = %v, want media.redact", acts)
	}
	retentionDecide(t, db, rev, id)
	var removed []string
	*now = now.AddDate(0, 0, 181)
	if _, err := db.ApplyRetention(ctx, func(sha string) error { removed = append(removed, sha); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	want := []string{mediaSHA("derived"), mediaSHA("orig")}
	slices.Sort(want)
	if !slices.Equal(removed, want) {
		t.Errorf("removed %v, want the original and its derivative", removed)
	}
	ts, err := db.CaseTombstones(ctx, id)
	if err != nil || len(ts) != 2 {
		t.Fatalf("tombstones = %+v, %v", ts, err)
	}
	if ts[1].SHA256 != mediaSHA("derived") || !strings.HasSuffix(ts[1].Item, "redacted") || ts[1].Size != 7 {
		t.Errorf("derivative tombstone = %+v", ts[1])
	}
	verifyAudit(t, db, "after purging a redacted picture")
}
