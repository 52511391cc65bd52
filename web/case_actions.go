package web

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

// ReasonCode is one reason a reviewer can give for a decision.
type ReasonCode struct {
	Code    string // stored with the decision, e.g. "face_matches"
	Label   string // shown on the form and in the history, e.g. "Face matches"
	Outcome string // store.OutcomeAllow, store.OutcomeDecline, or "" for either
}

// defaultReasonCodes are offered unless Config.ReasonCodes lists others.
var defaultReasonCodes = []ReasonCode{
	{"document_genuine", "Document genuine", store.OutcomeAllow},
	{"face_matches", "Face matches", store.OutcomeAllow},
	{"tags_explained", "Tags explained", store.OutcomeAllow},
	{"customer_known", "Customer known", store.OutcomeAllow},
	{"document_forged", "Document forged", store.OutcomeDecline},
	{"face_mismatch", "Face mismatch", store.OutcomeDecline},
	{"sanctions_pep_hit", "Sanctions or PEP hit", store.OutcomeDecline},
	{"outside_india", "Customer outside India", store.OutcomeDecline},
	{"poor_quality", "Poor quality", store.OutcomeDecline},
	{"other", "Other", ""},
}

// reasonCodes is the list of reasons in force (settings page, flags, or the defaults).
func (a *App) reasonCodes() []ReasonCode { return a.rules().ReasonCodes }

// reasonLabel is how a stored reason code reads; a code no longer configured shows verbatim.
func (a *App) reasonLabel(code string) string {
	for _, r := range a.reasonCodes() {
		if r.Code == code {
			return r.Label
		}
	}
	return code
}

// fourEyesSources lists the sources whose decisions need a second approval.
func (a *App) fourEyesSources() []store.Source {
	var out []store.Source
	rules := a.rules()
	if rules.FourEyesMarkID {
		out = append(out, store.SourceMarkID)
	}
	if rules.FourEyesVCIP {
		out = append(out, store.SourceVCIP)
	}
	return out
}

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
	var ve *store.ValidationError
	r.recordView = true // the page is shown again: a view, and activity on the reviewer's claim
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, where)
	case errors.As(err, &ve):
		r.status = http.StatusUnprocessableEntity
		r.pageError = "Check the highlighted fields."
		if r.form != nil {
			r.form.Errors = ve.Fields
		} else {
			r.panelErrors = ve.Fields
		}
		return a.renderCase(c, id, r)
	case errors.Is(err, store.ErrConflict):
		r.status = http.StatusConflict
		r.pageError = userMessage(err)
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
	err = a.db.Claim(c.Request().Context(), actor(c), id, a.rules().ClaimTTL)
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

// handleClaimNext claims the oldest case nobody holds and opens it.
func (a *App) handleClaimNext(c echo.Context) error {
	id, err := a.db.ClaimNext(c.Request().Context(), actor(c), a.rules().ClaimTTL)
	if errors.Is(err, store.ErrNotFound) {
		return c.Redirect(http.StatusSeeOther, "/cases?flash=nonext")
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, caseURL(id, "claimed"))
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

// handleDecision records an allow or decline. Problems with the form re-render the case with
// the reviewer's input kept and each problem beside its field.
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
		SeenDelivery: seen,
	}
	webProblems := a.decisionFormProblems(form)
	in := store.DecisionInput{CaseID: id, Outcome: form.Outcome, ReasonCode: form.Reason, Note: form.Note,
		SeenDelivery: seen, FourEyes: a.fourEyesSources(), FormProblems: webProblems}
	problems := maps.Clone(webProblems)
	rec, err := a.db.CaseByID(ctx, id)
	if err != nil {
		return err
	}
	for k, v := range store.DecisionProblems(rec.Overall, in) {
		if _, ok := problems[k]; !ok {
			problems[k] = v
		}
	}
	u := currentUser(c)
	holding := rec.ReviewState == store.ReviewNeedsDecision && rec.ClaimedBy == u.ID &&
		rec.ClaimLive(a.cfg.Now().Add(-a.rules().ClaimTTL))
	if len(problems) > 0 && holding {
		form.Errors = problems
		return a.renderCase(c, id, caseRender{status: http.StatusUnprocessableEntity, form: &form, recordView: true,
			pageError: "Check the highlighted fields."})
	}
	// Not holding the case: the store explains why (a conflict) before any form problem.
	ttl := a.rules().ClaimTTL
	d, err := a.db.Decide(ctx, actor(c), in, ttl)
	if err != nil {
		// Whatever went wrong, the reviewer confirms again after looking at the page as it is now.
		form.Confirm = false
	}
	lapsed := rec.ReviewState == store.ReviewNeedsDecision && rec.ClaimedBy == u.ID && !holding
	if errors.Is(err, store.ErrConflict) && lapsed && a.db.Claim(ctx, actor(c), id, ttl) == nil {
		// The reviewer's own claim ran out while they wrote; nobody else took the case. Keep what
		// they wrote and give the case back to them, rather than throwing the note away.
		return a.renderCase(c, id, caseRender{status: http.StatusConflict, form: &form, recordView: true,
			pageError: fmt.Sprintf("Your claim had lapsed after %s without activity; the case is yours again. "+
				"Check the evidence, tick the box and record the decision.", formatMinutes(ttl))})
	}
	flash := "decided"
	if d.NeedsApproval {
		flash = "pending"
	}
	return a.afterAction(c, id, err, caseURL(id, flash), caseRender{form: &form})
}

// decisionFormProblems checks what only the web layer knows: the configured reasons, and the
// confirmation box.
func (a *App) decisionFormProblems(f views.DecisionForm) map[string]string {
	p := map[string]string{}
	if f.Reason != "" {
		var rc *ReasonCode
		for i, r := range a.reasonCodes() {
			if r.Code == f.Reason {
				rc = &a.reasonCodes()[i]
			}
		}
		switch {
		case rc == nil:
			p["reason"] = "Choose a reason from the list."
		case rc.Outcome != "" && (f.Outcome == store.OutcomeAllow || f.Outcome == store.OutcomeDecline) && rc.Outcome != f.Outcome:
			p["reason"] = fmt.Sprintf("“%s” is a reason to %s; choose one that fits your outcome.", rc.Label, rc.Outcome)
		}
	}
	if !f.Confirm {
		p["confirm"] = "Tick the box to confirm you have checked the evidence."
	}
	return p
}

// handleApprove gives a pending decision its second approval (supervisors; not the decision's maker).
func (a *App) handleApprove(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	err = a.db.Approve(c.Request().Context(), actor(c), id)
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
