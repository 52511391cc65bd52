package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/playwright-community/playwright-go"
)

// artifactsDir receives a screenshot and the HTML of each failed test's page (gitignored).
const artifactsDir = "artifacts"

// newPage opens a page in a fresh browser context (own cookies and storage) with a fixed
// viewport, locale and time zone, so that screenshots and dates come out the same everywhere.
// When the test has failed, cleanup saves the page to e2e/artifacts/ before closing it.
func newPage(t *testing.T, baseURL string) playwright.Page {
	t.Helper()
	return newPageWith(t, baseURL)
}

// contextOption adjusts the options of a new browser context, e.g. to load a signed-in
// storage state or to bypass the page's Content-Security-Policy.
type contextOption func(*playwright.BrowserNewContextOptions)

// newPageWith is newPage with adjusted context options.
func newPageWith(t *testing.T, baseURL string, opts ...contextOption) playwright.Page {
	t.Helper()
	browser, err := chromium.get()
	if err != nil {
		t.Fatalf("e2e: browser: %v", err)
	}
	o := playwright.BrowserNewContextOptions{
		BaseURL:    playwright.String(baseURL),
		Viewport:   &playwright.Size{Width: 1366, Height: 768},
		Locale:     playwright.String("en-GB"),
		TimezoneId: playwright.String("Europe/London"),
	}
	for _, opt := range opts {
		opt(&o)
	}
	ctx, err := browser.NewContext(o)
	if err != nil {
		t.Fatalf("e2e: new browser context: %v", err)
	}
	// Fail within the test's time rather than Playwright's default 30 s per action.
	ctx.SetDefaultTimeout(15000)
	// Pages do not run the face comparisons: the photo one costs seconds of CPU on every Mark ID
	// case page, the video one samples the whole recording, and the suite shares two cores. Tests
	// about them (TestFaceCompare, the screenshots, the video face) call allowFaceCompare or
	// allowVideoFace. Flags the scripts read, not routes that abort them: a route's handler races
	// the context's Close in playwright-go (the race detector caught it in TestSignIn).
	if err := ctx.AddInitScript(playwright.Script{Content: playwright.String(holdFace + "; " + holdVideoFace)}); err != nil {
		_ = ctx.Close()
		t.Fatalf("e2e: hold back the face comparisons: %v", err)
	}
	page, err := ctx.NewPage()
	if err != nil {
		_ = ctx.Close()
		t.Fatalf("e2e: new page: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			saveArtifacts(t, page)
		}
		if err := ctx.Close(); err != nil {
			t.Errorf("e2e: close browser context: %v", err)
		}
	})
	return page
}

// saveArtifacts writes a full-page screenshot and the HTML of page as e2e/artifacts/<test>.png/.html.
func saveArtifacts(t *testing.T, page playwright.Page) {
	t.Helper()
	if err := os.MkdirAll(artifactsDir, 0o755); err != nil {
		t.Logf("e2e: artifacts: %v", err)
		return
	}
	base := filepath.Join(artifactsDir, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
	if n := artifactsSaved.next(t.Name()); n > 1 { // a test with several browsers: one file each
		base += "-" + strconv.Itoa(n)
	}
	if _, err := page.Screenshot(playwright.PageScreenshotOptions{
		Path: playwright.String(base + ".png"), FullPage: playwright.Bool(true),
	}); err != nil {
		t.Logf("e2e: screenshot: %v", err)
	}
	html, err := page.Content()
	if err == nil {
		err = os.WriteFile(base+".html", []byte(html), 0o644)
	}
	if err != nil {
		t.Logf("e2e: page HTML: %v", err)
	}
	shown := filepath.Join("e2e", base) // the package runs in e2e/; people run make from the root
	t.Logf("e2e: page at failure (%s): %s.png, %s.html", page.URL(), shown, shown)
}

// artifactsSaved counts the pages saved per test in this run.
var artifactsSaved pageCounter

type pageCounter struct {
	mu sync.Mutex
	n  map[string]int
}

// next returns how many pages of test have been saved, this one included.
func (c *pageCounter) next(test string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[test]++
	return c.n[test]
}

// dialogGuard fails the test on any alert, confirm, prompt or beforeunload dialog the test
// did not ask for. Without it Playwright silently dismisses dialogs, hiding a surprise.
type dialogGuard struct {
	t         testing.TB
	mu        sync.Mutex
	done      bool     // the test is ending: t must not be used from the event goroutine
	accept    bool     // confirm dialogs are expected and accepted
	confirmed []string // messages of the confirms accepted
}

// failOnDialog makes any dialog on page fail t, until acceptConfirms says confirms are expected.
func failOnDialog(t testing.TB, page playwright.Page) *dialogGuard {
	t.Helper()
	g := &dialogGuard{t: t}
	page.OnDialog(g.handle)
	t.Cleanup(func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.done = true
	})
	return g
}

