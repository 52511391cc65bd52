package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/playwright-community/playwright-go"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// faceVideo is a WebM video made in Chromium for a test: face-api's sample photographs drawn on a
// canvas and encoded to VP8 by the browser's own encoder (WebCodecs), then put into a WebM file
// (muxWebM). Each frame's time is set, not measured, so the test knows to the millisecond where
// each face shows. (canvas.captureStream with MediaRecorder works in headless Chromium too, but it
// stamps frames as they are captured: on the loaded 2-core machine 13 s of drawing came out as
// anything from 3.5 to 13.7 s of video, the faces at times nobody could predict.) Nothing of it is
// written to the repository.
type faceVideo struct {
	webm     []byte
	noLength []byte     // the same frames in a WebM file without duration or cues
	duration float64    // seconds
	same     [2]float64 // from, until (seconds): the document's person fills the frame
	other    [2]float64 // from, until: someone else
}

// The face video's timeline in seconds: nobody, the document's person, nobody, someone else, nobody.
// The comparison samples every 2 s (0, 2, 4, 6, 8), so each person is sampled once.
var faceVideoTimeline = faceVideo{duration: 9, same: [2]float64{1, 3}, other: [2]float64{5, 7}}

// faceVideoPage draws each frame of the timeline on a 640×480 canvas and encodes it with
// VideoEncoder (VP8, 5 frames a second, a key frame each second). It returns the frames' bytes
// (base64, one string) and for each frame its time, key flag, offset and length.
const faceVideoPage = `<!doctype html><html><body><script>
window.encode = async (p) => {
  const crop = async (src, [sx, sy, sw, sh]) => {
    const img = new Image(); img.src = src; await img.decode();
    return createImageBitmap(img, sx, sy, sw, sh, { resizeWidth: 640, resizeHeight: 480, resizeQuality: 'high' });
  };
  const same = await crop('/same.jpg', p.sameFrame), other = await crop('/other.jpg', p.otherFrame);
  const c = new OffscreenCanvas(640, 480), g = c.getContext('2d');
  const draw = (s) => {
    g.fillStyle = '#9aa4ad';
    g.fillRect(0, 0, 640, 480);
    if (s >= p.same[0] && s < p.same[1]) g.drawImage(same, 0, 0);
    if (s >= p.other[0] && s < p.other[1]) g.drawImage(other, 0, 0);
  };
  const config = { codec: 'vp8', width: 640, height: 480, bitrate: 1500000, framerate: p.fps };
  if (!(await VideoEncoder.isConfigSupported(config)).supported) throw new Error('this Chromium has no VP8 encoder');
  const frames = [], parts = [];
  let offset = 0, failed = null;
  const enc = new VideoEncoder({
    output: (chunk) => {
      const b = new Uint8Array(chunk.byteLength);
      chunk.copyTo(b);
      frames.push({ ms: Math.round(chunk.timestamp / 1000), key: chunk.type === 'key', offset, length: b.length });
      parts.push(b);
      offset += b.length;
    },
    error: (e) => { failed = e; },
  });
  enc.configure(config);
  for (let i = 0; i < p.fps * p.duration; i++) {
    draw(i / p.fps);
    const f = new VideoFrame(c, { timestamp: Math.round(i * 1e6 / p.fps), duration: Math.round(1e6 / p.fps) });
    enc.encode(f, { keyFrame: i % p.fps === 0 });
    f.close();
  }
  await enc.flush();
  if (failed) throw failed;
  const data = await new Promise((r) => { const fr = new FileReader(); fr.onload = () => r(fr.result); fr.readAsDataURL(new Blob(parts)); });
  return { data: data.slice(data.indexOf(',') + 1), frames };
};
</script></body></html>`

// framedPhoto is a photograph and the part of it (x, y, width, height in pixels, 4:3) the "camera"
// of a face video shows: a video call fills the frame with the face, a photo of a room does not.
type framedPhoto struct {
	data  []byte
	frame [4]int
}

// The two face-api 1.7.15 samples the face videos show, framed around the largest face.
var (
	sample2Framing = [4]int{1120, 0, 800, 600} // the one face (at 1404,178, 271×252 px)
	sample6Framing = [4]int{0, 320, 900, 675}  // the largest of five faces (at 185,517, 329×291 px)
)

