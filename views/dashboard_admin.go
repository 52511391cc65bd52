package views

import (
	"strconv"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// DashboardPage is the team dashboard: the period and source controls and, once they are valid,
// the charts built from a store.Dashboard.
type DashboardPage struct {
	Period   string // "7", "30", "90" or "custom"
	From, To string // YYYY-MM-DD, the period's first and last day (UTC)
	Source   string // "" for every source
	Errors   map[string]string
	Ready    bool
	D        store.Dashboard
	Charts   []Chart
	Periods  []Option // the selected one's Value equals Period
	Sources  []Option // the selected one's Value equals Source
	AsOf     time.Time
	QueueURL string
}

// DashboardCharts builds every chart of the dashboard in page order. reasonLabel names a reason
// code; csvURL is the download address of a chart's numbers.
func DashboardCharts(d store.Dashboard, reasonLabel func(string) string, csvURL func(id string) string) []Chart {
	var received []StackSeries
	for _, s := range d.Received {
		received = append(received, StackSeries{Label: store.Source(s.Key).Label(), Class: "c-" + s.Key, Values: s.Values})
	}
	var finals []StackSeries
	for _, s := range d.Final {
		label := "Allowed"
		if s.Key == store.OutcomeDecline {
			label = "Declined"
		}
		finals = append(finals, StackSeries{Label: label, Class: "c-" + s.Key, Values: s.Values})
	}
	charts := []Chart{
		stackedDays("received", "Cases received", "New cases per day (first callback), by source", d.Days, received),
		stackedDays("decisions", "Final decisions", "Decisions that became final per day (after any second approval), by outcome", d.Days, finals),
		queueChart(d),
		agesChart(d),
		stackedDays("sla", "SLA breaches", "Final decisions per day on cases that waited longer than the SLA ("+FormatWaited(d.SLA)+")", d.Days,
			[]StackSeries{{Label: "Breaches", Class: "c-breach", Values: d.SLABreach}}),
		turnaroundChart(d),
		reviewersChart(d),
		reasonsChart(d, reasonLabel),
		signalsChart(d),
	}
	for i := range charts {
		charts[i].CSVURL = csvURL(charts[i].ID)
	}
	return charts
}

func queueChart(d store.Dashboard) Chart {
	vals := make([]float64, len(d.QueueSize))
	for i, n := range d.QueueSize {
		vals[i] = float64(n)
	}
	c := lineDays("queue", "Queue over time", "Cases needing a decision at the end of each day (now, for today)", d.Days,
		[]LineSeries{{Label: "Needing a decision", Class: "c-queue", Values: vals}}, countLabel)
	c.Table.Head = []string{"Day", "Needing a decision"}
	for i, day := range d.Days {
		c.Table.Rows = append(c.Table.Rows, []string{day, strconv.Itoa(d.QueueSize[i])})
	}
	return c
}

func agesChart(d store.Dashboard) Chart {
	var rows []HBar
	for _, b := range d.QueueAges {
		class := "c-queue"
		if b.From >= d.SLA && d.SLA > 0 {
			class = "c-breach"
		}
		rows = append(rows, HBar{Label: b.Label, Value: float64(b.N), Text: strconv.Itoa(b.N), Class: class})
	}
	c := hbars("ages", "Queue by age", "Cases needing a decision now ("+strconv.Itoa(d.QueueNow)+"), by how long they have waited; "+
		strconv.Itoa(d.OverdueNow)+" over the SLA", rows, 0)
	c.Empty = d.QueueNow == 0
	c.Table.Head = []string{"Waited", "Cases"}
	for _, b := range d.QueueAges {
		c.Table.Rows = append(c.Table.Rows, []string{b.Label, strconv.Itoa(b.N)})
	}
	return c
}

// hours is a duration as decimal hours, for the tables and CSV: "24.83".
func hours(t time.Duration) string { return strconv.FormatFloat(t.Hours(), 'f', 2, 64) }

// minutes is a duration as decimal minutes: "22.5".
func minutes(t time.Duration) string { return strconv.FormatFloat(t.Minutes(), 'f', 1, 64) }

func turnaroundChart(d store.Dashboard) Chart {
	med := LineSeries{Label: "Median", Class: "c-p50"}
	p90 := LineSeries{Label: "90th percentile", Class: "c-p90"}
	for _, t := range d.Turnaround {
		med.Values = append(med.Values, t.Median.Hours())
		p90.Values = append(p90.Values, t.P90.Hours())
		med.Missing = append(med.Missing, t.Count == 0)
		p90.Missing = append(p90.Missing, t.Count == 0)
	}
	c := lineDays("turnaround", "Turnaround", "First callback to final decision, in hours, per day of the final decision", d.Days,
		[]LineSeries{med, p90}, func(v float64) string { return countLabel(math1(v)) + " h" })
	c.Table.Head = []string{"Day", "Decisions", "Median h", "p90 h"}
	for i, day := range d.Days {
		t := d.Turnaround[i]
		if t.Count == 0 {
			c.Table.Rows = append(c.Table.Rows, []string{day, "0", "", ""})
			continue
		}
		c.Table.Rows = append(c.Table.Rows, []string{day, strconv.Itoa(t.Count), hours(t.Median), hours(t.P90)})
	}
	return c
}

// math1 rounds to one decimal for an axis label.
func math1(v float64) float64 { return float64(int(v*10+0.5)) / 10 }

func reviewerLabel(r store.ReviewerFigures) string {
	if r.Name != "" && r.Name != r.Username {
		return r.Username + " (" + r.Name + ")"
	}
	return r.Username
}

func reviewersChart(d store.Dashboard) Chart {
	var rows []HBar
	for _, r := range d.Reviewers {
		rows = append(rows, HBar{Label: reviewerLabel(r), Value: float64(r.Decisions), Text: strconv.Itoa(r.Decisions), Class: "c-queue"})
	}
	c := hbars("reviewers", "Reviewers", "Final decisions per reviewer; handling is claim to decision; returns are by the second approver", rows, 0)
	c.Table.Head = []string{"Reviewer", "Final decisions", "Median handling (min)", "Returned by approver"}
	for _, r := range d.Reviewers {
		med := ""
		if r.Handled > 0 {
			med = minutes(r.MedianHandling)
		}
		c.Table.Rows = append(c.Table.Rows, []string{reviewerLabel(r), strconv.Itoa(r.Decisions), med, strconv.Itoa(r.Returned)})
	}
	return c
}

func reasonsChart(d store.Dashboard, label func(string) string) Chart {
	var rows []HBar
	for _, r := range d.Reasons {
		rows = append(rows, HBar{Label: label(r.Key), Value: float64(r.N), Text: strconv.Itoa(r.N), Class: "c-queue"})
	}
	c := hbars("reasons", "Reasons", "Final decisions by reason code", rows, 0)
	c.Table.Head = []string{"Reason code", "Reason", "Final decisions"}
	for _, r := range d.Reasons {
		c.Table.Rows = append(c.Table.Rows, []string{r.Key, label(r.Key), strconv.Itoa(r.N)})
	}
	return c
}

// Percent formats a rate as a whole percentage: "50 %".
func Percent(r float64) string { return strconv.Itoa(int(r*100+0.5)) + " %" }

var signalKinds = map[string]string{"fraud": "fraud tag", "mismatch": "mismatch tag", "remark": "agent remark"}

func signalsChart(d store.Dashboard) Chart {
	var rows []HBar
	for _, s := range d.Signals {
		rows = append(rows, HBar{Label: s.Value, Value: s.Rate(), Text: Percent(s.Rate()) + " of " + strconv.Itoa(s.Suspected), Class: "c-" + s.Kind})
	}
	c := hbars("signals", "False positives by signal",
		"Of the SUSPECTED cases (and video-KYC sessions) carrying each tag or agent remark, the share finally allowed", rows, 1)
	c.Legend = []ChartLegend{{"c-fraud", "fraud tag"}, {"c-mismatch", "mismatch tag"}, {"c-remark", "agent remark"}}
	c.Table.Head = []string{"Kind", "Signal", "Final decisions", "Allowed", "False-positive rate"}
	for _, s := range d.Signals {
		c.Table.Rows = append(c.Table.Rows, []string{signalKinds[s.Kind], s.Value, strconv.Itoa(s.Suspected), strconv.Itoa(s.Allowed), Percent(s.Rate())})
	}
	return c
}

// dashPeriodLabel is the period as a heading shows it: "1 Nov – 30 Nov 2026 (UTC)".
func dashPeriodLabel(d store.Dashboard) string {
	return d.Filter.From.Format("2 Jan 2006") + " – " + d.Filter.To.Format("2 Jan 2006") + " (UTC)"
}
