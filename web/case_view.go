package web

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

// The case page carries the raw bodies of the latest few callbacks, each cut at a size that keeps
// the page light; the rest are listed without their bytes.
const (
	rawBodiesShown = 10
	rawBodyMax     = 64 << 10
)

// caseRender is how to render the case page: after a GET, or again after a POST that failed.
type caseRender struct {
	status       int
	recordView   bool                // a GET: audit the view and keep the viewer's claim alive
	form         *views.DecisionForm // the reviewer's input to show again
	panelErrors  map[string]string
	returnReason string
	reopenReason string
	pageError    string
}

// handleCase shows one case with everything needed to decide it.
func (a *App) handleCase(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	return a.renderCase(c, id, caseRender{status: http.StatusOK, recordView: true})
}

// caseData is everything read from the store for one case page.
type caseData struct {
	rec        store.CaseRecord
	deliveries []store.DeliveryRow
	bodies     map[int64]store.DeliveryBody
	media      []store.Media
	decisions  []store.Decision
	reopens    []store.Reopen
	linked     map[string]int64
	deciders   []store.User
}

func (a *App) loadCase(c echo.Context, id int64, r caseRender) (caseData, error) {
	ctx := c.Request().Context()
	var d caseData
	var err error
	if d.rec, err = a.db.CaseByID(ctx, id); err != nil {
		return d, err
	}
	u := currentUser(c)
	if r.recordView {
		if err := a.db.RecordCaseView(ctx, actor(c), id); err != nil {
			return d, err
		}
		now := a.cfg.Now()
		if d.rec.ClaimedBy == u.ID && d.rec.ClaimLive(now.Add(-a.rules().ClaimTTL)) {
			d.rec.ClaimTouchedAt = now
		}
	}
	if d.deliveries, err = a.db.CaseDeliveries(ctx, id); err != nil {
		return d, err
	}
	var withBytes []int64
	for i := len(d.deliveries) - 1; i >= 0 && len(withBytes) < rawBodiesShown; i-- {
		if d.deliveries[i].Outcome != store.OutcomeDuplicate {
			withBytes = append(withBytes, d.deliveries[i].ID)
		}
	}
	if d.bodies, err = a.db.DeliveryBodies(ctx, withBytes, rawBodyMax); err != nil {
		return d, err
	}
	if d.media, err = a.db.CaseMedia(ctx, id); err != nil {
		return d, err
	}
	if d.decisions, err = a.db.CaseDecisions(ctx, id); err != nil {
		return d, err
	}
	if d.reopens, err = a.db.CaseReopens(ctx, id); err != nil {
		return d, err
	}
	s := &d.rec.Snapshot
	faces, docFaces := views.ShownDuplicates(s)
	if refs := append(slices.Clone(faces), docFaces...); len(refs) > 0 {
		if d.linked, err = a.db.CasesByRef(ctx, store.SourceMarkID, refs); err != nil {
			return d, err
		}
	}
	if u.Has(store.RoleSupervisor) && d.rec.ReviewState == store.ReviewNeedsDecision {
		if d.deciders, err = a.db.Deciders(ctx); err != nil {
			return d, err
		}
	}
	return d, nil
}

// renderCase renders the case page with the given status and any form state to show again.
func (a *App) renderCase(c echo.Context, id int64, r caseRender) error {
	d, err := a.loadCase(c, id, r)
	if err != nil {
		return err
	}
	p := a.page(c, caseTitle(d.rec), "queue")
	if r.pageError != "" {
		p.Error = r.pageError
	}
	view := a.caseView(c, d, r, p.CSRF)
	if view.Panel.ShowClaim {
		p.Shortcuts = append(p.Shortcuts, views.Shortcut{Key: "c", Action: "Claim this case"})
	}
	if view.Panel.ShowForm {
		p.Shortcuts = append(p.Shortcuts, views.Shortcut{Key: "a", Action: "Choose Allow"},
			views.Shortcut{Key: "d", Action: "Choose Decline"})
	}
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return a.render(c, r.status, views.Case(p, view))
}

func caseTitle(rec store.CaseRecord) string {
	if rec.Name != "" {
		return rec.Name
	}
	return fmt.Sprintf("Case %d", rec.ID)
}