// acceptConfirms accepts every later confirm dialog (e.g. "Reject this case?") and records
// its message; alerts and prompts still fail the test.
func (g *dialogGuard) acceptConfirms() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.accept = true
}

// confirms returns the messages of the confirm dialogs accepted so far.
func (g *dialogGuard) confirms() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.confirmed...)
}

// handle runs on Playwright's event goroutine for each dialog.
func (g *dialogGuard) handle(d playwright.Dialog) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.accept && d.Type() == "confirm" {
		g.confirmed = append(g.confirmed, d.Message())
		if err := d.Accept(); err != nil && !g.done {
			g.t.Errorf("e2e: accept confirm %q: %v", d.Message(), err)
		}
		return
	}
	if !g.done {
		g.t.Errorf("e2e: unexpected %s dialog: %q", d.Type(), d.Message())
	}
	_ = d.Dismiss()
}

// smokeHTML is a page whose button changes the heading through an external script, and
// whose second button asks for confirmation first.
const smokeHTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Smoke</title>
<script src="/smoke.js" defer></script></head>
<body><h1 data-testid="status">Waiting</h1>
<button type="button" id="go">Verify</button>
<button type="button" id="reject">Reject</button></body></html>`

const smokeJS = `document.getElementById("go").addEventListener("click", () => {
  document.querySelector("[data-testid=status]").textContent = "Verified";
});
document.getElementById("reject").addEventListener("click", () => {
  if (confirm("Reject this case?")) {
    document.querySelector("[data-testid=status]").textContent = "Rejected";
  }
});`

// smokeServer serves smokeHTML at / and smokeJS at /smoke.js on 127.0.0.1.
func smokeServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, smokeHTML)
	})
	mux.HandleFunc("GET /smoke.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		fmt.Fprint(w, smokeJS)
	})
	srv := httptest.NewServer(mux) // listens on 127.0.0.1:0
	t.Cleanup(srv.Close)
	return srv
}

// TestBrowserSmoke proves the harness end to end: driver, Chromium, a loopback server,
// a click that runs an external script, and an expected confirm dialog.
func TestBrowserSmoke(t *testing.T) {
	srv := smokeServer(t)
	page := newPage(t, srv.URL)
	dialogs := failOnDialog(t, page)

	if _, err := page.Goto("/"); err != nil {
		t.Fatalf("Goto(/) = %v", err)
	}
	status := page.GetByTestId("status")
	if err := expect.Locator(status).ToHaveText("Waiting"); err != nil {
		t.Fatal(err)
	}
	if err := page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Verify"}).Click(); err != nil {
		t.Fatalf("click Verify: %v", err)
	}
	if err := expect.Locator(status).ToHaveText("Verified"); err != nil {
		t.Fatal(err)
	}

	dialogs.acceptConfirms()
	if err := page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Reject"}).Click(); err != nil {
		t.Fatalf("click Reject: %v", err)
	}
	if err := expect.Locator(status).ToHaveText("Rejected"); err != nil {
		t.Fatal(err)
	}
	if got, want := dialogs.confirms(), []string{"Reject this case?"}; !slices.Equal(got, want) {
		t.Errorf("confirms() = %q, want %q", got, want)
	}
}

// TestDialogGuardFailsOnUnexpectedConfirm checks that failOnDialog can fail a test.
func TestDialogGuardFailsOnUnexpectedConfirm(t *testing.T) {
	srv := smokeServer(t)
	page := newPage(t, srv.URL)
	rec := &recordingTB{TB: t}
	failOnDialog(rec, page)

	if _, err := page.Goto("/"); err != nil {
		t.Fatalf("Goto(/) = %v", err)
	}
	if err := page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Reject"}).Click(); err != nil {
		t.Fatalf("click Reject: %v", err)
	}
	// The page's script is blocked until the dialog is dismissed, and the guard records
	// before it dismisses: once this returns, the guard has seen the dialog.
	if _, err := page.Evaluate("() => document.title"); err != nil {
		t.Fatalf("Evaluate = %v", err)
	}
	// The guard dismissed the confirm, so the heading must not change.
	if err := expect.Locator(page.GetByTestId("status")).ToHaveText("Waiting"); err != nil {
		t.Fatal(err)
	}
	if got := rec.errors(); len(got) != 1 || !strings.Contains(got[0], `unexpected confirm dialog: "Reject this case?"`) {
		t.Errorf("guard reported %q, want one unexpected confirm", got)
	}
}

// recordingTB records Errorf calls instead of failing, to test helpers that fail tests.
type recordingTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recordingTB) errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}
