package views

import (
	"encoding/json"
	"strings"

	"github.com/kycdesk/kycdesk/store"
)

// languageFields are the callbackParameters keys that may name the customer's language.
var languageFields = []string{"language", "lang", "preferredLanguage", "customerLanguage", "locale"}

// CustomerLanguage is the customer's language as a vendor key ("BENGALI"): a language field of
// callbackParameters when the bank sent one (a key such as "BENGALI" or a code such as "bn-IN"),
// else the browser's language (browserData.browserLanguage, "bn-IN" → "BENGALI"). "" when neither
// names a language the desk knows.
func CustomerLanguage(s *store.Snapshot) string {
	var params map[string]json.RawMessage
	if json.Unmarshal(s.CallbackParameters, &params) == nil {
		for _, k := range languageFields {
			var v string
			if json.Unmarshal(field(params, k), &v) == nil {
				if key := languageKey(v); key != "" {
					return key
				}
			}
		}
	}
	if s.Browser != nil {
		return languageKey(s.Browser.Language)
	}
	return ""
}

// languageKey turns "bn-IN", "bn", "BENGALI" or "Bengali" into the vendor key "BENGALI".
func languageKey(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if up := strings.ToUpper(v); langAttrs[up] != "" {
		return up
	}
	primary, _, _ := strings.Cut(strings.ToLower(strings.ReplaceAll(v, "_", "-")), "-")
	for _, key := range []string{"ENGLISH", "HINDI", "KANNADA", "BENGALI", "GUJARATI", "TAMIL", "TELUGU", "MARATHI",
		"MALAYALAM", "PUNJABI", "ODIA", "URDU", "ASSAMESE"} { // a fixed order: ODIA before ORIYA
		if langAttrs[key] == primary {
			return key
		}
	}
	return ""
}
