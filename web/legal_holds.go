package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

// handleLegalHolds is the legal holds page: every hold in force, newest first, a page at a time,
// with the forms to place and lift holds. Supervisors and admins; admins see case numbers but no
// case pages.
func (a *App) handleLegalHolds(c echo.Context) error {
	return a.renderLegalHolds(c, http.StatusOK, holdsView(c.QueryParam("find"), c.QueryParam("before")), "")
}

// holdsView is the page's find and cursor, read from the query or from a posted form.
func holdsView(find, before string) views.LegalHoldsPage {
	v := views.LegalHoldsPage{Find: strings.TrimSpace(find)}
	if len(v.Find) > store.MaxClientIDLen {
		v.Find = v.Find[:store.MaxClientIDLen]
	}
	if n, err := strconv.ParseInt(before, 10, 64); err == nil && n > 0 {
		v.Before = n
	}
	return v
}

func (a *App) renderLegalHolds(c echo.Context, status int, v views.LegalHoldsPage, pageError string) error {
	page, err := a.db.ListHolds(c.Request().Context(), store.HoldFilter{Find: v.Find, Before: v.Before})
	if err != nil {
		return err
	}
	v.Holds, v.Total, v.Next = page.Holds, page.Total, page.Next
	u := currentUser(c)
	v.CaseLinks = u != nil && slices.ContainsFunc(caseReaders, u.Has)
	p := a.page(c, "Legal holds", "legal-holds")
	if pageError != "" {
		p.Error = pageError
	}
	return a.render(c, status, views.LegalHolds(p, v))
}

// handleLegalHoldPlace places a hold on one case by its number, or on every case of a client ID.
func (a *App) handleLegalHoldPlace(c echo.Context) error {
	ctx := c.Request().Context()
	f := views.HoldForm{Scope: c.FormValue("scope"), Case: strings.TrimSpace(c.FormValue("legal_hold_case")),
		ClientID: strings.TrimSpace(c.FormValue("legal_hold_client_id")), Reason: c.FormValue("legal_hold_reason")}
	var err error
	var flash string
	switch f.Scope {
	case "case":
		flash = "lh-case"
		id, ok := caseNumber(f.Case)
		if !ok {
			f.Errors = map[string]string{"legal_hold_case": "Give the case number: the N of the case's address, /cases/N."}
			if msg := store.HoldReasonProblem(strings.TrimSpace(f.Reason)); msg != "" {
				f.Errors["legal_hold_reason"] = msg
			}
			return a.renderLegalHolds(c, http.StatusUnprocessableEntity, views.LegalHoldsPage{Form: f}, "")
		}
		err = a.db.PlaceHold(ctx, actor(c), id, false, f.Reason)
		if e, ok := store.AsError(err); ok && e.Kind == store.KindNotFound {
			err = store.FieldErrors(map[string]string{"legal_hold_case": fmt.Sprintf(
				"No case has the number %d. Check it against the case's address or the audit log.", id)})
		}
	case "client":
		flash = "lh-client"
		_, err = a.db.PlaceClientHold(ctx, actor(c), f.ClientID, f.Reason)
	default:
		return echo.NewHTTPError(http.StatusBadRequest, "Choose whether to hold one case or every case of a client.")
	}
	if errs, ok := fieldErrors(err, "legal_hold_reason"); ok {
		f.Errors = errs
		return a.renderLegalHolds(c, http.StatusUnprocessableEntity, views.LegalHoldsPage{Form: f}, "")
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/legal-holds?flash="+flash)
}

// handleLegalHoldsLift lifts a hold from the legal holds page, with a reason, and returns to the
// page (find and cursor) the Lift form was on.
func (a *App) handleLegalHoldsLift(c echo.Context) error {
	hold, err := strconv.ParseInt(c.Param("hold"), 10, 64)
	if err != nil || hold <= 0 {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	v := holdsView(c.FormValue("find"), c.FormValue("before"))
	err = a.db.LiftHold(c.Request().Context(), actor(c), 0, hold, c.FormValue("legal_hold_lift_reason"))
	if errs, ok := fieldErrors(err, "legal_hold_lift_reason"); ok {
		v.LiftHold, v.LiftError = hold, errs["legal_hold_lift_reason"]
		return a.renderLegalHolds(c, http.StatusUnprocessableEntity, v, "")
	}
	if e, ok := store.AsError(err); ok && e.Kind == store.KindConflict {
		return a.renderLegalHolds(c, http.StatusConflict, v, e.Error())
	}
	if err != nil {
		return err
	}
	q := url.Values{"flash": {"lh-lifted"}}
	if v.Find != "" {
		q.Set("find", v.Find)
	}
	if v.Before != 0 {
		q.Set("before", strconv.FormatInt(v.Before, 10))
	}
	return c.Redirect(http.StatusSeeOther, "/legal-holds?"+q.Encode())
}

// caseNumber reads a typed case number: "1024", "#1024", or a pasted case address ending in
// /cases/1024.
func caseNumber(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "/cases/"); i >= 0 {
		s = s[i+len("/cases/"):]
		if j := strings.IndexAny(s, "/?#"); j >= 0 {
			s = s[:j]
		}
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}
