package store

import "github.com/kycdesk/kycdesk/store/geo"

// GeoCheck is the verdict on where a video-KYC customer was: the session's geotag (geo.latitude,
// geo.longitude) against India's boundary, offline, and the country of its IP address. It is the
// one answer the Signals panel, the geo panel and the checklist read; it never fails (missing or
// unreadable coordinates are an amber "location not provided").
func GeoCheck(s *Snapshot) geo.Verdict {
	var lat, lon string
	country := s.IPCountry
	if s.Geo != nil {
		lat, lon = s.Geo.Latitude, s.Geo.Longitude
		if s.Geo.CountryCode != "" {
			country = s.Geo.CountryCode
		}
	}
	return geo.CheckIndia(lat, lon, country)
}
