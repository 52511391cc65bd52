// Package vcip decodes Video KYC (V-CIP) session callbacks into store snapshots.
//
// Decoding is lenient where real senders are sloppy: any field may be null or missing, numbers and
// booleans may arrive as strings, unknown fields are ignored. A field of another type than
// documented reads as empty and is named in the snapshot's schema warnings: the session is kept.
// It fails, with a message naming the byte or field, only when the body is not JSON or has no
// usable data.sessionId. Media URLs that are not absolute http(s) URLs (the vendor's examples use
// placeholders like "image URL") are left out; the raw body keeps them.
package vcip

import (
	"fmt"
	"strings"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/internal/jsonfield"
)

// Decode turns one callback body into a snapshot, or into an error an operator can act on.
func Decode(body []byte) (*store.Snapshot, error) {
	top, err := jsonfield.Parse(body)
	if err != nil {
		return nil, err
	}
	r := &jsonfield.Reader{}
	d := r.Object(top.Get("data"))
	s := &store.Snapshot{Source: store.SourceVCIP}
	s.Ref = strings.TrimSpace(r.Str(d.Get("sessionId")))
	if s.Ref == "" {
		for _, field := range []string{"data", "data.sessionId"} {
			if w, odd := r.Warned(field); odd {
				return nil, jsonfield.Errorf("field %q is %s, want %s: the session cannot be identified", field, w.Got, w.Want)
			}
		}
		if !jsonfield.IsNull(top.Get("scanRef").Raw) {
			return nil, jsonfield.Errorf("missing data.sessionId: this looks like a Mark ID callback (it has scanRef), not a Video KYC session")
		}
		return nil, jsonfield.Errorf("missing data.sessionId")
	}
	s.RecordID = r.Str(d.Get("_id"))
	s.Person.FullName = r.Str(d.Get("name"))
	s.Person.Email = r.Str(d.Get("email"))
	s.VideoDocuments, s.Media = decodeDocuments(r, d.Get("documents"))
	s.Instructions = decodeInstructions(r, d.Get("instructions"))
	s.RandomizeInstructions = r.Flag(d.Get("randomizeInstructions"))
	s.RecordingID = r.Str(d.Get("recordingId"))
	s.Feedback = r.Str(d.Get("feedback"))
	s.FeedbackMessage = r.Str(d.Get("feedbackMessage"))
	var shots []store.MediaRef
	s.Screenshots, shots = decodeScreenshots(r, d.Get("screenshots"))
	s.Media = append(s.Media, shots...)
	s.Geo = decodeGeo(r, d.Get("geo"))
	if s.Geo != nil {
		s.IP, s.IPCountry = s.Geo.IP, s.Geo.CountryCode
	}
	s.Browser = decodeBrowser(r, d.Get("browserData"))
	s.Forensics = r.RawJSON(d.Get("forensicsData"))
	s.FieldValues = r.RawJSON(d.Get("fieldValues"))
	video := r.Object(d.Get("recordedVideoData"))
	if u := r.MediaURL(video.Get("videoUrl")); u != "" {
		s.Media = append(s.Media, store.MediaRef{Kind: store.MediaRecordedVideo, URL: u})
	}
	if u := r.MediaURL(video.Get("videoThumbnail")); u != "" {
		s.Media = append(s.Media, store.MediaRef{Kind: store.MediaVideoThumbnail, URL: u})
	}
	s.CallbackParameters = r.RawJSON(top.Get("callbackParameters"))
	if r.Err != nil {
		return nil, r.Err
	}
	s.SchemaWarnings = r.Warnings
	return s, nil
}

// decodeDocuments keeps one entry per element, null ones too, so indexes match what the vendor sent.
func decodeDocuments(r *jsonfield.Reader, n jsonfield.Node) ([]store.VideoDocument, []store.MediaRef) {
	var docs []store.VideoDocument
	var media []store.MediaRef
	for i, e := range r.Array(n) {
		f := r.Object(e)
		doc := store.VideoDocument{ImageURL: r.MediaURL(f.Get("image")), Data: r.RawJSON(f.Get("data"))}
		if doc.ImageURL != "" {
			media = append(media, store.MediaRef{Kind: store.MediaDocumentImage, URL: doc.ImageURL,
				Label: fmt.Sprintf("Document %d", i+1), Position: i})
		}
		docs = append(docs, doc)
	}
	return docs, media
}

