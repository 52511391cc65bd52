package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DashboardFilter is the period (whole UTC days, both inclusive) and, optionally, one source.
type DashboardFilter struct {
	From, To time.Time
	Source   Source // "" for every source
}

// MaxDashboardDays bounds a dashboard period.
const MaxDashboardDays = 366

// Series is one line or stack of a chart: a value per day of the period.
type Series struct {
	Key    string // e.g. "markid", "allow"
	Values []int
}

// Total is the sum of the series.
func (s Series) Total() int {
	n := 0
	for _, v := range s.Values {
		n += v
	}
	return n
}

// DayTurnaround is the time from first callback to final decision for the decisions of one day.
type DayTurnaround struct {
	Count       int
	Median, P90 time.Duration
}

// AgeBucket counts the cases in the queue that have waited at least From and less than To (0: no end).
type AgeBucket struct {
	Label    string
	From, To time.Duration
	N        int
}

// ReviewerFigures are one reviewer's figures in the period.
type ReviewerFigures struct {
	UserID         int64
	Username, Name string
	Decisions      int // final decisions they made
	Returned       int // their decisions sent back by a second approver
	Handled        int // final decisions with a claim on record (the median's sample)
	MedianHandling time.Duration
}

// KeyCount is a count under a key, such as a reason code.
type KeyCount struct {
	Key string
	N   int
}

// SignalRate is how often a SUSPECTED case carrying a signal was finally allowed: the signal's
// false-positive rate.
type SignalRate struct {
	Kind      string // "fraud", "mismatch" or "remark"
	Value     string
	Suspected int // final decisions on SUSPECTED cases carrying it
	Allowed   int // of which allowed
}

// Rate is Allowed / Suspected, 0 when there were none.
func (s SignalRate) Rate() float64 {
	if s.Suspected == 0 {
		return 0
	}
	return float64(s.Allowed) / float64(s.Suspected)
}

// Dashboard is every figure of the team dashboard for a period, read in one read transaction from
// the summaries and a few index ranges.
type Dashboard struct {
	Filter DashboardFilter
	Now    time.Time
	SLA    time.Duration
	Days   []string // YYYY-MM-DD, oldest first

	Received   []Series // by source
	Final      []Series // by outcome: allow, decline
	QueueSize  []int    // cases needing a decision at the end of each day (now, for today)
	SLABreach  []int
	Turnaround []DayTurnaround

	QueueNow   int
	OverdueNow int
	QueueAges  []AgeBucket

	Reviewers []ReviewerFigures // most decisions first
	Reasons   []KeyCount        // most used first
	Signals   []SignalRate      // highest false-positive rate first, then most seen
}

// ReceivedTotal is every case received in the period.
func (d Dashboard) ReceivedTotal() int { return seriesTotal(d.Received) }

// FinalTotal is every final decision in the period.
func (d Dashboard) FinalTotal() int { return seriesTotal(d.Final) }

func seriesTotal(ss []Series) int {
	n := 0
	for _, s := range ss {
		n += s.Total()
	}
	return n
}

// queueAgeBounds are the age histogram's bucket edges.
var queueAgeBounds = []struct {
	label    string
	from, to time.Duration
}{
	{"under 1 h", 0, time.Hour},
	{"1–4 h", time.Hour, 4 * time.Hour},
	{"4–24 h", 4 * time.Hour, 24 * time.Hour},
	{"1–3 days", 24 * time.Hour, 72 * time.Hour},
	{"3–7 days", 72 * time.Hour, 7 * 24 * time.Hour},
	{"over 7 days", 7 * 24 * time.Hour, 0},
}

