package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/playwright-community/playwright-go"

	"github.com/kycdesk/kycdesk/store"
)

// holdVideoFace is the flag static/js/face-video.js reads to leave the comparison for later.
const holdVideoFace = "window.kycdeskHoldVideoFace = true"

// allowVideoFace lets the page run the video face comparison, which newPageWith holds back.
func allowVideoFace(t testing.TB, page playwright.Page) {
	t.Helper()
	if err := page.AddInitScript(playwright.Script{Content: playwright.String("window.kycdeskHoldVideoFace = false")}); err != nil {
		t.Fatalf("allow face-video.js: %v", err)
	}
}

// testCaptureFrame: "Capture frame" puts the recording's frame beside the document photo, one
// zoom moves both, and "Save as evidence" archives it; the case's media then list it.
func testCaptureFrame(t *testing.T, env *appEnv) {
	path := env.casePath(t, "verma")
	page := env.pageAs(t, "grace")
	failOnDialog(t, page)
	gotoPath(t, page, path)
	videoSel := `figure[data-kind="` + store.MediaRecordedVideo + `"] video`
	waitMetadata(t, page, videoSel)
	evalTo[any](t, page, `sel => { const v = document.querySelector(sel); window.__seeked = new Promise(r => v.addEventListener('seeked', r, {once: true})); v.currentTime = 3; return 0 }`, videoSel)
	evalTo[any](t, page, `() => window.__seeked.then(() => 0)`)
	// This page holds the comparison back (newPageWith): it never starts.
	if got := mustText(t, page.GetByTestId("video-face-status")); got != "Comparison needs JavaScript." {
		t.Errorf("held-back video face comparison says %q", got)
	}
	must(t, page.GetByTestId("capture-frame").Click())
	box := page.GetByTestId("frame-compare")
	if err := expect.Locator(box).ToContainText("frame at 0:03"); err != nil {
		t.Fatalf("capture: %v", err)
	}
	for _, id := range []string{"frame-doc", "frame-captured"} {
		if err := expect.Locator(box.GetByTestId(id)).ToBeVisible(); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
	// The frame is the video's picture, not a blank canvas.
	if lit := evalTo[bool](t, page, `() => { const c = document.querySelector('[data-testid=frame-canvas]');
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
		for (let i = 0; i < d.length; i += 4) if (d[i] + d[i+1] + d[i+2] > 60) n++; return n > d.length / 40 }`); !lit {
		t.Error("the captured frame is blank")
	}
	must(t, box.GetByTestId("frame-zoom").Fill("2.5"))
	transforms := evalTo[[]any](t, page, `() => [...document.querySelectorAll('[data-testid=frame-compare] [data-zoom-target]')].map(e => e.style.transform)`)
	if len(transforms) != 2 || transforms[0] != transforms[1] || !strings.Contains(transforms[0].(string), "scale(2.5)") {
		t.Errorf("zoom transforms = %v, want both pictures at scale(2.5)", transforms)
	}
	shots(t, page, "capture", "frame-compare")
	must(t, box.GetByTestId("save-capture").Click())
	if err := expect.Locator(box.GetByTestId("capture-state")).ToContainText("Saved as evidence"); err != nil {
		t.Fatalf("save: %v", err)
	}
	gotoPath(t, page, path)
	if err := expect.Locator(page.Locator(`figure[data-kind="` + store.MediaCapture + `"]`)).ToContainText("Frame at 0:03"); err != nil {
		t.Errorf("the saved frame is not among the case's media: %v", err)
	}
}

// testVideoFace: the document photo against the frames sampled from the recording, in Chromium
// with the real face-api. With a real face as the document photo the best frame's score, the model
// and the frame's time go into the decision form and a click on the frame's time seeks the player;
// a document photo without a face, and models that fail to load, end as their sentences.
func testVideoFace(t *testing.T, env *appEnv) {
	path := env.casePath(t, "verma")
	photo, err := os.ReadFile(filepath.Join(faceSamples(t), "sample1.jpg"))
	must(t, err)
	page := env.pageAs(t, "grace")
	failOnDialog(t, page)
	allowVideoFace(t, page)
	gotoPath(t, page, path)
	doc, err := page.Locator(`figure[data-kind="` + store.MediaDocumentImage + `"] img`).First().GetAttribute("src")
	must(t, err)
	serveDoc := func(body []byte, contentType string) {
		t.Helper()
		must(t, page.Context().Unroute("**"+doc))
		route(t, page, "**"+doc, func(r playwright.Route) {
			_ = r.Fulfill(playwright.RouteFulfillOptions{Status: playwright.Int(200), ContentType: playwright.String(contentType), Body: body})
		})
	}
	long := playwright.LocatorAssertionsToHaveAttributeOptions{Timeout: playwright.Float(90000)}
	panel := page.GetByTestId("video-face")
	status := panel.GetByTestId("video-face-status")

	// A real face as the document photo (the seed's drawn card may hold none).
	serveDoc(photo, "image/jpeg")
	gotoPath(t, page, path)
	if err := expect.Locator(panel).ToHaveAttribute("data-face-state", regexp.MustCompile(`^(noface|done)$`), long); err != nil {
		t.Fatalf("video face comparison: %v (%s)", err, mustText(t, panel))
	}
	if err := expect.Locator(status).ToContainText("The document photo shows 3 faces; the largest is used."); err != nil {
		t.Errorf("several faces: %v", err)
	}
	state, err := panel.GetAttribute("data-face-state")
	must(t, err)
	shots(t, page, "videoface", "video-face")
	form := func(name string) string {
		return evalTo[string](t, page, `n => document.querySelector('[data-testid=decision-form] [name=' + n + ']')?.value || ''`, name)
	}
	if state == "noface" {
		if err := expect.Locator(status).ToContainText(regexp.MustCompile(`No face found in the \d+ frames sampled from the recording \(one every 2 s\)`)); err != nil {
			t.Errorf("no face in the recording: %v", err)
		}
	} else {
		shown := strings.TrimSpace(mustText(t, panel.GetByTestId("face-similarity")))
		best := panel.GetByTestId("video-face-best")
		ms, err := best.GetAttribute("data-ms")
		must(t, err)
		if env := os.Getenv("KYCDESK_FACE_REPORT"); env != "" {
			det, _ := panel.GetAttribute("data-face-detection")
			t.Logf("video face: score %s at %s ms, detection %s, %s", shown, ms, det, mustText(t, status))
		}
		// The reviewer, not holding the case, has no decision form: the score stays on the page.
		if got := form("face_score"); got != "" && got != shown {
			t.Errorf("form face_score = %q, page shows %q", got, shown)
		}
		videoSel := `figure[data-kind="` + store.MediaRecordedVideo + `"] video`
		evalTo[any](t, page, `sel => { const v = document.querySelector(sel); window.__seeked = new Promise(r => v.addEventListener('seeked', r, {once: true})); return 0 }`, videoSel)
		must(t, best.Click())
		evalTo[any](t, page, `() => window.__seeked.then(() => 0)`)
		if got := evalTo[any](t, page, `sel => Math.round(document.querySelector(sel).currentTime * 1000)`, videoSel); strconv.Itoa(int(toFloat(got))) != ms {
			t.Errorf("click on the best frame: currentTime %v ms, want %s", got, ms)
		}
	}

	// A document photo with no face gives its sentence, and no score.
	serveDoc(blankPicture(t), "image/png")
	gotoPath(t, page, path)
	if err := expect.Locator(panel).ToHaveAttribute("data-face-state", "nodocface", long); err != nil {
		t.Errorf("blank document photo: %v (%s)", err, mustText(t, panel))
	}
	if err := expect.Locator(status).ToHaveText("No face found in the document photo, so no similarity was computed. Compare by eye."); err != nil {
		t.Errorf("blank document photo: %v", err)
	}

	// Models that do not load give their sentence too.
	route(t, page, "**/model/**", func(r playwright.Route) { _ = r.Abort() })
	gotoPath(t, page, path)
	if err := expect.Locator(status).ToHaveText("The face model failed to load, so no similarity was computed. Compare the faces by eye.", playwright.LocatorAssertionsToHaveTextOptions{Timeout: playwright.Float(60000)}); err != nil {
		t.Errorf("model failure: %v", err)
	}
}

// route sends the page's requests for URLs matching pattern to handler until the test ends, when
// every route is removed, waiting for a handler still running, before the page's context closes:
// playwright-go's route dispatch reads the context's closing flag unlocked, so a route still in
// place while the context closes is a data race the race detector reports.
func route(t *testing.T, page playwright.Page, pattern string, handler func(playwright.Route)) {
	t.Helper()
	must(t, page.Context().Route(pattern, handler))
	t.Cleanup(func() {
		if err := page.Context().UnrouteAll(playwright.BrowserContextUnrouteAllOptions{Behavior: playwright.UnrouteBehaviorWait}); err != nil {
			t.Errorf("remove the routes: %v", err)
		}
	})
}

// shots writes the page at 1366×768 and 1920×1080 to e2e/artifacts/NAME-WIDTH.png when
// KYCDESK_CHECKLIST_SHOTS is set, for a person to look at; never in make test.
func shots(t *testing.T, page playwright.Page, name, testid string) {
	t.Helper()
	if os.Getenv("KYCDESK_CHECKLIST_SHOTS") == "" {
		return
	}
	for _, size := range [][2]int{{1366, 768}, {1920, 1080}} {
		must(t, page.SetViewportSize(size[0], size[1]))
		must(t, page.GetByTestId(testid).First().ScrollIntoViewIfNeeded())
		_, err := page.Screenshot(playwright.PageScreenshotOptions{Path: playwright.String(filepath.Join(artifactsDir,
			name+"-"+strconv.Itoa(size[0])+".png"))})
		must(t, err)
	}
	must(t, page.SetViewportSize(1366, 768))
}
