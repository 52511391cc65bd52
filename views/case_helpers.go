package views

import (
	"fmt"
	"strconv"

	"github.com/a-h/templ"
)

// caseAction is the URL of a POST action on a case, e.g. /cases/12/claim.
func caseAction(id int64, verb string) templ.SafeURL {
	return templ.SafeURL("/cases/" + strconv.FormatInt(id, 10) + "/" + verb)
}

// anyError reports whether any of the fields has a problem.
func anyError(errs map[string]string, fields ...string) bool {
	for _, f := range fields {
		if errs[f] != "" {
			return true
		}
	}
	return false
}

// invalid is a field's aria-invalid value.
func invalid(errs map[string]string, field string) string {
	if errs[field] != "" {
		return "true"
	}
	return "false"
}

// hasReasons reports whether any reason belongs to the outcome group.
func hasReasons(reasons []ReasonOption, outcome string) bool {
	for _, r := range reasons {
		if r.Outcome == outcome {
			return true
		}
	}
	return false
}

// plural picks the word for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// FormatBytes renders a size for people: "812 B", "184 KB", "3.2 MB".
func FormatBytes(n int64) string {
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1024*1024:
		return strconv.FormatInt((n+512)/1024, 10) + " KB"
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}

// hasIdentity reports whether the identity row has anything to show (a video-KYC case has not).
func hasIdentity(items []MediaItem) bool {
	for _, it := range items {
		if !it.Missing {
			return true
		}
	}
	return false
}

// mediaStateKey is the media item's state for tests and styling: "missing" when not sent.
func mediaStateKey(m MediaItem) string {
	if m.Missing {
		return "missing"
	}
	return m.State
}

// outcomeClass colours a delivery outcome.
func outcomeClass(outcome string) string {
	switch outcome {
	case "quarantined":
		return StatusAmber
	case "duplicate":
		return StatusGrey
	}
	return StatusGreen
}

// langAttrs maps the video-KYC vendor's language keys to BCP 47 codes for the lang attribute.
var langAttrs = map[string]string{
	"ENGLISH": "en", "HINDI": "hi", "KANNADA": "kn", "BENGALI": "bn", "GUJARATI": "gu", "TAMIL": "ta",
	"TELUGU": "te", "MARATHI": "mr", "MALAYALAM": "ml", "PUNJABI": "pa", "ODIA": "or", "ORIYA": "or",
	"URDU": "ur", "ASSAMESE": "as",
}

// LangAttr is the lang attribute for a vendor language key, or "" when the key is unknown
// (better no attribute than a wrong one).
func LangAttr(key string) string { return langAttrs[key] }

// docCount is how many documents stack beside the video, for the stylesheet: "1", "2" or "3+".
func docCount(n int) string {
	if n >= 3 {
		return "3+"
	}
	return strconv.Itoa(n)
}
