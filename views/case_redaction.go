package views

import (
	"fmt"

	"github.com/kycdesk/kycdesk/store"
)

// redact marks each archived picture with its redaction: how many boxes it carries and the
// address that serves what this viewer may see. A redacted picture's address names its
// derivative (so a browser never shows a cached original in its place), or with a reveal of
// the original images the audit entry that grants them for this page view.
func (v *MediaView) redact(media []store.Media, redactions map[int64]store.Redaction, canRedact bool, reveal int64) {
	byID := make(map[int64]store.Media, len(media))
	for _, m := range media {
		byID[m.ID] = m
	}
	v.CanRedact = canRedact
	mark := func(it *MediaItem) {
		m, ok := byID[it.ID]
		if !ok || it.URL == "" || m.IsVideo() || !store.RedactableType(m.ContentType) {
			return
		}
		it.CanRedact = canRedact
		it.RedactURL = fmt.Sprintf("/media/%d/redaction", m.ID)
		r, ok := redactions[m.ID]
		if !ok {
			return
		}
		it.Boxes = len(r.Boxes)
		if reveal > 0 {
			it.Original = true
			it.URL = fmt.Sprintf("/media/%d?original=%d", m.ID, reveal)
		} else {
			it.URL = fmt.Sprintf("/media/%d?v=%.12s", m.ID, r.SHA256)
		}
	}
	for _, list := range [][]MediaItem{v.Identity, v.Videos, v.Documents, v.Other} {
		for i := range list {
			mark(&list[i])
		}
	}
	if v.Recorded != nil {
		mark(v.Recorded)
	}
	for s := range v.Steps {
		for i := range v.Steps[s].Items {
			mark(&v.Steps[s].Items[i])
		}
	}
}
