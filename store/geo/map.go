package geo

import (
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

// Map is a small map of India drawn as SVG on the server (no tiles, nothing fetched), with the
// geotag plotted when there is one.
type Map struct {
	Width, Height int
	Path          string // the "d" of India's outline, in the map's pixels
	HasPoint      bool
	X, Y          float64 // the geotag, kept on the map's edge when it lies beyond it
	OffMap        bool    // the geotag lies beyond the map's edge; X, Y show its direction
}

// The map shows India's bounding box plus a margin, in an equirectangular projection scaled at
// 23°N (the middle of India) so that shapes are not stretched sideways.
const (
	mapWidth  = 180
	mapMargin = 1.5 // degrees around the boundary's box
	mapMidLat = 23.0
)

type outline struct {
	path                       string
	minLon, maxLat, scale, cos float64
	height                     int
}

var indiaOutline = sync.OnceValue(func() outline {
	b := india()
	o := outline{cos: math.Cos(mapMidLat * math.Pi / 180)}
	o.minLon, o.maxLat = b.bound.Min[0]-mapMargin, b.bound.Max[1]+mapMargin
	wDeg := (b.bound.Max[0] - b.bound.Min[0] + 2*mapMargin) * o.cos
	hDeg := b.bound.Max[1] - b.bound.Min[1] + 2*mapMargin
	o.scale = mapWidth / wDeg
	o.height = int(math.Ceil(hDeg * o.scale))
	// Half a pixel of detail is all a 180-pixel map can show: about 90 points instead of thousands.
	shape := simplify.DouglasPeucker(0.5 / o.scale).MultiPolygon(b.shape.Clone())
	var sb strings.Builder
	for _, poly := range shape {
		for _, ring := range poly {
			if len(ring) < 4 {
				continue
			}
			for i, p := range ring {
				x, y := o.project(p[1], p[0])
				if i == 0 {
					fmt.Fprintf(&sb, "M%.1f %.1f", x, y)
				} else {
					fmt.Fprintf(&sb, "L%.1f %.1f", x, y)
				}
			}
			sb.WriteString("Z")
		}
	}
	o.path = sb.String()
	return o
})

func (o outline) project(lat, lon float64) (x, y float64) {
	return (lon - o.minLon) * o.cos * o.scale, (o.maxLat - lat) * o.scale
}

// IndiaMap draws India with v's geotag on it.
func IndiaMap(v Verdict) Map {
	o := indiaOutline()
	m := Map{Width: mapWidth, Height: o.height, Path: o.path}
	if v.GPS == GPSMissing {
		return m
	}
	m.HasPoint = true
	m.X, m.Y = o.project(v.Lat, v.Lon)
	const edge = 4
	cx, cy := clamp(m.X, edge, float64(m.Width)-edge), clamp(m.Y, edge, float64(m.Height)-edge)
	m.OffMap = cx != m.X || cy != m.Y
	m.X, m.Y = cx, cy
	return m
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// Bound is India's bounding box as (min lon, min lat, max lon, max lat), for tests and the map.
func Bound() orb.Bound { return india().bound }
