// Package vcip decodes Video KYC (V-CIP) session callbacks into store snapshots.
//
// Decoding is lenient where real senders are sloppy: any field may be null or missing, numbers and
// booleans may arrive as strings, unknown fields are ignored. It fails, with a message naming the
// byte or field, only when the body is not JSON, has no data.sessionId, or holds a value of a shape
// it cannot read. Media URLs that are not absolute http(s) URLs (the vendor's examples use
// placeholders like "image URL") are left out; the raw body keeps them.
package vcip

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kycdesk/kycdesk/store"
)

// Decode turns one callback body into a snapshot, or into an error an operator can act on.
func Decode(body []byte) (*store.Snapshot, error) {
	top, err := parseBody(body)
	if err != nil {
		return nil, err
	}
	r := &reader{}
	d := r.object(top.get("data"))
	if r.err != nil {
		return nil, r.err
	}
	s := &store.Snapshot{Source: store.SourceVCIP}
	s.Ref = strings.TrimSpace(r.str(d.get("sessionId")))
	if r.err != nil {
		return nil, r.err
	}
	if s.Ref == "" {
		if !isNull(top.m["scanRef"]) {
			return nil, errorf("missing data.sessionId: this looks like a Mark ID callback (it has scanRef), not a Video KYC session")
		}
		return nil, errorf("missing data.sessionId")
	}
	s.RecordID = r.str(d.get("_id"))
	s.Person.FullName = r.str(d.get("name"))
	s.Person.Email = r.str(d.get("email"))
	s.VideoDocuments, s.Media = decodeDocuments(r, d.get("documents"))
	s.Instructions = decodeInstructions(r, d.get("instructions"))
	s.RandomizeInstructions = r.flag(d.get("randomizeInstructions"))
	s.RecordingID = r.str(d.get("recordingId"))
	s.Feedback = r.str(d.get("feedback"))
	s.FeedbackMessage = r.str(d.get("feedbackMessage"))
	var shots []store.MediaRef
	s.Screenshots, shots = decodeScreenshots(r, d.get("screenshots"))
	s.Media = append(s.Media, shots...)
	s.Geo = decodeGeo(r, d.get("geo"))
	if s.Geo != nil {
		s.IP, s.IPCountry = s.Geo.IP, s.Geo.CountryCode
	}
	s.Browser = decodeBrowser(r, d.get("browserData"))
	s.Forensics = r.rawJSON(d.get("forensicsData"))
	s.FieldValues = r.rawJSON(d.get("fieldValues"))
	video := r.object(d.get("recordedVideoData"))
	if u := r.mediaURL(video.get("videoUrl")); u != "" {
		s.Media = append(s.Media, store.MediaRef{Kind: store.MediaRecordedVideo, URL: u})
	}
	if u := r.mediaURL(video.get("videoThumbnail")); u != "" {
		s.Media = append(s.Media, store.MediaRef{Kind: store.MediaVideoThumbnail, URL: u})
	}
	s.CallbackParameters = r.rawJSON(top.get("callbackParameters"))
	if r.err != nil {
		return nil, r.err
	}
	return s, nil
}

// decodeDocuments keeps one entry per element, null ones too, so indexes match what the vendor sent.
func decodeDocuments(r *reader, n node) ([]store.VideoDocument, []store.MediaRef) {
	var docs []store.VideoDocument
	var media []store.MediaRef
	for i, e := range r.array(n) {
		f := r.object(e)
		doc := store.VideoDocument{ImageURL: r.mediaURL(f.get("image")), Data: r.rawJSON(f.get("data"))}
		if doc.ImageURL != "" {
			media = append(media, store.MediaRef{Kind: store.MediaDocumentImage, URL: doc.ImageURL,
				Label: fmt.Sprintf("Document %d", i+1), Position: i})
		}
		docs = append(docs, doc)
	}
	return docs, media
}

func decodeInstructions(r *reader, n node) []store.Instruction {
	var out []store.Instruction
	for _, e := range r.array(n) {
		f := r.object(e)
		out = append(out, store.Instruction{
			Text:               r.str(f.get("text")),
			IDCardBoxRequired:  r.flag(f.get("isIDCardBoxRequired")),
			SideNavRequired:    r.flag(f.get("isSideNavRequired")),
			ScreenshotRequired: r.flag(f.get("isScreenshotRequired")),
			Translations:       decodeTranslations(r, f.get("translations")),
		})
	}
	return out
}

