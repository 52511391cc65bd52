package web

// Throwaway: renders the workspace pages with real data in Chromium. SHOTS=1 go test -run TestShots ./web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

func shotPNG(w, h int, bg color.RGBA, label int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := bg
			if x > w/20 && x < w/3 && y > h/5 && y < h*3/4 {
				c = color.RGBA{200, 190, 170, 255}
			}
			if x > w*2/5 && x < w*9/10 && (y/12)%3 == 0 && y > h/5 && y < h*3/4 {
				c = color.RGBA{90, 90, 110, 255}
			}
			if y > h*4/5 && y < h*4/5+8 && x > w/20 && x < w*9/10 && (x/6+label)%2 == 0 {
				c = color.RGBA{40, 40, 40, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

func TestShots(t *testing.T) {
	if os.Getenv("SHOTS") == "" {
		t.Skip("SHOTS=1 renders screenshots")
	}
	out := os.Getenv("SHOTS_DIR")
	if out == "" {
		out = "/tmp/shots"
	}
	os.MkdirAll(out, 0o755)
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "missing") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		switch {
		case strings.Contains(r.URL.Path, "face"):
			w.Write(shotPNG(360, 480, color.RGBA{210, 220, 230, 255}, 1))
		case strings.Contains(r.URL.Path, "shot"):
			w.Write(shotPNG(640, 360, color.RGBA{60, 70, 80, 255}, 2))
		default:
			w.Write(shotPNG(640, 404, color.RGBA{180, 205, 225, 255}, 3))
		}
	}))
	defer files.Close()
	ta := newTestApp(t, withWorkers(), withConfig(func(c *Config) { c.FourEyesVCIP = true }))
	ta.addUser(t, "rev2", store.RoleReviewer)
	rev := ta.loginAs(t, "rev1", store.RoleReviewer, store.RoleSupervisor)
	if err := ta.db.SeedSyntheticCases(context.Background(), 300, ta.clock.Now().Add(-30*time.Hour)); err != nil {
		t.Fatal(err)
	}
	u := files.URL
	anna := markIDCallback{ScanRef: "5f1c2a9e-77b0-4c3e-9d1a-0b8e44c1f9a2", ClientID: "123", ExternalRef: "ext-77",
		First: "ANNA", Last: "KOVALENKO", OrgFirst: "АННА", OrgLast: "КОВАЛЕНКО", Overall: "SUSPECTED",
		AutoDoc: "DOC_VALIDATED", AutoFace: "FACE_MATCH", DocType: "PASSPORT", DocNumber: "FT1234567", DocCountry: "UA",
		Nationality: "UA", DOB: "2009-05-04", Expiry: "2024-02-01", IP: "203.0.113.9", IPCountry: "AE", ProxyRisk: "HIGH",
		Fraud: []string{"FACE_IN_BLACKLIST", "SOMETHING_NEW"}, Mismatch: []string{"NAME"},
		DuplicateFaces: []string{"syn-00000000-0000", "no-such-scan"},
		Files: map[string]string{"FRONT": u + "/front.png?sig=1", "BACK": u + "/back.png?sig=1", "FACE": u + "/face.png",
			"FACE_VIDEO": u + "/missing/face.mp4"},
		AML: []any{map[string]any{"status": map[string]any{"serviceSuspected": true, "checkSuccessful": true, "overallStatus": "SUSPECTED"},
			"data":        []any{map[string]any{"name": "ANNA", "surname": "KOVALENKO", "suspicion": "PEPS", "score": 92}},
			"serviceName": "PilotApiAmlV2NameCheck", "serviceGroupType": "AML"}},
	}
	ta.clock.Advance(-3 * time.Hour)
	ta.postMarkID(t, anna.body())
	ta.clock.Advance(21 * time.Minute)
	anna.Final, anna.ManualDoc, anna.ManualFace = true, "DOC_VALIDATED", "FACE_MATCH"
	anna.Files["FRONT"] = u + "/front.png?sig=2"
	ta.postMarkID(t, anna.body())
	ta.clock.Advance(3 * time.Hour)

	tr := func(en, hi, kn, bn, gu string) [][2]string {
		return [][2]string{{"ENGLISH", en}, {"HINDI", hi}, {"KANNADA", kn}, {"BENGALI", bn}, {"GUJARATI", gu}}
	}
	ta.postVCIP(t, vcipCallback{SessionID: "vk-20251120-0042", Name: "PRIYA NAIR", Email: "priya@example.in",
		Country: "AE", City: "Dubai", IP: "198.51.100.7", Browser: "Chrome",
		UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
		Instructions: []vcipInstruction{
			{Text: "Please Show your PAN Card", IDCardBox: true, SideNav: true, Snapshot: true, Translations: tr("Please Show your PAN Card", "कृपया अपना पैन कार्ड दिखाएं", "ದಯವಿಟ್ಟು ನಿಮ್ಮ ಪ್ಯಾನ್ ಕಾರ್ಡ್ ತೋರಿಸುವುದೇ?", "দয়া করে আপনার প্যান কার্ডটি দেখান?", "કૃપા કરીને તમારું પાન કાર્ડ બતાવો?")},
			{Text: "What is your Name?", Translations: tr("What is your Name?", "तुम्हारा नाम क्या हे?", "ನಿನ್ನ ಹೆಸರೇನು?", "আপনার নাম কি?", "તમારું નામ શું છે?")},
			{Text: "What is your DOB?", SideNav: true, Translations: tr("What is your Date of Birth?", "आपका Date of Birth क्या है?", "ನಿಮ್ಮ Date of Birth ಎಂದರೇನು?", "আপনার ডিওবি কি?", "તમારું ડીઓબી શું છે?")},
		},
		DocumentImages: []string{u + "/pan.png"}, DocumentData: []map[string]any{{"dob": "1994-08-15", "name": "PRIYA NAIR", "pan": "ABCDE1234F"}},
		Screenshots: [][]string{{u + "/shot-1-final.png", u + "/shot-1a.png", u + "/shot-1b.png"}, {}, {u + "/shot-3.png"}},
		VideoURL:    u + "/missing/call.mp4", Thumbnail: u + "/thumb.png",
		Feedback: "4.5", FeedbackMsg: "good",
		FieldValues:        map[string]any{"Remark": "Accepted", "ItemsToSelect": []string{"Internet Slow", "Recheck Required"}},
		CallbackParameters: map[string]any{"id": "crm-9912"},
	}.body())
	time.Sleep(3 * time.Second) // let the fetcher archive
	annaID := ta.caseIDByRef(t, store.SourceMarkID, anna.ScanRef)
	vID := ta.caseIDByRef(t, store.SourceVCIP, "vk-20251120-0042")
	rev.postForm(fmt.Sprintf("/cases/%d/claim", annaID), nil)
	dec := suspected("scan-decided-001", "MARTA", "DECIDED")
	ta.postMarkID(t, dec.body())
	decID := ta.caseIDByRef(t, store.SourceMarkID, "scan-decided-001")
	rev2 := ta.login(t, "rev2", "pw-rev2-0123456789")
	rev2.postForm(fmt.Sprintf("/cases/%d/claim", decID), nil)
	decide(rev2, decID, "decline", "document_forged", "Photo page shows signs of replacement; the laminate is lifted at the corner.")
	ta.clock.Advance(time.Hour)
	dec.Final, dec.Fraud = true, []string{"FACE_SUSPECTED", "DOC_PRINT_SPOOFED"}
	ta.postMarkID(t, dec.body())
	ta.postVCIP(t, vcipCallback{SessionID: "vk-pending-7", Name: "RAHUL MEHTA", Country: "IN", City: "Pune"}.body())
	pendID := ta.caseIDByRef(t, store.SourceVCIP, "vk-pending-7")
	rev2.postForm(fmt.Sprintf("/cases/%d/claim", pendID), nil)
	decide(rev2, pendID, "allow", "face_matches", "All steps completed; PAN matches.")

	var cookies []string
	for _, ck := range rev.http.Jar.Cookies(mustURL(ta.url)) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("Cookie", strings.Join(cookies, "; "))
		ta.app.Handler().ServeHTTP(w, r)
	}))
	defer proxy.Close()
	shots := []struct{ name, path string }{
		{"queue", "/cases"},
		{"queue-all", "/cases?tab=all&fraud=FACE_SUSPECTED"},
		{"case-markid", fmt.Sprintf("/cases/%d", annaID)},
		{"case-vcip", fmt.Sprintf("/cases/%d?lang=HINDI", vID)},
		{"case-changed", fmt.Sprintf("/cases/%d", decID)},
		{"case-pending", fmt.Sprintf("/cases/%d", pendID)},
	}
	if os.Getenv("SHOTS_HTML") != "" {
		for _, s := range shots {
			p := rev.get(s.path)
			os.WriteFile(out+"/"+s.name+".html", []byte(p.Body), 0o644)
		}
	}
	sizes := []string{"1366,768", "1920,1080"}
	if os.Getenv("SHOTS_TALL") != "" {
		sizes = []string{"1366,2600"}
	}
	for _, size := range sizes {
		for _, s := range shots {
			file := fmt.Sprintf("%s/%s-%s.png", out, s.name, strings.ReplaceAll(size, ",", "x"))
			cmd := exec.Command("/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
				"--window-size="+size, "--virtual-time-budget=4000", "--screenshot="+file, proxy.URL+s.path)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Logf("chromium: %v\n%s", err, b)
			}
			t.Logf("wrote %s", file)
		}
	}
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }
