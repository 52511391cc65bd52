package views

import (
	"encoding/json"
	"sort"
	"strings"
	"unicode"
)

// fieldLabels are the words for the keys vendors put in document data, field values and callback
// parameters. Keys are compared without case, underscores or dashes.
var fieldLabels = map[string]string{
	"name": "Name", "fullname": "Full name", "firstname": "First name", "lastname": "Last name",
	"dob": "Date of birth", "dateofbirth": "Date of birth", "birthdate": "Date of birth",
	"gender": "Gender", "sex": "Gender", "fathername": "Father's name", "mothername": "Mother's name",
	"spousename": "Spouse's name", "documentnumber": "Document number", "docnumber": "Document number",
	"documenttype": "Document type", "doctype": "Document type", "pannumber": "PAN number", "pan": "PAN",
	"aadhaarnumber": "Aadhaar number", "aadhaar": "Aadhaar number", "address": "Address", "pincode": "PIN code",
	"mobile": "Mobile number", "mobilenumber": "Mobile number", "phone": "Phone number", "email": "E-mail",
	"occupation": "Occupation", "annualincome": "Annual income", "nationality": "Nationality",
	"expiry": "Expiry date", "expirydate": "Expiry date", "issuedate": "Issue date", "id": "ID",
	"remark": "Agent's remark", "itemstoselect": "Items ticked by the agent", "crm": "CRM reference",
}

// fieldOrder puts the usual identity fields first, in the order a person reads a card.
var fieldOrder = []string{"name", "fullname", "firstname", "lastname", "dob", "dateofbirth", "birthdate", "gender",
	"fathername", "mothername", "spousename", "documenttype", "doctype", "documentnumber", "docnumber", "pannumber",
	"aadhaarnumber", "address"}

func normKey(k string) string {
	return strings.ToLower(strings.NewReplacer("_", "", "-", "", " ", "").Replace(k))
}

// FieldLabel is the words for a vendor's field key: "Date of birth" for "dob", "Father's name" for
// "fatherName"; an unknown camelCase or snake_case key is split into words ("annual_income" →
// "Annual income").
func FieldLabel(key string) string {
	if l, ok := fieldLabels[normKey(key)]; ok {
		return l
	}
	var words []string
	var cur []rune
	prevLower := false
	for _, r := range key {
		switch {
		case r == '_' || r == '-' || r == ' ' || r == '.':
			if len(cur) > 0 {
				words, cur = append(words, string(cur)), nil
			}
			prevLower = false
			continue
		case unicode.IsUpper(r) && prevLower && len(cur) > 0:
			words, cur = append(words, string(cur)), nil
		}
		cur = append(cur, r)
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
	}
	if len(cur) > 0 {
		words = append(words, string(cur))
	}
	if len(words) == 0 {
		return key
	}
	for i, w := range words {
		if i == 0 {
			rs := []rune(strings.ToLower(w))
			if strings.ToUpper(w) == w && len(rs) > 1 { // an acronym such as PAN stays
				words[i] = w
				continue
			}
			rs[0] = unicode.ToUpper(rs[0])
			words[i] = string(rs)
		} else if strings.ToUpper(w) != w || len(w) == 1 {
			words[i] = strings.ToLower(w)
		}
	}
	return strings.Join(words, " ")
}

// sortFieldKeys orders keys: the usual identity fields first, then the rest alphabetically.
func sortFieldKeys(keys []string) {
	rank := func(k string) int {
		for i, f := range fieldOrder {
			if normKey(k) == f {
				return i
			}
		}
		return len(fieldOrder)
	}
	sort.SliceStable(keys, func(i, j int) bool {
		ri, rj := rank(keys[i]), rank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
}

// FieldRows lays a flat JSON object out as label/value rows (arrays of scalars joined with commas).
// ok is false when raw is not such an object, and the caller shows the JSON instead.
func FieldRows(raw json.RawMessage) (rows []FieldRow, ok bool) {
	var flat map[string]any
	if json.Unmarshal(raw, &flat) != nil || len(flat) == 0 {
		return nil, false
	}
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	sortFieldKeys(keys)
	for _, k := range keys {
		val, scalar := scalarText(flat[k])
		if !scalar {
			arr, isArr := flat[k].([]any)
			if !isArr {
				return nil, false
			}
			var parts []string
			for _, e := range arr {
				t, ok := scalarText(e)
				if !ok {
					return nil, false
				}
				parts = append(parts, t)
			}
			val = strings.Join(parts, ", ")
		}
		rows = append(rows, FieldRow{Label: FieldLabel(k), Value: val, Mono: normKey(k) == "id"})
	}
	return rows, true
}
