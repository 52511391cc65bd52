package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The dashboard's summaries (dash_daily, dash_final) are written here, inside the transaction of
// the event they count: each caller adds one line. Nothing else writes them.

// Dashboard metrics, as stored in dash_daily.metric.
const (
	metricReceived     = "received"
	metricQueue        = "queue"
	metricFinal        = "final"
	metricReason       = "reason"
	metricSLABreach    = "sla_breach"
	metricReviewer     = "reviewer"
	metricReturned     = "returned"
	metricSigSuspected = "sig_suspected"
	metricSigAllowed   = "sig_allowed"
)

// maxSignalKey bounds a signal's key: a remark is free text typed by a vendor's agent.
const maxSignalKey = 120

func dayOf(stored string) string {
	if len(stored) >= 10 {
		return stored[:10]
	}
	return stored
}

func bumpDaily(ctx context.Context, tx txn, metric string, src Source, day, key string, n int) error {
	if n == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO dash_daily (metric, source, day, key, n) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (metric, source, day, key) DO UPDATE SET n = n + excluded.n`, metric, src, day, key, n); err != nil {
		return fmt.Errorf("store: dashboard %s: %w", metric, err)
	}
	return nil
}

// queueDelta is +1 when a case starts needing a decision, -1 when it stops, else 0.
func queueDelta(before, after string) int {
	switch {
	case before != ReviewNeedsDecision && after == ReviewNeedsDecision:
		return 1
	case before == ReviewNeedsDecision && after != ReviewNeedsDecision:
		return -1
	}
	return 0
}

// dashAfterIngest counts a delivery applied to a case: a new case is received; a change into or
// out of the queue moves the queue. before and after are its review states around the delivery
// (before is "" for a new case).
func dashAfterIngest(ctx context.Context, tx txn, src Source, isNew bool, before, after, received string) error {
	day := dayOf(received)
	if isNew {
		if err := bumpDaily(ctx, tx, metricReceived, src, day, "", 1); err != nil {
			return err
		}
	}
	return bumpDaily(ctx, tx, metricQueue, src, day, "", queueDelta(before, after))
}

// dashAfterDecision counts a recorded decision: the case leaves the queue, and without four-eyes
// the decision is final at once.
func (db *DB) dashAfterDecision(ctx context.Context, tx *sql.Tx, decisionID int64, src Source, needsApproval bool, at string) error {
	if err := bumpDaily(ctx, tx, metricQueue, src, dayOf(at), "", -1); err != nil {
		return err
	}
	if needsApproval {
		return nil
	}
	return db.dashFinal(ctx, tx, decisionID, at)
}

// dashAfterSecondLook counts an approval (the decision becomes final) or a return (the case is
// back in the queue and its maker has one more decision sent back).
func (db *DB) dashAfterSecondLook(ctx context.Context, tx *sql.Tx, decisionID int64, verdict, at string) error {
	if verdict == VerdictApproved {
		return db.dashFinal(ctx, tx, decisionID, at)
	}
	var src Source
	var maker int64
	if err := tx.QueryRowContext(ctx, `SELECT c.source, d.decided_by FROM decisions d JOIN cases c ON c.id = d.case_id
		WHERE d.id = ?`, decisionID).Scan(&src, &maker); err != nil {
		return fmt.Errorf("store: dashboard return: %w", err)
	}
	if err := bumpDaily(ctx, tx, metricQueue, src, dayOf(at), "", 1); err != nil {
		return err
	}
	return bumpDaily(ctx, tx, metricReturned, src, dayOf(at), strconv.FormatInt(maker, 10), 1)
}

// dashAfterReopen counts a reopened case back in the queue.
func dashAfterReopen(ctx context.Context, tx *sql.Tx, caseID int64, at string) error {
	var src Source
	if err := tx.QueryRowContext(ctx, `SELECT source FROM cases WHERE id = ?`, caseID).Scan(&src); err != nil {
		return fmt.Errorf("store: dashboard reopen: %w", err)
	}
	return bumpDaily(ctx, tx, metricQueue, src, dayOf(at), "", 1)
}

// dashFinal records a decision that became final at finalAt: its outcome, reason, maker, whether
// the SLA was breached, its turnaround and handling time, and, when the vendor said SUSPECTED (or
// for any video-KYC session), each fraud tag, mismatch tag and agent remark the case carried.
func (db *DB) dashFinal(ctx context.Context, tx *sql.Tx, decisionID int64, finalAt string) error {
	return db.dashFinalClaimed(ctx, tx, decisionID, finalAt, nil)
}

// bulkDecision records BulkLoad's final decision of a case and counts it.
func (db *DB) bulkDecision(ctx context.Context, tx *sql.Tx, caseID, deliveryID int64, d *BulkDecision) error {
	if d == nil {
		return nil
	}
	at := FormatTime(d.DecidedAt)
	if d.Pending {
		_, err := tx.ExecContext(ctx, `INSERT INTO decisions (case_id, outcome, reason_code, note, decided_by, decided_at,
			needs_approval, delivery_id) VALUES (?, ?, ?, ?, ?, ?, 1, ?)`, caseID, d.Outcome, d.ReasonCode, d.Note, d.DecidedBy, at, deliveryID)
		if err != nil {
			return fmt.Errorf("store: bulk load decision: %w", err)
		}
		return nil
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO decisions (case_id, outcome, reason_code, note, decided_by, decided_at,
		needs_approval, delivery_id) VALUES (?, ?, ?, ?, ?, ?, 0, ?)`, caseID, d.Outcome, d.ReasonCode, d.Note, d.DecidedBy, at, deliveryID)
	if err != nil {
		return fmt.Errorf("store: bulk load decision: %w", err)
	}
	id, _ := r.LastInsertId()
	// The case waited in the queue from its callback to this decision.
	var src Source
	var received string
	if err := tx.QueryRowContext(ctx, `SELECT source, first_received_at FROM cases WHERE id = ?`, caseID).Scan(&src, &received); err != nil {
		return fmt.Errorf("store: bulk load decision: %w", err)
	}
	if err := bumpDaily(ctx, tx, metricQueue, src, dayOf(received), "", 1); err != nil {
		return err
	}
	if err := bumpDaily(ctx, tx, metricQueue, src, dayOf(at), "", -1); err != nil {
		return err
	}
	claimed := FormatTime(d.ClaimedAt)
	return db.dashFinalClaimed(ctx, tx, id, at, &claimed)
}

