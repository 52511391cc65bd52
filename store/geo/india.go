// Package geo checks a video-KYC session's geotag against India's boundary, offline.
//
// The boundary is Natural Earth's 1:10m admin-0 polygon of India (public domain), vendored from the
// npm package world-atlas 2.0.2 (ISC) by scripts/vendor-india.sh into india-10m.geojson beside this
// file. Natural Earth draws de facto boundaries; the vertices are rounded to about 11 m, and the
// 1:10m lines themselves lie within about a kilometre of the real border, so a point within
// BorderKm of a land border is reported as near it. A point at sea within India's territorial
// waters (12 nautical miles of its coast) counts as in India: a customer on the seafront must not
// turn red because the coastline is drawn a few hundred metres inland.
package geo

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

//go:embed india-10m.geojson
var indiaGeoJSON []byte

// BorderKm is how close to a land border a point is called "near the border".
const BorderKm = 5

// Levels of a verdict, the desk's status scale.
const (
	LevelGreen = "green"
	LevelAmber = "amber"
	LevelRed   = "red"
)

// Where a geotag lies.
const (
	GPSInside  = "inside"
	GPSOutside = "outside"
	GPSMissing = "missing" // not sent, or not numbers a map can place
)

// Verdict is what the geotag and the IP country say about where the customer was.
type Verdict struct {
	GPS      string  // GPSInside, GPSOutside or GPSMissing
	Lat, Lon float64 // the parsed geotag, when GPS is not GPSMissing
	// BorderKm is the distance from the geotag to India's boundary, in kilometres.
	BorderKm   float64
	NearBorder bool
	IPCountry  string // ISO 3166 alpha-2 as the vendor sent it, upper-cased; "" when not sent
	// Agree is true when the geotag and the IP country say the same (both India, or both not);
	// AgreeKnown is false when either is missing.
	Agree      bool
	AgreeKnown bool
	Level      string // LevelGreen, LevelAmber or LevelRed
	Sentence   string // the verdict in one sentence for a reviewer
}

// Red reports whether the verdict needs a reviewer's attention before an allow: outside India,
// or the geotag and the IP address disagree.
func (v Verdict) Red() bool { return v.Level == LevelRed }

type boundary struct {
	shape  orb.MultiPolygon
	border orb.MultiLineString // the land borders with India's neighbours
	rings  orb.MultiLineString // every ring of shape: coast and land borders alike
	bound  orb.Bound
}

