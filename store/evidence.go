package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// evidenceNames are how sentences name the media kinds the rules may require before an allow.
var evidenceNames = map[string]string{
	MediaRecordedVideo: "the call's recording",
	MediaFront:         "the document's front",
	MediaBack:          "the document's back",
	MediaFace:          "the selfie",
	MediaFaceVideo:     "the face video",
	MediaFrontVideo:    "the front video",
	MediaBackVideo:     "the back video",
	MediaDocumentImage: "the document image",
}

// EvidenceKinds lists the media kinds an admin may require before an allow, in a fixed order.
func EvidenceKinds() []string {
	return []string{MediaRecordedVideo, MediaFront, MediaBack, MediaFace, MediaFaceVideo, MediaFrontVideo,
		MediaBackVideo, MediaDocumentImage}
}

// EvidenceName is how a sentence names a media kind the rules require: "the call's recording".
func EvidenceName(kind string) string {
	if n, ok := evidenceNames[kind]; ok {
		return n
	}
	return kind
}

// Evidence is what became of one kind of media a case's callbacks named: archived (its hash
// known), still being fetched, given up, purged, or never sent.
type Evidence struct {
	Kind      string
	State     string // a MediaState*, or "" when no callback named this kind
	SHA256    string
	Attempts  int
	LastError string
}

// Archived reports whether the media is archived with its hash known: the one state that counts.
func (e Evidence) Archived() bool { return e.State == MediaStateArchived && e.SHA256 != "" }

// Status says in a few words where the media stands: "archived", "still being fetched (attempt 5)".
func (e Evidence) Status() string {
	switch e.State {
	case MediaStateArchived:
		if e.SHA256 != "" {
			return "archived"
		}
	case MediaStateQueued:
		if e.Attempts > 0 {
			return fmt.Sprintf("still being fetched (attempt %d)", e.Attempts+1)
		}
		return "still being fetched"
	case MediaStateFailed:
		return "not fetched: the archive gave up"
	case MediaStatePurged:
		return "purged from the archive"
	case "":
		return "not sent by the vendor"
	}
	return e.State
}

// EvidenceOf reduces a case's media rows to one Evidence per kind asked for: an archived copy
// from any callback counts; otherwise the newest row says where things stand. The decision panel
// and the store's own checks both call it, on the same rows.
func EvidenceOf(media []Media, kinds []string) []Evidence {
	out := make([]Evidence, 0, len(kinds))
	for _, k := range kinds {
		e := Evidence{Kind: k}
		var best *Media
		for i := range media {
			m := &media[i]
			if m.Kind != k {
				continue
			}
			if best == nil || betterEvidence(*m, *best) {
				best = m
			}
		}
		if best != nil {
			e.State, e.SHA256, e.Attempts, e.LastError = best.State, best.SHA256, best.Attempts, best.LastError
		}
		out = append(out, e)
	}
	return out
}

func betterEvidence(a, b Media) bool {
	aa, ba := a.State == MediaStateArchived && a.SHA256 != "", b.State == MediaStateArchived && b.SHA256 != ""
	if aa != ba {
		return aa
	}
	if a.DeliveryID != b.DeliveryID {
		return a.DeliveryID > b.DeliveryID
	}
	return a.ID > b.ID
}

// RequiredEvidence is the media kinds an allow needs on src, by the rules in force.
func (r Rules) RequiredEvidence(src Source) []string { return r.Evidence[src] }

// missingEvidence is the sentence saying why the evidence does not permit an allow on f's case,
// or "" when everything required is archived.
func (r Rules) missingEvidence(f CaseFacts) string {
	var missing []string
	for _, k := range r.RequiredEvidence(f.Source) {
		e := Evidence{Kind: k}
		for _, have := range f.Evidence {
			if have.Kind == k {
				e = have
			}
		}
		if !e.Archived() {
			missing = append(missing, EvidenceName(k)+" is "+e.Status())
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return "An allow needs " + r.evidenceList(f.Source) + " archived with its hash, and " + strings.Join(missing, "; ") + "."
}

func (r Rules) evidenceList(src Source) string {
	var names []string
	for _, k := range r.RequiredEvidence(src) {
		names = append(names, EvidenceName(k))
	}
	return strings.Join(names, " and ")
}

// loadEvidence reads, inside tx, what became of the media the rules require on the case.
func (r Rules) loadEvidence(ctx context.Context, tx *sql.Tx, caseID int64, src Source) ([]Evidence, error) {
	kinds := r.RequiredEvidence(src)
	if len(kinds) == 0 {
		return nil, nil
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(kinds)), ",")
	args := []any{caseID}
	for _, k := range kinds {
		args = append(args, k)
	}
	media, err := queryMedia(ctx, tx, `SELECT `+mediaColumns+` FROM media WHERE case_id = ? AND kind IN (`+ph+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: evidence of case %d: %w", caseID, err)
	}
	return EvidenceOf(media, kinds), nil
}

// ParseEvidence reads a list of media kinds typed into the settings form, separated by commas or
// spaces; a kind the desk cannot require is an error naming it.
func ParseEvidence(text string) ([]string, error) {
	var out []string
	for _, k := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		k = strings.ToUpper(strings.TrimSpace(k))
		if !slices.Contains(EvidenceKinds(), k) {
			return nil, Errorf(KindInvalid, "%q is not a media kind the desk can require: use %s.", k, strings.Join(EvidenceKinds(), ", "))
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// loadEvidenceFacts adds to s what the evidence rule reads: the required media's states and, for a
// decision waiting for its second approval, that decision's outcome.
func (db *DB) loadEvidenceFacts(ctx context.Context, tx *sql.Tx, s *caseState, caseID int64) error {
	ev, err := db.Rules().loadEvidence(ctx, tx, caseID, s.Source)
	if err != nil {
		return err
	}
	s.Evidence = ev
	if s.ReviewState == ReviewPendingApproval {
		err := tx.QueryRowContext(ctx, `SELECT outcome FROM decisions WHERE case_id = ? ORDER BY id DESC LIMIT 1`, caseID).
			Scan(&s.PendingOutcome)
		if err != nil && err != sql.ErrNoRows {
			return fmt.Errorf("store: pending outcome of case %d: %w", caseID, err)
		}
	}
	return nil
}

// archivedEvidence maps each archived required kind to its SHA-256, for the decision's audit entry.
func archivedEvidence(ev []Evidence) map[string]string {
	out := map[string]string{}
	for _, e := range ev {
		if e.Archived() {
			out[e.Kind] = e.SHA256
		}
	}
	return out
}
