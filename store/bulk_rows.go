package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"
)

// bulkWriter writes BulkLoadEmpty's rows: what bulkBatch, indexCase and the set-aside triggers
// write for a case, with the ids given here (the tables start empty) and the counts kept here
// and written once a batch. TestBulkLoadEmptySameRows holds it to the same rows as BulkLoad.
type bulkWriter struct {
	db                     *DB
	conn                   *sql.Conn
	nextCase, nextDelivery int64
	// words are the search words and word pairs of each name text seen (names repeat).
	words map[string]bulkWords
	sla   time.Duration
}

// bulkWords are the distinct words of a name text, folded by case_tokens, and their pairs.
type bulkWords struct{ terms, pairs []string }

// maxBulkWords bounds bulkWriter.words.
const maxBulkWords = 1 << 16

func (db *DB) newBulkWriter(ctx context.Context, conn *sql.Conn) (*bulkWriter, error) {
	w := &bulkWriter{db: db, conn: conn, words: map[string]bulkWords{}, sla: db.Rules().SLA}
	if err := conn.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(id), 0) FROM cases) + 1,
		(SELECT COALESCE(MAX(id), 0) FROM deliveries) + 1`).Scan(&w.nextCase, &w.nextDelivery); err != nil {
		return nil, fmt.Errorf("store: bulk load: %w", err)
	}
	return w, nil
}

// bulkStatements are one batch's prepared statements, and the rows of its multi-row inserts.
type bulkStatements struct {
	delivery, kase, decision, final, remark, tokens *sql.Stmt
	tags, media, terms, pairs                       *bulkRows
}

func prepareBulk(ctx context.Context, tx *sql.Tx) (*bulkStatements, error) {
	var st bulkStatements
	for _, p := range []struct {
		to  **sql.Stmt
		sql string
	}{
		{&st.delivery, `INSERT INTO deliveries (id, source, received_at, body, sha256, size, outcome, case_id, ref,
			final, overall, auto_document, auto_face, fraud_tags, mismatch_tags, applied)
			VALUES (?, ?, ?, ?, ?, ?, 'stored', ?, ?, ?, ?, ?, ?, ?, ?, 1)`},
		// agent_remark is what the trigger cases_agent_remark_insert would set.
		{&st.kase, `INSERT INTO cases (id, source, ref, client_id, full_name, doc_number, doc_country, ip_country,
			overall, final, auto_document, auto_face, fraud_tags, mismatch_tags, rank, snapshot, snapshot_delivery,
			review_state, delivery_count, first_received_at, last_received_at, waiting_since, pending_since, agent_remark)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, 1, ?19, ?19, ?19, ?20,
			CASE WHEN ?2 = 'vcip' AND json_valid(?16)
			THEN substr(trim(COALESCE(CAST(json_extract(?16, '$.fieldValues.Remark') AS TEXT), '')), 1, 200) ELSE '' END)`},
		{&st.decision, `INSERT INTO decisions (case_id, outcome, reason_code, note, decided_by, decided_at,
			needs_approval, delivery_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`},
		{&st.final, `INSERT INTO dash_final (decision_id, case_id, source, day, reviewer_id, turnaround_ms, handling_ms)
			VALUES (?, ?, ?, ?, ?, ?, ?)`},
		// The remark as dashFinal reads it from the snapshot.
		{&st.remark, `SELECT COALESCE(CAST(json_extract(?, '$.fieldValues.Remark') AS TEXT), '')`},
		{&st.tokens, `SELECT token FROM case_tokens WHERE input = ?`},
	} {
		s, err := tx.PrepareContext(ctx, p.sql)
		if err != nil {
			st.close()
			return nil, fmt.Errorf("store: bulk load: prepare: %w", err)
		}
		*p.to = s
	}
	st.tags = &bulkRows{tx: tx, head: `INSERT OR IGNORE INTO case_tags (case_id, kind, tag, review_state, waiting_since) VALUES `,
		tuple: `(?, ?, ?, ?, ?)`, params: 5}
	st.media = &bulkRows{tx: tx, head: `INSERT OR IGNORE INTO media (case_id, delivery_id, kind, label, position, url,
		state, sha256, size, content_type, fetched_at, attempts, next_attempt_at, queued_at) VALUES `,
		tuple: `(?, ?, ?, ?, ?, ?, 'archived', ?, ?, ?, ?, 1, ?, ?)`, params: 12}
	st.terms = &bulkRows{tx: tx, head: `INSERT INTO case_terms (case_id, term, review_state, waiting_since) VALUES `,
		tuple: `(?, ?, ?, ?)`, params: 4}
	st.pairs = &bulkRows{tx: tx, head: `INSERT INTO case_pairs (case_id, pair, review_state, waiting_since) VALUES `,
		tuple: `(?, ?, ?, ?)`, params: 4}
	return &st, nil
}

func (st *bulkStatements) close() {
	for _, s := range []*sql.Stmt{st.delivery, st.kase, st.decision, st.final, st.remark, st.tokens} {
		if s != nil {
			s.Close()
		}
	}
	for _, r := range []*bulkRows{st.tags, st.media, st.terms, st.pairs} {
		if r != nil && r.full != nil {
			r.full.Close()
		}
	}
}

// flush writes the rows the multi-row inserts still hold.
func (st *bulkStatements) flush(ctx context.Context) error {
	for _, r := range []*bulkRows{st.tags, st.media, st.terms, st.pairs} {
		if err := r.flush(ctx); err != nil {
			return err
		}
	}
	return nil
}

// bulkRowsParams is about how many parameters one multi-row insert binds.
const bulkRowsParams = 480

// bulkRows gathers the rows of one table for multi-row INSERTs (the bulk load, and a delivery's
// media rows in queueMedia), a statement per few hundred parameters instead of one per row: the
// rows and their order are those of one INSERT each.
type bulkRows struct {
	tx           txn
	head, tuple  string
	params, rows int
	args         []any
	full         *sql.Stmt // prepared for a full statement's rows
	// changes counts the rows written (an OR IGNORE may write fewer than it was given).
	changes int64
}

func (b *bulkRows) add(ctx context.Context, vals ...any) error {
	b.args = append(b.args, vals...)
	b.rows++
	if b.rows*b.params < bulkRowsParams {
		return nil
	}
	if b.full == nil {
		s, err := b.tx.PrepareContext(ctx, b.statement(b.rows))
		if err != nil {
			return fmt.Errorf("store: bulk load: prepare: %w", err)
		}
		b.full = s
	}
	r, err := b.full.ExecContext(ctx, b.args...)
	return b.done(r, err)
}

func (b *bulkRows) flush(ctx context.Context) error {
	if b.rows == 0 {
		return nil
	}
	r, err := b.tx.ExecContext(ctx, b.statement(b.rows), b.args...)
	return b.done(r, err)
}

func (b *bulkRows) done(r sql.Result, err error) error {
	if err != nil {
		return fmt.Errorf("store: %.40s…: %w", b.head, err)
	}
	n, _ := r.RowsAffected()
	b.changes += n
	b.args, b.rows = b.args[:0], 0
	return nil
}

func (b *bulkRows) statement(rows int) string {
	var sb strings.Builder
	sb.WriteString(b.head)
	for i := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(b.tuple)
	}
	return sb.String()
}

// bulkCounts are a batch's additions to dash_daily (every key touched, even when its sum is 0:
// bumpDaily's +1 and -1 leave a row) and to state_counts.
type bulkCounts struct {
	daily  map[[4]string]int
	states map[[2]string]int
}

func (c *bulkCounts) bump(metric string, src Source, day, key string, n int) {
	c.daily[[4]string{metric, string(src), day, key}] += n
}

func (c *bulkCounts) flush(ctx context.Context, tx *sql.Tx) error {
	for k, n := range c.daily {
		if _, err := tx.ExecContext(ctx, `INSERT INTO dash_daily (metric, source, day, key, n) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (metric, source, day, key) DO UPDATE SET n = n + excluded.n`, k[0], k[1], k[2], k[3], n); err != nil {
			return fmt.Errorf("store: bulk load: dashboard: %w", err)
		}
	}
	// What cases_count_insert and media_count_insert would have added.
	for k, n := range c.states {
		if _, err := tx.ExecContext(ctx, `UPDATE state_counts SET n = n + ? WHERE kind = ? AND state = ?`, n, k[0], k[1]); err != nil {
			return fmt.Errorf("store: bulk load: state counts: %w", err)
		}
	}
	return nil
}

// batch writes up to max cases in one transaction. It looks at stop between cases: the
// statements run without it, since go-sqlite3 starts a goroutine to watch each statement given
// a context that can end, about as costly as writing a row.
func (w *bulkWriter) batch(stop context.Context, next func() (BulkCase, bool), max int) (int, bool, error) {
	ctx := context.WithoutCancel(stop)
	tx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, fmt.Errorf("store: bulk load: %w", err)
	}
	defer tx.Rollback()
	st, err := prepareBulk(ctx, tx)
	if err != nil {
		return 0, false, err
	}
	defer st.close()
	counts := &bulkCounts{daily: map[[4]string]int{}, states: map[[2]string]int{}}
	more := true
	n := 0
	for ; n < max; n++ {
		if err := stop.Err(); err != nil {
			return n, false, fmt.Errorf("store: bulk load: %w", err)
		}
		bc, ok := next()
		if !ok {
			more = false
			break
		}
		if err := w.writeCase(ctx, st, counts, bc); err != nil {
			return n, false, err
		}
	}
	if err := st.flush(ctx); err != nil {
		return n, false, err
	}
	counts.states[[2]string{"media", MediaStateArchived}] += int(st.media.changes)
	if err := counts.flush(ctx, tx); err != nil {
		return n, false, err
	}
	return n, more, commit(tx, "bulk load")
}

// writeCase writes one case's rows.
func (w *bulkWriter) writeCase(ctx context.Context, st *bulkStatements, counts *bulkCounts, bc BulkCase) error {
	s := bc.Snapshot
	cid, did := w.nextCase, w.nextDelivery
	w.nextCase++
	w.nextDelivery++
	received := FormatTime(bc.ReceivedAt)
	day := dayOf(received)
	counts.bump(metricReceived, s.Source, day, "", 1)
	if bc.ReviewState == ReviewNeedsDecision {
		counts.bump(metricQueue, s.Source, day, "", 1)
	}
	counts.states[[2]string{"case", bc.ReviewState}]++
	// goccy/go-json writes the bytes encoding/json does (TestBulkLoadEmptySameRows compares
	// them with BulkLoad's), in a third of the time, on the loader's one writer.
	snap, err := gojson.Marshal(s)
	if err != nil {
		return fmt.Errorf("store: bulk load %s: %w", s.Ref, err)
	}
	body := bc.Body
	if body == nil {
		body = snap
	}
	sum := sha256.Sum256(body)
	size := len(body)
	if body, err = w.db.sealBody(body); err != nil {
		return fmt.Errorf("store: bulk load: %w", err)
	}
	fraud, mismatch := tagsJSON(nonNil(s.Status.FraudTags)), tagsJSON(nonNil(s.Status.MismatchTags))
	if _, err := st.delivery.ExecContext(ctx, did, s.Source, received, body, hex.EncodeToString(sum[:]), size, cid, s.Ref,
		s.Status.IsFinal(), s.Status.Overall, s.Status.AutoDocument, s.Status.AutoFace, fraud, mismatch); err != nil {
		return fmt.Errorf("store: bulk load delivery: %w", err)
	}
	snapText := string(snap)
	if _, err := st.kase.ExecContext(ctx, cid, s.Source, s.Ref, s.ClientID, s.DisplayName(), s.Document.Number,
		s.Document.IssuingCountry, caseIPCountry(s), s.Status.Overall, s.Status.IsFinal(), s.Status.AutoDocument,
		s.Status.AutoFace, fraud, mismatch, s.Rank(), snapText, did, bc.ReviewState, received, pendingSince(bc)); err != nil {
		return fmt.Errorf("store: bulk load case: %w", err)
	}
	for _, kt := range [2]struct {
		kind string
		tags []string
	}{{"fraud", s.Status.FraudTags}, {"mismatch", s.Status.MismatchTags}} {
		for _, t := range kt.tags {
			if err := st.tags.add(ctx, cid, kt.kind, t, bc.ReviewState, received); err != nil {
				return err
			}
		}
	}
	if bc.Files != nil {
		for _, m := range s.Media {
			f, ok := bc.Files[m.Kind]
			if !ok {
				f = bc.Files[""]
			}
			if err := st.media.add(ctx, cid, did, m.Kind, m.Label, m.Position, m.URL, f.SHA256, f.Size, f.ContentType,
				received, received, received); err != nil {
				return err
			}
		}
	}
	words, err := w.wordsOf(ctx, st, w.db.searchBody(searchText(s)))
	if err != nil {
		return err
	}
	for _, t := range words.terms {
		if err := st.terms.add(ctx, cid, t, bc.ReviewState, received); err != nil {
			return err
		}
	}
	for _, p := range words.pairs {
		if err := st.pairs.add(ctx, cid, p, bc.ReviewState, received); err != nil {
			return err
		}
	}
	return w.decision(ctx, st, counts, cid, did, bc, received, fraud, mismatch, snapText)
}

// decision writes bulkDecision's rows and counts for the case's decision, if it has one.
func (w *bulkWriter) decision(ctx context.Context, st *bulkStatements, counts *bulkCounts, cid, did int64, bc BulkCase,
	received, fraud, mismatch, snap string) error {
	d := bc.Decision
	if d == nil {
		return nil
	}
	at := FormatTime(d.DecidedAt)
	r, err := st.decision.ExecContext(ctx, cid, d.Outcome, d.ReasonCode, d.Note, d.DecidedBy, at, d.Pending, did)
	if err != nil {
		return fmt.Errorf("store: bulk load decision: %w", err)
	}
	if d.Pending {
		return nil
	}
	id, err := r.LastInsertId()
	if err != nil {
		return fmt.Errorf("store: bulk load decision: %w", err)
	}
	s := bc.Snapshot
	// As bulkDecision and dashFinalClaimed count it: the case waited in the queue from its
	// callback to this decision, which is final at once.
	day := dayOf(at)
	counts.bump(metricQueue, s.Source, dayOf(received), "", 1)
	counts.bump(metricQueue, s.Source, day, "", -1)
	final, first := ParseTime(at), ParseTime(received)
	handling := max(final.Sub(ParseTime(FormatTime(d.ClaimedAt))), 0).Milliseconds()
	if _, err := st.final.ExecContext(ctx, id, cid, s.Source, day, d.DecidedBy, max(final.Sub(first), 0).Milliseconds(), handling); err != nil {
		return fmt.Errorf("store: bulk load: dashboard final: %w", err)
	}
	counts.bump(metricFinal, s.Source, day, d.Outcome, 1)
	counts.bump(metricReason, s.Source, day, d.ReasonCode, 1)
	counts.bump(metricReviewer, s.Source, day, strconv.FormatInt(d.DecidedBy, 10), 1)
	if final.Sub(first) > w.sla { // the wait starts at the callback (waiting_since)
		counts.bump(metricSLABreach, s.Source, day, "", 1)
	}
	if strings.EqualFold(s.Status.Overall, StatusSuspected) || s.Source == SourceVCIP {
		remark := ""
		if len(s.FieldValues) > 0 {
			if err := st.remark.QueryRowContext(ctx, snap).Scan(&remark); err != nil {
				return fmt.Errorf("store: bulk load: remark: %w", err)
			}
		}
		for _, sig := range caseSignals(fraud, mismatch, remark) {
			counts.bump(metricSigSuspected, s.Source, day, sig, 1)
			if d.Outcome == OutcomeAllow {
				counts.bump(metricSigAllowed, s.Source, day, sig, 1)
			}
		}
	}
	return nil
}

// wordsOf folds text into its distinct words with case_tokens, as indexCase's INSERT … SELECT
// does, and pairs each with every word after it in byte order (case_pairs' b.term > a.term).
func (w *bulkWriter) wordsOf(ctx context.Context, st *bulkStatements, text string) (bulkWords, error) {
	if ws, ok := w.words[text]; ok {
		return ws, nil
	}
	rows, err := st.tokens.QueryContext(ctx, text)
	if err != nil {
		return bulkWords{}, fmt.Errorf("store: bulk load: search words: %w", err)
	}
	var ws bulkWords
	seen := map[string]bool{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return bulkWords{}, fmt.Errorf("store: bulk load: search words: %w", err)
		}
		if !seen[t] {
			seen[t] = true
			ws.terms = append(ws.terms, t)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return bulkWords{}, fmt.Errorf("store: bulk load: search words: %w", err)
	}
	paired := map[string]bool{}
	for _, a := range ws.terms {
		for _, b := range ws.terms {
			if p := a + " " + b; b > a && !paired[p] {
				paired[p] = true
				ws.pairs = append(ws.pairs, p)
			}
		}
	}
	if len(w.words) >= maxBulkWords {
		clear(w.words)
	}
	w.words[text] = ws
	return ws, nil
}
