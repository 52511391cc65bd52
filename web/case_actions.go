package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

// caseID reads the :id path parameter; anything but a positive integer is a 404.
func caseID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return id, nil
}

func caseURL(id int64, flash string) string {
	u := "/cases/" + strconv.FormatInt(id, 10)
	if flash != "" {
		u += "?flash=" + flash
	}
	return u
}

// afterAction finishes a case POST: success redirects (303) to where, a form problem re-renders
// the case with the field errors (422), and a conflict re-renders it with the sentence (409).
func (a *App) afterAction(c echo.Context, id int64, err error, where string, r caseRender) error {
	r.recordView = true // the page is shown again: a view
	if err == nil {
		return c.Redirect(http.StatusSeeOther, where)
	}
	if fields, ok := fieldErrors(err, ""); ok {
		r.status = http.StatusUnprocessableEntity
		r.pageError = "Check the highlighted fields."
		if r.form != nil {
			r.form.Errors = fields
		} else {
			r.panelErrors = fields
		}
		return a.renderCase(c, id, r)
	}
	if e, ok := store.AsError(err); ok && (e.Kind == store.KindConflict || e.Kind == store.KindForbidden) {
		r.status = statusOf(e.Kind)
		r.pageError = e.Message
		return a.renderCase(c, id, r)
	}
	return err
}

// handleClaim gives the case to the signed-in reviewer.
func (a *App) handleClaim(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	err = a.db.Claim(c.Request().Context(), actor(c), id)
	return a.afterAction(c, id, err, caseURL(id, "claimed"), caseRender{})
}

// handleRelease gives the case back to the queue.
func (a *App) handleRelease(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	err = a.db.Release(c.Request().Context(), actor(c), id)
	return a.afterAction(c, id, err, "/cases?flash=released", caseRender{})
}

// handleClaimNext claims the oldest case nobody holds in the queue view the reviewer is on (its
// tab and filters come as "from") and opens it.
func (a *App) handleClaimNext(c echo.Context) error {
	return a.openNext(c, c.FormValue("from"), "claimed", "nonext")
}

// openNext claims the next case of the queue view from (an encoded queue query) and opens it with
// flash; with none left it goes back to that view with noneFlash.
func (a *App) openNext(c echo.Context, from, flash, noneFlash string) error {
	vals, _ := url.ParseQuery(from)
	q, f := a.parseQueue(vals, currentUser(c))
	id, err := a.db.ClaimNext(c.Request().Context(), actor(c), f)
	if errors.Is(err, store.ErrNotFound) {
		v := q.query(q.tab)
		v.Set("flash", noneFlash)
		return c.Redirect(http.StatusSeeOther, queueURL(v))
	}
	if err != nil {
		return err
	}
	u := caseLink(id, q.query(q.tab))
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return c.Redirect(http.StatusSeeOther, u+sep+"flash="+flash)
}

// handleReassign hands the case to another reviewer (supervisors).
func (a *App) handleReassign(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	to, _ := strconv.ParseInt(c.FormValue("user_id"), 10, 64)
	err = a.db.Reassign(c.Request().Context(), actor(c), id, to)
	return a.afterAction(c, id, err, caseURL(id, "reassigned"), caseRender{})
}

