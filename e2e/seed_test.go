package e2e

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/demo"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// What a stranger might put into a callback.
const (
	hostileImg    = `<img src=x onerror=alert(1)>`
	hostileScript = `<script>alert(1)</script>`
)

// seedUser is an account the CLI creates.
type seedUser struct {
	username, name, roles, password string
}

// The seed's accounts. meera holds both roles, so the four-eyes rule (not her role) is what stops
// her approving her own decision.
var seedUsers = []seedUser{
	{"meera", "Meera Iyer", "reviewer,supervisor", "e2e-meera-pass-2026"},
	{"tomas", "Tomas Novak", "reviewer", "e2e-tomas-pass-2026"},
	{"grace", "Grace Okafor", "supervisor", "e2e-grace-pass-2026"},
	{"ines", "Ines Duarte", "auditor", "e2e-ines-pass-2026"},
	{"lena", "Lena Fischer", "reviewer", "e2e-lena-pass-2026"},
}

// markIDCase is an identity verification as the seed sends it: an automatic callback, and
// with finalAgo a second, final one after the vendor's manual review.
type markIDCase struct {
	key, scanRef, clientID                      string
	first, last, orgFirst, orgLast              string
	overall                                     string
	fraud, mismatch                             []string
	autoDoc, autoFace, manualDoc, manualFace    string
	docType, docNumber, docCountry, nationality string
	dob, expiry, ip, ipCountry, proxy           string
	files                                       []string // FRONT, BACK, FACE, FACE_VIDEO
	ago, finalAgo                               time.Duration
	finalOnly                                   bool // one delivery, already final
}

// vcipInstruction is one instruction of a video-KYC session, with its translations in order.
type vcipInstruction struct {
	text         string
	idCardBox    bool
	screenshot   bool
	translations [][2]string // {"HINDI", "…"}
}

// vcipCase is a video-KYC session as the seed sends it.
type vcipCase struct {
	key, sessionID, name, email    string
	country, region, city, ip      string
	lat, lon                       string // the session's geotag
	userAgent, browser             string
	instructions                   []vcipInstruction
	document                       map[string]any // data read from the one document shown
	shotsPerStep                   int            // screenshots per instruction; the first is final
	video                          bool
	feedback, feedbackMessage      string
	fieldValues, callbackParameter map[string]any
	ago                            time.Duration
}

// seedCase is what tests look a seeded case up by.
type seedCase struct {
	key    string
	source store.Source
	ref    string
	name   string
}

// mediaFile is one file the media server serves.
type mediaFile struct {
	contentType string
	data        []byte
}

// delivery is one webhook post.
type delivery struct {
	key    string
	source store.Source
	ago    time.Duration
	body   []byte
	media  int // media links in the body
}

// seedSet is the whole seed: cases, users and the media files their callbacks link to.
type seedSet struct {
	markID    []markIDCase
	vcip      []vcipCase
	users     []seedUser
	cases     []seedCase
	files     map[string]mediaFile // by URL path
	mediaRows int                  // media links over all deliveries: rows the fetcher archives
}

// Instructions of the main video-KYC session, in every language the vendor sent.
var sharmaInstructions = []vcipInstruction{
	{text: "Show your face to the camera", screenshot: true, translations: [][2]string{
		{"ENGLISH", "Show your face to the camera"},
		{"HINDI", "अपना चेहरा कैमरे के सामने रखें"},
		{"KANNADA", "ನಿಮ್ಮ ಮುಖವನ್ನು ಕ್ಯಾಮೆರಾಗೆ ತೋರಿಸಿ"},
		{"BENGALI", "আপনার মুখ ক্যামেরায় দেখান"},
		{"GUJARATI", "તમારો ચહેરો કેમેરા સામે બતાવો"},
	}},
	{text: "Hold your PAN card next to your face", idCardBox: true, screenshot: true, translations: [][2]string{
		{"ENGLISH", "Hold your PAN card next to your face"},
		{"HINDI", "अपना पैन कार्ड अपने चेहरे के पास पकड़ें"},
		{"KANNADA", "ನಿಮ್ಮ ಪ್ಯಾನ್ ಕಾರ್ಡ್ ಅನ್ನು ಮುಖದ ಪಕ್ಕದಲ್ಲಿ ಹಿಡಿಯಿರಿ"},
		{"BENGALI", "আপনার প্যান কার্ড মুখের পাশে ধরুন"},
		{"GUJARATI", "તમારું પાન કાર્ડ ચહેરાની બાજુમાં પકડો"},
	}},
	{text: "Say your date of birth aloud", screenshot: true, translations: [][2]string{
		{"ENGLISH", "Say your date of birth aloud"},
		{"HINDI", "अपनी जन्म तिथि ज़ोर से बताएं"},
		{"KANNADA", "ನಿಮ್ಮ ಜನ್ಮ ದಿನಾಂಕವನ್ನು ಜೋರಾಗಿ ಹೇಳಿ"},
		{"BENGALI", "আপনার জন্ম তারিখ জোরে বলুন"},
		{"GUJARATI", "તમારી જન્મ તારીખ મોટેથી કહો"},
	}},
}

const chromeUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"

// newSeedSet builds the seed. It makes the tab counts meaningful: eight cases need a decision
// (five SUSPECTED identity verifications, three video-KYC sessions), three are informational
// (APPROVED, APPROVED, DENIED), nothing is decided yet. Without the hostile case, seven.
func newSeedSet(hostile bool) *seedSet {
	h, m := time.Hour, time.Minute
	docOK, faceOK := "DOC_VALIDATED", "FACE_MATCH"
	card := []string{store.MediaFront, store.MediaBack, store.MediaFace}
	s := &seedSet{users: seedUsers, files: map[string]mediaFile{}}
	s.markID = []markIDCase{
		{key: "kovalenko", scanRef: "5f1c9a2e-7b3d-4e8a-9c41-2d6e0f8b1a37", clientID: "cust-10231",
			first: "ANNA", last: "KOVALENKO", orgFirst: "АННА", orgLast: "КОВАЛЕНКО", overall: store.StatusSuspected,
			fraud: []string{"FACE_IN_BLACKLIST", "DOC_MOBILE_PHOTO"}, mismatch: []string{"NAME", "DATE_OF_BIRTH"},
			autoDoc: docOK, autoFace: faceOK, manualDoc: docOK, manualFace: faceOK,
			docType: "PASSPORT", docNumber: "FT482913", docCountry: "UA", nationality: "UA", dob: "1994-05-04",
			expiry: "2031-08-14", ip: "203.0.113.9", ipCountry: "AE", proxy: "HIGH",
			files: append(card, store.MediaFaceVideo), ago: 3*h + 40*m, finalAgo: 3*h + 12*m},
		{key: "volkov", scanRef: "a83d0c51-2f9e-4b6a-8d17-5c0e9b2f4a61", clientID: "cust-10187",
			first: "ALEKSANDR", last: "VOLKOV", orgFirst: "АЛЕКСАНДР", orgLast: "ВОЛКОВ", overall: store.StatusSuspected,
			fraud: []string{"DEV_TOOLS_OPENED", "VIRTUAL_CAMERA"}, autoDoc: docOK, autoFace: "FACE_UNCERTAIN",
			docType: "PASSPORT", docNumber: "757318246", docCountry: "RU", nationality: "RU", dob: "1984-09-12",
			expiry: "2029-04-03", ip: "198.51.100.77", ipCountry: "NL", proxy: "VERY_HIGH",
			files: []string{store.MediaFront, store.MediaFace}, ago: 26*h + 10*m},
		{key: "beridze", scanRef: "c2e7f419-6a0d-4d3b-b8e5-91f4a7c3d208", clientID: "cust-10166",
			first: "TAMAZ", last: "BERIDZE", orgFirst: "თამაზ", orgLast: "ბერიძე", overall: store.StatusSuspected,
			mismatch: []string{"NATIONALITY"}, autoDoc: docOK, autoFace: faceOK,
			docType: "PASSPORT", docNumber: "15AB84721", docCountry: "GE", nationality: "GE", dob: "1969-11-30",
			expiry: "2031-08-18", ip: "198.51.100.150", ipCountry: "GE", proxy: "LOW", files: card, ago: 9 * h},
		{key: "yildirim", scanRef: "e91b3d7c-0c4a-4f2e-a6d9-3b8f5e1c7a90", clientID: "cust-10102",
			first: "AYSE", last: "YILDIRIM", orgFirst: "AYŞE", orgLast: "YILDIRIM", overall: store.StatusSuspected,
			mismatch: []string{"DATE_OF_BIRTH"}, autoDoc: docOK, autoFace: faceOK,
			docType: "ID_CARD", docNumber: "U18273645", docCountry: "TR", nationality: "TR", dob: "1994-08-02",
			expiry: "2032-03-15", ip: "192.0.2.18", ipCountry: "TR", proxy: "LOW", files: card, ago: 2*24*h + 3*h},
		{key: "shevchuk", scanRef: "07d4a8e2-93b1-4c6f-8e2a-d5b7c1f09e34", clientID: "cust-10244",
			first: "OLENA", last: "SHEVCHUK", orgFirst: "ОЛЕНА", orgLast: "ШЕВЧУК", overall: store.StatusSuspected,
			fraud: []string{"DOC_MOBILE_PHOTO"}, autoDoc: docOK, autoFace: faceOK,
			docType: "ID_CARD", docNumber: "004518273", docCountry: "UA", nationality: "UA", dob: "1991-02-17",
			expiry: "2030-06-11", ip: "192.0.2.44", ipCountry: "UA", proxy: "LOW", files: card, ago: 1*h + 5*m},
		{key: "wisniewska", scanRef: "3b6f0e9d-d1c8-4a7e-9f25-8e0a4c6b2d17", clientID: "cust-10298",
			first: "KATARZYNA", last: "WISNIEWSKA", orgFirst: "KATARZYNA", orgLast: "WIŚNIEWSKA", overall: store.StatusApproved,
			manualDoc: docOK, manualFace: faceOK, finalOnly: true,
			docType: "ID_CARD", docNumber: "AYC482913", docCountry: "PL", nationality: "PL", dob: "1988-03-12",
			expiry: "2029-01-22", ip: "192.0.2.61", ipCountry: "PL", proxy: "VERY_LOW", files: card, ago: 5 * h},
		{key: "rossi", scanRef: "8a2c5e7f-4b1d-4e90-b3a6-0f9d2c8e5b41", clientID: "cust-10077",
			first: "MARCO", last: "ROSSI", overall: store.StatusDenied, manualDoc: "DOC_DAMAGED", manualFace: faceOK, finalOnly: true,
			docType: "ID_CARD", docNumber: "CA18274BX", docCountry: "IT", nationality: "IT", dob: "1979-12-01",
			expiry: "2028-10-09", ip: "203.0.113.80", ipCountry: "IT", proxy: "LOW", files: card, ago: 20 * h},
		{key: "martin", scanRef: "f4e1c8b3-5a2d-4d6c-9e07-b1a3f6d8c925", clientID: "cust-10311",
			first: "LUCAS", last: "MARTIN", overall: store.StatusApproved, autoDoc: docOK, autoFace: faceOK,
			docType: "PASSPORT", docNumber: "19FR48213", docCountry: "FR", nationality: "FR", dob: "1990-07-21",
			expiry: "2033-02-02", ip: "192.0.2.90", ipCountry: "FR", proxy: "VERY_LOW",
			files: []string{store.MediaFront, store.MediaFace}, ago: 30 * m},
	}
	s.vcip = []vcipCase{
		{key: "sharma", sessionID: "vk-7f3e2a91c4d8", name: "PRIYA SHARMA", email: "priya.sharma@example.in",
			country: "IN", region: "Maharashtra", city: "Mumbai", ip: "49.36.112.20", lat: "19.0760", lon: "72.8777",
			userAgent: chromeUA, browser: "Chrome",
			instructions: sharmaInstructions, shotsPerStep: 3, video: true,
			document: map[string]any{"name": "PRIYA SHARMA", "fatherName": "RAJESH SHARMA", "dob": "1992-06-14", "panNumber": "ABCPS1234K"},
			feedback: "5", feedbackMessage: "Quick and easy, thank you.",
			fieldValues: map[string]any{"Remark": "Accepted", "occupation": "Software engineer", "annualIncome": "1200000"},
			ago:         2*h + 25*m},
		{key: "verma", sessionID: "vk-1c8d5b2e77a0", name: "RAHUL VERMA", email: "rahul.verma@example.in",
			country: "IN", region: "Karnataka", city: "Bengaluru", ip: "106.51.80.14", lat: "12.9716", lon: "77.5946",
			userAgent: chromeUA, browser: "Chrome",
			instructions: sharmaInstructions[:2], shotsPerStep: 2, video: true,
			document: map[string]any{"name": "RAHUL VERMA", "dob": "1987-01-30", "panNumber": "BQRPV5678L",
				"aadhaarNumber": "2341 2341 2346"}, // masked on every page (TestRevealAadhaar)
			ago: 4*h + 50*m},
	}
	if hostile {
		s.vcip = append(s.vcip, vcipCase{key: "hostile", sessionID: "vk-hostile-0001", name: hostileImg,
			email: hostileScript, country: "IN", city: hostileScript, ip: "49.36.1.1",
			userAgent: hostileScript, browser: hostileScript,
			instructions: []vcipInstruction{{text: "Say " + hostileScript, translations: [][2]string{
				{"ENGLISH", "Say " + hostileScript}, {"HINDI", hostileImg}}}},
			shotsPerStep: 1, document: map[string]any{"name": hostileImg, hostileScript: hostileScript},
			feedback: hostileScript, feedbackMessage: hostileImg,
			callbackParameter: map[string]any{"note": hostileScript},
			ago:               40 * m})
	}
	for _, c := range s.markID {
		s.cases = append(s.cases, seedCase{key: c.key, source: store.SourceMarkID, ref: c.scanRef, name: c.first + " " + c.last})
		for _, kind := range c.files {
			s.addMediaFile(markIDFilePath(c.key, kind), kind, c.key)
		}
	}
	for _, c := range s.vcip {
		s.cases = append(s.cases, seedCase{key: c.key, source: store.SourceVCIP, ref: c.sessionID, name: c.name})
		if c.document != nil {
			s.addPicture("/vcip/"+c.key+"/document-1.png", func() []byte { return demo.DocumentPNG(c.key) })
		}
		for step := range c.instructions {
			for i := 0; i < c.shotsPerStep; i++ {
				s.addPicture(fmt.Sprintf("/vcip/%s/step-%d-%d.png", c.key, step+1, i), func() []byte { return demo.FramePNG(c.key, step, i) })
			}
		}
		if c.video {
			s.addMediaFile("/vcip/"+c.key+"/recording.webm", store.MediaRecordedVideo, c.key)
			s.addPicture("/vcip/"+c.key+"/thumbnail.png", func() []byte { return demo.ThumbnailPNG(c.key) })
		}
	}
	return s
}

