package web

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/web/webtest"
)

// TestMetricsLabelsFromFixedSet: fileUrls keys are vendor text. One callback with many invented
// keys (one carrying a name and a date of birth) used to add a series per key to the open
// /metrics, readable by anyone. They are counted as "other" now, and no vendor text appears.
func TestMetricsLabelsFromFixedSet(t *testing.T) {
	var pic bytes.Buffer
	if err := png.Encode(&pic, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(pic.Bytes())
	}))
	defer media.Close()
	ta := newTestApp(t, withWorkers())
	const invented = 40
	files := map[string]string{"FRONT": media.URL + "/front.png"}
	for i := range invented {
		files[fmt.Sprintf("ANNA_KOVALENKO_1994-05-04_%d", i)] = fmt.Sprintf("%s/x%d.png", media.URL, i)
	}
	ta.postMarkID(t, webtest.MarkID{ScanRef: "labels", Overall: "SUSPECTED", Files: files}.Body())

	series := regexp.MustCompile(`(?m)^kycdesk_media_fetches_total\{([^}]*)\} (\S+)$`)
	var body string
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for total := 0; total < invented+1; <-tick.C {
		resp, err := http.Get(ta.url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body, total = string(b), 0
		for _, m := range series.FindAllStringSubmatch(body, -1) {
			n, _ := strconv.ParseFloat(m[2], 64)
			total += int(n)
		}
	}
	if strings.Contains(body, "KOVALENKO") || strings.Contains(body, "1994") {
		t.Fatalf("/metrics carries vendor text:\n%s", body)
	}
	kinds := map[string]bool{}
	for _, m := range series.FindAllStringSubmatch(body, -1) {
		kinds[regexp.MustCompile(`kind="([^"]*)"`).FindStringSubmatch(m[1])[1]] = true
	}
	if !kinds["FRONT"] || !kinds["other"] || len(kinds) != 2 {
		t.Fatalf("media kinds on /metrics = %v, want FRONT and other", kinds)
	}
}
