package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Delivery outcomes.
const (
	OutcomeStored      = "stored"
	OutcomeDuplicate   = "duplicate"
	OutcomeQuarantined = "quarantined"
)

// Review states of a case.
const (
	ReviewNeedsDecision   = "needs_decision"
	ReviewInformational   = "informational"
	ReviewPendingApproval = "pending_approval"
	ReviewDecided         = "decided"
)

// Incoming is one authenticated callback as it arrived, with the result of decoding it.
type Incoming struct {
	Source     Source
	ReceivedAt time.Time
	RemoteAddr string
	Headers    http.Header
	Body       []byte
	// Snapshot is the decoded content; nil when DecodeErr is set.
	Snapshot  *Snapshot
	DecodeErr error

	// Worked out by prepare, outside the single writer, so the group commit spends its time on SQL.
	prepared bool
	sha      string
	headers  string
	snapJSON []byte
}

// prepare computes what storing the delivery needs but no database: its hash, the stored
// headers and the snapshot's JSON. Submit calls it on the sender's goroutine.
func (in *Incoming) prepare() error {
	if in.prepared {
		return nil
	}
	if in.Snapshot != nil && in.Snapshot.Ref == "" {
		// Caught here, before the acknowledgement, rather than by the derivation: the 200 then says
		// "quarantined" as it always has, and the deriver only ever sees deliveries it can place.
		in.Snapshot, in.DecodeErr = nil, fmt.Errorf("could not apply to case: %w", errNoRef)
	}
	sum := sha256.Sum256(in.Body)
	in.sha = hex.EncodeToString(sum[:])
	in.headers = headersJSON(in.Headers)
	if in.Snapshot != nil {
		b, err := json.Marshal(in.Snapshot)
		if err != nil {
			return fmt.Errorf("encode snapshot: %w", err)
		}
		in.snapJSON = b
	}
	in.prepared = true
	return nil
}

// IngestResult says what became of a delivery.
type IngestResult struct {
	DeliveryID  int64
	Outcome     string
	CaseID      int64
	DuplicateOf int64
	Error       string
}

// redactedHeaders are never stored: they carry credentials.
var redactedHeaders = map[string]bool{"Authorization": true, "Cookie": true, "Proxy-Authorization": true}

func headersJSON(h http.Header) string {
	kept := make(map[string][]string, len(h))
	for k, v := range h {
		if redactedHeaders[http.CanonicalHeaderKey(k)] {
			kept[k] = []string{"[redacted]"}
			continue
		}
		kept[k] = v
	}
	b, _ := json.Marshal(kept)
	return string(b)
}

// Ingest stores one delivery in its own transaction. The server uses an Ingester instead.
func (db *DB) Ingest(ctx context.Context, in *Incoming) (IngestResult, error) {
	res, err := db.ingestBatch(ctx, []*Incoming{in})
	if err != nil {
		return IngestResult{}, err
	}
	return res[0], nil
}

// errRetryCarefully aborts an optimistic batch so it can be redone with a savepoint per delivery.
var errRetryCarefully = errors.New("store: ingest: a delivery failed; retry with savepoints")

// ingestBatch stores deliveries in one transaction: one fsync for the whole batch. It first tries
// the batch straight through; if deriving a case from any delivery fails, it redoes the batch with
// a savepoint per delivery, so that delivery is quarantined and the others are left alone.
func (db *DB) ingestBatch(ctx context.Context, items []*Incoming) ([]IngestResult, error) {
	if len(items) > 1 {
		out, err := db.ingestTx(ctx, items, false)
		if !errors.Is(err, errRetryCarefully) {
			return out, err
		}
	}
	return db.ingestTx(ctx, items, true)
}

