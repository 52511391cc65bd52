package demo_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/demo"
)

// now is fixed so the demo's relative dates (an under-age birthday, an expired licence) are stable.
var now = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

func openStore(t *testing.T) (*store.DB, *store.Blobs) {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(t.Context(), filepath.Join(dir, "kycdesk.db"))
	if err != nil {
		t.Fatalf("store.Open() error = %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, &store.Blobs{Dir: filepath.Join(dir, "media")}
}

// TestLoad runs one full Load (it draws and archives some two hundred pictures, so the checks
// share it) into a database that already has one of the demo usernames.
func TestLoad(t *testing.T) {
	ctx := t.Context()
	db, blobs := openStore(t)
	existingHash, err := bcrypt.GenerateFromPassword([]byte("an existing password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, store.SystemActor, "rev2", "Existing Reviewer", string(existingHash),
		[]string{store.RoleReviewer, store.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	sum, err := demo.Load(ctx, db, blobs, now, &log)
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}

	var cases []store.CaseRow
	if err := db.StreamCases(ctx, func(r store.CaseRow) error { cases = append(cases, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if n := len(cases); n < 38 || n > 45 {
		t.Errorf("Load() stored %d cases, want about 40", n)
	}
	if sum.TotalCases() != len(cases) {
		t.Errorf("Summary.TotalCases() = %d, want %d (the cases in the database)", sum.TotalCases(), len(cases))
	}
	sources := map[store.Source]int{}
	statuses := map[string]int{}
	for _, c := range cases {
		sources[c.Source]++
		statuses[c.Overall]++
	}
	for _, s := range []store.Source{store.SourceMarkID, store.SourceVCIP} {
		if sources[s] == 0 {
			t.Errorf("Load() stored no %s case", s)
		}
	}
	for _, s := range []string{store.StatusApproved, store.StatusDenied, store.StatusSuspected, store.StatusExpired} {
		if statuses[s] == 0 {
			t.Errorf("Load() stored no %s case; statuses = %v", s, statuses)
		}
	}

	checkDeliveries(t, db)
	checkMedia(t, db, blobs, cases, sum)
	checkSnapshots(t, db, cases)
	checkUsers(t, db, sum, log.String(), string(existingHash))

	_, err = demo.Load(ctx, db, blobs, now, io.Discard)
	if !errors.Is(err, demo.ErrNotEmpty) {
		t.Errorf("second Load() error = %v, want ErrNotEmpty", err)
	}
	var after int
	db.StreamCases(ctx, func(store.CaseRow) error { after++; return nil })
	if after != len(cases) {
		t.Errorf("after the refused Load() there are %d cases, want %d", after, len(cases))
	}
}

// checkDeliveries: the quarantine and a byte-identical re-delivery came through the real ingest.
func checkDeliveries(t *testing.T, db *store.DB) {
	t.Helper()
	byID := map[int64]store.DeliveryRow{}
	var quarantined, duplicates []store.DeliveryRow
	if err := db.StreamDeliveries(t.Context(), func(d store.DeliveryRow) error {
		byID[d.ID] = d
		switch d.Outcome {
		case store.OutcomeQuarantined:
			quarantined = append(quarantined, d)
		case store.OutcomeDuplicate:
			duplicates = append(duplicates, d)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(quarantined) == 0 {
		t.Error("no quarantined delivery")
	}
	for _, q := range quarantined {
		if q.Error == "" || q.CaseID != 0 {
			t.Errorf("quarantined delivery %d: error %q, case %d; want a reason and no case", q.ID, q.Error, q.CaseID)
		}
	}
	if len(duplicates) == 0 {
		t.Error("no duplicate delivery")
	}
	for _, d := range duplicates {
		first, ok := byID[d.DuplicateOf]
		if !ok || first.SHA256 != d.SHA256 || first.Outcome != store.OutcomeStored || first.CaseID != d.CaseID {
			t.Errorf("duplicate %d of %d: first = %+v, want a stored delivery of the same bytes and case", d.ID, d.DuplicateOf, first)
		}
	}
}

// checkMedia: every media row is archived with a file whose hash and size match it, except the
// rows left failed on purpose.
func checkMedia(t *testing.T, db *store.DB, blobs *store.Blobs, cases []store.CaseRow, sum demo.Summary) {
	t.Helper()
	archived, failed := 0, 0
	for _, c := range cases {
		rows, err := db.CaseMedia(t.Context(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range rows {
			if !strings.HasPrefix(m.URL, "https://media.demo.invalid/") {
				t.Errorf("media %d URL = %q, want one on the reserved demo host", m.ID, m.URL)
			}
			switch m.State {
			case store.MediaStateFailed:
				failed++
				if m.LastError == "" || m.Attempts == 0 {
					t.Errorf("failed media %d: error %q after %d attempts, want a reason", m.ID, m.LastError, m.Attempts)
				}
				continue
			case store.MediaStateArchived:
				archived++
			default:
				t.Errorf("media %d (%s of case %d) is %s, want archived or failed", m.ID, m.Kind, c.ID, m.State)
				continue
			}
			f, err := blobs.Open(m.SHA256)
			if err != nil {
				t.Errorf("media %d: %v", m.ID, err)
				continue
			}
			b, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			if got := hex.EncodeToString(sum[:]); got != m.SHA256 || int64(len(b)) != m.Size {
				t.Errorf("media %d file: sha256 %s, %d bytes; row says %s, %d bytes", m.ID, got, len(b), m.SHA256, m.Size)
			}
			want := "image/png"
			if m.IsVideo() {
				want = "video/webm"
			}
			if m.ContentType != want {
				t.Errorf("media %d (%s) content type = %q, want %q", m.ID, m.Kind, m.ContentType, want)
			}
		}
	}
	if failed == 0 || failed > 2 {
		t.Errorf("%d media failed, want one or two left failed on purpose", failed)
	}
	if archived < 100 || archived != sum.MediaArchived || failed != sum.MediaFailed {
		t.Errorf("archived %d, failed %d media; summary says %d and %d", archived, failed, sum.MediaArchived, sum.MediaFailed)
	}
}

// checkSnapshots spot-checks what the decoders made of the demo bodies.
func checkSnapshots(t *testing.T, db *store.DB, cases []store.CaseRow) {
	t.Helper()
	ctx := t.Context()
	var unknownTag, dupFace, aml, underAge, outsideIndia bool
	langs := map[string]bool{}
	for _, row := range cases {
		c, err := db.CaseByID(ctx, row.ID)
		if err != nil {
			t.Fatal(err)
		}
		s := c.Snapshot
		unknownTag = unknownTag || slices.Contains(s.Status.FraudTags, "NEW_VENDOR_TAG")
		underAge = underAge || slices.Contains(s.Status.MismatchTags, "UNDER_AGE")
		for _, ch := range s.AML {
			aml = aml || ch.Suspected && ch.HitCount > 0
		}
		if len(s.DuplicateFaces) > 0 {
			ids, err := db.CasesByRef(ctx, store.SourceMarkID, s.DuplicateFaces)
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) != len(s.DuplicateFaces) {
				t.Errorf("case %d duplicateFaces %v: found cases %v, want each to be a demo case", c.ID, s.DuplicateFaces, ids)
			}
			dupFace = true
		}
		if c.Source == store.SourceVCIP {
			if s.Geo != nil && s.Geo.CountryCode != "IN" {
				outsideIndia = true
			}
			if len(s.Instructions) == 0 || s.Feedback == "" || len(s.CallbackParameters) == 0 {
				t.Errorf("video-KYC case %d: %d instructions, feedback %q, callbackParameters %s; want all set",
					c.ID, len(s.Instructions), s.Feedback, s.CallbackParameters)
			}
			for _, in := range s.Instructions {
				for _, tr := range in.Translations {
					if tr.Text != "" {
						langs[tr.Language] = true
					}
				}
			}
		}
	}
	for name, ok := range map[string]bool{"an unknown tag": unknownTag, "a DUPLICATE_FACE link": dupFace,
		"an AML hit": aml, "an under-age person": underAge, "a video call outside India": outsideIndia} {
		if !ok {
			t.Errorf("no demo case has %s", name)
		}
	}
	for _, l := range []string{"ENGLISH", "HINDI", "KANNADA", "BENGALI", "GUJARATI"} {
		if !langs[l] {
			t.Errorf("no instruction translated into %s", l)
		}
	}
}

// checkUsers: the demo accounts exist with their roles and the passwords the summary (and, once,
// the log) gives; the account that already existed is left as it was.
func checkUsers(t *testing.T, db *store.DB, sum demo.Summary, log, existingHash string) {
	t.Helper()
	want := map[string][]string{
		"rev1": {store.RoleReviewer}, "rev2": {store.RoleReviewer, store.RoleAdmin},
		"sup1": {store.RoleSupervisor, store.RoleReviewer}, "aud1": {store.RoleAuditor},
	}
	if len(sum.Users) != len(want) {
		t.Errorf("Summary.Users = %d users, want %d", len(sum.Users), len(want))
	}
	for _, u := range sum.Users {
		got, err := db.UserByUsername(t.Context(), u.Username)
		if err != nil {
			t.Fatalf("user %s: %v", u.Username, err)
		}
		if !slices.Equal(got.Roles, want[u.Username]) {
			t.Errorf("user %s roles = %v, want %v", u.Username, got.Roles, want[u.Username])
		}
		if u.Username == "rev2" {
			if u.Password != "" || got.PasswordHash != existingHash || got.DisplayName != "Existing Reviewer" {
				t.Errorf("existing rev2 after Load(): %q, hash %q, summary password %q; want it left unchanged",
					got.DisplayName, got.PasswordHash, u.Password)
			}
			continue
		}
		if u.Password == "" || bcrypt.CompareHashAndPassword([]byte(got.PasswordHash), []byte(u.Password)) != nil {
			t.Errorf("user %s: the summary's password %q does not match the stored hash", u.Username, u.Password)
		}
		if n := strings.Count(log, u.Password); n != 1 {
			t.Errorf("user %s's password appears %d times in the log, want once", u.Username, n)
		}
	}
}
