package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"
)

// ReviewerDecisions counts one reviewer's decisions in a report period.
type ReviewerDecisions struct {
	UserID   int64
	Username string
	Name     string
	Allowed  int
	Declined int
	// ForApproval counts the decisions that waited for a second person's approval.
	ForApproval int
}

// Total is every decision the reviewer made in the period.
func (r ReviewerDecisions) Total() int { return r.Allowed + r.Declined }

// OutcomeCount is how many decisions had one outcome.
type OutcomeCount struct {
	Outcome string
	Count   int
}

// DecisionTimes summarises how long cases waited from their first callback to a decision.
type DecisionTimes struct {
	Count  int
	Median time.Duration
	P90    time.Duration
}

// Override is an allow of a case the vendor marked SUSPECTED: the decisions an auditor reads first.
type Override struct {
	DecisionID int64
	CaseID     int64
	Source     Source
	Ref        string
	Reviewer   string
	DecidedAt  time.Time
	ReasonCode string
	Note       string
}

// SecondApproval is a supervisor's verdict on another person's decision.
type SecondApproval struct {
	ApprovalID int64
	DecisionID int64
	CaseID     int64
	Outcome    string // of the decision approved or returned
	DecidedBy  string
	ApprovedBy string
	Verdict    string
	Reason     string
	At         time.Time
}

// Report is what the printable decision report shows for a period. Every section is read in one
// read transaction, so the numbers agree with each other and with ChainHead.
type Report struct {
	From time.Time // inclusive
	To   time.Time // exclusive
	// Decisions counts the final outcomes reached in the period: decisions that needed no second
	// approval, and approved ones (counted when approved), unless the case was reopened since.
	Decisions int
	// Pending, Returned and Reopened are the rest of the period's work, counted apart: decisions
	// still waiting for a second approval, decisions sent back, and decided cases reopened.
	Pending, Returned, Reopened int
	ByReviewer                  []ReviewerDecisions // most decisions first
	ByOutcome                   []OutcomeCount      // allow, then decline
	Times                       DecisionTimes
	Overrides                   []Override       // oldest first
	Approvals                   []SecondApproval // oldest first
	// SameAdmin are the approvals whose maker and checker accounts one admin set up, oldest first.
	SameAdmin []SameAdminPair
	// ChainHeadID and ChainHead are the newest audit entry when the report was read ("" when the log is empty).
	ChainHeadID int64
	ChainHead   string
}

// Empty reports whether nothing happened in the period.
func (r Report) Empty() bool {
	return r.Decisions == 0 && len(r.Approvals) == 0 && r.Pending == 0 && r.Reopened == 0
}

// Report reads the decision report for decisions and approvals made in [from, to).
func (db *DB) Report(ctx context.Context, from, to time.Time) (Report, error) {
	r := Report{From: from.UTC(), To: to.UTC()}
	if !to.After(from) {
		return r, Errorf(KindInvalid, "the report period must end after it starts")
	}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return r, fmt.Errorf("store: report: %w", err)
	}
	defer tx.Rollback()
	lo, hi := FormatTime(from), FormatTime(to)
	steps := []struct {
		name string
		fn   func(context.Context, *sql.Tx, string, string, *Report) error
	}{
		{"decisions by reviewer", reportByReviewer},
		{"time to decision", reportTimes},
		{"overrides", reportOverrides},
		{"second approvals", reportApprovals},
		{"maker and checker set up by one admin", reportSameAdmin},
		{"work not final", reportNotFinal},
		{"audit chain head", reportChainHead},
	}
	for _, s := range steps {
		if err := s.fn(ctx, tx, lo, hi, &r); err != nil {
			return Report{}, fmt.Errorf("store: report: %s: %w", s.name, err)
		}
	}
	return r, nil
}

