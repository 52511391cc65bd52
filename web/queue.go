package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

// queueTabs are the tabs in display order, with their labels and empty states.
var queueTabs = []struct {
	tab          store.QueueTab
	label        string
	empty, hint  string
	waitedColumn bool
}{
	{store.TabNeedsDecision, "Needs decision", "No cases need a decision.",
		"Callbacks arrive at /webhooks/markid and /webhooks/vcip; a case lands here when it is SUSPECTED or a video-KYC session.", true},
	{store.TabPending, "Pending second approval", "No decision is waiting for a second approval.",
		"With four-eyes review on, a reviewer's decision waits here until a different supervisor approves or returns it.", true},
	{store.TabDecided, "Decided", "No case has been decided yet.",
		"Decided cases appear here; a supervisor can reopen one from its page.", false},
	{store.TabAll, "All", "No callbacks have arrived yet.",
		"Callbacks arrive at /webhooks/markid and /webhooks/vcip. Check the ingest health page if you expected some.", false},
}

// queueParams is the queue's URL state: the tab, the filters as typed, and the page cursor.
type queueParams struct {
	tab    store.QueueTab
	values views.QueueFilterValues
	after  *store.QueueCursor
	before *store.QueueCursor
}

// query encodes the tab and filters (not the cursor) for a link.
func (q queueParams) query(tab store.QueueTab) url.Values {
	v := url.Values{}
	if tab != store.TabNeedsDecision {
		v.Set("tab", string(tab))
	}
	f := q.values
	for k, val := range map[string]string{"q": f.Query, "source": f.Source, "status": f.Overall, "fraud": f.Fraud,
		"mismatch": f.Mismatch, "country": f.Country, "remark": f.Remark, "from": f.From, "to": f.To, "assignee": f.Assignee} {
		if val != "" {
			v.Set(k, val)
		}
	}
	return v
}

// caseLink opens a case from the queue view v: the case page carries the view along, so that
// "decide and next" and "claim next" continue in the same tab and filters.
func caseLink(id int64, v url.Values) string {
	u := "/cases/" + strconv.FormatInt(id, 10)
	if len(v) > 0 {
		u += "?" + url.Values{"from": {v.Encode()}}.Encode()
	}
	return u
}

func queueURL(v url.Values) string {
	if len(v) == 0 {
		return "/cases"
	}
	return "/cases?" + v.Encode()
}

// parseQueue reads the queue's URL into a store filter. Values that make no sense are dropped
// with a sentence saying so, rather than failing the page.
func (a *App) parseQueue(vals url.Values, u *store.User) (queueParams, store.QueueFilter) {
	q := queueParams{tab: store.ParseQueueTab(vals.Get("tab"))}
	now := a.cfg.Now()
	f := store.QueueFilter{Tab: q.tab, ClaimCutoff: now.Add(-a.rules().ClaimTTL)}
	v := &q.values
	v.Query = strings.TrimSpace(vals.Get("q"))
	if len(v.Query) > 200 {
		v.Query = v.Query[:200]
	}
	f.Query = v.Query
	switch src := store.Source(vals.Get("source")); src {
	case store.SourceMarkID, store.SourceVCIP:
		v.Source, f.Source = string(src), src
	}
	v.Overall = strings.ToUpper(strings.TrimSpace(vals.Get("status")))
	f.Overall = v.Overall
	v.Fraud = strings.ToUpper(strings.TrimSpace(vals.Get("fraud")))
	f.FraudTag = v.Fraud
	v.Mismatch = strings.ToUpper(strings.TrimSpace(vals.Get("mismatch")))
	f.MismatchTag = v.Mismatch
	v.Remark = strings.TrimSpace(vals.Get("remark"))
	if len(v.Remark) > 200 {
		v.Remark = v.Remark[:200]
	}
	f.Remark = v.Remark
	if cc := strings.ToUpper(strings.TrimSpace(vals.Get("country"))); cc != "" {
		v.Country = cc
		if len(cc) == 2 {
			f.Country = cc
		} else {
			v.Errors = append(v.Errors, "A country is two letters, such as IN or LT.")
		}
	}
	day := func(name string) (time.Time, string) {
		s := strings.TrimSpace(vals.Get(name))
		if s == "" {
			return time.Time{}, ""
		}
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			v.Errors = append(v.Errors, "Dates are written 2025-11-22.")
			return time.Time{}, s
		}
		return t, s
	}
	var from, to time.Time
	from, v.From = day("from")
	to, v.To = day("to")
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		// Said, not silently empty: the dates were probably entered the wrong way round.
		v.Errors = append(v.Errors, "The end date is before the start date: no case can match. Swap them.")
	}
	f.From = from
	if !to.IsZero() {
		f.To = to.AddDate(0, 0, 1) // "to" is inclusive: the whole day
	}
	switch as := vals.Get("assignee"); as {
	case "me":
		v.Assignee, f.Assignee, f.AssigneeID = as, store.AssigneeUser, u.ID
	case store.AssigneeNone, store.AssigneeEscalated, store.AssigneeHeld:
		v.Assignee, f.Assignee = as, as
	case "":
	default:
		if id, err := strconv.ParseInt(as, 10, 64); err == nil && id > 0 {
			v.Assignee, f.Assignee, f.AssigneeID = as, store.AssigneeUser, id
		}
	}
	if cur, ok := store.ParseQueueCursor(vals.Get("after")); ok {
		q.after = &cur
	} else if cur, ok := store.ParseQueueCursor(vals.Get("before")); ok {
		q.before = &cur
	}
	return q, f
}