// caseView turns the store's records into the page's props.
func (a *App) caseView(c echo.Context, d caseData, r caseRender, csrf string) views.CaseView {
	rec, s := d.rec, &d.rec.Snapshot
	now := a.cfg.Now()
	v := views.CaseView{
		ID: rec.ID, Name: rec.Name, SourceLabel: rec.Source.Label(), IsVCIP: rec.Source == store.SourceVCIP,
		RefLabel: "scanRef", Ref: rec.Ref, ClientID: rec.ClientID, ExternalRef: rec.ExternalRef, RecordID: s.RecordID,
		Overall: rec.Overall, FinalKnown: s.Status.Final != nil, Final: rec.Final,
		AutoDocument: rec.AutoDocument, AutoFace: rec.AutoFace, ManualDocument: rec.ManualDocument, ManualFace: rec.ManualFace,
		ReviewState: rec.ReviewState, FirstReceived: rec.FirstReceivedAt, LastReceived: rec.LastReceivedAt,
		Deliveries: rec.DeliveryCount,
		Feedback:   s.Feedback, FeedbackMessage: s.FeedbackMessage,
	}
	// One budget for all the vendor JSON on the page keeps the page's size bounded whatever arrives.
	budget := views.NewJSONBudget(views.JSONPageMax)
	v.FieldValues, v.CallbackParameters = budget.Format(s.FieldValues), budget.Format(s.CallbackParameters)
	v.AdditionalData, v.Forensics = budget.Format(s.AdditionalData), budget.Format(s.Forensics)
	if rec.SnapshotDelivery != 0 {
		v.RawHref = rawDeliveryHref(rec.ID, rec.SnapshotDelivery)
	}
	if v.IsVCIP {
		v.RefLabel = "sessionId"
	}
	if rec.ReviewState == store.ReviewNeedsDecision || rec.ReviewState == store.ReviewPendingApproval {
		v.ShowWaited = true
		v.Waited = now.Sub(rec.WaitingSince)
		v.Overdue = v.Waited > a.rules().SLA
	}
	u := currentUser(c)
	v.DocRows, v.HasOriginal = views.DocumentRows(s, now)
	v.GeoRows, v.DeviceRows = views.GeoRows(s), views.DeviceRows(s.Browser)
	v.Signals = views.CaseSignals(s, rec, d.linked, now)
	v.Media = views.MediaFor(d.media, s, u.Has(store.RoleSupervisor) || u.Has(store.RoleAdmin), csrf)
	v.Instructions = views.InstructionsFor(s.Instructions, s.RandomizeInstructions, c.QueryParam("lang"))
	v.VideoDocs = views.VideoDocs(s.VideoDocuments, now, budget)
	var amlMore, lidMore int
	v.AML, amlMore = views.CheckViews(s.AML, "AML", budget, views.ChecksShown)
	v.LID, lidMore = views.CheckViews(s.LID, "LID", budget, views.ChecksShown)
	v.ChecksMore = amlMore + lidMore
	v.History = views.History(d.deliveries, d.bodies, rec.SnapshotDelivery, budget,
		func(delivery int64) string { return rawDeliveryHref(rec.ID, delivery) })
	v.Timeline = a.timeline(d.decisions, d.reopens)
	v.Banners = a.banners(rec, d.decisions)
	v.Panel = a.decisionPanel(u, d, r, csrf)
	return v
}