// reportByReviewer counts decisions per reviewer and outcome in one grouped pass over decisions_at.
func reportByReviewer(ctx context.Context, tx *sql.Tx, lo, hi string, r *Report) error {
	rows, err := tx.QueryContext(ctx, `SELECT d.decided_by, COALESCE(u.username, ''), COALESCE(u.display_name, ''),
		d.outcome, COUNT(*), SUM(d.needs_approval)
		FROM (`+finalDecisions+`) d LEFT JOIN users u ON u.id = d.decided_by
		GROUP BY d.decided_by, d.outcome`, lo, hi, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	byUser := map[int64]int{}
	outcomes := map[string]int{}
	for rows.Next() {
		var id int64
		var username, name, outcome string
		var n, approval int
		if err := rows.Scan(&id, &username, &name, &outcome, &n, &approval); err != nil {
			return err
		}
		i, ok := byUser[id]
		if !ok {
			if username == "" {
				username = "user " + strconv.FormatInt(id, 10)
			}
			r.ByReviewer = append(r.ByReviewer, ReviewerDecisions{UserID: id, Username: username, Name: name})
			i = len(r.ByReviewer) - 1
			byUser[id] = i
		}
		switch outcome {
		case OutcomeAllow:
			r.ByReviewer[i].Allowed += n
		case OutcomeDecline:
			r.ByReviewer[i].Declined += n
		}
		r.ByReviewer[i].ForApproval += approval
		outcomes[outcome] += n
		r.Decisions += n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	slices.SortFunc(r.ByReviewer, func(a, b ReviewerDecisions) int {
		if a.Total() != b.Total() {
			return b.Total() - a.Total()
		}
		if a.Username < b.Username {
			return -1
		}
		if a.Username > b.Username {
			return 1
		}
		return 0
	})
	for _, o := range []string{OutcomeAllow, OutcomeDecline} {
		if r.Decisions > 0 {
			r.ByOutcome = append(r.ByOutcome, OutcomeCount{Outcome: o, Count: outcomes[o]})
		}
	}
	return nil
}

// finalDecisions selects the decisions that became final in [?, ?) (the period, given twice):
// those that needed no second approval, when made, and approved ones, when approved; a decision
// whose case was reopened after it (before any later decision) is not final. final_at is when
// the outcome became final. Both halves read an index on their time.
const finalDecisions = `SELECT * FROM (
		SELECT d.id, d.case_id, d.decided_by, d.outcome, d.needs_approval, d.decided_at, d.decided_at AS final_at,
			d.reason_code, d.note, d.delivery_id
		FROM decisions d INDEXED BY decisions_at WHERE d.decided_at >= ? AND d.decided_at < ? AND d.needs_approval = 0
		UNION ALL
		SELECT d.id, d.case_id, d.decided_by, d.outcome, d.needs_approval, d.decided_at, a.at AS final_at,
			d.reason_code, d.note, d.delivery_id
		FROM approvals a JOIN decisions d ON d.id = a.decision_id
		WHERE a.at >= ? AND a.at < ? AND a.verdict = 'approved'
	) f WHERE NOT EXISTS (SELECT 1 FROM reopens r WHERE r.case_id = f.case_id AND r.at >= f.final_at
		AND NOT EXISTS (SELECT 1 FROM decisions d2 WHERE d2.case_id = f.case_id AND d2.id > f.id AND d2.decided_at <= r.at))`

// reportTimes streams one duration per final outcome, from the case's first callback to the moment
// the outcome became final, and takes the median and 90th percentile in Go (SQLite has no
// percentile function).
func reportTimes(ctx context.Context, tx *sql.Tx, lo, hi string, r *Report) error {
	rows, err := tx.QueryContext(ctx, `SELECT c.first_received_at, d.final_at
		FROM (`+finalDecisions+`) d JOIN cases c ON c.id = d.case_id`, lo, hi, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	var waits []time.Duration
	for rows.Next() {
		var first, decided string
		if err := rows.Scan(&first, &decided); err != nil {
			return err
		}
		w := ParseTime(decided).Sub(ParseTime(first))
		if w < 0 {
			w = 0 // a replayed delivery can predate nothing it decided; never report negative waits
		}
		waits = append(waits, w)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	slices.Sort(waits)
	r.Times = DecisionTimes{Count: len(waits), Median: Percentile(waits, 50), P90: Percentile(waits, 90)}
	return nil
}

// Percentile returns the p-th percentile (0-100) of sorted durations, interpolating linearly between
// the two nearest values (the spreadsheet PERCENTILE.INC method); 0 for no values.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	switch len(sorted) {
	case 0:
		return 0
	case 1:
		return sorted[0]
	}
	pos := p / 100 * float64(len(sorted)-1)
	i := int(math.Floor(pos))
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	frac := pos - float64(i)
	return sorted[i] + time.Duration(math.Round(frac*float64(sorted[i+1]-sorted[i])))
}

// reportOverrides lists allows of SUSPECTED cases. The status that counts is the one the reviewer
// had on screen (the decision's delivery); the case's current status stands in when that is unknown.
func reportOverrides(ctx context.Context, tx *sql.Tx, lo, hi string, r *Report) error {
	rows, err := tx.QueryContext(ctx, `SELECT d.id, d.case_id, c.source, c.ref,
		COALESCE(NULLIF(u.display_name, ''), u.username, 'user ' || d.decided_by), d.decided_at, d.reason_code, d.note
		FROM (`+finalDecisions+`) d JOIN cases c ON c.id = d.case_id
		LEFT JOIN deliveries dl ON dl.id = d.delivery_id
		LEFT JOIN users u ON u.id = d.decided_by
		WHERE d.outcome = 'allow' AND COALESCE(NULLIF(dl.overall, ''), c.overall) = 'SUSPECTED'
		ORDER BY d.decided_at, d.id`, lo, hi, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var o Override
		var at string
		if err := rows.Scan(&o.DecisionID, &o.CaseID, &o.Source, &o.Ref, &o.Reviewer, &at, &o.ReasonCode, &o.Note); err != nil {
			return err
		}
		o.DecidedAt = ParseTime(at)
		r.Overrides = append(r.Overrides, o)
	}
	return rows.Err()
}

// reportApprovals lists second-approval verdicts given in the period: who judged whose decision.
func reportApprovals(ctx context.Context, tx *sql.Tx, lo, hi string, r *Report) error {
	rows, err := tx.QueryContext(ctx, `SELECT a.id, a.decision_id, d.case_id, d.outcome,
		COALESCE(NULLIF(m.display_name, ''), m.username, 'user ' || d.decided_by),
		COALESCE(NULLIF(s.display_name, ''), s.username, 'user ' || a.by_user),
		a.verdict, a.reason, a.at
		FROM approvals a JOIN decisions d ON d.id = a.decision_id
		LEFT JOIN users m ON m.id = d.decided_by
		LEFT JOIN users s ON s.id = a.by_user
		WHERE a.at >= ? AND a.at < ?
		ORDER BY a.at, a.id`, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a SecondApproval
		var at string
		if err := rows.Scan(&a.ApprovalID, &a.DecisionID, &a.CaseID, &a.Outcome, &a.DecidedBy, &a.ApprovedBy,
			&a.Verdict, &a.Reason, &at); err != nil {
			return err
		}
		a.At = ParseTime(at)
		r.Approvals = append(r.Approvals, a)
	}
	return rows.Err()
}

// reportNotFinal counts the period's work that reached no final outcome: decisions made in the
// period still waiting for a second approval, decisions sent back, and decided cases reopened.
func reportNotFinal(ctx context.Context, tx *sql.Tx, lo, hi string, r *Report) error {
	return tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM decisions d WHERE d.decided_at >= ?1 AND d.decided_at < ?2 AND d.needs_approval = 1
			AND NOT EXISTS (SELECT 1 FROM approvals a WHERE a.decision_id = d.id)),
		(SELECT COUNT(*) FROM approvals a WHERE a.at >= ?1 AND a.at < ?2 AND a.verdict = 'returned'),
		(SELECT COUNT(*) FROM reopens r WHERE r.at >= ?1 AND r.at < ?2)`, lo, hi).Scan(&r.Pending, &r.Returned, &r.Reopened)
}

func reportChainHead(ctx context.Context, tx *sql.Tx, _, _ string, r *Report) error {
	err := tx.QueryRowContext(ctx, `SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&r.ChainHeadID, &r.ChainHead)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}