func markIDFilePath(key, kind string) string {
	if kind == store.MediaFaceVideo {
		return "/markid/" + key + "/" + kind + ".webm"
	}
	return "/markid/" + key + "/" + kind + ".png"
}

// addPicture adds a PNG at path, drawn by draw (once per package run).
func (s *seedSet) addPicture(path string, draw func() []byte) {
	s.files[path] = mediaFile{"image/png", picture(path, draw)}
}

func (s *seedSet) addMediaFile(path, kind, key string) {
	var f mediaFile
	switch kind {
	case store.MediaFront:
		f = mediaFile{"image/png", picture(path, func() []byte { return demo.FrontPNG(key, "LT") })}
	case store.MediaBack:
		f = mediaFile{"image/png", picture(path, func() []byte { return demo.BackPNG(key, "LT") })}
	case store.MediaFace:
		f = mediaFile{"image/png", picture(path, func() []byte { return demo.SelfiePNG(key) })}
	default:
		data, err := webm()
		if err != nil {
			panic(fmt.Sprintf("e2e: no WebM video to seed (%v): looked for %s", err, strings.Join(videoFiles, ", ")))
		}
		f = mediaFile{"video/webm", data}
	}
	s.files[path] = f
}

// markIDCase returns the seeded identity verification with key.
func (s *seedSet) markIDCase(key string) (markIDCase, bool) {
	for _, c := range s.markID {
		if c.key == key {
			return c, true
		}
	}
	return markIDCase{}, false
}