// Dashboard reads the dashboard for f.
func (db *DB) Dashboard(ctx context.Context, f DashboardFilter) (Dashboard, error) {
	from := f.From.UTC().Truncate(24 * time.Hour)
	to := f.To.UTC().Truncate(24 * time.Hour)
	if to.Before(from) {
		return Dashboard{}, Errorf(KindInvalid, "The period ends before it starts.")
	}
	if to.Sub(from) >= MaxDashboardDays*24*time.Hour {
		return Dashboard{}, Errorf(KindInvalid, "Choose a period of at most %d days.", MaxDashboardDays)
	}
	d := Dashboard{Filter: DashboardFilter{From: from, To: to, Source: f.Source}, Now: db.Now().UTC(), SLA: db.Rules().SLA}
	for t := from; !t.After(to); t = t.AddDate(0, 0, 1) {
		d.Days = append(d.Days, t.Format(time.DateOnly))
	}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return d, fmt.Errorf("store: dashboard: %w", err)
	}
	defer tx.Rollback()
	steps := []struct {
		name string
		fn   func(context.Context, *sql.Tx, *Dashboard) error
	}{
		{"daily series", dashSeries},
		{"queue", dashQueue},
		{"turnaround", dashTurnaround},
		{"reviewers", dashReviewers},
		{"reasons and signals", dashKeyed},
	}
	for _, s := range steps {
		if err := s.fn(ctx, tx, &d); err != nil {
			return Dashboard{}, fmt.Errorf("store: dashboard: %s: %w", s.name, err)
		}
	}
	return d, nil
}

// sourceCond narrows a dash_* query to the filter's source.
func (d *Dashboard) sourceCond(col string) (string, []any) {
	if d.Filter.Source == "" {
		return "", nil
	}
	return " AND " + col + " = ?", []any{d.Filter.Source}
}

func (d *Dashboard) first() string { return d.Days[0] }
func (d *Dashboard) last() string  { return d.Days[len(d.Days)-1] }

// dayIndex maps a day to its place in d.Days.
func (d *Dashboard) dayIndex() map[string]int {
	m := make(map[string]int, len(d.Days))
	for i, day := range d.Days {
		m[day] = i
	}
	return m
}

