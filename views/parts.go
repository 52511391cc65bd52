package views

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// Status classes: the one colour scale every page uses.
const (
	StatusGreen = "s-green" // approved, allowed, face match, document validated
	StatusAmber = "s-amber" // suspected, pending, uncertain, overdue
	StatusRed   = "s-red"   // denied, declined, fake, mismatch, sanction hit
	StatusGrey  = "s-grey"  // expired, not analysed, unknown
)

// StatusClass maps a vendor or desk status value to its colour class on the status scale.
// Matching ignores case, so "allow" and "ALLOW" agree; values nobody listed fall back to grey
// unless their name says plainly that something failed.
func StatusClass(s string) string {
	v := strings.ToUpper(strings.TrimSpace(s))
	switch v {
	case "APPROVED", "ALLOW", "ALLOWED", "DOC_VALIDATED", "FACE_MATCH", "VALID", "MATCH", "NOT_SUSPECTED",
		"CLEAR", "ACCEPTED", "ARCHIVED", "OK", "VERY_LOW", "LOW",
		"OVER_18", "OVER_22", "OVER_25", "OVER_30":
		return StatusGreen

	case "SUSPECTED", "PENDING", "PENDING_APPROVAL", "NEEDS_APPROVAL", "FACE_UNCERTAIN", "OVERDUE",
		"REVIEWING", "AUTO_UNVERIFIABLE", "RETURNED", "QUARANTINED", "CLAIMED", "MEDIUM", "OVER_13",
		"DUPLICATE_FACE", "DUPLICATE_DOC_FACE":
		return StatusAmber

	case "DENIED", "DECLINE", "DECLINED", "REJECTED", "FAILED", "HIT", "SANCTION", "SANCTION_HIT", "PEP",
		"INVALID", "NOT_FOUND", "HIGH", "VERY_HIGH", "UNDER_13",
		"FACE_MISMATCH", "NO_FACE_FOUND", "TOO_MANY_FACES", "FACE_TOO_BLURRY", "FACE_GLARED", "FAKE_FACE",
		"DOC_INFO_MISMATCH", "DOC_NOT_FOUND", "DOC_NOT_FULLY_VISIBLE", "DOC_NOT_SUPPORTED", "DOC_FACE_NOT_FOUND",
		"DOC_TOO_BLURRY", "DOC_GLARED", "DOC_FACE_GLARED", "MRZ_NOT_FOUND", "MRZ_OCR_READING_ERROR",
		"BARCODE_NOT_FOUND", "DOC_EXPIRED", "COUNTRY_MISMATCH", "DOC_TYPE_MISMATCH", "DOC_SIDE_MISMATCH",
		"DOC_DAMAGED", "DOC_FAKE", "DOC_NAME_ERROR", "DOC_SURNAME_ERROR", "DOC_EXPIRY_ERROR", "DOC_DOB_ERROR",
		"DOC_PERSONAL_NUMBER_ERROR", "DOC_NUMBER_ERROR", "DOC_DATE_OF_ISSUE_ERROR", "DOC_SEX_ERROR",
		"DOC_NATIONALITY_ERROR", "COUNTRY_NOT_SUPPORTED", "DOC_PERSONAL_CODE_INVALID", "DOC_SPOOF_DETECTED",
		"MRZ_INVALID":
		return StatusRed

	case "", "EXPIRED", "UNKNOWN", "NOT_CHECKED", "FACE_NOT_ANALYSED", "DOC_NOT_ANALYSED", "FACE_ERROR",
		"DOC_ERROR", "DUPLICATE", "NONE", "NULL":
		return StatusGrey
	}
	switch {
	case strings.HasSuffix(v, "_NOT_ANALYSED"), strings.HasSuffix(v, "_NOT_CHECKED"):
		return StatusGrey
	case strings.Contains(v, "MISMATCH"), strings.Contains(v, "FAKE"), strings.Contains(v, "SPOOF"),
		strings.Contains(v, "BLACKLIST"), strings.Contains(v, "DENIED"), strings.Contains(v, "DECLINE"):
		return StatusRed
	case strings.Contains(v, "SUSPECT"), strings.Contains(v, "UNCERTAIN"), strings.Contains(v, "PENDING"):
		return StatusAmber
	}
	return StatusGrey
}

// statusLabel is what a badge shows: the value verbatim, or "unknown" when there is none.
func statusLabel(s string) string {
	if strings.TrimSpace(s) == "" {
		return "unknown"
	}
	return s
}

// grouped is n with its digits grouped by thousands.
func grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// FormatWaited renders how long something has waited, at the precision a reviewer needs:
// "<1m", "47m", "3h 12m", "2d 4h".
func FormatWaited(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	d = d.Truncate(time.Minute)
	days := int(d / (24 * time.Hour))
	hours := int(d % (24 * time.Hour) / time.Hour)
	mins := int(d % time.Hour / time.Minute)
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, hours)
	case hours > 0:
		return fmt.Sprintf("%dh %dm", hours, mins)
	case mins > 0:
		return fmt.Sprintf("%dm", mins)
	}
	return "<1m"
}

