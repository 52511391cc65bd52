// Package webtest is the test kit for vendor callbacks: one builder per vendor that renders a
// body as the vendor sends it, and the signature the Mark ID webhook checks. Web tests, e2e, the
// crash test and the benchmarks all build their callbacks here. Only tests import it.
package webtest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// MarkID is a Mark ID result callback in the few words tests need; zero fields are left out of
// the body, or sent as null where the vendor sends null for a missing value.
type MarkID struct {
	ScanRef, ClientID, ExternalRef string
	First, Last, FullName          string
	OrgFirst, OrgLast              string
	Overall                        string
	Final                          bool
	Fraud, Mismatch, Suspicion     []string
	AutoDoc, AutoFace              string
	ManualDoc, ManualFace          string
	DocType, DocNumber, DocCountry string
	Nationality, DOB, Expiry       string
	IP, IPCountry, ProxyRisk       string
	Files                          map[string]string // fileUrls: FRONT, BACK, FACE, FACE_VIDEO…
	AML, LID                       []any
	DuplicateFaces                 []string
	// Data and Top add or replace fields of "data" and of the top level, verbatim.
	Data, Top map[string]any
}

// Body renders the callback as the vendor would send it.
func (m MarkID) Body() []byte {
	data := map[string]any{
		"docFirstName": null(m.First), "docLastName": null(m.Last), "fullName": null(m.FullName),
		"orgFirstName": null(m.OrgFirst), "orgLastName": null(m.OrgLast),
		"docNumber": null(m.DocNumber), "docType": null(m.DocType), "docIssuingCountry": null(m.DocCountry),
		"docNationality": null(m.Nationality), "docDob": null(m.DOB), "docExpiry": null(m.Expiry),
		"clientIpProxyRiskLevel": null(m.ProxyRisk), "duplicateFaces": orEmpty(m.DuplicateFaces),
	}
	b := map[string]any{
		"scanRef": m.ScanRef, "clientId": m.ClientID, "externalRef": m.ExternalRef, "final": m.Final,
		"platform": "PC", "clientIp": m.IP, "clientIpCountry": m.IPCountry,
		"status": map[string]any{
			"overall": m.Overall, "fraudTags": orEmpty(m.Fraud), "mismatchTags": orEmpty(m.Mismatch),
			"suspicionReasons": orEmpty(m.Suspicion), "autoDocument": null(m.AutoDoc), "autoFace": null(m.AutoFace),
			"manualDocument": null(m.ManualDoc), "manualFace": null(m.ManualFace),
		},
		"data": data, "fileUrls": m.Files,
	}
	for k, v := range m.Data {
		data[k] = v
	}
	for k, v := range m.Top {
		b[k] = v
	}
	if m.AML != nil {
		b["AML"] = m.AML
	}
	if m.LID != nil {
		b["LID"] = m.LID
	}
	return MarshalRaw(b)
}

// Instruction is one instruction of a video-KYC callback; Translations keep their order.
type Instruction struct {
	Text                           string
	IDCardBox, SideNav, Screenshot bool
	Translations                   [][2]string // {"HINDI", "…"}
}

// VCIP is a video-KYC session callback in the few words tests need.
type VCIP struct {
	SessionID, Name, Email  string
	Country, Region, City   string // geo; sent when Country or IP is set
	IP, Latitude, Longitude string
	UserAgent, Browser      string // browser data; sent when either is set
	Language                string // browserLanguage, "en-IN" when empty
	Instructions            []Instruction
	DocumentImages          []string
	DocumentData            []map[string]any
	Screenshots             [][]string // per step: final image first, then the others
	VideoURL, Thumbnail     string
	Feedback, FeedbackMsg   string
	FieldValues             map[string]any
	CallbackParameters      map[string]any
}

// Body renders the callback as the vendor would send it.
func (v VCIP) Body() []byte {
	ins := make([]json.RawMessage, 0, len(v.Instructions))
	for _, in := range v.Instructions {
		// Translations are an object whose key order matters to people: write it by hand.
		var tr bytes.Buffer
		tr.WriteByte('{')
		for i, kv := range in.Translations {
			if i > 0 {
				tr.WriteByte(',')
			}
			tr.Write(MarshalRaw(kv[0]))
			tr.WriteByte(':')
			tr.Write(MarshalRaw(kv[1]))
		}
		tr.WriteByte('}')
		ins = append(ins, MarshalRaw(map[string]any{"text": in.Text, "isIDCardBoxRequired": in.IDCardBox,
			"isSideNavRequired": in.SideNav, "isScreenshotRequired": in.Screenshot, "translations": json.RawMessage(tr.Bytes())}))
	}
	docs := []any{}
	for i, img := range v.DocumentImages {
		d := map[string]any{"image": img}
		if i < len(v.DocumentData) {
			d["data"] = v.DocumentData[i]
		}
		docs = append(docs, d)
	}
	shots := []any{}
	for _, s := range v.Screenshots {
		set := map[string]any{"finalImage": "", "screenshots": []string{}}
		if len(s) > 0 {
			set["finalImage"] = s[0]
			set["screenshots"] = orEmpty(s[1:])
		}
		shots = append(shots, set)
	}
	data := map[string]any{
		"sessionId": v.SessionID, "_id": "rec-" + v.SessionID, "name": v.Name, "email": v.Email,
		"instructions": ins, "documents": docs, "screenshots": shots,
		"feedback": v.Feedback, "feedbackMessage": v.FeedbackMsg, "fieldValues": v.FieldValues,
		"recordedVideoData": map[string]any{"videoUrl": v.VideoURL, "videoThumbnail": v.Thumbnail},
	}
	if v.Country != "" || v.IP != "" {
		geo := map[string]any{"statusCode": "OK", "countryCode": v.Country, "cityName": v.City,
			"ipAddress": v.IP, "regionName": v.Region, "timeZone": "+05:30"}
		if v.Latitude != "" || v.Longitude != "" {
			geo["latitude"], geo["longitude"] = v.Latitude, v.Longitude
		}
		data["geo"] = geo
	}
	if v.UserAgent != "" || v.Browser != "" {
		lang := v.Language
		if lang == "" {
			lang = "en-IN"
		}
		data["browserData"] = map[string]any{"browserName": v.Browser, "browserVersion": "120.0",
			"os": "Win32", "userAgent": v.UserAgent, "browserLanguage": lang, "cookieEnabled": "true",
			"screenWidth": "1920", "screenHeight": "1080", "screenColorDepth": "24",
			"deviceInfo": map[string]any{"complete_device_name": "Google Chrome", "form_factor": "Desktop", "is_mobile": false}}
	}
	return MarshalRaw(map[string]any{"data": data, "callbackParameters": v.CallbackParameters})
}

// MarshalRaw encodes v as a vendor would: without escaping <, > and & for HTML.
func MarshalRaw(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // test values always encode
	}
	return bytes.TrimSpace(buf.Bytes())
}

// MarkIDSignature is the Mark ID webhook's signature header value for body: hex HMAC-SHA256.
func MarkIDSignature(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Fixture reads testdata/name of the calling package's directory.
func Fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
