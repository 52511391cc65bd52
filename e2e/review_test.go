package e2e

import (
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/playwright-community/playwright-go"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
	"github.com/kycdesk/kycdesk/web/demo"
)

// TestReview clicks through what a reviewer reads: the queue, a case's evidence, a recorded
// call, translated instructions and a case full of hostile strings. Nothing here changes a
// case, so the subtests share one app (and one sign-in).
func TestReview(t *testing.T) {
	env := startApp(t)
	t.Run("queue", func(t *testing.T) { testQueue(t, env) })
	t.Run("case_page", func(t *testing.T) { testCasePage(t, env) })
	t.Run("video", func(t *testing.T) { testVideo(t, env) })
	t.Run("instructions", func(t *testing.T) { testInstructions(t, env) })
	t.Run("one_screen", func(t *testing.T) { testOneScreen(t, env) })
	t.Run("hostile_data", func(t *testing.T) { testHostileData(t, env) })
}

// rowNames returns the names in the queue's rows, top to bottom.
func rowNames(t *testing.T, page playwright.Page) []string {
	t.Helper()
	names, err := page.GetByTestId("row-link").AllTextContents()
	if err != nil {
		t.Fatal(err)
	}
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
	}
	return names
}

// seedNames returns the names of the seeded cases with the given keys, sorted.
func seedNames(t *testing.T, env *appEnv, keys ...string) []string {
	t.Helper()
	var out []string
	for _, k := range keys {
		c, ok := env.seed.seedCaseByKey(k)
		if !ok {
			t.Fatalf("no seeded case %q", k)
		}
		out = append(out, c.name)
	}
	slices.Sort(out)
	return out
}

// expectRows waits until the queue shows exactly the cases with keys, in any order.
func expectRows(t *testing.T, env *appEnv, page playwright.Page, keys ...string) {
	t.Helper()
	want := seedNames(t, env, keys...)
	if err := expect.Locator(page.GetByTestId("queue-row")).ToHaveCount(len(want)); err != nil {
		t.Fatalf("queue rows: %v (showing %q, want %q)", err, rowNames(t, page), want)
	}
	got := rowNames(t, page)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("queue rows = %q, want %q", got, want)
	}
}

