package vcip

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/internal/jsonfield"
	"github.com/kycdesk/kycdesk/web/webtest"
)

func ptr(b bool) *bool { return &b }

// translations builds the list from language/text pairs, in order.
func translations(pairs ...string) []store.Translation {
	var out []store.Translation
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, store.Translation{Language: pairs[i], Text: pairs[i+1]})
	}
	return out
}

func TestDecode(t *testing.T) {
	const media = "https://vcip.example.in/media/5f2b/"
	tests := []struct {
		file string
		want *store.Snapshot
	}{
		{"spec-example.json", &store.Snapshot{
			Source: store.SourceVCIP, Ref: "vs-2024-04-05-5f2b9c1e", RecordID: "65f1a2b3c4d5e6f708192a3b",
			Person: store.Person{FullName: "Priya Raghavan", Email: "priya.raghavan@example.in"},
			IP:     "203.0.113.45", IPCountry: "IN",
			Geo: &store.Geo{StatusCode: "OK", IP: "203.0.113.45", CountryCode: "IN", CountryName: "India", Region: "Maharashtra",
				City: "Mumbai", Zip: "400099", Latitude: "19.1136", Longitude: "72.8697", TimeZone: "+05:30"},
			Browser: &store.Browser{Name: "Chrome", Version: "Chrome 80", OS: "Win32",
				UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0.3987.100 Safari/537.36",
				Language:  "en-IN", CookieEnabled: ptr(true), ScreenWidth: 1920, ScreenHeight: 1080, ColorDepth: 24, PixelDepth: 24,
				Plugins:    []string{"Chrome PDF Plugin", "Chrome PDF Viewer", "Native Client"},
				DeviceName: "Google Chrome", FormFactor: "Desktop", IsMobile: ptr(false)},
			Instructions: []store.Instruction{
				{Text: "Please Show your PAN Card", IDCardBoxRequired: true, SideNavRequired: true, ScreenshotRequired: true,
					Translations: translations("ENGLISH", "Please Show your PAN Card", "HINDI", "कृपया अपना पैन कार्ड दिखाएं",
						"KANNADA", "ದಯವಿಟ್ಟು ನಿಮ್ಮ ಪ್ಯಾನ್ ಕಾರ್ಡ್ ತೋರಿಸುವುದೇ?", "BENGALI", "দয়া করে আপনার প্যান কার্ডটি দেখান?",
						"GUJARATI", "કૃપા કરીને તમારું પાન કાર્ડ બતાવો?")},
				{Text: "What is your Name?",
					Translations: translations("ENGLISH", "What is your Name?", "HINDI", "तुम्हारा नाम क्या हे?", "KANNADA", "ನಿನ್ನ ಹೆಸರೇನು?",
						"BENGALI", "আপনার নাম কি?", "GUJARATI", "તમારું નામ શું છે?")},
				// The step's text and its ENGLISH translation differ in the spec; both are kept as sent.
				{Text: "What is your DOB?", SideNavRequired: true,
					Translations: translations("ENGLISH", "What is your Date of Birth?", "HINDI", "आपका Date of Birth क्या है?",
						"KANNADA", "ನಿಮ್ಮ Date of Birth ಎಂದರೇನು?", "BENGALI", "আপনার ডিওবি কি?", "GUJARATI", "તમારું ડીઓબી શું છે?")},
			},
			VideoDocuments: []store.VideoDocument{{ImageURL: media + "documents/pan-front.jpg",
				Data: json.RawMessage(`{"dob":"1988-09-14","name":"Priya Raghavan"}`)}},
			Screenshots: []store.ScreenshotSet{
				{FinalImage: media + "steps/1/final.jpg", Screenshots: []string{media + "steps/1/shot-1.jpg", media + "steps/1/shot-2.jpg"}},
				{}, {},
			},
			RecordingID: "rec-7Hq2LmX9vT4pQ8sZ1wY6nB3cF5gJ0kD", Feedback: "4.5", FeedbackMessage: "good",
			FieldValues:        json.RawMessage(`{"Remark":"Accepted","ItemsToSelect":["Internet Slow","Recheck Required"]}`),
			CallbackParameters: json.RawMessage(`{"id":"crm-lead-99812"}`),
			Forensics:          json.RawMessage(`{"ipQuality":{"isSet":0}}`),
			Media: []store.MediaRef{
				{Kind: store.MediaDocumentImage, URL: media + "documents/pan-front.jpg", Label: "Document 1", Position: 0},
				{Kind: store.MediaFinalImage, URL: media + "steps/1/final.jpg", Label: "Step 1", Position: 0},
				{Kind: store.MediaScreenshot, URL: media + "steps/1/shot-1.jpg", Label: "Step 1", Position: 0},
				{Kind: store.MediaScreenshot, URL: media + "steps/1/shot-2.jpg", Label: "Step 1", Position: 0},
				{Kind: store.MediaRecordedVideo, URL: media + "recording/session.webm"},
				{Kind: store.MediaVideoThumbnail, URL: media + "recording/thumb.jpg"},
			},
		}},
		{"spec-as-published.json", &store.Snapshot{
			Source: store.SourceVCIP, Ref: "..unique session id..", RecordID: "5e45000e4f023c741c76bca9",
			Person: store.Person{FullName: "name of user", Email: "emailof@user.com"},
			IP:     "..ip address..", IPCountry: "IN",
			Geo: &store.Geo{IP: "..ip address..", CountryCode: "IN", City: "Mumbai", Latitude: "..lat..", Longitude: "..long.."},
			// Placeholders are not URLs: no media, and no URL in the document or screenshot set.
			VideoDocuments:     []store.VideoDocument{{Data: json.RawMessage(`{"dob":"date of birth","name":"name of user"}`)}},
			Screenshots:        []store.ScreenshotSet{{}},
			RecordingID:        "recording id",
			Feedback:           "4.5",
			CallbackParameters: json.RawMessage(`{"id":"parameters for callback data"}`),
		}},
		{"numbers-as-strings.json", &store.Snapshot{
			Source: store.SourceVCIP, Ref: "99120045", RecordID: "42",
			Person: store.Person{FullName: "Arjun Mehta"},
			IP:     "198.51.100.201", IPCountry: "IN",
			Geo: &store.Geo{StatusCode: "200", IP: "198.51.100.201", CountryCode: "IN", Zip: "560001", Latitude: "12.9716", Longitude: "77.5946"},
			Browser: &store.Browser{CookieEnabled: ptr(false), ScreenWidth: 1366, ScreenHeight: 768, PixelDepth: 24, ColorDepth: 30,
				Plugins: []string{"PDF Viewer"}, FormFactor: "Mobile", IsMobile: ptr(true)},
			Instructions: []store.Instruction{{Text: "1234", SideNavRequired: true, ScreenshotRequired: true,
				Translations: translations("HINDI", "1234", "ENGLISH", "1234")}},
			RandomizeInstructions: true,
			Feedback:              "4", FeedbackMessage: "5",
		}},
		{"nulls.json", &store.Snapshot{
			Source: store.SourceVCIP, Ref: "vs-null-0001",
			// Null elements keep their place, so document N and step N still line up with what was sent.
			VideoDocuments: []store.VideoDocument{{}, {}},
			Instructions:   []store.Instruction{{}, {}},
			Screenshots:    []store.ScreenshotSet{{}, {}, {}},
			Browser:        &store.Browser{},
		}},
		{"unknown-fields.json", &store.Snapshot{
			Source: store.SourceVCIP, Ref: "vs-unknown-77",
			IP: "192.0.2.77", IPCountry: "IN",
			Geo:     &store.Geo{IP: "192.0.2.77", CountryCode: "IN", City: "Chennai"},
			Browser: &store.Browser{Name: "Safari", DeviceName: "Apple iPhone", FormFactor: "Smartphone", IsMobile: ptr(true)},
			// ENGLISH came twice: it keeps its first place and its last text; MARATHI was null.
			Instructions: []store.Instruction{{Text: "Please speak out {{OTP}}",
				Translations: translations("TAMIL", "தயவுசெய்து {{OTP}} சொல்லுங்கள்", "ENGLISH", "Please say {{OTP}}")}},
			CallbackParameters: json.RawMessage(`{"id":"lead-77","branch":"CHN-04"}`),
			Media: []store.MediaRef{
				{Kind: store.MediaRecordedVideo, URL: "https://cdn.vcip.example.in/rec/77.mp4"},
				{Kind: store.MediaVideoThumbnail, URL: "https://cdn.vcip.example.in/rec/77.jpg"},
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Decode(webtest.Fixture(t, tt.file))
			if err != nil {
				t.Fatalf("Decode(%s) error = %v, want nil", tt.file, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", "Decode("+tt.file+")", diff)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		body string // inline body, or "@file" for a fixture
		want string
	}{
		{"empty sessionId", "@no-session-id.json", "missing data.sessionId"},
		{"no data", `{"callbackParameters": {"id": "x"}}`, "missing data.sessionId"},
		{"identity webhook", `{"scanRef": "scan-ref", "status": {"overall": "APPROVED"}}`,
			"missing data.sessionId: this looks like a Mark ID callback (it has scanRef), not a Video KYC session"},
		{"empty body", "", "empty body: expected a JSON object"},
		{"array body", `[{"data": {}}]`, "body is an array, expected a JSON object"},
		{"cut off", `{"data": {"sessionId": "s"`, "invalid JSON: the body ends at byte 26 before the JSON is complete (cut off?)"},
		{"unclosed then junk", "{\"data\": {\"sessionId\": \"s\"}}\n}",
			`invalid JSON at byte 30 (line 2, column 1): invalid character '}' after top-level value, near "}"`},
		{"data string", `{"data": "vs-1"}`, `field "data" is a string, want an object: the session cannot be identified`},
		{"sessionId object", `{"data": {"sessionId": {"id": "vs-1"}}}`, `field "data.sessionId" is an object, want a string: the session cannot be identified`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			if name, ok := strings.CutPrefix(tt.body, "@"); ok {
				body = webtest.Fixture(t, name)
			}
			got, err := Decode(body)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Decode(%.40q) error = %v, want %s", body, err, tt.want)
			}
			if got != nil {
				t.Errorf("Decode(%.40q) = %+v with an error, want nil", body, got)
			}
			if !errors.Is(err, store.ErrInvalid) {
				t.Errorf("errors.Is(Decode(%.40q) error, store.ErrInvalid) = false, want true", body)
			}
		})
	}
}

// corpusDir holds payloads other projects and vendor docs published; a user's clone has no ../shared.
const corpusDir = "../../../shared/corpus/payloads"

func TestDecodeCorpus(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("no corpus at %s: %v", corpusDir, err)
	}
	const callback = "signzy-vcip-alldocs-callbacks.json"
	if _, err := os.Stat(filepath.Join(corpusDir, callback)); err != nil {
		t.Errorf("corpus file %s is missing: %v", callback, err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".json") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(corpusDir, name))
			if err != nil {
				t.Fatal(err)
			}
			s, err := Decode(body)
			switch {
			case name == callback:
				if err != nil || s.Ref != "..unique session id.." || len(s.Instructions) != 3 || len(s.Media) != 0 ||
					s.Browser == nil || s.Browser.ScreenWidth != 1920 || s.Feedback != "4.5" {
					t.Errorf("Decode(%s) = %+v, %v, want session ..unique session id.., 3 instructions, no media (placeholders), width 1920", name, s, err)
				}
				if err == nil && (s.Instructions[2].Translations[0] != store.Translation{Language: "ENGLISH", Text: "What is your Date of Birth?"}) {
					t.Errorf("Decode(%s) third step's first translation = %+v, want ENGLISH first, as sent", name, s.Instructions[2].Translations[0])
				}
			case err == nil:
				// Every other file is a Mark ID webhook, a fragment or a request: none is a video session.
				t.Errorf("Decode(%s) = %+v, want an error", name, s)
			case strings.Contains(name, "gboddin") && err.Error() != "missing data.sessionId: this looks like a Mark ID callback (it has scanRef), not a Video KYC session":
				t.Errorf("Decode(%s) error = %v, want the Mark ID hint", name, err)
			}
		})
	}
}

