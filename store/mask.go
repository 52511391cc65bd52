package store

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
)

// Fields a person may reveal on a case page, each named in the reveal's audit entry.
const (
	FieldAadhaar      = "aadhaar"         // every Aadhaar number in the case's vendor data
	FieldDocNumber    = "document.number" // the document number
	FieldPersonalCode = "document.personalCode"
	FieldDOB          = "person.dob"
	FieldRawBody      = "raw_body" // the callbacks byte for byte as received
	// FieldOriginalImages is the originals of the case's images that carry redaction boxes.
	FieldOriginalImages = "media.original"
)

// RevealFields lists the fields that can be revealed, in the order the page offers them.
var RevealFields = []string{FieldAadhaar, FieldDocNumber, FieldPersonalCode, FieldDOB, FieldRawBody, FieldOriginalImages}

// FieldLabel is how a revealable field reads on the page and in the audit log.
func FieldLabel(field string) string {
	switch field {
	case FieldAadhaar:
		return "Aadhaar number"
	case FieldDocNumber:
		return "Document number"
	case FieldPersonalCode:
		return "Personal code"
	case FieldDOB:
		return "Date of birth"
	case FieldRawBody:
		return "Raw callback body"
	case FieldOriginalImages:
		return "Original images (under redaction boxes)"
	}
	return field
}

// RevealReasons are the reasons a person can give for revealing a masked field.
var RevealReasons = []ReasonCode{
	{Code: "identity_check", Label: "Checking the customer's identity"},
	{Code: "customer_request", Label: "Customer's own request"},
	{Code: "fraud_investigation", Label: "Fraud investigation"},
	{Code: "regulator_request", Label: "Regulator or law-enforcement request"},
	{Code: "audit_sample", Label: "Audit sample check"},
}

// DocTypeAadhaar is the document type whose number is always masked as an Aadhaar number.
const DocTypeAadhaar = "AADHAAR"

// Masker decides how vendor data reads for one viewer on one page. The zero value masks Aadhaar
// numbers only; every output path (pages, exports, webhooks, API, evidence pack) goes through it.
type Masker struct {
	Identifiers bool            // also partly mask document numbers, personal codes and dates of birth
	Revealed    map[string]bool // fields revealed for this page view (FieldAadhaar...)
}

// MaskerFor is the masker for a viewer holding roles under rules, before any reveal: identifiers
// are masked when every role the viewer holds is one the rules mask them for.
func MaskerFor(rules Rules, roles []string) Masker {
	if len(roles) == 0 {
		return Masker{Identifiers: true}
	}
	for _, r := range roles {
		if !slices.Contains(rules.MaskIdentifiersFor, r) {
			return Masker{}
		}
	}
	return Masker{Identifiers: true}
}

// Reveal returns m with field shown in full.
func (m Masker) Reveal(field string) Masker {
	out := Masker{Identifiers: m.Identifiers, Revealed: map[string]bool{field: true}}
	for k, v := range m.Revealed {
		out.Revealed[k] = v
	}
	return out
}

// Masks reports whether field is shown masked to this viewer.
func (m Masker) Masks(field string) bool {
	if m.Revealed[field] {
		return false
	}
	switch field {
	case FieldAadhaar, FieldRawBody, FieldOriginalImages:
		return true
	}
	return m.Identifiers
}

// Text masks the Aadhaar numbers in one vendor (or person-typed) text.
func (m Masker) Text(s string) string {
	if !m.Masks(FieldAadhaar) {
		return s
	}
	return MaskAadhaarText(s)
}

// JSON masks the Aadhaar numbers in a JSON document byte for byte: only the digits of a number
// change (an unquoted number becomes the quoted mask), so the rest reads exactly as sent.
func (m Masker) JSON(raw []byte) []byte {
	if !m.Masks(FieldAadhaar) {
		return raw
	}
	return MaskAadhaarJSON(raw)
}

