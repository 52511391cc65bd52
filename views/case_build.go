package views

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// RawDeliveryHref is where one raw callback of a case downloads whole.
func RawDeliveryHref(caseID, deliveryID int64) string {
	return fmt.Sprintf("/cases/%d/deliveries/%d/raw", caseID, deliveryID)
}

// CaseInput is everything web read from the store for one case page, plus who is looking and what
// they had typed when a form comes back with problems.
type CaseInput struct {
	Record     store.CaseRecord
	Deliveries []store.DeliveryRow
	Bodies     map[int64]store.DeliveryBody
	Media      []store.Media
	Decisions  []store.Decision
	Reopens    []store.Reopen
	Linked     map[string]int64 // duplicate-face references → their case ids
	Deciders   []store.User     // people a supervisor may reassign the case to
	Notes      []store.CaseNote
	Flags      []store.CaseFlag // holds, resumes, escalations and send-backs
	Related    []store.RelatedCase
	// Checklist is the case's checklist draft (store.CaseChecklist).
	Checklist []store.ChecklistEntry
	// Redactions are the redaction boxes drawn over the case's images, by media id.
	Redactions map[int64]store.Redaction
	// RelatedTotal counts all the related cases, listed or not.
	RelatedTotal int

	Viewer *store.User
	Rules  store.Rules
	Now    time.Time
	Lang   string // the instruction language asked for (?lang=)
	From   string // the queue view the case was opened from (?from=), for "decide and next"
	CSRF   string
	// Supervisors are the enabled supervisors' ids: whether a second approval can be given.
	Supervisors []int64

	Privacy      PrivacyInput // what is masked on the page and what this view reveals
	Retention    store.CaseRetention
	Form         *DecisionForm // the reviewer's input to show again
	PanelErrors  map[string]string
	ReturnReason string
	ReopenReason string
	FlagForm     string // the hold, escalate or send-back form that came back with a problem
	FlagReason   string // the reason typed into it, shown again
}

