package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// BulkCase is one case for BulkLoad: the snapshot a decoder made of its raw body, when the
// callback arrived, and the review state the case is in.
type BulkCase struct {
	Snapshot    *Snapshot
	Body        []byte // the raw delivery; nil stores the snapshot's JSON
	ReceivedAt  time.Time
	ReviewState string // ReviewNeedsDecision, ReviewPendingApproval, ReviewDecided or ReviewInformational
	// Decision, for a decided case, is its final decision (synthetic history for the dashboard);
	// for a case pending approval, the decision that waits (Pending).
	Decision *BulkDecision
	// Files, when set, archives every media URL of the snapshot as the stored file of its kind
	// (Files[""] for kinds not named): media rows as the fetcher leaves them.
	Files map[string]BulkFile
}

// BulkFile is a file already in the media archive.
type BulkFile struct {
	SHA256      string
	Size        int64
	ContentType string
}

// BulkDecision is a final decision BulkLoad records with its case, without an audit entry.
type BulkDecision struct {
	Outcome, ReasonCode, Note string
	DecidedBy                 int64 // a user ID
	ClaimedAt, DecidedAt      time.Time
	Pending                   bool // waits for a second approval: not final, not in the dashboard
}

// BulkLoad writes cases, each with one stored delivery, its tags, its search row, its final
// decision if given, and their counts in the dashboard's summaries, in one transaction per 10,000
// cases, and returns how many it wrote. It is the loader for demo and
// synthetic data sets in an empty data dir: it writes no audit entries and does not merge with
// existing cases, so it is never a way to ingest a vendor's callbacks.
func (db *DB) BulkLoad(ctx context.Context, next func() (BulkCase, bool)) (int, error) {
	n := 0
	for {
		wrote, more, err := db.bulkBatch(ctx, next, 10000)
		n += wrote
		if err != nil || !more {
			return n, err
		}
	}
}

