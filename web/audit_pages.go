package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 100

// auditActions are the actions the audit filter offers, in the order people look for them.
var auditActions = []string{
	"login.success", "login.failure", "logout",
	"case.view", "case.claim", "case.release", "case.decision", "case.approve", "case.return", "case.reopen", "case.reassign",
	"media.view", "media.retry", "media.purge",
	"user.create", "user.update", "user.disable", "user.enable",
	"export.audit", "export.report",
	"callback.replay", "webhook.auth_failed", "settings.change",
}

// actionPattern accepts an action ("case.view") or a prefix of a family of actions ("case.").
var actionPattern = regexp.MustCompile(`^[a-z][a-z_]*\.([a-z_]+)?$`)

// auditFilterFrom reads the audit filters from the query. Problems are returned per field in the form,
// as sentences; the filter is only meaningful when there are none.
func auditFilterFrom(c echo.Context) (views.AuditFilterForm, store.AuditFilter) {
	form := views.AuditFilterForm{
		Actor:  strings.TrimSpace(c.QueryParam("actor")),
		Action: strings.TrimSpace(c.QueryParam("action")),
		Case:   strings.TrimPrefix(strings.TrimSpace(c.QueryParam("case")), "#"),
		From:   strings.TrimSpace(c.QueryParam("from")),
		To:     strings.TrimSpace(c.QueryParam("to")),
		Views:  c.QueryParam("views") == "1",
		TZ:     zoneParam(c),
		Errors: map[string]string{},
	}
	var f store.AuditFilter
	if len(form.Actor) > 100 {
		form.Errors["actor"] = "The actor is a username of at most 100 characters."
	}
	if form.Action != "" && !actionPattern.MatchString(form.Action) {
		form.Errors["action"] = "Choose an action from the list."
	}
	if form.Case != "" {
		id, err := strconv.ParseInt(form.Case, 10, 64)
		if err != nil || id <= 0 {
			form.Errors["case"] = "A case is its number, such as 1042."
		}
		f.CaseID = id
	}
	if form.From != "" {
		if _, err := time.Parse(time.DateOnly, form.From); err != nil {
			form.Errors["from"] = "Enter the start date as YYYY-MM-DD."
		}
	}
	if form.To != "" {
		if _, err := time.Parse(time.DateOnly, form.To); err != nil {
			form.Errors["to"] = "Enter the end date as YYYY-MM-DD."
		}
	}
	if form.Errors["from"] == "" && form.Errors["to"] == "" {
		loc, _ := viewerZone(c)
		r, err := AuditRange(form.From, form.To, loc)
		if err != nil {
			form.Errors["from"] = err.Error()
		} else if !r.From.IsZero() && !r.To.IsZero() && !r.To.After(r.From) {
			form.Errors["to"] = "The end date is before the start date."
		}
		f.From, f.To = r.From, r.To
	}
	f.Actor, f.Action = form.Actor, form.Action
	return form, f
}

// auditQuery is the filter as URL parameters, for links that keep it.
func auditQuery(form views.AuditFilterForm) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"actor": form.Actor, "action": form.Action, "case": form.Case, "from": form.From, "to": form.To} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if form.Views {
		q.Set("views", "1")
	}
	if form.TZ != "" {
		q.Set("tz", form.TZ)
	}
	return q
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// handleAudit shows one page of the audit log, newest first. Paging is by keyset (entries older than
// ?before=ID), so a page deep in millions of entries costs the same as the first.
func (a *App) handleAudit(c echo.Context) error {
	ctx := c.Request().Context()
	form, f := auditFilterFrom(c)
	before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	if before < 0 {
		before = 0
	}
	v := views.AuditPage{Filter: form}
	q := auditQuery(form)
	status := http.StatusOK
	if len(form.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	} else {
		// Views are evidence and kept in full, but read as noise: they show when asked for.
		f.ExcludeViews = !form.Views && !strings.HasSuffix(f.Action, ".view") && f.Action != "media.download"
		entries, next, err := a.db.ListAudit(ctx, f, before, auditPageSize)
		if err != nil {
			return err
		}
		v.Entries = entries
		if v.Cases, v.Users, err = a.db.AuditLabels(ctx, entries); err != nil {
			return err
		}
		v.ViewsHidden = f.ExcludeViews
		if next != 0 {
			nq := auditQuery(form)
			nq.Set("before", strconv.FormatInt(next, 10))
			v.NextURL = withQuery("/audit", nq)
		}
		if before > 0 {
			v.NewestURL = withQuery("/audit", q)
		}
	}
	csv, jsonl := auditQuery(form), auditQuery(form)
	csv.Set("format", "csv")
	jsonl.Set("format", "jsonl")
	v.ExportCSV, v.ExportJSONL = withQuery("/audit/export", csv), withQuery("/audit/export", jsonl)
	rq := url.Values{}
	if form.From != "" && form.Errors["from"] == "" {
		rq.Set("from", form.From)
	}
	if form.To != "" && form.Errors["to"] == "" {
		rq.Set("to", form.To)
	}
	v.ReportURL = withQuery("/audit/report", rq)
	v.Actions = auditActionChoices(form.Action)
	users, err := a.db.ListUsers(ctx)
	if err != nil {
		return err
	}
	v.Actors = append(v.Actors, store.SystemActor.Name, "anonymous")
	for _, u := range users {
		v.Actors = append(v.Actors, u.Username)
	}
	if v.HeadID, v.HeadHash, err = a.db.AuditHead(ctx); err != nil {
		return err
	}
	return a.render(c, status, views.Audit(a.page(c, "Audit log", "audit"), v))
}