func decodeInstructions(r *jsonfield.Reader, n jsonfield.Node) []store.Instruction {
	var out []store.Instruction
	for _, e := range r.Array(n) {
		f := r.Object(e)
		out = append(out, store.Instruction{
			Text:               r.Str(f.Get("text")),
			IDCardBoxRequired:  r.Flag(f.Get("isIDCardBoxRequired")),
			SideNavRequired:    r.Flag(f.Get("isSideNavRequired")),
			ScreenshotRequired: r.Flag(f.Get("isScreenshotRequired")),
			Translations:       decodeTranslations(r, f.Get("translations")),
		})
	}
	return out
}

// decodeTranslations reads the translations object in the order it was sent (a Go map would lose
// it). A repeated language keeps its first place and its last text; null texts are left out.
func decodeTranslations(r *jsonfield.Reader, n jsonfield.Node) []store.Translation {
	if jsonfield.IsNull(n.Raw) {
		return nil
	}
	if jsonfield.Kind(n.Raw) != "an object" {
		r.Fail(n, "an object")
		return nil
	}
	var out []store.Translation
	at := map[string]int{} // language -> index in out
	for lang, val := range r.Object(n).All() {
		text := r.Str(val)
		if jsonfield.IsNull(val.Raw) {
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
func decodeScreenshots(r *jsonfield.Reader, n jsonfield.Node) ([]store.ScreenshotSet, []store.MediaRef) {
	var sets []store.ScreenshotSet
	var media []store.MediaRef
	for i, e := range r.Array(n) {
		f := r.Object(e)
		label := fmt.Sprintf("Step %d", i+1)
		set := store.ScreenshotSet{FinalImage: r.MediaURL(f.Get("finalImage"))}
		if set.FinalImage != "" {
			media = append(media, store.MediaRef{Kind: store.MediaFinalImage, URL: set.FinalImage, Label: label, Position: i})
		}
		for _, sn := range r.Array(f.Get("screenshots")) {
			if u := r.MediaURL(sn); u != "" {
				set.Screenshots = append(set.Screenshots, u)
				media = append(media, store.MediaRef{Kind: store.MediaScreenshot, URL: u, Label: label, Position: i})
			}
		}
		sets = append(sets, set)
	}
	return sets, media
}

// decodeGeo reads the IP geolocation; the vendor sends both ipAddress and ip, cityName and city.
func decodeGeo(r *jsonfield.Reader, n jsonfield.Node) *store.Geo {
	if jsonfield.IsNull(n.Raw) {
		return nil
	}
	f := r.Object(n)
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := strings.TrimSpace(r.Str(f.Get(k))); v != "" {
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

func decodeBrowser(r *jsonfield.Reader, n jsonfield.Node) *store.Browser {
	if jsonfield.IsNull(n.Raw) {
		return nil
	}
	f := r.Object(n)
	dev := r.Object(f.Get("deviceInfo"))
	return &store.Browser{
		Name:          r.Str(f.Get("browserName")),
		Version:       r.Str(f.Get("browserVersion")),
		OS:            r.Str(f.Get("os")),
		UserAgent:     r.Str(f.Get("userAgent")),
		Language:      r.Str(f.Get("browserLanguage")),
		CookieEnabled: r.Boolean(f.Get("cookieEnabled")),
		ScreenWidth:   int(r.Integer(f.Get("screenWidth"))),
		ScreenHeight:  int(r.Integer(f.Get("screenHeight"))),
		ColorDepth:    int(r.Integer(f.Get("screenColorDepth"))),
		PixelDepth:    int(r.Integer(f.Get("screenPixelDepth"))),
		Plugins:       r.Strs(f.Get("pluginsInstalled")),
		DeviceName:    r.Str(dev.Get("complete_device_name")),
		FormFactor:    r.Str(dev.Get("form_factor")),
		IsMobile:      r.Boolean(dev.Get("is_mobile")),
	}
}
