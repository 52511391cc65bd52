package store

import "strings"

// Verhoeff check-digit tables (dihedral group D5), as UIDAI uses for the Aadhaar number's last digit.
var (
	verhoeffD = [10][10]byte{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
		{2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
		{4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
		{6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
		{8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
	}
	verhoeffP = [8][10]byte{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
		{5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
		{9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
		{2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8},
	}
)

// VerhoeffValid reports whether digits (ASCII 0-9 only, check digit last) pass the Verhoeff check.
func VerhoeffValid(digits string) bool {
	if digits == "" {
		return false
	}
	var c byte
	for i := 0; i < len(digits); i++ {
		d := digits[len(digits)-1-i]
		if d < '0' || d > '9' {
			return false
		}
		c = verhoeffD[c][verhoeffP[i%8][d-'0']]
	}
	return c == 0
}

// VerhoeffDigit is the check digit to append to digits; -1 if digits holds a non-digit.
func VerhoeffDigit(digits string) int {
	for d := 0; d <= 9; d++ {
		if VerhoeffValid(digits + string(rune('0'+d))) {
			return d
		}
	}
	return -1
}

// IsAadhaar reports whether s is an Aadhaar number: 12 digits, the first not 0 or 1, the last a
// Verhoeff check digit, written unspaced or in three groups of four split by spaces or hyphens.
func IsAadhaar(s string) bool {
	n, ok := aadhaarAt(strings.TrimSpace(s), 0)
	return ok && n == len(strings.TrimSpace(s))
}

// MaskedAadhaar is the UIDAI style of showing an Aadhaar number: only its last four digits.
func MaskedAadhaar(last4 string) string { return "XXXX XXXX " + last4 }

// MaskAadhaarText replaces every Aadhaar number inside free text with its masked form, leaving
// everything else (a number that fails Verhoeff, longer digit runs) as it is.
func MaskAadhaarText(s string) string {
	if !hasTwelveDigits(s) {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || (i > 0 && isDigit(s[i-1])) {
			continue
		}
		n, ok := aadhaarAt(s, i)
		if !ok {
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(MaskedAadhaar(lastDigits(s[i:i+n], 4)))
		last = i + n
		i += n - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// aadhaarAt matches an Aadhaar number starting at s[i] and returns its length in bytes. The match
// must not continue into further digits (a 13-digit run is not an Aadhaar number).
func aadhaarAt(s string, i int) (int, bool) {
	digits := make([]byte, 0, 12)
	j := i
	for g := 0; g < 3; g++ {
		if g > 0 && j < len(s) && (s[j] == ' ' || s[j] == '-') && j+1 < len(s) && isDigit(s[j+1]) {
			j++
		}
		for k := 0; k < 4; k++ {
			if j >= len(s) || !isDigit(s[j]) {
				return 0, false
			}
			digits = append(digits, s[j])
			j++
		}
	}
	if j < len(s) && isDigit(s[j]) {
		return 0, false
	}
	if digits[0] < '2' || !VerhoeffValid(string(digits)) {
		return 0, false
	}
	return j - i, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// hasTwelveDigits is a cheap pre-check: masking can only change text with at least 12 digits.
func hasTwelveDigits(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			if n++; n >= 12 {
				return true
			}
		}
	}
	return false
}

// lastDigits returns the last n digits of s.
func lastDigits(s string, n int) string {
	out := make([]byte, 0, n)
	for i := len(s) - 1; i >= 0 && len(out) < n; i-- {
		if isDigit(s[i]) {
			out = append(out, s[i])
		}
	}
	for l, r := 0, len(out)-1; l < r; l, r = l+1, r-1 {
		out[l], out[r] = out[r], out[l]
	}
	return string(out)
}
