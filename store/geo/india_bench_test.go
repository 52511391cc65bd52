package geo

import "testing"

// BenchmarkCheckIndia is the cost of one geotag verdict, paid on every video-KYC case page:
// inside (Nagpur, the polygon test and the distance to the land borders) and outside at sea (the
// territorial-waters test walks every ring as well).
func BenchmarkCheckIndia(b *testing.B) {
	for _, p := range []struct{ name, lat, lon string }{{"inside", "21.1458", "79.0882"}, {"outside", "15.4", "71.9"}} {
		b.Run(p.name, func(b *testing.B) {
			CheckIndia(p.lat, p.lon, "IN") // the boundary is read once per process
			b.ResetTimer()
			for b.Loop() {
				CheckIndia(p.lat, p.lon, "IN")
			}
		})
	}
}
