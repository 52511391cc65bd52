package e2e

import (
	"strings"
	"testing"

	"github.com/playwright-community/playwright-go"
)

// framePixel reads, in the page, the colour of the picture in selector at fractions (fx, fy) of
// its natural size, once it has loaded.
const framePixel = `([sel, fx, fy]) => new Promise((resolve, reject) => {
  const img = document.querySelector(sel);
  if (!img) { reject(new Error('no ' + sel)); return; }
  const read = () => {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(Math.floor(img.naturalWidth * fx), Math.floor(img.naturalHeight * fy), 1, 1).data;
    resolve([d[0], d[1], d[2]].join(','));
  };
  if (img.complete && img.naturalWidth) read(); else img.addEventListener('load', read, { once: true });
})`

// testRedactionBoxes: a reviewer opens Redact under a document's front, drags a box over it in
// the dialog, undoes a second box, saves, and after the reload the front shows the redacted
// picture (black where the box was) with its badge; an auditor sees the same picture. It runs in
// TestDashboardAndEvidence's app.
func testRedactionBoxes(t *testing.T, env *appEnv) {
	page := env.pageAs(t, "tomas")
	failOnDialog(t, page)
	path := env.casePath(t, "beridze")
	gotoPath(t, page, path)
	front := page.Locator(`figure[data-kind="FRONT"]`)
	frontImg := `figure[data-kind="FRONT"] img[data-testid="media-image"]`
	before := evalTo[string](t, page, framePixel, []any{frontImg, 0.4, 0.45})
	if before == "0,0,0" {
		t.Fatalf("the front is black before any box")
	}
	must(t, front.GetByTestId("redact-open").Click())
	dlg := page.GetByTestId("redact-dialog")
	if err := expect.Locator(dlg).ToBeVisible(); err != nil {
		t.Fatal(err)
	}
	img := dlg.Locator("img[data-redact-img]")
	if err := expect.Locator(img).ToHaveJSProperty("complete", true); err != nil {
		t.Fatal(err)
	}
	box, err := img.BoundingBox()
	if err != nil || box == nil || box.Width < 50 {
		t.Fatalf("redaction picture box = %+v, %v", box, err)
	}
	drag := func(x0, y0, x1, y1 float64) {
		m := page.Mouse()
		must(t, m.Move(box.X+box.Width*x0, box.Y+box.Height*y0))
		must(t, m.Down())
		must(t, m.Move(box.X+box.Width*(x0+x1)/2, box.Y+box.Height*(y0+y1)/2, playwright.MouseMoveOptions{Steps: playwright.Int(4)}))
		must(t, m.Move(box.X+box.Width*x1, box.Y+box.Height*y1))
		must(t, m.Up())
	}
	drag(0.2, 0.3, 0.6, 0.6)
	if err := expect.Locator(page.GetByTestId("redact-count")).ToHaveText("1 new box"); err != nil {
		t.Fatal(err)
	}
	drag(0.7, 0.1, 0.9, 0.2)
	if err := expect.Locator(page.GetByTestId("redact-count")).ToHaveText("2 new boxes"); err != nil {
		t.Fatal(err)
	}
	shoot(t, page, "redact-dialog")
	must(t, page.GetByTestId("redact-undo").Click())
	if err := expect.Locator(dlg.GetByTestId("redact-box")).ToHaveCount(1); err != nil {
		t.Fatal(err)
	}
	must(t, page.GetByTestId("redact-save").Click())
	// The page reloads with the front redacted.
	if err := expect.Locator(front.GetByTestId("media-redacted")).ToHaveText("redacted · 1 box"); err != nil {
		t.Fatal(err)
	}
	if src, _ := front.Locator(`img[data-testid="media-image"]`).GetAttribute("src"); !strings.Contains(src, "?v=") {
		t.Errorf("the front's address = %q, want the derivative's", src)
	}
	if got := evalTo[string](t, page, framePixel, []any{frontImg, 0.4, 0.45}); got != "0,0,0" {
		t.Errorf("under the box the front reads %s, want black", got)
	}
	if got := evalTo[string](t, page, framePixel, []any{frontImg, 0.8, 0.15}); got == "0,0,0" {
		t.Errorf("the undone box was painted too")
	}
	shoot(t, page, "redacted-front")
	aud := env.pageAs(t, "ines")
	gotoPath(t, aud, path)
	if err := expect.Locator(aud.Locator(`figure[data-kind="FRONT"]`).GetByTestId("media-redacted")).ToBeVisible(); err != nil {
		t.Fatal(err)
	}
	if got := evalTo[string](t, aud, framePixel, []any{frontImg, 0.4, 0.45}); got != "0,0,0" {
		t.Errorf("the auditor's front reads %s under the box, want black", got)
	}
	if n, _ := aud.GetByTestId("redact-open").Count(); n != 0 {
		t.Errorf("an auditor is offered Redact")
	}
}
