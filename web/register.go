package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

// registerPageRows is how many final decisions the register page lists; the downloads hold all.
const registerPageRows = 100

// registerColumns are the register's columns, in the CSV header's and JSON Lines' order.
var registerColumns = []string{"decision_id", "case_id", "source", "ref", "client_id", "name", "vendor_status",
	"reviewer", "approver", "first_callback_at", "claimed_at", "decided_at", "approved_at", "outcome", "reason",
	"note", "dispositions", "media_hashes", "audit_id"}

// ExportDecisions writes the decision register, one row per final decision, as CSV or JSON Lines,
// streaming, with the exports' formula guard on CSV cells.
func ExportDecisions(ctx context.Context, db *store.DB, w io.Writer, format string, f store.RegisterFilter) error {
	rw, err := newRowWriter(w, format, registerColumns)
	if err != nil {
		return err
	}
	err = db.StreamRegister(ctx, f, func(r store.RegisterRow) error {
		return rw.write(r.DecisionID, r.CaseID, string(r.Source), r.Ref, r.ClientID, r.Name, r.VendorStatus, r.Reviewer,
			r.Approver, r.FirstAt, r.ClaimedAt, r.DecidedAt, r.ApprovedAt, r.Outcome, r.Reason, r.Note, r.Dispositions,
			r.MediaHashes, r.AuditID)
	})
	if err != nil {
		return err
	}
	return rw.flush()
}

// RegisterFilterFrom reads the register's filters as the page and the CLI take them: days as
// YYYY-MM-DD (UTC, both inclusive), source, outcome and reviewer. Problems come back per field.
func RegisterFilterFrom(from, to, source, outcome, reviewer string) (store.RegisterFilter, map[string]string) {
	errs := map[string]string{}
	var f store.RegisterFilter
	r, err := AuditRange(from, to, time.UTC)
	if err != nil {
		errs["from"] = err.Error()
	} else if !r.From.IsZero() && !r.To.IsZero() && !r.To.After(r.From) {
		errs["to"] = "The end date is before the start date."
	}
	f.From, f.To = r.From, r.To
	switch store.Source(source) {
	case "", store.SourceMarkID, store.SourceVCIP:
		f.Source = store.Source(source)
	default:
		errs["source"] = "Choose a source from the list."
	}
	switch outcome {
	case "", store.OutcomeAllow, store.OutcomeDecline:
		f.Outcome = outcome
	default:
		errs["outcome"] = "The outcome is allow or decline."
	}
	if len(reviewer) > 100 {
		errs["reviewer"] = "The reviewer is a username of at most 100 characters."
	}
	f.Reviewer = reviewer
	return f, errs
}

func registerForm(c echo.Context) (views.RegisterPage, store.RegisterFilter) {
	v := views.RegisterPage{From: strings.TrimSpace(c.QueryParam("from")), To: strings.TrimSpace(c.QueryParam("to")),
		Source: strings.TrimSpace(c.QueryParam("source")), Outcome: strings.TrimSpace(c.QueryParam("outcome")),
		Reviewer: strings.TrimSpace(c.QueryParam("reviewer")), Sources: dashSources}
	f, errs := RegisterFilterFrom(v.From, v.To, v.Source, v.Outcome, v.Reviewer)
	v.Errors = errs
	return v, f
}

func registerQuery(v views.RegisterPage) url.Values {
	q := url.Values{}
	for k, val := range map[string]string{"from": v.From, "to": v.To, "source": v.Source, "outcome": v.Outcome, "reviewer": v.Reviewer} {
		if val != "" {
			q.Set(k, val)
		}
	}
	return q
}

// handleRegister shows the newest final decisions matching the filters, with the downloads of all of them.
func (a *App) handleRegister(c echo.Context) error {
	ctx := c.Request().Context()
	v, f := registerForm(c)
	status := http.StatusOK
	if len(v.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	} else {
		f.Limit, f.NewestFirst = registerPageRows+1, true
		if err := a.db.StreamRegister(ctx, f, func(r store.RegisterRow) error {
			v.Rows = append(v.Rows, r)
			return nil
		}); err != nil {
			return err
		}
		if len(v.Rows) > registerPageRows {
			v.Rows, v.More = v.Rows[:registerPageRows], true
		}
	}
	csv, jsonl := registerQuery(v), registerQuery(v)
	csv.Set("format", "csv")
	jsonl.Set("format", "jsonl")
	v.ExportCSV, v.ExportJSONL = withQuery("/audit/decisions/export", csv), withQuery("/audit/decisions/export", jsonl)
	users, err := a.db.Deciders(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		v.Reviewers = append(v.Reviewers, u.Username)
	}
	return a.render(c, status, views.Register(a.page(c, "Decision register", "audit"), v))
}

// handleRegisterExport streams the register as CSV or JSON Lines; the export is audited first.
func (a *App) handleRegisterExport(c echo.Context) error {
	ctx := c.Request().Context()
	format, err := exportFormat(c)
	if err != nil {
		return err
	}
	v, f := registerForm(c)
	if len(v.Errors) > 0 {
		return filterErrors(v.Errors, "from", "to", "source", "outcome", "reviewer")
	}
	me := actor(c)
	if err := a.db.Audit(ctx, store.AuditEntry{Actor: me.Name, ActorID: me.ID, Action: "export.decisions",
		TargetType: "export", TargetID: "decisions." + format, Details: map[string]any{
			"format": format, "from": v.From, "to": v.To, "source": v.Source, "outcome": v.Outcome, "reviewer": v.Reviewer,
			"via": "web"}}); err != nil {
		return err
	}
	h := c.Response().Header()
	if format == "csv" {
		h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	} else {
		h.Set(echo.HeaderContentType, "application/x-ndjson; charset=utf-8")
	}
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+exportFilename("decisions", v.From, v.To, format)+`"`)
	c.Response().WriteHeader(http.StatusOK)
	start := time.Now()
	if err := ExportDecisions(ctx, a.db, c.Response(), format, f); err != nil {
		a.log.Warn("decision register export cut short", "user", me.Name, "err", err, "after", time.Since(start))
	}
	return nil
}