func (db *DB) ingestTx(ctx context.Context, items []*Incoming, careful bool) ([]IngestResult, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: ingest: begin: %w", err)
	}
	defer tx.Rollback()
	// The ids come from the inbox's sequence, like those of the deliveries it holds (inbox.go).
	var mainMax int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM deliveries`).Scan(&mainMax); err != nil {
		return nil, fmt.Errorf("store: ingest: %w", err)
	}
	firstID, err := db.reserveDeliveryIDs(ctx, len(items), mainMax)
	if err != nil {
		return nil, fmt.Errorf("store: ingest: %w", err)
	}
	out := make([]IngestResult, len(items))
	for i, in := range items {
		id := firstID + int64(i)
		if !careful {
			res, err := db.ingestOne(ctx, tx, in, id)
			if err != nil {
				return nil, errRetryCarefully
			}
			out[i] = res
			continue
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT delivery"); err != nil {
			return nil, fmt.Errorf("store: ingest: savepoint: %w", err)
		}
		res, err := db.ingestOne(ctx, tx, in, id)
		if err != nil {
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO delivery"); rerr != nil {
				return nil, fmt.Errorf("store: ingest: rollback to savepoint: %w", rerr)
			}
			// Keep the raw bytes anyway, quarantined with the reason, so nothing is lost.
			q := *in
			q.Snapshot = nil
			q.DecodeErr = fmt.Errorf("could not apply to case: %v", err)
			res, err = db.ingestOne(ctx, tx, &q, id)
			if err != nil {
				return nil, fmt.Errorf("store: ingest: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, "RELEASE delivery"); err != nil {
			return nil, fmt.Errorf("store: ingest: release: %w", err)
		}
		out[i] = res
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: ingest: commit: %w", err)
	}
	db.signalOutbox()
	return out, nil
}

// ingestOne stores one delivery as id and derives its case, in tx.
func (db *DB) ingestOne(ctx context.Context, tx *sql.Tx, in *Incoming, id int64) (IngestResult, error) {
	res, err := db.insertRaw(ctx, tx, in, id)
	if err != nil || res.Outcome != OutcomeStored {
		return res, err
	}
	caseID, err := db.applySnapshot(ctx, tx, res.DeliveryID, in.Snapshot, in.snapJSON, FormatTime(in.ReceivedAt))
	if err != nil {
		return IngestResult{}, err
	}
	res.CaseID = caseID
	return res, nil
}

// insertRaw appends the delivery row as id: the raw bytes, its hash and the summary of what it
// said, or a duplicate row pointing at the first delivery of the same bytes. The caller derives a
// stored delivery's case in the same tx.
func (db *DB) insertRaw(ctx context.Context, tx *sql.Tx, in *Incoming, id int64) (IngestResult, error) {
	if err := in.prepare(); err != nil {
		return IngestResult{}, err
	}
	sha := in.sha
	received := FormatTime(in.ReceivedAt)

	var firstID int64
	var firstCase sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT id, case_id FROM deliveries
		WHERE source = ? AND sha256 = ? AND outcome <> 'duplicate'`, in.Source, sha).Scan(&firstID, &firstCase)
	switch {
	case err == nil:
		if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries
			(id, source, received_at, remote_addr, headers, body, sha256, size, outcome, duplicate_of, case_id)
			VALUES (?, ?, ?, ?, ?, NULL, ?, ?, 'duplicate', ?, ?)`,
			id, in.Source, received, in.RemoteAddr, in.headers, sha, len(in.Body), firstID, firstCase); err != nil {
			return IngestResult{}, fmt.Errorf("insert duplicate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET duplicates = duplicates + 1 WHERE id = ?`, firstID); err != nil {
			return IngestResult{}, fmt.Errorf("count duplicate: %w", err)
		}
		return IngestResult{DeliveryID: id, Outcome: OutcomeDuplicate, DuplicateOf: firstID, CaseID: firstCase.Int64}, nil
	case !errors.Is(err, sql.ErrNoRows):
		return IngestResult{}, fmt.Errorf("find first delivery: %w", err)
	}

	outcome, errText := OutcomeStored, ""
	if in.Snapshot == nil {
		outcome = OutcomeQuarantined
		errText = "no decoded content"
		if in.DecodeErr != nil {
			errText = in.DecodeErr.Error()
		}
	}
	body := in.Body
	if body == nil {
		body = []byte{}
	}
	body, err = db.sealBody(body) // encryption at rest (crypt.go); the SHA-256 is of the bytes as received
	if err != nil {
		return IngestResult{}, fmt.Errorf("seal body: %w", err)
	}
	// The summary of what this delivery said goes in with it, for the case history.
	summary := summarize(in.Snapshot)
	if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries
		(id, source, received_at, remote_addr, headers, body, sha256, size, outcome, error,
		ref, final, overall, auto_document, auto_face, manual_document, manual_face, fraud_tags, mismatch_tags)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		append([]any{id, in.Source, received, in.RemoteAddr, in.headers, body, sha, len(in.Body), outcome, errText},
			summary...)...); err != nil {
		return IngestResult{}, fmt.Errorf("insert delivery: %w", err)
	}
	if err := recordSchemaWarnings(ctx, tx, id, in.Snapshot); err != nil {
		return IngestResult{}, err
	}
	return IngestResult{DeliveryID: id, Outcome: outcome, Error: errText}, nil
}

