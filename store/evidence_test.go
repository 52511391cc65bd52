package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

// withRecording names a recorded call in a video-KYC snapshot, as the vendor's recordedVideoData does.
func withRecording(s *Snapshot) *Snapshot {
	s.Media = append(s.Media, MediaRef{Kind: MediaRecordedVideo, URL: "https://vcip.example.in/rec/" + s.Ref + ".webm"})
	return s
}

// archiveRecording archives every recording the case's callbacks named, as the fetcher would.
func archiveRecording(t testing.TB, db *DB, caseID int64) {
	t.Helper()
	ms, err := db.CaseMedia(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		if m.Kind == MediaRecordedVideo && m.State != MediaStateArchived {
			sum := sha256.Sum256([]byte(m.URL))
			if err := db.MediaArchived(context.Background(), m.ID, hex.EncodeToString(sum[:]), 1000, "video/webm"); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatalf("case %d names no recording to archive", caseID)
	}
}

func recordingRow(t *testing.T, db *DB, caseID int64) Media {
	t.Helper()
	ms, err := db.CaseMedia(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Kind == MediaRecordedVideo {
			return m
		}
	}
	t.Fatalf("case %d has no recording row", caseID)
	return Media{}
}

// TestAllowNeedsTheRecording: the evidence rule in the review rules. A video-KYC case whose
// recording was never sent, is still being fetched, or failed cannot be allowed, and the store
// says why in a sentence naming the state; a decline (recording unavailable) goes through. Once
// archived the allow is accepted and its audit entry names the recording's hash; the second
// approval of an allow is refused the same way while the recording is not archived.
func TestAllowNeedsTheRecording(t *testing.T) {
	db, _ := openWorkspace(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	sup := wsUser(t, db, "sup", RoleSupervisor)
	sup2 := wsUser(t, db, "sup2", RoleSupervisor)
	allow := func(id int64) error {
		_, err := db.Decide(ctx, rev, DecisionInput{CaseID: id, Outcome: OutcomeAllow, ReasonCode: "face_matches"})
		return err
	}
	claim := func(id int64) {
		t.Helper()
		if err := db.Claim(ctx, rev, id); err != nil {
			t.Fatal(err)
		}
	}

	// Not sent at all.
	none := ingestWS(t, db, wsCase{source: SourceVCIP, ref: "no-rec", first: "NO", noRecording: true})
	claim(none)
	err := allow(none)
	wantErr(t, "allow without a recording", err, ErrConflict)
	if !strings.Contains(err.Error(), "the call's recording is not sent by the vendor") {
		t.Errorf("sentence = %q", err)
	}
	if err := db.CheckDecision(ctx, rev, DecisionInput{CaseID: none, Outcome: OutcomeAllow, ReasonCode: "face_matches"}); err == nil {
		t.Errorf("CheckDecision accepts an allow without the recording")
	}

	// Named, still being fetched after four failed attempts.
	s := wsCase{source: SourceVCIP, ref: "fetching", first: "FETCHING", noRecording: true}.snapshot()
	res, err := db.Ingest(ctx, &Incoming{Source: SourceVCIP, ReceivedAt: db.Now(), Body: []byte(`{"fetching":1}`), Snapshot: withRecording(s)})
	if err != nil {
		t.Fatal(err)
	}
	fetching := res.CaseID
	rec := recordingRow(t, db, fetching)
	for i := 0; i < 4; i++ {
		if err := db.MediaAttemptFailed(ctx, rec.ID, "connection reset", db.Now().Add(time.Minute), false); err != nil {
			t.Fatal(err)
		}
	}
	claim(fetching)
	err = allow(fetching)
	wantErr(t, "allow while fetching", err, ErrConflict)
	if !strings.Contains(err.Error(), "still being fetched (attempt 5)") || !strings.Contains(err.Error(), "recording unavailable") {
		t.Errorf("sentence = %q", err)
	}
	acts := db.CaseActions(wsState(t, db, fetching), Viewer{ID: rev.ID, Roles: []string{RoleReviewer}}, 0)
	if !acts.Decide.Allowed || acts.Allow.Allowed {
		t.Errorf("CaseActions while fetching: decide %v allow %v, want decide yes, allow no", acts.Decide.Allowed, acts.Allow.Allowed)
	}

	// Failed for good: still refused, a decline is fine.
	if err := db.MediaAttemptFailed(ctx, rec.ID, "404", db.Now(), true); err != nil {
		t.Fatal(err)
	}
	err = allow(fetching)
	wantErr(t, "allow after the fetch gave up", err, ErrConflict)
	if !strings.Contains(err.Error(), "the archive gave up") {
		t.Errorf("sentence = %q", err)
	}
	if _, err := db.Decide(ctx, rev, DecisionInput{CaseID: fetching, Outcome: OutcomeDecline, ReasonCode: "recording_unavailable",
		Note: "The recording could not be fetched."}); err != nil {
		t.Fatalf("decline without the recording: %v", err)
	}

	// Archived: the allow goes through and the audit entry carries the hash.
	ok := ingestWS(t, db, wsCase{source: SourceVCIP, ref: "archived", first: "OK"})
	claim(ok)
	if err := allow(ok); err != nil {
		t.Fatalf("allow with the recording archived: %v", err)
	}
	var details string
	if err := db.CaseAuditLines(ctx, ok, 1<<62, func(l AuditLine) error {
		if l.Action == "case.decision" {
			details = l.Details
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := `"evidence":{"RECORDED_VIDEO":"` + recordingRow(t, db, ok).SHA256 + `"}`; !strings.Contains(details, want) {
		t.Errorf("the allow's audit entry = %s, want it to carry %s", details, want)
	}

	// The second approval: an allow made while the rule was off cannot be approved without it.
	r := db.Rules()
	r.Evidence = map[Source][]string{}
	if _, err := db.SaveRules(ctx, sup2, r); err != nil {
		t.Fatal(err)
	}
	claim(none)
	if err := allow(none); err != nil {
		t.Fatalf("allow with the rule off: %v", err)
	}
	r.Evidence = map[Source][]string{SourceVCIP: {MediaRecordedVideo}}
	if _, err := db.SaveRules(ctx, sup2, r); err != nil {
		t.Fatal(err)
	}
	err = db.Approve(ctx, sup, none, "")
	wantErr(t, "approve an allow without the recording", err, ErrConflict)
	if !strings.Contains(err.Error(), "Return the decision") {
		t.Errorf("sentence = %q", err)
	}
	if err := db.Return(ctx, sup, none, "No recording: decline it."); err != nil {
		t.Fatalf("return stays possible: %v", err)
	}
	// Approving a decline needs no recording.
	if err := db.Approve(ctx, sup, fetching, ""); err != nil {
		t.Fatalf("approve a decline without the recording: %v", err)
	}
}

// TestEvidenceRuleSettings: the rule is part of the review rules, saved and read back like the
// others; a kind the desk cannot require is refused beside its field.
func TestEvidenceRuleSettings(t *testing.T) {
	db, _ := openWorkspace(t)
	ctx := context.Background()
	admin := wsUser(t, db, "admin", RoleAdmin)
	if got := db.Rules().RequiredEvidence(SourceVCIP); len(got) != 1 || got[0] != MediaRecordedVideo {
		t.Fatalf("default evidence for vcip = %v, want [RECORDED_VIDEO]", got)
	}
	if got := db.Rules().RequiredEvidence(SourceMarkID); len(got) != 0 {
		t.Fatalf("default evidence for markid = %v, want none", got)
	}
	r := db.Rules()
	kinds, err := ParseEvidence("front, face FRONT")
	if err != nil {
		t.Fatal(err)
	}
	r.Evidence = map[Source][]string{SourceVCIP: {MediaRecordedVideo}, SourceMarkID: kinds}
	if _, err := db.SaveRules(ctx, admin, r); err != nil {
		t.Fatal(err)
	}
	if got := db.Rules().RequiredEvidence(SourceMarkID); strings.Join(got, ",") != "FRONT,FACE" {
		t.Errorf("saved markid evidence = %v, want FRONT,FACE", got)
	}
	if _, err := ParseEvidence("RECORDED_VIDEO, SELFIE_PLEASE"); err == nil {
		t.Errorf("ParseEvidence accepts an unknown kind")
	}
	r.Evidence[SourceVCIP] = []string{"NOPE"}
	_, err = db.SaveRules(ctx, admin, r)
	var fe *Error
	if !errors.As(err, &fe) || fe.Fields["evidence_vcip"] == "" {
		t.Errorf("SaveRules with an unknown kind = %v, want a field error on evidence_vcip", err)
	}
}