var india = sync.OnceValue(func() boundary {
	var fc struct {
		Features []struct {
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	var b boundary
	err := json.Unmarshal(indiaGeoJSON, &fc)
	if err == nil && (len(fc.Features) != 2 || fc.Features[0].Geometry.Type != "MultiPolygon" ||
		fc.Features[1].Geometry.Type != "MultiLineString") {
		err = fmt.Errorf("want a MultiPolygon and a MultiLineString")
	}
	if err == nil {
		err = json.Unmarshal(fc.Features[0].Geometry.Coordinates, &b.shape)
	}
	if err == nil {
		err = json.Unmarshal(fc.Features[1].Geometry.Coordinates, &b.border)
	}
	if err != nil {
		panic(fmt.Sprintf("geo: the embedded India boundary does not read: %v", err))
	}
	b.bound = b.shape.Bound()
	for _, poly := range b.shape {
		for _, r := range poly {
			b.rings = append(b.rings, orb.LineString(r))
		}
	}
	return b
})

// ParseCoordinate reads a latitude or longitude as vendors send it: a decimal number, possibly
// quoted or padded. It refuses anything else, and values outside ±limit.
func ParseCoordinate(s string, limit float64) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > limit {
		return 0, false
	}
	return f, true
}

// TerritorialKm is the breadth of India's territorial sea, 12 nautical miles: a geotag at sea this
// close to India's coast (and nearer the coast than a land border) is in India.
const TerritorialKm = 22.2

// InIndia reports whether the point lies in India: inside its land boundary, or in its territorial
// sea. borderKm is the distance to the nearest land border with a neighbour, in kilometres.
func InIndia(lat, lon float64) (inside bool, borderKm float64) {
	b := india()
	p := orb.Point{lon, lat}
	borderKm = distanceKm(b.border, lat, lon)
	if b.bound.Contains(p) && planar.MultiPolygonContains(b.shape, p) {
		return true, borderKm
	}
	shoreKm := distanceKm(b.rings, lat, lon)
	return shoreKm < TerritorialKm && shoreKm < borderKm-0.5, borderKm
}

// distanceKm is the distance from (lat, lon) to the nearest segment of lines, on a plane scaled at
// the point's latitude: good to a few per cent at the distances that matter here (tens of km).
func distanceKm(lines orb.MultiLineString, lat, lon float64) float64 {
	const kmPerDegree = 111.32
	k := math.Cos(lat * math.Pi / 180)
	p := orb.Point{lon * k, lat}
	best := math.Inf(1)
	for _, line := range lines {
		for i := 1; i < len(line); i++ {
			a := orb.Point{line[i-1][0] * k, line[i-1][1]}
			c := orb.Point{line[i][0] * k, line[i][1]}
			// A segment whose box is farther than the best so far cannot be nearer: most are.
			if dx := gap(p[0], a[0], c[0]); dx*dx >= best {
				continue
			}
			if dy := gap(p[1], a[1], c[1]); dy*dy >= best {
				continue
			}
			if d := planar.DistanceFromSegmentSquared(a, c, p); d < best {
				best = d
			}
		}
	}
	return math.Sqrt(best) * kmPerDegree
}

// CheckIndia gives the verdict on a session's geotag (latitude and longitude as sent) and the
// country of its IP address. Outside India, or a geotag and IP country that disagree, is red;
// coordinates missing or unreadable are amber ("location not provided"); inside India with an
// Indian IP address, or none known, is green.
func CheckIndia(lat, lon, ipCountry string) Verdict {
	v := Verdict{GPS: GPSMissing, IPCountry: strings.ToUpper(strings.TrimSpace(ipCountry))}
	la, okLat := ParseCoordinate(lat, 90)
	lo, okLon := ParseCoordinate(lon, 180)
	if okLat && okLon && !(la == 0 && lo == 0) { // 0,0 is what a failed lookup sends
		v.Lat, v.Lon = la, lo
		inside, km := InIndia(la, lo)
		v.GPS, v.BorderKm, v.NearBorder = GPSOutside, km, km < BorderKm
		if inside {
			v.GPS = GPSInside
		}
	}
	ipIndia := v.IPCountry == "IN"
	if v.GPS != GPSMissing && v.IPCountry != "" {
		v.AgreeKnown, v.Agree = true, (v.GPS == GPSInside) == ipIndia
	}
	near := ""
	if v.NearBorder {
		near = fmt.Sprintf(" (%.1f km from the border: the offline boundary is approximate there)", v.BorderKm)
	}
	ip := "the IP address's country was not sent"
	if v.IPCountry != "" {
		ip = "the IP address is in " + v.IPCountry
	}
	switch {
	case v.GPS == GPSOutside:
		v.Level, v.Sentence = LevelRed, "The geotag is outside India"+near+"; "+ip+"."
	case v.GPS == GPSInside && v.AgreeKnown && !v.Agree:
		v.Level, v.Sentence = LevelRed, "The geotag is in India"+near+" but "+ip+": they disagree."
	case v.GPS == GPSMissing && v.IPCountry != "" && !ipIndia:
		v.Level, v.Sentence = LevelRed, "Location not provided, and "+ip+", outside India."
	case v.GPS == GPSMissing:
		v.Level, v.Sentence = LevelAmber, "Location not provided: the callback has no readable geotag; "+ip+"."
	case !v.AgreeKnown:
		v.Level, v.Sentence = LevelAmber, "The geotag is in India"+near+"; "+ip+", so the two cannot be compared."
	default:
		v.Level, v.Sentence = LevelGreen, "The geotag is in India"+near+", and so is the IP address."
	}
	return v
}

// gap is how far v lies outside the interval between a and b (0 inside it).
func gap(v, a, b float64) float64 {
	lo, hi := math.Min(a, b), math.Max(a, b)
	switch {
	case v < lo:
		return lo - v
	case v > hi:
		return v - hi
	}
	return 0
}
