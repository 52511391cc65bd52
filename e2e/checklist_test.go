package e2e

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/playwright-community/playwright-go"

	"github.com/kycdesk/kycdesk/store"
)

// testChecklist: the concurrent audit of a video-KYC call in Chromium. The reviewer plays the
// recording, bookmarks three instructions with the keyboard as they are answered, sees the ticks
// on the marker bar, seeks by clicking one, dispositions every instruction and allows; the draft
// survives a reload; the supervisor sees the bookmarks read-only, seeks with them, and approves.
func testChecklist(t *testing.T, env *appEnv) {
	path := env.casePath(t, "sharma")
	a := env.pageAs(t, "meera")
	failOnDialog(t, a)
	must(t, a.SetViewportSize(1366, 768))
	gotoPath(t, a, path)
	must(t, a.GetByTestId("claim").Click())
	if err := expect.Locator(a.GetByTestId("decision-form")).ToBeVisible(); err != nil {
		t.Fatalf("claim: %v", err)
	}
	videoSel := `figure[data-kind="` + store.MediaRecordedVideo + `"] video`
	waitMetadata(t, a, videoSel)
	rows := a.Locator("[data-checklist-row]")
	if err := expect.Locator(rows).ToHaveCount(len(sharmaInstructions)); err != nil {
		t.Fatalf("checklist rows: %v", err)
	}
	if err := expect.Locator(a.GetByTestId("scrubber")).ToBeVisible(); err != nil {
		t.Fatalf("no marker bar under the recording: %v", err)
	}
	key := func(k string) {
		t.Helper()
		must(t, a.Keyboard().Press(k))
	}
	currentTime := func() float64 {
		return toFloat(evalTo[any](t, a, `sel => document.querySelector(sel).currentTime`, videoSel))
	}
	// waitPast waits (on the video's own progress, not a timer) until the recording has played beyond s.
	waitPast := func(s float64) {
		t.Helper()
		if _, err := a.Evaluate(`arg => new Promise((resolve, reject) => {
			const v = document.querySelector(arg.sel);
			const timer = setTimeout(() => reject(new Error('stuck at ' + v.currentTime + ', paused ' + v.paused)), 10000);
			const check = () => {
				if (v.currentTime > arg.s) { clearTimeout(timer); v.removeEventListener('timeupdate', check); resolve(0); }
			};
			v.addEventListener('timeupdate', check);
			check();
		})`, map[string]any{"sel": videoSel, "s": s}); err != nil {
			t.Fatalf("the recording did not play past %.2f s: %v", s, err)
		}
	}
	// Muted, so that playback may start from a key press without a click first.
	evalTo[any](t, a, `sel => { const v = document.querySelector(sel); v.muted = true; document.activeElement && document.activeElement.blur(); return 0 }`, videoSel)

	key(" ")
	waitPast(0.3)
	var marks []float64
	for i := range 3 {
		key("b")
		ms, err := rows.Nth(i).GetAttribute("data-bookmark-ms")
		must(t, err)
		v, err := strconv.ParseFloat(ms, 64)
		if err != nil {
			t.Fatalf("row %d bookmark = %q: %v", i+1, ms, err)
		}
		marks = append(marks, v/1000)
		if err := expect.Locator(rows.Nth(i).GetByTestId("save-state")).ToHaveText("Saved"); err != nil {
			t.Errorf("row %d bookmark not saved: %v", i+1, err)
		}
		waitPast(v/1000 + 0.6)
	}
	key(" ")
	if paused := evalTo[bool](t, a, `sel => document.querySelector(sel).paused`, videoSel); !paused {
		t.Error("space did not pause the recording")
	}
	if !(marks[0] < marks[1] && marks[1] < marks[2]) {
		t.Errorf("bookmarks = %v s, want three moments in playing order", marks)
	}
	ticks := a.GetByTestId("bookmark-tick")
	if err := expect.Locator(ticks).ToHaveCount(3); err != nil {
		t.Fatalf("ticks on the marker bar: %v", err)
	}
	for i := range 3 {
		if err := expect.Locator(ticks.Nth(i)).ToBeVisible(); err != nil {
			t.Errorf("tick %d: %v", i+1, err)
		}
	}
	// The current instruction moved on with each b (and stays on the last); [ and ] move it.
	last := len(sharmaInstructions) - 1
	if err := expect.Locator(rows.Nth(last)).ToHaveAttribute("aria-current", "step"); err != nil {
		t.Errorf("after three bookmarks the last instruction is not current: %v", err)
	}
	key("[")
	if err := expect.Locator(rows.Nth(last-1)).ToHaveAttribute("aria-current", "step"); err != nil {
		t.Errorf("[ did not go back an instruction: %v", err)
	}
	key("]")
	if err := expect.Locator(rows.Nth(last)).ToHaveAttribute("aria-current", "step"); err != nil {
		t.Errorf("] did not go to the next instruction: %v", err)
	}

	// A click on the first tick seeks there; → goes 5 s on.
	seekTo := func(click func()) float64 {
		t.Helper()
		evalTo[any](t, a, `sel => { const v = document.querySelector(sel); window.__seeked = new Promise(r => v.addEventListener('seeked', r, {once: true})); return 0 }`, videoSel)
		click()
		evalTo[any](t, a, `() => window.__seeked.then(() => 0)`)
		return currentTime()
	}
	if got := seekTo(func() { must(t, ticks.Nth(0).Click()) }); math.Abs(got-marks[0]) > 0.05 {
		t.Errorf("click on tick 1: currentTime = %.3f, want %.3f", got, marks[0])
	}
	evalTo[any](t, a, `() => { document.activeElement && document.activeElement.blur(); return 0 }`)
	before := currentTime()
	if got := seekTo(func() { key("ArrowRight") }); math.Abs(got-math.Min(before+5, toFloat(evalTo[any](t, a, `sel => document.querySelector(sel).duration`, videoSel)))) > 0.05 {
		t.Errorf("→ from %.2f s: currentTime = %.2f, want 5 s later", before, got)
	}

	// Dispositions: all but the last satisfactory, the last unclear with a note. Each row saves itself.
	for i := range last {
		must(t, rows.Nth(i).GetByTestId("disp-satisfactory").Check())
		if err := expect.Locator(rows.Nth(i).GetByTestId("save-state")).ToHaveText("Saved"); err != nil {
			t.Errorf("row %d disposition not saved: %v", i+1, err)
		}
	}
	must(t, rows.Nth(last).GetByTestId("disp-unclear").Check())
	must(t, rows.Nth(last).GetByTestId("checklist-note").Fill("Answered off camera; the screenshot shows the card."))
	if err := expect.Locator(rows.Nth(last).GetByTestId("save-state")).ToHaveText("Saved"); err != nil {
		t.Errorf("last row not saved: %v", err)
	}
	if err := expect.Locator(a.GetByTestId("checklist-progress")).ToHaveText(strconv.Itoa(last+1) + " of " + strconv.Itoa(last+1) + " dispositioned · 3 bookmarked"); err != nil {
		t.Errorf("progress: %v", err)
	}
	if os.Getenv("KYCDESK_CHECKLIST_SHOTS") != "" {
		m := env.pageAs(t, "ines")
		gotoPath(t, m, env.casePath(t, "kovalenko"))
		shots(t, m, "markid-checklist", "signal-checklist")
		for _, size := range []struct{ w, h int }{{1366, 768}, {1920, 1080}} {
			must(t, a.SetViewportSize(size.w, size.h))
			evalTo[any](t, a, `() => { document.querySelector("[data-testid=media-panel]").scrollIntoView(); window.scrollTo(0, 0); return 0 }`)
			_, err := a.Screenshot(playwright.PageScreenshotOptions{Path: playwright.String(filepath.Join(artifactsDir,
				"checklist-"+strconv.Itoa(size.w)+".png"))})
			must(t, err)
		}
		must(t, a.SetViewportSize(1366, 768))
	}

	// The draft survives a reload.
	gotoPath(t, a, path)
	if err := expect.Locator(a.GetByTestId("bookmark-tick")).ToHaveCount(3); err != nil {
		t.Errorf("ticks after reload: %v", err)
	}
	if err := expect.Locator(rows.Nth(last).GetByTestId("disp-unclear")).ToBeChecked(); err != nil {
		t.Errorf("disposition after reload: %v", err)
	}
	if err := expect.Locator(rows.Nth(last).GetByTestId("checklist-note")).ToHaveValue("Answered off camera; the screenshot shows the card."); err != nil {
		t.Errorf("note after reload: %v", err)
	}

	must(t, a.GetByTestId("outcome-allow").Check())
	_, err := a.GetByTestId("reason").SelectOption(playwright.SelectOptionValues{Values: &[]string{"face_matches"}})
	must(t, err)
	must(t, a.GetByTestId("confirm").Check())
	must(t, a.GetByTestId("then-next").Uncheck())
	must(t, a.GetByTestId("record-decision").Click())
	if err := expect.Locator(a.GetByTestId("flash")).ToContainText("waits for a supervisor's second approval"); err != nil {
		t.Fatalf("allow: %v (%s)", err, mustText(t, a.Locator("main")))
	}

	// The supervisor sees the bookmarks, read-only, seeks with them and approves.
	b := env.pageAs(t, "grace")
	dialogs := failOnDialog(t, b)
	dialogs.acceptConfirms()
	gotoPath(t, b, path)
	if err := expect.Locator(b.GetByTestId("checklist-frozen")).ToContainText("Meera Iyer"); err != nil {
		t.Errorf("frozen checklist: %v", err)
	}
	if err := expect.Locator(b.Locator("[data-disposition-choice]")).ToHaveCount(0); err != nil {
		t.Errorf("the supervisor can change the dispositions: %v", err)
	}
	bt := b.GetByTestId("bookmark-tick")
	if err := expect.Locator(bt).ToHaveCount(3); err != nil {
		t.Fatalf("supervisor's ticks: %v", err)
	}
	waitMetadata(t, b, videoSel)
	evalTo[any](t, b, `sel => { const v = document.querySelector(sel); window.__seeked = new Promise(r => v.addEventListener('seeked', r, {once: true})); return 0 }`, videoSel)
	must(t, bt.Nth(1).Click())
	evalTo[any](t, b, `() => window.__seeked.then(() => 0)`)
	if got := toFloat(evalTo[any](t, b, `sel => document.querySelector(sel).currentTime`, videoSel)); math.Abs(got-marks[1]) > 0.05 {
		t.Errorf("supervisor's click on tick 2: currentTime = %.3f, want %.3f", got, marks[1])
	}
	expectContainsAll(t, "decision history", b.GetByTestId("timeline-checklist"), "satisfactory", "unclear", "Answered off camera")
	must(t, b.GetByTestId("approve").Click())
	if err := expect.Locator(b.GetByTestId("flash")).ToContainText("Second approval recorded."); err != nil {
		t.Fatalf("approve: %v", err)
	}
}

// waitMetadata waits for the video's loadedmetadata (its duration known), on the event itself.
func waitMetadata(t *testing.T, page playwright.Page, sel string) {
	t.Helper()
	if _, err := page.Evaluate(`sel => new Promise((resolve, reject) => {
		const v = document.querySelector(sel);
		if (v.readyState >= 1 && isFinite(v.duration)) return resolve(0);
		const timer = setTimeout(() => reject(new Error('readyState ' + v.readyState)), 10000);
		v.addEventListener('loadedmetadata', () => { clearTimeout(timer); resolve(0); }, {once: true});
	})`, sel); err != nil {
		t.Fatalf("the recording never loaded its metadata: %v", err)
	}
}
