package web

import (
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

// dashboardReaders may see the team dashboard.
var dashboardReaders = []string{store.RoleSupervisor, store.RoleAdmin, store.RoleAuditor}

var dashPeriods = []views.Option{{Value: "7", Label: "Last 7 days"}, {Value: "30", Label: "Last 30 days"},
	{Value: "90", Label: "Last 90 days"}, {Value: "custom", Label: "Custom"}}

var dashSources = []views.Option{{Value: "", Label: "All sources"}, {Value: string(store.SourceMarkID), Label: store.SourceMarkID.Label()},
	{Value: string(store.SourceVCIP), Label: store.SourceVCIP.Label()}}

// dashboardForm reads the period and source from the query: 7, 30 or 90 days up to today (UTC),
// or a custom range of whole days. Problems come back per field.
func (a *App) dashboardForm(c echo.Context) (views.DashboardPage, store.DashboardFilter) {
	v := views.DashboardPage{Period: strings.TrimSpace(c.QueryParam("period")), From: strings.TrimSpace(c.QueryParam("from")),
		To: strings.TrimSpace(c.QueryParam("to")), Source: strings.TrimSpace(c.QueryParam("source")), Errors: map[string]string{},
		Periods: dashPeriods, Sources: dashSources}
	var f store.DashboardFilter
	today := a.cfg.Now().UTC().Truncate(24 * time.Hour)
	if v.Period == "" {
		v.Period = "30"
		if v.From != "" || v.To != "" {
			v.Period = "custom"
		}
	}
	switch v.Period {
	case "7", "30", "90":
		n, _ := strconv.Atoi(v.Period)
		f.From, f.To = today.AddDate(0, 0, -(n-1)), today
		v.From, v.To = f.From.Format(time.DateOnly), f.To.Format(time.DateOnly)
	case "custom":
		from, errFrom := time.Parse(time.DateOnly, v.From)
		to, errTo := time.Parse(time.DateOnly, v.To)
		switch {
		case errFrom != nil:
			v.Errors["from"] = "Enter the first day of the period as YYYY-MM-DD."
		case errTo != nil:
			v.Errors["to"] = "Enter the last day of the period as YYYY-MM-DD."
		case to.Before(from):
			v.Errors["to"] = "The last day is before the first day."
		case to.Sub(from) >= store.MaxDashboardDays*24*time.Hour:
			v.Errors["to"] = fmt.Sprintf("Choose a period of at most %d days.", store.MaxDashboardDays)
		}
		f.From, f.To = from, to
	default:
		v.Errors["period"] = "Choose 7, 30 or 90 days, or a custom period."
	}
	switch store.Source(v.Source) {
	case "", store.SourceMarkID, store.SourceVCIP:
		f.Source = store.Source(v.Source)
	default:
		v.Errors["source"] = "Choose a source from the list."
	}
	return v, f
}

// dashboardQuery is the form as URL parameters, for the CSV links.
func dashboardQuery(v views.DashboardPage) url.Values {
	q := url.Values{"period": {v.Period}}
	if v.Period == "custom" {
		q.Set("from", v.From)
		q.Set("to", v.To)
	}
	if v.Source != "" {
		q.Set("source", v.Source)
	}
	return q
}

// loadDashboard reads the dashboard and builds its charts.
func (a *App) loadDashboard(c echo.Context, v *views.DashboardPage, f store.DashboardFilter) error {
	d, err := a.db.Dashboard(c.Request().Context(), f)
	if err != nil {
		return err
	}
	rules := a.db.Rules()
	q := dashboardQuery(*v)
	v.Ready, v.D, v.AsOf = true, d, d.Now
	v.Charts = views.DashboardCharts(d, rules.ReasonLabel, func(id string) string {
		cq := url.Values{}
		for k, vals := range q {
			cq[k] = vals
		}
		cq.Set("chart", id)
		return withQuery("/dashboard/csv", cq)
	})
	return nil
}

// handleDashboard renders the team dashboard.
func (a *App) handleDashboard(c echo.Context) error {
	v, f := a.dashboardForm(c)
	p := a.page(c, "Dashboard", "dashboard")
	if len(v.Errors) > 0 {
		return a.render(c, http.StatusUnprocessableEntity, views.Dashboard(p, v))
	}
	if err := a.loadDashboard(c, &v, f); err != nil {
		return err
	}
	return a.render(c, http.StatusOK, views.Dashboard(p, v))
}

// handleDashboardCSV downloads one chart's table as CSV, with the exports' formula guard: tag
// values and remarks come from vendors. The download is audited.
func (a *App) handleDashboardCSV(c echo.Context) error {
	v, f := a.dashboardForm(c)
	if len(v.Errors) > 0 {
		var msgs []string
		for _, k := range []string{"period", "from", "to", "source"} {
			if m := v.Errors[k]; m != "" {
				msgs = append(msgs, m)
			}
		}
		return echo.NewHTTPError(http.StatusBadRequest, strings.Join(msgs, " "))
	}
	if err := a.loadDashboard(c, &v, f); err != nil {
		return err
	}
	id := c.QueryParam("chart")
	var chart *views.Chart
	for i := range v.Charts {
		if v.Charts[i].ID == id {
			chart = &v.Charts[i]
		}
	}
	if chart == nil {
		return echo.NewHTTPError(http.StatusNotFound, "There is no such chart on the dashboard.")
	}
	me := actor(c)
	if err := a.db.Audit(c.Request().Context(), store.AuditEntry{Actor: me.Name, ActorID: me.ID, Action: "export.dashboard",
		TargetType: "export", TargetID: "dashboard." + id, Details: map[string]any{
			"chart": id, "from": v.From, "to": v.To, "source": v.Source}}); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+exportFilename("dashboard-"+id, v.From, v.To, "csv")+`"`)
	c.Response().WriteHeader(http.StatusOK)
	rw, err := newRowWriter(c.Response(), "csv", chart.Table.Head)
	if err != nil {
		return err
	}
	for _, row := range chart.Table.Rows {
		vals := make([]any, len(row))
		for i, cell := range row {
			vals[i] = cell
		}
		if err := rw.write(vals...); err != nil {
			return nil // the client went away; the status line is sent
		}
	}
	if err := rw.flush(); err != nil {
		a.log.Warn("dashboard CSV cut short", "user", me.Name, "err", err)
	}
	return nil
}
