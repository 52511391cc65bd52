package views

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/kycdesk/kycdesk/store"
)

// AuditPage is one page of the audit log, newest first, with the filters that produced it.
type AuditPage struct {
	Filter  AuditFilterForm
	Entries []store.AuditEntry
	// Cases and Users label the entries' case ids and user ids; ViewsHidden says views are left out.
	Cases       map[int64]store.CaseLabel
	Users       map[int64]string
	ViewsHidden bool
	// Actions are the choices of the action filter; Actors suggest values for the actor filter.
	Actions []AuditAction
	Actors  []string
	// NextURL is the next (older) page; NewestURL goes back to the first page. Empty when not applicable.
	NextURL   string
	NewestURL string
	// Export and report links carry the current filters.
	ExportCSV   string
	ExportJSONL string
	ReportURL   string
	// HeadID and HeadHash are the newest entry: the value that pins the whole chain.
	HeadID   int64
	HeadHash string
}

// AuditFilterForm is the filter bar as submitted.
type AuditFilterForm struct {
	Views  bool   // include case and media views
	TZ     string // the zone the dates are read in (the browser's), "" for UTC
	Actor  string
	Action string
	Case   string
	From   string // YYYY-MM-DD
	To     string // YYYY-MM-DD
	Errors map[string]string
}

// AuditAction is one choice of the action filter.
type AuditAction struct {
	Value string
	Label string
}

// Active reports whether any filter is set.
func (f AuditFilterForm) Active() bool {
	return f.Actor != "" || f.Action != "" || f.Case != "" || f.From != "" || f.To != "" || f.Views
}

// audFilterFields are the audit filter's fields, in the order their problems are listed.
var audFilterFields = []string{"actor", "action", "case", "from", "to"}

// audTarget is "user rev1" or "delivery 42"; empty when the entry has no target.
func audTarget(e store.AuditEntry) string {
	if e.TargetType == "" && e.TargetID == "" {
		return ""
	}
	if e.TargetType == "case" && e.CaseID != 0 {
		return "" // the case column already links it
	}
	return strings.TrimSpace(e.TargetType + " " + e.TargetID)
}

// audDetails renders an entry's JSON details compactly: key=value pairs in key order, nested values
// as compact JSON. The template escapes the result.
func audDetails(raw string, users map[int64]string) string {
	raw = strings.TrimSpace(store.MaskAadhaarText(raw)) // a note quoting an Aadhaar number reads masked
	if raw == "" || raw == "{}" || raw == "null" {
		return ""
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return raw
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// What was decided reads first; free text such as a note comes last.
	sort.Slice(keys, func(i, j int) bool {
		pi, pj := audKeyRank(keys[i]), audKeyRank(keys[j])
		if pi != pj {
			return pi < pj
		}
		return keys[i] < keys[j]
	})
	var b strings.Builder
	for _, k := range keys {
		v := m[k]
		var s string
		isString := json.Unmarshal(v, &s) == nil
		if isString && s == "" {
			continue // an empty filter or field says nothing
		}
		if b.Len() > 0 {
			b.WriteString("  ")
		}
		b.WriteString(k)
		b.WriteByte('=')
		if isString {
			if strings.ContainsAny(s, " =\"") {
				b.WriteString(strconv.Quote(s))
			} else {
				b.WriteString(s)
			}
			continue
		}
		var id int64
		if audUserKeys[k] && json.Unmarshal(v, &id) == nil && users[id] != "" {
			b.WriteString(users[id]) // a user id reads as the username
			continue
		}
		var list []string
		if json.Unmarshal(v, &list) == nil {
			b.WriteString(strings.Join(list, ","))
			continue
		}
		b.Write(v)
	}
	return b.String()
}

// audUserKeys are the detail keys whose numbers are user ids.
var audUserKeys = map[string]bool{"from": true, "to": true, "user": true, "user_id": true, "by": true, "expired_claim_of": true}

// audCaseText is how an entry's case reads: its reference (shortened) and name, or its number
// when the case is gone.
func audCaseText(cases map[int64]store.CaseLabel, id int64) string {
	l, ok := cases[id]
	if !ok {
		return "#" + strconv.FormatInt(id, 10)
	}
	t := shortRef(l.Ref)
	if l.Name != "" {
		t += " · " + l.Name
	}
	return store.MaskAadhaarText(t)
}

// audShortHash is the first 10 hex digits of a hash: enough to compare with a printed manifest.
func audShortHash(h string) string {
	if len(h) > 10 {
		return h[:10]
	}
	return h
}

// audActionClass marks the actions that record something failing, in red.
func audActionClass(action string) string {
	switch action {
	case "login.failure", "webhook.auth_failed":
		return "tag s-red"
	}
	return "tag"
}

func audSelected(f AuditFilterForm, value string) bool { return f.Action == value }

func audCaseURL(id int64) string { return "/cases/" + strconv.FormatInt(id, 10) }

// audKeyRank orders audit detail keys: outcomes and verdicts first, notes and reasons in words last.
func audKeyRank(k string) int {
	switch k {
	case "outcome", "verdict", "reason", "roles", "disabled":
		return 0
	case "note", "reason_text", "last_error":
		return 2
	}
	return 1
}