// BuildCase turns the store's records into the case page's props. Every prop of the case page is
// built here or in the builders it calls (views/case_*.go); web only loads and checks.
func BuildCase(in CaseInput) CaseView {
	rec, s := in.Record, &in.Record.Snapshot
	now, u, csrf := in.Now, in.Viewer, in.CSRF
	v := CaseView{
		ID: rec.ID, Name: rec.Name, SourceLabel: rec.Source.Label(), IsVCIP: rec.Source == store.SourceVCIP,
		RefLabel: "scanRef", Ref: rec.Ref, ClientID: rec.ClientID, ExternalRef: rec.ExternalRef, RecordID: s.RecordID,
		Overall: rec.Overall, FinalKnown: s.Status.Final != nil, Final: rec.Final,
		AutoDocument: rec.AutoDocument, AutoFace: rec.AutoFace, ManualDocument: rec.ManualDocument, ManualFace: rec.ManualFace,
		ReviewState: rec.ReviewState, FirstReceived: rec.FirstReceivedAt, LastReceived: rec.LastReceivedAt,
		Deliveries: rec.DeliveryCount,
		Feedback:   s.Feedback, FeedbackMessage: s.FeedbackMessage,
	}
	// One budget for all the vendor JSON on the page keeps the page's size bounded whatever arrives.
	budget := NewJSONBudget(JSONPageMax)
	v.FieldValues, v.CallbackParameters = budget.Format(s.FieldValues), budget.Format(s.CallbackParameters)
	if rows, ok := FieldRows(s.FieldValues); ok {
		v.FieldValueRows = rows
	}
	if rows, ok := FieldRows(s.CallbackParameters); ok {
		v.CallbackRows = rows
	}
	v.AdditionalData, v.Forensics = budget.Format(s.AdditionalData), budget.Format(s.Forensics)
	if rec.SnapshotDelivery != 0 {
		v.RawHref = RawDeliveryHref(rec.ID, rec.SnapshotDelivery)
	}
	if v.IsVCIP {
		v.RefLabel = "sessionId"
	}
	if rec.ReviewState == store.ReviewNeedsDecision || rec.ReviewState == store.ReviewPendingApproval {
		v.ShowWaited = true
		v.Waited = rec.Waited(now)
		v.Overdue = v.Waited > in.Rules.SLA
		v.Paused = rec.Hold != nil && !rec.Hold.Due(now)
	}
	v.DocRows, v.HasOriginal = DocumentRows(s, now)
	v.GeoRows, v.DeviceRows = GeoRows(s), DeviceRows(s.Browser)
	v.Signals = CaseSignals(s, rec, in.Linked, now)
	v.Media = MediaFor(in.Media, s, u.Has(store.RoleSupervisor) || u.Has(store.RoleAdmin), csrf)
	v.Media.redact(in.Media, in.Redactions, u.Has(store.RoleReviewer) || u.Has(store.RoleSupervisor), in.Privacy.OriginalReveal)
	v.Instructions = InstructionsIn(s.Instructions, s.RandomizeInstructions, in.Lang, CustomerLanguage(s))
	v.VideoDocs = VideoDocs(s.VideoDocuments, now, budget)
	var amlMore, lidMore int
	v.AML, amlMore = CheckViews(s.AML, "AML", budget, ChecksShown)
	v.LID, lidMore = CheckViews(s.LID, "LID", budget, ChecksShown)
	v.ChecksMore = amlMore + lidMore
	v.History = History(in.Deliveries, in.Bodies, rec.SnapshotDelivery, budget,
		func(delivery int64) string { return RawDeliveryHref(rec.ID, delivery) })
	if n := len(in.Decisions); n > 0 && rec.ReviewState == store.ReviewDecided {
		v.Outcome = in.Decisions[n-1].Outcome
	}
	v.Related, v.RelatedMore = in.Related, in.RelatedTotal-len(in.Related)
	v.Timeline = timeline(in.Rules, in.Decisions, in.Reopens)
	for _, n := range in.Notes {
		v.Timeline = append(v.Timeline, TimelineEvent{At: n.At, Who: n.ByName, Kind: "note", Title: "left a note", Note: n.Body,
			TestID: "timeline-note"})
	}
	v.Timeline = append(v.Timeline, flagEvents(in.Flags)...)
	sort.SliceStable(v.Timeline, func(i, j int) bool { return v.Timeline[i].At.Before(v.Timeline[j].At) })
	v.CanNote = in.Viewer.Has(store.RoleReviewer) || in.Viewer.Has(store.RoleSupervisor)
	v.Banners = append(banners(in.Rules, rec, in.Decisions), flagBanners(rec, now)...)
	v.SchemaWarnings = rec.Snapshot.SchemaWarnings
	for _, problem := range rec.DataProblems {
		v.Banners = append(v.Banners, Banner{Level: StatusRed, Title: "Stored data unreadable.",
			Text:   "For this case " + problem + ". What could be read is shown; replaying its callback from ingest health rebuilds it.",
			TestID: "banner-data-problem"})
	}
	v.Panel = buildDecisionPanel(in)
	v.Flags = buildFlags(in, in.Rules.Actions(store.Viewer{ID: u.ID, Roles: u.Roles}, rec.Facts(0), now))
	v.Face = buildFace(v, rec)
	v.Checklist = buildChecklist(in, v)
	v.VideoFace = buildVideoFace(v)
	v.Privacy = buildPrivacy(in)
	v.Retention = buildRetention(in)
	return v
}

