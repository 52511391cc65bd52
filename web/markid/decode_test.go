package markid

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

func ptr(b bool) *bool { return &b }

func TestDecode(t *testing.T) {
	files := func(scan string, kinds ...string) []store.MediaRef {
		var out []store.MediaRef
		for i, k := range kinds {
			ext := ".jpg"
			if store.IsVideoKind(k) {
				ext = ".mp4"
			}
			out = append(out, store.MediaRef{Kind: k, URL: "https://files.markid.example/scan/" + scan + "/" + k + ext, Position: i})
		}
		return out
	}
	notSuspected := func(name, group string) store.Check {
		return store.Check{ServiceName: name, ServiceGroupType: group, OverallStatus: "NOT_SUSPECTED", CheckSuccessful: true,
			ServiceFound: true, ServiceUsed: true, UID: "K2M4P6R8T0V2X4Z6B8D0F2H4J", Hits: json.RawMessage(`[]`)}
	}
	tests := []struct {
		file string
		want *store.Snapshot
	}{
		{"auto-suspected.json", &store.Snapshot{
			Source: store.SourceMarkID, Ref: "6f1c2a0e-5b7d-4e0b-9c1a-2d3e4f5a6b7c", ClientID: "cust-30417", ExternalRef: "loan-application-8821",
			Person: store.Person{FullName: "ILZE KALNINA", FirstName: "ILZE", LastName: "KALNINA", DOB: "1990-03-12", Sex: "FEMALE",
				Nationality: "LV", AgeEstimate: "OVER_30"},
			Document: store.Document{Type: "PASSPORT", Number: "PA0194432", PersonalCode: "120390-10457", Expiry: "2029-05-31",
				DateOfIssue: "2019-06-01", IssuingCountry: "LV", SelectedCountry: "LV"},
			Status: store.Status{Overall: store.StatusSuspected, Final: ptr(false), AutoDocument: "DOC_VALIDATED", AutoFace: "FACE_UNCERTAIN",
				SuspicionReasons: []string{"FACE_SUSPECTED"}, FraudTags: []string{"FACE_SUSPECTED", "DOC_MOBILE_PHOTO"},
				MismatchTags: []string{"NAME", "DATE_OF_BIRTH"}},
			Platform: "MOBILE", IP: "198.51.100.23", IPCountry: "LV", Location: "Riga, Latvia", StartTime: 1712041200, FinishTime: 1712041385,
			Media: []store.MediaRef{
				{Kind: store.MediaFront, URL: "https://files.markid.example/scan/6f1c2a0e/FRONT.jpg?sig=a1", Position: 0},
				{Kind: store.MediaFace, URL: "https://files.markid.example/scan/6f1c2a0e/FACE.jpg?sig=a2", Position: 1},
				{Kind: store.MediaFaceVideo, URL: "https://files.markid.example/scan/6f1c2a0e/FACE_VIDEO.mp4?sig=a3", Position: 2},
			},
		}},
		{"manual-approved.json", &store.Snapshot{
			Source: store.SourceMarkID, Ref: "0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b", ClientID: "cust-11802", ExternalRef: "acct-open-5510",
			Person: store.Person{FullName: "JONAS ZEMAITIS", FirstName: "JONAS", LastName: "ZEMAITIS", OrgFirstName: "JONAS", OrgLastName: "ŽEMAITIS",
				DOB: "1985-02-14", Sex: "MALE", Nationality: "LT", OrgNationality: "LIETUVOS RESPUBLIKA", BirthPlace: "KAUNAS", OrgBirthPlace: "KAUNAS",
				Address: "GEDIMINO PR. 9, VILNIUS", OrgAddress: "GEDIMINO PR. 9, VILNIUS", MothersMaidenName: "JANKAUSKAITE", AgeEstimate: "OVER_30"},
			Document: store.Document{Type: "ID_CARD", Number: "LT7730215", PersonalCode: "38502140123", Expiry: "2031-02-13", DateOfIssue: "2021-02-14",
				IssuingCountry: "LT", SelectedCountry: "LT", Authority: "MIGRATION DEPARTMENT", OrgAuthority: "MIGRACIJOS DEPARTAMENTAS",
				DriverLicenseCategory: "B", ManuallyDataChanged: true},
			Status: store.Status{Overall: store.StatusApproved, Final: ptr(true), AutoDocument: "DOC_VALIDATED", AutoFace: "FACE_MATCH",
				ManualDocument: "DOC_VALIDATED", ManualFace: "FACE_MATCH", AdditionalSteps: "VALID"},
			AML:      []store.Check{notSuspected("PilotApiAmlV2", "AML")},
			LID:      []store.Check{notSuspected("IrdInvalidPapers", "LID")},
			Platform: "PC", IP: "203.0.113.77", IPCountry: "LT", Location: "Vilnius, Lithuania", ProxyRiskLevel: "VERY_LOW",
			StartTime: 1712127600, FinishTime: 1712128090,
			AdditionalData:    json.RawMessage(`{"UTILITY_BILL":{"ssn":{"value":"123-45-6789","status":"MATCH"}}}`),
			DuplicateDocFaces: []string{"c4d5e6f7-0000-4a4a-9b9b-123456789abc"},
			ManualAddress:     "Gedimino pr. 9, Vilnius", ManualAddressMatch: ptr(true), GDCMatch: ptr(true),
			Media: files("0b9e8d7c", store.MediaFront, store.MediaBack, store.MediaFace, store.MediaFrontVideo, store.MediaBackVideo, store.MediaFaceVideo),
		}},
		{"expired.json", &store.Snapshot{
			Source: store.SourceMarkID, Ref: "e1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8", ClientID: "cust-99120",
			Document: store.Document{SelectedCountry: "EE"},
			Status:   store.Status{Overall: store.StatusExpired, Final: ptr(true), AutoDocument: "DOC_NOT_FOUND", AutoFace: "FACE_NOT_ANALYSED"},
			Platform: "MOBILE_SDK", IP: "192.0.2.145", IPCountry: "EE", Location: "Tallinn, Estonia", StartTime: 1712214000,
			Media: files("e1a2b3c4", store.MediaFront),
		}},
		{"denied.json", &store.Snapshot{
			Source: store.SourceMarkID, Ref: "7d6c5b4a-3928-4716-a5b4-c3d2e1f00112", ClientID: "cust-40455",
			Person:   store.Person{FullName: "PIOTR NOWAK", FirstName: "PIOTR", LastName: "NOWAK", DOB: "1979-11-02", Sex: "MALE", Nationality: "PL"},
			Document: store.Document{Type: "ID_CARD", Number: "ABC123456", Expiry: "2020-01-31", IssuingCountry: "PL", SelectedCountry: "PL"},
			Status: store.Status{Overall: store.StatusDenied, Final: ptr(true), AutoDocument: "DOC_EXPIRED", AutoFace: "FACE_MISMATCH",
				ManualDocument: "DOC_EXPIRED", ManualFace: "FACE_MISMATCH"},
			Platform: "TABLET", IP: "2001:db8::42", IPCountry: "PL", Location: "Warsaw, Poland", StartTime: 1712300400, FinishTime: 1712300712,
			Media: files("7d6c5b4a", store.MediaFront, store.MediaBack, store.MediaFace),
		}},
		{"aml-hit.json", &store.Snapshot{
			Source: store.SourceMarkID, Ref: "aa11bb22-cc33-4d44-8e55-ff6677889900", ClientID: "cust-77001",
			Person:   store.Person{FirstName: "VIKTOR", LastName: "EXAMPLOV"},
			Document: store.Document{Type: "PASSPORT", Number: "X9988776"},
			Status: store.Status{Overall: store.StatusSuspected, Final: ptr(false), AutoDocument: "DOC_VALIDATED", AutoFace: "FACE_MATCH",
				FraudTags: []string{"AML_SUSPECTION", "LID_SUSPECTION"}},
			AML: []store.Check{
				{ServiceName: "PilotApiAmlV2NameCheck", ServiceGroupType: "AML", OverallStatus: "SUSPECTED", Suspected: true, CheckSuccessful: true,
					ServiceFound: true, ServiceUsed: true, UID: "Q1W2E3R4T5Y6U7I8O9P0A1S2D", HitCount: 2,
					Hits: json.RawMessage(`[{"name":"VIKTOR","surname":"EXAMPLOV","suspicion":"PEPS","listName":"PEPS","score":96,"isPerson":true},` +
						`{"name":"VIKTOR","surname":"EXAMPLOV","suspicion":"SANCTION","listName":"OFAC","listNumber":"10001","score":100,"isPerson":true}]`)},
				// No serviceGroupType in the element: the array it came in names the group.
				{ServiceName: "AdverseMediaCheck", ServiceGroupType: "AML", OverallStatus: "NOT_CHECKED", ServiceFound: true, ServiceUsed: true,
					UID: "Q1W2E3R4T5Y6U7I8O9P0A1S2D", ErrorMessage: "provider timeout"},
			},
			LID: []store.Check{{ServiceName: "IrdInvalidPapers", ServiceGroupType: "LID", OverallStatus: "SUSPECTED", Suspected: true,
				CheckSuccessful: true, ServiceFound: true, ServiceUsed: true, UID: "Z9X8C7V6B5N4M3L2K1J0H9G8F", HitCount: 1,
				Hits: json.RawMessage(`[{"documentNumber":"X9988776","documentType":"PASSPORT","valid":false,"expiryDate":"2022-08-01"}]`)}},
		}},
		{"legacy-aml-object.json", &store.Snapshot{
			Source: store.SourceMarkID, Ref: "legacy-0001", ClientID: "cust-2018-44",
			Person:   store.Person{FirstName: "ANNA", LastName: "BERZINA"},
			Document: store.Document{Type: "ID_CARD", SelectedCountry: "LV"},
			Status:   store.Status{Overall: store.StatusApproved, AutoDocument: "DOC_VALIDATED", AutoFace: "FACE_MATCH"},
			AML: []store.Check{{ServiceGroupType: "AML", Suspected: true, HitCount: 1,
				Hits: json.RawMessage(`{"PilotApiAml":[{"name":"ANNA BERZINA","suspicion":"PEPS"}]}`)}},
			LID:   []store.Check{{ServiceGroupType: "LID", Hits: json.RawMessage(`{}`)}},
			Media: []store.MediaRef{{Kind: store.MediaFront, URL: "https://storage.markid.example/get/token-abc/FRONT.jpg"}},
		}},
		{"all-null.json", &store.Snapshot{
			Source: store.SourceMarkID, Ref: "null-everywhere-1",
			AML: []store.Check{{ServiceGroupType: "AML"}},
		}},
		{"numbers-as-strings.json", &store.Snapshot{
			Source: store.SourceMarkID, Ref: "880011223344", ClientID: "4711",
			Person:   store.Person{FirstName: "MARTA", LastName: "ORTIZ", DOB: "1992-07-30"},
			Document: store.Document{Number: "50123987", PersonalCode: "1234567890", DriverLicenseCategory: "3", ManuallyDataChanged: true},
			Status: store.Status{Overall: store.StatusApproved, Final: ptr(true), AutoDocument: "DOC_VALIDATED", AutoFace: "FACE_MATCH",
				ManualDocument: "DOC_VALIDATED", ManualFace: "FACE_MATCH", MismatchTags: []string{"SURNAME"}},
			AML:       []store.Check{{ServiceName: "PilotApiAmlV2", ServiceGroupType: "AML", OverallStatus: "NOT_SUSPECTED", CheckSuccessful: true, Hits: json.RawMessage(`[]`)}},
			IP:        "198.51.100.9",
			StartTime: 1712386800, FinishTime: 1712386942, // finishTime came in milliseconds
			ManualAddressMatch: ptr(false),
		}},
		{"unknown-tags.json", &store.Snapshot{
			Source: store.SourceMarkID, Ref: "fresh-tags-2031",
			Person: store.Person{FirstName: "OLENA"},
			Status: store.Status{Overall: store.StatusSuspected, Final: ptr(false), AutoDocument: "DOC_SOMETHING_NEW", AutoFace: "FACE_MATCH",
				SuspicionReasons: []string{"SOMETHING_NEW"}, FraudTags: []string{"FACE_IN_BLACKLIST", "DEEPFAKE_SUSPECTED_V3"},
				MismatchTags: []string{"UNDER_AGE", "NAME", "PATRONYMIC"}},
			Media: []store.MediaRef{
				{Kind: store.MediaFace, URL: "https://files.markid.example/scan/fresh/FACE.jpg", Position: 0},
				{Kind: "UTILITY_BILL", URL: "https://files.markid.example/scan/fresh/UTILITY_BILL.pdf", Position: 1},
			},
		}},
		{"duplicate-keys.json", &store.Snapshot{
			Source: store.SourceMarkID, Ref: "dup-key-77",
			Person:   store.Person{FirstName: "EVA"},
			Document: store.Document{SelectedCountry: "LT"},
			Status:   store.Status{Overall: store.StatusApproved},
		}},
		{"spec-example.json", &store.Snapshot{
			Source: store.SourceMarkID, Ref: "scan-ref", ClientID: "123", ExternalRef: "external-ref",
			Person: store.Person{FullName: "FULL-NAME-EXAMPLE", FirstName: "FIRST-NAME-EXAMPLE", LastName: "LAST-NAME-EXAMPLE",
				OrgFirstName: "FIRST-NAME-EXAMPLE", OrgLastName: "LAST-NAME-EXAMPLE", DOB: "YYYY-MM-DD", Sex: "UNDEFINED", Nationality: "LT",
				OrgNationality: "LIETUVOS", OrgBirthPlace: "ŠILUVA", AgeEstimate: "UNDER_13"},
			Document: store.Document{Type: "ID_CARD", Number: "XXXXXXXXX", PersonalCode: "XXXXXXXXX", Expiry: "YYYY-MM-DD",
				IssuingCountry: "LT", SelectedCountry: "LT"},
			Status: store.Status{Overall: store.StatusApproved, Final: ptr(false), AutoDocument: "DOC_VALIDATED", AutoFace: "FACE_MATCH",
				ManualDocument: "DOC_VALIDATED", ManualFace: "FACE_MATCH"},
			AML: []store.Check{{ServiceName: "PilotApiAmlV2", ServiceGroupType: "AML", OverallStatus: "NOT_SUSPECTED", CheckSuccessful: true,
				ServiceFound: true, ServiceUsed: true, UID: "OHT8GR5ESRF5XROWE5ZGCC123", Hits: json.RawMessage(`[]`)}},
			LID: []store.Check{{ServiceName: "IrdInvalidPapers", ServiceGroupType: "LID", OverallStatus: "NOT_SUSPECTED", CheckSuccessful: true,
				ServiceFound: true, ServiceUsed: true, UID: "OHT8GR5ESRF5XROWE5ZGCC123", Hits: json.RawMessage(`[]`)}},
			Platform: "MOBILE_APP", IP: "192.0.2.0", IPCountry: "LT", Location: "Kaunas, Lithuania", ProxyRiskLevel: "LOW",
			StartTime: 1554726960, FinishTime: 1554727002,
			AdditionalData:     json.RawMessage(`{"UTILITY_BILL":{"ssn":{"value":"ssn number","status":"MATCH"}}}`),
			ManualAddressMatch: ptr(false),
			Media: []store.MediaRef{
				{Kind: store.MediaFront, URL: "https://s3.eu-west-1.amazonaws.com/production.users.storage/users_storage/users/<HASH>/FRONT.png?AWSAccessKeyId=<KEY>&Signature=<SIG>&Expires=<STAMP>", Position: 0},
				{Kind: store.MediaBack, URL: "https://s3.eu-west-1.amazonaws.com/production.users.storage/users_storage/users/<HASH>/BACK.png?AWSAccessKeyId=<KEY>&Signature=<SIG>&Expires=<STAMP>", Position: 1},
				{Kind: store.MediaFace, URL: "https://s3.eu-west-1.amazonaws.com/production.users.storage/users_storage/users/<HASH>/FACE.png?AWSAccessKeyId=<KEY>&Signature=<SIG>&Expires=<STAMP>", Position: 2},
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Decode(webtest.Fixture(t, tt.file))
			if err != nil {
				t.Fatalf("Decode(%s) error = %v, want nil", tt.file, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", "Decode("+tt.file+")", diff)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		body string // inline body, or "@file" for a fixture
		want string
	}{
		{"spec example as published", "@spec-broken.json",
			`invalid JSON at byte 75 (line 4, column 20): invalid character '.' after object key:value pair, near "\"clientIp\": 192.0.2.0,"`},
		{"video-call callback", "@video-call.json",
			`field "status" is a boolean: this looks like a video-call callback, not a verification result`},
		{"blank scanRef", "@no-scanref.json", "missing scanRef"},
		{"empty body", "", "empty body: expected a JSON object"},
		{"whitespace body", " \r\n\t", "empty body: expected a JSON object"},
		{"array body", `[{"scanRef":"a"}]`, "body is an array, expected a JSON object"},
		{"string body", `"scan-ref"`, "body is a string, expected a JSON object"},
		{"null body", `null`, "body is null, expected a JSON object"},
		{"cut off", `{"scanRef": "a", "status": {`, "invalid JSON: the body ends at byte 28 before the JSON is complete (cut off?)"},
		{"two objects", `{"scanRef":"a"} {"scanRef":"b"}`,
			`invalid JSON at byte 17 (line 1, column 17): invalid character '{' after top-level value, near "{\"scanRef\":\"a\"} {\"scanRef\":\"b\"}"`},
		{"trailing comma", "{\n  \"scanRef\": \"a\",\n}",
			`invalid JSON at byte 21 (line 3, column 1): invalid character '}' looking for beginning of object key string, near "}" (trailing comma at line 2, column 17)`},
		{"ellipsis", "{\n...\n\"scanRef\": \"a\"}",
			`invalid JSON at byte 3 (line 2, column 1): invalid character '.' looking for beginning of object key string, near "..."`},
		{"video KYC body", `{"data": {"sessionId": "s-1"}}`,
			"missing scanRef: this looks like a Video KYC callback (it has data.sessionId), not a Mark ID result"},
		{"AML monitoring body", `{"monitoringId": "123", "alert_status": "DECLINED"}`,
			"missing scanRef: this looks like an AML-monitoring callback (it has monitoringId), not a verification result"},
		{"trailing comma in array", `{"scanRef": "a", "status": {"fraudTags": ["A",]}}`,
			`invalid JSON at byte 47 (line 1, column 47): invalid character ']' looking for beginning of value, near "Ref\": \"a\", \"status\": {\"fraudTags\": [\"A\",]}}" (trailing comma at line 1, column 46)`},
		{"scanRef object", `{"scanRef": {"id": 1}}`, `field "scanRef" is an object, want a string: the case cannot be identified`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			if name, ok := strings.CutPrefix(tt.body, "@"); ok {
				body = webtest.Fixture(t, name)
			}
			got, err := Decode(body)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Decode(%.40q) error = %v, want %s", body, err, tt.want)
			}
			if got != nil {
				t.Errorf("Decode(%.40q) = %+v with an error, want nil", body, got)
			}
			if !errors.Is(err, store.ErrInvalid) {
				t.Errorf("errors.Is(Decode(%.40q) error, store.ErrInvalid) = false, want true", body)
			}
		})
	}
}

func TestDecodeLenient(t *testing.T) {
	tests := []struct {
		name, body string
		check      func(*store.Snapshot) bool
	}{
		{"byte-order mark", "\xef\xbb\xbf{\"scanRef\": \"bom-1\"}", func(s *store.Snapshot) bool { return s.Ref == "bom-1" }},
		{"ref trimmed", `{"scanRef": "  r-1\n"}`, func(s *store.Snapshot) bool { return s.Ref == "r-1" }},
		{"lower-case keys are not the documented ones", `{"scanref": "x", "scanRef": "y", "Final": true}`,
			func(s *store.Snapshot) bool { return s.Ref == "y" && s.Status.Final == nil }},
		{"fractional and RFC 3339 times", `{"scanRef": "t", "startTime": 1712041200.75, "finishTime": "2024-04-02T07:03:05Z"}`,
			func(s *store.Snapshot) bool { return s.StartTime == 1712041200 && s.FinishTime == 1712041385 }},
		{"tags as a JSON string", `{"scanRef": "t", "status": {"fraudTags": "[\"FAKE_PHOTO\", \"AML_FAILED\"]"}}`,
			func(s *store.Snapshot) bool {
				return slices.Equal(s.Status.FraudTags, []string{"FAKE_PHOTO", "AML_FAILED"})
			}},
		{"duplicate faces as one string", `{"scanRef": "t", "data": {"duplicateFaces": "other-scan"}}`,
			func(s *store.Snapshot) bool { return slices.Equal(s.DuplicateFaces, []string{"other-scan"}) }},
		{"top-level manual address wins over data", `{"scanRef": "t", "manualAddress": "A", "data": {"manualAddress": "B", "gdcMatch": "yes"}}`,
			func(s *store.Snapshot) bool { return s.ManualAddress == "A" && s.GDCMatch != nil && *s.GDCMatch }},
		{"lower-case single result object (2019)", `{"scanRef": "t", "aml": {"status": {"overallStatus": "NOT_SUSPECTED"}, "data": [], "serviceName": "S"}}`,
			func(s *store.Snapshot) bool {
				return len(s.AML) == 1 && s.AML[0].ServiceName == "S" && s.AML[0].OverallStatus == "NOT_SUSPECTED"
			}},
		{"placeholders are not media", `{"scanRef": "t", "fileUrls": {"FRONT": "${ FRONT_URL }", "BACK": "javascript:alert(1)", "FACE": "https:///nohost"}}`,
			func(s *store.Snapshot) bool { return len(s.Media) == 0 }},
		{"url whitespace trimmed", `{"scanRef": "t", "fileUrls": {"FACE": " https://x.example/f.jpg "}}`,
			func(s *store.Snapshot) bool { return len(s.Media) == 1 && s.Media[0].URL == "https://x.example/f.jpg" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode([]byte(tt.body))
			if err != nil {
				t.Fatalf("Decode(%q) error = %v, want nil", tt.body, err)
			}
			if !tt.check(got) {
				b, _ := json.Marshal(got)
				t.Errorf("Decode(%q) = %s, which fails the check", tt.body, b)
			}
		})
	}
}

// TestDecodeSchemaWarnings: a field of another type than documented keeps the case; the field
// reads as empty and the snapshot names it with what arrived.
func TestDecodeSchemaWarnings(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"status string", `{"scanRef": "a", "status": "APPROVED"}`, `status is a string, want an object`},
		{"data array", `{"scanRef": "a", "data": []}`, `data is an array, want an object`},
		{"final unreadable", `{"scanRef": "a", "final": "maybe"}`, `final is a string, want a boolean`},
		{"final object", `{"scanRef": "a", "final": {"value": true}}`, `final is an object, want a boolean`},
		{"startTime words", `{"scanRef": "a", "startTime": "yesterday"}`, `startTime is a string, want a unix timestamp`},
		{"tag is an object", `{"scanRef": "a", "status": {"fraudTags": ["A", {"tag": "B"}]}}`, `status.fraudTags[1] is an object, want a string`},
		{"fileUrls array", `{"scanRef": "a", "fileUrls": ["https://x.example/a.jpg"]}`, `fileUrls is an array, want an object`},
		{"AML string", `{"scanRef": "a", "AML": "none"}`, `AML is a string, want an array of results`},
		{"AML hits number", `{"scanRef": "a", "AML": [{"data": 3}]}`, `AML[0].data is a number, want an array of hits`},
		{"legacy results string", `{"scanRef": "a", "lid": {"suspected": false, "results": "none"}}`, `lid.results is a string, want an object of results`},
		{"check status bool", `{"scanRef": "a", "LID": [{"status": true}]}`, `LID[0].status is a boolean, want an object`},
		{"data field object", `{"scanRef": "a", "data": {"docNumber": {"value": "X"}}}`, `data.docNumber is an object, want a string`},
		{"additionalSteps object", `{"scanRef": "a", "status": {"overall": "APPROVED", "additionalSteps": {"step": "ADDRESS"}}}`,
			`status.additionalSteps is an object, want a string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Decode([]byte(tt.body))
			if err != nil {
				t.Fatalf("Decode(%s) error = %v, want the case kept", tt.body, err)
			}
			if s.Ref != "a" || warningText(s) != tt.want {
				t.Errorf("Decode(%s) = ref %q, warnings %q; want ref a, %q", tt.body, s.Ref, warningText(s), tt.want)
			}
		})
	}
}

// warningText is a snapshot's schema warnings, "path is got, want want", joined by "; ".
func warningText(s *store.Snapshot) string {
	var out []string
	for _, w := range s.SchemaWarnings {
		out = append(out, w.Field+" is "+w.Got+", want "+w.Want)
	}
	return strings.Join(out, "; ")
}
