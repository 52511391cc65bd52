package demo

import (
	"fmt"
	"image"
	"strings"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// instruction is one step a video-KYC agent takes the customer through, with the vendor's
// translations in the vendor's order.
type instruction struct {
	text                     string
	box, sideNav, screenshot bool
	english, hindi, kannada  string
	bengali, gujarati        string
	shows                    string // "PAN" or "AADHAAR" when the customer holds that card up
}

// Indexes into instructions.
const (
	stepPAN = iota
	stepName
	stepDOB
	stepAadhaar
	stepFace
	stepAddress
)

var instructions = []instruction{
	stepPAN: {text: "Please show your PAN card", box: true, sideNav: true, screenshot: true, shows: "PAN",
		english: "Please show your PAN card", hindi: "कृपया अपना पैन कार्ड दिखाएं",
		kannada: "ದಯವಿಟ್ಟು ನಿಮ್ಮ ಪ್ಯಾನ್ ಕಾರ್ಡ್ ತೋರಿಸಿ", bengali: "দয়া করে আপনার প্যান কার্ডটি দেখান",
		gujarati: "કૃપા કરીને તમારું પાન કાર્ડ બતાવો"},
	stepName: {text: "What is your Name?",
		english: "What is your Name?", hindi: "आपका नाम क्या है?", kannada: "ನಿಮ್ಮ ಹೆಸರೇನು?",
		bengali: "আপনার নাম কী?", gujarati: "તમારું નામ શું છે?"},
	stepDOB: {text: "What is your DOB?", sideNav: true,
		english: "What is your Date of Birth?", hindi: "आपकी जन्म तिथि क्या है?", kannada: "ನಿಮ್ಮ ಜನ್ಮ ದಿನಾಂಕ ಯಾವುದು?",
		bengali: "আপনার জন্ম তারিখ কী?", gujarati: "તમારી જન્મ તારીખ શું છે?"},
	stepAadhaar: {text: "Please show your Aadhaar card", box: true, sideNav: true, screenshot: true, shows: "AADHAAR",
		english: "Please show your Aadhaar card", hindi: "कृपया अपना आधार कार्ड दिखाएं",
		kannada: "ದಯವಿಟ್ಟು ನಿಮ್ಮ ಆಧಾರ್ ಕಾರ್ಡ್ ತೋರಿಸಿ", bengali: "দয়া করে আপনার আধার কার্ডটি দেখান",
		gujarati: "કૃપા કરીને તમારું આધાર કાર્ડ બતાવો"},
	stepFace: {text: "Please look into the camera", screenshot: true,
		english: "Please look into the camera", hindi: "कृपया कैमरे की ओर देखें", kannada: "ದಯವಿಟ್ಟು ಕ್ಯಾಮೆರಾದತ್ತ ನೋಡಿ",
		bengali: "দয়া করে ক্যামেরার দিকে তাকান", gujarati: "કૃપા કરીને કૅમેરા તરફ જુઓ"},
	stepAddress: {text: "Please confirm your current address", sideNav: true,
		english: "Please confirm your current address", hindi: "कृपया अपना वर्तमान पता बताएं",
		kannada: "ದಯವಿಟ್ಟು ನಿಮ್ಮ ಪ್ರಸ್ತುತ ವಿಳಾಸವನ್ನು ತಿಳಿಸಿ", bengali: "দয়া করে আপনার বর্তমান ঠিকানা বলুন",
		gujarati: "કૃપા કરીને તમારું હાલનું સરનામું જણાવો"},
}

func (in instruction) wire() vcipInstruction {
	return vcipInstruction{IDCardBoxRequired: in.box, SideNavRequired: in.sideNav, ScreenshotRequired: in.screenshot,
		Text: in.text, Translations: translations{{"ENGLISH", in.english}, {"HINDI", in.hindi},
			{"KANNADA", in.kannada}, {"BENGALI", in.bengali}, {"GUJARATI", in.gujarati}}}
}

// browserLanguages is the customer's browser locale for each language the vendor translates into.
var browserLanguages = map[string]string{
	"ENGLISH": "en-IN", "HINDI": "hi-IN", "KANNADA": "kn-IN", "BENGALI": "bn-IN", "GUJARATI": "gu-IN",
}

// videoCase is one video-KYC session and its callback.
type videoCase struct {
	key                       string
	name, email, father, sex  string
	dob                       string // DD/MM/YYYY, as Indian documents print it
	pan, aadhaar              string // numbers; "" when not shown (Aadhaar masked, as UIDAI requires)
	steps                     []int  // instructions, in the order the agent gave them
	lang                      string // the customer's language (ENGLISH, HINDI, KANNADA, BENGALI, GUJARATI)
	ago                       time.Duration
	callSeconds               int
	geo                       vcipGeo
	device                    string // desktop, android, iphone or mac
	feedback, feedbackMessage string
	remark                    string
	items                     []string
	randomize                 bool
	forensics, params         string // JSON
	failMedia                 map[string]string
}

func sessionID(key string) string { return uuidFor("vcip", key) }

func (v *videoCase) url(path string) string {
	sid := sessionID(v.key)
	return fmt.Sprintf("%s/vcip/sessions/%s/%s?token=%s", mediaHost, sid, path, token(sid+path, 24, lowerHex))
}

// docs are the cards the customer showed, in the order they showed them.
func (v *videoCase) docs() []indianDoc {
	var out []indianDoc
	for _, s := range v.steps {
		face := lookFor(v.key, v.sex)
		switch instructions[s].shows {
		case "PAN":
			out = append(out, indianDoc{kind: "PAN", name: v.name, father: v.father, dob: v.dob, no: v.pan, face: face})
		case "AADHAAR":
			out = append(out, indianDoc{kind: "AADHAAR", name: v.name, dob: v.dob, sex: v.sex, no: v.aadhaar, face: face})
		}
	}
	return out
}

func (v *videoCase) body() ([]byte, error) { return encodeBody(v.payload()) }

// payload is the callback body encodes.
func (v *videoCase) payload() vcipBody {
	d := vcipData{
		ID: token(v.key, 24, lowerHex), Name: v.name, Email: v.email, RandomizeInstructions: v.randomize,
		RecordingID: token("rec"+v.key, 70, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
		Feedback:    v.feedback, FeedbackMessage: v.feedbackMessage, Geo: v.geo, BrowserData: v.browser(),
		ForensicsData:     rawJSON(v.forensics),
		FieldValues:       vcipFieldValues{Remark: v.remark, ItemsToSelect: list(v.items...)},
		RecordedVideoData: vcipVideo{VideoThumbnail: v.url("recording/thumbnail.png"), VideoURL: v.url("recording/video.webm")},
		SessionID:         sessionID(v.key),
	}
	for i, doc := range v.docs() {
		row := vcipDocumentRow{DocumentType: doc.kind, DOB: doc.dob, Name: doc.name, Number: doc.no}
		if doc.kind == "PAN" {
			row.FatherName = doc.father
		} else {
			row.Gender = doc.sex
		}
		d.Documents = append(d.Documents, vcipDocument{Image: v.url(fmt.Sprintf("documents/%d-%s.png", i+1, doc.kind)), Data: row})
	}
	for i, s := range v.steps {
		in := instructions[s]
		d.Instructions = append(d.Instructions, in.wire())
		shots := vcipShots{Screenshots: []string{}}
		if in.screenshot {
			shots.FinalImage = v.url(fmt.Sprintf("screenshots/step-%d-final.png", i+1))
			for n := 1; n <= 1+int(hash32(v.key)+uint32(i))%2; n++ {
				shots.Screenshots = append(shots.Screenshots, v.url(fmt.Sprintf("screenshots/step-%d-%d.png", i+1, n)))
			}
		}
		d.Screenshots = append(d.Screenshots, shots)
	}
	return vcipBody{Data: d, CallbackParameters: rawJSON(v.params)}
}

func (v *videoCase) browser() vcipBrowser {
	b := vcipBrowser{CookieEnabled: "true", BrowserLanguage: browserLanguages[v.lang], ScreenPixelDepth: "24", ScreenColorDepth: "24",
		PluginsInstalled: []string{}}
	switch v.device {
	case "android":
		b.BrowserName, b.BrowserVersion, b.OS = "Chrome", "Chrome 123", "Linux armv8l"
		b.UserAgent = "Mozilla/5.0 (Linux; Android 13; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Mobile Safari/537.36"
		b.ScreenWidth, b.ScreenHeight = "412", "915"
		b.DeviceInfo = vcipDevice{CompleteDeviceName: "Samsung Galaxy A54 5G", FormFactor: "Smartphone", IsMobile: "true"}
	case "iphone":
		b.BrowserName, b.BrowserVersion, b.OS = "Safari", "Safari 17", "iPhone"
		b.UserAgent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
		b.ScreenWidth, b.ScreenHeight = "390", "844"
		b.DeviceInfo = vcipDevice{CompleteDeviceName: "Apple iPhone", FormFactor: "Smartphone", IsMobile: true}
	case "mac":
		b.BrowserName, b.BrowserVersion, b.OS = "Firefox", "Firefox 125", "MacIntel"
		b.UserAgent = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:125.0) Gecko/20100101 Firefox/125.0"
		b.ScreenWidth, b.ScreenHeight, b.ScreenPixelDepth, b.ScreenColorDepth = "1440", "900", "30", "30"
		b.PluginsInstalled = []string{"PDF Viewer", "Chrome PDF Viewer", "Chromium PDF Viewer", "Microsoft Edge PDF Viewer", "WebKit built-in PDF"}
		b.DeviceInfo = vcipDevice{CompleteDeviceName: "Mozilla Firefox", FormFactor: "Desktop", IsMobile: false}
	default:
		b.BrowserName, b.BrowserVersion, b.OS = "Chrome", "Chrome 124", "Win32"
		b.UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
		b.ScreenWidth, b.ScreenHeight = "1920", "1080"
		b.PluginsInstalled = []string{"PDF Viewer", "Chrome PDF Viewer", "Chromium PDF Viewer", "Microsoft Edge PDF Viewer", "WebKit built-in PDF"}
		b.DeviceInfo = vcipDevice{CompleteDeviceName: "Google Chrome", FormFactor: "Desktop", IsMobile: false}
	}
	return b
}

// render is the content of one of the session's media.
func (v *videoCase) render(m store.Media) ([]byte, error) {
	face := lookFor(v.key, v.sex)
	switch m.Kind {
	case store.MediaDocumentImage:
		docs := v.docs()
		if m.Position < 0 || m.Position >= len(docs) {
			return nil, fmt.Errorf("demo session %s: no document %d", v.key, m.Position)
		}
		return encodePNG(docs[m.Position].image()), nil
	case store.MediaFinalImage, store.MediaScreenshot:
		if m.Position < 0 || m.Position >= len(v.steps) {
			return nil, fmt.Errorf("demo session %s: no step %d", v.key, m.Position)
		}
		in := instructions[v.steps[m.Position]]
		var card *image.RGBA
		for _, d := range v.docs() {
			if d.kind == in.shows {
				card = d.image()
			}
		}
		variant := 0
		if m.Kind == store.MediaScreenshot {
			variant = 1 + shotNumber(m.URL) // the extra captures differ from the final image and each other
		}
		elapsed := (m.Position+1)*v.callSeconds/(len(v.steps)+1) + variant*4
		return encodePNG(callFrame(face, card, in.box, elapsed, variant)), nil
	case store.MediaRecordedVideo:
		return demoVideo, nil
	case store.MediaVideoThumbnail:
		return thumbnail(face), nil
	}
	return nil, fmt.Errorf("demo session %s: no content for media kind %q", v.key, m.Kind)
}

// shotNumber is N of a ".../step-S-N.png" screenshot link (0 when there is none).
func shotNumber(u string) int {
	var step, n int
	if i := strings.LastIndex(u, "/step-"); i >= 0 {
		fmt.Sscanf(u[i:], "/step-%d-%d.png", &step, &n)
	}
	return n
}

// indiaGeo is an IP geolocation inside India.
func indiaGeo(ip, region, city, zip, lat, long string) vcipGeo {
	return vcipGeo{StatusCode: "OK", IPAddress: ip, CountryCode: "IN", CountryName: "India", RegionName: region,
		CityName: city, ZipCode: zip, Latitude: lat, Longitude: long, TimeZone: "+05:30", IP: ip, City: city}
}