func testQueue(t *testing.T, env *appEnv) {
	page := env.pageAs(t, "meera")
	failOnDialog(t, page)
	gotoPath(t, page, "/cases")

	// The seed: SUSPECTED identity verifications and every video-KYC session need a decision;
	// APPROVED and DENIED results are informational; nothing is decided yet.
	needs, all := 0, len(env.seed.cases)
	for _, c := range env.seed.markID {
		if c.overall == store.StatusSuspected {
			needs++
		}
	}
	needs += len(env.seed.vcip)
	for tab, want := range map[string]int{"needs": needs, "pending": 0, "decided": 0, "all": all} {
		if err := expect.Locator(page.GetByTestId("tab-" + tab + "-count")).ToHaveText(strconv.Itoa(want)); err != nil {
			t.Errorf("tab %s: %v", tab, err)
		}
	}
	if err := expect.Locator(page.GetByTestId("nav-queue-count")).ToHaveText(strconv.Itoa(needs)); err != nil {
		t.Errorf("nav queue count: %v", err)
	}
	if err := expect.Locator(page.GetByTestId("queue-row")).ToHaveCount(needs); err != nil {
		t.Fatalf("needs-decision rows: %v", err)
	}
	must(t, page.GetByTestId("tab-all").Click())
	if err := expect.Locator(page.GetByTestId("queue-row")).ToHaveCount(all); err != nil {
		t.Errorf("all rows: %v", err)
	}
	must(t, page.GetByTestId("tab-needs").Click())
	if err := expect.Locator(page.GetByTestId("queue-row")).ToHaveCount(needs); err != nil {
		t.Fatalf("back on needs decision: %v", err)
	}

	// A fraud tag narrows the rows to the cases that carry it, and the tab counts with them.
	must(t, page.GetByTestId("filter-fraud").Fill("FACE_IN_BLACKLIST"))
	must(t, page.GetByTestId("filter-submit").Click())
	expectRows(t, env, page, "kovalenko")
	if err := expect.Locator(page.GetByTestId("tab-needs-count")).ToHaveText("1"); err != nil {
		t.Errorf("needs count with the fraud filter: %v", err)
	}
	must(t, page.GetByTestId("filter-fraud").Fill("DOC_MOBILE_PHOTO"))
	must(t, page.GetByTestId("filter-submit").Click())
	expectRows(t, env, page, "kovalenko", "shevchuk")
	must(t, page.GetByTestId("filter-clear").Click())
	if err := expect.Locator(page.GetByTestId("queue-row")).ToHaveCount(needs); err != nil {
		t.Fatalf("after Clear: %v", err)
	}

	// The source.
	_, err := page.GetByTestId("filter-source").SelectOption(playwright.SelectOptionValues{Values: &[]string{string(store.SourceVCIP)}})
	must(t, err)
	must(t, page.GetByTestId("filter-submit").Click())
	var vcip []string
	for _, c := range env.seed.vcip {
		vcip = append(vcip, c.key)
	}
	expectRows(t, env, page, vcip...)
	for _, src := range mustTexts(t, page.Locator("[data-testid=queue-row] .c-source")) {
		if src != "Video KYC" {
			t.Errorf("source filter: a row's source is %q, want Video KYC", src)
		}
	}
	must(t, page.GetByTestId("filter-clear").Click())

	// Search by scanRef finds the one case.
	kovalenko, _ := env.seed.seedCaseByKey("kovalenko")
	must(t, page.GetByTestId("search").Fill(kovalenko.ref))
	must(t, page.GetByTestId("search").Press("Enter"))
	expectRows(t, env, page, "kovalenko")
	if err := expect.Locator(page.GetByTestId("row-ref")).ToHaveAttribute("title", kovalenko.ref); err != nil {
		t.Errorf("row reference: %v", err)
	}

	// Keyboard: j and k move the selection, Enter opens the selected case.
	gotoPath(t, page, "/cases")
	rows := page.GetByTestId("queue-row")
	if err := expect.Locator(rows).ToHaveCount(needs); err != nil {
		t.Fatal(err)
	}
	selected := page.Locator(`[data-testid=queue-row][aria-selected=true]`)
	kb := page.Keyboard()
	for _, step := range []struct {
		key  string
		want int
	}{{"j", 0}, {"j", 1}, {"j", 2}, {"k", 1}} {
		must(t, kb.Press(step.key))
		if err := expect.Locator(rows.Nth(step.want)).ToHaveAttribute("aria-selected", "true"); err != nil {
			t.Fatalf("after %s: row %d is not selected: %v", step.key, step.want, err)
		}
		if err := expect.Locator(selected).ToHaveCount(1); err != nil {
			t.Fatalf("after %s: %v", step.key, err)
		}
	}
	href, err := rows.Nth(1).GetByTestId("row-link").GetAttribute("href")
	must(t, err)
	name := strings.TrimSpace(mustText(t, rows.Nth(1).GetByTestId("row-link")))
	must(t, kb.Press("Enter"))
	if err := expect.Page(page).ToHaveURL(regexp.MustCompile(regexp.QuoteMeta(href) + `$`)); err != nil {
		t.Fatalf("Enter on the second row: %v", err)
	}
	if err := expect.Locator(page.GetByTestId("case-name")).ToHaveText(name); err != nil {
		t.Errorf("opened case: %v", err)
	}
}

