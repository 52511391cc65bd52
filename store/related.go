package store

import (
	"context"
	"fmt"
	"strings"
)

// RelatedCase is another case of the same customer: the same client ID, the same document
// number, or a face the vendor found on both.
type RelatedCase struct {
	ID          int64
	Source      Source
	Ref         string
	Name        string
	ReviewState string
	Outcome     string // the latest decision's, when decided
	Why         string // "same client ID", "same document number" or "duplicate face"
}

// relatedMax bounds the customer-history panel; more are counted, not listed.
const relatedMax = 20

// RelatedCases lists up to 20 other cases sharing rec's client ID or document number, or named by
// its duplicate-face references, newest first, and how many there are in all. Each lookup reads
// an index (client_id, doc_number, ref), never the table.
func (db *DB) RelatedCases(ctx context.Context, rec CaseRecord, faceCases map[string]int64) ([]RelatedCase, int, error) {
	var conds []string
	var args []any
	why := `CASE`
	if rec.ClientID != "" {
		conds = append(conds, "c.client_id = ?")
		args = append(args, rec.ClientID)
		why += ` WHEN c.client_id = ? THEN 'same client ID'`
	}
	if n := strings.TrimSpace(rec.Snapshot.Document.Number); n != "" {
		conds = append(conds, "c.doc_number = ?")
		args = append(args, n)
		why += ` WHEN c.doc_number = ? THEN 'same document number'`
	}
	var faceIDs []any
	for _, id := range faceCases {
		if id != rec.ID && len(faceIDs) < 200 {
			faceIDs = append(faceIDs, id)
		}
	}
	if len(faceIDs) > 0 {
		conds = append(conds, "c.id IN ("+placeholders(len(faceIDs))+")")
		args = append(args, faceIDs...)
	}
	if len(conds) == 0 {
		return nil, 0, nil
	}
	why += ` ELSE 'duplicate face' END`
	if rec.ClientID == "" && strings.TrimSpace(rec.Snapshot.Document.Number) == "" {
		why = `'duplicate face'` // a CASE needs a WHEN
	}
	// The CASE repeats the first two values; they come again after the WHERE's own.
	var whyArgs []any
	if rec.ClientID != "" {
		whyArgs = append(whyArgs, rec.ClientID)
	}
	if n := strings.TrimSpace(rec.Snapshot.Document.Number); n != "" {
		whyArgs = append(whyArgs, n)
	}
	q := `SELECT c.id, c.source, c.ref, c.full_name, c.review_state, ` + why + `,
		COALESCE((SELECT d.outcome FROM decisions d WHERE d.case_id = c.id ORDER BY d.id DESC LIMIT 1), ''),
		COUNT(*) OVER ()
		FROM cases c WHERE (` + strings.Join(conds, " OR ") + `) AND c.id != ?
		ORDER BY c.id DESC LIMIT ?`
	all := append(append(whyArgs, args...), rec.ID, relatedMax)
	rows, err := db.read.QueryContext(ctx, q, all...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: related cases of %d: %w", rec.ID, err)
	}
	defer rows.Close()
	var out []RelatedCase
	total := 0
	for rows.Next() {
		var r RelatedCase
		if err := rows.Scan(&r.ID, &r.Source, &r.Ref, &r.Name, &r.ReviewState, &r.Why, &r.Outcome, &total); err != nil {
			return nil, 0, fmt.Errorf("store: related cases of %d: %w", rec.ID, err)
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}
