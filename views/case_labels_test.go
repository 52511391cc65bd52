package views

import (
	"encoding/json"
	"testing"
)

func TestFieldLabel(t *testing.T) {
	for key, want := range map[string]string{
		"dob": "Date of birth", "documentNumber": "Document number", "fatherName": "Father's name",
		"document_type": "Document type", "panNumber": "PAN number", "annualIncome": "Annual income",
		"annual_income": "Annual income", "PAN": "PAN", "customerRiskScore": "Customer risk score",
		"x": "X", "ItemsToSelect": "Items ticked by the agent", "Remark": "Agent's remark",
	} {
		if got := FieldLabel(key); got != want {
			t.Errorf("FieldLabel(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestFieldRows(t *testing.T) {
	rows, ok := FieldRows(json.RawMessage(`{"occupation":"Teacher","dob":"1990-01-02","name":"A","ItemsToSelect":["Internet Slow","Recheck Required"],"n":3}`))
	if !ok {
		t.Fatal("a flat object did not lay out")
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Label+"="+r.Value)
	}
	want := []string{"Name=A", "Date of birth=1990-01-02", "Items ticked by the agent=Internet Slow, Recheck Required", "N=3", "Occupation=Teacher"}
	if len(got) != len(want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %q, want %q", i, got[i], want[i])
		}
	}
	for _, raw := range []string{`{"a":{"b":1}}`, `[1,2]`, `"x"`, `{}`, `{"a":[{"b":1}]}`} {
		if _, ok := FieldRows(json.RawMessage(raw)); ok {
			t.Errorf("FieldRows(%s) laid out a table; want the JSON shown instead", raw)
		}
	}
}
