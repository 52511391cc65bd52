package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/playwright-community/playwright-go"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// faceSamples is where `make deps` (scripts/install-face-samples.sh) puts the real face
// photographs that @vladmandic/face-api ships in its demo/ folder.
func faceSamples(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("KYCDESK_FACE_SAMPLES")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(home, ".cache", "kycdesk-tools", "face-api-1.7.15")
	}
	if _, err := os.Stat(filepath.Join(dir, "sample6.jpg")); err != nil {
		t.Fatalf("face photos missing (%v): run make deps", err)
	}
	return dir
}

// holdFace is the flag static/js/face.js reads to leave the comparison out.
const holdFace = "window.kycdeskHoldFace = true"

// allowFaceCompare lets the page run the face comparison, which newPageWith holds back, from its
// next navigation on.
func allowFaceCompare(t testing.TB, page playwright.Page) {
	t.Helper()
	if err := page.AddInitScript(playwright.Script{Content: playwright.String("window.kycdeskHoldFace = false")}); err != nil {
		t.Fatalf("allow face.js: %v", err)
	}
}

// faceCase is one Mark ID callback whose FRONT and FACE are the given pictures.
type faceCase struct {
	key, front, face, vendor string
}

// TestFaceCompare opens Mark ID cases whose document and selfie are real photographs and checks
// what the in-browser comparison shows, then records a decision and finds the score in its
// audit entry. All cases are opened in one browser context, so the models load once.
func TestFaceCompare(t *testing.T) {
	dir := faceSamples(t)
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	one := read("sample2.jpg")   // the detector finds one face
	group := read("sample6.jpg") // five faces, none of them that one
	files := map[string][]byte{
		"/one.jpg":     one,
		"/tilted.jpg":  croppedTilted(t, one),
		"/group.jpg":   group,
		"/noface.png":  blankPicture(t),
		"/one-bis.jpg": append([]byte(nil), one...),
	}
	photos := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(photos.Close)

	env := startApp(t, withoutHostileCase())
	cases := []faceCase{
		{"face-same", "/one.jpg", "/one-bis.jpg", "FACE_MATCH"},
		{"face-tilted", "/one.jpg", "/tilted.jpg", "FACE_MATCH"},
		{"face-other", "/group.jpg", "/one.jpg", "FACE_MATCH"},
		{"face-none", "/noface.png", "/one.jpg", "FACE_MISMATCH"},
	}
	ids := postFaceCases(t, env, photos.URL, cases)

	page := env.pageAs(t, "meera")
	allowFaceCompare(t, page)
	failOnDialog(t, page).acceptConfirms()
	open := func(key string) playwright.Locator {
		t.Helper()
		gotoPath(t, page, fmt.Sprintf("/cases/%d", ids[key]))
		panel := page.GetByTestId("face-compare")
		if err := expect.Locator(panel).ToHaveAttribute("data-face-state", regexpAny, playwright.LocatorAssertionsToHaveAttributeOptions{Timeout: playwright.Float(120000)}); err != nil {
			t.Fatalf("%s: the comparison never finished: %v (status %q)", key, err, mustText(t, panel.GetByTestId("face-status")))
		}
		if err := expect.Locator(panel.GetByTestId("face-advisory")).ToContainText("computed on this computer"); err != nil {
			t.Errorf("%s: advisory label: %v", key, err)
		}
		return panel
	}
	similarity := func(key string, panel playwright.Locator) int {
		t.Helper()
		state, _ := panel.GetAttribute("data-face-state")
		if state != "done" {
			t.Fatalf("%s: comparison state %q, want done (status %q)", key, state, mustText(t, panel.GetByTestId("face-status")))
		}
		n, err := strconv.Atoi(mustText(t, panel.GetByTestId("face-similarity")))
		if err != nil {
			t.Fatalf("%s: similarity: %v", key, err)
		}
		load, _ := panel.GetAttribute("data-face-load-ms")
		ms, _ := panel.GetAttribute("data-face-ms")
		t.Logf("%s: similarity %d, pair compared in %s ms (performance.now), models ready after %s ms", key, n, ms, load)
		return n
	}

	same := similarity("face-same", open("face-same"))
	if same < 90 {
		t.Errorf("the same photo as document and selfie scores %d, want >= 90", same)
	}
	panel := page.GetByTestId("face-compare")
	if err := expect.Locator(panel.GetByTestId("face-verdict")).ToHaveText("likely the same person"); err != nil {
		t.Errorf("same photo: verdict: %v", err)
	}
	if err := expect.Locator(panel.GetByTestId("face-disagree")).ToBeHidden(); err != nil {
		t.Errorf("same photo, vendor FACE_MATCH: disagreement flagged: %v", err)
	}
	for _, c := range []string{"face-crop-doc", "face-crop-selfie"} {
		if err := expect.Locator(panel.GetByTestId(c)).ToBeVisible(); err != nil {
			t.Errorf("same photo: %s not shown: %v", c, err)
		}
	}

	tilted := similarity("face-tilted", open("face-tilted"))
	if tilted < views.FaceThreshold+20 {
		t.Errorf("a cropped, tilted copy scores %d, want >= %d", tilted, views.FaceThreshold+20)
	}

	other := similarity("face-other", open("face-other"))
	if other > same-25 || other >= views.FaceThreshold {
		t.Errorf("two different people score %d (same person %d), want clearly lower and under %d", other, same, views.FaceThreshold)
	}
	if err := expect.Locator(panel.GetByTestId("face-verdict")).ToHaveText("likely different people"); err != nil {
		t.Errorf("different people: verdict: %v", err)
	}
	if err := expect.Locator(panel.GetByTestId("face-disagree")).ToBeVisible(); err != nil {
		t.Errorf("different people, vendor FACE_MATCH: no disagreement flag: %v", err)
	}
	if err := expect.Locator(panel.GetByTestId("face-status")).ToContainText("The document photo shows 5 faces; the largest is used."); err != nil {
		t.Errorf("several faces: %v", err)
	}

	open("face-none")
	if err := expect.Locator(panel.GetByTestId("face-status")).ToContainText("No face found in the document photo"); err != nil {
		t.Errorf("no face: %v", err)
	}
	if err := expect.Locator(panel.GetByTestId("face-similarity")).ToHaveText("–"); err != nil {
		t.Errorf("no face: a similarity is shown: %v", err)
	}

	// A decision carries the score into its audit entry.
	open("face-same")
	must(t, page.GetByTestId("claim").Click())
	if err := expect.Locator(page.GetByTestId("flash")).ToContainText("You hold this case now."); err != nil {
		t.Fatalf("claim: %v", err)
	}
	open("face-same")
	must(t, page.GetByTestId("outcome-allow").Check())
	if _, err := page.GetByTestId("reason").SelectOption(playwright.SelectOptionValues{Values: &[]string{"face_matches"}}); err != nil {
		t.Fatal(err)
	}
	must(t, page.GetByTestId("note").Fill("Selfie and document photo are the same person."))
	must(t, page.GetByTestId("confirm").Check())
	must(t, page.GetByTestId("record-decision").Click())
	if err := expect.Locator(page.GetByTestId("flash")).ToBeVisible(); err != nil {
		t.Fatalf("decision: %v", err)
	}
	entries, _, err := env.app.DB().ListAudit(context.Background(), store.AuditFilter{CaseID: ids["face-same"], Action: "case.decision"}, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("audit entries of the decision = %d, want 1", len(entries))
	}
	var details struct {
		FaceMatch map[string]any `json:"face_match"`
	}
	if err := json.Unmarshal([]byte(entries[0].DetailsJSON), &details); err != nil {
		t.Fatal(err)
	}
	fm := details.FaceMatch
	if fm == nil {
		t.Fatalf("decision audit details = %s, want a face_match", entries[0].DetailsJSON)
	}
	if got, _ := fm["score"].(float64); int(got) != same {
		t.Errorf("audited face score = %v, want %d (shown on the page)", fm["score"], same)
	}
	if fm["model"] != views.FaceModel {
		t.Errorf("audited face model = %v, want %q", fm["model"], views.FaceModel)
	}
}