// recordFaceVideo makes the faceVideoTimeline video with same and other as the two people.
func recordFaceVideo(t testing.TB, same, other framedPhoto) faceVideo {
	t.Helper()
	files := map[string][]byte{"/same.jpg": same.data, "/other.jpg": other.data, "/": []byte(faceVideoPage)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	defer srv.Close()
	browser, err := chromium.get()
	if err != nil {
		t.Fatal(err)
	}
	ctx, err := browser.NewContext(playwright.BrowserNewContextOptions{BaseURL: playwright.String(srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Close()
	ctx.SetDefaultTimeout(120000)
	page, err := ctx.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := page.Goto("/"); err != nil {
		t.Fatal(err)
	}
	fv := faceVideoTimeline
	const fps = 5
	got, err := page.Evaluate(`p => window.encode(p)`, map[string]any{"fps": fps, "duration": fv.duration,
		"same": fv.same[:], "other": fv.other[:], "sameFrame": same.frame[:], "otherFrame": other.frame[:]})
	if err != nil {
		t.Fatalf("encode a face video in Chromium: %v", err)
	}
	m, _ := got.(map[string]any)
	data, err := base64.StdEncoding.DecodeString(m["data"].(string))
	if err != nil {
		t.Fatal(err)
	}
	list, _ := m["frames"].([]any)
	frames := make([]webmFrame, 0, len(list))
	for _, f := range list {
		f, _ := f.(map[string]any)
		off, n := int(toFloat(f["offset"])), int(toFloat(f["length"]))
		key, _ := f["key"].(bool)
		frames = append(frames, webmFrame{ms: int64(toFloat(f["ms"])), key: key, data: data[off : off+n]})
	}
	if want := int(fv.duration * fps); len(frames) != want || !frames[0].key {
		t.Fatalf("the encoder returned %d frames (first a key frame: %v), want %d", len(frames), len(frames) > 0 && frames[0].key, want)
	}
	fv.webm = muxWebM(frames, 640, 480, int64(fv.duration*1000))
	fv.noLength = muxWebM(frames, 640, 480, 0)
	return fv
}

// TestVideoFaceRecording: a video-KYC session whose recording is a real video with real faces
// (recordFaceVideo: the document's person, then someone else) and whose document photo is that
// person. Through the real webhook and media archive, the case page's comparison must pick a frame
// from the seconds the document's person is on screen (not the other person's), a click on its
// time must seek the player there, and a decision must carry the score and the frame's time into
// its audit entry.
func TestVideoFaceRecording(t *testing.T) {
	dir := faceSamples(t)
	person, err := os.ReadFile(filepath.Join(dir, "sample2.jpg")) // one face
	must(t, err)
	others, err := os.ReadFile(filepath.Join(dir, "sample6.jpg")) // five faces, none of them that one
	must(t, err)
	fv := recordFaceVideo(t, framedPhoto{person, sample2Framing}, framedPhoto{others, sample6Framing})

	files := map[string]mediaFile{"/doc.jpg": {"image/jpeg", person}, "/recording.webm": {"video/webm", fv.webm},
		"/nolength.webm": {"video/webm", fv.noLength}}
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.contentType)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.data))
	}))
	t.Cleanup(media.Close)
	env := startApp(t, withoutHostileCase())
	const session = "vk-facevideo-0001"
	body := webtest.VCIP{SessionID: session, Name: "FACE IN VIDEO", Country: "IN", Region: "Kerala", City: "Kochi",
		IP: "49.36.7.7", Latitude: "9.9312", Longitude: "76.2673", DocumentImages: []string{media.URL + "/doc.jpg"},
		VideoURL: media.URL + "/recording.webm"}.Body()
	env.postWebhook(t, delivery{key: "facevideo", source: store.SourceVCIP, body: body, media: 2})
	id := waitArchived(t, env, store.SourceVCIP, session, 2)
	const noLengthSession = "vk-facevideo-0002"
	body = webtest.VCIP{SessionID: noLengthSession, Name: "FACE IN VIDEO", Country: "IN", Region: "Kerala", City: "Kochi",
		IP: "49.36.7.7", Latitude: "9.9312", Longitude: "76.2673", DocumentImages: []string{media.URL + "/doc.jpg"},
		VideoURL: media.URL + "/nolength.webm"}.Body()
	env.postWebhook(t, delivery{key: "facevideo-nolength", source: store.SourceVCIP, body: body, media: 2})
	noLengthID := waitArchived(t, env, store.SourceVCIP, noLengthSession, 2)

	page := env.pageAs(t, "meera")
	failOnDialog(t, page).acceptConfirms()
	allowVideoFace(t, page)
	gotoPath(t, page, fmt.Sprintf("/cases/%d", id))
	must(t, page.GetByTestId("claim").Click())
	if err := expect.Locator(page.GetByTestId("decision-form")).ToBeVisible(); err != nil {
		t.Fatalf("claim: %v", err)
	}
	panel := page.GetByTestId("video-face")
	if err := expect.Locator(panel).ToHaveAttribute("data-face-state", regexpAny, playwright.LocatorAssertionsToHaveAttributeOptions{Timeout: playwright.Float(120000)}); err != nil {
		t.Fatalf("the video face comparison never finished: %v (%s)", err, mustText(t, panel))
	}
	if state, _ := panel.GetAttribute("data-face-state"); state != "done" {
		t.Fatalf("video face comparison state %q, want done: %s", state, mustText(t, panel.GetByTestId("video-face-status")))
	}
	best := panel.GetByTestId("video-face-best")
	msText, err := best.GetAttribute("data-ms")
	must(t, err)
	ms, err := strconv.Atoi(msText)
	must(t, err)
	score, err := strconv.Atoi(strings.TrimSpace(mustText(t, panel.GetByTestId("face-similarity"))))
	if err != nil {
		t.Fatalf("similarity: %v", err)
	}
	frames, _ := panel.GetAttribute("data-face-frames")
	took, _ := panel.GetAttribute("data-face-ms")
	t.Logf("best frame at %d ms, similarity %d; %s frames compared in %s ms (performance.now)", ms, score, frames, took)
	at := float64(ms) / 1000
	if at < fv.same[0] || at >= fv.same[1] {
		t.Errorf("best frame at %.2f s, want within %.1f-%.1f s where the document's person shows (someone else at %.1f-%.1f s)",
			at, fv.same[0], fv.same[1], fv.other[0], fv.other[1])
	}
	if score < views.FaceThreshold {
		t.Errorf("the document's person in the video scores %d, want at least the threshold %d", score, views.FaceThreshold)
	}
	if err := expect.Locator(panel.GetByTestId("face-verdict")).ToHaveText("likely the same person"); err != nil {
		t.Errorf("verdict: %v", err)
	}
	if err := expect.Locator(best).ToHaveText("best frame at " + fmt.Sprintf("%d:%02d", ms/60000, ms/1000%60)); err != nil {
		t.Errorf("best frame's time: %v", err)
	}

	// A click on the best frame's time seeks the reviewer's player to that frame.
	videoSel := `figure[data-kind="` + store.MediaRecordedVideo + `"] video`
	waitMetadata(t, page, videoSel)
	evalTo[any](t, page, `sel => { const v = document.querySelector(sel); window.__seeked = new Promise(r => v.addEventListener('seeked', r, {once: true})); return 0 }`, videoSel)
	must(t, best.Click())
	evalTo[any](t, page, `() => window.__seeked.then(() => 0)`)
	if got := toFloat(evalTo[any](t, page, `sel => document.querySelector(sel).currentTime`, videoSel)); math.Abs(got-at) > 0.002 {
		t.Errorf("after a click on the best frame the player is at %.3f s, want %.3f s", got, at)
	}

	// The decision carries the score, the model and the frame's time into its audit entry.
	form := func(name string) string {
		return evalTo[string](t, page, `n => document.querySelector('[data-testid=decision-form] [name=' + n + ']').value`, name)
	}
	if form("face_score") != strconv.Itoa(score) || form("face_frame_ms") != msText {
		t.Errorf("decision form face_score %q, face_frame_ms %q; want %d and %s as shown", form("face_score"), form("face_frame_ms"), score, msText)
	}
	must(t, page.GetByTestId("outcome-decline").Check())
	_, err = page.GetByTestId("reason").SelectOption(playwright.SelectOptionValues{Values: &[]string{"poor_quality"}})
	must(t, err)
	must(t, page.GetByTestId("note").Fill("Declined to test the recorded face score."))
	must(t, page.GetByTestId("confirm").Check())
	must(t, page.GetByTestId("then-next").Uncheck())
	must(t, page.GetByTestId("record-decision").Click())
	if err := expect.Locator(page.GetByTestId("flash")).ToBeVisible(); err != nil {
		t.Fatalf("decision: %v", err)
	}
	entries, _, err := env.app.DB().ListAudit(context.Background(), store.AuditFilter{CaseID: id, Action: "case.decision"}, 0, 10)
	must(t, err)
	if len(entries) != 1 {
		t.Fatalf("audit entries of the decision = %d, want 1", len(entries))
	}
	var details struct {
		FaceMatch *struct {
			Score   *float64 `json:"score"`
			Model   string   `json:"model"`
			FrameMS *int64   `json:"frame_ms"`
		} `json:"face_match"`
	}
	must(t, json.Unmarshal([]byte(entries[0].DetailsJSON), &details))
	fm := details.FaceMatch
	switch {
	case fm == nil || fm.Score == nil || fm.FrameMS == nil:
		t.Errorf("decision audit details = %s, want a face_match with score and frame_ms", entries[0].DetailsJSON)
	case int(*fm.Score) != score || *fm.FrameMS != int64(ms) || fm.Model != views.FaceModel:
		t.Errorf("audited face_match = score %v, frame_ms %v, model %q; want %d, %d, %q",
			*fm.Score, *fm.FrameMS, fm.Model, score, ms, views.FaceModel)
	}

	// A recording whose file gives no duration (a live recording's WebM may not) ends the
	// comparison too, with a result or a sentence, instead of sampling without end.
	gotoPath(t, page, fmt.Sprintf("/cases/%d", noLengthID))
	panel = page.GetByTestId("video-face")
	if err := expect.Locator(panel).ToHaveAttribute("data-face-state", regexpAny, playwright.LocatorAssertionsToHaveAttributeOptions{Timeout: playwright.Float(120000)}); err != nil {
		t.Fatalf("the comparison of a recording without a duration never finished: %v (%s)", err, mustText(t, panel))
	}
	state, _ := panel.GetAttribute("data-face-state")
	frames, _ = panel.GetAttribute("data-face-frames")
	t.Logf("recording without a duration: state %s, %s frames: %s", state, frames, mustText(t, panel.GetByTestId("video-face-status")))
	if state != "done" {
		t.Fatalf("recording without a duration: comparison state %q, want done", state)
	}
	if n, _ := strconv.Atoi(frames); n < 1 || n > int(fv.duration/2)+1 {
		t.Errorf("recording without a duration: %d frames sampled, want 1 to %d", n, int(fv.duration/2)+1)
	}
	msText, _ = panel.GetByTestId("video-face-best").GetAttribute("data-ms")
	if ms, _ := strconv.Atoi(msText); float64(ms)/1000 < fv.same[0] || float64(ms)/1000 >= fv.same[1] {
		t.Errorf("recording without a duration: best frame at %d ms, want within %.1f-%.1f s", ms, fv.same[0], fv.same[1])
	}
}

// waitArchived waits until the case of source and ref exists with n media archived, and returns its ID.
func waitArchived(t *testing.T, env *appEnv, source store.Source, ref string, n int) int64 {
	t.Helper()
	ctx := context.Background()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ids, err := env.app.DB().CasesByRef(ctx, source, []string{ref})
		must(t, err)
		archived := 0
		if id := ids[ref]; id != 0 {
			ms, err := env.app.DB().CaseMedia(ctx, id)
			must(t, err)
			for _, m := range ms {
				if m.State == store.MediaStateArchived {
					archived++
				}
			}
			if archived == n {
				return id
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("case %s: after 30s %d of %d media archived", ref, archived, n)
		}
		<-tick.C
	}
}