// seedCaseByKey returns the seeded case with key.
func (s *seedSet) seedCaseByKey(key string) (seedCase, bool) {
	for _, c := range s.cases {
		if c.key == key {
			return c, true
		}
	}
	return seedCase{}, false
}

// deliveries are the webhook posts of the whole seed, oldest first, with media links into
// base. Each delivery's links are its own (as the vendor's pre-signed links are), so the
// fetcher archives one row per link.
func (s *seedSet) deliveries(base string) []delivery {
	var out []delivery
	for _, c := range s.markID {
		if c.finalOnly {
			out = append(out, c.delivery(base, c.ago, true, 1))
			continue
		}
		out = append(out, c.delivery(base, c.ago, false, 1))
		if c.finalAgo > 0 {
			out = append(out, c.delivery(base, c.finalAgo, true, 2))
		}
	}
	for _, c := range s.vcip {
		out = append(out, c.delivery(base))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ago > out[j].ago })
	s.mediaRows = 0
	for _, d := range out {
		s.mediaRows += d.media
	}
	return out
}

// delivery renders one Mark ID callback as the vendor sends it; n tells the links of
// successive deliveries apart.
func (c markIDCase) delivery(base string, ago time.Duration, final bool, n int) delivery {
	files := map[string]string{}
	for _, kind := range c.files {
		files[kind] = fmt.Sprintf("%s%s?X-Amz-Expires=3600&delivery=%d", base, markIDFilePath(c.key, kind), n)
	}
	m := webtest.MarkID{ScanRef: c.scanRef, ClientID: c.clientID, Final: final, IP: c.ip, IPCountry: c.ipCountry,
		Overall: c.overall, Fraud: c.fraud, Mismatch: c.mismatch, AutoDoc: c.autoDoc, AutoFace: c.autoFace,
		First: c.first, Last: c.last, OrgFirst: c.orgFirst, OrgLast: c.orgLast, DocNumber: c.docNumber,
		DocType: c.docType, DocCountry: c.docCountry, Nationality: c.nationality, DOB: c.dob, Expiry: c.expiry,
		ProxyRisk: c.proxy, Files: files}
	if final {
		m.ManualDoc, m.ManualFace = c.manualDoc, c.manualFace
	}
	return delivery{key: c.key, source: store.SourceMarkID, ago: ago, body: m.Body(), media: len(files)}
}

