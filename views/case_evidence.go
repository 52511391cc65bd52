package views

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// DocumentRows lists what was read from the document, Latin beside the original script, with an
// expired document and an under-age customer marked red. It reports whether any original exists.
func DocumentRows(s *store.Snapshot, now time.Time) ([]FieldRow, bool) {
	p, doc := s.Person, s.Document
	var rows []FieldRow
	add := func(label, value, orig string) *FieldRow {
		if strings.TrimSpace(value) == "" && strings.TrimSpace(orig) == "" {
			return nil
		}
		rows = append(rows, FieldRow{Label: label, Value: value, Original: orig})
		return &rows[len(rows)-1]
	}
	add("First name", p.FirstName, p.OrgFirstName)
	add("Last name", p.LastName, p.OrgLastName)
	if p.FullName != "" && p.FullName != strings.TrimSpace(p.FirstName+" "+p.LastName) {
		add("Full name", p.FullName, "")
	}
	if r := add("Date of birth", p.DOB, ""); r != nil {
		r.TestID = "dob"
		if age, ok := AgeOn(p.DOB, now); ok {
			r.Note = fmt.Sprintf("age %d", age)
			if age < 18 {
				r.Level, r.Note = StatusRed, fmt.Sprintf("age %d · under 18", age)
			}
		}
	}
	add("Sex", p.Sex, "")
	add("Nationality", p.Nationality, p.OrgNationality)
	add("Place of birth", p.BirthPlace, p.OrgBirthPlace)
	add("Address", p.Address, p.OrgAddress)
	add("Mother's maiden name", p.MothersMaidenName, "")
	add("Email", p.Email, "")
	add("Document type", doc.Type, "")
	if r := add("Document number", doc.Number, ""); r != nil {
		r.Mono = true
	}
	if r := add("Personal code", doc.PersonalCode, ""); r != nil {
		r.Mono = true
	}
	if r := add("Expiry date", doc.Expiry, ""); r != nil {
		r.TestID = "expiry"
		if exp, err := time.Parse("2006-01-02", strings.TrimSpace(doc.Expiry)); err == nil && exp.Before(today(now)) {
			r.Level, r.Note = StatusRed, "expired "+agoText(now.Sub(exp))
		}
	}
	add("Date of issue", doc.DateOfIssue, "")
	add("Issuing country", doc.IssuingCountry, "")
	if doc.SelectedCountry != doc.IssuingCountry {
		if r := add("Country selected", doc.SelectedCountry, ""); r != nil && doc.IssuingCountry != "" {
			r.Level, r.Note = StatusAmber, "differs from the issuing country"
		}
	}
	add("Authority", doc.Authority, doc.OrgAuthority)
	add("Licence category", doc.DriverLicenseCategory, "")
	if r := add("Age estimate", p.AgeEstimate, ""); r != nil {
		r.Badge = true
	}
	if doc.ManuallyDataChanged {
		rows = append(rows, FieldRow{Label: "Data edited", Value: "yes", Level: StatusAmber,
			Note: "the vendor's reviewer changed what was read"})
	}
	if s.ManualAddress != "" {
		add("Address checked", s.ManualAddress, "")
	}
	original := false
	for _, r := range rows {
		original = original || r.Original != ""
	}
	return rows, original
}

