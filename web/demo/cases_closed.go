package demo

import (
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// closedCases end APPROVED, DENIED or EXPIRED, so they are informational, and show the ways a
// case's history can go: auto then manual, a status that changes on review, a manual result
// that arrives days late, an automatic one that arrives after the final, and a re-delivery.
func closedCases(now time.Time) []*idCase {
	simkus := autoCB(2*day+5*hour, approved, docOK, faceOK)
	vaitkeviciute := autoCB(1*day+8*hour, suspected, docOK, faceOK).fraudTags("DOC_MOBILE_PHOTO")
	bondarenko := autoCB(4*day+2*hour, suspected, docOK, faceOK).fraudTags("DOC_PRINT_SPOOFED")
	jankauskas := autoCB(3*day+1*hour, denied, "DOC_EXPIRED", faceOK)
	sharma := autoCB(3*day+6*hour, approved, docOK, faceOK)
	kazlauskiene := autoCB(5*day+4*hour, suspected, docOK, faceOK).mismatchTags("SURNAME")
	petraitis := autoCB(4*day+5*hour+30*minute, suspected, docOK, "FAKE_FACE").fraudTags("FAKE_PHOTO")
	romanenko := autoCB(22*hour, denied, "DOC_TOO_BLURRY", "FACE_TOO_BLURRY")
	petrova := autoCB(1*day+2*hour+20*minute, approved, docOK, faceOK)
	petrova.lastName = "PETR0VA" // misread by OCR; the vendor's reviewer corrects it
	petrovaManual := petrova.manual(1*day+2*hour, approved, docOK, faceOK)
	petrovaManual.lastName, petrovaManual.dataChanged = "", true
	marozau := autoCB(3*day+9*hour+20*minute, suspected, docOK, faceOK).fraudTags("FACE_BLACKLISTED", "DOC_FACE_BLACKLISTED")
	nair := autoCB(2*day+1*hour, suspected, docOK, "FACE_UNCERTAIN")
	chattopadhyay := autoCB(1*day+18*hour, approved, docOK, faceOK)
	muller := autoCB(6*hour+30*minute, approved, docOK, faceOK)
	hrytsenko := autoCB(6*day+2*hour, approved, docOK, faceOK)
	final := func(ago time.Duration, overall, doc, face string) idDelivery {
		return autoCB(ago, overall, doc, face).manual(ago, overall, doc, face)
	}
	schmidt := final(11*hour, approved, docOK, faceOK)
	schmidt.redeliver = true // our 200 was lost on the way back; the vendor retried with the same bytes
	return []*idCase{
		{key: "simkus", clientID: "cust-10158", platform: "MOBILE",
			p: idPerson{first: "ZYGIMANTAS", last: "SIMKUS", orgFirst: "ŽYGIMANTAS", orgLast: "ŠIMKUS", sex: "MALE",
				dob: "1990-03-15", nat: "LT", orgNat: "LIETUVOS", birthPlace: "VILNIUS", orgBirthPlace: "VILNIUS",
				authority: "MIGRACIJOS DEPARTAMENTAS", docType: "ID_CARD", docNo: "10934567", personalCode: "39003150123",
				issued: "2021-04-12", expiry: "2031-04-12", country: "LT"},
			ip: "192.0.2.14", ipCountry: "LT", location: "Vilnius, Lithuania", proxy: "VERY_LOW", age: "OVER_30",
			files: cardFiles, aml: []markidCheck{amlClear("simkus")},
			deliveries: []idDelivery{simkus, simkus.manual(2*day+4*hour+48*minute, approved, docOK, faceOK)}},

		{key: "vaitkeviciute", clientID: "cust-10209", platform: "MOBILE_APP",
			p: idPerson{first: "RUTA", last: "VAITKEVICIUTE", orgFirst: "RŪTA", orgLast: "VAITKEVIČIŪTĖ", sex: "FEMALE",
				dob: "1992-07-21", nat: "LT", orgNat: "LIETUVOS", birthPlace: "KAUNAS", orgBirthPlace: "KAUNAS",
				docType: "PASSPORT", docNo: "23456789", personalCode: "49207210456", issued: "2018-09-03",
				expiry: "2028-09-03", country: "LT"},
			ip: "198.51.100.41", ipCountry: "LT", location: "Kaunas, Lithuania", proxy: "LOW", age: "OVER_30",
			files: withVideos(passportFiles, store.MediaFrontVideo), aml: []markidCheck{amlClear("vaitkeviciute")},
			deliveries: []idDelivery{vaitkeviciute, vaitkeviciute.manual(1*day+7*hour+40*minute, approved, docOK, faceOK).fraudTags()}},

		{key: "bondarenko", clientID: "cust-10071", platform: "PC",
			p: idPerson{first: "DMYTRO", last: "BONDARENKO", orgFirst: "ДМИТРО", orgLast: "БОНДАРЕНКО", sex: "MALE",
				dob: "1979-12-01", nat: "UA", orgNat: "УКРАЇНА", birthPlace: "KHARKIV", orgBirthPlace: "М. ХАРКІВ",
				authority: "6310", orgAuthority: "6310", docType: "ID_CARD", docNo: "004512873",
				personalCode: "19791201-05517", issued: "2019-11-20", expiry: "2029-11-20", country: "UA"},
			ip: "203.0.113.71", ipCountry: "UA", location: "Kharkiv, Ukraine", proxy: "MEDIUM", age: "OVER_30",
			files: withVideos(cardFiles, store.MediaFrontVideo, store.MediaBackVideo), aml: []markidCheck{amlClear("bondarenko")},
			deliveries: []idDelivery{bondarenko, bondarenko.manual(4*day+1*hour+35*minute, denied, "DOC_FAKE", faceOK)}},

		{key: "melnyk", clientID: "cust-10333", platform: "MOBILE",
			p: idPerson{first: "SOFIIA", last: "MELNYK", orgFirst: "СОФІЯ", orgLast: "МЕЛЬНИК", sex: "FEMALE",
				dob: "1998-10-30", nat: "UA", orgNat: "УКРАЇНА", birthPlace: "ODESA", orgBirthPlace: "М. ОДЕСА",
				docType: "PASSPORT", docNo: "FX193847", personalCode: "19981030-02261", issued: "2022-12-05",
				expiry: "2032-12-05", country: "UA"},
			ip: "198.51.100.12", ipCountry: "PL", location: "Warsaw, Poland", proxy: "LOW", age: "OVER_25",
			files: passportFiles, aml: []markidCheck{amlClear("melnyk")},
			deliveries: []idDelivery{autoCB(50*minute, approved, docOK, faceOK)}},

		{key: "jankauskas", clientID: "cust-10140", platform: "PC",
			p: idPerson{first: "MARIUS", last: "JANKAUSKAS", sex: "MALE", dob: "1976-05-18", nat: "LT", birthPlace: "SIAULIAI",
				orgBirthPlace: "ŠIAULIAI", authority: "REGITRA", licence: "AM, B, BE", docType: "DRIVER_LICENSE",
				docNo: "12873046", personalCode: "37605180217", issued: date(now, -10, -220), expiry: date(now, 0, -220), country: "LT"},
			ip: "192.0.2.88", ipCountry: "LT", location: "Šiauliai, Lithuania", proxy: "VERY_LOW", age: "OVER_30",
			files: cardFiles, aml: []markidCheck{amlClear("jankauskas")},
			deliveries: []idDelivery{jankauskas, jankauskas.manual(3*day+35*minute, denied, "DOC_EXPIRED", faceOK)}},

		{key: "expired-nodata", clientID: "cust-10277", platform: "PC",
			ip: "198.51.100.240", ipCountry: "DE", location: "Frankfurt am Main, Germany",
			deliveries: []idDelivery{autoCB(2*day+20*hour, expired, "DOC_NOT_FOUND", "FACE_NOT_ANALYSED")}},

		{key: "tkachuk", clientID: "cust-10339", platform: "MOBILE",
			p: idPerson{first: "OLEKSANDR", last: "TKACHUK", orgFirst: "ОЛЕКСАНДР", orgLast: "ТКАЧУК", sex: "MALE",
				dob: "1993-01-27", nat: "UA", orgNat: "УКРАЇНА", docType: "ID_CARD", docNo: "005138204",
				expiry: "2030-03-14", issued: "2020-03-14", country: "UA"},
			ip: "203.0.113.33", ipCountry: "UA", location: "Dnipro, Ukraine",
			files:      []string{store.MediaFront},
			deliveries: []idDelivery{autoCB(5*hour, expired, docOK, "FACE_NOT_ANALYSED")}},

		{key: "hrytsenko", clientID: "cust-10012", platform: "MOBILE",
			p: idPerson{first: "OKSANA", last: "HRYTSENKO", orgFirst: "ОКСАНА", orgLast: "ГРИЦЕНКО", sex: "FEMALE",
				dob: "1989-06-05", nat: "UA", orgNat: "УКРАЇНА", birthPlace: "POLTAVA", orgBirthPlace: "М. ПОЛТАВА",
				docType: "ID_CARD", docNo: "004271583", personalCode: "19890605-01782", issued: "2019-08-21",
				expiry: "2029-08-21", country: "UA"},
			ip: "192.0.2.19", ipCountry: "UA", location: "Poltava, Ukraine", proxy: "VERY_LOW", age: "OVER_30",
			files: cardFiles, aml: []markidCheck{amlClear("hrytsenko")},
			deliveries: []idDelivery{hrytsenko, hrytsenko.manual(6*day+1*hour+42*minute, approved, docOK, faceOK)}},

		{key: "sharma", clientID: "cust-10192", platform: "MOBILE",
			p: idPerson{first: "RAHUL", last: "SHARMA", orgFirst: "राहुल", orgLast: "शर्मा", sex: "MALE", dob: "1990-07-07",
				nat: "IN", address: "B-12, MALVIYA NAGAR, JAIPUR, RAJASTHAN 302017",
				orgAddress: "बी-12, मालवीय नगर, जयपुर, राजस्थान 302017", docType: "AADHAAR", docNo: "XXXX XXXX 7312", country: "IN"},
			ip: "203.0.113.144", ipCountry: "IN", location: "Jaipur, India", proxy: "LOW", age: "OVER_30",
			docFace: "sharma-document-holder", files: cardFiles, aml: []markidCheck{amlClear("sharma")},
			deliveries: []idDelivery{sharma, sharma.manual(3*day+5*hour+40*minute, denied, docOK, "FACE_MISMATCH")}},

		{key: "kazlauskiene", clientID: "cust-10048", platform: "PC",
			p: idPerson{first: "IEVA", last: "KAZLAUSKIENE", orgFirst: "IEVA", orgLast: "KAZLAUSKIENĖ", sex: "FEMALE",
				dob: "1985-02-09", nat: "LT", orgNat: "LIETUVOS", birthPlace: "KLAIPEDA", orgBirthPlace: "KLAIPĖDA",
				docType: "ID_CARD", docNo: "10387214", personalCode: "48502090318", issued: "2020-01-16",
				expiry: "2030-01-16", country: "LT"},
			ip: "198.51.100.53", ipCountry: "LT", location: "Klaipėda, Lithuania", proxy: "VERY_LOW", age: "OVER_30",
			files: cardFiles, aml: []markidCheck{amlClear("kazlauskiene")},
			deliveries: []idDelivery{kazlauskiene, kazlauskiene.manual(2*day+22*hour, approved, docOK, faceOK).mismatchTags()}},

		{key: "petraitis", clientID: "cust-10085", platform: "MOBILE",
			p: idPerson{first: "ANDRIUS", last: "PETRAITIS", sex: "MALE", dob: "1995-09-14", nat: "LT", orgNat: "LIETUVOS",
				docType: "ID_CARD", docNo: "10762093", personalCode: "39509140561", issued: "2022-02-01",
				expiry: "2032-02-01", country: "LT"},
			ip: "192.0.2.150", ipCountry: "LT", location: "Vilnius, Lithuania", proxy: "HIGH", age: "OVER_25",
			files: withVideos(cardFiles, store.MediaFaceVideo), aml: []markidCheck{amlClear("petraitis")},
			// The final result arrives first; the automatic one, held up at the vendor, half an hour later.
			deliveries: []idDelivery{petraitis.manual(4*day+6*hour, denied, docOK, "FAKE_FACE"), petraitis}},

		{key: "romanenko", clientID: "cust-10301", platform: "MOBILE",
			p: idPerson{first: "NATALIIA", last: "ROMANENKO", orgFirst: "НАТАЛІЯ", orgLast: "РОМАНЕНКО", sex: "FEMALE",
				dob: "1982-04-03", nat: "UA", orgNat: "УКРАЇНА", docType: "PASSPORT", docNo: "FE672910",
				issued: "2017-06-19", expiry: "2027-06-19", country: "UA"},
			ip: "203.0.113.97", ipCountry: "UA", location: "Zaporizhzhia, Ukraine", proxy: "LOW", age: "OVER_30",
			files: passportFiles, aml: []markidCheck{amlClear("romanenko")},
			deliveries: []idDelivery{romanenko, romanenko.manual(21*hour+25*minute, denied, "DOC_NOT_FULLY_VISIBLE", faceOK)}},

		{key: "schmidt", clientID: "cust-10256", platform: "PC",
			p: idPerson{first: "EMMA", last: "SCHMIDT", sex: "FEMALE", dob: "1993-12-19", nat: "DE", orgNat: "DEUTSCH",
				birthPlace: "HAMBURG", authority: "FREIE UND HANSESTADT HAMBURG", docType: "ID_CARD", docNo: "T22000129",
				issued: "2021-11-02", expiry: "2031-11-01", country: "DE"},
			ip: "198.51.100.66", ipCountry: "DE", location: "Hamburg, Germany", proxy: "VERY_LOW", age: "OVER_30",
			files: cardFiles, aml: []markidCheck{amlClear("schmidt")}, lid: []markidCheck{lidClear("schmidt")},
			deliveries: []idDelivery{schmidt}},

		{key: "petrova", clientID: "cust-10226", platform: "MOBILE",
			p: idPerson{first: "MARIYA", last: "PETROVA", orgFirst: "МАРИЯ", orgLast: "ПЕТРОВА", sex: "FEMALE",
				dob: "1991-08-23", nat: "BG", orgNat: "БЪЛГАРИЯ", birthPlace: "SOFIA", orgBirthPlace: "СОФИЯ",
				docType: "ID_CARD", docNo: "645123987", personalCode: "9108234471", issued: "2019-05-13",
				expiry: "2029-05-13", country: "BG"},
			ip: "192.0.2.171", ipCountry: "BG", location: "Sofia, Bulgaria", proxy: "VERY_LOW", age: "OVER_30",
			files: cardFiles, aml: []markidCheck{amlClear("petrova")},
			deliveries: []idDelivery{petrova, petrovaManual}},

		{key: "marozau", clientID: "cust-10097", platform: "PC",
			p: idPerson{first: "KIRYL", last: "MAROZAU", orgFirst: "КІРЫЛ", orgLast: "МАРОЗАЎ", sex: "MALE",
				dob: "1981-03-30", nat: "BY", orgNat: "РЭСПУБЛІКА БЕЛАРУСЬ", birthPlace: "HOMEL", orgBirthPlace: "ГОМЕЛЬ",
				docType: "PASSPORT", docNo: "MP3847261", personalCode: "3300381A012PB4", issued: "2018-02-20",
				expiry: "2028-02-20", country: "BY"},
			ip: "203.0.113.212", ipCountry: "LT", location: "Vilnius, Lithuania", proxy: "MEDIUM", age: "OVER_30",
			files: passportFiles, aml: []markidCheck{amlClear("marozau")},
			deliveries: []idDelivery{marozau, marozau.manual(3*day+9*hour, denied, docOK, faceOK)}},

		{key: "nair", clientID: "cust-10173", platform: "MOBILE",
			p: idPerson{first: "PRIYA", last: "NAIR", sex: "FEMALE", dob: "1995-11-11", nat: "IN", birthPlace: "KOCHI",
				authority: "RPO COCHIN", docType: "PASSPORT", docNo: "Z4829173", issued: "2020-08-17",
				expiry: "2030-08-16", country: "IN"},
			ip: "203.0.113.121", ipCountry: "IN", location: "Kochi, India", proxy: "VERY_LOW", age: "OVER_25",
			files: passportFiles, aml: []markidCheck{amlClear("nair")},
			deliveries: []idDelivery{nair, nair.manual(2*day, approved, docOK, faceOK)}},

		{key: "chattopadhyay", clientID: "cust-10215", platform: "MOBILE",
			p: idPerson{first: "SOUMITRA", last: "CHATTOPADHYAY", orgFirst: "সৌমিত্র", orgLast: "চট্টোপাধ্যায়", sex: "MALE",
				dob: "1984-01-26", nat: "IN", address: "FLAT 3B, 12 GARIAHAT ROAD, KOLKATA 700019",
				orgAddress: "ফ্ল্যাট ৩বি, ১২ গড়িয়াহাট রোড, কলকাতা ৭০০০১৯", docType: "AADHAAR", docNo: "XXXX XXXX 5096", country: "IN"},
			ip: "198.51.100.133", ipCountry: "IN", location: "Kolkata, India", proxy: "VERY_LOW", age: "OVER_30",
			files: cardFiles, aml: []markidCheck{amlClear("chattopadhyay")},
			deliveries: []idDelivery{chattopadhyay, chattopadhyay.manual(1*day+17*hour+30*minute, approved, docOK, faceOK)}},

		{key: "subramanian", clientID: "cust-10064", platform: "PC",
			p: idPerson{first: "KARTHIK", last: "SUBRAMANIAN", orgFirst: "கார்த்திக்", orgLast: "சுப்பிரமணியன்", sex: "MALE",
				dob: "1988-04-14", nat: "IN", authority: "RTO CHENNAI SOUTH", licence: "LMV, MCWG", docType: "DRIVER_LICENSE",
				docNo: "TN09 20190012345", issued: "2019-03-11", expiry: "2039-03-10", country: "IN"},
			ip: "192.0.2.203", ipCountry: "IN", location: "Chennai, India", proxy: "VERY_LOW", age: "OVER_30",
			files: cardFiles, aml: []markidCheck{amlClear("subramanian")},
			deliveries: []idDelivery{final(4*day+20*hour, approved, docOK, faceOK)}},

		{key: "al-mansoori", clientID: "cust-10031", platform: "MOBILE_APP",
			p: idPerson{first: "AHMED", last: "AL MANSOORI", orgFirst: "أحمد", orgLast: "المنصوري", sex: "MALE",
				dob: "1988-09-02", nat: "AE", orgNat: "الإمارات العربية المتحدة", docType: "ID_CARD",
				docNo: "784-1988-4829137-2", issued: "2023-01-09", expiry: "2028-01-08", country: "AE"},
			ip: "203.0.113.5", ipCountry: "AE", location: "Abu Dhabi, United Arab Emirates", proxy: "VERY_LOW", age: "OVER_30",
			files: cardFiles, aml: []markidCheck{amlClear("al-mansoori")},
			deliveries: []idDelivery{final(5*day+6*hour, approved, docOK, faceOK)}},

		{key: "muller", clientID: "cust-10318", platform: "PC",
			p: idPerson{first: "LUKAS", last: "MUELLER", orgFirst: "LUKAS", orgLast: "MÜLLER", sex: "MALE",
				dob: "1986-02-28", nat: "DE", orgNat: "DEUTSCH", birthPlace: "MUENCHEN", orgBirthPlace: "MÜNCHEN",
				authority: "LANDESHAUPTSTADT MUENCHEN", docType: "PASSPORT", docNo: "C01X00T47",
				issued: "2020-10-01", expiry: "2030-09-30", country: "DE"},
			ip: "192.0.2.99", ipCountry: "DE", location: "Munich, Germany", proxy: "VERY_LOW", age: "OVER_30",
			files: passportFiles, aml: []markidCheck{amlClear("muller")},
			deliveries: []idDelivery{muller, muller.manual(6*hour+10*minute, approved, docOK, faceOK)}},
	}
}