// utcTitle is the exact instant shown on hover: "UTC 2025-11-22 14:03:05".
func utcTitle(t time.Time) string { return "UTC " + t.UTC().Format("2006-01-02 15:04:05") }

// utcText is what a time reads before the script rewrites it to the viewer's zone, or without script.
func utcText(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04") + " UTC" }

// tagTitle is the hover text of a compact tag: its plain-language meaning.
func tagTitle(value string) string {
	if e := TagExplanation(value); e != "" {
		return e
	}
	return notInVocabulary
}

// notInVocabulary is shown beside a value the vendor's documentation does not list.
const notInVocabulary = "Not in the vendor's vocabulary."

// tagClass is the class list of a tag's badge, with an optional status class.
func tagClass(status string) string {
	if status == "" {
		return "tag"
	}
	return "tag " + status
}

// restTitle lists the tags hidden behind "+N" so a hover shows them.
func restTitle(values []string) string { return strings.Join(values, ", ") }

// navItem is one link in the top bar.
type navItem struct {
	Key    string // compared with Page.Nav
	Label  string
	Href   string
	TestID string
	Count  int
	Counts bool // show Count even when zero
}

// navItems lists the top-bar links the signed-in user's roles allow, in display order.
func navItems(p Page) []navItem {
	u := p.User
	if u == nil {
		return nil
	}
	var items []navItem
	if u.Has("reviewer") || u.Has("supervisor") {
		items = append(items,
			navItem{Key: "queue", Label: "Queue", Href: "/cases", TestID: "nav-queue", Count: p.Counts.NeedsDecision, Counts: true},
			navItem{Key: "pending", Label: "Pending approval", Href: "/cases?tab=pending", TestID: "nav-pending", Count: p.Counts.PendingApproval, Counts: true},
		)
	}
	if u.Has("auditor") && !u.Has("reviewer") && !u.Has("supervisor") {
		// Auditors read cases too; they start from every case, not from the work queue.
		items = append(items, navItem{Key: "queue", Label: "Cases", Href: "/cases?tab=all", TestID: "nav-queue"})
	}
	if u.Has("supervisor") || u.Has("auditor") || u.Has("admin") {
		items = append(items, navItem{Key: "dashboard", Label: "Dashboard", Href: "/dashboard", TestID: "nav-dashboard"})
	}
	if u.Has("auditor") || u.Has("admin") {
		items = append(items, navItem{Key: "audit", Label: "Audit", Href: "/audit", TestID: "nav-audit"})
	}
	if u.Has("admin") {
		items = append(items,
			navItem{Key: "admin", Label: "Users", Href: "/admin/users", TestID: "nav-users"},
			navItem{Key: "health", Label: "Ingest health", Href: "/admin/health", TestID: "nav-health"},
			navItem{Key: "settings", Label: "Settings", Href: "/admin/settings", TestID: "nav-settings"},
			navItem{Key: "webhooks", Label: "Webhooks", Href: "/admin/webhooks", TestID: "nav-webhooks"},
			navItem{Key: "tokens", Label: "API tokens", Href: "/admin/tokens", TestID: "nav-tokens"},
		)
	}
	if u.Has("supervisor") || u.Has("admin") {
		items = append(items, navItem{Key: "legal-holds", Label: "Legal holds", Href: "/legal-holds", TestID: "nav-legal-holds"})
	}
	return items
}

// ariaCurrent marks the active navigation link for assistive technology and for the stylesheet.
func ariaCurrent(active bool) string {
	if active {
		return "page"
	}
	return "false"
}

// pageTitle is the document title: "Queue · KYC Desk".
func pageTitle(p Page) string {
	if p.Title == "" {
		return "KYC Desk"
	}
	return p.Title + " · KYC Desk"
}

// userTitle is the hover text on the user's name: full name and roles.
func userTitle(u *User) string {
	s := u.Name
	if len(u.Roles) > 0 {
		if s != "" {
			s += " · "
		}
		s += strings.Join(u.Roles, ", ")
	}
	return s
}

// FormatUTC is a time as UTC text with seconds, for hover titles.
func FormatUTC(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

// sourceList names sources in words: "Video KYC" or "Mark ID and Video KYC".
func sourceList(sources []store.Source) string {
	names := make([]string, len(sources))
	for i, s := range sources {
		names[i] = s.Label()
	}
	return strings.Join(names, " and ")
}

// zoneLabel names the zone days are read in: "your time zone (Asia/Kolkata)", or UTC.
func zoneLabel(tz string) string {
	if tz == "" {
		return "UTC"
	}
	return "your time zone (" + tz + ")"
}
