package views

import (
	"strconv"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// ReportPage is the printable decision report for a period, with the manifest that pins it.
type ReportPage struct {
	// From and To are the period as typed (YYYY-MM-DD, inclusive, UTC).
	From, To string
	// TZ is the zone the days are read in (the browser's), "" for UTC.
	TZ     string
	Errors map[string]string
	// Ready is false when the period could not be read; only the period form is shown then.
	Ready  bool
	Report store.Report
	// Digest is the SHA-256 of the report's canonical JSONL (DataURL downloads exactly those bytes).
	Digest      string
	Lines       int
	DataURL     string
	GeneratedAt time.Time
	GeneratedBy string
}

func (r ReportPage) err(field string) string { return r.Errors[field] }

// repDuration is a wait as a reviewer reads it: "2h 30m", or a dash when there is no data.
func repDuration(d time.Duration, n int) string {
	if n == 0 {
		return "—"
	}
	return FormatWaited(d)
}

// repDay is a period bound as a date: the exclusive end shown as the last included day.
func repDay(t time.Time) string { return t.UTC().Format("2 Jan 2006") }

func repLastDay(to time.Time) string { return repDay(to.Add(-time.Nanosecond)) }

func repPeriod(r store.Report) string { return repDay(r.From) + " – " + repLastDay(r.To) + " (UTC)" }

func repOutcomeLabel(o string) string {
	switch o {
	case store.OutcomeAllow:
		return "Allowed"
	case store.OutcomeDecline:
		return "Declined"
	}
	return o
}

// repShare is a count as a percentage of the whole, e.g. "75%".
func repShare(n, of int) string {
	if of == 0 {
		return ""
	}
	return strconv.Itoa((n*100+of/2)/of) + "%"
}

func repApprovals(r store.Report, verdict string) int {
	n := 0
	for _, a := range r.Approvals {
		if a.Verdict == verdict {
			n++
		}
	}
	return n
}

func repUTC(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") + " UTC" }

func repCaseLabel(source store.Source, ref string) string {
	if ref == "" {
		return source.Label()
	}
	return source.Label() + " · " + ref
}