// errNoRef is why a snapshot without a reference cannot become a case.
var errNoRef = Errorf(KindInvalid, "the callback has no reference (scanRef or sessionId)")

// applySnapshot derives the case from a stored delivery. The most authoritative snapshot wins:
// a final result is never overwritten by a later automatic one; equal authority goes to the newer.
// It is on the ingest hot path, so it keeps the number of statements per delivery small.
func (db *DB) applySnapshot(ctx context.Context, tx txn, deliveryID int64, s *Snapshot, snapJSON []byte, received string) (int64, error) {
	if s.Ref == "" {
		return 0, errNoRef
	}
	var (
		caseID                int64
		rank                  int
		state                 string
		appliedAt             string
		hadFraud, hadMismatch string
	)
	err := tx.QueryRowContext(ctx, findCaseSQL, s.Source, s.Ref).Scan(&caseID, &rank, &state, &appliedAt, &hadFraud, &hadMismatch)
	isNew := errors.Is(err, sql.ErrNoRows)
	if err != nil && !isNew {
		return 0, fmt.Errorf("find case: %w", err)
	}
	if snapJSON == nil {
		b, err := json.Marshal(s)
		if err != nil {
			return 0, fmt.Errorf("encode snapshot: %w", err)
		}
		snapJSON = b
	}
	fraud, mismatch := tagsJSON(s.Status.FraudTags), tagsJSON(s.Status.MismatchTags)
	wanted := ReviewInformational
	if s.NeedsDecision() {
		wanted = ReviewNeedsDecision
	}
	// Equal authority: the one received later wins, which also holds when an old delivery is replayed.
	apply := isNew || s.Rank() > rank || s.Rank() == rank && received >= appliedAt
	keepName := false
	after := wanted // the case's review state once this delivery is applied
	cols := []any{s.ClientID, s.ExternalRef, s.DisplayName(), s.Document.Number, s.Document.IssuingCountry, caseIPCountry(s),
		s.Status.Overall, s.Status.IsFinal(), s.Status.AutoDocument, s.Status.AutoFace, s.Status.ManualDocument, s.Status.ManualFace,
		fraud, mismatch, s.Rank(), string(snapJSON), deliveryID}
	switch {
	case isNew:
		r, err := tx.ExecContext(ctx, `INSERT INTO cases
			(client_id, external_ref, full_name, doc_number, doc_country, ip_country,
			overall, final, auto_document, auto_face, manual_document, manual_face,
			fraud_tags, mismatch_tags, rank, snapshot, snapshot_delivery,
			source, ref, review_state, first_received_at, last_received_at, waiting_since, delivery_count)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
			append(cols, s.Source, s.Ref, wanted, received, received, received)...)
		if err != nil {
			return 0, fmt.Errorf("insert case: %w", err)
		}
		caseID, _ = r.LastInsertId()
	case apply:
		newState, waiting := nextReviewState(state, wanted)
		after = newState
		if keepName = s.DisplayName() == "" && len(s.SchemaWarnings) > 0; keepName {
			// The name arrived in a shape the decoder cannot read: the case keeps the name it had,
			// so the queue and the name search still find it; the warning shows what arrived.
			if err := tx.QueryRowContext(ctx, `SELECT full_name FROM cases WHERE id = ?`, caseID).Scan(&cols[2]); err != nil {
				return 0, fmt.Errorf("find case: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE cases SET
			client_id = ?, external_ref = ?, full_name = ?, doc_number = ?, doc_country = ?, ip_country = ?,
			overall = ?, final = ?, auto_document = ?, auto_face = ?, manual_document = ?, manual_face = ?,
			fraud_tags = ?, mismatch_tags = ?, rank = ?, snapshot = ?, snapshot_delivery = ?,
			review_state = ?, changed_after_decision = changed_after_decision OR ?,
			waiting_since = CASE WHEN ? THEN MAX(?, first_received_at) ELSE waiting_since END,
			delivery_count = delivery_count + 1, last_received_at = MAX(last_received_at, ?)
			WHERE id = ?`,
			append(cols, newState, isDecided(state), waiting, received, received, caseID)...)
		if err != nil {
			return 0, fmt.Errorf("update case: %w", err)
		}
	default:
		// Less authoritative than what the case shows: history only, but a decided case still goes back for a look.
		newState, waiting := nextReviewState(state, state)
		after = newState
		_, err := tx.ExecContext(ctx, `UPDATE cases SET review_state = ?, changed_after_decision = changed_after_decision OR ?,
			waiting_since = CASE WHEN ? THEN MAX(?, first_received_at) ELSE waiting_since END,
			delivery_count = delivery_count + 1, last_received_at = MAX(last_received_at, ?) WHERE id = ?`,
			newState, isDecided(state), waiting, received, received, caseID)
		if err != nil {
			return 0, fmt.Errorf("update case: %w", err)
		}
	}
	if apply {
		// A later callback mostly repeats the tags and the names: their rows (kept in queue order
		// by the cases_queue_keys trigger) stay as they are, since rewriting them touches pages
		// all over their indexes, and the disk's bandwidth is what bounds ingest.
		if isNew || fraud != hadFraud || mismatch != hadMismatch {
			if err := replaceTags(ctx, tx, caseID, s, !isNew); err != nil {
				return 0, err
			}
		}
		if !keepName {
			if err := indexCase(ctx, tx, caseID, db.searchBody(searchText(s)), !isNew); err != nil {
				return 0, err
			}
		}
	}
	var duplicates int
	if err := tx.QueryRowContext(ctx, `UPDATE deliveries SET case_id = ?, applied = ?, derived = 1 WHERE id = ? RETURNING duplicates`,
		caseID, apply, deliveryID).Scan(&duplicates); err != nil {
		return 0, fmt.Errorf("link delivery: %w", err)
	}
	if duplicates > 0 {
		// Retries of these bytes that arrived before the case was derived point at it now.
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET case_id = ? WHERE duplicate_of = ? AND case_id IS NULL`,
			caseID, deliveryID); err != nil {
			return 0, fmt.Errorf("link duplicates: %w", err)
		}
	}
	if err := queueMedia(ctx, tx, caseID, deliveryID, s.Media, received); err != nil {
		return 0, err
	}
	if err := dashAfterIngest(ctx, tx, s.Source, isNew, state, after, received); err != nil {
		return 0, err
	}
	if err := enqueueIngestEvent(ctx, tx, received, caseID, isNew, state, wanted); err != nil {
		return 0, err
	}
	return caseID, nil
}

// summarize is what a delivery row records of its snapshot: ref, final, overall, the four
// auto/manual statuses and the two tag lists, in the column order of the deliveries table.
func summarize(s *Snapshot) []any {
	if s == nil {
		return []any{"", nil, "", "", "", "", "", "[]", "[]"}
	}
	var final any
	if s.Status.Final != nil {
		final = *s.Status.Final
	}
	st := s.Status
	return []any{s.Ref, final, st.Overall, st.AutoDocument, st.AutoFace, st.ManualDocument, st.ManualFace,
		tagsJSON(st.FraudTags), tagsJSON(st.MismatchTags)}
}

func isDecided(state string) bool { return state == ReviewDecided || state == ReviewPendingApproval }

// nextReviewState is the review state after a new delivery, and whether the wait restarts now.
// A callback after a decision sends the case back for a look; the decision itself stays.
func nextReviewState(current, wanted string) (string, bool) {
	if isDecided(current) {
		return ReviewNeedsDecision, true
	}
	return wanted, wanted == ReviewNeedsDecision && current != ReviewNeedsDecision
}

func tagsJSON(tags []string) string {
	if tags == nil {
		return "[]"
	}
	b, _ := json.Marshal(tags)
	return string(b)
}

func caseIPCountry(s *Snapshot) string {
	if s.IPCountry != "" {
		return s.IPCountry
	}
	if s.Geo != nil {
		return s.Geo.CountryCode
	}
	return ""
}

func replaceTags(ctx context.Context, tx txn, caseID int64, s *Snapshot, existing bool) error {
	if existing {
		if _, err := tx.ExecContext(ctx, `DELETE FROM case_tags WHERE case_id = ?`, caseID); err != nil {
			return fmt.Errorf("clear tags: %w", err)
		}
	}
	for kind, tags := range map[string][]string{"fraud": s.Status.FraudTags, "mismatch": s.Status.MismatchTags} {
		for _, t := range tags {
			if t == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO case_tags (case_id, kind, tag, review_state, waiting_since)
				SELECT id, ?, ?, review_state, waiting_since FROM cases WHERE id = ?`, kind, t, caseID); err != nil {
				return fmt.Errorf("insert tag: %w", err)
			}
		}
	}
	return nil
}

