package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// mediaTestDB opens a database in a temporary directory whose clock the test sets through *now.
func mediaTestDB(t *testing.T) (*DB, *time.Time) {
	t.Helper()
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "kycdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	return db, &now
}

// mediaCase is one callback naming media, for ingestMediaCases.
type mediaCase struct {
	ref   string
	at    time.Time
	state string // review state to leave the case in; "" keeps what ingest derived
	media []MediaRef
}

// ingestMediaCases stores the callbacks in one transaction and returns each case's media rows.
func ingestMediaCases(t *testing.T, db *DB, cases ...mediaCase) [][]Media {
	t.Helper()
	items := make([]*Incoming, len(cases))
	for i, c := range cases {
		items[i] = &Incoming{Source: SourceMarkID, ReceivedAt: c.at, Body: []byte(`{"scanRef":"` + c.ref + `"}`),
			Snapshot: &Snapshot{Source: SourceMarkID, Ref: c.ref, Status: Status{Overall: StatusSuspected}, Media: c.media}}
	}
	res, err := db.ingestBatch(t.Context(), items)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]Media, len(cases))
	for i, r := range res {
		if r.Outcome != OutcomeStored {
			t.Fatalf("ingest %s: %s (%s)", cases[i].ref, r.Outcome, r.Error)
		}
		if s := cases[i].state; s != "" {
			if _, err := db.write.ExecContext(t.Context(), `UPDATE cases SET review_state = ? WHERE id = ?`, s, r.CaseID); err != nil {
				t.Fatal(err)
			}
		}
		if out[i], err = db.CaseMedia(t.Context(), r.CaseID); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func mediaRefs(kinds ...string) []MediaRef {
	out := make([]MediaRef, len(kinds))
	for i, k := range kinds {
		out[i] = MediaRef{Kind: k, URL: fmt.Sprintf("https://cdn.example/%s/%d.jpg", k, i), Position: i}
	}
	return out
}

func mediaSHA(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func mediaIDs(ms []Media) []int64 {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}

func TestDueMedia(t *testing.T) {
	db, now := mediaTestDB(t)
	t0 := *now
	rows := ingestMediaCases(t, db,
		mediaCase{ref: "a", at: t0, media: mediaRefs(MediaFront, MediaBack, MediaFace)},
		mediaCase{ref: "b", at: t0.Add(time.Second), media: mediaRefs(MediaFaceVideo)},
	)
	a, b := rows[0], rows[1]
	if err := db.MediaAttemptFailed(t.Context(), a[1].ID, "503", t0.Add(time.Hour), false); err != nil {
		t.Fatal(err)
	}
	if err := db.MediaArchived(t.Context(), a[2].ID, mediaSHA("face"), 4, "image/jpeg"); err != nil {
		t.Fatal(err)
	}

	due, err := db.DueMedia(t.Context(), 10)
	if want := []int64{a[0].ID}; err != nil || !slices.Equal(mediaIDs(due), want) {
		t.Errorf("DueMedia at t0 = %v, %v; want %v (b not yet due, a[1] backing off, a[2] archived)", mediaIDs(due), err, want)
	}
	*now = t0.Add(time.Hour)
	due, err = db.DueMedia(t.Context(), 10)
	if want := []int64{a[0].ID, b[0].ID, a[1].ID}; err != nil || !slices.Equal(mediaIDs(due), want) {
		t.Errorf("DueMedia an hour later = %v, %v; want %v, longest-waiting first", mediaIDs(due), err, want)
	}
	due, err = db.DueMedia(t.Context(), 2)
	if err != nil || len(due) != 2 {
		t.Errorf("DueMedia(limit 2) = %d rows, %v", len(due), err)
	}
}

func TestMediaTransitions(t *testing.T) {
	db, now := mediaTestDB(t)
	m := ingestMediaCases(t, db, mediaCase{ref: "a", at: *now, media: mediaRefs(MediaFront, MediaFace)})[0]
	front, face := m[0], m[1]
	ctx := t.Context()

	// A failed attempt is counted and the row tried again later.
	next := now.Add(2 * time.Second)
	if err := db.MediaAttemptFailed(ctx, front.ID, "the server answered 500", next, false); err != nil {
		t.Fatal(err)
	}
	got, err := db.MediaByID(ctx, front.ID)
	if err != nil || got.State != MediaStateQueued || got.Attempts != 1 || got.LastError != "the server answered 500" || !got.NextAttemptAt.Equal(next) {
		t.Fatalf("after a failed attempt: %+v, %v", got, err)
	}

	// Archiving records the file and keeps the last error for the record.
	*now = now.Add(3 * time.Second)
	sha := mediaSHA("front")
	if err := db.MediaArchived(ctx, front.ID, sha, 1234, "image/png"); err != nil {
		t.Fatal(err)
	}
	got, err = db.MediaByID(ctx, front.ID)
	if err != nil || got.State != MediaStateArchived || got.SHA256 != sha || got.Size != 1234 || got.ContentType != "image/png" ||
		got.FetchedAt == nil || !got.FetchedAt.Equal(*now) || got.Attempts != 2 || got.LastError != "the server answered 500" {
		t.Fatalf("after archiving: %+v, %v", got, err)
	}

	// Giving up marks the row failed; "Retry now" queues it again with a fresh window.
	if err := db.MediaAttemptFailed(ctx, face.ID, "too large", *now, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.MediaByID(ctx, face.ID); got.State != MediaStateFailed || got.LastError != "too large" {
		t.Fatalf("after giving up: %+v", got)
	}
	*now = now.Add(time.Hour)
	if err := db.RetryMedia(ctx, SystemActor, face.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.MediaByID(ctx, face.ID); got.State != MediaStateQueued || !got.NextAttemptAt.Equal(*now) || !got.QueuedAt.Equal(*now) || got.Attempts != 1 {
		t.Errorf("after RetryMedia: %+v, want queued now with its attempts kept", got)
	}

	errTests := []struct {
		name string
		err  error
		want error
	}{
		{"failed attempt on an archived row", db.MediaAttemptFailed(ctx, front.ID, "x", *now, false), ErrConflict},
		{"retry of an archived row", db.RetryMedia(ctx, SystemActor, front.ID), ErrConflict},
		{"failed attempt on a missing row", db.MediaAttemptFailed(ctx, 999, "x", *now, false), ErrNotFound},
		{"archive of a missing row", db.MediaArchived(ctx, 999, sha, 1, "image/png"), ErrNotFound},
		{"retry of a missing row", db.RetryMedia(ctx, SystemActor, 999), ErrNotFound},
		{"archive with a bad hash", db.MediaArchived(ctx, face.ID, "../x", 1, "image/png"), ErrInvalid},
	}
	for _, tt := range errTests {
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.err, tt.want)
		}
	}
	if _, err := db.MediaByID(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("MediaByID(999) = %v, want ErrNotFound", err)
	}
}

func TestCaseMediaOrder(t *testing.T) {
	db, now := mediaTestDB(t)
	media := []MediaRef{
		{Kind: MediaScreenshot, URL: "https://cdn.example/s2.jpg", Position: 2},
		{Kind: MediaScreenshot, URL: "https://cdn.example/s0.jpg", Position: 0},
		{Kind: MediaScreenshot, URL: "https://cdn.example/s1.jpg", Position: 1},
		{Kind: MediaRecordedVideo, URL: "https://cdn.example/call.webm", Position: 0},
	}
	rows := ingestMediaCases(t, db, mediaCase{ref: "v", at: *now, media: media})[0]
	var got []string
	for _, m := range rows {
		got = append(got, m.URL)
	}
	want := []string{"https://cdn.example/s0.jpg", "https://cdn.example/call.webm", "https://cdn.example/s1.jpg", "https://cdn.example/s2.jpg"}
	if !slices.Equal(got, want) {
		t.Errorf("CaseMedia = %v, want %v (by position, then id)", got, want)
	}
	if !rows[1].IsVideo() || rows[0].IsVideo() {
		t.Errorf("IsVideo: recorded video %v, screenshot %v", rows[1].IsVideo(), rows[0].IsVideo())
	}
}

func TestMediaStats(t *testing.T) {
	db, now := mediaTestDB(t)
	t0 := *now
	rows := ingestMediaCases(t, db,
		mediaCase{ref: "a", at: t0, media: mediaRefs(MediaFront, MediaBack, MediaFace, MediaFaceVideo)},
		mediaCase{ref: "b", at: t0.Add(time.Minute), media: mediaRefs(MediaFront, MediaBack, MediaFace)},
	)
	a, b := rows[0], rows[1]
	ctx := t.Context()
	same := mediaSHA("same photo")
	for _, m := range []Media{a[0], b[0]} {
		if err := db.MediaArchived(ctx, m.ID, same, 10, "image/jpeg"); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.MediaArchived(ctx, a[1].ID, mediaSHA("other"), 5, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if err := db.MediaAttemptFailed(ctx, a[2].ID, "gone", t0, true); err != nil {
		t.Fatal(err)
	}
	if err := db.MediaAttemptFailed(ctx, a[3].ID, "503", t0.Add(time.Hour), false); err != nil {
		t.Fatal(err)
	}
	*now = t0.Add(2 * time.Minute)
	s, err := db.MediaStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Queued: a[3] (backing off), b[1], b[2] (due).
	if s.Queued != 3 || s.Due != 2 || s.Failed != 1 || s.Archived != 3 || s.Purged != 0 || s.Files != 2 || s.Bytes != 15 ||
		s.OldestQueued == nil || !s.OldestQueued.Equal(t0) {
		t.Errorf("MediaStats = %+v, want 3 queued (2 due, oldest at t0), 1 failed, 3 archived in 2 files of 15 bytes", s)
	}

	for sha, want := range map[string]bool{same: true, mediaSHA("other"): true, mediaSHA("never"): false} {
		if got, err := db.ArchivedShaInUse(ctx, sha); err != nil || got != want {
			t.Errorf("ArchivedShaInUse(%s) = %v, %v; want %v", sha[:8], got, err, want)
		}
	}
}

func TestPurgeMedia(t *testing.T) {
	db, now := mediaTestDB(t)
	old, recent := now.Add(-100*24*time.Hour), now.Add(-time.Hour)
	cutoff := now.Add(-90 * 24 * time.Hour)
	rows := ingestMediaCases(t, db,
		mediaCase{ref: "decided-old", at: old, state: ReviewDecided, media: mediaRefs(MediaFront, MediaBack, MediaFace)},
		mediaCase{ref: "open-old", at: old, media: mediaRefs(MediaFront)}, // needs a decision: kept
		mediaCase{ref: "info-old", at: old, state: ReviewInformational, media: mediaRefs(MediaFront)},
		mediaCase{ref: "decided-recent", at: recent, state: ReviewDecided, media: mediaRefs(MediaFront)},
	)
	decidedOld, openOld, infoOld, decidedRecent := rows[0], rows[1], rows[2], rows[3]
	ctx := t.Context()
	shared, own, info, fresh := mediaSHA("shared"), mediaSHA("own"), mediaSHA("info"), mediaSHA("fresh")
	for m, sha := range map[int64]string{decidedOld[0].ID: shared, decidedOld[1].ID: own, openOld[0].ID: shared,
		infoOld[0].ID: info, decidedRecent[0].ID: fresh} {
		if err := db.MediaArchived(ctx, m, sha, 10, "image/jpeg"); err != nil {
			t.Fatal(err)
		}
	}
	// decidedOld[2] is still queued: purging stops it being fetched.

	var removeCalls []string
	remove := func(sha string) error {
		removeCalls = append(removeCalls, sha)
		return nil
	}
	removed, err := db.PurgeMedia(ctx, cutoff, remove)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	want := []string{own, info}
	slices.Sort(want)
	if !slices.Equal(removed, want) || len(removeCalls) != 2 {
		t.Errorf("PurgeMedia removed %v (calls %v), want %v: the shared file is still shown by an open case", removed, removeCalls, want)
	}
	wantState := map[int64]string{
		decidedOld[0].ID: MediaStatePurged, decidedOld[1].ID: MediaStatePurged, decidedOld[2].ID: MediaStatePurged,
		openOld[0].ID: MediaStateArchived, infoOld[0].ID: MediaStatePurged, decidedRecent[0].ID: MediaStateArchived,
	}
	for id, want := range wantState {
		if got, _ := db.MediaByID(ctx, id); got.State != want {
			t.Errorf("media %d is %s after the purge, want %s", id, got.State, want)
		}
	}

	// Nothing left to do: a second run deletes nothing.
	removeCalls = nil
	if removed, err := db.PurgeMedia(ctx, cutoff, remove); err != nil || len(removed) != 0 || len(removeCalls) != 0 {
		t.Errorf("second PurgeMedia = %v, %v (calls %v); want nothing", removed, err, removeCalls)
	}

	// Once the open case is closed too, the shared file goes; a failing delete keeps the rows
	// as they were, so the next run tries again.
	if _, err := db.write.ExecContext(ctx, `UPDATE cases SET review_state = 'decided' WHERE id = ?`, openOld[0].CaseID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PurgeMedia(ctx, cutoff, func(string) error { return errors.New("disk on fire") }); err == nil {
		t.Fatal("PurgeMedia with a failing remove = nil error")
	}
	if got, _ := db.MediaByID(ctx, openOld[0].ID); got.State != MediaStateArchived {
		t.Errorf("after a failed delete the row is %s, want archived still", got.State)
	}
	if removed, err := db.PurgeMedia(ctx, cutoff, remove); err != nil || !slices.Equal(removed, []string{shared}) {
		t.Errorf("PurgeMedia after closing the case = %v, %v; want [%s]", removed, err, shared)
	}
}

func TestPurgeMediaManyCases(t *testing.T) {
	db, now := mediaTestDB(t)
	old := now.Add(-100 * 24 * time.Hour)
	n := 2*purgeBatchCases + 7 // several batches
	cases := make([]mediaCase, n)
	for i := range cases {
		cases[i] = mediaCase{ref: fmt.Sprintf("c%d", i), at: old, state: ReviewInformational, media: mediaRefs(MediaFront)}
	}
	rows := ingestMediaCases(t, db, cases...)
	for i, r := range rows {
		if err := db.MediaArchived(t.Context(), r[0].ID, mediaSHA(fmt.Sprint(i)), 1, "image/jpeg"); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := db.PurgeMedia(t.Context(), now.Add(-90*24*time.Hour), func(string) error { return nil })
	if err != nil || len(removed) != n {
		t.Fatalf("PurgeMedia = %d removed, %v; want %d", len(removed), err, n)
	}
	if s, err := db.MediaStats(t.Context()); err != nil || s.Purged != n || s.Archived != 0 {
		t.Errorf("MediaStats after purge = %+v, %v; want all %d purged", s, err, n)
	}
}
