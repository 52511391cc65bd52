package geo

import (
	"strings"
	"testing"
)

func TestCheckIndia(t *testing.T) {
	tests := []struct {
		name, lat, lon, ip string
		gps, level         string
		near               bool
	}{
		{"Mumbai, Indian IP", "19.1136", "72.8697", "IN", GPSInside, LevelGreen, false},
		{"Delhi, lower-case IP country", " 28.6139 ", "77.2090", "in", GPSInside, LevelGreen, false},
		{"Port Blair (Andaman islands)", "11.6234", "92.7265", "IN", GPSInside, LevelGreen, false},
		{"Kavaratti (Lakshadweep)", "10.5669", "72.6420", "IN", GPSInside, LevelGreen, false},
		{"Leh (Ladakh)", "34.1526", "77.5771", "IN", GPSInside, LevelGreen, false},
		{"Kolkata, IP abroad: disagree", "22.5726", "88.3639", "AE", GPSInside, LevelRed, false},
		{"Kolkata, no IP country", "22.5726", "88.3639", "", GPSInside, LevelAmber, false},
		{"Dubai", "25.2048", "55.2708", "AE", GPSOutside, LevelRed, false},
		{"London, Indian IP: disagree", "51.5072", "-0.1276", "IN", GPSOutside, LevelRed, false},
		{"Lahore", "31.5497", "74.3436", "PK", GPSOutside, LevelRed, false},
		{"Kathmandu", "27.7172", "85.3240", "NP", GPSOutside, LevelRed, false},
		{"Dhaka", "23.8103", "90.4125", "BD", GPSOutside, LevelRed, false},
		{"Colombo", "6.9271", "79.8612", "LK", GPSOutside, LevelRed, false},
		{"Attari, 3 km on India's side of the Wagah crossing", "31.6011", "74.6094", "IN", GPSInside, LevelGreen, true},
		{"Wagah village, 3 km on Pakistan's side", "31.6047", "74.5386", "IN", GPSOutside, LevelRed, true},
		{"off Marine Drive, Mumbai, 2 km out at sea", "18.9440", "72.7960", "IN", GPSInside, LevelGreen, false},
		{"Arabian Sea, 200 km off Goa", "15.4", "71.9", "IN", GPSOutside, LevelRed, false},
		{"Chittagong, Bangladesh's coast", "22.3569", "91.7832", "BD", GPSOutside, LevelRed, false},
		{"missing", "", "", "IN", GPSMissing, LevelAmber, false},
		{"not numbers", "north", "east", "IN", GPSMissing, LevelAmber, false},
		{"latitude out of range", "91", "77", "IN", GPSMissing, LevelAmber, false},
		{"NaN", "NaN", "77", "IN", GPSMissing, LevelAmber, false},
		{"0,0 from a failed lookup", "0", "0.0", "IN", GPSMissing, LevelAmber, false},
		{"missing, IP abroad", "", "", "US", GPSMissing, LevelRed, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := CheckIndia(tc.lat, tc.lon, tc.ip)
			if v.GPS != tc.gps || v.Level != tc.level || v.NearBorder != tc.near {
				t.Errorf("CheckIndia(%q, %q, %q) = gps %s level %s near %v (%.1f km), want %s %s %v; %s",
					tc.lat, tc.lon, tc.ip, v.GPS, v.Level, v.NearBorder, v.BorderKm, tc.gps, tc.level, tc.near, v.Sentence)
			}
			if v.Sentence == "" {
				t.Error("no sentence")
			}
			if tc.gps == GPSMissing && tc.ip != "US" && !strings.HasPrefix(v.Sentence, "Location not provided") {
				t.Errorf("sentence = %q, want it to start with Location not provided", v.Sentence)
			}
		})
	}
}

func TestInIndiaDistance(t *testing.T) {
	// Nagpur is near the middle of India: hundreds of kilometres from any border or coast.
	inside, km := InIndia(21.1458, 79.0882)
	if !inside || km < 300 {
		t.Errorf("InIndia(Nagpur) = %v, %.0f km, want inside and over 300 km from the boundary", inside, km)
	}
	// Lahore lies about 25 km west of the border.
	inside, km = InIndia(31.5497, 74.3436)
	if inside || km < 10 || km > 40 {
		t.Errorf("InIndia(Lahore) = %v, %.0f km, want outside, 10-40 km from the boundary", inside, km)
	}
}

func TestIndiaMap(t *testing.T) {
	m := IndiaMap(CheckIndia("19.1136", "72.8697", "IN"))
	if !m.HasPoint || m.OffMap || m.Path == "" || m.Width != mapWidth || m.Height < 150 || m.Height > 250 {
		t.Fatalf("IndiaMap(Mumbai) = %+v", m)
	}
	// Mumbai is on the west coast, a little below the middle.
	if m.X > float64(m.Width)/2 || m.Y < float64(m.Height)/2 {
		t.Errorf("Mumbai plotted at %.0f,%.0f on a %dx%d map: want the lower left quarter", m.X, m.Y, m.Width, m.Height)
	}
	if n := strings.Count(m.Path, "L"); n < 50 || n > 1500 {
		t.Errorf("outline has %d points, want a simplified outline (50-1500)", n)
	}
	far := IndiaMap(CheckIndia("51.5072", "-0.1276", "GB"))
	if !far.HasPoint || !far.OffMap || far.X < 0 || far.Y < 0 {
		t.Errorf("IndiaMap(London) = %+v, want a point held on the map's edge", far)
	}
	if none := IndiaMap(CheckIndia("", "", "IN")); none.HasPoint {
		t.Errorf("IndiaMap(missing) has a point")
	}
}
