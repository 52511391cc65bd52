package demo

import "testing"

// The specimen passport of ICAO Doc 9303 part 4, with its published check digits.
func TestMRZTD3(t *testing.T) {
	d := docArt{country: "UTO", surname: "ERIKSSON", given: "ANNA MARIA", number: "L898902C3", nat: "UTO",
		dob: "1974-08-12", sex: "FEMALE", expiry: "2012-04-15", personalCode: "ZE184226B"}
	l1, l2 := mrzTD3(d)
	if want := "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"; l1 != want {
		t.Errorf("mrzTD3 line 1 = %q, want %q", l1, want)
	}
	if want := "L898902C36UTO7408122F1204159ZE184226B<<<<<10"; l2 != want {
		t.Errorf("mrzTD3 line 2 = %q, want %q", l2, want)
	}
}
