package e2e

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/playwright-community/playwright-go"
)

// docsDir receives the README's screenshots.
var docsDir = filepath.Join("..", "docs")

// TestScreenshots writes the README's screenshots from the real app at 1366×768: the queue
// (docs/queue.png), an identity verification (docs/case-markid.png) and a video-KYC session
// (docs/case-vcip.png). It runs only under `make screenshots` (KYCDESK_SCREENSHOTS=1), so that
// `go test ./...` never rewrites tracked files. The app's clock stands still and the seed is
// fixed, so a run on the same Chromium and fonts makes the same pictures; a file is rewritten
// only when a pixel outside the videos changed.
func TestScreenshots(t *testing.T) {
	if os.Getenv("KYCDESK_SCREENSHOTS") != "1" {
		t.Skip("writes docs/*.png: run `make screenshots`")
	}
	env := startApp(t, withoutHostileCase())
	page := env.pageAs(t, "meera")
	allowFaceCompare(t, page)
	failOnDialog(t, page)
	if err := os.MkdirAll(docsDir, 0o755); err != nil {
		t.Fatal(err)
	}

	// Meera holds the two cases shown, so their pages show the decision form, and the queue a holder.
	for _, key := range []string{"kovalenko", "sharma"} {
		gotoPath(t, page, env.casePath(t, key))
		must(t, page.GetByTestId("claim").Click())
		if err := expect.Locator(page.GetByTestId("decision-form")).ToBeVisible(); err != nil {
			t.Fatalf("claim %s: %v", key, err)
		}
	}

	gotoPath(t, page, "/cases")
	if err := expect.Locator(page.GetByTestId("queue-row").First()).ToBeVisible(); err != nil {
		t.Fatal(err)
	}
	writeScreenshot(t, page, "queue.png")

	gotoPath(t, page, env.casePath(t, "kovalenko"))
	if err := expect.Locator(identityImage(page, "FACE")).ToHaveJSProperty("complete", true); err != nil {
		t.Fatal(err)
	}
	writeScreenshot(t, page, "case-markid.png")

	gotoPath(t, page, env.casePath(t, "sharma")+"?lang=HINDI")
	if _, err := page.WaitForFunction(`() => { const v = document.querySelector('video'); return v && v.readyState >= 1 }`, nil); err != nil {
		t.Fatalf("video: %v", err)
	}
	writeScreenshot(t, page, "case-vcip.png")
}

// writeScreenshot waits until the fonts and every image in the viewport have loaded, then
// saves the viewport as docs/name, and checks the file is a 1366×768 PNG.
func writeScreenshot(t *testing.T, page playwright.Page, name string) {
	t.Helper()
	if _, err := page.WaitForFunction(`() => {
		const inView = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.bottom > 0 && r.top < innerHeight; };
		return document.fonts.status === 'loaded' &&
			Array.from(document.images).filter(inView).every(img => img.complete && img.naturalWidth > 0) &&
			Array.from(document.querySelectorAll('video')).filter(inView).every(v => v.readyState >= 2 && v.networkState !== 2);
	}`, nil); err != nil {
		t.Fatalf("%s: the page never finished loading its images: %v", name, err)
	}
	shot, err := page.Screenshot(playwright.PageScreenshotOptions{Animations: playwright.ScreenshotAnimationsDisabled})
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if b := img.Bounds(); b.Dx() != 1366 || b.Dy() != 768 {
		t.Errorf("%s is %d×%d, want 1366×768", name, b.Dx(), b.Dy())
	}
	// Chromium turns a loading spinner over a paused video for as long as the page is open, so
	// the pixels of videos are left out of the comparison with the file already there.
	var videos []image.Rectangle
	for _, r := range evalTo[[]any](t, page, `() => Array.from(document.querySelectorAll('video')).map(v => {
		const r = v.getBoundingClientRect();
		return [Math.floor(r.left), Math.floor(r.top), Math.ceil(r.right), Math.ceil(r.bottom)];
	})`) {
		c := r.([]any)
		r := image.Rect(int(toFloat(c[0])), int(toFloat(c[1])), int(toFloat(c[2])), int(toFloat(c[3])))
		videos = append(videos, r.Inset(-4)) // and the anti-aliased edge around
	}
	path := filepath.Join(docsDir, name)
	if old, err := os.ReadFile(path); err == nil {
		if n := pixelsChanged(old, img, videos); n == 0 {
			t.Logf("%s unchanged", filepath.Join("docs", name))
			return
		}
	}
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", filepath.Join("docs", name))
}

// pixelsChanged counts the pixels of img outside the rectangles skip that differ from the PNG
// old (all of them when old is no PNG or has another size).
func pixelsChanged(old []byte, img image.Image, skip []image.Rectangle) int {
	prev, err := png.Decode(bytes.NewReader(old))
	b := img.Bounds()
	if err != nil || prev.Bounds() != b {
		return b.Dx() * b.Dy()
	}
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
	pixel:
		for x := b.Min.X; x < b.Max.X; x++ {
			for _, r := range skip {
				if image.Pt(x, y).In(r) {
					continue pixel
				}
			}
			r1, g1, b1, _ := img.At(x, y).RGBA()
			r2, g2, b2, _ := prev.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				n++
			}
		}
	}
	return n
}
