package e2e

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/playwright-community/playwright-go"

	"github.com/kycdesk/kycdesk/static"
	"github.com/kycdesk/kycdesk/views"
)

// BenchmarkFaceCompare times the case page's face comparison in Chromium: one pair (a real photo
// against itself) per iteration, in one browser context, so the models come from the HTTP cache
// after the first load as they do for a reviewer. The figures are what face.js measures with
// performance.now(): ms/pair from both pictures decoded to the similarity shown, and the time
// until the models were ready on the first (cold) and the last (cached) load.
func BenchmarkFaceCompare(b *testing.B) {
	photo, err := os.ReadFile(filepath.Join(faceSamples(b), "sample2.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	var panel bytes.Buffer
	f := views.FaceCompare{DocURL: "/doc.jpg", SelfieURL: "/selfie.jpg", Vendor: "FACE_MATCH"}
	if err := views.FacePanel(f).Render(context.Background(), &panel); err != nil {
		b.Fatal(err)
	}
	page := []byte(`<!doctype html><html><head><link rel="stylesheet" href="` + static.Path("css/app.css") + `"></head><body>` +
		panel.String() + `</body></html>`)
	mux := http.NewServeMux()
	mux.Handle("/static/", http.StripPrefix("/static/", static.Handler()))
	mux.HandleFunc("/doc.jpg", func(w http.ResponseWriter, r *http.Request) { w.Write(photo) })
	mux.HandleFunc("/selfie.jpg", func(w http.ResponseWriter, r *http.Request) { w.Write(photo) })
	mux.HandleFunc("/case", func(w http.ResponseWriter, r *http.Request) {
		// The case page's policy (web: securityHeaders plus allowWasm).
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "+
			"img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(page)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	browser, err := chromium.get()
	if err != nil {
		b.Fatal(err)
	}
	ctx, err := browser.NewContext(playwright.BrowserNewContextOptions{BaseURL: playwright.String(srv.URL)})
	if err != nil {
		b.Fatal(err)
	}
	defer ctx.Close()
	ctx.SetDefaultTimeout(120000)
	p, err := ctx.NewPage()
	if err != nil {
		b.Fatal(err)
	}
	compare := func() (pairMS, loadMS float64) {
		if _, err := p.Goto("/case"); err != nil {
			b.Fatal(err)
		}
		l := p.GetByTestId("face-compare")
		if err := expect.Locator(l).ToHaveAttribute("data-face-state", "done", playwright.LocatorAssertionsToHaveAttributeOptions{Timeout: playwright.Float(120000)}); err != nil {
			b.Fatalf("comparison: %v", err)
		}
		ms, _ := l.GetAttribute("data-face-ms")
		load, _ := l.GetAttribute("data-face-load-ms")
		pairMS, _ = strconv.ParseFloat(ms, 64)
		loadMS, _ = strconv.ParseFloat(load, 64)
		return pairMS, loadMS
	}
	_, cold := compare() // the first load fetches the models
	b.ResetTimer()
	var total, cached float64
	for i := 0; i < b.N; i++ {
		ms, load := compare()
		total += ms
		cached = load
	}
	b.StopTimer()
	b.ReportMetric(total/float64(b.N), "ms/pair")
	b.ReportMetric(cold, "ms-models-cold")
	b.ReportMetric(cached, "ms-models-cached")
}