// dashSeries reads the per-day counters: received by source, final by outcome, SLA breaches.
func dashSeries(ctx context.Context, tx *sql.Tx, d *Dashboard) error {
	cond, args := d.sourceCond("source")
	rows, err := tx.QueryContext(ctx, `SELECT metric, source, day, key, n FROM dash_daily
		WHERE metric IN ('received', 'final', 'sla_breach') AND day >= ? AND day <= ?`+cond,
		append([]any{d.first(), d.last()}, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	idx := d.dayIndex()
	sources := []Source{SourceMarkID, SourceVCIP}
	if d.Filter.Source != "" {
		sources = []Source{d.Filter.Source}
	}
	for _, s := range sources {
		d.Received = append(d.Received, Series{Key: string(s), Values: make([]int, len(d.Days))})
	}
	d.Final = []Series{{Key: OutcomeAllow, Values: make([]int, len(d.Days))}, {Key: OutcomeDecline, Values: make([]int, len(d.Days))}}
	d.SLABreach = make([]int, len(d.Days))
	find := func(ss []Series, key string) []int {
		for _, s := range ss {
			if s.Key == key {
				return s.Values
			}
		}
		return nil
	}
	for rows.Next() {
		var metric, src, day, key string
		var n int
		if err := rows.Scan(&metric, &src, &day, &key, &n); err != nil {
			return err
		}
		i, ok := idx[day]
		if !ok {
			continue
		}
		var vals []int
		switch metric {
		case metricReceived:
			vals = find(d.Received, src)
		case metricFinal:
			vals = find(d.Final, key)
		case metricSLABreach:
			vals = d.SLABreach
		}
		if vals != nil {
			vals[i] += n
		}
	}
	return rows.Err()
}

// dashQueue works out the queue size at the end of each day from its daily changes, and counts
// the current queue by age from index ranges.
func dashQueue(ctx context.Context, tx *sql.Tx, d *Dashboard) error {
	cond, args := d.sourceCond("source")
	var base int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(n), 0) FROM dash_daily WHERE metric = 'queue' AND day < ?`+cond,
		append([]any{d.first()}, args...)...).Scan(&base); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT day, SUM(n) FROM dash_daily WHERE metric = 'queue' AND day >= ? AND day <= ?`+cond+
		` GROUP BY day`, append([]any{d.first(), d.last()}, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	deltas := make([]int, len(d.Days))
	idx := d.dayIndex()
	for rows.Next() {
		var day string
		var n int
		if err := rows.Scan(&day, &n); err != nil {
			return err
		}
		deltas[idx[day]] += n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	d.QueueSize = make([]int, len(d.Days))
	for i, n := range deltas {
		base += n
		d.QueueSize[i] = base
	}
	// The histogram counts ranges of the (source,) review_state, waiting_since index: no case rows.
	qcond, qargs := "", []any{}
	if d.Filter.Source != "" {
		qcond, qargs = "source = ? AND ", []any{d.Filter.Source}
	}
	count := func(lo, hi time.Time) (int, error) {
		q := `SELECT COUNT(*) FROM cases WHERE ` + qcond + `review_state = 'needs_decision'`
		a := slices.Clone(qargs)
		if !lo.IsZero() {
			q += ` AND waiting_since >= ?`
			a = append(a, FormatTime(lo))
		}
		if !hi.IsZero() {
			q += ` AND waiting_since < ?`
			a = append(a, FormatTime(hi))
		}
		var n int
		err := tx.QueryRowContext(ctx, q, a...).Scan(&n)
		return n, err
	}
	for _, b := range queueAgeBounds {
		// Waited at least from and less than to: started waiting after now-to and at or before now-from.
		var lo, hi time.Time
		if b.to != 0 {
			lo = d.Now.Add(-b.to).Add(time.Nanosecond)
		}
		if b.from != 0 {
			hi = d.Now.Add(-b.from).Add(time.Nanosecond)
		}
		n, err := count(lo, hi)
		if err != nil {
			return err
		}
		d.QueueAges = append(d.QueueAges, AgeBucket{Label: b.label, From: b.from, To: b.to, N: n})
		d.QueueNow += n
	}
	if d.OverdueNow, err = count(time.Time{}, d.Now.Add(-d.SLA)); err != nil {
		return err
	}
	// A hold pauses the SLA clock: the few held cases are judged by the time they waited unheld.
	held, err := tx.QueryContext(ctx, `SELECT waiting_since, held_at, held_until FROM cases INDEXED BY cases_held
		WHERE `+qcond+`held_at IS NOT NULL AND review_state = 'needs_decision'`, qargs...)
	if err != nil {
		return err
	}
	defer held.Close()
	for held.Next() {
		var waiting, heldAt, until string
		if err := held.Scan(&waiting, &heldAt, &until); err != nil {
			return err
		}
		w := ParseTime(waiting)
		raw := d.Now.Sub(w) > d.SLA
		unheld := d.Now.Sub(w)-pausedFor(w, ParseTime(heldAt), ParseTime(until), d.Now) > d.SLA
		if raw && !unheld {
			d.OverdueNow--
		}
	}
	return held.Err()
}

// offsetPercentile is the p-th percentile (as Percentile computes it) of the n values query
// yields in order; query ends in "LIMIT 2 OFFSET ?" and reads two values from the index.
func offsetPercentile(ctx context.Context, tx *sql.Tx, query string, args []any, n int, p float64) (time.Duration, error) {
	if n == 0 {
		return 0, nil
	}
	pos := p / 100 * float64(n-1)
	i := int(math.Floor(pos))
	rows, err := tx.QueryContext(ctx, query, append(slices.Clone(args), i)...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var vals []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return 0, err
		}
		vals = append(vals, v)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	ds := make([]time.Duration, len(vals))
	for k, v := range vals {
		ds[k] = time.Duration(v) * time.Millisecond
	}
	switch len(ds) {
	case 0:
		return 0, nil
	case 1:
		return ds[0], nil
	}
	return ds[0] + time.Duration(math.Round((pos-float64(i))*float64(ds[1]-ds[0]))), nil
}

// dashTurnaround takes each day's median and 90th percentile of first-callback-to-final-decision.
func dashTurnaround(ctx context.Context, tx *sql.Tx, d *Dashboard) error {
	d.Turnaround = make([]DayTurnaround, len(d.Days))
	where, args := `day = ?`, []any{}
	if d.Filter.Source != "" {
		where, args = `source = ? AND day = ?`, []any{d.Filter.Source}
	}
	q := `SELECT turnaround_ms FROM dash_final WHERE ` + where + ` ORDER BY turnaround_ms LIMIT 2 OFFSET ?`
	for i, day := range d.Days {
		n := 0
		for _, s := range d.Final {
			n += s.Values[i]
		}
		a := append(slices.Clone(args), day)
		med, err := offsetPercentile(ctx, tx, q, a, n, 50)
		if err != nil {
			return err
		}
		p90, err := offsetPercentile(ctx, tx, q, a, n, 90)
		if err != nil {
			return err
		}
		d.Turnaround[i] = DayTurnaround{Count: n, Median: med, P90: p90}
	}
	return nil
}

// dashReviewers sums each reviewer's final decisions and returns, and takes the median of their
// handling times.
func dashReviewers(ctx context.Context, tx *sql.Tx, d *Dashboard) error {
	cond, args := d.sourceCond("source")
	rows, err := tx.QueryContext(ctx, `SELECT metric, key, SUM(n) FROM dash_daily
		WHERE metric IN ('reviewer', 'returned') AND day >= ? AND day <= ?`+cond+` GROUP BY metric, key`,
		append([]any{d.first(), d.last()}, args...)...)
	if err != nil {
		return err
	}
	byID := map[int64]*ReviewerFigures{}
	var order []int64
	for rows.Next() {
		var metric, key string
		var n int
		if err := rows.Scan(&metric, &key, &n); err != nil {
			rows.Close()
			return err
		}
		id, _ := strconv.ParseInt(key, 10, 64)
		r := byID[id]
		if r == nil {
			r = &ReviewerFigures{UserID: id}
			byID[id] = r
			order = append(order, id)
		}
		if metric == metricReviewer {
			r.Decisions += n
		} else {
			r.Returned += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range order {
		r := byID[id]
		if err := tx.QueryRowContext(ctx, `SELECT username, display_name FROM users WHERE id = ?`, id).Scan(&r.Username, &r.Name); err != nil {
			r.Username = "user " + strconv.FormatInt(id, 10)
		}
		where := `reviewer_id = ? AND handling_ms IS NOT NULL AND day >= ? AND day <= ?` + cond
		a := append([]any{id, d.first(), d.last()}, args...)
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM dash_final WHERE `+where, a...).Scan(&r.Handled); err != nil {
			return err
		}
		r.MedianHandling, err = offsetPercentile(ctx, tx, `SELECT handling_ms FROM dash_final WHERE `+where+
			` ORDER BY handling_ms LIMIT 2 OFFSET ?`, a, r.Handled, 50)
		if err != nil {
			return err
		}
		d.Reviewers = append(d.Reviewers, *r)
	}
	slices.SortFunc(d.Reviewers, func(a, b ReviewerFigures) int {
		if a.Decisions != b.Decisions {
			return b.Decisions - a.Decisions
		}
		return strings.Compare(a.Username, b.Username)
	})
	return nil
}

// dashKeyed sums the reason codes and the signals over the period.
func dashKeyed(ctx context.Context, tx *sql.Tx, d *Dashboard) error {
	cond, args := d.sourceCond("source")
	rows, err := tx.QueryContext(ctx, `SELECT metric, key, SUM(n) FROM dash_daily
		WHERE metric IN ('reason', 'sig_suspected', 'sig_allowed') AND day >= ? AND day <= ?`+cond+` GROUP BY metric, key`,
		append([]any{d.first(), d.last()}, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	sig := map[string]*SignalRate{}
	for rows.Next() {
		var metric, key string
		var n int
		if err := rows.Scan(&metric, &key, &n); err != nil {
			return err
		}
		if metric == metricReason {
			d.Reasons = append(d.Reasons, KeyCount{Key: key, N: n})
			continue
		}
		s := sig[key]
		if s == nil {
			kind, value, _ := strings.Cut(key, ":")
			s = &SignalRate{Kind: kind, Value: value}
			sig[key] = s
		}
		if metric == metricSigSuspected {
			s.Suspected += n
		} else {
			s.Allowed += n
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	slices.SortFunc(d.Reasons, func(a, b KeyCount) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Key, b.Key)
	})
	for _, s := range sig {
		d.Signals = append(d.Signals, *s)
	}
	slices.SortFunc(d.Signals, func(a, b SignalRate) int {
		if ra, rb := a.Rate(), b.Rate(); ra != rb {
			if ra > rb {
				return -1
			}
			return 1
		}
		if a.Suspected != b.Suspected {
			return b.Suspected - a.Suspected
		}
		return strings.Compare(a.Kind+":"+a.Value, b.Kind+":"+b.Value)
	})
	return nil
}
