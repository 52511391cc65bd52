package e2e

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/playwright-community/playwright-go"

	"github.com/kycdesk/kycdesk/web/demo"
	"github.com/kycdesk/kycdesk/web/evidence"
)

// TestDashboardAndEvidence looks at the team dashboard over 90 days of synthetic history in
// Chromium (and keeps its pictures at 1366×768 and 1920×1080 in e2e/artifacts/; `make
// screenshots` writes docs/dashboard.png), then downloads a video-KYC case's evidence pack as an
// auditor, unzips it and opens its case.html from disk.
func TestDashboardAndEvidence(t *testing.T) {
	env := startApp(t, withoutHostileCase())
	ctx := context.Background()
	db := env.app.DB()
	var reviewers []int64
	for _, name := range []string{"meera", "tomas", "lena"} {
		u, err := db.UserByUsername(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		reviewers = append(reviewers, u.ID)
	}
	if err := demo.LoadSyntheticHistory(ctx, db, 4000, 3000, reviewers, seedNow); err != nil {
		t.Fatal(err)
	}
	t.Run("dashboard", func(t *testing.T) { testDashboard(t, env) })
	t.Run("evidence_pack", func(t *testing.T) { testEvidencePack(t, env) })
	t.Run("reveal_aadhaar", func(t *testing.T) { testRevealAadhaar(t, env) }) // privacy_test.go
	t.Run("legal_hold", func(t *testing.T) { testLegalHold(t, env) })
	t.Run("redaction_boxes", func(t *testing.T) { testRedactionBoxes(t, env) }) // redaction_test.go
}

func testDashboard(t *testing.T, env *appEnv) {
	page := env.pageAs(t, "grace")
	failOnDialog(t, page)
	var cspErrors []string
	page.OnConsole(func(m playwright.ConsoleMessage) {
		if m.Type() == "error" {
			cspErrors = append(cspErrors, m.Text())
		}
	})
	gotoPath(t, page, "/")
	must(t, page.GetByTestId("nav-dashboard").Click())
	if err := expect.Locator(page.GetByTestId("dashboard-summary")).ToBeVisible(); err != nil {
		t.Fatal(err)
	}
	// The default period is the last 30 days: one table row per day under the daily charts.
	for _, chart := range []string{"received", "decisions", "queue", "sla", "turnaround"} {
		if err := expect.Locator(page.GetByTestId("chart-" + chart + "-table").Locator("tbody tr")).ToHaveCount(30); err != nil {
			t.Errorf("%s table: %v", chart, err)
		}
	}
	for _, chart := range []string{"received", "decisions"} {
		n, err := page.GetByTestId("chart-" + chart).Locator("svg rect.chart-bar").Count()
		if err != nil || n < 30 {
			t.Errorf("%s chart draws %d bars (%v), want one or more per day", chart, n, err)
		}
	}
	if n, _ := page.GetByTestId("chart-turnaround").Locator("svg polyline").Count(); n < 2 {
		t.Errorf("turnaround chart draws %d lines, want the median and the 90th percentile", n)
	}
	if n, _ := page.GetByTestId("chart-signals-table").Locator("tbody tr").Count(); n < 5 {
		t.Errorf("signals table has %d rows, want the synthetic tags and remarks", n)
	}
	if got := mustText(t, page.GetByTestId("dash-final")); got == "0" {
		t.Error("no final decisions in the last 30 days of a 90-day history")
	}
	// The period picker: 7 days, video KYC only.
	must(t, firstErr(page.GetByTestId("dashboard-period-select").SelectOption(playwright.SelectOptionValues{Values: &[]string{"7"}})))
	must(t, firstErr(page.GetByTestId("dashboard-source").SelectOption(playwright.SelectOptionValues{Values: &[]string{"vcip"}})))
	must(t, page.GetByTestId("dashboard-form").Locator("button[type=submit]").Click())
	if err := expect.Locator(page.GetByTestId("chart-received-table").Locator("tbody tr")).ToHaveCount(7); err != nil {
		t.Errorf("7-day table: %v", err)
	}
	if err := expect.Locator(page.GetByTestId("chart-received-table").Locator("thead th")).ToHaveText([]string{"Day", "Video KYC"}); err != nil {
		t.Errorf("source filter: %v", err)
	}
	if len(cspErrors) > 0 {
		t.Errorf("console errors (CSP?) on the dashboard: %q", cspErrors)
	}

	gotoPath(t, page, "/dashboard?period=30")
	if err := os.MkdirAll(artifactsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("KYCDESK_SCREENSHOTS") == "1" {
		writeScreenshot(t, page, "dashboard.png")
	}
	for _, size := range []playwright.Size{{Width: 1366, Height: 768}, {Width: 1920, Height: 1080}} {
		must(t, page.SetViewportSize(size.Width, size.Height))
		path := filepath.Join(artifactsDir, fmt.Sprintf("dashboard-%d.png", size.Width))
		if _, err := page.Screenshot(playwright.PageScreenshotOptions{Path: playwright.String(path)}); err != nil {
			t.Fatal(err)
		}
		full := filepath.Join(artifactsDir, fmt.Sprintf("dashboard-%d-full.png", size.Width))
		if _, err := page.Screenshot(playwright.PageScreenshotOptions{Path: playwright.String(full), FullPage: playwright.Bool(true)}); err != nil {
			t.Fatal(err)
		}
	}
}

// firstErr keeps the error of a call that also returns values.
func firstErr[T any](_ T, err error) error { return err }

func testEvidencePack(t *testing.T, env *appEnv) {
	page := env.pageAs(t, "ines")
	failOnDialog(t, page)
	gotoPath(t, page, env.casePath(t, "sharma"))
	dl, err := page.ExpectDownload(func() error { return page.GetByTestId("evidence-pack").Click() })
	if err != nil {
		t.Fatalf("download the evidence pack: %v", err)
	}
	dir := t.TempDir()
	zipPath := filepath.Join(dir, dl.SuggestedFilename())
	must(t, dl.SaveAs(zipPath))
	f, err := os.Open(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	rep, err := evidence.Verify(f, st.Size())
	if err != nil || !rep.OK() {
		t.Fatalf("the downloaded pack does not verify: %v %v", err, rep.Problems)
	}
	unzipped := filepath.Join(dir, "pack")
	unzip(t, zipPath, unzipped)

	// case.html from disk: no server, no network.
	view := newPage(t, env.url)
	u := url.URL{Scheme: "file", Path: filepath.Join(unzipped, evidence.CaseHTMLName)}
	if _, err := view.Goto(u.String()); err != nil {
		t.Fatalf("open %s: %v", u.String(), err)
	}
	if err := expect.Locator(view.GetByTestId("pack-name")).ToHaveText("PRIYA SHARMA"); err != nil {
		t.Error(err)
	}
	for _, lang := range []struct{ code, script string }{{"hi", "Devanagari"}, {"kn", "Kannada"}, {"bn", "Bengali"}, {"gu", "Gujarati"}} {
		el := view.Locator(`[data-testid="pack-translation"][lang="` + lang.code + `"]`).First()
		if err := expect.Locator(el).ToBeVisible(); err != nil {
			t.Errorf("%s translation: %v", lang.script, err)
			continue
		}
		checkScriptFont(t, view, el, lang.script)
	}
	// Every picture the page shows comes from the pack's own media folder and loads.
	broken := toFloat(evalTo[any](t, view, `() => Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0) || !i.src.includes('/media/')).length`))
	shown := toFloat(evalTo[any](t, view, `() => document.images.length`))
	if shown == 0 || broken != 0 {
		t.Errorf("case.html shows %v pictures, %v of them broken or from elsewhere", shown, broken)
	}
	if _, err := view.Screenshot(playwright.PageScreenshotOptions{Path: playwright.String(filepath.Join(artifactsDir, "evidence-case-html.png")), FullPage: playwright.Bool(true)}); err != nil {
		t.Fatal(err)
	}
}

func unzip(t *testing.T, zipPath, dir string) {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if strings.Contains(f.Name, "..") {
			t.Fatalf("unsafe name in the pack: %s", f.Name)
		}
		dst := filepath.Join(dir, filepath.FromSlash(f.Name))
		must(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		rc, err := f.Open()
		must(t, err)
		out, err := os.Create(dst)
		must(t, err)
		_, err = io.Copy(out, rc)
		rc.Close()
		must(t, err)
		must(t, out.Close())
	}
}

// checkScriptFont fails unless Chromium drew el's text with a font of the script (DevTools'
// CSS.getPlatformFontsForNode), which fails on a machine without the Noto fonts.
func checkScriptFont(t *testing.T, page playwright.Page, el playwright.Locator, script string) {
	t.Helper()
	if _, err := el.Evaluate(`el => { document.querySelectorAll('[data-e2e-font-probe]').forEach(e => e.removeAttribute('data-e2e-font-probe')); el.setAttribute('data-e2e-font-probe', '') }`, nil); err != nil {
		t.Fatal(err)
	}
	cdp, err := page.Context().NewCDPSession(page)
	if err != nil {
		t.Fatalf("DevTools session: %v", err)
	}
	defer cdp.Detach()
	for _, m := range []string{"DOM.enable", "CSS.enable"} {
		if _, err := cdp.Send(m, map[string]any{}); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
	}
	doc, err := cdp.Send("DOM.getDocument", map[string]any{"depth": 0})
	must(t, err)
	root := doc.(map[string]any)["root"].(map[string]any)["nodeId"]
	node, err := cdp.Send("DOM.querySelector", map[string]any{"nodeId": root, "selector": "[data-e2e-font-probe]"})
	must(t, err)
	fonts, err := cdp.Send("CSS.getPlatformFontsForNode", map[string]any{"nodeId": node.(map[string]any)["nodeId"]})
	must(t, err)
	var used []string
	for _, f := range fonts.(map[string]any)["fonts"].([]any) {
		font := f.(map[string]any)
		used = append(used, fmt.Sprint(font["familyName"]))
		if strings.Contains(fmt.Sprint(font["familyName"]), script) && toFloat(font["glyphCount"]) > 0 {
			return
		}
	}
	t.Errorf("the %s text is drawn with %v, want a %s font (install fonts-noto-core)", script, used, script)
}