// timeline lists decisions, second approvals, returns and reopens in the order they happened.
func timeline(rules store.Rules, ds []store.Decision, rs []store.Reopen) []TimelineEvent {
	var out []TimelineEvent
	for _, d := range ds {
		title := ""
		if d.NeedsApproval && len(d.Approvals) == 0 {
			title = "waits for a second approval"
		} else if d.NeedsApproval {
			title = "made for a second approval"
		}
		out = append(out, TimelineEvent{At: d.DecidedAt, Who: d.DecidedByName, Kind: "decision",
			Badge: strings.ToUpper(d.Outcome), Title: title, Reason: rules.ReasonLabel(d.ReasonCode), Note: d.Note,
			TestID: "timeline-decision", Checklist: checklistLines(d.Checklist)})
		for _, ap := range d.Approvals {
			ev := TimelineEvent{At: ap.At, Who: ap.ByName, Kind: ap.Verdict, TestID: "timeline-" + ap.Verdict}
			if ap.Verdict == store.VerdictApproved {
				ev.Badge, ev.Title, ev.Note = "APPROVED", "second approval", ap.Reason
			} else {
				ev.Badge, ev.Title, ev.Note = "RETURNED", "sent it back to "+d.DecidedByName, ap.Reason
			}
			out = append(out, ev)
		}
	}
	for _, r := range rs {
		out = append(out, TimelineEvent{At: r.At, Who: r.ByName, Kind: "reopened", Badge: "REOPENED",
			Title: "reopened the case", Note: r.Reason, TestID: "timeline-reopen"})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// banners say where the case stands when a decision exists: decided, waiting for a second
// approval, or changed by a callback after the decision.
func banners(rules store.Rules, rec store.CaseRecord, ds []store.Decision) []Banner {
	if len(ds) == 0 {
		return nil
	}
	last := ds[len(ds)-1]
	verb, what, level := "allowed", "Allowed", StatusGreen
	if last.Outcome == store.OutcomeDecline {
		verb, what, level = "declined", "Declined", StatusRed
	}
	reason := rules.ReasonLabel(last.ReasonCode)
	var out []Banner
	switch rec.ReviewState {
	case store.ReviewDecided:
		text := fmt.Sprintf("by %s (%s) on", last.DecidedByName, reason)
		if n := len(last.Approvals); n > 0 && last.Approvals[n-1].Verdict == store.VerdictApproved {
			text = fmt.Sprintf("by %s (%s), approved by %s; decided on", last.DecidedByName, reason, last.Approvals[n-1].ByName)
		}
		out = append(out, Banner{Level: level, Title: what, Text: text, At: last.DecidedAt, TestID: "banner-decided"})
	case store.ReviewPendingApproval:
		out = append(out, Banner{Level: StatusAmber, Title: "Waiting for a second approval.",
			Text: fmt.Sprintf("%s %s the case (%s) on", last.DecidedByName, verb, reason), At: last.DecidedAt,
			TestID: "banner-pending"})
	}
	if rec.ChangedAfterDecision {
		out = append(out, Banner{Level: StatusAmber, Title: "Changed after decision.",
			Text: fmt.Sprintf("A new callback arrived after %s %s the case on", last.DecidedByName, verb),
			At:   last.DecidedAt, TestID: "banner-changed"})
	}
	return out
}

// buildDecisionPanel gives the viewer the controls the review rules allow them now (store.CaseActions,
// the same answer the store's own checks give). Someone who cannot decide (an auditor) gets none:
// only the sentence saying where the case stands.
func buildDecisionPanel(in CaseInput) DecisionPanel {
	rec, rules, now, u, csrf := in.Record, in.Rules, in.Now, in.Viewer, in.CSRF
	var maker int64
	if n := len(in.Decisions); n > 0 {
		maker = in.Decisions[n-1].DecidedBy
	}
	var pendingMaker int64
	if rec.ReviewState == store.ReviewPendingApproval {
		pendingMaker = maker
	}
	facts := rec.Facts(pendingMaker)
	if rec.ReviewState == store.ReviewPendingApproval {
		facts.PendingOutcome = in.Decisions[len(in.Decisions)-1].Outcome
	}
	facts.Evidence = store.EvidenceOf(in.Media, rules.RequiredEvidence(rec.Source))
	acts := rules.Actions(store.Viewer{ID: u.ID, Roles: u.Roles}, facts, now)
	live := rules.ClaimLive(facts, now)
	mine := rec.ClaimedBy != 0 && rec.ClaimedBy == u.ID
	p := DecisionPanel{CaseID: rec.ID, CSRF: csrf, ReviewState: rec.ReviewState,
		NoteForAllow: strings.EqualFold(rec.Overall, store.StatusSuspected),
		ReturnReason: in.ReturnReason, ReopenReason: in.ReopenReason, Errors: in.PanelErrors}
	if rec.ClaimedBy != 0 {
		p.Claim = ClaimView{Holder: rec.ClaimedByName, Mine: mine, Live: live, Since: rec.ClaimedAt,
			Expires: rec.ClaimTouchedAt.Add(rules.ClaimTTL)}
	}
	p.ShowClaim = acts.Claim.Allowed && !(mine && live)
	p.ShowForm = acts.Decide.Allowed
	// Whoever holds a live claim can give it back, whatever became of the case meanwhile (a late
	// callback can make a held case need no decision).
	p.ShowRelease = acts.Release.Allowed && live
	p.ShowReassign = acts.Reassign.Allowed && len(in.Deciders) > 0
	p.ShowApprove = acts.Approve.Allowed
	if !acts.Allow.Allowed && acts.Decide.Allowed {
		p.AllowBlocked = acts.Allow.Why // the evidence rule: Allow stays visible, disabled, with why
	}
	if !acts.Approve.Allowed && acts.Return.Allowed {
		p.ShowApprove, p.ApproveBlocked = true, acts.Approve.Why
	}
	p.ShowReopen = acts.Reopen.Allowed
	switch rec.ReviewState {
	case store.ReviewNeedsDecision:
		p.Status, p.StatusLevel = "Waiting for a decision.", StatusAmber
		if !live {
			p.Status = "Waiting for a decision; nobody holds it."
		}
	case store.ReviewPendingApproval:
		p.Status, p.StatusLevel = "The decision waits for a supervisor's second approval.", StatusAmber
		p.MakerWaiting = maker == u.ID
		if p.MakerWaiting && (u.Has(store.RoleReviewer) || u.Has(store.RoleSupervisor)) {
			p.Status = "You made this decision; a different supervisor must approve it."
		}
	case store.ReviewDecided:
		p.Status, p.StatusLevel = "Final: the outcome is recorded above. A supervisor can reopen the case.", StatusGreen
		if n := len(in.Decisions); n > 0 && in.Decisions[n-1].Outcome == store.OutcomeDecline {
			p.StatusLevel = StatusRed
		}
	default:
		p.Status, p.StatusLevel = "No decision needed: the vendor's result stands on its own.", StatusGrey
	}
	if p.ShowForm {
		p.Form = DecisionForm{SeenDelivery: rec.SnapshotDelivery, ThenNext: true, Next: in.From}
		if in.Form != nil {
			p.Form = *in.Form
			p.Form.SeenDelivery = rec.SnapshotDelivery
		}
		p.Warnings = decisionWarnings(in)
		for _, rc := range rules.ReasonsFor(rec.Source, "") {
			p.Reasons = append(p.Reasons, ReasonOption{Code: rc.Code, Label: rc.Label, Outcome: rc.Outcome})
		}
	}
	for _, du := range in.Deciders {
		if du.ID == rec.ClaimedBy && live {
			continue // already theirs
		}
		name := du.Name()
		if du.ID == u.ID {
			name = "Me (" + name + ")" // a supervisor takes the case over
		}
		p.Deciders = append(p.Deciders, UserOption{ID: du.ID, Name: name})
	}
	p.ShowReassign = p.ShowReassign && len(p.Deciders) > 0
	return p
}

// decisionWarnings are what the reviewer should know before recording: that the vendor's result is
// still automatic, or that the second approval the rules ask for cannot be given by anyone enabled.
func decisionWarnings(in CaseInput) []string {
	rec := in.Record
	var out []string
	if rec.Source == store.SourceMarkID && !rec.Final {
		out = append(out, "This is the vendor's automatic result (final: false). Its manual review may still come and change the case; a late result would mark your decision \"changed after decision\".")
	}
	if in.Rules.NeedsFourEyes(rec.Source) {
		others := 0
		for _, id := range in.Supervisors {
			if id != in.Viewer.ID {
				others++
			}
		}
		if others == 0 {
			out = append(out, "Your decision will wait for a second approval by a supervisor other than you, and no such supervisor is enabled. Ask an admin to enable one, or to turn four-eyes off for "+rec.Source.Label()+" on Settings.")
		}
	}
	return out
}