// decodeTranslations reads the translations object in the order it was sent (a Go map would lose
// it). A repeated language keeps its first place and its last text; null texts are left out.
func decodeTranslations(r *reader, n node) []store.Translation {
	if isNull(n.raw) {
		return nil
	}
	if kind(n.raw) != "an object" {
		r.fail(n, "an object")
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(n.raw))
	if _, err := dec.Token(); err != nil { // the opening brace
		r.fail(n, "an object")
		return nil
	}
	var out []store.Translation
	at := map[string]int{} // language -> index in out
	for dec.More() {
		tok, err := dec.Token()
		lang, ok := tok.(string)
		var val json.RawMessage
		if err != nil || !ok || dec.Decode(&val) != nil {
			r.fail(n, "an object")
			return nil
		}
		text := r.str(node{path: n.path + "." + lang, raw: val})
		if isNull(val) {
			continue
		}
		i, seen := at[lang]
		if !seen {
			i = len(out)
			at[lang] = i
			out = append(out, store.Translation{Language: lang})
		}
		out[i].Text = text
	}
	return out
}

// decodeScreenshots keeps one set per step, empty ones too, so step N lines up with instruction N.
// Media get Position = step index and Label "Step N" so the case page can group them.
func decodeScreenshots(r *reader, n node) ([]store.ScreenshotSet, []store.MediaRef) {
	var sets []store.ScreenshotSet
	var media []store.MediaRef
	for i, e := range r.array(n) {
		f := r.object(e)
		label := fmt.Sprintf("Step %d", i+1)
		set := store.ScreenshotSet{FinalImage: r.mediaURL(f.get("finalImage"))}
		if set.FinalImage != "" {
			media = append(media, store.MediaRef{Kind: store.MediaFinalImage, URL: set.FinalImage, Label: label, Position: i})
		}
		for _, sn := range r.array(f.get("screenshots")) {
			if u := r.mediaURL(sn); u != "" {
				set.Screenshots = append(set.Screenshots, u)
				media = append(media, store.MediaRef{Kind: store.MediaScreenshot, URL: u, Label: label, Position: i})
			}
		}
		sets = append(sets, set)
	}
	return sets, media
}

// decodeGeo reads the IP geolocation; the vendor sends both ipAddress and ip, cityName and city.
func decodeGeo(r *reader, n node) *store.Geo {
	if isNull(n.raw) {
		return nil
	}
	f := r.object(n)
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := strings.TrimSpace(r.str(f.get(k))); v != "" {
				return v
			}
		}
		return ""
	}
	return &store.Geo{
		StatusCode:    first("statusCode"),
		StatusMessage: first("statusMessage"),
		IP:            first("ipAddress", "ip"),
		CountryCode:   first("countryCode"),
		CountryName:   first("countryName"),
		Region:        first("regionName"),
		City:          first("cityName", "city"),
		Zip:           first("zipCode"),
		Latitude:      first("latitude"),
		Longitude:     first("longitude"),
		TimeZone:      first("timeZone"),
	}
}

func decodeBrowser(r *reader, n node) *store.Browser {
	if isNull(n.raw) {
		return nil
	}
	f := r.object(n)
	dev := r.object(f.get("deviceInfo"))
	return &store.Browser{
		Name:          r.str(f.get("browserName")),
		Version:       r.str(f.get("browserVersion")),
		OS:            r.str(f.get("os")),
		UserAgent:     r.str(f.get("userAgent")),
		Language:      r.str(f.get("browserLanguage")),
		CookieEnabled: r.boolean(f.get("cookieEnabled")),
		ScreenWidth:   int(r.integer(f.get("screenWidth"))),
		ScreenHeight:  int(r.integer(f.get("screenHeight"))),
		ColorDepth:    int(r.integer(f.get("screenColorDepth"))),
		PixelDepth:    int(r.integer(f.get("screenPixelDepth"))),
		Plugins:       r.strs(f.get("pluginsInstalled")),
		DeviceName:    r.str(dev.get("complete_device_name")),
		FormFactor:    r.str(dev.get("form_factor")),
		IsMobile:      r.boolean(dev.get("is_mobile")),
	}
}
