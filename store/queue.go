package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// QueueTab names one tab of the review queue.
type QueueTab string

// The queue's tabs. The default is TabNeedsDecision.
const (
	TabNeedsDecision QueueTab = "needs"
	TabPending       QueueTab = "pending"
	TabDecided       QueueTab = "decided"
	TabAll           QueueTab = "all" // every case, informational ones included
)

// ParseQueueTab maps a URL value to a tab; anything unknown is the default tab.
func ParseQueueTab(s string) QueueTab {
	switch QueueTab(s) {
	case TabPending, TabDecided, TabAll:
		return QueueTab(s)
	}
	return TabNeedsDecision
}

// reviewState is the review_state a tab lists, or "" for every state.
func (t QueueTab) reviewState() string {
	switch t {
	case TabPending:
		return ReviewPendingApproval
	case TabDecided:
		return ReviewDecided
	case TabAll:
		return ""
	}
	return ReviewNeedsDecision
}

// Assignee filters of the queue.
const (
	AssigneeAnyone = ""           // no filter
	AssigneeNone   = "unassigned" // nobody holds a live claim
	AssigneeUser   = "user"       // AssigneeID holds a live claim (the viewer's own ID for "me")
	// AssigneeEscalated matches cases escalated to the supervisors; AssigneeHeld cases on hold.
	AssigneeEscalated = "escalated"
	AssigneeHeld      = "held"
)

// QueueFilter narrows the queue. Zero fields match everything.
type QueueFilter struct {
	Tab         QueueTab
	Source      Source
	Overall     string
	FraudTag    string
	MismatchTag string
	// Country matches the document's issuing country or the IP address's country.
	Country string
	// Remark matches the video-KYC agent's remark exactly (cases.agent_remark).
	Remark string
	// From and To bound when the case's first callback arrived: [From, To).
	From, To   time.Time
	Assignee   string
	AssigneeID int64
	// Query is what the reviewer typed: a name (or the start of one), a scanRef or sessionId,
	// a client ID or a document number.
	Query string
	// ClaimCutoff is the oldest claim activity that still counts as a live claim.
	ClaimCutoff time.Time

	// counting: the rows are only counted, so the pending tab need not be read in its own order.
	counting bool
	// words are the search's words folded by the search tokenizer (foldQuery), nil until folded.
	words []string
	// refs are the cases the search's text names by reference (matchRefs), nil until read.
	refs *refMatch
	// exp is what the words stand for in the index (expandSearch), nil until read.
	exp *searchExpansion
}

// Narrowed reports whether anything besides the tab narrows the queue.
func (f QueueFilter) Narrowed() bool {
	return f.Source != "" || f.Overall != "" || f.FraudTag != "" || f.MismatchTag != "" || f.Country != "" || f.Remark != "" ||
		!f.From.IsZero() || !f.To.IsZero() || f.Assignee != AssigneeAnyone || strings.TrimSpace(f.Query) != ""
}

// QueueCursor is a position in the queue's order (oldest waiting first, then ID): the keyset that
// pages continue from, so a page never skips or repeats a case because others were added.
type QueueCursor struct {
	WaitingSince time.Time
	ID           int64
}

// String encodes the cursor for a URL: "<unix nanoseconds>-<id>".
func (c QueueCursor) String() string {
	return strconv.FormatInt(c.WaitingSince.UnixNano(), 10) + "-" + strconv.FormatInt(c.ID, 10)
}

// ParseQueueCursor decodes QueueCursor.String; ok is false for anything else.
func ParseQueueCursor(s string) (QueueCursor, bool) {
	ts, id, found := strings.Cut(s, "-")
	if !found {
		return QueueCursor{}, false
	}
	n, err1 := strconv.ParseInt(ts, 10, 64)
	i, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || i <= 0 {
		return QueueCursor{}, false
	}
	return QueueCursor{WaitingSince: time.Unix(0, n).UTC(), ID: i}, true
}

// QueueRow is one line of the queue.
type QueueRow struct {
	// PendingSince is when the decision waiting for a second approval was made; PendingReason and
	// PendingNote (its first 300 characters) are what the reviewer gave. Zero unless pending.
	PendingSince         time.Time
	PendingReason        string
	PendingNote          string
	DataProblem          bool // a stored column could not be read; the case page says which
	ID                   int64
	Source               Source
	Ref                  string
	ClientID             string
	Name                 string
	Overall              string
	Final                bool
	ReviewState          string
	ChangedAfterDecision bool
	FraudTags            []string
	MismatchTags         []string
	DocCountry           string
	IPCountry            string
	WaitingSince         time.Time
	FirstReceivedAt      time.Time
	LastReceivedAt       time.Time
	// ClaimedBy is the user whose claim the row carries (0: none); the claim may have expired.
	ClaimedBy      int64
	ClaimedByName  string
	ClaimTouchedAt time.Time
	// LastOutcome and LastDecider are the newest decision on the case, if any ("allow", "Meera Iyer").
	LastOutcome, LastDecider string
	// HeldAt and HeldUntil are the hold on the case (zero: none); Escalated says it waits for a supervisor.
	HeldAt, HeldUntil time.Time
	Escalated         bool
	// AgentRemark is the video-KYC agent's remark (fieldValues.Remark), "" for other sources.
	AgentRemark string
}

