package demo

import (
	"bytes"
	"context"
	_ "embed" // the demo recording
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// demoVideo is an 8-second VP8 test pattern with a running clock (320×240, 15 fps, a keyframe
// every second so seeking works), made with:
//
//	ffmpeg -f lavfi -i testsrc=duration=8:size=320x240:rate=15 -c:v libvpx -b:v 80k -g 15 -an demo.webm
//
//go:embed assets/demo.webm
var demoVideo []byte

// maxMediaBytes bounds one archived demo file; the largest is the video, well under it.
const maxMediaBytes = 1 << 20

// archiveMedia does what the media fetcher would: for every queued media row of the demo
// cases it stores the content in the archive and marks the row archived, except the rows a
// case names in failMedia, which it marks failed after three attempts.
func archiveMedia(ctx context.Context, db *store.DB, blobs *store.Blobs, owners map[int64]renderer, now time.Time, sum *Summary) error {
	ids := make([]int64, 0, len(owners))
	for id := range owners {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, caseID := range ids {
		r := owners[caseID]
		rows, err := db.CaseMedia(ctx, caseID)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		for _, m := range rows {
			if m.State != store.MediaStateQueued {
				continue
			}
			if reason, ok := r.failures()[m.Kind]; ok {
				if err := failMedia(ctx, db, m.ID, reason, now); err != nil {
					return err
				}
				sum.MediaFailed++
				continue
			}
			content, err := r.render(m)
			if err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			sha, size, err := blobs.Put(bytes.NewReader(content), maxMediaBytes)
			if err != nil {
				return fmt.Errorf("demo: media %d: %w", m.ID, err)
			}
			// Sniffed from the bytes, as the fetcher does.
			if err := db.MediaArchived(ctx, m.ID, sha, size, http.DetectContentType(content)); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			sum.MediaArchived++
			sum.MediaBytes += size
		}
	}
	return nil
}

// failMedia records what a fetcher meeting an expired pre-signed link records: two retries, then giving up.
func failMedia(ctx context.Context, db *store.DB, id int64, reason string, now time.Time) error {
	for attempt := 1; attempt <= 3; attempt++ {
		if err := db.MediaAttemptFailed(ctx, id, reason, now, attempt == 3); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	return nil
}