// RawBodyOf is a raw callback of the case whose snapshot is s as this viewer sees it: Aadhaar
// numbers masked, and the identifiers this viewer sees masked replaced wherever their exact
// values occur, unless the raw body was revealed.
func (m Masker) RawBodyOf(raw []byte, s Snapshot) []byte {
	if !m.Masks(FieldRawBody) {
		return raw
	}
	out := MaskAadhaarJSON(raw)
	shown := m.Snapshot(s)
	pairs := [][2]string{{s.Document.Number, shown.Document.Number}, {s.Document.PersonalCode, shown.Document.PersonalCode},
		{s.Person.DOB, shown.Person.DOB}}
	for i, d := range s.VideoDocuments {
		var before, after map[string]any
		if json.Unmarshal(d.Data, &before) != nil || json.Unmarshal(shown.VideoDocuments[i].Data, &after) != nil {
			continue
		}
		for k, v := range before {
			if b, ok := v.(string); ok {
				if a, ok := after[k].(string); ok {
					pairs = append(pairs, [2]string{b, a})
				}
			}
		}
	}
	for _, p := range pairs {
		if len(p[0]) >= 4 && p[0] != p[1] {
			out = bytes.ReplaceAll(out, []byte(p[0]), []byte(p[1]))
		}
	}
	return out
}

// Snapshot returns a copy of s with every string and JSON value masked for this viewer.
func (m Masker) Snapshot(s Snapshot) Snapshot {
	docIsAadhaar := strings.EqualFold(strings.TrimSpace(s.Document.Type), DocTypeAadhaar)
	number, code, dob := s.Document.Number, s.Document.PersonalCode, s.Person.DOB
	v := reflect.ValueOf(&s).Elem()
	m.walk(v)
	switch {
	case docIsAadhaar && m.Masks(FieldAadhaar):
		if number != "" {
			s.Document.Number = MaskedAadhaar(lastDigits(number, 4))
		}
	case docIsAadhaar:
		s.Document.Number = number
	case m.Masks(FieldDocNumber):
		s.Document.Number = MaskIdentifier(number)
	}
	if m.Masks(FieldPersonalCode) {
		s.Document.PersonalCode = MaskIdentifier(code)
	}
	if m.Masks(FieldDOB) {
		s.Person.DOB = MaskDate(dob)
	}
	for i := range s.VideoDocuments {
		s.VideoDocuments[i].Data = m.documentData(s.VideoDocuments[i].Data)
	}
	return s
}

// identifierKeys name, by field kind, the keys of a document read during a video call
// (free-form vendor JSON) whose values are identifiers.
var identifierKeys = map[string]string{
	"dob": FieldDOB, "dateofbirth": FieldDOB, "birthdate": FieldDOB,
	"documentnumber": FieldDocNumber, "docnumber": FieldDocNumber, "number": FieldDocNumber,
	"pannumber": FieldDocNumber, "pan": FieldDocNumber, "passportnumber": FieldDocNumber, "idnumber": FieldDocNumber,
	"personalcode": FieldPersonalCode,
}

// documentData partly masks the identifiers of one video-call document, by key, for a viewer
// who sees identifiers masked. Data that is not a JSON object stays as it is.
func (m Masker) documentData(raw json.RawMessage) json.RawMessage {
	if !m.Identifiers || len(raw) == 0 {
		return raw
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return raw
	}
	changed := false
	for k, v := range obj {
		field, ok := identifierKeys[strings.ToLower(k)]
		var text string
		if !ok || !m.Masks(field) || json.Unmarshal(v, &text) != nil || text == "" {
			continue
		}
		if field == FieldDOB {
			text = MaskDate(text)
		} else if !strings.HasPrefix(text, "XXXX XXXX ") {
			text = MaskIdentifier(text)
		}
		obj[k], _ = json.Marshal(text)
		changed = true
	}
	if !changed {
		return raw
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return raw
	}
	return out
}