// nameJoiners are the punctuation inside names that people leave out when they search.
var nameJoiners = strings.NewReplacer("'", "", "’", "", "-", "")

// indexCase refreshes the words of the case's names that the search finds it by; body is the
// case's searchText as searchBody hands it to the tokenizer.
func indexCase(ctx context.Context, tx txn, caseID int64, body string, existing bool) error {
	// Names only: references, client IDs and document numbers are searched through their own
	// indexes, and every token here costs the ingest path.
	if existing {
		// The same words as before: the words and their pairs are already right.
		var same bool
		if err := tx.QueryRowContext(ctx, `SELECT
			(SELECT group_concat(term, char(31)) FROM (SELECT term FROM case_terms WHERE case_id = ? ORDER BY term)) IS
			(SELECT group_concat(token, char(31)) FROM (SELECT DISTINCT token FROM case_tokens WHERE input = ? ORDER BY token))`,
			caseID, body).Scan(&same); err != nil {
			return fmt.Errorf("compare search words: %w", err)
		}
		if same {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM case_terms WHERE case_id = ?`, caseID); err != nil {
			return fmt.Errorf("clear search words: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM case_pairs WHERE case_id = ?`, caseID); err != nil {
			return fmt.Errorf("clear search word pairs: %w", err)
		}
	}
	// The words in queue order (migration 0120), folded as the full-text index folded them.
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO case_terms (case_id, term, review_state, waiting_since)
		SELECT c.id, t.token, c.review_state, c.waiting_since FROM cases c, case_tokens t WHERE c.id = ? AND t.input = ?`,
		caseID, body); err != nil {
		return fmt.Errorf("insert search words: %w", err)
	}
	// Every pair of them, for searches of two or more words (migration 0171).
	if _, err := tx.ExecContext(ctx, insertPairs+` WHERE a.case_id = ?`, caseID); err != nil {
		return fmt.Errorf("insert search word pairs: %w", err)
	}
	return nil
}

// findCaseSQL finds the case of (source, ref) with what applySnapshot compares (a constant for
// TestStatementsStayPrepared).
const findCaseSQL = `SELECT c.id, c.rank, c.review_state, COALESCE(d.received_at, ''), c.fraud_tags, c.mismatch_tags
	FROM cases c LEFT JOIN deliveries d ON d.id = c.snapshot_delivery
	WHERE c.source = ? AND c.ref = ?`

// insertPairs writes every pair of the words in case_terms, the smaller word first, with their
// case's queue keys; the caller's WHERE on a.case_id says which cases (ingest: one, the
// background fill: a range).
const insertPairs = `INSERT OR IGNORE INTO case_pairs (case_id, pair, review_state, waiting_since)
	SELECT a.case_id, a.term || ' ' || b.term, a.review_state, a.waiting_since
	FROM case_terms a JOIN case_terms b ON b.case_id = a.case_id AND b.term > a.term`

func queueMedia(ctx context.Context, tx txn, caseID, deliveryID int64, refs []MediaRef, now string) error {
	// One statement for a delivery's files (about five) rather than one a file.
	rows := &bulkRows{tx: tx, head: `INSERT OR IGNORE INTO media
		(case_id, delivery_id, kind, label, position, url, state, next_attempt_at, queued_at) VALUES `,
		tuple: `(?, ?, ?, ?, ?, ?, 'queued', ?, ?)`, params: 8}
	for _, m := range refs {
		if strings.TrimSpace(m.URL) == "" {
			continue
		}
		if err := rows.add(ctx, caseID, deliveryID, m.Kind, m.Label, m.Position, m.URL, now, now); err != nil {
			return err
		}
	}
	return rows.flush(ctx)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