func testCasePage(t *testing.T, env *appEnv) {
	page := env.pageAs(t, "meera")
	failOnDialog(t, page)
	gotoPath(t, page, env.casePath(t, "kovalenko"))
	if err := expect.Locator(page.GetByTestId("case-name")).ToHaveText("ANNA KOVALENKO"); err != nil {
		t.Fatal(err)
	}

	// FRONT, BACK and FACE are shown and loaded: each with the size of the file the vendor sent.
	for _, m := range []struct {
		kind string
		size int
	}{{store.MediaFront, demo.FrontSize.X}, {store.MediaBack, demo.BackSize.X}, {store.MediaFace, demo.FaceSize.X}} {
		img := identityImage(page, m.kind)
		if err := expect.Locator(img).ToBeVisible(); err != nil {
			t.Errorf("%s: %v", m.kind, err)
			continue
		}
		if err := expect.Locator(img).ToHaveJSProperty("complete", true); err != nil {
			t.Errorf("%s never finished loading: %v", m.kind, err)
		}
		w, err := img.Evaluate("img => img.naturalWidth", nil)
		must(t, err)
		if toFloat(w) != float64(m.size) {
			t.Errorf("%s: naturalWidth = %v, want %d (the archived file)", m.kind, w, m.size)
		}
	}

	// The lightbox: zoom and rotate change what is shown.
	must(t, identityImage(page, store.MediaFront).Click())
	box := page.GetByTestId("lightbox")
	big := page.GetByTestId("lightbox-img")
	if err := expect.Locator(box).ToBeVisible(); err != nil {
		t.Fatalf("lightbox: %v", err)
	}
	if err := expect.Locator(big).ToHaveJSProperty("naturalWidth", demo.FrontSize.X); err != nil {
		t.Fatalf("lightbox image: %v", err)
	}
	for attr, want := range map[string]string{"data-zoom": "1", "data-rotate": "0"} {
		if err := expect.Locator(big).ToHaveAttribute(attr, want); err != nil {
			t.Errorf("lightbox opens with %s: %v", attr, err)
		}
	}
	fit := boundingBox(t, big)
	if fit.Width <= fit.Height {
		t.Fatalf("lightbox shows the landscape FRONT as %vx%v", fit.Width, fit.Height)
	}
	// The level shown is the size on screen (fitted, not "100%"), and the viewer says which
	// of the page's pictures this is.
	if want := fmt.Sprintf("%d%%", int(math.Round(fit.Width/float64(demo.FrontSize.X)*100))); true {
		if err := expect.Locator(page.GetByTestId("zoom-level")).ToHaveText(want); err != nil {
			t.Errorf("zoom level when fitted: %v", err)
		}
	}
	if err := expect.Locator(page.GetByTestId("lightbox-count")).ToHaveText(regexp.MustCompile(`^1 of \d+$`)); err != nil {
		t.Errorf("lightbox count: %v", err)
	}
	must(t, page.GetByTestId("zoom-in").Click())
	if err := expect.Locator(big).ToHaveAttribute("data-zoom", "1.25"); err != nil {
		t.Errorf("zoom in: %v", err)
	}
	zoomed := boundingBox(t, big)
	if r := zoomed.Width / fit.Width; math.Abs(r-1.25) > 0.02 {
		t.Errorf("zoom in: the image grew %.3f times, want 1.25", r)
	}
	must(t, page.GetByTestId("rotate").Click())
	if err := expect.Locator(big).ToHaveAttribute("data-rotate", "90"); err != nil {
		t.Errorf("rotate: %v", err)
	}
	if turned := boundingBox(t, big); turned.Height <= turned.Width {
		t.Errorf("rotate: the image is %vx%v on screen, want it standing (taller than wide)", turned.Width, turned.Height)
	}
	must(t, page.Keyboard().Press("Escape"))
	if err := expect.Locator(box).ToBeHidden(); err != nil {
		t.Errorf("Escape: %v", err)
	}

	// Fraud and mismatch tags with their plain-language line.
	kovalenko, ok := env.seed.markIDCase("kovalenko")
	if !ok {
		t.Fatal("no seeded case kovalenko")
	}
	for _, tag := range kovalenko.fraud {
		line := page.Locator(`[data-testid=fraud-tag] [data-tag="` + tag + `"]`)
		if err := expect.Locator(line.Locator("code")).ToHaveText(tag); err != nil {
			t.Errorf("fraud tag %s: %v", tag, err)
			continue
		}
		want := views.FraudTagExplanation(tag)
		if want == "" {
			t.Fatalf("the vocabulary has no explanation of %s", tag)
		}
		if err := expect.Locator(line.Locator(".tag-explain")).ToHaveText(want); err != nil {
			t.Errorf("fraud tag %s explanation: %v", tag, err)
		}
	}
	for _, tag := range kovalenko.mismatch {
		line := page.Locator(`[data-testid=mismatch-tag] [data-tag="` + tag + `"]`)
		if err := expect.Locator(line.Locator(".tag-explain")).ToHaveText(views.MismatchTagExplanation(tag)); err != nil {
			t.Errorf("mismatch tag %s explanation: %v", tag, err)
		}
	}
	if err := expect.Locator(page.Locator(".tag-unknown")).ToHaveCount(0); err != nil {
		t.Errorf("a tag is shown as not in the vocabulary: %v", err)
	}

	// The IP country differs from the document's: flagged here, and not on a case where they agree.
	geo := page.Locator(`[data-testid=flag][data-flag=ip-country]`)
	if err := expect.Locator(geo).ToContainText("IP country AE ≠ document UA"); err != nil {
		t.Errorf("geo mismatch flag: %v", err)
	}
	gotoPath(t, page, env.casePath(t, "beridze"))
	if err := expect.Locator(page.GetByTestId("case-name")).ToHaveText("TAMAZ BERIDZE"); err != nil {
		t.Fatal(err)
	}
	if err := expect.Locator(page.Locator(`[data-testid=flag][data-flag=ip-country]`)).ToHaveCount(0); err != nil {
		t.Errorf("geo flag on a case whose IP and document countries agree (GE): %v", err)
	}
}

