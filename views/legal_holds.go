package views

import (
	"net/url"
	"strconv"

	"github.com/kycdesk/kycdesk/store"
)

// LegalHoldsPage is the page of every legal hold in force (supervisors and admins), newest first,
// with a form to place a hold by case number or by client ID and a Lift form per row.
type LegalHoldsPage struct {
	Holds []store.HoldInForce
	Total int    // every hold in force
	Find  string // the find box: a client ID or a case number
	// Before is the page's keyset cursor (0: the newest page); Next the next page's (0: none).
	Before, Next int64
	// CaseLinks is true for a viewer who may open case pages (a supervisor); an admin sees the
	// case number without a link.
	CaseLinks bool
	Form      HoldForm
	// LiftHold and LiftError: the row whose Lift form was refused, and why.
	LiftHold  int64
	LiftError string
}

// HoldForm is what was typed into one of the two place-a-hold forms.
type HoldForm struct {
	Scope    string // "case" or "client": the form that was posted
	Case     string
	ClientID string
	Reason   string
	Errors   map[string]string
}

// errs are the form's errors when scope is the form that was posted, else none.
func (f HoldForm) errs(scope string) map[string]string {
	if f.Scope != scope {
		return nil
	}
	return f.Errors
}

// value is what was typed into the form of scope, else "".
func (f HoldForm) value(scope, v string) string {
	if f.Scope != scope {
		return ""
	}
	return v
}

// lhURL is the address of the page with its find and cursor.
func lhURL(find string, before int64) string {
	q := url.Values{}
	if find != "" {
		q.Set("find", find)
	}
	if before > 0 {
		q.Set("before", strconv.FormatInt(before, 10))
	}
	if len(q) == 0 {
		return "/legal-holds"
	}
	return "/legal-holds?" + q.Encode()
}

// lhCovers is "1 case", "12 cases", or "no case yet".
func lhCovers(n int) string {
	switch n {
	case 0:
		return "no case yet"
	case 1:
		return "1 case"
	}
	return strconv.Itoa(n) + " cases"
}

// lhReason is a hold's reason as shown: an Aadhaar number in it reads masked.
func lhReason(r string) string { return store.MaskAadhaarText(r) }

// lhLiftConfirm is the lift button's confirmation sentence.
func lhLiftConfirm(h store.HoldInForce) string {
	if h.CaseID != 0 {
		return "Lift the hold on case " + strconv.FormatInt(h.CaseID, 10) + "? Its retention policy applies again unless another hold covers it."
	}
	return "Lift the hold on every case of client " + h.ClientID + "? Their retention policy applies again unless another hold covers them."
}

// lhScope is "case" or "client".
func lhScope(h store.HoldInForce) string {
	if h.CaseID != 0 {
		return "case"
	}
	return "client"
}

// liftErrors are the field errors of hold h's Lift form: the refused lift's, none for the others.
func (v LegalHoldsPage) liftErrors(h int64) map[string]string {
	if v.LiftHold != h || v.LiftError == "" {
		return nil
	}
	return map[string]string{"legal_hold_lift_reason": v.LiftError}
}

// lhPageInfo says what part of the holds the page shows.
func lhPageInfo(v LegalHoldsPage) string {
	n := strconv.Itoa(len(v.Holds))
	switch {
	case v.Next != 0:
		return n + " shown, newest first, " + strconv.Itoa(store.HoldPageSize) + " a page; older holds follow."
	case v.Before != 0:
		if v.Find != "" {
			return "The oldest holds in force that cover " + v.Find + "."
		}
		return "The oldest holds in force."
	case v.Find != "":
		return n + " in force cover " + v.Find + "."
	}
	return "All " + n + " shown, newest first."
}