func today(now time.Time) time.Time {
	y, m, d := now.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// AgeOn is the age in whole years on now of someone born on dob (YYYY-MM-DD).
func AgeOn(dob string, now time.Time) (int, bool) {
	b, err := time.Parse("2006-01-02", strings.TrimSpace(dob))
	if err != nil || b.After(now) {
		return 0, false
	}
	t := now.UTC()
	age := t.Year() - b.Year()
	if t.Month() < b.Month() || t.Month() == b.Month() && t.Day() < b.Day() {
		age--
	}
	return age, true
}

// agoText says roughly how long ago: "3 days ago", "5 months ago", "2 years ago".
func agoText(d time.Duration) string {
	days := int(d.Hours() / 24)
	switch {
	case days < 1:
		return "today"
	case days < 60:
		return fmt.Sprintf("%d %s ago", days, pluralWord(days, "day", "days"))
	case days < 730:
		return fmt.Sprintf("%d months ago", days/30)
	}
	return fmt.Sprintf("%d years ago", days/365)
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// GeoRows lists where the customer connected from. No map tiles: nothing loads from the internet.
func GeoRows(s *store.Snapshot) []FieldRow {
	var rows []FieldRow
	add := func(label, value string, mono bool) {
		if strings.TrimSpace(value) != "" {
			rows = append(rows, FieldRow{Label: label, Value: value, Mono: mono})
		}
	}
	add("IP address", s.IP, true)
	if g := s.Geo; g != nil {
		country := g.CountryCode
		if g.CountryName != "" {
			country = strings.TrimSpace(g.CountryCode + " · " + g.CountryName)
		}
		add("Country", country, false)
		if s.Source == store.SourceVCIP && g.CountryCode != "" && !strings.EqualFold(g.CountryCode, "IN") {
			rows[len(rows)-1].Level, rows[len(rows)-1].Note = StatusRed, "outside India"
		}
		add("City", g.City, false)
		add("Region", g.Region, false)
		add("Postcode", g.Zip, false)
		if g.Latitude != "" || g.Longitude != "" {
			add("Latitude, longitude", g.Latitude+", "+g.Longitude, true)
		}
		add("Time zone", g.TimeZone, false)
		if g.StatusCode != "" && !strings.EqualFold(g.StatusCode, "OK") {
			add("Lookup", strings.TrimSpace(g.StatusCode+" "+g.StatusMessage), false)
		}
	} else {
		add("IP country", s.IPCountry, false)
	}
	add("Location", s.Location, false)
	if s.ProxyRiskLevel != "" {
		rows = append(rows, FieldRow{Label: "Proxy risk", Value: s.ProxyRiskLevel, Badge: true})
	}
	add("Platform", s.Platform, false)
	if s.StartTime > 0 && s.FinishTime >= s.StartTime {
		add("Session length", (time.Duration(s.FinishTime-s.StartTime) * time.Second).String(), false)
	}
	return rows
}

func DeviceRows(b *store.Browser) []FieldRow {
	if b == nil {
		return nil
	}
	var rows []FieldRow
	add := func(label, value string, mono bool) {
		if strings.TrimSpace(value) != "" {
			rows = append(rows, FieldRow{Label: label, Value: value, Mono: mono})
		}
	}
	name := b.Name
	if b.Version != "" && !strings.Contains(b.Version, b.Name) {
		name = strings.TrimSpace(b.Name + " " + b.Version)
	} else if b.Version != "" {
		name = b.Version
	}
	add("Browser", name, false)
	add("OS", b.OS, false)
	if b.ScreenWidth > 0 && b.ScreenHeight > 0 {
		scr := fmt.Sprintf("%d×%d", b.ScreenWidth, b.ScreenHeight)
		if b.ColorDepth > 0 {
			scr += fmt.Sprintf(" · %d-bit", b.ColorDepth)
		}
		add("Screen", scr, false)
	}
	add("Language", b.Language, false)
	form := b.FormFactor
	if b.DeviceName != "" {
		form = strings.Trim(form+" · "+b.DeviceName, " ·")
	}
	if b.IsMobile != nil && *b.IsMobile {
		form = strings.Trim(form+" · mobile", " ·")
	}
	add("Device", form, false)
	if b.CookieEnabled != nil {
		add("Cookies", map[bool]string{true: "enabled", false: "disabled"}[*b.CookieEnabled], false)
	}
	add("User agent", b.UserAgent, true)
	if len(b.Plugins) > 0 {
		add("Plugins", strings.Join(b.Plugins, ", "), false)
	}
	return rows
}

// signals gathers what needs a reviewer's attention: the vendor's tags with their meaning, and the
// flags KYC Desk works out itself.
func CaseSignals(s *store.Snapshot, rec store.CaseRecord, linked map[string]int64, now time.Time) Signals {
	var out Signals
	for _, t := range rec.FraudTags {
		out.Fraud = append(out.Fraud, TagItem{Value: t, Explanation: FraudTagExplanation(t)})
	}
	for _, t := range rec.MismatchTags {
		out.Mismatch = append(out.Mismatch, TagItem{Value: t, Explanation: MismatchTagExplanation(t)})
	}
	for _, t := range s.Status.SuspicionReasons {
		if !slices.Contains(rec.FraudTags, t) {
			out.Suspicion = append(out.Suspicion, TagItem{Value: t, Explanation: FraudTagExplanation(t)})
		}
	}
	flag := func(key, level, text string) {
		out.Flags = append(out.Flags, Flag{Key: key, Level: level, Text: text})
	}
	ipCountry := strings.ToUpper(strings.TrimSpace(s.IPCountry))
	docCountry := strings.ToUpper(strings.TrimSpace(s.Document.IssuingCountry))
	nationality := strings.ToUpper(strings.TrimSpace(s.Person.Nationality))
	if ipCountry != "" && docCountry != "" && ipCountry != docCountry {
		flag("ip-country", StatusAmber, fmt.Sprintf("IP country %s ≠ document %s", ipCountry, docCountry))
	}
	if ipCountry != "" && len(nationality) == 2 && ipCountry != nationality && nationality != docCountry {
		flag("ip-nationality", StatusAmber, fmt.Sprintf("IP country %s ≠ nationality %s", ipCountry, nationality))
	}
	out.Geo, out.Agent = BuildGeo(s), BuildAgentVerdict(s)
	if exp, err := time.Parse("2006-01-02", strings.TrimSpace(s.Document.Expiry)); err == nil && exp.Before(today(now)) {
		flag("doc-expired", StatusRed, "Document expired on "+exp.Format("2 Jan 2006"))
	}
	if age, ok := AgeOn(s.Person.DOB, now); ok && age < 18 {
		flag("under-18", StatusRed, fmt.Sprintf("Under 18 (age %d)", age))
	}
	switch strings.ToUpper(s.ProxyRiskLevel) {
	case "HIGH", "VERY_HIGH":
		flag("proxy-risk", StatusRed, "Proxy or VPN risk "+s.ProxyRiskLevel)
	case "MEDIUM":
		flag("proxy-risk", StatusAmber, "Proxy or VPN risk MEDIUM")
	}
	switch strings.ToUpper(s.Person.AgeEstimate) {
	case "UNDER_13":
		flag("age-estimate", StatusRed, "The selfie looks under 13")
	case "OVER_13":
		flag("age-estimate", StatusAmber, "The selfie looks over 13, not confirmed over 18")
	}
	if s.Document.ManuallyDataChanged {
		flag("data-edited", StatusAmber, "The vendor's reviewer edited the document data")
	}
	if s.ManualAddressMatch != nil && !*s.ManualAddressMatch && s.ManualAddress != "" {
		flag("address", StatusAmber, "The utility-bill address does not match")
	}
	if s.GDCMatch != nil && !*s.GDCMatch {
		flag("gdc", StatusAmber, "Not found in the global data sources")
	}
	for _, group := range []struct {
		name   string
		checks []store.Check
	}{{"AML", s.AML}, {"LID", s.LID}} {
		for _, ch := range group.checks {
			hits := hitCount(ch)
			if hits > 0 || StatusClass(ch.OverallStatus) != StatusGreen {
				if len(out.Checks) == ChecksShown {
					out.ChecksMore++
					continue
				}
				out.Checks = append(out.Checks, CheckSummary{Group: group.name, Service: ch.ServiceName,
					Status: ch.OverallStatus, Hits: hits})
			}
		}
	}
	faces, docFaces := ShownDuplicates(s)
	for _, r := range faces {
		out.Duplicates = append(out.Duplicates, LinkedRef{Kind: "face", Ref: r, CaseID: linked[r]})
	}
	for _, r := range docFaces {
		out.Duplicates = append(out.Duplicates, LinkedRef{Kind: "document face", Ref: r, CaseID: linked[r]})
	}
	out.DuplicatesMore = len(s.DuplicateFaces) + len(s.DuplicateDocFaces) - len(faces) - len(docFaces)
	return out
}

// A callback may name any number of checks and shared references; the page lists the first few
// and says how many more there are, so its size and its look-ups stay bounded.
const (
	// DuplicatesShown is how many shared face references the signals list, both kinds together.
	DuplicatesShown = 10
	// ChecksShown is how many AML and LID results the page lists.
	ChecksShown = 50
)

// ShownDuplicates is the face and document-face references the page lists (and links to cases).
func ShownDuplicates(s *store.Snapshot) (faces, docFaces []string) {
	faces = s.DuplicateFaces[:min(len(s.DuplicateFaces), DuplicatesShown)]
	docFaces = s.DuplicateDocFaces[:min(len(s.DuplicateDocFaces), DuplicatesShown-len(faces))]
	return faces, docFaces
}

// hitCount is the check's number of hits: the vendor's count, else the length of its data array.
func hitCount(ch store.Check) int {
	if ch.HitCount > 0 {
		return ch.HitCount
	}
	var arr []json.RawMessage
	if json.Unmarshal(ch.Hits, &arr) == nil {
		return len(arr)
	}
	return 0
}

// CheckViews lists up to max AML or LID results, their hits laid out within budget, and how many
// it left out.
func CheckViews(checks []store.Check, group string, budget *JSONBudget, max int) ([]CheckView, int) {
	var out []CheckView
	for i, ch := range checks {
		if i == max {
			return out, len(checks) - max
		}
		g := ch.ServiceGroupType
		if g == "" {
			g = group
		}
		cv := CheckView{Group: g, Service: ch.ServiceName, Status: ch.OverallStatus, Hits: hitCount(ch),
			Error: ch.ErrorMessage, Succeeded: ch.CheckSuccessful}
		if cv.Hits > 0 {
			cv.HitsJSON = budget.Format(ch.Hits)
		}
		out = append(out, cv)
	}
	return out, 0
}

// unescapeHTMLJSON turns the \u003c, \u003e and \u0026 that Go writes for <, > and & back into
// the characters, so the reviewer reads what the vendor sent. The page escapes them anyway.
func unescapeHTMLJSON(s string) string {
	if !strings.Contains(s, `\u00`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		if s[i+1] == 'u' && i+6 <= len(s) {
			switch s[i+2 : i+6] {
			case "003c", "003C":
				b.WriteByte('<')
				i += 5
				continue
			case "003e", "003E":
				b.WriteByte('>')
				i += 5
				continue
			case "0026":
				b.WriteByte('&')
				i += 5
				continue
			}
		}
		b.WriteString(s[i : i+2]) // any other escape, an escaped backslash included, stays
		i++
	}
	return b.String()
}