// delivery renders the session's callback as the video-KYC vendor sends it.
func (c vcipCase) delivery(base string) delivery {
	link := func(path string) string { return base + path + "?sig=e2e" }
	v := webtest.VCIP{SessionID: c.sessionID, Name: c.name, Email: c.email, Country: c.country, Region: c.region,
		City: c.city, IP: c.ip, Latitude: c.lat, Longitude: c.lon, UserAgent: c.userAgent, Browser: c.browser, Feedback: c.feedback,
		FeedbackMsg: c.feedbackMessage, FieldValues: c.fieldValues, CallbackParameters: c.callbackParameter}
	media := 0
	for _, in := range c.instructions {
		v.Instructions = append(v.Instructions, webtest.Instruction{Text: in.text, IDCardBox: in.idCardBox,
			Screenshot: in.screenshot, Translations: in.translations})
	}
	if c.document != nil {
		v.DocumentImages = []string{link("/vcip/" + c.key + "/document-1.png")}
		v.DocumentData = []map[string]any{c.document}
		media++
	}
	for step := range c.instructions {
		var set []string
		for i := 0; i < c.shotsPerStep; i++ {
			set = append(set, link(fmt.Sprintf("/vcip/%s/step-%d-%d.png", c.key, step+1, i)))
			media++
		}
		v.Screenshots = append(v.Screenshots, set)
	}
	if c.video {
		v.VideoURL, v.Thumbnail = link("/vcip/"+c.key+"/recording.webm"), link("/vcip/"+c.key+"/thumbnail.png")
		media += 2
	}
	return delivery{key: c.key, source: store.SourceVCIP, ago: c.ago, body: v.Body(), media: media}
}
