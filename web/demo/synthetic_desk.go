package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// LoadSyntheticDesk fills an empty database with the demo users and n cases of the scale data set
// (LoadScale), for trying the desk at the size a bank reaches after years: their media are a
// handful of drawn pictures and one video, archived once into blobs and shared by every case.
// Progress and the generated passwords go to log, once. It refuses (ErrNotEmpty) a database that
// already has cases.
func LoadSyntheticDesk(ctx context.Context, db *store.DB, blobs *store.Blobs, n int, now time.Time, log io.Writer) ([]User, error) {
	if err := db.CheckLoadFinished(ctx); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	counts, err := db.ReviewCounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if counts.All > 0 {
		return nil, fmt.Errorf("demo: %w (%d); demo data loads only into an empty data directory", ErrNotEmpty, counts.All)
	}
	users, err := createUsers(ctx, db)
	if err != nil {
		return nil, err
	}
	var reviewers []int64
	for _, name := range []string{"rev1", "rev2"} {
		u, err := db.UserByUsername(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		reviewers = append(reviewers, u.ID)
	}
	files, err := scaleFiles(blobs)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := LoadScale(ctx, db, n, now, reviewers, files); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "demo: loaded %d synthetic cases in %s\n", n, time.Since(start).Round(time.Second))
	fmt.Fprintln(log, "demo: users (passwords are shown this once):")
	for _, u := range users {
		pw := u.Password
		if pw == "" {
			pw = "(already existed: left unchanged)"
		}
		fmt.Fprintf(log, "  %-5s %-18s %-20s %s\n", u.Username, u.DisplayName, joinRoles(u.Roles), pw)
	}
	return users, nil
}

// scaleFiles archives the pictures and the video every scale case shows, once.
func scaleFiles(blobs *store.Blobs) (map[string]store.BulkFile, error) {
	c := &idCase{key: "scale", p: idPerson{first: "PRIYA", last: "KUMAR", sex: "FEMALE", dob: "1990-04-12", nat: "IN",
		docType: "ID_CARD", docNo: "P00000001", issued: "2020-06-11", expiry: "2030-06-11", country: "IN"}}
	selfie := selfiePNG(lookFor("scale", "FEMALE"))
	content := map[string][]byte{store.MediaFront: docFront(c.art()), store.MediaBack: docBack(c.art()), store.MediaFace: selfie,
		"": selfie, store.MediaVideoThumbnail: thumbnail(lookFor("scale", "FEMALE"))}
	for _, k := range []string{store.MediaFrontVideo, store.MediaBackVideo, store.MediaFaceVideo, store.MediaRecordedVideo} {
		content[k] = demoVideo
	}
	files := map[string]store.BulkFile{}
	for kind, b := range content {
		sha, size, err := blobs.Put(bytes.NewReader(b), maxMediaBytes)
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		files[kind] = store.BulkFile{SHA256: sha, Size: size, ContentType: http.DetectContentType(b)}
	}
	return files, nil
}