// dashFinalClaimed is dashFinal with the claim time given (nil: looked up in the audit log).
func (db *DB) dashFinalClaimed(ctx context.Context, tx *sql.Tx, decisionID int64, finalAt string, claimed *string) error {
	var (
		caseID, maker                                    int64
		src                                              Source
		outcome, reason, decidedAt, first, waiting, over string
		fraud, mismatch, remark                          string
		claimedAt                                        sql.NullString
	)
	err := tx.QueryRowContext(ctx, `SELECT d.case_id, d.decided_by, c.source, d.outcome, d.reason_code, d.decided_at,
		c.first_received_at, c.waiting_since, c.overall, c.fraud_tags, c.mismatch_tags,
		COALESCE(CAST(json_extract(c.snapshot, '$.fieldValues.Remark') AS TEXT), ''),
		CASE WHEN ? THEN NULL ELSE (SELECT al.at FROM audit_log al WHERE al.case_id = d.case_id
			AND al.action IN ('case.claim', 'case.reassign') AND al.at <= d.decided_at ORDER BY al.id DESC LIMIT 1) END
		FROM decisions d JOIN cases c ON c.id = d.case_id WHERE d.id = ?`, claimed != nil, decisionID).Scan(
		&caseID, &maker, &src, &outcome, &reason, &decidedAt, &first, &waiting, &over, &fraud, &mismatch, &remark, &claimedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: dashboard final: decision %d: %w", decisionID, errNoSuchThing)
	}
	if err != nil {
		return fmt.Errorf("store: dashboard final: %w", err)
	}
	if claimed != nil {
		claimedAt = sql.NullString{String: *claimed, Valid: true}
	}
	final := ParseTime(finalAt)
	turnaround := max(final.Sub(ParseTime(first)), 0)
	var handling any
	if claimedAt.Valid {
		handling = max(ParseTime(decidedAt).Sub(ParseTime(claimedAt.String)), 0).Milliseconds()
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO dash_final (decision_id, case_id, source, day, reviewer_id, turnaround_ms, handling_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, decisionID, caseID, src, dayOf(finalAt), maker, turnaround.Milliseconds(), handling); err != nil {
		return fmt.Errorf("store: dashboard final: %w", err)
	}
	day := dayOf(finalAt)
	bumps := []struct{ metric, key string }{
		{metricFinal, outcome}, {metricReason, reason}, {metricReviewer, strconv.FormatInt(maker, 10)},
	}
	if final.Sub(ParseTime(waiting)) > db.Rules().SLA {
		bumps = append(bumps, struct{ metric, key string }{metricSLABreach, ""})
	}
	// A video-KYC session has no vendor verdict: every one is held for a person, like a SUSPECTED
	// identity check, and its agent's remark is the signal.
	if strings.EqualFold(over, StatusSuspected) || src == SourceVCIP {
		for _, sig := range caseSignals(fraud, mismatch, remark) {
			bumps = append(bumps, struct{ metric, key string }{metricSigSuspected, sig})
			if outcome == OutcomeAllow {
				bumps = append(bumps, struct{ metric, key string }{metricSigAllowed, sig})
			}
		}
	}
	for _, b := range bumps {
		if err := bumpDaily(ctx, tx, b.metric, src, day, b.key, 1); err != nil {
			return err
		}
	}
	return nil
}

// caseSignals are the signal keys of a case: "fraud:TAG", "mismatch:TAG" and "remark:TEXT", each once.
func caseSignals(fraudJSON, mismatchJSON, remark string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(kind, v string) {
		v = strings.TrimSpace(v)
		if v == "" {
			return
		}
		k := kind + ":" + v
		if len(k) > maxSignalKey {
			k = strings.ToValidUTF8(k[:maxSignalKey], "")
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for kind, js := range map[string]string{"fraud": fraudJSON, "mismatch": mismatchJSON} {
		var tags []string
		_ = json.Unmarshal([]byte(js), &tags)
		for _, t := range tags {
			add(kind, t)
		}
	}
	add("remark", remark)
	return out
}

// dashTally adds up BulkLoad's cases per day, so a batch of 10,000 costs a few upserts.
type dashTally map[[3]string]int

func (t dashTally) caseLoaded(src Source, receivedAt time.Time, state string) {
	day := FormatTime(receivedAt)[:10]
	t[[3]string{metricReceived, string(src), day}]++
	if state == ReviewNeedsDecision {
		t[[3]string{metricQueue, string(src), day}]++
	}
}

func (t dashTally) flush(ctx context.Context, tx *sql.Tx) error {
	for k, n := range t {
		if err := bumpDaily(ctx, tx, k[0], Source(k[1]), k[2], "", n); err != nil {
			return err
		}
	}
	clear(t)
	return nil
}