func (db *DB) bulkBatch(ctx context.Context, next func() (BulkCase, bool), max int) (int, bool, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, fmt.Errorf("store: bulk load: %w", err)
	}
	defer tx.Rollback()
	// The delivery ids come from the inbox's sequence, like every other (inbox.go).
	var mainMax int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM deliveries`).Scan(&mainMax); err != nil {
		return 0, false, fmt.Errorf("store: bulk load: %w", err)
	}
	nextDelivery, err := db.reserveDeliveryIDs(ctx, max, mainMax)
	if err != nil {
		return 0, false, fmt.Errorf("store: bulk load: %w", err)
	}
	insDelivery, err := tx.PrepareContext(ctx, `INSERT INTO deliveries (id, source, received_at, body, sha256, size, outcome, ref,
		final, overall, auto_document, auto_face, fraud_tags, mismatch_tags, applied)
		VALUES (?, ?, ?, ?, ?, ?, 'stored', ?, ?, ?, ?, ?, ?, ?, 1)`)
	if err != nil {
		return 0, false, fmt.Errorf("store: bulk load: %w", err)
	}
	defer insDelivery.Close()
	insCase, err := tx.PrepareContext(ctx, `INSERT INTO cases (source, ref, client_id, full_name, doc_number, doc_country, ip_country,
		overall, final, auto_document, auto_face, fraud_tags, mismatch_tags, rank, snapshot, snapshot_delivery,
		review_state, delivery_count, first_received_at, last_received_at, waiting_since, pending_since)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`)
	if err != nil {
		return 0, false, fmt.Errorf("store: bulk load: %w", err)
	}
	defer insCase.Close()
	linkDelivery, err := tx.PrepareContext(ctx, `UPDATE deliveries SET case_id = ? WHERE id = ?`)
	if err != nil {
		return 0, false, fmt.Errorf("store: bulk load: %w", err)
	}
	defer linkDelivery.Close()
	insTag, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO case_tags (case_id, kind, tag, review_state, waiting_since)
		VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, false, fmt.Errorf("store: bulk load: %w", err)
	}
	defer insTag.Close()
	insMedia, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO media (case_id, delivery_id, kind, label, position, url,
		state, sha256, size, content_type, fetched_at, attempts, next_attempt_at, queued_at)
		VALUES (?, ?, ?, ?, ?, ?, 'archived', ?, ?, ?, ?, 1, ?, ?)`)
	if err != nil {
		return 0, false, fmt.Errorf("store: bulk load: %w", err)
	}
	defer insMedia.Close()
	tally := dashTally{}
	n := 0
	for ; n < max; n++ {
		bc, ok := next()
		if !ok {
			if err := tally.flush(ctx, tx); err != nil {
				return n, false, err
			}
			return n, false, commit(tx, "bulk load")
		}
		tally.caseLoaded(bc.Snapshot.Source, bc.ReceivedAt, bc.ReviewState)
		s := bc.Snapshot
		snap, err := json.Marshal(s)
		if err != nil {
			return n, false, fmt.Errorf("store: bulk load %s: %w", s.Ref, err)
		}
		body := bc.Body
		if body == nil {
			body = snap
		}
		sum := sha256.Sum256(body)
		size := len(body)
		if body, err = db.sealBody(body); err != nil {
			return 0, false, fmt.Errorf("store: bulk load: %w", err)
		}
		received := FormatTime(bc.ReceivedAt)
		fraud, _ := json.Marshal(nonNil(s.Status.FraudTags))
		mismatch, _ := json.Marshal(nonNil(s.Status.MismatchTags))
		did := nextDelivery + int64(n)
		_, err = insDelivery.ExecContext(ctx, did, s.Source, received, body, hex.EncodeToString(sum[:]), size, s.Ref,
			s.Status.IsFinal(), s.Status.Overall, s.Status.AutoDocument, s.Status.AutoFace, string(fraud), string(mismatch))
		if err != nil {
			return n, false, fmt.Errorf("store: bulk load delivery: %w", err)
		}
		r, err := insCase.ExecContext(ctx, s.Source, s.Ref, s.ClientID, s.DisplayName(), s.Document.Number,
			s.Document.IssuingCountry, caseIPCountry(s), s.Status.Overall, s.Status.IsFinal(), s.Status.AutoDocument,
			s.Status.AutoFace, string(fraud), string(mismatch), s.Rank(), string(snap), did, bc.ReviewState,
			received, received, received, pendingSince(bc))
		if err != nil {
			return n, false, fmt.Errorf("store: bulk load case: %w", err)
		}
		cid, _ := r.LastInsertId()
		if _, err := linkDelivery.ExecContext(ctx, cid, did); err != nil {
			return n, false, fmt.Errorf("store: bulk load: %w", err)
		}
		for kind, tags := range map[string][]string{"fraud": s.Status.FraudTags, "mismatch": s.Status.MismatchTags} {
			for _, t := range tags {
				if _, err := insTag.ExecContext(ctx, cid, kind, t, bc.ReviewState, received); err != nil {
					return n, false, fmt.Errorf("store: bulk load tag: %w", err)
				}
			}
		}
		if bc.Files != nil {
			for _, m := range s.Media {
				f, ok := bc.Files[m.Kind]
				if !ok {
					f = bc.Files[""]
				}
				if _, err := insMedia.ExecContext(ctx, cid, did, m.Kind, m.Label, m.Position, m.URL, f.SHA256, f.Size,
					f.ContentType, received, received, received); err != nil {
					return n, false, fmt.Errorf("store: bulk load media: %w", err)
				}
			}
		}
		if err := indexCase(ctx, tx, cid, db.searchBody(searchText(s)), false); err != nil {
			return n, false, fmt.Errorf("store: bulk load: %w", err)
		}
		if err := db.bulkDecision(ctx, tx, cid, did, bc.Decision); err != nil {
			return n, false, err
		}
	}
	if err := tally.flush(ctx, tx); err != nil {
		return n, false, err
	}
	return n, true, commit(tx, "bulk load")
}

// pendingSince is when a loaded case pending approval had its decision: its decision's time,
// or when it arrived.
func pendingSince(bc BulkCase) any {
	if bc.ReviewState == ReviewPendingApproval && bc.Decision != nil {
		return FormatTime(bc.Decision.DecidedAt)
	}
	if bc.ReviewState == ReviewPendingApproval {
		return FormatTime(bc.ReceivedAt)
	}
	return nil
}
