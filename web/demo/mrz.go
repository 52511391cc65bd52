package demo

import "strings"

// alpha3 is the ICAO code printed in a machine-readable zone for the countries the demo uses.
var alpha3 = map[string]string{
	"UA": "UKR", "LT": "LTU", "PL": "POL", "DE": "D<<", "ES": "ESP", "TR": "TUR", "RU": "RUS",
	"GB": "GBR", "IE": "IRL", "IN": "IND", "AE": "ARE", "LV": "LVA", "FR": "FRA", "IT": "ITA",
	"RO": "ROU", "GE": "GEO", "EE": "EST", "NL": "NLD", "BY": "BLR", "BG": "BGR",
}

func mrzCountry(alpha2 string) string {
	if a, ok := alpha3[alpha2]; ok {
		return a
	}
	return mrzField(alpha2, 3)
}

// mrzField upper-cases s, drops apostrophes, turns anything outside A-Z and 0-9 into '<'
// and pads or cuts it to n characters.
func mrzField(s string, n int) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '\'':
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('<')
		}
	}
	out := b.String()
	if len(out) >= n {
		return out[:n]
	}
	return out + strings.Repeat("<", n-len(out))
}

func mrzName(surname, given string, n int) string {
	return mrzField(mrzField(surname, len(surname))+"<<"+mrzField(given, len(given)), n)
}

// mrzDate turns YYYY-MM-DD into YYMMDD.
func mrzDate(d string) string {
	if len(d) != 10 {
		return "<<<<<<"
	}
	return d[2:4] + d[5:7] + d[8:10]
}

func mrzSex(s string) string {
	switch s {
	case "MALE":
		return "M"
	case "FEMALE":
		return "F"
	}
	return "<"
}

// checkDigit is the ICAO 9303 check digit: weights 7, 3, 1 over digits, letters (A=10) and fillers (0).
func checkDigit(s string) string {
	sum := 0
	for i, r := range s {
		v := 0
		switch {
		case r >= '0' && r <= '9':
			v = int(r - '0')
		case r >= 'A' && r <= 'Z':
			v = int(r-'A') + 10
		}
		sum += v * []int{7, 3, 1}[i%3]
	}
	return string(rune('0' + sum%10))
}

// mrzTD3 is a passport's two 44-character lines.
func mrzTD3(d docArt) (string, string) {
	l1 := "P<" + mrzCountry(d.country) + mrzName(d.surname, d.given, 39)
	num, dob, exp, pc := mrzField(d.number, 9), mrzDate(d.dob), mrzDate(d.expiry), mrzField(d.personalCode, 14)
	num, dob, exp, pc = num+checkDigit(num), dob+checkDigit(dob), exp+checkDigit(exp), pc+checkDigit(pc)
	l2 := num + mrzCountry(d.nat) + dob + mrzSex(d.sex) + exp + pc
	return l1, l2 + checkDigit(num+dob+exp+pc)
}

// mrzTD1 is an identity card's three 30-character lines.
func mrzTD1(d docArt) []string {
	num := mrzField(d.number, 9)
	l1 := "I<" + mrzCountry(d.country) + num + checkDigit(num) + mrzField(d.personalCode, 15)
	dob, exp := mrzDate(d.dob), mrzDate(d.expiry)
	l2 := dob + checkDigit(dob) + mrzSex(d.sex) + exp + checkDigit(exp) + mrzCountry(d.nat) + mrzField("", 11)
	l2 += checkDigit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
	return []string{l1, l2, mrzName(d.surname, d.given, 30)}
}
