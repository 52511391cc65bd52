package web

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/evidence"
)

// cardPNG is a 200×100 white picture with a red "number" block at (20..100, 40..60).
func cardPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 200, 100))
	for y := 0; y < 100; y++ {
		for x := 0; x < 200; x++ {
			c := color.RGBA{255, 255, 255, 255}
			if x >= 20 && x < 100 && y >= 40 && y < 60 {
				c = color.RGBA{200, 0, 0, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// redactedCase posts a Mark ID case whose FRONT is archived as cardPNG and returns the case
// and the FRONT's media id.
func redactedCase(t *testing.T, ta *testApp, ref string) (int64, int64) {
	t.Helper()
	m := suspected(ref, "ASHA", "RAO")
	m.Files = map[string]string{"FRONT": "https://files.example.test/" + ref + "/front.png"}
	if r := ta.postMarkID(t, m.Body()); r.Status != http.StatusOK {
		t.Fatalf("webhook = %d", r.Status)
	}
	id := ta.caseIDByRef(t, store.SourceMarkID, ref)
	ms, err := ta.db.CaseMedia(context.Background(), id)
	if err != nil || len(ms) != 1 {
		t.Fatalf("media = %v, %v", ms, err)
	}
	sha, size, err := ta.app.blobs.Put(bytes.NewReader(cardPNG(t)), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := ta.db.MediaArchived(context.Background(), ms[0].ID, sha, size, "image/png"); err != nil {
		t.Fatal(err)
	}
	return id, ms[0].ID
}

// postRedaction sends boxes the way static/js/redact.js does.
func (c *client) postRedaction(mediaID int64, boxes string, csrf string) (int, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/media/%d/redaction", c.app.url, mediaID),
		strings.NewReader(url.Values{"boxes": {boxes}}.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	p := c.do(req)
	var a map[string]any
	_ = json.Unmarshal([]byte(p.Body), &a)
	return p.Status, a
}

// fetch GETs path and returns the status and the bytes.
func (c *client) fetch(path string) (int, []byte) {
	c.t.Helper()
	resp, err := c.http.Get(c.app.url + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// pixel decodes a PNG or JPEG and returns the colour at x, y.
func pixel(t *testing.T, b []byte, x, y int) color.RGBA {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	r, g, bl, _ := img.At(x, y).RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 255}
}

func shaHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestRedactionBoxes: a reviewer draws a box over a document image; the derivative (the box
// black, the rest as it was) is archived by its SHA-256 and served to everyone, including a role
// without reveal rights, whose reveal is refused; a role with reveal rights reveals with a
// reason and gets the original bytes for that page view; an auditor cannot draw; the drawing
// and the reveal are audited; the evidence pack carries the derivative and says so.
func TestRedactionBoxes(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	id, mediaID := redactedCase(t, ta, "redact-1")
	orig := cardPNG(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	aud := ta.loginAs(t, "aud", store.RoleAuditor)
	path := fmt.Sprintf("/cases/%d", id)
	media := fmt.Sprintf("/media/%d", mediaID)

	p := rev.get(path)
	open := p.testid("redact-open")
	if open.Length() != 1 || open.AttrOr("data-redact-url", "") != media+"/redaction" || p.testid("redact-dialog").Length() != 1 {
		t.Fatalf("the reviewer is not offered Redact on the FRONT: %s", outer(p.testid("media-meta").First()))
	}
	if ap := aud.get(path); ap.testid("redact-open").Length() != 0 || ap.testid("redact-dialog").Length() != 0 {
		t.Errorf("an auditor is offered Redact")
	}
	csrf := p.testid("redact-dialog").AttrOr("data-csrf", "")
	box := `[{"x":0.1,"y":0.4,"w":0.4,"h":0.2}]` // exactly the red block
	if st, _ := rev.postRedaction(mediaID, box, ""); st != http.StatusForbidden {
		t.Errorf("redaction without the CSRF token = %d, want 403", st)
	}
	if st, _ := aud.postRedaction(mediaID, box, aud.get(path).find(`[data-csrf]`).AttrOr("data-csrf", "")); st != http.StatusForbidden {
		t.Errorf("an auditor's redaction = %d, want 403", st)
	}
	if st, a := rev.postRedaction(mediaID, `[{"x":0.9,"y":0.1,"w":0.5,"h":0.2}]`, csrf); st != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(a["error"]), "outside the image") {
		t.Errorf("a box past the edge = %d %v, want 422 with a sentence", st, a)
	}
	st, a := rev.postRedaction(mediaID, box, csrf)
	if st != http.StatusOK || a["ok"] != true {
		t.Fatalf("redaction = %d %v", st, a)
	}
	derivedSHA := fmt.Sprint(a["sha256"])

	// Everyone sees the derivative at the media address: the block black, the rest unchanged.
	for _, c := range []*client{rev, aud} {
		st, b := c.fetch(media)
		if st != http.StatusOK || shaHex(b) != derivedSHA || bytes.Equal(b, orig) {
			t.Fatalf("GET %s = %d, sha %s, want the derivative %s", media, st, shaHex(b), derivedSHA)
		}
		if px := pixel(t, b, 50, 50); px != (color.RGBA{0, 0, 0, 255}) {
			t.Errorf("under the box = %v, want black", px)
		}
		if px := pixel(t, b, 150, 20); px != (color.RGBA{255, 255, 255, 255}) {
			t.Errorf("outside the box = %v, want as it was", px)
		}
	}
	rec, err := ta.db.MediaByID(ctx, mediaID)
	if err != nil {
		t.Fatal(err)
	}
	if f, err := ta.app.blobs.Open(rec.SHA256); err != nil {
		t.Errorf("the original left the archive: %v", err)
	} else {
		b, _ := io.ReadAll(f)
		f.Close()
		if !bytes.Equal(b, orig) {
			t.Errorf("the original in the archive changed")
		}
	}
	p = aud.get(path)
	if got := p.testid("media-redacted").Text(); !strings.Contains(got, "redacted · 1 box") {
		t.Errorf("redacted badge = %q", got)
	}
	if src := p.testid("media-image").AttrOr("src", ""); src != media+"?v="+derivedSHA[:12] {
		t.Errorf("image src = %q, want the derivative's address", src)
	}

	// Settings take reveal rights from auditors: no reveal form, a reveal refused, the original refused.
	adm := ta.loginAs(t, "adm", store.RoleAdmin)
	form := settingsForm(ta.db.Rules())
	adm.get("/admin/settings")
	sp := adm.postForm("/admin/settings", url.Values{"sla_hours": {form.SLAHours}, "claim_minutes": {form.ClaimMinutes},
		"four_eyes_vcip": {"1"}, "reason_codes": {form.ReasonCodes},
		"reveal_roles_form": {"1"}, "reveal_roles": {store.RoleReviewer, store.RoleSupervisor}})
	wantStatus(t, "settings", sp, http.StatusOK)
	if got := ta.db.Rules().RevealRoles; len(got) != 2 || ta.db.Rules().MayReveal([]string{store.RoleAuditor}) {
		t.Fatalf("reveal roles after save = %v", got)
	}
	if sp.testid("settings-reveal-auditor").AttrOr("checked", "none") != "none" || sp.testid("settings-reveal-reviewer").AttrOr("checked", "none") == "none" {
		t.Errorf("settings page after save does not show the reveal rights saved")
	}
	p = aud.get(path)
	if p.testid("reveal-form").Length() != 0 || p.testid("reveal-no-rights").Length() != 1 {
		t.Errorf("an auditor without reveal rights is offered the reveal form")
	}
	reveal := url.Values{"reveal_field": {store.FieldOriginalImages}, "reveal_reason": {"audit_sample"}, "reveal_text": {"checking the card"}}
	if rp := aud.postForm(path+"/reveal", reveal); rp.Status != http.StatusForbidden {
		t.Errorf("reveal by a role without reveal rights = %d, want 403", rp.Status)
	}

	// The reviewer reveals the originals with a reason: the page's image is the original, by the
	// reveal's audit entry, and the bytes served are the original's.
	reveal.Del("_csrf") // postForm put the auditor's token in
	rp := rev.postForm(path+"/reveal", reveal)
	wantStatus(t, "reveal", rp, http.StatusOK)
	src := rp.testid("media-image").AttrOr("src", "")
	if !strings.HasPrefix(src, media+"?original=") || rp.testid("media-original-shown").Length() != 1 {
		t.Fatalf("after the reveal the image src = %q", src)
	}
	if st, b := rev.fetch(src); st != http.StatusOK || !bytes.Equal(b, orig) {
		t.Errorf("GET %s by the revealer = %d (%d bytes), want the original", src, st, len(b))
	}
	if st, b := aud.fetch(src); st != http.StatusForbidden || bytes.Equal(b, orig) {
		t.Errorf("the reviewer's reveal address used by an auditor = %d, want 403 and not the original", st)
	}
	if st, _ := rev.fetch(media + "?original=1"); st != http.StatusForbidden {
		t.Errorf("a made-up reveal id = %d, want 403", st)
	}
	// The reveal lasts for a while: later the address no longer serves the original.
	ta.clock.Advance(store.OriginalRevealTTL + 1)
	if st, _ := rev.fetch(src); st != http.StatusForbidden {
		t.Errorf("the reveal address after %s = %d, want 403", store.OriginalRevealTTL, st)
	}
	if st, b := rev.fetch(media); st != http.StatusOK || shaHex(b) != derivedSHA {
		t.Errorf("without a reveal the reviewer gets %d %s, want the derivative", st, shaHex(b))
	}

	// Audited: the drawing names the media and both files by hash; the reveal names the field.
	var drawn, revealed int
	if err := ta.db.CaseAuditLines(ctx, id, 1<<62, func(l store.AuditLine) error {
		switch l.Action {
		case "media.redact":
			drawn++
			if !strings.Contains(l.Details, derivedSHA) || !strings.Contains(l.Details, rec.SHA256) || l.TargetID != strconv.FormatInt(mediaID, 10) {
				t.Errorf("media.redact entry = %+v", l)
			}
		case "case.reveal":
			revealed++
			if !strings.Contains(l.Details, store.FieldOriginalImages) || !strings.Contains(l.Details, "checking the card") {
				t.Errorf("case.reveal entry = %+v", l)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if drawn != 1 || revealed != 1 {
		t.Errorf("audit: %d media.redact, %d case.reveal; want 1 and 1", drawn, revealed)
	}

	// A second drawing adds to the first; the pack carries the derivative, marked redacted.
	st, a = rev.postRedaction(mediaID, `[{"x":0.6,"y":0.1,"w":0.2,"h":0.2}]`, csrf)
	if st != http.StatusOK || a["boxes"] != float64(2) {
		t.Fatalf("second redaction = %d %v", st, a)
	}
	derivedSHA = fmt.Sprint(a["sha256"])
	_, b := rev.fetch(media)
	if pixel(t, b, 50, 50) != (color.RGBA{0, 0, 0, 255}) || pixel(t, b, 140, 20) != (color.RGBA{0, 0, 0, 255}) {
		t.Errorf("after the second drawing both boxes should be black")
	}
	st, pack := aud.fetch(path + "/evidence")
	if st != http.StatusOK {
		t.Fatalf("evidence pack = %d", st)
	}
	if rep, err := evidence.Verify(bytes.NewReader(pack), int64(len(pack))); err != nil || !rep.OK() {
		t.Fatalf("pack: %v %v", err, rep.Problems)
	}
	var manifest evidence.Manifest
	zr, err := zip.NewReader(bytes.NewReader(pack), int64(len(pack)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == evidence.ManifestName {
			rc, _ := f.Open()
			_ = json.NewDecoder(rc).Decode(&manifest)
			rc.Close()
		}
	}
	var found bool
	for _, f := range manifest.Files {
		if strings.HasPrefix(f.Name, "media/") {
			found = true
			if f.Version != "redacted" || f.OriginalSHA256 != rec.SHA256 || f.SHA256 != derivedSHA {
				t.Errorf("manifest %s: version %q original %q sha %s; want redacted from %s as %s", f.Name, f.Version, f.OriginalSHA256, f.SHA256, rec.SHA256, derivedSHA)
			}
		}
	}
	if !found {
		t.Errorf("the pack has no media file")
	}
}

// TestRedactionSealed: with a data key the redacted derivative is sealed on disk like every
// archived file (its bytes are not the PNG served), and served decrypted.
func TestRedactionSealed(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "data.key")
	writeKeyFile(t, keyFile, randomKeyHex())
	ta := newTestApp(t, withDataKeyFile(keyFile))
	id, mediaID := redactedCase(t, ta, "redact-sealed")
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	csrf := rev.get(fmt.Sprintf("/cases/%d", id)).testid("redact-dialog").AttrOr("data-csrf", "")
	st, a := rev.postRedaction(mediaID, `[{"x":0.1,"y":0.4,"w":0.4,"h":0.2}]`, csrf)
	if st != http.StatusOK {
		t.Fatalf("redaction = %d %v", st, a)
	}
	sha := fmt.Sprint(a["sha256"])
	onDisk, err := os.ReadFile(ta.app.blobs.Path(sha))
	if err != nil {
		t.Fatal(err)
	}
	_, served := rev.fetch(fmt.Sprintf("/media/%d", mediaID))
	if shaHex(served) != sha || !bytes.HasPrefix(served, []byte("\x89PNG")) {
		t.Fatalf("served %d bytes, sha %s; want the PNG derivative %s", len(served), shaHex(served), sha)
	}
	if bytes.Contains(onDisk, served[:64]) || bytes.HasPrefix(onDisk, []byte("\x89PNG")) {
		t.Errorf("the derivative on disk is its plaintext")
	}
}
