package store_test

import (
	"encoding/json"
	"testing"

	"github.com/kycdesk/kycdesk/store"
)

func TestVerhoeff(t *testing.T) {
	tests := []struct {
		digits string
		want   bool
	}{
		{"2363", true}, // the textbook example: 236 has check digit 3
		{"2364", false},
		{"234123412346", true},
		{"234123412347", false},
		{"987654321012", true},
		{"987654321021", false}, // two digits swapped: Verhoeff catches transpositions
		{"", false},
		{"12a4", false},
	}
	for _, tt := range tests {
		if got := store.VerhoeffValid(tt.digits); got != tt.want {
			t.Errorf("VerhoeffValid(%q) = %v, want %v", tt.digits, got, tt.want)
		}
	}
	if got := store.VerhoeffDigit("236"); got != 3 {
		t.Errorf("VerhoeffDigit(236) = %d, want 3", got)
	}
}

func TestIsAadhaar(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"234123412346", true},
		{"2341 2341 2346", true},
		{"2341-2341-2346", true},
		{" 2341 2341 2346 ", true},
		{"234123412347", false},   // fails Verhoeff
		{"2341 2341 2347", false}, // fails Verhoeff, spaced
		{"134123412345", false},   // starts with 1 (whatever its check digit)
		{"23412341234", false},    // 11 digits
		{"2341234123466", false},  // 13 digits
		{"2341  2341 2346", false},
	}
	for _, tt := range tests {
		if got := store.IsAadhaar(tt.s); got != tt.want {
			t.Errorf("IsAadhaar(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
	// A number starting with 1 is refused even with a right check digit.
	one := "13412341234"
	one += string(rune('0' + store.VerhoeffDigit(one)))
	if store.IsAadhaar(one) {
		t.Errorf("IsAadhaar(%q) = true, want false (starts with 1)", one)
	}
}

func TestMaskAadhaarText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Aadhaar 2341 2341 2346 shown", "Aadhaar XXXX XXXX 2346 shown"},
		{"id:234123412346.", "id:XXXX XXXX 2346."},
		{"2341-2341-2346", "XXXX XXXX 2346"},
		{"not one: 234123412347", "not one: 234123412347"},
		{"too long 92341234123468", "too long 92341234123468"},
		{"two 234123412346 and 987654321012", "two XXXX XXXX 2346 and XXXX XXXX 1012"},
		{"no digits", "no digits"},
	}
	for _, tt := range tests {
		if got := store.MaskAadhaarText(tt.in); got != tt.want {
			t.Errorf("MaskAadhaarText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskAadhaarJSON(t *testing.T) {
	in := `{"a": "2341 2341 2346", "n": 234123412346, "bad": 234123412347, "f": 2.34123412346e11, "k":"x"}`
	want := `{"a": "XXXX XXXX 2346", "n": "XXXX XXXX 2346", "bad": 234123412347, "f": 2.34123412346e11, "k":"x"}`
	got := string(store.MaskAadhaarJSON([]byte(in)))
	if got != want {
		t.Fatalf("MaskAadhaarJSON = %s\nwant %s", got, want)
	}
	if !json.Valid([]byte(got)) {
		t.Errorf("masked JSON is not valid JSON: %s", got)
	}
}

func TestMaskerSnapshot(t *testing.T) {
	s := store.Snapshot{Ref: "r1", ClientID: "c-234123412346",
		Person:      store.Person{FullName: "ASHA 2341 2341 2346", DOB: "1990-05-04"},
		Document:    store.Document{Type: "PASSPORT", Number: "FT1234567", PersonalCode: "39005040000"},
		AML:         []store.Check{{ServiceName: "uid 987654321012"}},
		Browser:     &store.Browser{Plugins: []string{"p 987654321012"}},
		FieldValues: json.RawMessage(`{"aadhaar":"987654321012"}`),
	}
	orig := s.Person.FullName
	got := store.Masker{}.Snapshot(s)
	if got.Person.FullName != "ASHA XXXX XXXX 2346" || got.ClientID != "c-XXXX XXXX 2346" {
		t.Errorf("name, client = %q, %q; want Aadhaar masked", got.Person.FullName, got.ClientID)
	}
	if got.AML[0].ServiceName != "uid XXXX XXXX 1012" || got.Browser.Plugins[0] != "p XXXX XXXX 1012" {
		t.Errorf("nested = %q, %q; want masked", got.AML[0].ServiceName, got.Browser.Plugins[0])
	}
	if string(got.FieldValues) != `{"aadhaar":"XXXX XXXX 1012"}` {
		t.Errorf("FieldValues = %s", got.FieldValues)
	}
	if got.Document.Number != "FT1234567" || got.Person.DOB != "1990-05-04" {
		t.Errorf("a reviewer's masker changed identifiers: %q %q", got.Document.Number, got.Person.DOB)
	}
	if s.Person.FullName != orig || s.AML[0].ServiceName != "uid 987654321012" || s.Browser.Plugins[0] != "p 987654321012" {
		t.Errorf("masking changed the caller's snapshot")
	}

	aud := store.MaskerFor(store.DefaultRules(), []string{store.RoleAuditor})
	got = aud.Snapshot(s)
	if got.Document.Number != "XXXXX4567" || got.Document.PersonalCode != "XXXXXXX0000" || got.Person.DOB != "1990-XX-XX" {
		t.Errorf("auditor sees %q %q %q, want masked", got.Document.Number, got.Document.PersonalCode, got.Person.DOB)
	}
	got = aud.Reveal(store.FieldDocNumber).Snapshot(s)
	if got.Document.Number != "FT1234567" || got.Person.DOB != "1990-XX-XX" {
		t.Errorf("after revealing the number: %q %q", got.Document.Number, got.Person.DOB)
	}
	if m := store.MaskerFor(store.DefaultRules(), []string{store.RoleAuditor, store.RoleReviewer}); m.Identifiers {
		t.Errorf("an auditor who is also a reviewer gets masked identifiers")
	}

	// A document of type AADHAAR is masked as an Aadhaar number whatever its checksum.
	s.Document = store.Document{Type: "aadhaar", Number: "1111 2222 3333"}
	if got := (store.Masker{}).Snapshot(s); got.Document.Number != "XXXX XXXX 3333" {
		t.Errorf("AADHAAR document number = %q, want XXXX XXXX 3333", got.Document.Number)
	}
	if got := (store.Masker{}).Reveal(store.FieldAadhaar).Snapshot(s); got.Document.Number != "1111 2222 3333" || got.Person.FullName != orig {
		t.Errorf("revealed Aadhaar = %q, %q", got.Document.Number, got.Person.FullName)
	}
}

func TestMaskerVideoDocumentAndRawBody(t *testing.T) {
	s := store.Snapshot{Source: store.SourceVCIP, VideoDocuments: []store.VideoDocument{{
		Data: json.RawMessage(`{"name":"RAHUL","dob":"1987-01-30","panNumber":"BQRPV5678L","aadhaarNumber":"2341 2341 2346"}`)}}}
	raw := []byte(`{"documents":[{"name":"RAHUL","dob":"1987-01-30","panNumber":"BQRPV5678L","aadhaarNumber":"2341 2341 2346"}]}`)
	aud := store.MaskerFor(store.DefaultRules(), []string{store.RoleAuditor})
	var got map[string]string
	_ = json.Unmarshal(aud.Snapshot(s).VideoDocuments[0].Data, &got)
	if got["dob"] != "1987-XX-XX" || got["panNumber"] != "XXXXXX678L" || got["aadhaarNumber"] != "XXXX XXXX 2346" || got["name"] != "RAHUL" {
		t.Errorf("auditor's video document = %v", got)
	}
	if b := string(aud.RawBodyOf(raw, s)); b != `{"documents":[{"name":"RAHUL","dob":"1987-XX-XX","panNumber":"XXXXXX678L","aadhaarNumber":"XXXX XXXX 2346"}]}` {
		t.Errorf("auditor's raw body = %s", b)
	}
	rev := store.MaskerFor(store.DefaultRules(), []string{store.RoleReviewer})
	if b := string(rev.RawBodyOf(raw, s)); b != `{"documents":[{"name":"RAHUL","dob":"1987-01-30","panNumber":"BQRPV5678L","aadhaarNumber":"XXXX XXXX 2346"}]}` {
		t.Errorf("reviewer's raw body = %s", b)
	}
	if b := rev.Reveal(store.FieldRawBody).RawBodyOf(raw, s); string(b) != string(raw) {
		t.Errorf("revealed raw body = %s, want the bytes as received", b)
	}
}
