package demo

import (
	"strings"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

const (
	minute = time.Minute
	hour   = time.Hour
	day    = 24 * time.Hour

	approved  = store.StatusApproved
	denied    = store.StatusDenied
	suspected = store.StatusSuspected
	expired   = store.StatusExpired
	docOK     = "DOC_VALIDATED"
	faceOK    = "FACE_MATCH"

	linkExpired = "the server answered 403 Forbidden: the pre-signed link expired"
)

var (
	cardFiles     = []string{store.MediaFront, store.MediaBack, store.MediaFace}
	passportFiles = []string{store.MediaFront, store.MediaFace}
)

func withVideos(files []string, kinds ...string) []string {
	return append(append([]string{}, files...), kinds...)
}

// autoCB is an automatic callback (final: false, manual statuses null), sent ago before now.
func autoCB(ago time.Duration, overall, doc, face string) idDelivery {
	return idDelivery{ago: ago, overall: overall, autoDoc: doc, autoFace: face}
}

// manual is the callback after a person at the vendor reviewed d: final, with manual statuses.
func (d idDelivery) manual(ago time.Duration, overall, doc, face string) idDelivery {
	d.ago, d.final, d.overall, d.manualDoc, d.manualFace = ago, true, overall, doc, face
	return d
}

func (d idDelivery) fraudTags(t ...string) idDelivery    { d.fraud = t; return d }
func (d idDelivery) mismatchTags(t ...string) idDelivery { d.mismatch = t; return d }

// date is now moved by years and days, as YYYY-MM-DD.
func date(now time.Time, years, days int) string {
	return now.AddDate(years, 0, days).Format("2006-01-02")
}

// markIDCases are the identity verifications, with every status, tag kind and history shape.
func markIDCases(now time.Time) []*idCase {
	return append(reviewCases(now), closedCases(now)...)
}

// reviewCases end SUSPECTED, so a reviewer must decide them; several have waited past the 24-hour SLA.
func reviewCases(now time.Time) []*idCase {
	kovalenko := autoCB(3*hour+30*minute, suspected, docOK, faceOK).
		fraudTags("FACE_IN_BLACKLIST").mismatchTags("NAME", "UNDER_AGE")
	volkov := autoCB(26*hour+10*minute, suspected, docOK, "FACE_UNCERTAIN").fraudTags("DEV_TOOLS_OPENED", "VIRTUAL_CAMERA")
	beridze := autoCB(30*hour, suspected, docOK, faceOK).fraudTags("AML_SUSPECTION")
	wisniewska := autoCB(9*hour, suspected, docOK, faceOK).fraudTags("LID_SUSPECTION")
	yildirim := autoCB(2*day+3*hour, suspected, docOK, faceOK).mismatchTags("NATIONALITY", "DATE_OF_BIRTH")
	miller := autoCB(28*hour+40*minute, suspected, docOK, faceOK).fraudTags("UTILITY_ADDRESS_CHECK_FAILURE")
	miller.additionalSteps = "INVALID"
	rossi := autoCB(12*hour, suspected, docOK, faceOK).fraudTags("AML_FAILED")
	rathore := autoCB(6*hour+15*minute, suspected, docOK, faceOK).mismatchTags("DATE_OF_BIRTH")
	popescu := autoCB(3*day+14*hour, suspected, docOK, faceOK).fraudTags("DUPLICATE_DOC_FACE")
	annaDOB := date(now, -16, -41) // 16 years old: under age
	return []*idCase{
		{key: "kovalenko", clientID: "cust-10231", platform: "MOBILE",
			p: idPerson{first: "ANNA", last: "KOVALENKO", orgFirst: "АННА", orgLast: "КОВАЛЕНКО", sex: "FEMALE",
				dob: annaDOB, nat: "UA", orgNat: "УКРАЇНА", birthPlace: "KYIV", orgBirthPlace: "М. КИЇВ",
				authority: "4601", orgAuthority: "4601", docType: "PASSPORT", docNo: "FT482913",
				personalCode: strings.ReplaceAll(annaDOB, "-", "") + "-01234", issued: date(now, -2, -90), expiry: date(now, 8, -90), country: "UA"},
			ip: "203.0.113.9", ipCountry: "AE", location: "Dubai, United Arab Emirates", proxy: "HIGH", age: "OVER_13",
			files:      withVideos(passportFiles, store.MediaFrontVideo, store.MediaFaceVideo),
			aml:        []markidCheck{amlClear("kovalenko")},
			deliveries: []idDelivery{kovalenko, kovalenko.manual(3*hour+12*minute, suspected, docOK, faceOK)}},

		{key: "volkov", clientID: "cust-10187", platform: "PC",
			p: idPerson{first: "ALEKSANDR", last: "VOLKOV", orgFirst: "АЛЕКСАНДР", orgLast: "ВОЛКОВ", sex: "MALE",
				dob: "1984-09-12", nat: "RU", orgNat: "РОССИЙСКАЯ ФЕДЕРАЦИЯ", birthPlace: "G. SANKT-PETERBURG",
				orgBirthPlace: "Г. САНКТ-ПЕТЕРБУРГ", authority: "MVD 78001", docType: "PASSPORT", docNo: "757318246",
				issued: "2019-04-03", expiry: "2029-04-03", country: "RU"},
			ip: "198.51.100.77", ipCountry: "NL", location: "Amsterdam, Netherlands", proxy: "VERY_HIGH", age: "OVER_30",
			files:      withVideos(passportFiles, store.MediaFaceVideo),
			failMedia:  map[string]string{store.MediaFaceVideo: linkExpired},
			aml:        []markidCheck{amlClear("volkov")},
			deliveries: []idDelivery{volkov, volkov.manual(25*hour+35*minute, suspected, docOK, "FACE_UNCERTAIN")}},

		{key: "shevchuk", clientID: "cust-10244", platform: "MOBILE_SDK",
			p: idPerson{first: "OLENA", last: "SHEVCHUK", orgFirst: "ОЛЕНА", orgLast: "ШЕВЧУК", sex: "FEMALE",
				dob: "1991-02-17", nat: "UA", orgNat: "УКРАЇНА", birthPlace: "LVIV", orgBirthPlace: "М. ЛЬВІВ",
				authority: "4610", orgAuthority: "4610", docType: "ID_CARD", docNo: "004518273",
				personalCode: "19910217-03418", issued: "2020-06-11", expiry: "2030-06-11", country: "UA"},
			ip: "192.0.2.44", ipCountry: "UA", location: "Lviv, Ukraine", proxy: "LOW", age: "OVER_30",
			face: "hrytsenko", dupFaces: []string{"hrytsenko"}, files: cardFiles,
			aml:        []markidCheck{amlClear("shevchuk")},
			deliveries: []idDelivery{autoCB(7*hour+5*minute, suspected, docOK, faceOK).fraudTags("DUPLICATE_FACE")}},

		{key: "beridze", clientID: "cust-10166", platform: "PC",
			p: idPerson{first: "TAMAZ", last: "BERIDZE", orgFirst: "თამაზ", orgLast: "ბერიძე", sex: "MALE",
				dob: "1969-11-30", nat: "GE", orgNat: "საქართველო", birthPlace: "TBILISI", orgBirthPlace: "თბილისი",
				docType: "PASSPORT", docNo: "15AB84721", personalCode: "01024081234", issued: "2021-08-19",
				expiry: "2031-08-18", country: "GE"},
			ip: "198.51.100.150", ipCountry: "GE", location: "Tbilisi, Georgia", proxy: "LOW", age: "OVER_30",
			files: passportFiles,
			aml: []markidCheck{amlHit("beridze",
				`{"name": "TAMAZ", "surname": "BERIDZE", "dob": "1969-11-30", "nationality": "GE", "suspicion": "PEPS",
				  "reason": "Former deputy minister of energy (2012-2016)", "listName": "PEPS", "score": 92,
				  "isPerson": true, "isActive": false, "lastUpdate": "2024-02-11"}`,
				`{"name": "TAMAZ", "surname": "BERIDZE", "dob": "1969", "nationality": "GE", "suspicion": "SANCTIONS",
				  "reason": "Asset freeze", "listName": "EU Consolidated Financial Sanctions List", "listNumber": "EU.7814.22",
				  "score": 88, "isPerson": true, "isActive": true, "lastUpdate": "2024-05-27"}`)},
			lid:        []markidCheck{lidClear("beridze")},
			deliveries: []idDelivery{beridze, beridze.manual(29*hour+5*minute, suspected, docOK, faceOK)}},

		{key: "wisniewska", clientID: "cust-10298", platform: "MOBILE",
			p: idPerson{first: "KATARZYNA", last: "WISNIEWSKA", orgFirst: "KATARZYNA", orgLast: "WIŚNIEWSKA", sex: "FEMALE",
				dob: "1988-03-12", nat: "PL", orgNat: "POLSKIE", birthPlace: "KRAKOW", orgBirthPlace: "KRAKÓW",
				authority: "PREZYDENT MIASTA KRAKOWA", orgAuthority: "PREZYDENT MIASTA KRAKOWA", docType: "ID_CARD",
				docNo: "AYC482913", personalCode: "88031204567", issued: "2019-01-22", expiry: "2029-01-22", country: "PL"},
			ip: "192.0.2.61", ipCountry: "PL", location: "Kraków, Poland", proxy: "VERY_LOW", age: "OVER_30",
			files: cardFiles, aml: []markidCheck{amlClear("wisniewska")},
			lid: []markidCheck{lidHit("wisniewska",
				`{"documentNumber": "AYC482913", "documentType": "ID_CARD", "country": "PL", "valid": false,
				  "reason": "LOST", "reportedAt": "2023-11-02", "source": "Rejestr Dowodów Osobistych"}`)},
			deliveries: []idDelivery{wisniewska, wisniewska.manual(8*hour+40*minute, suspected, docOK, faceOK)}},

		{key: "yildirim", clientID: "cust-10102", platform: "PC",
			p: idPerson{first: "AYSE", last: "YILDIRIM", orgFirst: "AYŞE", orgLast: "YILDIRIM", sex: "FEMALE",
				dob: "1994-08-02", nat: "TR", orgNat: "TÜRKİYE CUMHURİYETİ", birthPlace: "IZMIR", orgBirthPlace: "İZMİR",
				docType: "PASSPORT", docNo: "U18273645", personalCode: "34567890124", issued: "2022-03-15",
				expiry: "2032-03-15", country: "TR"},
			ip: "2001:db8:85a3::8a2e:370:7334", ipCountry: "DE", location: "Berlin, Germany", proxy: "LOW", age: "OVER_25",
			files: passportFiles, aml: []markidCheck{amlClear("yildirim")},
			deliveries: []idDelivery{yildirim, yildirim.manual(2*day+2*hour, suspected, docOK, faceOK)}},

		{key: "garcia", clientID: "cust-10311", platform: "MOBILE",
			p: idPerson{first: "LAURA", last: "GARCIA FERNANDEZ", orgFirst: "LAURA", orgLast: "GARCÍA FERNÁNDEZ", sex: "FEMALE",
				dob: "1997-05-09", nat: "ES", orgNat: "ESPAÑOLA", birthPlace: "SEVILLA", orgBirthPlace: "SEVILLA",
				docType: "ID_CARD", docNo: "CXK429183", personalCode: "48291734Z", issued: "2021-09-30",
				expiry: "2031-09-30", country: "ES"},
			ip: "198.51.100.19", ipCountry: "ES", location: "Madrid, Spain", proxy: "VERY_LOW", age: "OVER_25",
			files: cardFiles, aml: []markidCheck{amlClear("garcia")},
			deliveries: []idDelivery{autoCB(1*hour+20*minute, suspected, docOK, "FACE_UNCERTAIN").fraudTags("FACE_SUSPECTED", "NEW_VENDOR_TAG")}},

		{key: "miller", clientID: "cust-10133", platform: "PC",
			p: idPerson{first: "JOHN", last: "MILLER", sex: "MALE", dob: "1980-11-25", nat: "GB", birthPlace: "LEEDS",
				address: "27 ST MICHAELS ROAD, LEEDS LS6 3BG", authority: "DVLA", licence: "B, BE",
				docType: "DRIVER_LICENSE", docNo: "MILLE811250J99AB", issued: "2020-02-14", expiry: "2030-02-13", country: "GB"},
			ip: "192.0.2.112", ipCountry: "GB", location: "Leeds, United Kingdom", proxy: "VERY_LOW", age: "OVER_30",
			files: cardFiles, aml: []markidCheck{amlClear("miller")},
			manualAddress:  "14 Elm Grove, Leeds LS6 2AB",
			additionalData: `{"UTILITY_BILL": {"address": {"value": "14 Elm Grove, Leeds LS6 2AB", "status": "MISMATCH"}}}`,
			deliveries:     []idDelivery{miller, miller.manual(27*hour+55*minute, suspected, docOK, faceOK)}},

		{key: "oconnor", clientID: "cust-10320", platform: "MOBILE_APP",
			p: idPerson{first: "SIOBHAN", last: "O'CONNOR", orgFirst: "SIOBHÁN", orgLast: "O'CONNOR", sex: "FEMALE",
				dob: "1990-12-03", nat: "IE", birthPlace: "CORK", docType: "PASSPORT", docNo: "PA7391824",
				issued: "2019-07-08", expiry: "2029-07-07", country: "IE"},
			ip: "198.51.100.201", ipCountry: "IE", location: "Cork, Ireland", proxy: "VERY_LOW", age: "OVER_30",
			files: passportFiles, gdcMatch: new(bool), aml: []markidCheck{amlClear("oconnor")},
			deliveries: []idDelivery{autoCB(40*minute, suspected, docOK, faceOK).mismatchTags("GDC_NOT_MATCH")}},

		{key: "rossi", clientID: "cust-10270", platform: "PC",
			p: idPerson{first: "LUCA", last: "ROSSI", sex: "MALE", dob: "1986-06-21", nat: "IT", birthPlace: "TORINO",
				docType: "ID_CARD", docNo: "CA28371BD", personalCode: "RSSLCU86H21L219K", issued: "2018-10-04",
				expiry: "2029-06-21", country: "IT"},
			ip: "203.0.113.58", ipCountry: "IT", location: "Turin, Italy", proxy: "LOW", age: "OVER_30",
			files: cardFiles, aml: []markidCheck{amlFailed("rossi", "AML provider timeout after 30s; the check was not run")},
			deliveries: []idDelivery{rossi, rossi.manual(11*hour+35*minute, suspected, docOK, faceOK)}},

		{key: "rathore", clientID: "cust-10305", platform: "MOBILE",
			p: idPerson{first: "VIKRAM SINGH", last: "RATHORE", orgFirst: "विक्रम सिंह", orgLast: "राठौर", sex: "MALE",
				dob: "1987-01-19", nat: "IN", docType: "PAN_CARD", docNo: "AJRPR4412K", country: "IN"},
			ip: "203.0.113.188", ipCountry: "IN", location: "Jaipur, India", proxy: "MEDIUM", age: "OVER_30",
			files: []string{store.MediaFront, store.MediaFace}, aml: []markidCheck{amlClear("rathore")},
			deliveries: []idDelivery{rathore, rathore.manual(5*hour+50*minute, suspected, docOK, faceOK)}},

		{key: "berzina", clientID: "cust-10329", platform: "MOBILE",
			p: idPerson{first: "LIGA", last: "BERZINA", orgFirst: "LĪGA", orgLast: "BĒRZIŅA", sex: "FEMALE",
				dob: "1999-04-26", nat: "LV", orgNat: "LATVIJAS", birthPlace: "RIGA", orgBirthPlace: "RĪGA",
				docType: "ID_CARD", docNo: "PA0284617", personalCode: "260499-10373", issued: "2022-05-02",
				expiry: "2032-05-02", country: "LV"},
			ip: "192.0.2.230", ipCountry: "LV", location: "Riga, Latvia", age: "OVER_22",
			files: cardFiles, aml: []markidCheck{amlClear("berzina")},
			deliveries: []idDelivery{autoCB(15*minute, suspected, docOK, faceOK).mismatchTags("DOCUMENT_NUMBER")}},

		{key: "popescu", clientID: "cust-10119", platform: "PC",
			p: idPerson{first: "ANDREI", last: "POPESCU", sex: "MALE", dob: "1983-10-08", nat: "RO", birthPlace: "MUN. CLUJ-NAPOCA",
				docType: "ID_CARD", docNo: "CJ845102", personalCode: "1831008125781", issued: "2021-10-08",
				expiry: "2031-10-08", country: "RO"},
			ip: "198.51.100.96", ipCountry: "RO", location: "Cluj-Napoca, Romania", proxy: "MEDIUM", age: "OVER_30",
			docFace: "muller", dupDocFaces: []string{"muller"}, files: cardFiles, aml: []markidCheck{amlClear("popescu")},
			deliveries: []idDelivery{popescu, popescu.manual(3*day+13*hour, suspected, docOK, "FACE_MISMATCH")}},
	}
}
