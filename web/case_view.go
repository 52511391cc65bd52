package web

import (
	"fmt"
	"net/http"
	"slices"

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
	recordView   bool                // a GET: audit the view
	form         *views.DecisionForm // the reviewer's input to show again
	panelErrors  map[string]string
	returnReason string
	reopenReason string
	flagForm     string // the hold, escalate or send-back form to show again, with flagReason
	flagReason   string
	pageError    string
	reveal       string             // a field revealed for this page view (store.FieldAadhaar...)
	revealID     int64              // that reveal's audit entry: the grant for the original images
	privacy      views.PrivacyInput // the reveal form's input and problems to show again
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
	notes      []store.CaseNote
	flags      []store.CaseFlag
	related    []store.RelatedCase
	retention  store.CaseRetention
	relatedN   int
	checklist  []store.ChecklistEntry
	redactions map[int64]store.Redaction
}

func (a *App) loadCase(c echo.Context, id int64, r caseRender) (caseData, error) {
	ctx := c.Request().Context()
	var d caseData
	var err error
	if d.rec, err = a.db.CaseByID(ctx, id); err != nil {
		return d, err
	}
	u := currentUser(c)
	if d.media, err = a.db.CaseMedia(ctx, id); err != nil {
		return d, err
	}
	if r.recordView {
		// One entry per page view names the archived media the page shows; the thumbnails and
		// players it loads then add no entry of their own.
		var shown []int64
		for _, m := range d.media {
			if m.State == store.MediaStateArchived {
				shown = append(shown, m.ID)
				a.views.first(currentSessionID(c), m.ID)
			}
		}
		if err := a.db.RecordCaseView(ctx, actor(c), id, shown); err != nil {
			return d, err
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
	if (u.Has(store.RoleReviewer) || u.Has(store.RoleSupervisor)) && d.rec.ReviewState == store.ReviewNeedsDecision {
		// Who may take the case over, and whether a second approval can be given at all.
		if d.deciders, err = a.db.Deciders(ctx); err != nil {
			return d, err
		}
	}
	if d.notes, err = a.db.CaseNotes(ctx, id); err != nil {
		return d, err
	}
	if d.flags, err = a.db.CaseFlags(ctx, id); err != nil {
		return d, err
	}
	if d.related, d.relatedN, err = a.db.RelatedCases(ctx, d.rec, d.linked); err != nil {
		return d, err
	}
	if d.checklist, err = a.db.CaseChecklist(ctx, id); err != nil {
		return d, err
	}
	if d.retention, err = a.db.CaseRetentionOf(ctx, id); err != nil {
		return d, err
	}
	if d.redactions, err = a.db.CaseRedactions(ctx, id); err != nil {
		return d, err
	}
	return d, nil
}

// renderCase renders the case page with the given status and any form state to show again.
func (a *App) renderCase(c echo.Context, id int64, r caseRender) error {
	d, err := a.loadCase(c, id, r)
	if err != nil {
		return err
	}
	m := a.masker(c)
	if r.reveal != "" {
		m = m.Reveal(r.reveal)
	}
	priv := maskCase(&d, m)
	priv.Errors, priv.Field, priv.Reason, priv.Text = r.privacy.Errors, r.privacy.Field, r.privacy.Reason, r.privacy.Text
	priv.MayReveal = a.rules().MayReveal(currentUser(c).Roles)
	if r.reveal == store.FieldOriginalImages {
		priv.OriginalReveal = r.revealID
	}
	p := a.page(c, caseTitle(d.rec), "queue")
	if r.pageError != "" {
		p.Error = r.pageError
	}
	u := currentUser(c)
	view := views.BuildCase(views.CaseInput{
		Record: d.rec, Deliveries: d.deliveries, Bodies: d.bodies, Media: d.media, Decisions: d.decisions,
		Reopens: d.reopens, Linked: d.linked, Deciders: d.deciders, Related: d.related, RelatedTotal: d.relatedN, Notes: d.notes, Flags: d.flags,
		Checklist: d.checklist, Redactions: d.redactions,
		Viewer: u, Rules: a.rules(), Now: a.cfg.Now(), Lang: c.QueryParam("lang"), From: c.QueryParam("from"), CSRF: p.CSRF,
		Supervisors: supervisorIDs(d.deciders), Privacy: priv, Retention: d.retention,
		Form: r.form, PanelErrors: r.panelErrors, ReturnReason: r.returnReason, ReopenReason: r.reopenReason,
		FlagForm: r.flagForm, FlagReason: r.flagReason,
	})
	if view.Panel.ShowClaim {
		p.Shortcuts = append(p.Shortcuts, views.Shortcut{Key: "c", Action: "Claim this case"})
	}
	if view.Panel.ShowForm {
		p.Shortcuts = append(p.Shortcuts, views.Shortcut{Key: "a", Action: "Choose Allow"},
			views.Shortcut{Key: "d", Action: "Choose Decline"})
	}
	p.Shortcuts = append(p.Shortcuts, checklistShortcuts(view)...)
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if view.Face != nil || (view.VideoFace != nil && view.VideoFace.Missing == "") {
		allowWasm(c.Response().Header())
	}
	return a.render(c, r.status, views.Case(p, view))
}

func caseTitle(rec store.CaseRecord) string {
	if rec.Name != "" {
		return rec.Name
	}
	return fmt.Sprintf("Case %d", rec.ID)
}

// supervisorIDs are the ids of the supervisors among users.
func supervisorIDs(users []store.User) []int64 {
	var out []int64
	for _, u := range users {
		if u.Has(store.RoleSupervisor) {
			out = append(out, u.ID)
		}
	}
	return out
}