// regexpAny matches any attribute value, so ToHaveAttribute waits for the attribute to appear.
var regexpAny = regexp.MustCompile(".+")

// postFaceCases posts one SUSPECTED Mark ID callback per case, its pictures on base, and waits
// until the media fetcher has archived them. It returns the case IDs by key.
func postFaceCases(t *testing.T, env *appEnv, base string, cases []faceCase) map[string]int64 {
	t.Helper()
	refs := make([]string, len(cases))
	for i, c := range cases {
		refs[i] = "scan-" + c.key
		body := webtest.MarkID{ScanRef: refs[i], ClientID: "client-" + c.key, First: "PHOTO", Last: fmt.Sprintf("SUBJECT %d", i+1),
			Overall: "SUSPECTED", Final: true, AutoDoc: "DOC_VALIDATED", AutoFace: c.vendor, DocType: "PASSPORT",
			DocCountry: "GB", Files: map[string]string{"FRONT": base + c.front, "FACE": base + c.face}}.Body()
		env.postWebhook(t, delivery{key: c.key, source: store.SourceMarkID, body: body, media: 2})
	}
	ctx := context.Background()
	db := env.app.DB()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(30 * time.Second)
	for {
		found, err := db.CasesByRef(ctx, store.SourceMarkID, refs)
		if err != nil {
			t.Fatal(err)
		}
		archived := 0
		for _, id := range found {
			ms, err := db.CaseMedia(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				if m.State == store.MediaStateArchived {
					archived++
				}
			}
		}
		if len(found) == len(cases) && archived == 2*len(cases) {
			ids := map[string]int64{}
			for i, c := range cases {
				ids[c.key] = found[refs[i]]
			}
			return ids
		}
		if time.Now().After(deadline) {
			t.Fatalf("face cases: after 30s %d of %d exist with %d pictures archived", len(found), len(cases), archived)
		}
		<-tick.C
	}
}

// croppedTilted cuts a tenth off each side of a JPEG and turns it by 8 degrees.
func croppedTilted(t *testing.T, b []byte) []byte {
	t.Helper()
	src, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	r := src.Bounds()
	crop := image.Rect(r.Min.X+r.Dx()/10, r.Min.Y+r.Dy()/10, r.Max.X-r.Dx()/10, r.Max.Y-r.Dy()/10)
	out := image.NewRGBA(image.Rect(0, 0, crop.Dx(), crop.Dy()))
	sin, cos := math.Sincos(8 * math.Pi / 180)
	cx, cy := float64(crop.Dx())/2, float64(crop.Dy())/2
	for y := 0; y < crop.Dy(); y++ {
		for x := 0; x < crop.Dx(); x++ {
			dx, dy := float64(x)-cx, float64(y)-cy
			sx, sy := int(cos*dx+sin*dy+cx)+crop.Min.X, int(-sin*dx+cos*dy+cy)+crop.Min.Y
			if image.Pt(sx, sy).In(r) {
				out.Set(x, y, src.At(sx, sy))
			} else {
				out.Set(x, y, color.White)
			}
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// blankPicture is a document-sized PNG with no face: soft stripes, like an empty card.
func blankPicture(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 640, 400))
	for y := 0; y < 400; y++ {
		for x := 0; x < 640; x++ {
			img.Set(x, y, color.RGBA{uint8(200 + (y/40)%2*30), 210, 220, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