// identityImage is the image of one identity media slot (FRONT, BACK, FACE) on a Mark ID case.
func identityImage(page playwright.Page, kind string) playwright.Locator {
	return page.Locator(`[data-testid=media-panel] figure[data-kind="` + kind + `"] img[data-testid=media-image]`)
}

func boundingBox(t *testing.T, l playwright.Locator) *playwright.Rect {
	t.Helper()
	r, err := l.BoundingBox()
	if err != nil || r == nil {
		t.Fatalf("BoundingBox() = %v, %v", r, err)
	}
	return r
}

func mustText(t *testing.T, l playwright.Locator) string {
	t.Helper()
	s, err := l.TextContent()
	must(t, err)
	return s
}

func mustTexts(t *testing.T, l playwright.Locator) []string {
	t.Helper()
	s, err := l.AllTextContents()
	must(t, err)
	for i := range s {
		s[i] = strings.TrimSpace(s[i])
	}
	return s
}

// mediaResponses collects the /media/ responses a page gets. The event handler only keeps
// them: a Playwright call from inside a handler would block the event loop it runs on.
type mediaResponses struct {
	mu   sync.Mutex
	seen []playwright.Response
}

func (m *mediaResponses) record(r playwright.Response) {
	if u, err := url.Parse(r.URL()); err != nil || !strings.HasPrefix(u.Path, "/media/") {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seen = append(m.seen, r)
}

// mediaResponse is what a test checks of one response.
type mediaResponse struct {
	status       int
	rangeHeader  string
	contentRange string
}

// of returns the responses for path, with their Range and Content-Range headers.
func (m *mediaResponses) of(t *testing.T, path string) []mediaResponse {
	t.Helper()
	m.mu.Lock()
	seen := append([]playwright.Response(nil), m.seen...)
	m.mu.Unlock()
	var out []mediaResponse
	for _, r := range seen {
		if u, _ := url.Parse(r.URL()); u.Path != path {
			continue
		}
		rng, _ := r.Request().HeaderValue("range")
		cr, _ := r.HeaderValue("content-range")
		out = append(out, mediaResponse{status: r.Status(), rangeHeader: rng, contentRange: cr})
	}
	return out
}

func testVideo(t *testing.T, env *appEnv) {
	page := env.pageAs(t, "meera")
	failOnDialog(t, page)
	var responses mediaResponses
	page.OnResponse(responses.record)
	gotoPath(t, page, env.casePath(t, "sharma"))

	video := page.Locator(`figure[data-kind="` + store.MediaRecordedVideo + `"] video`)
	if err := expect.Locator(video).ToBeVisible(); err != nil {
		t.Fatalf("recorded call: %v", err)
	}
	src, err := video.GetAttribute("src")
	must(t, err)
	if _, err := page.WaitForFunction(`sel => { const v = document.querySelector(sel); return v && v.readyState >= 1 }`,
		`figure[data-kind="`+store.MediaRecordedVideo+`"] video`); err != nil {
		t.Fatalf("the video never loaded its metadata (readyState >= 1): %v", err)
	}

	// Playing moves time forward. Muted playback may start without a user gesture.
	played, err := video.Evaluate(`async v => {
		v.muted = true;
		const start = v.currentTime;
		await v.play();
		await new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('currentTime stayed at ' + v.currentTime)), 8000);
			const check = () => {
				if (v.currentTime > start + 0.3) { clearTimeout(timer); v.removeEventListener('timeupdate', check); resolve(); }
			};
			v.addEventListener('timeupdate', check);
			check();
		});
		v.pause();
		return {start: start, now: v.currentTime, duration: v.duration};
	}`, nil)
	if err != nil {
		t.Fatalf("play: %v", err)
	}
	p := played.(map[string]any)
	if toFloat(p["now"]) <= toFloat(p["start"]) {
		t.Errorf("play: currentTime went from %v to %v", p["start"], p["now"])
	}
	duration := toFloat(p["duration"])
	if math.IsInf(duration, 0) || math.IsNaN(duration) || duration < 1 {
		t.Fatalf("video duration = %v, want a finite length of seconds", p["duration"])
	}

	// Seeking to the middle lands there: the browser fetches that part with a Range request.
	seek, err := video.Evaluate(`async v => {
		const mid = v.duration / 2;
		const seeked = new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('no seeked event; currentTime ' + v.currentTime)), 8000);
			v.addEventListener('seeked', () => { clearTimeout(timer); resolve(); }, {once: true});
		});
		v.currentTime = mid;
		await seeked;
		return {mid: mid, now: v.currentTime, ready: v.readyState};
	}`, nil)
	if err != nil {
		t.Fatalf("seek: %v", err)
	}
	s := seek.(map[string]any)
	if mid, now := toFloat(s["mid"]), toFloat(s["now"]); math.Abs(now-mid) > 0.1 {
		t.Errorf("seek to the middle: currentTime = %v, want %v", now, mid)
	}
	if toFloat(s["ready"]) < 2 {
		t.Errorf("after seeking: readyState = %v, want a decoded frame (>= 2)", s["ready"])
	}
	var partial []mediaResponse
	got := responses.of(t, src)
	for _, r := range got {
		if r.status == 206 && strings.HasPrefix(r.contentRange, "bytes ") {
			partial = append(partial, r)
		}
	}
	if len(partial) == 0 {
		t.Errorf("no 206 Partial Content answer for %s; responses: %+v", src, got)
	}

	// And a range from the middle of the file, asked for explicitly, comes back as just that range.
	mid := evalTo[map[string]any](t, page, `async src => {
		const r = await fetch(src, {headers: {Range: 'bytes=1000-1999'}});
		return {status: r.status, range: r.headers.get('Content-Range') || '', length: (await r.arrayBuffer()).byteLength};
	}`, src)
	if toFloat(mid["status"]) != 206 || toFloat(mid["length"]) != 1000 || !strings.HasPrefix(mid["range"].(string), "bytes 1000-1999/") {
		t.Errorf("GET %s with Range: bytes=1000-1999 = %v, want 206 with those 1000 bytes", src, mid)
	}
}

// toFloat reads a number Playwright returned (int or float64).
func toFloat(v any) float64 {
	switch n := v.(type) {
	case int:
		return float64(n)
	case int64:
		return float64(n)
	case float64:
		return n
	}
	return math.NaN()
}

func testInstructions(t *testing.T, env *appEnv) {
	page := env.pageAs(t, "meera")
	failOnDialog(t, page)
	gotoPath(t, page, env.casePath(t, "sharma"))
	panel := page.GetByTestId("instructions")
	items := panel.GetByTestId("instruction")
	if err := expect.Locator(items).ToHaveCount(len(sharmaInstructions)); err != nil {
		t.Fatalf("instructions: %v", err)
	}
	option := func(lang string) playwright.Locator {
		return panel.Locator(`[data-testid=lang-option][data-lang="` + lang + `"]`)
	}
	text := func(i int, lang string) playwright.Locator {
		return items.Nth(i).Locator(`[data-testid=instruction-text][data-lang="` + lang + `"]`)
	}
	translation := func(in vcipInstruction, lang string) string {
		for _, kv := range in.translations {
			if kv[0] == lang {
				return kv[1]
			}
		}
		t.Fatalf("no %s translation of %q in the seed", lang, in.text)
		return ""
	}

	// Away from Hindi first, so that switching to it is a change the test can see.
	must(t, option("KANNADA").Click())
	if err := expect.Locator(option("KANNADA")).ToHaveAttribute("aria-current", "true"); err != nil {
		t.Fatalf("Kannada chosen: %v", err)
	}
	if err := expect.Locator(text(0, "HINDI")).ToBeHidden(); err != nil {
		t.Errorf("Hindi still shown with Kannada chosen: %v", err)
	}
	if err := expect.Locator(text(0, "KANNADA")).ToHaveAttribute("lang", "kn"); err != nil {
		t.Errorf("Kannada text: %v", err)
	}

	must(t, option("HINDI").Click())
	if err := expect.Locator(option("HINDI")).ToHaveAttribute("aria-current", "true"); err != nil {
		t.Fatalf("Hindi chosen: %v", err)
	}
	for i, in := range sharmaInstructions {
		hindi := text(i, "HINDI")
		if err := expect.Locator(hindi).ToBeVisible(); err != nil {
			t.Errorf("instruction %d: Hindi not shown: %v", i+1, err)
			continue
		}
		if err := expect.Locator(hindi).ToHaveText(translation(in, "HINDI")); err != nil {
			t.Errorf("instruction %d: %v", i+1, err)
		}
		if err := expect.Locator(hindi).ToHaveAttribute("lang", "hi"); err != nil {
			t.Errorf("instruction %d: %v", i+1, err)
		}
		if err := expect.Locator(text(i, "KANNADA")).ToBeHidden(); err != nil {
			t.Errorf("instruction %d: Kannada still shown: %v", i+1, err)
		}
		if err := expect.Locator(items.Nth(i).Locator(".instruction-en")).ToHaveText(in.text); err != nil {
			t.Errorf("instruction %d: English beside the translation: %v", i+1, err)
		}
	}
	if err := expect.Page(page).ToHaveURL(regexp.MustCompile(`[?&]lang=HINDI`)); err != nil {
		t.Errorf("the address does not keep the language: %v", err)
	}
	// The choice is remembered for the browser session: the case opened again without ?lang=
	// (the server would pick the customer's language) shows Hindi again.
	gotoPath(t, page, env.casePath(t, "sharma"))
	if err := expect.Locator(option("HINDI")).ToHaveAttribute("aria-current", "true"); err != nil {
		t.Errorf("the case opened again forgot the chosen language: %v", err)
	}
	if err := expect.Locator(text(0, "HINDI")).ToBeVisible(); err != nil {
		t.Errorf("the case opened again does not show Hindi: %v", err)
	}

	// The Devanagari renders with a real font, not as boxes. The panel's picture is kept in
	// e2e/artifacts/ for a person to look at.
	if err := os.MkdirAll(artifactsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(artifactsDir, "instructions-hindi.png")
	if _, err := panel.Screenshot(playwright.LocatorScreenshotOptions{Path: playwright.String(shot)}); err != nil {
		t.Fatalf("screenshot of the instructions: %v", err)
	}
	checkDevanagariRenders(t, page, text(0, "HINDI"))
}

// checkDevanagariRenders fails unless the text of el is drawn with a Devanagari font. Two
// checks, each of which fails on a machine without one (no fonts-noto-core): Chromium's own
// account of the fonts it used for the text (DevTools CSS.getPlatformFontsForNode), and the
// widths of the letters, which are all the same when every glyph is the missing-glyph box.
func checkDevanagariRenders(t *testing.T, page playwright.Page, el playwright.Locator) {
	t.Helper()
	if _, err := el.Evaluate(`el => el.setAttribute('data-e2e-font-probe', '')`, nil); err != nil {
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
	devanagari := false
	for _, f := range fonts.(map[string]any)["fonts"].([]any) {
		font := f.(map[string]any)
		used = append(used, fmt.Sprintf("%v (%v glyphs)", font["familyName"], font["glyphCount"]))
		if strings.Contains(fmt.Sprint(font["familyName"]), "Devanagari") && toFloat(font["glyphCount"]) > 0 {
			devanagari = true
		}
	}
	if !devanagari {
		t.Errorf("the Hindi text is drawn with %v, want a Devanagari font (install fonts-noto-core)", used)
	}

	widths, err := el.Evaluate(`el => {
		const probe = document.createElement('span');
		probe.style.font = getComputedStyle(el).font;
		probe.style.position = 'absolute';
		probe.style.whiteSpace = 'pre';
		document.body.appendChild(probe);
		const widths = {};
		for (const ch of ['क', 'म', 'र', 'ि', 'ा', 'ज', 'न']) {
			probe.textContent = ch;
			widths[ch] = probe.getBoundingClientRect().width;
		}
		probe.remove();
		return widths;
	}`, nil)
	must(t, err)
	distinct := map[float64]bool{}
	for _, w := range widths.(map[string]any) {
		distinct[math.Round(toFloat(w)*10)/10] = true
	}
	if len(distinct) < 3 {
		t.Errorf("Devanagari letters all measure the same (%v): they are drawn as missing-glyph boxes", widths)
	}
}

func testHostileData(t *testing.T, env *appEnv) {
	// The page's CSP would block an injected inline handler anyway; bypass it so that the
	// escaping is what is tested: if markup got through, the alert would fire and fail the test.
	page := env.pageAs(t, "meera", func(o *playwright.BrowserNewContextOptions) { o.BypassCSP = playwright.Bool(true) })
	failOnDialog(t, page)
	gotoPath(t, page, "/cases?tab=all")
	link := page.GetByTestId("row-link").Filter(playwright.LocatorFilterOptions{HasText: hostileImg})
	if err := expect.Locator(link).ToHaveText(hostileImg); err != nil {
		t.Fatalf("queue: the hostile name is not shown as text: %v", err)
	}
	assertNoInjectedMarkup(t, page, "queue")

	must(t, link.Click())
	if err := expect.Locator(page.GetByTestId("case-name")).ToHaveText(hostileImg); err != nil {
		t.Fatalf("case page: %v", err)
	}
	ua := page.Locator("[data-testid=geo-panel] tr").Filter(playwright.LocatorFilterOptions{HasText: "User agent"})
	if err := expect.Locator(ua.Locator("td")).ToContainText(hostileScript); err != nil {
		t.Errorf("the hostile user agent is not shown as text: %v", err)
	}
	if err := expect.Locator(page.GetByTestId("instructions")).ToContainText(hostileScript); err != nil {
		t.Errorf("the hostile instruction is not shown as text: %v", err)
	}
	assertNoInjectedMarkup(t, page, "case page")
	// Showing the hostile translation (HINDI, an <img>) must not create one either.
	must(t, page.Locator(`[data-testid=lang-option][data-lang=HINDI]`).Click())
	if err := expect.Locator(page.Locator(`[data-testid=instruction-text][data-lang=HINDI]`)).ToHaveText(hostileImg); err != nil {
		t.Errorf("the hostile translation: %v", err)
	}
	assertNoInjectedMarkup(t, page, "case page in Hindi")
}

// assertNoInjectedMarkup fails if the page holds an element with an inline event handler, the
// <img src=x> of the hostile strings, or a script that is not one of ours.
func assertNoInjectedMarkup(t *testing.T, page playwright.Page, where string) {
	t.Helper()
	found := evalTo[[]any](t, page, `() => {
		const bad = [];
		for (const el of document.querySelectorAll('*')) {
			for (const a of el.attributes) {
				if (a.name.startsWith('on')) bad.push(el.tagName + '[' + a.name + ']');
			}
		}
		for (const img of document.querySelectorAll('img')) {
			if (img.getAttribute('src') === 'x') bad.push('img[src=x]');
		}
		for (const s of document.scripts) {
			if (!s.src || new URL(s.src).origin !== location.origin || s.textContent.trim() !== '') bad.push('script ' + s.outerHTML.slice(0, 80));
		}
		return bad;
	}`)
	if len(found) > 0 {
		t.Errorf("%s: injected markup became elements: %v", where, found)
	}
}
