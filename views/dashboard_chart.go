package views

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Chart is one dashboard chart: an SVG drawn on the server (no script, no inline style, so it
// prints and passes the CSP) and the table of the same numbers beside it, which is also what its
// CSV download holds.
type Chart struct {
	ID      string // "received", "decisions", ...: the CSV's ?chart= and the test id
	Title   string
	Caption string // one line saying what is counted
	W, H    float64
	Bars    []ChartRect
	Lines   []ChartLine
	YTicks  []ChartTick
	XTicks  []ChartTick
	Legend  []ChartLegend
	Table   ChartTable
	CSVURL  string
	// Empty is set when every value is zero: the SVG then says so.
	Empty bool
	// Horizontal charts label their rows on the left (YTicks) and print values at the bars' ends (XTicks).
	Horizontal bool
}

// ChartRect is one bar segment.
type ChartRect struct {
	X, Y, W, H float64
	Class      string
	Title      string // the hover text: "21 Nov · allowed 12"
	Value      string // printed at the end of a horizontal bar
}

// ChartLine is one series drawn as a polyline.
type ChartLine struct {
	Points string
	Class  string
}

// ChartTick is an axis label at a position.
type ChartTick struct {
	Pos   float64
	Label string
}

// ChartLegend names a series and its colour class.
type ChartLegend struct {
	Class, Label string
}

// ChartTable is a chart's numbers: a header and rows of cells, the first cell naming the row.
type ChartTable struct {
	Head []string
	Rows [][]string
}

// Plot area inside the SVG's view box.
const (
	chartW, chartH                         = 460.0, 200.0
	padLeft, padRight, padTop, padBottom   = 40.0, 8.0, 10.0, 24.0
	plotW, plotH                           = chartW - padLeft - padRight, chartH - padTop - padBottom
	hbarLabelW                             = 150.0
	hbarRowH, hbarGap, hbarTop, hbarBottom = 16.0, 5.0, 6.0, 6.0
)

// PlotLeft and friends are the plot area's edges, for the axis lines the template draws.
func (c Chart) PlotLeft() float64   { return padLeft }
func (c Chart) PlotRight() float64  { return c.W - padRight }
func (c Chart) PlotBottom() float64 { return c.H - padBottom }
func (c Chart) PlotTop() float64    { return padTop }

// ViewBox is the SVG's viewBox attribute.
func (c Chart) ViewBox() string { return "0 0 " + fnum(c.W) + " " + fnum(c.H) }

// fnum formats a coordinate with at most one decimal.
func fnum(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten, so axis labels read well.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func yTicks(max float64, label func(float64) string) []ChartTick {
	var out []ChartTick
	for i := 0; i <= 4; i++ {
		v := max * float64(i) / 4
		out = append(out, ChartTick{Pos: padTop + plotH - plotH*v/max, Label: label(v)})
	}
	return out
}

func countLabel(v float64) string {
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// dayLabel is a day as the axis shows it: "21 Nov".
func dayLabel(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("2 Jan")
}

// xTicks labels about six of the days evenly.
func xTicks(days []string, slot float64) []ChartTick {
	step := max(1, (len(days)+5)/6)
	var out []ChartTick
	for i := 0; i < len(days); i += step {
		out = append(out, ChartTick{Pos: padLeft + slot*(float64(i)+0.5), Label: dayLabel(days[i])})
	}
	return out
}

// StackSeries is one stacked series of a daily bar chart.
type StackSeries struct {
	Label, Class string
	Values       []int
}

// stackedDays draws one bar per day with the series stacked.
func stackedDays(id, title, caption string, days []string, series []StackSeries) Chart {
	c := Chart{ID: id, Title: title, Caption: caption, W: chartW, H: chartH}
	top := 0
	for i := range days {
		sum := 0
		for _, s := range series {
			sum += s.Values[i]
		}
		top = max(top, sum)
	}
	c.Empty = top == 0
	ymax := niceMax(float64(top))
	slot := plotW / float64(max(1, len(days)))
	bw := math.Max(1, slot*0.72)
	for i, day := range days {
		y := padTop + plotH
		for _, s := range series {
			v := s.Values[i]
			if v == 0 {
				continue
			}
			h := plotH * float64(v) / ymax
			y -= h
			c.Bars = append(c.Bars, ChartRect{X: padLeft + slot*float64(i) + (slot-bw)/2, Y: y, W: bw, H: h, Class: s.Class,
				Title: fmt.Sprintf("%s · %s %d", dayLabel(day), s.Label, v)})
		}
	}
	c.YTicks = yTicks(ymax, countLabel)
	c.XTicks = xTicks(days, slot)
	c.Table.Head = []string{"Day"}
	for _, s := range series {
		c.Legend = append(c.Legend, ChartLegend{Class: s.Class, Label: s.Label})
		c.Table.Head = append(c.Table.Head, s.Label)
	}
	for i, day := range days {
		row := []string{day}
		for _, s := range series {
			row = append(row, strconv.Itoa(s.Values[i]))
		}
		c.Table.Rows = append(c.Table.Rows, row)
	}
	return c
}

// LineSeries is one line of a daily line chart; Missing marks days with no value (a gap).
type LineSeries struct {
	Label, Class string
	Values       []float64
	Missing      []bool
}

// lineDays draws one polyline per series over the days; label formats the Y axis.
func lineDays(id, title, caption string, days []string, series []LineSeries, label func(float64) string) Chart {
	c := Chart{ID: id, Title: title, Caption: caption, W: chartW, H: chartH}
	top := 0.0
	for _, s := range series {
		for i, v := range s.Values {
			if s.Missing == nil || !s.Missing[i] {
				top = math.Max(top, v)
			}
		}
	}
	c.Empty = top == 0
	ymax := niceMax(top)
	slot := plotW / float64(max(1, len(days)))
	for _, s := range series {
		var pts []string
		flush := func() {
			if len(pts) == 1 { // a lone point still shows: a short flat segment
				pts = append(pts, pts[0])
			}
			if len(pts) > 0 {
				c.Lines = append(c.Lines, ChartLine{Points: joinPoints(pts), Class: s.Class})
			}
			pts = nil
		}
		for i, v := range s.Values {
			if s.Missing != nil && s.Missing[i] {
				flush()
				continue
			}
			x := padLeft + slot*(float64(i)+0.5)
			y := padTop + plotH - plotH*v/ymax
			pts = append(pts, fnum(x)+","+fnum(y))
		}
		flush()
		c.Legend = append(c.Legend, ChartLegend{Class: s.Class, Label: s.Label})
	}
	c.YTicks = yTicks(ymax, label)
	c.XTicks = xTicks(days, slot)
	return c
}

func joinPoints(pts []string) string {
	out := ""
	for i, p := range pts {
		if i > 0 {
			out += " "
		}
		out += p
	}
	return out
}

// HBar is one row of a horizontal bar chart.
type HBar struct {
	Label string
	Value float64
	Text  string // the value as printed at the bar's end
	Class string
}

// hbars draws one labelled horizontal bar per row, up to max on the scale (0: the largest value).
func hbars(id, title, caption string, rows []HBar, scale float64) Chart {
	h := hbarTop + hbarBottom + float64(max(1, len(rows)))*(hbarRowH+hbarGap)
	c := Chart{ID: id, Title: title, Caption: caption, W: chartW, H: h, Horizontal: true}
	top := scale
	if top == 0 {
		for _, r := range rows {
			top = math.Max(top, r.Value)
		}
	}
	c.Empty = len(rows) == 0
	if top == 0 {
		top = 1
	}
	barW := chartW - hbarLabelW - 70
	for i, r := range rows {
		y := hbarTop + float64(i)*(hbarRowH+hbarGap)
		w := barW * r.Value / top
		c.Bars = append(c.Bars, ChartRect{X: hbarLabelW, Y: y, W: math.Max(w, 0.5), H: hbarRowH, Class: r.Class,
			Title: r.Label + " · " + r.Text, Value: r.Text})
		c.YTicks = append(c.YTicks, ChartTick{Pos: y + hbarRowH/2, Label: clip(r.Label, 26)})
	}
	return c
}

// HBarLabelX is where a horizontal bar chart's row labels end.
func (c Chart) HBarLabelX() float64 { return hbarLabelW - 6 }

// HBarTextY is a row label's baseline for a tick at pos.
func HBarTextY(pos float64) float64 { return pos + 4 }

// ValueX and ValueY place a horizontal bar's value just past its end.
func (b ChartRect) ValueX() float64 { return b.X + b.W + 4 }

// ValueY is the baseline of a horizontal bar's value.
func (b ChartRect) ValueY() float64 { return b.Y + b.H/2 + 4 }

// textColumn reports whether column i of the chart's table holds words rather than numbers.
func textColumn(c Chart, i int) bool {
	if i >= len(c.Table.Head) {
		return false
	}
	switch c.Table.Head[i] {
	case "Signal", "Reason", "Kind":
		return true
	}
	return false
}

func sumInts(v []int) int {
	n := 0
	for _, x := range v {
		n += x
	}
	return n
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
