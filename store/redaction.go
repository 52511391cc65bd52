package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/gif" // vendors send GIF now and then; the derivative is a PNG
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// MaxRedactionBoxes bounds the boxes on one image.
const MaxRedactionBoxes = 40

// maxRedactSide is the largest width or height of an image the desk redacts (8K by 8K decodes to
// 256 MiB; the media archive holds document photos, far smaller).
const maxRedactSide = 8192

// RedactionBox is one box drawn over an image, in fractions of its width and height, so that
// boxes drawn on a scaled-down picture land on the same place of the full-size file.
type RedactionBox struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
	W float64 `json:"w"`
	H float64 `json:"h"`
}

// Redaction is the boxes drawn over one media image and the derivative made from them: a file in
// the archive (SHA256), shown to everyone in place of the original, which stays in the archive
// for those who reveal it.
type Redaction struct {
	MediaID     int64
	Boxes       []RedactionBox
	SHA256      string // the derivative's file
	Size        int64
	ContentType string
	DrawnBy     string
	DrawnAt     time.Time
}

// RedactableType reports whether media of this content type can carry redaction boxes.
func RedactableType(contentType string) bool {
	return slices.Contains([]string{"image/jpeg", "image/png", "image/gif"}, contentType)
}

// ParseRedactionBoxes reads the boxes a page sends (a JSON list) and checks each lies within the
// image and is large enough to see.
func ParseRedactionBoxes(s string) ([]RedactionBox, error) {
	var boxes []RedactionBox
	if err := json.Unmarshal([]byte(s), &boxes); err != nil {
		return nil, invalidField("boxes", "The boxes could not be read; draw them again.")
	}
	if len(boxes) == 0 {
		return nil, invalidField("boxes", "Draw at least one box over what should be hidden.")
	}
	if len(boxes) > MaxRedactionBoxes {
		return nil, invalidField("boxes", fmt.Sprintf("An image can carry at most %d boxes.", MaxRedactionBoxes))
	}
	for i, b := range boxes {
		for _, v := range []float64{b.X, b.Y, b.W, b.H} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, invalidField("boxes", fmt.Sprintf("Box %d is not a box.", i+1))
			}
		}
		if b.X < 0 || b.Y < 0 || b.W <= 0 || b.H <= 0 || b.X+b.W > 1.0001 || b.Y+b.H > 1.0001 {
			return nil, invalidField("boxes", fmt.Sprintf("Box %d reaches outside the image.", i+1))
		}
		if b.W < 0.002 || b.H < 0.002 {
			return nil, invalidField("boxes", fmt.Sprintf("Box %d is too small to hide anything.", i+1))
		}
	}
	return boxes, nil
}

// RedactImage paints the boxes solid black over the image read from r and encodes the result:
// JPEG stays JPEG (quality 92), anything else becomes PNG. The pixels under a box are replaced
// before encoding, so nothing of them survives in the derivative.
func RedactImage(r io.Reader, boxes []RedactionBox) (data []byte, contentType string, err error) {
	var head bytes.Buffer
	cfg, format, err := image.DecodeConfig(io.TeeReader(r, &head))
	if err != nil {
		return nil, "", Errorf(KindInvalid, "This image cannot be read, so boxes cannot be drawn on it.")
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > maxRedactSide || cfg.Height > maxRedactSide {
		return nil, "", Errorf(KindInvalid, "This image is too large to redact (more than %d pixels on a side).", maxRedactSide)
	}
	src, _, err := image.Decode(io.MultiReader(&head, r))
	if err != nil {
		return nil, "", Errorf(KindInvalid, "This image cannot be read, so boxes cannot be drawn on it.")
	}
	bounds := src.Bounds()
	dst := image.NewRGBA(bounds)
	draw.Draw(dst, bounds, src, bounds.Min, draw.Src)
	black := image.NewUniform(color.Black)
	w, h := float64(bounds.Dx()), float64(bounds.Dy())
	for _, b := range boxes {
		// Round outwards: a box never covers less than was drawn.
		rect := image.Rect(int(math.Floor(b.X*w)), int(math.Floor(b.Y*h)), int(math.Ceil((b.X+b.W)*w)), int(math.Ceil((b.Y+b.H)*h))).
			Add(bounds.Min).Intersect(bounds)
		draw.Draw(dst, rect, black, image.Point{}, draw.Src)
	}
	var out bytes.Buffer
	if format == "jpeg" {
		if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: 92}); err != nil {
			return nil, "", fmt.Errorf("store: redact: %w", err)
		}
		return out.Bytes(), "image/jpeg", nil
	}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&out, dst); err != nil {
		return nil, "", fmt.Errorf("store: redact: %w", err)
	}
	return out.Bytes(), "image/png", nil
}

