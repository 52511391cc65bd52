package e2e

import (
	"math"
	"testing"

	"github.com/playwright-community/playwright-go"
)

// testOneScreen: at 1366×768 a video-KYC case held by the reviewer shows the video, the checklist
// slot, the Signals panel (agent's verdict and geo verdict) and the decision panel without scrolling
// the page; the labels are words and the field values a table.
func testOneScreen(t *testing.T, env *appEnv) {
	page := env.pageAs(t, "meera")
	failOnDialog(t, page)
	for _, size := range []playwright.Size{{Width: 1366, Height: 768}, {Width: 1920, Height: 1080}} {
		must(t, page.SetViewportSize(size.Width, size.Height))
		gotoPath(t, page, env.casePath(t, "verma"))
		if err := expect.Locator(page.GetByTestId("decision-panel")).ToBeVisible(); err != nil {
			t.Fatal(err)
		}
		got := evalTo[map[string]any](t, page, `() => {
			const b = s => { const e = document.querySelector(s); if (!e) return null; const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; };
			return {video: b('[data-kind="RECORDED_VIDEO"] video'), checklist: b('[data-testid="checklist-slot"]'),
				signals: b('[data-testid="signals"]'), geo: b('[data-testid="signals"] [data-flag]'),
				decision: b('[data-testid="decision-panel"] .panel-head'), action: b('[data-testid="decision-panel"] button'),
				pageScroll: document.scrollingElement.scrollHeight - innerHeight, vh: innerHeight};
		}`)
		vh := num(got["vh"])
		if s := num(got["pageScroll"]); !(s <= 0) {
			t.Errorf("%dx%d: the page scrolls by %.0f px", size.Width, size.Height, s)
		}
		for _, k := range []string{"video", "signals", "geo", "decision", "action"} {
			b, ok := got[k].(map[string]any)
			if !ok {
				t.Errorf("%dx%d: no %s on the page", size.Width, size.Height, k)
				continue
			}
			if top, bottom := num(b["top"]), num(b["bottom"]); !(top >= 0 && bottom <= vh) {
				t.Errorf("%dx%d: %s spans %.0f–%.0f px, not inside the %.0f px window", size.Width, size.Height, k, b["top"], b["bottom"], vh)
			}
		}
		// The checklist may scroll inside itself, but at least 150 px of it are on screen.
		if b, ok := got["checklist"].(map[string]any); !ok || !(vh-num(b["top"]) >= 150) {
			t.Errorf("%dx%d: checklist slot at %v, want at least 150 px of it in the %.0f px window", size.Width, size.Height, got["checklist"], vh)
		}
	}
	must(t, page.SetViewportSize(1366, 768))
	if err := expect.Locator(page.GetByTestId("video-document").Locator("th").First()).ToHaveText("Name"); err != nil {
		t.Errorf("document labels: %v", err)
	}
	if err := expect.Locator(page.GetByTestId("video-document")).ToContainText("Date of birth"); err != nil {
		t.Errorf("document labels: %v", err)
	}
}

// num reads a number that came back from the page, as whichever Go type the driver chose.
func num(x any) float64 {
	switch v := x.(type) {
	case float64:
		return v
	case int:
		return float64(v)
	case int64:
		return float64(v)
	}
	return math.NaN()
}