// ClaimLive reports whether the row's claim still holds, given the oldest activity that counts.
func (r QueueRow) ClaimLive(cutoff time.Time) bool {
	return r.ClaimedBy != 0 && !r.ClaimTouchedAt.Before(cutoff)
}

// QueuePage is one page of the queue and the cursors of its neighbours (nil: no such page).
type QueuePage struct {
	Rows       []QueueRow
	Next, Prev *QueueCursor
}

// QueuePageSize is how many rows a queue page shows unless asked otherwise.
const QueuePageSize = 50

// Queue returns one page of cases matching f in queue order, after the cursor after or, when
// before is set instead, the page ending just before it.
func (db *DB) Queue(ctx context.Context, f QueueFilter, after, before *QueueCursor, limit int) (QueuePage, error) {
	if limit <= 0 || limit > 500 {
		limit = QueuePageSize
	}
	q, args, err := db.queueSelect(ctx, f, after, before, limit+1)
	if err != nil {
		return QueuePage{}, err
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return QueuePage{}, fmt.Errorf("store: queue: %w", err)
	}
	defer rows.Close()
	var out []QueueRow
	for rows.Next() {
		r, err := scanQueueRow(rows)
		if err != nil {
			return QueuePage{}, fmt.Errorf("store: queue: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return QueuePage{}, fmt.Errorf("store: queue: %w", err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	page := QueuePage{Rows: out}
	if before != nil {
		// Fetched newest first: turn the page back into queue order.
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
		page.Next = before
		if more {
			page.Prev = f.cursorAt(out[0])
		}
		return page, nil
	}
	if after != nil && len(out) > 0 {
		page.Prev = f.cursorAt(out[0])
	}
	if more {
		page.Next = f.cursorAt(out[len(out)-1])
	}
	return page, nil
}

// pendingOrder reports whether the page is the pending-approval tab, ordered by how long each
// decision has waited for its second look rather than by the customer's wait.
func (f QueueFilter) pendingOrder() bool {
	return !f.counting && f.Tab == TabPending && f.Assignee != AssigneeUser && f.Assignee != assigneeLive
}

// sortKey is the column the page is ordered and paged by.
func (f QueueFilter) sortKey() string {
	if f.pendingOrder() {
		return "c.pending_since"
	}
	return "c.waiting_since"
}

// cursorAt is the keyset position of row in the page's order.
func (f QueueFilter) cursorAt(r QueueRow) *QueueCursor {
	if f.pendingOrder() {
		return &QueueCursor{WaitingSince: r.PendingSince, ID: r.ID}
	}
	return &QueueCursor{WaitingSince: r.WaitingSince, ID: r.ID}
}

const queueColumns = `c.id, c.source, c.ref, c.client_id, c.full_name, c.overall, c.final, c.review_state,
	c.changed_after_decision, c.fraud_tags, c.mismatch_tags, c.doc_country, c.ip_country, c.waiting_since,
	c.first_received_at, c.last_received_at, COALESCE(c.claimed_by, 0),
	COALESCE(NULLIF(u.display_name, ''), u.username, ''), COALESCE(c.claim_touched_at, ''),
	COALESCE((SELECT d.outcome || ' ' || COALESCE(NULLIF(du.display_name, ''), du.username) FROM decisions d
		JOIN users du ON du.id = d.decided_by WHERE d.case_id = c.id ORDER BY d.id DESC LIMIT 1), ''),
	COALESCE(c.pending_since, ''),
	CASE WHEN c.review_state = 'pending_approval' THEN COALESCE((SELECT d.reason_code || char(31) || substr(d.note, 1, 300)
		FROM decisions d WHERE d.case_id = c.id ORDER BY d.id DESC LIMIT 1), '') ELSE '' END,
	COALESCE(c.held_at, ''), COALESCE(c.held_until, ''), c.escalated_at IS NOT NULL, c.agent_remark`

func scanQueueRow(row interface{ Scan(...any) error }) (QueueRow, error) {
	var r QueueRow
	var fraud, mismatch, waiting, first, last, touched, lastDecision, pending, pendingWhy, heldAt, heldUntil string
	if err := row.Scan(&r.ID, &r.Source, &r.Ref, &r.ClientID, &r.Name, &r.Overall, &r.Final, &r.ReviewState,
		&r.ChangedAfterDecision, &fraud, &mismatch, &r.DocCountry, &r.IPCountry, &waiting, &first, &last,
		&r.ClaimedBy, &r.ClaimedByName, &touched, &lastDecision, &pending, &pendingWhy, &heldAt, &heldUntil, &r.Escalated, &r.AgentRemark); err != nil {
		return QueueRow{}, err
	}
	if pending != "" {
		r.PendingSince = ParseTime(pending)
	}
	r.PendingReason, r.PendingNote, _ = strings.Cut(pendingWhy, "\x1f")
	if json.Unmarshal([]byte(fraud), &r.FraudTags) != nil || json.Unmarshal([]byte(mismatch), &r.MismatchTags) != nil {
		r.DataProblem = true
	}
	r.WaitingSince, r.FirstReceivedAt, r.LastReceivedAt = ParseTime(waiting), ParseTime(first), ParseTime(last)
	if touched != "" {
		r.ClaimTouchedAt = ParseTime(touched)
	}
	r.LastOutcome, r.LastDecider, _ = strings.Cut(lastDecision, " ")
	if heldAt != "" {
		r.HeldAt, r.HeldUntil = ParseTime(heldAt), ParseTime(heldUntil)
	}
	return r, nil
}

// where turns the filter into SQL conditions on cases c for a walk of the tab's own index
// (pageIndex) in queue order: the tab's review state, then every narrowing checked on the row.
func (f QueueFilter) where() ([]string, []any) {
	conds := []string{"1=1"}
	if st := f.Tab.reviewState(); st != "" {
		// A literal, not a parameter, so that SQLite can use the partial pending index; st is
		// one of the fixed review states, never input.
		conds = []string{"c.review_state = '" + st + "'"}
	}
	probes, args := f.probes(driveWalk, -1)
	return append(conds, probes...), args
}

// FTSQuery turns what a person typed into a safe full-text query: every run of letters and digits
// becomes a lower-case prefix term ("Anna Kov" → "anna* kov*"), all of which must match. Quotes,
// operators and punctuation never reach the FTS parser; lower case keeps AND, OR, NOT and NEAR
// from being read as operators. It returns "" when nothing searchable is left.
func FTSQuery(q string) string {
	var terms []string
	// Combining marks belong to their word: Devanagari and Tamil names are written with them, and
	// with zero-width joiners, which the tokenizer's input leaves out (wholeWords).
	inWord := func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '\u200c' || r == '\u200d'
	}
	for _, t := range strings.FieldsFunc(q, func(r rune) bool { return !inWord(r) }) {
		terms = append(terms, strings.ToLower(t)+"*")
		if len(terms) == 8 {
			break
		}
	}
	return strings.Join(terms, " ")
}

// pageIndex is the index a page of the queue walks. SQLite has no statistics to judge how many
// rows a tag, a country or a name matches, and guessed "few" would sort thousands; walking the
// queue's own order and checking each entry against the (bloom-filtered) set of matches costs at
// most one pass over an index and usually stops after a page. A user's claims are few, so they
// start from cases_claim.
func (f QueueFilter) pageIndex() string {
	switch {
	case f.pendingOrder():
		return "cases_pending"
	case f.Assignee == AssigneeUser || f.Assignee == assigneeLive:
		return "cases_claim"
	case f.Assignee == AssigneeEscalated:
		return "cases_escalated"
	case f.Assignee == AssigneeHeld:
		return "cases_held"
	case f.Tab.reviewState() == "":
		return "cases_all"
	}
	return "cases_queue"
}

// assigneeLive matches any case with a live claim; counts of unclaimed cases subtract it.
const assigneeLive = "live"

// QueueCountCap bounds the tab counts under a filter: past it a count reads "1,000+", since an
// exact one would read every match.
const QueueCountCap = 1000

// QueueCounts counts the cases of each tab that match f's other narrowing (the tab is ignored).
// Unnarrowed they are exact (ReviewCounts); narrowed, each stops at QueueCountCap+1, the
// cost of a page of that many rows.
func (db *DB) QueueCounts(ctx context.Context, f QueueFilter) (ReviewCounts, error) {
	if !f.Narrowed() {
		return db.ReviewCounts(ctx)
	}
	// The typed words, what they stand for and the references are looked up once for all four
	// tabs and their windows.
	if err := db.foldQuery(ctx, &f); err != nil {
		return ReviewCounts{}, err
	}
	if err := db.expandSearch(ctx, &f); err != nil {
		return ReviewCounts{}, err
	}
	if err := db.matchRefs(ctx, &f); err != nil {
		return ReviewCounts{}, err
	}
	var n ReviewCounts
	for _, t := range []struct {
		tab QueueTab
		n   *int
	}{{TabNeedsDecision, &n.NeedsDecision}, {TabPending, &n.PendingApproval}, {TabDecided, &n.Decided}, {TabAll, &n.All}} {
		g := f
		g.Tab, g.counting = t.tab, true
		// Only the keys are counted, from the indexes: no case row is read for it.
		q, args, err := db.queueSelect(ctx, g, nil, nil, QueueCountCap+1)
		if err != nil {
			return ReviewCounts{}, err
		}
		if err := db.read.QueryRowContext(ctx, q, args...).Scan(t.n); err != nil {
			return ReviewCounts{}, fmt.Errorf("store: queue counts: %w", err)
		}
		if *t.n <= QueueCountCap {
			partial, err := db.queueCountPartial(ctx, g)
			if err != nil {
				return ReviewCounts{}, err
			}
			if partial {
				n.AtLeast = append(n.AtLeast, t.tab)
			}
		}
	}
	return n, nil
}