// auditActionChoices is the action select: every case action at once, then each known action,
// plus the current value if someone linked to an action the list does not know.
func auditActionChoices(current string) []views.AuditAction {
	out := []views.AuditAction{{Value: "case.", Label: "case.* (every case action)"}}
	for _, act := range auditActions {
		out = append(out, views.AuditAction{Value: act, Label: act})
	}
	if current != "" && current != "case." && !slices.Contains(auditActions, current) && actionPattern.MatchString(current) {
		out = append(out, views.AuditAction{Value: current, Label: current})
	}
	return out
}

// handleAuditExport streams the matching entries as CSV or JSON Lines straight from the query to the
// response, so the export of millions of entries needs no more memory than one. The export itself is
// audited first, so the record exists even if the download is cut short.
func (a *App) handleAuditExport(c echo.Context) error {
	ctx := c.Request().Context()
	format, err := exportFormat(c)
	if err != nil {
		return err
	}
	form, f := auditFilterFrom(c)
	if len(form.Errors) > 0 {
		return filterErrors(form.Errors, "actor", "action", "case", "from", "to")
	}
	me := actor(c)
	if err := a.db.Audit(ctx, store.AuditEntry{Actor: me.Name, ActorID: me.ID, Action: "export.audit",
		TargetType: "export", TargetID: "audit." + format, Details: map[string]any{
			"format": format, "from": form.From, "to": form.To, "actor": form.Actor, "action": form.Action,
			"case": form.Case, "via": "web"}}); err != nil {
		return err
	}
	h := c.Response().Header()
	if format == "csv" {
		h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	} else {
		h.Set(echo.HeaderContentType, "application/x-ndjson; charset=utf-8")
	}
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+exportFilename("audit", form.From, form.To, format)+`"`)
	c.Response().WriteHeader(http.StatusOK)
	if err := ExportAudit(ctx, a.db, c.Response(), format, f); err != nil {
		// The status line is gone: all that is left is to stop and say so in the log.
		if ctx.Err() != nil {
			a.log.Warn("audit export cut short by the client", "user", me.Name, "err", err)
		} else {
			a.log.Error("audit export failed mid-stream", "user", me.Name, "err", err)
		}
	}
	return nil
}

// exportFilename names a download after what it holds: kycdesk-audit_2026-03-01_to_2026-03-31.csv.
func exportFilename(what, from, to, ext string) string {
	span := "all"
	switch {
	case from != "" && to != "":
		span = from + "_to_" + to
	case from != "":
		span = "from_" + from
	case to != "":
		span = "to_" + to
	}
	return "kycdesk-" + what + "_" + span + "." + ext
}

// reportMaxDays bounds a report's period: a year is plenty for a printed report and keeps it quick.
const reportMaxDays = 366

