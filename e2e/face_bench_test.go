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

// faceDoneAt is an init script that notes performance.now() (from the page's navigation start)
// when the face panel's state first becomes "done": the time until the reviewer sees the score.
const faceDoneAt = `new MutationObserver((_, o) => {
  const p = document.querySelector('[data-face-state="done"]');
  if (p) { window.kycdeskFaceDoneAt = performance.now(); o.disconnect(); }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-face-state'] });`

// BenchmarkFaceCompare times the Mark ID face comparison in Chromium, as face.js measures it with
// performance.now(). Each iteration is a new browser context (a reviewer's first case of the
// session: the models come from the network and every kernel runs for the first time) followed by
// two more page loads in that context (the models from the HTTP cache). ms/pair-first and
// ms/pair-warm are from both pictures decoded to the similarity shown, on the first and on the
// later pages; ms-to-score-* is from navigation start to the score on the page; ms-models-* is the
// time until the library and models were ready. "one-face" compares a photo with itself; in
// "five-faces" the document photo shows five people, of whom only the largest is used.
func BenchmarkFaceCompare(b *testing.B) {
	dir := faceSamples(b)
	for _, pair := range []struct{ name, doc, selfie string }{
		{"one-face", "sample2.jpg", "sample2.jpg"},
		{"five-faces", "sample6.jpg", "sample2.jpg"},
	} {
		b.Run(pair.name, func(b *testing.B) {
			benchFacePair(b, filepath.Join(dir, pair.doc), filepath.Join(dir, pair.selfie))
		})
	}
}

func benchFacePair(b *testing.B, docFile, selfieFile string) {
	doc, err := os.ReadFile(docFile)
	if err != nil {
		b.Fatal(err)
	}
	selfie, err := os.ReadFile(selfieFile)
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
	// The archive's caching (web.ServeMedia): the pictures come from the browser's cache on later pages.
	picture := func(body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "private, max-age=3600")
			w.Write(body)
		}
	}
	mux.HandleFunc("/doc.jpg", picture(doc))
	mux.HandleFunc("/selfie.jpg", picture(selfie))
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
	type figures struct{ pair, score, models float64 }
	compare := func(p playwright.Page) figures {
		if _, err := p.Goto("/case"); err != nil {
			b.Fatal(err)
		}
		l := p.GetByTestId("face-compare")
		if err := expect.Locator(l).ToHaveAttribute("data-face-state", "done", playwright.LocatorAssertionsToHaveAttributeOptions{Timeout: playwright.Float(120000)}); err != nil {
			b.Fatalf("comparison: %v", err)
		}
		attr := func(name string) float64 {
			v, _ := l.GetAttribute(name)
			n, _ := strconv.ParseFloat(v, 64)
			return n
		}
		at, err := p.Evaluate(`() => window.kycdeskFaceDoneAt`)
		if err != nil {
			b.Fatal(err)
		}
		return figures{pair: attr("data-face-ms"), score: toFloat(at), models: attr("data-face-load-ms")}
	}
	const warmPages = 2
	var first, warm figures
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ctx, err := browser.NewContext(playwright.BrowserNewContextOptions{BaseURL: playwright.String(srv.URL)})
		if err != nil {
			b.Fatal(err)
		}
		ctx.SetDefaultTimeout(120000)
		if err := ctx.AddInitScript(playwright.Script{Content: playwright.String(faceDoneAt)}); err != nil {
			b.Fatal(err)
		}
		p, err := ctx.NewPage()
		if err != nil {
			b.Fatal(err)
		}
		f := compare(p)
		first.pair, first.score, first.models = first.pair+f.pair, first.score+f.score, first.models+f.models
		for j := 0; j < warmPages; j++ {
			f := compare(p)
			warm.pair, warm.score, warm.models = warm.pair+f.pair, warm.score+f.score, warm.models+f.models
		}
		if err := ctx.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	n, w := float64(b.N), float64(b.N*warmPages)
	b.ReportMetric(first.pair/n, "ms/pair-first")
	b.ReportMetric(warm.pair/w, "ms/pair-warm")
	b.ReportMetric(first.score/n, "ms-to-score-first")
	b.ReportMetric(warm.score/w, "ms-to-score-warm")
	b.ReportMetric(first.models/n, "ms-models-cold")
	b.ReportMetric(warm.models/w, "ms-models-cached")
}