// handleQueue lists cases for review: tabs with counts, filters, search, keyset pages.
func (a *App) handleQueue(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	q, f := a.parseQueue(c.QueryParams(), u)
	page, err := a.db.Queue(ctx, f, q.after, q.before, store.QueuePageSize)
	if err != nil {
		return err
	}
	// Unfiltered, the tab counts are the nav counts: count once.
	counts, err := a.db.ReviewCounts(ctx)
	if err != nil {
		return err
	}
	navCounts := counts
	if f.Narrowed() {
		if counts, err = a.db.QueueCounts(ctx, f); err != nil {
			return err
		}
	}
	users, err := a.db.Deciders(ctx)
	if err != nil {
		return err
	}
	nav := "queue"
	if q.tab == store.TabPending {
		nav = "pending"
	}
	p := a.pageWithCounts(c, "Queue", nav, &navCounts)
	canClaim := u.Has(store.RoleReviewer) || u.Has(store.RoleSupervisor)
	if canClaim {
		p.Shortcuts = append(p.Shortcuts, views.Shortcut{Key: "n", Action: "Claim the next case"})
	}
	v := views.QueueView{From: q.query(q.tab).Encode(), Tab: string(q.tab), Filter: q.values, CanClaim: canClaim, CSRF: p.CSRF,
		ShowState: q.tab == store.TabAll, ClearURL: queueURL(queueParams{}.query(q.tab))}
	fv := q.values
	v.Narrowed = fv.Query+fv.Source+fv.Overall+fv.Fraud+fv.Mismatch+fv.Country+fv.From+fv.To+fv.Assignee != ""
	count := map[store.QueueTab]int{store.TabNeedsDecision: counts.NeedsDecision, store.TabPending: counts.PendingApproval,
		store.TabDecided: counts.Decided, store.TabAll: counts.All}
	waitedColumn := false
	for _, t := range queueTabs {
		n := count[t.tab]
		capped := f.Narrowed() && (n > store.QueueCountCap || slices.Contains(counts.AtLeast, t.tab))
		if capped && n > store.QueueCountCap {
			n = store.QueueCountCap
		}
		v.Tabs = append(v.Tabs, views.QueueTabLink{Key: string(t.tab), Label: t.label, Count: n, AtLeast: capped,
			Href: queueURL(q.query(t.tab)), Active: t.tab == q.tab})
		if t.tab == q.tab {
			v.Empty = views.EmptyText{Title: t.empty, Hint: t.hint}
			waitedColumn = t.waitedColumn
		}
	}
	if v.Narrowed {
		v.Empty = views.EmptyText{Title: "No cases match these filters.",
			Hint: "Clear the filters, widen the date range, or look in the All tab."}
		if q.tab == store.TabAll {
			v.Empty.Hint = "Clear the filters or widen the date range."
		}
	}
	v.Sources = []views.Option{{Value: string(store.SourceMarkID), Label: store.SourceMarkID.Label()},
		{Value: string(store.SourceVCIP), Label: store.SourceVCIP.Label()}}
	for _, s := range []string{store.StatusSuspected, store.StatusApproved, store.StatusDenied, store.StatusExpired} {
		v.Statuses = append(v.Statuses, views.Option{Value: s, Label: s})
	}
	v.Assignees = []views.Option{{Value: "", Label: "Claimed by anyone"}, {Value: "me", Label: "Claimed by me"},
		{Value: store.AssigneeNone, Label: "Unclaimed"}, {Value: store.AssigneeEscalated, Label: "Escalated to supervisors"},
		{Value: store.AssigneeHeld, Label: "On hold"}}
	for _, du := range users {
		if du.ID != u.ID {
			v.Assignees = append(v.Assignees, views.Option{Value: strconv.FormatInt(du.ID, 10), Label: "Claimed by " + du.Name()})
		}
	}
	now := a.cfg.Now()
	for _, r := range page.Rows {
		row := views.QueueRowView{DataProblem: r.DataProblem, ID: r.ID, Href: caseLink(r.ID, q.query(q.tab)), Overall: r.Overall, Name: r.Name,
			Source: r.Source.Label(), Ref: r.Ref, Fraud: r.FraudTags, Mismatch: r.MismatchTags,
			ReviewState: r.ReviewState, Changed: r.ChangedAfterDecision, Final: r.Final, Queued: r.WaitingSince,
			FirstReceived: r.FirstReceivedAt, LastReceived: r.LastReceivedAt, Remark: r.AgentRemark}
		// One meaning per column, and the column the rows are sorted by: on the waiting tabs how
		// long the case has waited, elsewhere when it joined the queue.
		if waitedColumn {
			row.ShowWaited = true
			row.Waited = r.Waited(now)
			row.Overdue = row.Waited > a.rules().SLA
		}
		if !r.HeldUntil.IsZero() && now.Before(r.HeldUntil) {
			row.HeldUntil = r.HeldUntil
		}
		row.Escalated = r.Escalated
		if q.tab == store.TabPending && !r.PendingSince.IsZero() {
			// The pending tab is ordered by how long each decision has waited for its second look.
			row.Waited = now.Sub(r.PendingSince)
		}
		if r.ReviewState == store.ReviewPendingApproval && r.PendingReason != "" {
			row.PendingReason = a.rules().ReasonLabel(r.PendingReason)
			row.PendingNote, _, _ = strings.Cut(strings.TrimSpace(r.PendingNote), "\n")
		}
		if r.ReviewState == store.ReviewPendingApproval || r.ReviewState == store.ReviewDecided {
			row.Decision, row.Decider = r.LastOutcome, r.LastDecider
		}
		if r.ClaimLive(f.ClaimCutoff) {
			row.Holder, row.HolderMine = r.ClaimedByName, r.ClaimedBy == u.ID
			if row.HolderMine {
				row.Holder = "you"
			}
		}
		v.Rows = append(v.Rows, maskQueueRow(row, a.masker(c)))
	}
	base := q.query(q.tab)
	if page.Next != nil {
		next := cloneValues(base)
		next.Set("after", page.Next.String())
		v.NextURL = queueURL(next)
	}
	if page.Prev != nil {
		prev := cloneValues(base)
		prev.Set("before", page.Prev.String())
		v.PrevURL = queueURL(prev)
	} else if q.after != nil {
		v.PrevURL = queueURL(base) // past the end: back to the first page
	}
	return a.render(c, http.StatusOK, views.Queue(p, v))
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v)+1)
	for k, vals := range v {
		out[k] = append([]string(nil), vals...)
	}
	return out
}