// SaveRedaction records the boxes drawn over media image mediaID and the derivative made from
// them (already in the archive under sha, Blobs.Put), replacing an earlier drawing, with the
// audit entry in the same transaction. Only reviewers and supervisors may; the original must be
// archived. The audit entry names the media and both files by hash, never what they show.
func (db *DB) SaveRedaction(ctx context.Context, actor Actor, mediaID int64, boxes []RedactionBox, sha string, size int64, contentType string) (Redaction, error) {
	if !validSHA256(sha) {
		return Redaction{}, fmt.Errorf("store: save redaction: %w", Errorf(KindInvalid, "%q is not a SHA-256", sha))
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return Redaction{}, fmt.Errorf("store: save redaction: %w", err)
	}
	defer tx.Rollback()
	m, err := scanMedia(tx.QueryRowContext(ctx, `SELECT `+mediaColumns+` FROM media WHERE id = ?`, mediaID))
	if errors.Is(err, sql.ErrNoRows) {
		return Redaction{}, fmt.Errorf("store: redaction of media %d: %w", mediaID, errNoSuchThing)
	}
	if err != nil {
		return Redaction{}, fmt.Errorf("store: redaction of media %d: %w", mediaID, err)
	}
	s, err := loadCaseState(ctx, tx, m.CaseID, actor)
	if err != nil {
		return Redaction{}, err
	}
	if !s.who.has(RoleReviewer, RoleSupervisor) {
		return Redaction{}, Errorf(KindForbidden, "Only reviewers and supervisors draw redaction boxes.")
	}
	if m.State != MediaStateArchived {
		return Redaction{}, Errorf(KindConflict, "This file is not in the archive (it is %s), so there is nothing to redact.", m.State)
	}
	if m.IsVideo() || !RedactableType(m.ContentType) {
		return Redaction{}, Errorf(KindInvalid, "Boxes can be drawn on pictures only (JPEG, PNG or GIF).")
	}
	b, err := json.Marshal(boxes)
	if err != nil {
		return Redaction{}, fmt.Errorf("store: save redaction: %w", err)
	}
	var before string
	if err := tx.QueryRowContext(ctx, `SELECT sha256 FROM media_redactions WHERE media_id = ?`, mediaID).Scan(&before); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Redaction{}, fmt.Errorf("store: save redaction: %w", err)
	}
	now := db.now()
	var by any
	if actor.ID != 0 {
		by = actor.ID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO media_redactions (media_id, boxes, sha256, size, content_type, drawn_by, drawn_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (media_id) DO UPDATE SET boxes = excluded.boxes, sha256 = excluded.sha256,
		size = excluded.size, content_type = excluded.content_type, drawn_by = excluded.drawn_by, drawn_at = excluded.drawn_at`,
		mediaID, string(b), sha, size, contentType, by, now); err != nil {
		return Redaction{}, fmt.Errorf("store: save redaction: %w", err)
	}
	details := map[string]any{"kind": m.Kind, "original_sha256": m.SHA256, "redacted_sha256": sha, "size": size, "boxes": boxes}
	if before != "" {
		details["replaced_sha256"] = before
	}
	if err := db.appendAudit(ctx, tx, now, AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "media.redact",
		TargetType: "media", TargetID: fmt.Sprint(mediaID), CaseID: m.CaseID, Details: details}); err != nil {
		return Redaction{}, err
	}
	if err := commit(tx, "save redaction"); err != nil {
		return Redaction{}, err
	}
	return Redaction{MediaID: mediaID, Boxes: boxes, SHA256: sha, Size: size, ContentType: contentType, DrawnBy: actor.Name, DrawnAt: ParseTime(now)}, nil
}

const redactionColumns = `r.media_id, r.boxes, r.sha256, r.size, r.content_type,
	COALESCE(NULLIF(u.display_name, ''), u.username, ''), r.drawn_at`

func scanRedaction(row interface{ Scan(...any) error }) (Redaction, error) {
	var r Redaction
	var boxes, at string
	if err := row.Scan(&r.MediaID, &boxes, &r.SHA256, &r.Size, &r.ContentType, &r.DrawnBy, &at); err != nil {
		return r, err
	}
	_ = json.Unmarshal([]byte(boxes), &r.Boxes)
	r.DrawnAt = ParseTime(at)
	return r, nil
}

// MediaRedaction is the redaction of one media image; ErrNotFound when it has none.
func (db *DB) MediaRedaction(ctx context.Context, mediaID int64) (Redaction, error) {
	r, err := scanRedaction(db.read.QueryRowContext(ctx, `SELECT `+redactionColumns+` FROM media_redactions r
		LEFT JOIN users u ON u.id = r.drawn_by WHERE r.media_id = ?`, mediaID))
	if errors.Is(err, sql.ErrNoRows) {
		return Redaction{}, fmt.Errorf("store: redaction of media %d: %w", mediaID, errNoSuchThing)
	}
	if err != nil {
		return Redaction{}, fmt.Errorf("store: redaction of media %d: %w", mediaID, err)
	}
	return r, nil
}

// CaseRedactions are the redactions of a case's media, by media id.
func (db *DB) CaseRedactions(ctx context.Context, caseID int64) (map[int64]Redaction, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+redactionColumns+` FROM media_redactions r
		JOIN media m ON m.id = r.media_id LEFT JOIN users u ON u.id = r.drawn_by WHERE m.case_id = ?`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: redactions of case %d: %w", caseID, err)
	}
	defer rows.Close()
	out := map[int64]Redaction{}
	for rows.Next() {
		r, err := scanRedaction(rows)
		if err != nil {
			return nil, fmt.Errorf("store: redactions of case %d: %w", caseID, err)
		}
		out[r.MediaID] = r
	}
	return out, rows.Err()
}

// OriginalRevealTTL is how long a reveal of the original images serves them: the page view it
// was made for, and the images that page loads.
const OriginalRevealTTL = 15 * time.Minute

// OriginalRevealed reports whether audit entry revealID is actor's reveal of the original images
// of case caseID, made less than OriginalRevealTTL ago: the grant that serves an original under
// redaction boxes is the audited reveal itself.
func (db *DB) OriginalRevealed(ctx context.Context, actor Actor, caseID, revealID int64) (bool, error) {
	if actor.ID == 0 || revealID <= 0 {
		return false, nil
	}
	var at string
	err := db.read.QueryRowContext(ctx, `SELECT at FROM audit_log WHERE id = ? AND action = 'case.reveal' AND actor_id = ?
		AND case_id = ? AND json_extract(details, '$.field') = ?`, revealID, actor.ID, caseID, FieldOriginalImages).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: reveal %d: %w", revealID, err)
	}
	return db.Now().Sub(ParseTime(at)) < OriginalRevealTTL, nil
}

// redactedItems are the tombstone items for the derivatives of a case's archived media, and
// their hashes, for the purge of the case's media.
func redactedItems(ctx context.Context, tx *sql.Tx, caseID int64) ([]tombstoneItem, []string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT m.id, m.kind, r.sha256, r.size FROM media_redactions r JOIN media m ON m.id = r.media_id
		WHERE m.case_id = ? AND m.state = 'archived' ORDER BY m.id`, caseID)
	if err != nil {
		return nil, nil, fmt.Errorf("store: redactions of case %d: %w", caseID, err)
	}
	defer rows.Close()
	var items []tombstoneItem
	var shas []string
	for rows.Next() {
		var id, size int64
		var kind, sha string
		if err := rows.Scan(&id, &kind, &sha, &size); err != nil {
			return nil, nil, fmt.Errorf("store: redactions of case %d: %w", caseID, err)
		}
		items = append(items, tombstoneItem{Kind: "media", Item: fmt.Sprintf("media %d %s redacted", id, strings.ToUpper(kind)), SHA256: sha, Size: size})
		shas = append(shas, sha)
	}
	return items, shas, rows.Err()
}
