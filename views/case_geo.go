package views

import (
	"fmt"
	"strconv"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/store/geo"
)

// GeoView is the video-KYC geo verdict: the geotag against India's boundary, the IP country,
// whether the two agree, and a small server-drawn map with the point plotted.
type GeoView struct {
	Verdict geo.Verdict
	Map     geo.Map
	Level   string // a status class
	GPS     string // "Inside India", "Outside India", "Not provided"
	Agree   string // "Yes", "No", "Cannot tell"
	Key     string // the signal's stable name: "geo-ok", "outside-india", "geo-mismatch", "no-geo", "geo-unconfirmed"
}

// BuildGeo gives the geo verdict for a video-KYC session; nil for other sources.
func BuildGeo(s *store.Snapshot) *GeoView {
	if s.Source != store.SourceVCIP {
		return nil
	}
	v := store.GeoCheck(s)
	g := &GeoView{Verdict: v, Map: geo.IndiaMap(v), Level: geoLevel(v.Level)}
	switch v.GPS {
	case geo.GPSInside:
		g.GPS = "Inside India"
	case geo.GPSOutside:
		g.GPS = "Outside India"
	default:
		g.GPS = "Not provided"
	}
	switch {
	case !v.AgreeKnown:
		g.Agree = "Cannot tell"
	case v.Agree:
		g.Agree = "Yes"
	default:
		g.Agree = "No"
	}
	switch {
	case v.Level == geo.LevelGreen:
		g.Key = "geo-ok"
	case v.GPS == geo.GPSOutside || (v.GPS == geo.GPSMissing && v.Level == geo.LevelRed):
		g.Key = "outside-india"
	case v.Level == geo.LevelRed:
		g.Key = "geo-mismatch"
	case v.GPS == geo.GPSMissing:
		g.Key = "no-geo"
	default:
		g.Key = "geo-unconfirmed"
	}
	return g
}

func geoLevel(l string) string {
	switch l {
	case geo.LevelGreen:
		return StatusGreen
	case geo.LevelRed:
		return StatusRed
	}
	return StatusAmber
}

// Coordinates is the geotag as the map's caption shows it.
func (g GeoView) Coordinates() string {
	if g.Verdict.GPS == geo.GPSMissing {
		return ""
	}
	return fmt.Sprintf("%.4f, %.4f", g.Verdict.Lat, g.Verdict.Lon)
}

// IPCountry is the IP address's country, or a dash.
func (g GeoView) IPCountry() string {
	if g.Verdict.IPCountry == "" {
		return "—"
	}
	return g.Verdict.IPCountry
}

// ftoa writes an SVG coordinate.
func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