// Record returns rec with its snapshot and its vendor texts (name, references) masked.
func (m Masker) Record(rec CaseRecord) CaseRecord {
	rec.Snapshot = m.Snapshot(rec.Snapshot)
	rec.Name, rec.Ref, rec.ClientID, rec.ExternalRef = m.Text(rec.Name), m.Text(rec.Ref), m.Text(rec.ClientID), m.Text(rec.ExternalRef)
	return rec
}

// walk masks every string, []string and json.RawMessage reachable from v in place. Slices and maps
// are copied before they change, so the caller's snapshot keeps its own values.
func (m Masker) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(m.Text(v.String()))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			c := reflect.New(v.Elem().Type())
			c.Elem().Set(v.Elem())
			m.walk(c.Elem())
			v.Set(c)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				m.walk(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		if v.Type() == reflect.TypeOf(json.RawMessage(nil)) {
			v.SetBytes(m.JSON(v.Bytes()))
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		for i := 0; i < c.Len(); i++ {
			m.walk(c.Index(i))
		}
		v.Set(c)
	}
}

// MaskIdentifier keeps the last four characters of an identifier and hides the rest.
func MaskIdentifier(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	keep := 4
	if len(r) <= 6 {
		keep = len(r) / 3
	}
	return strings.Repeat("X", len(r)-keep) + string(r[len(r)-keep:])
}

// MaskDate keeps the year of a date of birth (YYYY-MM-DD becomes YYYY-XX-XX); other shapes are hidden.
func MaskDate(s string) string {
	if s == "" {
		return s
	}
	if len(s) >= 4 && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2]) && isDigit(s[3]) {
		return s[:4] + "-XX-XX"
	}
	return "XXXX-XX-XX"
}

// MaskAadhaarJSON masks the Aadhaar numbers in JSON text byte for byte: inside strings as in
// MaskAadhaarText, and a bare 12-digit number becomes the quoted mask. Text that is not JSON is
// masked the same way, as well as it can be read.
func MaskAadhaarJSON(raw []byte) []byte {
	if !hasTwelveDigits(string(raw)) {
		return raw
	}
	out := make([]byte, 0, len(raw)+8)
	i := 0
	for i < len(raw) {
		c := raw[i]
		if c == '"' {
			j := i + 1
			for j < len(raw) && raw[j] != '"' {
				if raw[j] == '\\' {
					j++
				}
				j++
			}
			end := min(j+1, len(raw))
			out = append(out, MaskAadhaarText(string(raw[i:end]))...)
			i = end
			continue
		}
		if isDigit(c) && (i == 0 || !isNumberByte(raw[i-1])) {
			j := i
			for j < len(raw) && isNumberByte(raw[j]) {
				j++
			}
			num := string(raw[i:j])
			if len(num) == 12 && IsAadhaar(num) {
				out = append(out, '"')
				out = append(out, MaskedAadhaar(num[8:])...)
				out = append(out, '"')
			} else {
				out = append(out, num...)
			}
			i = j
			continue
		}
		out = append(out, c)
		i++
	}
	return out
}

func isNumberByte(c byte) bool {
	return isDigit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'
}

// masked is the event with the Aadhaar numbers in its text masked: the payload leaves the desk.
func (d EventData) masked() EventData {
	for _, s := range []*string{&d.Ref, &d.ClientID, &d.Note, &d.ReasonLabel} {
		*s = MaskAadhaarText(*s)
	}
	d.Checklist = Masker{}.Checklist(d.Checklist)
	return d
}

// Checklist returns a copy of entries with the Aadhaar numbers in each row's label (vendor
// instruction text) and note (typed by the reviewer) masked.
func (m Masker) Checklist(entries []ChecklistEntry) []ChecklistEntry {
	if entries == nil {
		return nil
	}
	out := make([]ChecklistEntry, len(entries))
	for i, e := range entries {
		e.Label, e.Note = m.Text(e.Label), m.Text(e.Note)
		out[i] = e
	}
	return out
}