// handleDecision records an allow or decline. The store checks it against the review rules;
// problems re-render the case with the reviewer's input kept and each problem beside its field.
func (a *App) handleDecision(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	seen, _ := strconv.ParseInt(c.FormValue("seen"), 10, 64)
	if seen <= 0 {
		// The form always says which evidence was on screen; without it, nothing proves it was seen.
		seen = -1
	}
	form := views.DecisionForm{
		Outcome:      strings.TrimSpace(c.FormValue("outcome")),
		Reason:       strings.TrimSpace(c.FormValue("reason")),
		Note:         c.FormValue("note"),
		Confirm:      c.FormValue("confirm") == "1",
		ThenNext:     c.FormValue("then_next") == "1",
		Next:         c.FormValue("next"),
		SeenDelivery: seen,
	}
	in := store.DecisionInput{CaseID: id, Outcome: form.Outcome, ReasonCode: form.Reason, Note: form.Note, SeenDelivery: seen,
		FaceMatch: store.ParseFaceMatch(c.FormValue("face_score"), c.FormValue("face_model"), c.FormValue("face_frame_ms"))}
	err = a.db.CheckDecision(ctx, actor(c), in)
	problems, formOnly := fieldErrors(err, "")
	if err == nil {
		problems, formOnly = map[string]string{}, true
	}
	if formOnly && !form.Confirm {
		problems["confirm"] = "Tick the box to confirm you have checked the evidence."
	}
	if formOnly && len(problems) > 0 {
		form.Errors = problems
		return a.renderCase(c, id, caseRender{status: http.StatusUnprocessableEntity, form: &form, recordView: true,
			pageError: "Check the highlighted fields."})
	}
	var d store.Decision
	if err == nil {
		d, err = a.db.Decide(ctx, actor(c), in)
	}
	if err != nil {
		// Whatever went wrong, the reviewer confirms again after looking at the page as it is now.
		form.Confirm = false
	}
	if errors.Is(err, store.ErrConflict) && a.reclaimLapsed(c, id) {
		// The reviewer's own claim ran out while they wrote; nobody else took the case. Keep what
		// they wrote and give the case back to them, rather than throwing the note away.
		return a.renderCase(c, id, caseRender{status: http.StatusConflict, form: &form, recordView: true,
			pageError: fmt.Sprintf("Your claim had lapsed after %s without activity; the case is yours again. "+
				"Check the evidence, tick the box and record the decision.", formatMinutes(a.rules().ClaimTTL))})
	}
	flash := "decided"
	if d.NeedsApproval {
		flash = "pending"
	}
	if err == nil && form.ThenNext {
		// Decide and next: the next case of the same view opens, already held.
		return a.openNext(c, form.Next, flash+"-next", flash+"-nonext")
	}
	return a.afterAction(c, id, err, caseURL(id, flash), caseRender{form: &form})
}

// reclaimLapsed claims the case again for the signed-in reviewer when it was theirs and their
// claim lapsed with nobody else taking it; it reports whether it did.
func (a *App) reclaimLapsed(c echo.Context, id int64) bool {
	ctx := c.Request().Context()
	rec, err := a.db.CaseByID(ctx, id)
	if err != nil || rec.ReviewState != store.ReviewNeedsDecision || rec.ClaimedBy != currentUser(c).ID ||
		rec.ClaimLive(a.cfg.Now().Add(-a.rules().ClaimTTL)) {
		return false
	}
	return a.db.Claim(ctx, actor(c), id) == nil
}

// handleApprove gives a pending decision its second approval (supervisors; not the decision's maker).
func (a *App) handleApprove(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	err = a.db.Approve(c.Request().Context(), actor(c), id, c.FormValue("approve_comment"))
	return a.afterAction(c, id, err, caseURL(id, "approved"), caseRender{})
}

// handleReturn sends a pending decision back to the queue with a reason (supervisors).
func (a *App) handleReturn(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	reason := c.FormValue("return_reason")
	err = a.db.Return(c.Request().Context(), actor(c), id, reason)
	return a.afterAction(c, id, err, caseURL(id, "returned"), caseRender{returnReason: reason})
}

// handleReopen sends a decided case back for a new decision, with a reason (supervisors).
func (a *App) handleReopen(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	reason := c.FormValue("reopen_reason")
	err = a.db.Reopen(c.Request().Context(), actor(c), id, reason)
	return a.afterAction(c, id, err, caseURL(id, "reopened"), caseRender{reopenReason: reason})
}

// formatMinutes says a duration in whole minutes, e.g. "30 minutes".
func formatMinutes(d time.Duration) string {
	if m := int(d.Minutes()); m != 1 {
		return fmt.Sprintf("%d minutes", m)
	}
	return "1 minute"
}

// handleCaseNote records a note on the case for colleagues (reviewers and supervisors).
func (a *App) handleCaseNote(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	err = a.db.AddCaseNote(c.Request().Context(), actor(c), id, c.FormValue("case_note"))
	return a.afterAction(c, id, err, caseURL(id, "noted"), caseRender{})
}
