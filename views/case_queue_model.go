package views

import (
	"sort"
	"time"
)

// QueueView is the queue page: tabs, the filter row, one page of rows and the pager.
type QueueView struct {
	From      string // this view's tab and filters, encoded: where "claim next" and "decide and next" look
	Tabs      []QueueTabLink
	Tab       string
	Filter    QueueFilterValues
	Assignees []Option
	Sources   []Option
	Statuses  []Option
	Rows      []QueueRowView
	PrevURL   string
	NextURL   string
	Narrowed  bool   // a filter or search is active
	ClearURL  string // the current tab without filters
	Empty     EmptyText
	CanClaim  bool // show "Claim next"
	ShowState bool // the All tab lists review states side by side
	CSRF      string
	Range     string // "1–50", or "" when unknown
}

// QueueTabLink is one tab with its count.
type QueueTabLink struct {
	Key   string
	Label string
	Count int
	// AtLeast marks a count under a filter that stopped at its bound: "1,000+".
	AtLeast bool
	Href    string
	Active  bool
}

// CountText is the tab's count as shown: digits grouped by thousands, "+" after a bound.
func (t QueueTabLink) CountText() string {
	s := grouped(int64(t.Count))
	if t.AtLeast {
		s += "+"
	}
	return s
}

// QueueFilterValues are the filter form's current values, as typed.
type QueueFilterValues struct {
	Query    string
	Source   string
	Overall  string
	Fraud    string
	Mismatch string
	Country  string
	Remark   string // the video-KYC agent's remark
	From     string // YYYY-MM-DD
	To       string // YYYY-MM-DD, inclusive
	Assignee string // "", "me", "unassigned" or a user ID
	Errors   []string
}

// Option is one choice of a select.
type Option struct {
	Value string
	Label string
}

// EmptyText is what an empty list says and what to do about it.
type EmptyText struct {
	Title string
	Hint  string
}

// QueueRowView is one line of the queue.
type QueueRowView struct {
	DataProblem bool // a stored column could not be read
	ID          int64
	Href        string
	Overall     string
	Name        string
	Source      string
	Ref         string
	Fraud       []string // fraud tags
	Mismatch    []string // mismatch tags
	ReviewState string
	Waited      time.Duration
	Overdue     bool
	ShowWaited  bool
	Queued      time.Time // when the case started waiting for a decision: the queue's order
	// FirstReceived and LastReceived are the first and latest callbacks, shown on hover.
	FirstReceived, LastReceived time.Time
	Holder                      string
	HolderMine                  bool
	Changed                     bool
	Final                       bool
	// Decision is the newest decision's outcome and Decider who made it, for pending and decided rows.
	Decision, Decider string
	// PendingReason and PendingNote (its first line) are what the reviewer gave for a decision
	// waiting for a second approval.
	PendingReason, PendingNote string
	// HeldUntil is the date a case on hold comes back (zero: not on hold); Escalated says it
	// waits for a supervisor.
	HeldUntil time.Time
	Escalated bool
	// Remark is the video-KYC agent's remark, shown where Mark ID rows show the vendor's status.
	Remark string
}

// FraudTagValues lists the fraud tags of the vendor's vocabulary, sorted, for filter suggestions.
func FraudTagValues() []string { return sortedKeys(fraudTagText) }

// MismatchTagValues lists the mismatch tags of the vendor's vocabulary, sorted.
func MismatchTagValues() []string { return sortedKeys(mismatchTagText) }

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ReviewStateLabel is a review state in words.
func ReviewStateLabel(state string) string {
	switch state {
	case "needs_decision":
		return "Needs decision"
	case "pending_approval":
		return "Pending approval"
	case "decided":
		return "Decided"
	case "informational":
		return "No decision needed"
	}
	return state
}

// reviewStateClass colours a review state on the status scale; a decided case takes the colour of
// its outcome (allowed green, declined red).
func reviewStateClass(state, outcome string) string {
	switch state {
	case "needs_decision", "pending_approval":
		return StatusAmber
	case "decided":
		if outcome == "decline" {
			return StatusRed
		}
		return StatusGreen
	}
	return StatusGrey
}

// reviewStateText is ReviewStateLabel with a decided case's outcome: "Allowed" or "Declined".
func reviewStateText(state, outcome string) string {
	if state == "decided" {
		switch outcome {
		case "allow":
			return "Allowed"
		case "decline":
			return "Declined"
		}
	}
	return ReviewStateLabel(state)
}

// shortRef abbreviates a long vendor reference for a dense row; the whole one is on hover.
func shortRef(ref string) string {
	r := []rune(ref)
	if len(r) <= 14 {
		return ref
	}
	return string(r[:12]) + "…"
}

// waitedHeading names the waiting column: decided cases show when they arrived, not a wait.
func waitedHeading(tab string) string {
	switch tab {
	case "decided", "all":
		return "Queued"
	case "pending":
		return "Pending for"
	}
	return "Waiting"
}