// handleAuditReport renders the printable decision report for a period of whole UTC days, or with
// ?format=jsonl downloads its data in the canonical form the manifest's hash covers. Either way the
// generation is audited as export.report with that hash and the chain head it was read at.
func (a *App) handleAuditReport(c echo.Context) error {
	ctx := c.Request().Context()
	now := a.cfg.Now().UTC()
	v := views.ReportPage{From: strings.TrimSpace(c.QueryParam("from")), To: strings.TrimSpace(c.QueryParam("to")), Errors: map[string]string{}}
	if v.From == "" && v.To == "" {
		v.To = now.Format(time.DateOnly)
		v.From = now.AddDate(0, 0, -29).Format(time.DateOnly)
	}
	loc, zone := viewerZone(c)
	v.TZ = zone
	from, errFrom := time.ParseInLocation(time.DateOnly, v.From, loc)
	to, errTo := time.ParseInLocation(time.DateOnly, v.To, loc)
	switch {
	case errFrom != nil:
		v.Errors["from"] = "Enter the first day of the period as YYYY-MM-DD."
	case errTo != nil:
		v.Errors["to"] = "Enter the last day of the period as YYYY-MM-DD."
	case to.Before(from):
		v.Errors["to"] = "The last day is before the first day."
	case to.Sub(from) >= reportMaxDays*24*time.Hour:
		v.Errors["to"] = fmt.Sprintf("Choose a period of at most %d days.", reportMaxDays)
	}
	p := a.page(c, "Decision report", "audit")
	if len(v.Errors) > 0 {
		return a.render(c, http.StatusUnprocessableEntity, views.Report(p, v))
	}
	r, err := a.db.Report(ctx, from, to.AddDate(0, 0, 1))
	if err != nil {
		if fields, ok := fieldErrors(err, "to"); ok {
			v.Errors = fields
			return a.render(c, http.StatusUnprocessableEntity, views.Report(p, v))
		}
		return err
	}
	format := "html"
	if c.QueryParam("format") == "jsonl" {
		format = "jsonl"
	}
	v.Ready, v.Report, v.GeneratedAt = true, r, now
	v.Digest, v.Lines = r.Digest()
	u := currentUser(c)
	v.GeneratedBy = u.Username
	if n := u.Name(); n != u.Username {
		v.GeneratedBy += " (" + n + ")"
	}
	v.DataURL = withQuery("/audit/report", url.Values{"from": {v.From}, "to": {v.To}, "format": {"jsonl"}})
	me := actor(c)
	if err := a.db.Audit(ctx, store.AuditEntry{Actor: me.Name, ActorID: me.ID, Action: "export.report",
		TargetType: "export", TargetID: "report." + format, Details: map[string]any{
			"from": v.From, "to": v.To, "format": format, "sha256": v.Digest, "lines": v.Lines,
			"chain_head_id": r.ChainHeadID, "chain_head": r.ChainHead}}); err != nil {
		return err
	}
	if format == "jsonl" {
		h := c.Response().Header()
		h.Set(echo.HeaderContentType, "application/x-ndjson; charset=utf-8")
		h.Set(echo.HeaderContentDisposition, `attachment; filename="`+exportFilename("report", v.From, v.To, "jsonl")+`"`)
		c.Response().WriteHeader(http.StatusOK)
		if _, err := r.WriteJSONL(c.Response()); err != nil {
			a.log.Warn("report download cut short", "user", me.Name, "err", err)
		}
		return nil
	}
	return a.render(c, http.StatusOK, views.Report(p, v))
}

// zoneParam is the tz parameter when it names a zone, else "".
func zoneParam(c echo.Context) string {
	_, name := viewerZone(c)
	return name
}

// exportFormat is the ?format= of an export: csv (the default) or jsonl.
func exportFormat(c echo.Context) (string, error) {
	format := c.QueryParam("format")
	if format == "" {
		format = "csv"
	}
	if format != "csv" && format != "jsonl" {
		return "", echo.NewHTTPError(http.StatusBadRequest, "Choose the export format: csv or jsonl.")
	}
	return format, nil
}

// filterErrors is a 400 listing a filter form's problems in the order of its fields, for an
// export that has no form to show them beside.
func filterErrors(errs map[string]string, fields ...string) error {
	var msgs []string
	for _, k := range fields {
		if m := errs[k]; m != "" {
			msgs = append(msgs, m)
		}
	}
	return echo.NewHTTPError(http.StatusBadRequest, strings.Join(msgs, " "))
}