// timeline lists decisions, second approvals, returns and reopens in the order they happened.
func (a *App) timeline(ds []store.Decision, rs []store.Reopen) []views.TimelineEvent {
	var out []views.TimelineEvent
	for _, d := range ds {
		title := ""
		if d.NeedsApproval {
			title = "needs a second approval"
		}
		out = append(out, views.TimelineEvent{At: d.DecidedAt, Who: d.DecidedByName, Kind: "decision",
			Badge: strings.ToUpper(d.Outcome), Title: title, Reason: a.rules().ReasonLabel(d.ReasonCode), Note: d.Note,
			TestID: "timeline-decision"})
		for _, ap := range d.Approvals {
			ev := views.TimelineEvent{At: ap.At, Who: ap.ByName, Kind: ap.Verdict, TestID: "timeline-" + ap.Verdict}
			if ap.Verdict == store.VerdictApproved {
				ev.Badge, ev.Title = "APPROVED", "second approval"
			} else {
				ev.Badge, ev.Title, ev.Note = "RETURNED", "sent it back to the queue", ap.Reason
			}
			out = append(out, ev)
		}
	}
	for _, r := range rs {
		out = append(out, views.TimelineEvent{At: r.At, Who: r.ByName, Kind: "reopened", Badge: "REOPENED",
			Title: "reopened the case", Note: r.Reason, TestID: "timeline-reopen"})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// banners say where the case stands when a decision exists: decided, waiting for a second
// approval, or changed by a callback after the decision.
func (a *App) banners(rec store.CaseRecord, ds []store.Decision) []views.Banner {
	if len(ds) == 0 {
		return nil
	}
	last := ds[len(ds)-1]
	verb, what, level := "allowed", "Allowed", views.StatusGreen
	if last.Outcome == store.OutcomeDecline {
		verb, what, level = "declined", "Declined", views.StatusRed
	}
	reason := a.rules().ReasonLabel(last.ReasonCode)
	var out []views.Banner
	switch rec.ReviewState {
	case store.ReviewDecided:
		text := fmt.Sprintf("by %s (%s) on", last.DecidedByName, reason)
		if n := len(last.Approvals); n > 0 && last.Approvals[n-1].Verdict == store.VerdictApproved {
			text = fmt.Sprintf("by %s (%s), approved by %s; decided on", last.DecidedByName, reason, last.Approvals[n-1].ByName)
		}
		out = append(out, views.Banner{Level: level, Title: what, Text: text, At: last.DecidedAt, TestID: "banner-decided"})
	case store.ReviewPendingApproval:
		out = append(out, views.Banner{Level: views.StatusAmber, Title: "Waiting for a second approval.",
			Text: fmt.Sprintf("%s %s the case (%s) on", last.DecidedByName, verb, reason), At: last.DecidedAt,
			TestID: "banner-pending"})
	}
	if rec.ChangedAfterDecision {
		out = append(out, views.Banner{Level: views.StatusAmber, Title: "Changed after decision.",
			Text: fmt.Sprintf("A new callback arrived after %s %s the case on", last.DecidedByName, verb),
			At:   last.DecidedAt, TestID: "banner-changed"})
	}
	return out
}

// decisionPanel gives the viewer the controls the review rules allow them now (store.CaseActions,
// the same answer the store's own checks give). Someone who cannot decide (an auditor) gets none:
// only the sentence saying where the case stands.
func (a *App) decisionPanel(u *store.User, d caseData, r caseRender, csrf string) views.DecisionPanel {
	rec := d.rec
	rules := a.rules()
	now := a.cfg.Now()
	var maker int64
	if n := len(d.decisions); n > 0 {
		maker = d.decisions[n-1].DecidedBy
	}
	facts := store.CaseFacts{Source: rec.Source, Overall: rec.Overall, ReviewState: rec.ReviewState, ClaimedBy: rec.ClaimedBy,
		ClaimHolder: rec.ClaimedByName, ClaimTouched: rec.ClaimTouchedAt}
	if rec.ReviewState == store.ReviewPendingApproval {
		facts.PendingMaker = maker
	}
	acts := rules.Actions(store.Viewer{ID: u.ID, Roles: u.Roles}, facts, now)
	live := rules.ClaimLive(facts, now)
	mine := rec.ClaimedBy != 0 && rec.ClaimedBy == u.ID
	p := views.DecisionPanel{CaseID: rec.ID, CSRF: csrf, ReviewState: rec.ReviewState,
		NoteForAllow: strings.EqualFold(rec.Overall, store.StatusSuspected),
		ReturnReason: r.returnReason, ReopenReason: r.reopenReason, Errors: r.panelErrors}
	if rec.ClaimedBy != 0 {
		p.Claim = views.ClaimView{Holder: rec.ClaimedByName, Mine: mine, Live: live, Since: rec.ClaimedAt,
			Expires: rec.ClaimTouchedAt.Add(rules.ClaimTTL)}
	}
	p.ShowClaim = acts.Claim.Allowed && !(mine && live)
	p.ShowForm = acts.Decide.Allowed
	p.ShowRelease = acts.Release.Allowed && rec.ReviewState == store.ReviewNeedsDecision && live
	p.ShowReassign = acts.Reassign.Allowed && len(d.deciders) > 0
	p.ShowApprove = acts.Approve.Allowed
	p.ShowReopen = acts.Reopen.Allowed
	switch rec.ReviewState {
	case store.ReviewNeedsDecision:
		p.Status, p.StatusLevel = "Waiting for a decision.", views.StatusAmber
		if !live {
			p.Status = "Waiting for a decision; nobody holds it."
		}
	case store.ReviewPendingApproval:
		p.Status, p.StatusLevel = "The decision waits for a supervisor's second approval.", views.StatusAmber
		p.MakerWaiting = maker == u.ID
		if p.MakerWaiting && (u.Has(store.RoleReviewer) || u.Has(store.RoleSupervisor)) {
			p.Status = "You made this decision; a different supervisor must approve it."
		}
	case store.ReviewDecided:
		p.Status, p.StatusLevel = "Decided.", views.StatusGreen
		if n := len(d.decisions); n > 0 && d.decisions[n-1].Outcome == store.OutcomeDecline {
			p.StatusLevel = views.StatusRed
		}
	default:
		p.Status, p.StatusLevel = "No decision needed: the vendor's result stands on its own.", views.StatusGrey
	}
	if p.ShowForm {
		p.Form = views.DecisionForm{SeenDelivery: rec.SnapshotDelivery}
		if r.form != nil {
			p.Form = *r.form
			p.Form.SeenDelivery = rec.SnapshotDelivery
		}
		for _, rc := range rules.ReasonsFor(rec.Source, "") {
			p.Reasons = append(p.Reasons, views.ReasonOption{Code: rc.Code, Label: rc.Label, Outcome: rc.Outcome})
		}
	}
	for _, du := range d.deciders {
		if du.ID != u.ID && (du.ID != rec.ClaimedBy || !live) {
			p.Deciders = append(p.Deciders, views.UserOption{ID: du.ID, Name: du.Name()})
		}
	}
	p.ShowReassign = p.ShowReassign && len(p.Deciders) > 0
	return p
}