// FuzzDecode checks that no body makes Decode panic, and that it returns either a usable
// snapshot or an ErrInvalid error, never both or neither.
func FuzzDecode(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.json")
	for _, p := range paths {
		f.Add(webtest.Fixture(f, filepath.Base(p)))
	}
	for _, s := range []string{"", "{}", `{"data":null}`, `{"data":{"sessionId":1e999}}`,
		`{"data":{"sessionId":"s","instructions":[{"translations":{"A":1,"A":null,"B":"x"}}]}}`,
		`{"data":{"sessionId":"s","browserData":{"screenWidth":"9e18"}}}`, `{"data":{"sessionId":"s","geo":[1],"documents":"x"}}`,
		`{"data":{"sessionId":{"id":1}}}`, `{"data":"s"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := Decode(body)
		if err != nil {
			if s != nil || !errors.Is(err, store.ErrInvalid) || err.Error() == "" {
				t.Fatalf("Decode(%q) = %v, %v, want nil and an ErrInvalid error", body, s, err)
			}
			// Refused only when not a JSON object or without a usable data.sessionId.
			if top, perr := jsonfield.ParseBody(body); perr == nil && jsonfield.Kind(top.Members["data"]) == "an object" {
				var data map[string]json.RawMessage
				if json.Unmarshal(top.Members["data"], &data) == nil && jsonfield.UsableText(data["sessionId"]) {
					t.Fatalf("Decode(%q) quarantined a body with a usable data.sessionId: %v", body, err)
				}
			}
			return
		}
		if s == nil || s.Ref == "" || s.Source != store.SourceVCIP {
			t.Fatalf("Decode(%q) = %+v, want a Video KYC snapshot with a ref", body, s)
		}
		if _, err := json.Marshal(s); err != nil {
			t.Fatalf("json.Marshal(Decode(%q)) error = %v", body, err)
		}
	})
}

// TestDecodeSchemaWarnings: a field of another type than documented keeps the session; the field
// reads as empty and the snapshot names it with what arrived.
func TestDecodeSchemaWarnings(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"instructions object", `{"data": {"sessionId": "s", "instructions": {"text": "x"}}}`, `data.instructions is an object, want an array`},
		{"translations array", `{"data": {"sessionId": "s", "instructions": [{"translations": ["Hi"]}]}}`, `data.instructions[0].translations is an array, want an object`},
		{"translation object", `{"data": {"sessionId": "s", "instructions": [{}, {"translations": {"HINDI": {"t": "x"}}}]}}`, `data.instructions[1].translations.HINDI is an object, want a string`},
		{"screen width words", `{"data": {"sessionId": "s", "browserData": {"screenWidth": "wide"}}}`, `data.browserData.screenWidth is a string, want a whole number`},
		{"screen width fraction", `{"data": {"sessionId": "s", "browserData": {"screenWidth": 1920.5}}}`, `data.browserData.screenWidth is a number, want a whole number`},
		{"cookieEnabled words", `{"data": {"sessionId": "s", "browserData": {"cookieEnabled": "sometimes"}}}`, `data.browserData.cookieEnabled is a string, want a boolean`},
		{"screenshot url object", `{"data": {"sessionId": "s", "screenshots": [{"screenshots": [{"url": "x"}]}]}}`, `data.screenshots[0].screenshots[0] is an object, want a string`},
		{"geo array", `{"data": {"sessionId": "s", "geo": []}}`, `data.geo is an array, want an object`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Decode([]byte(tt.body))
			if err != nil {
				t.Fatalf("Decode(%s) error = %v, want the session kept", tt.body, err)
			}
			if s.Ref != "s" || warningText(s) != tt.want {
				t.Errorf("Decode(%s) = ref %q, warnings %q; want ref s, %q", tt.body, s.Ref, warningText(s), tt.want)
			}
		})
	}
}

// warningText is a snapshot's schema warnings, "path is got, want want", joined by "; ".
func warningText(s *store.Snapshot) string {
	var out []string
	for _, w := range s.SchemaWarnings {
		out = append(out, w.Field+" is "+w.Got+", want "+w.Want)
	}
	return strings.Join(out, "; ")
}
