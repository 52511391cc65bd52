package views

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kycdesk/kycdesk/store"
)

// mediaCaptions are the slot names the page shows (upper-cased by the stylesheet) and their
// alternative text.
var mediaCaptions = map[string][2]string{
	store.MediaFront:          {"Front", "Front of the document"},
	store.MediaCapture:        {"Captured frame", "A frame of the recording a reviewer saved as evidence"},
	store.MediaBack:           {"Back", "Back of the document"},
	store.MediaFace:           {"Face (selfie)", "The customer's selfie"},
	store.MediaFrontVideo:     {"Front video", "Video of the document's front"},
	store.MediaBackVideo:      {"Back video", "Video of the document's back"},
	store.MediaFaceVideo:      {"Face video", "Video of the customer's face"},
	store.MediaRecordedVideo:  {"Recorded call", "Recording of the video call"},
	store.MediaDocumentImage:  {"Document", "Document shown during the call"},
	store.MediaScreenshot:     {"Screenshot", "Screenshot taken during the call"},
	store.MediaFinalImage:     {"Final image", "The screenshot chosen for this step"},
	store.MediaVideoThumbnail: {"Thumbnail", "Thumbnail of the recorded call"},
}

// mediaSlot is where a media row belongs on the page. Every delivery names the whole set again,
// usually with fresh pre-signed URLs, so rows of different deliveries share slots. Identity media
// are one per kind (their position depends on which others were sent); document images and final
// screenshots are one per position.
func mediaSlot(m store.Media) string {
	switch m.Kind {
	case store.MediaDocumentImage, store.MediaFinalImage:
		return fmt.Sprintf("%s/%d", m.Kind, m.Position)
	}
	return m.Kind
}

// preferred reports whether a should be shown rather than b for the same slot: an archived copy
// first, then the newest.
func preferred(a, b store.Media) bool {
	aa, ba := a.State == store.MediaStateArchived, b.State == store.MediaStateArchived
	if aa != ba {
		return aa
	}
	if a.DeliveryID != b.DeliveryID {
		return a.DeliveryID > b.DeliveryID
	}
	return a.ID > b.ID
}

// MediaFor groups a case's media rows for the page: one row per slot, and for each screenshot
// step the screenshots of one delivery (the one with an archived copy, else the newest).
func MediaFor(media []store.Media, s *store.Snapshot, canRetry bool, csrf string) MediaView {
	best := map[string]store.Media{}
	var order []string
	shots := map[int][]store.Media{}
	for _, m := range media {
		if m.Kind == store.MediaScreenshot {
			shots[m.Position] = append(shots[m.Position], m)
			continue
		}
		slot := mediaSlot(m)
		cur, ok := best[slot]
		if !ok {
			order = append(order, slot)
		}
		if !ok || preferred(m, cur) {
			best[slot] = m
		}
	}
	v := MediaView{CanRetry: canRetry, CSRF: csrf}
	var poster string
	if t, ok := best[store.MediaVideoThumbnail]; ok && t.State == store.MediaStateArchived {
		poster = mediaURL(t.ID)
	}
	if s.Source != store.SourceVCIP {
		for _, k := range []string{store.MediaFront, store.MediaBack, store.MediaFace} {
			if m, ok := best[k]; ok {
				v.Identity = append(v.Identity, mediaItem(m))
			} else {
				c := mediaCaptions[k]
				v.Identity = append(v.Identity, MediaItem{Kind: k, Caption: c[0], Missing: true})
			}
		}
	}
	steps := map[int]*ScreenshotStep{}
	step := func(pos int) *ScreenshotStep {
		if st, ok := steps[pos]; ok {
			return st
		}
		st := &ScreenshotStep{N: pos + 1}
		if pos >= 0 && pos < len(s.Instructions) {
			st.Instruction = s.Instructions[pos].Text
		}
		steps[pos] = st
		return st
	}
	for _, slot := range order {
		m := best[slot]
		switch m.Kind {
		case store.MediaFront, store.MediaBack, store.MediaFace, store.MediaVideoThumbnail:
			if s.Source == store.SourceVCIP && m.Kind != store.MediaVideoThumbnail {
				v.Other = append(v.Other, mediaItem(m))
			}
		case store.MediaFrontVideo, store.MediaBackVideo, store.MediaFaceVideo:
			v.Videos = append(v.Videos, mediaItem(m))
		case store.MediaRecordedVideo:
			it := mediaItem(m)
			it.PosterURL = poster
			v.Recorded = &it
		case store.MediaDocumentImage:
			it := mediaItem(m)
			it.Caption = fmt.Sprintf("Document %d", m.Position+1)
			v.Documents = append(v.Documents, it)
		case store.MediaFinalImage:
			it := mediaItem(m)
			it.Final = true
			it.Caption, it.Alt = "", fmt.Sprintf("Final screenshot of step %d", m.Position+1)
			st := step(m.Position)
			st.Items = append([]MediaItem{it}, st.Items...)
		default:
			v.Other = append(v.Other, mediaItem(m))
		}
	}
	for pos, rows := range shots {
		st := step(pos)
		var final string
		if len(st.Items) > 0 && st.Items[0].Final {
			final = st.Items[0].OriginalURL
		}
		for _, m := range screenshotsOfOneDelivery(rows) {
			if m.URL == final {
				continue
			}
			it := mediaItem(m)
			it.Caption, it.Alt = "", fmt.Sprintf("Screenshot of step %d", pos+1)
			st.Items = append(st.Items, it)
		}
	}
	for _, st := range steps {
		v.Steps = append(v.Steps, *st)
	}
	sort.Slice(v.Steps, func(i, j int) bool { return v.Steps[i].N < v.Steps[j].N })
	return v
}

// screenshotsOfOneDelivery picks, among one step's screenshots from several deliveries, the
// set of a single delivery: the newest with an archived copy, else the newest.
func screenshotsOfOneDelivery(rows []store.Media) []store.Media {
	var pick store.Media
	for i, m := range rows {
		if i == 0 || preferred(m, pick) {
			pick = m
		}
	}
	var out []store.Media
	for _, m := range rows {
		if m.DeliveryID == pick.DeliveryID {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func mediaURL(id int64) string { return fmt.Sprintf("/media/%d", id) }

func mediaItem(m store.Media) MediaItem {
	c, ok := mediaCaptions[m.Kind]
	if !ok {
		c = [2]string{strings.ReplaceAll(strings.ToLower(m.Kind), "_", " "), m.Kind}
	}
	it := MediaItem{ID: m.ID, Kind: m.Kind, Caption: c[0], Alt: c[1], OriginalURL: m.URL, State: m.State,
		IsVideo: m.IsVideo(), Size: m.Size, Attempts: m.Attempts, LastError: m.LastError}
	if m.Label != "" && (m.Kind == store.MediaDocumentImage || m.Kind == store.MediaScreenshot || m.Kind == store.MediaCapture) {
		it.Caption = m.Label
	}
	if m.State == store.MediaStateArchived {
		it.URL = mediaURL(m.ID)
		it.SHAShort = m.SHA256
		if len(it.SHAShort) > 10 {
			it.SHAShort = it.SHAShort[:10]
		}
		if m.FetchedAt != nil {
			it.FetchedAt = *m.FetchedAt
		}
	}
	if m.State == store.MediaStateFailed && it.LastError == "" {
		it.LastError = "The download failed."
	}
	return it
}
