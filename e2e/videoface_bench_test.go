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
	"time"

	"github.com/playwright-community/playwright-go"

	"github.com/kycdesk/kycdesk/static"
	"github.com/kycdesk/kycdesk/views"
)

// BenchmarkVideoFace times the video-KYC comparison in Chromium on a real face video
// (recordFaceVideo, 9 s: the document's person, then someone else): face-video.js's own
// performance.now() figures from the document's face described to the last sampled frame compared
// (seek, draw, detect, describe the largest face, compare), per frame and in total, over one frame
// every 2 s. Each iteration is a page load in one browser context, so the models are cached.
func BenchmarkVideoFace(b *testing.B) {
	dir := faceSamples(b)
	person, err := os.ReadFile(filepath.Join(dir, "sample2.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	others, err := os.ReadFile(filepath.Join(dir, "sample6.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	fv := recordFaceVideo(b, framedPhoto{person, sample2Framing}, framedPhoto{others, sample6Framing})
	var panel bytes.Buffer
	if err := views.VideoFacePanel(views.VideoFace{DocURL: "/doc.jpg", VideoURL: "/recording.webm"}).Render(context.Background(), &panel); err != nil {
		b.Fatal(err)
	}
	page := []byte(`<!doctype html><html><head><link rel="stylesheet" href="` + static.Path("css/app.css") + `"></head><body>` +
		panel.String() + `</body></html>`)
	mux := http.NewServeMux()
	mux.Handle("/static/", http.StripPrefix("/static/", static.Handler()))
	serve := func(body []byte, contentType string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.Header().Set("Cache-Control", "private, max-age=3600")
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
		}
	}
	mux.HandleFunc("/doc.jpg", serve(person, "image/jpeg"))
	mux.HandleFunc("/recording.webm", serve(fv.webm, "video/webm"))
	mux.HandleFunc("/case", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "+
			"img-src 'self' data: blob:; media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'")
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
	ctx.SetDefaultTimeout(180000)
	p, err := ctx.NewPage()
	if err != nil {
		b.Fatal(err)
	}
	run := func() (total, frames float64) {
		if _, err := p.Goto("/case"); err != nil {
			b.Fatal(err)
		}
		l := p.GetByTestId("video-face")
		if err := expect.Locator(l).ToHaveAttribute("data-face-state", "done", playwright.LocatorAssertionsToHaveAttributeOptions{Timeout: playwright.Float(180000)}); err != nil {
			b.Fatalf("video face comparison: %v", err)
		}
		ms, _ := l.GetAttribute("data-face-ms")
		n, _ := l.GetAttribute("data-face-frames")
		total, _ = strconv.ParseFloat(ms, 64)
		frames, _ = strconv.ParseFloat(n, 64)
		return total, frames
	}
	run() // the first load fetches the models
	b.ResetTimer()
	var total, frames float64
	for i := 0; i < b.N; i++ {
		t, n := run()
		total += t
		frames += n
	}
	b.StopTimer()
	b.ReportMetric(total/frames, "ms/frame")
	b.ReportMetric(frames/float64(b.N), "frames")
	b.ReportMetric(total/float64(b.N), "ms-total")
}
