package demo

import (
	"fmt"

	"github.com/kycdesk/kycdesk/store"
)

const noForensics = `{"ipQuality": {"isSet": 0}}`

// params is the callbackParameters the bank sent when it created the call.
func params(app, branch, product, lang string) string {
	return fmt.Sprintf(`{"id": %q, "branch": %q, "product": %q, "customerLanguage": %q}`, app, branch, product, lang)
}

// videoCases are the video-KYC sessions: every one needs a reviewer's concurrent audit.
// They cover each language the vendor translates into, desktop and phone browsers, sessions
// with a PAN card, an Aadhaar card or both, and one call placed from outside India.
func videoCases() []*videoCase {
	all := []int{stepPAN, stepName, stepDOB, stepAadhaar, stepFace, stepAddress}
	return []*videoCase{
		{key: "priya-sharma", name: "Priya Sharma", email: "priya.sharma92@example.com", father: "Rajesh Sharma",
			sex: "FEMALE", dob: "14/08/1992", pan: "BKSPS4821K", aadhaar: "XXXX XXXX 4821",
			steps: []int{stepPAN, stepName, stepDOB, stepAadhaar, stepFace}, lang: "HINDI", ago: 2*hour + 10*minute,
			callSeconds: 412, geo: indiaGeo("203.0.113.25", "Maharashtra", "Mumbai", "400099", "19.1136", "72.8697"),
			device: "desktop", feedback: "4.5", feedbackMessage: "good", remark: "Accepted", items: []string{"Internet Slow"},
			forensics: noForensics, params: params("APP-2024-000812", "Mumbai-Andheri East", "SAVINGS_ACCOUNT", "HINDI")},

		{key: "ravi-gowda", name: "Ravi Kumar Gowda", email: "ravi.gowda@example.com", father: "Kumar Gowda",
			sex: "MALE", dob: "02/01/1988", pan: "AQPPG7310L", aadhaar: "XXXX XXXX 9034",
			steps: []int{stepName, stepPAN, stepDOB, stepFace, stepAddress}, lang: "KANNADA", ago: 27*hour + 20*minute,
			callSeconds: 388, geo: indiaGeo("198.51.100.207", "Karnataka", "Bengaluru", "560034", "12.9352", "77.6245"),
			device: "android", feedback: "4", feedbackMessage: "Customer on mobile data, video stable", remark: "Accepted",
			forensics: noForensics, params: params("APP-2024-000797", "Bengaluru-Koramangala", "SAVINGS_ACCOUNT", "KANNADA")},

		{key: "ananya-das", name: "Ananya Das", email: "ananya.das96@example.com", father: "Subrata Das",
			sex: "FEMALE", dob: "23/11/1996", pan: "CJKPD2290F", aadhaar: "XXXX XXXX 6617",
			steps: all, lang: "BENGALI", ago: 3*day + 2*hour,
			callSeconds: 505, geo: indiaGeo("192.0.2.57", "West Bengal", "Kolkata", "700091", "22.5726", "88.3639"),
			device: "mac", feedback: "5", feedbackMessage: "very smooth", remark: "Accepted",
			forensics: noForensics, params: params("APP-2024-000741", "Kolkata-Salt Lake", "CREDIT_CARD", "BENGALI")},

		{key: "hetal-patel", name: "Hetal Patel", email: "hetal.patel@example.com", father: "Mahesh Patel",
			sex: "FEMALE", dob: "09/06/1990", pan: "AHZPP5521Q", aadhaar: "XXXX XXXX 3356",
			steps: []int{stepAadhaar, stepName, stepDOB, stepPAN, stepFace}, lang: "GUJARATI", ago: 45 * minute,
			callSeconds: 530, geo: indiaGeo("203.0.113.66", "Gujarat", "Ahmedabad", "380015", "23.0225", "72.5714"),
			device: "android", feedback: "3.5", feedbackMessage: "Customer needed help to switch to the rear camera",
			remark: "Recheck Required", items: []string{"Recheck Required"},
			forensics: noForensics, params: params("APP-2024-000836", "Ahmedabad-Navrangpura", "HOME_LOAN", "GUJARATI")},

		{key: "irfan-dubai", name: "Mohammed Irfan", email: "m.irfan85@example.com", father: "Abdul Rashid",
			sex: "MALE", dob: "17/03/1985", pan: "BNRPI6634D", aadhaar: "XXXX XXXX 1209",
			steps: []int{stepPAN, stepName, stepDOB, stepAadhaar, stepFace}, lang: "ENGLISH", ago: 5*hour + 20*minute,
			callSeconds: 296, device: "desktop",
			geo: vcipGeo{StatusCode: "OK", IPAddress: "192.0.2.201", CountryCode: "AE", CountryName: "United Arab Emirates",
				RegionName: "Dubai", CityName: "Dubai", Latitude: "25.2048", Longitude: "55.2708", TimeZone: "+04:00",
				IP: "192.0.2.201", City: "Dubai"},
			feedback: "3", feedbackMessage: "Customer says he is travelling for work", remark: "Rejected",
			items:     []string{"Location outside India"},
			forensics: `{"ipQuality": {"isSet": 1, "fraudScore": 85, "vpn": true, "proxy": true, "countryCode": "AE", "ISP": "Example Hosting FZ-LLC"}}`,
			params:    params("APP-2024-000829", "Hyderabad-Banjara Hills", "NRO_ACCOUNT", "ENGLISH")},

		{key: "suresh-iyer", name: "Suresh Iyer", email: "suresh.iyer@example.com", father: "Venkatesh Iyer",
			sex: "MALE", dob: "30/09/1979", aadhaar: "XXXX XXXX 5570",
			steps: []int{stepDOB, stepAadhaar, stepName, stepFace}, lang: "ENGLISH", ago: 4*day + 3*hour, randomize: true,
			callSeconds: 341, geo: indiaGeo("198.51.100.88", "Tamil Nadu", "Chennai", "600040", "13.0827", "80.2707"),
			device: "desktop", feedback: "2", feedbackMessage: "Face not clearly visible, poor lighting", remark: "Rejected",
			items:     []string{"Face not clearly visible", "Recheck Required"},
			forensics: noForensics, params: params("APP-2024-000702", "Chennai-Anna Nagar", "SAVINGS_ACCOUNT", "ENGLISH")},

		{key: "deepa-menon", name: "Deepa Menon", email: "deepa.menon@example.com", father: "Gopal Menon",
			sex: "FEMALE", dob: "11/12/1993", pan: "DXMPM4410H",
			steps: []int{stepPAN, stepName, stepDOB, stepFace}, lang: "ENGLISH", ago: 1*day + 5*hour,
			callSeconds: 264, geo: indiaGeo("203.0.113.102", "Kerala", "Kochi", "682016", "9.9312", "76.2673"),
			device: "iphone", feedback: "4.5", feedbackMessage: "good", remark: "Accepted",
			forensics: noForensics, params: params("APP-2024-000788", "Kochi-MG Road", "CREDIT_CARD", "ENGLISH")},

		{key: "vikram-singh", name: "Vikram Singh", email: "vikram.singh82@example.com", father: "Harbhajan Singh",
			sex: "MALE", dob: "05/05/1982", pan: "AGSPS9021B", aadhaar: "XXXX XXXX 7781",
			steps: []int{stepPAN, stepName, stepDOB, stepAadhaar, stepFace, stepAddress}, lang: "HINDI", ago: 2*day + 9*hour,
			callSeconds: 455, geo: indiaGeo("192.0.2.133", "Delhi", "New Delhi", "110017", "28.5355", "77.2100"),
			device: "desktop", feedback: "4", feedbackMessage: "Recording upload was slow", remark: "Accepted",
			failMedia: map[string]string{store.MediaRecordedVideo: linkExpired},
			forensics: noForensics, params: params("APP-2024-000765", "Delhi-Saket", "PERSONAL_LOAN", "HINDI")},

		{key: "sneha-kulkarni", name: "Sneha Kulkarni", email: "sneha.k98@example.com", father: "Anil Kulkarni",
			sex: "FEMALE", dob: "21/02/1998", pan: "FQKPK3301C", aadhaar: "XXXX XXXX 0468",
			steps: []int{stepPAN, stepName, stepDOB, stepAadhaar, stepFace}, lang: "HINDI", ago: 9 * hour,
			callSeconds: 367, geo: indiaGeo("198.51.100.175", "Maharashtra", "Pune", "411038", "18.5204", "73.8567"),
			device: "android", feedback: "4.5", feedbackMessage: "good", remark: "Accepted", items: []string{"Internet Slow"},
			forensics: noForensics, params: params("APP-2024-000818", "Pune-Kothrud", "SAVINGS_ACCOUNT", "HINDI")},

		{key: "arjun-mehta", name: "Arjun Mehta", email: "arjun.mehta@example.com", father: "Ramesh Mehta",
			sex: "MALE", dob: "28/07/1991", pan: "BWMPM7215E",
			steps: []int{stepPAN, stepName, stepDOB, stepFace}, lang: "GUJARATI", ago: 14 * minute,
			callSeconds: 602, geo: indiaGeo("203.0.113.230", "Gujarat", "Surat", "395007", "21.1702", "72.8311"),
			device: "desktop", feedback: "3.5", feedbackMessage: "Customer disconnected once and rejoined",
			remark: "Recheck Required", items: []string{"Call Dropped", "Recheck Required"},
			forensics: noForensics, params: params("APP-2024-000841", "Surat-Adajan", "CURRENT_ACCOUNT", "GUJARATI")},
	}
}