// AuditHead returns the newest audit entry's ID and hash: the value that pins the whole chain.
// Both are zero when the log is empty.
func (db *DB) AuditHead(ctx context.Context) (int64, string, error) {
	var id int64
	var hash string
	err := db.read.QueryRowContext(ctx, `SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("store: audit head: %w", err)
	}
	return id, hash, nil
}

// The canonical form of a report's data: one JSON object per line, keys in a fixed order, times in
// RFC 3339 UTC, durations in whole seconds. The manifest's SHA-256 is taken over exactly these bytes,
// so anyone holding the downloaded file can check it with sha256sum.
type (
	jsonlPeriod struct {
		Section string `json:"section"`
		From    string `json:"from"`
		To      string `json:"to"`
	}
	jsonlReviewer struct {
		Section     string `json:"section"`
		UserID      int64  `json:"user_id"`
		Username    string `json:"username"`
		Allowed     int    `json:"allowed"`
		Declined    int    `json:"declined"`
		ForApproval int    `json:"for_approval"`
	}
	jsonlOutcome struct {
		Section string `json:"section"`
		Outcome string `json:"outcome"`
		Count   int    `json:"count"`
	}
	jsonlNotFinal struct {
		Section  string `json:"section"`
		Pending  int    `json:"pending_approval"`
		Returned int    `json:"returned"`
		Reopened int    `json:"reopened"`
	}
	jsonlTimes struct {
		Section       string `json:"section"`
		Decisions     int    `json:"decisions"`
		MedianSeconds int64  `json:"median_seconds"`
		P90Seconds    int64  `json:"p90_seconds"`
	}
	jsonlOverride struct {
		Section    string `json:"section"`
		DecisionID int64  `json:"decision_id"`
		CaseID     int64  `json:"case_id"`
		Source     string `json:"source"`
		Ref        string `json:"ref"`
		Reviewer   string `json:"reviewer"`
		DecidedAt  string `json:"decided_at"`
		ReasonCode string `json:"reason_code"`
		Note       string `json:"note"`
	}
	jsonlSameAdmin struct {
		Section        string `json:"section"`
		ApprovalID     int64  `json:"approval_id"`
		CaseID         int64  `json:"case_id"`
		Source         string `json:"source"`
		Ref            string `json:"ref"`
		Maker          string `json:"maker"`
		Checker        string `json:"checker"`
		Admin          string `json:"admin"`
		GrantsApproved bool   `json:"grants_approved"`
		At             string `json:"at"`
	}
	jsonlApproval struct {
		Section    string `json:"section"`
		ApprovalID int64  `json:"approval_id"`
		DecisionID int64  `json:"decision_id"`
		CaseID     int64  `json:"case_id"`
		Outcome    string `json:"outcome"`
		DecidedBy  string `json:"decided_by"`
		ApprovedBy string `json:"approved_by"`
		Verdict    string `json:"verdict"`
		Reason     string `json:"reason"`
		At         string `json:"at"`
	}
)

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// WriteJSONL writes the report's data in its canonical form and returns the number of lines.
// The chain head is not part of the data: it describes when the data was read, not what it says.
func (r Report) WriteJSONL(w io.Writer) (int, error) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	n := 0
	put := func(v any) error {
		n++
		return enc.Encode(v)
	}
	if err := put(jsonlPeriod{"period", rfc3339(r.From), rfc3339(r.To)}); err != nil {
		return n, err
	}
	for _, v := range r.ByReviewer {
		if err := put(jsonlReviewer{"reviewer", v.UserID, v.Username, v.Allowed, v.Declined, v.ForApproval}); err != nil {
			return n, err
		}
	}
	for _, v := range r.ByOutcome {
		if err := put(jsonlOutcome{"outcome", v.Outcome, v.Count}); err != nil {
			return n, err
		}
	}
	if err := put(jsonlNotFinal{"not_final", r.Pending, r.Returned, r.Reopened}); err != nil {
		return n, err
	}
	if err := put(jsonlTimes{"time_to_decision", r.Times.Count, int64(r.Times.Median / time.Second),
		int64(r.Times.P90 / time.Second)}); err != nil {
		return n, err
	}
	for _, v := range r.Overrides {
		if err := put(jsonlOverride{"override", v.DecisionID, v.CaseID, string(v.Source), v.Ref, v.Reviewer,
			rfc3339(v.DecidedAt), v.ReasonCode, v.Note}); err != nil {
			return n, err
		}
	}
	for _, v := range r.Approvals {
		if err := put(jsonlApproval{"approval", v.ApprovalID, v.DecisionID, v.CaseID, v.Outcome, v.DecidedBy,
			v.ApprovedBy, v.Verdict, v.Reason, rfc3339(v.At)}); err != nil {
			return n, err
		}
	}
	for _, v := range r.SameAdmin {
		if err := put(jsonlSameAdmin{"same_admin", v.ApprovalID, v.CaseID, string(v.Source), v.Ref, v.Maker, v.Checker,
			v.Admin, v.GrantsApproved, rfc3339(v.At)}); err != nil {
			return n, err
		}
	}
	return n, nil
}

// Digest is the hex SHA-256 of the report's canonical JSONL and its number of lines.
func (r Report) Digest() (string, int) {
	h := sha256.New()
	n, _ := r.WriteJSONL(h) // a hash never fails to write
	return hex.EncodeToString(h.Sum(nil)), n
}
