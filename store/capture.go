package store

import (
	"context"
	"fmt"
)

// MediaCapture is a frame of the recording a reviewer captured and saved as evidence.
const MediaCapture = "FRAME_CAPTURE"

// MaxCaptureBytes caps a captured frame: one picture of a video call.
const MaxCaptureBytes = 8 << 20

// SaveCapture records a frame of the case's recording that actor captured and saved as evidence:
// the picture is already in the archive under sha (Blobs.Put); the media row names it like any
// archived media, and the audit entry says who saved which frame at what time in the recording.
// Only reviewers and supervisors may.
func (db *DB) SaveCapture(ctx context.Context, actor Actor, caseID int64, sha string, size int64, contentType string, frameMS int64) (Media, error) {
	if !validSHA256(sha) {
		return Media{}, fmt.Errorf("store: save capture: %w", Errorf(KindInvalid, "%q is not a SHA-256", sha))
	}
	if frameMS < 0 || frameMS > maxBookmark.Milliseconds() {
		return Media{}, invalidField("frame_ms", "A captured frame must come from a time within the recording.")
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return Media{}, fmt.Errorf("store: save capture: %w", err)
	}
	defer tx.Rollback()
	s, err := loadCaseState(ctx, tx, caseID, actor)
	if err != nil {
		return Media{}, err
	}
	if !s.who.has(RoleReviewer, RoleSupervisor) {
		return Media{}, Errorf(KindForbidden, "Only reviewers and supervisors save evidence to a case.")
	}
	if s.snapshotDelivery == 0 {
		return Media{}, Errorf(KindConflict, "This case has no callback to attach the frame to.")
	}
	now := db.now()
	label := "Frame at " + FormatBookmark(frameMS) + " · saved by " + actor.Name
	url := fmt.Sprintf("capture:%s@%d", sha, frameMS)
	var pos int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM media WHERE case_id = ?`, caseID).Scan(&pos); err != nil {
		return Media{}, fmt.Errorf("store: save capture: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO media (case_id, delivery_id, kind, label, position, url, state, sha256, size,
		content_type, fetched_at, attempts, next_attempt_at, queued_at) VALUES (?, ?, ?, ?, ?, ?, 'archived', ?, ?, ?, ?, 1, ?, ?)
		ON CONFLICT (case_id, kind, url) DO NOTHING`,
		caseID, s.snapshotDelivery, MediaCapture, label, pos, url, sha, size, contentType, now, now, now)
	if err != nil {
		return Media{}, fmt.Errorf("store: save capture: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Media{}, Errorf(KindConflict, "This frame is already saved as evidence on the case.")
	}
	id, _ := res.LastInsertId()
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "media.capture",
		TargetType: "media", TargetID: fmt.Sprint(id), CaseID: caseID,
		Details: map[string]any{"sha256": sha, "size": size, "content_type": contentType, "frame_ms": frameMS}}); err != nil {
		return Media{}, err
	}
	if err := commit(tx, "save capture"); err != nil {
		return Media{}, err
	}
	t := ParseTime(now)
	return Media{ID: id, CaseID: caseID, DeliveryID: s.snapshotDelivery, Kind: MediaCapture, Label: label, Position: pos,
		URL: url, State: MediaStateArchived, SHA256: sha, Size: size, ContentType: contentType, FetchedAt: &t,
		Attempts: 1, NextAttemptAt: t, QueuedAt: t}, nil
}
