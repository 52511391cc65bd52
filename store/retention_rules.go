package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Outcomes a retention policy can name besides allow and decline: a case the vendor settled
// (informational, no decision needed), or any.
const (
	RetentionVendor = "vendor"
	RetentionAny    = "any"
)

// RetentionPolicy says how long a finally decided case keeps its raw media and its personal
// fields. Cases with no final decision are kept whatever the policy says.
type RetentionPolicy struct {
	Source            Source // "" for any
	Outcome           string // OutcomeAllow, OutcomeDecline, RetentionVendor or "" for any
	MediaDays         int    // raw media purged this many days after the final decision; 0 keeps them
	PseudonymiseYears int    // personal fields pseudonymised this many years after; 0 never
}

// Name is how the policy is named in tombstones, the report and the case page.
func (p RetentionPolicy) Name() string {
	src, out := string(p.Source), p.Outcome
	if src == "" {
		src = RetentionAny
	}
	if out == "" {
		out = RetentionAny
	}
	return fmt.Sprintf("%s/%s: media %d d, personal fields %d y", src, out, p.MediaDays, p.PseudonymiseYears)
}

// Matches reports whether the policy covers a case of src whose final outcome is outcome.
func (p RetentionPolicy) Matches(src Source, outcome string) bool {
	return (p.Source == "" || p.Source == src) && (p.Outcome == "" || p.Outcome == outcome)
}

// DefaultRetention: video-KYC recordings and pictures are kept five years (PMLA), identity
// verification media 180 days; personal fields are pseudonymised five years after the decision.
func DefaultRetention() []RetentionPolicy {
	return []RetentionPolicy{
		{Source: SourceVCIP, MediaDays: 5 * 365, PseudonymiseYears: 5},
		{MediaDays: 180, PseudonymiseYears: 5},
	}
}

// RetentionFor is the first policy that covers a case of src with the final outcome; ok is false
// when none does (the case is kept).
func (r Rules) RetentionFor(src Source, outcome string) (RetentionPolicy, bool) {
	for _, p := range r.Retention {
		if p.Matches(src, outcome) {
			return p, true
		}
	}
	return RetentionPolicy{}, false
}

// Limits on retention an admin can set.
const (
	MaxRetentionDays  = 100 * 365
	MaxRetentionYears = 100
)

// ParseRetention reads one policy a line: "source | outcome | media days | pseudonymise years",
// source markid, vcip or any; outcome allow, decline, vendor or any.
func ParseRetention(text string) ([]RetentionPolicy, error) {
	var out []RetentionPolicy
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		parts := strings.Split(line, "|")
		bad := Errorf(KindInvalid, "Retention, line %d: write source | outcome | media days | pseudonymise years, e.g. markid | decline | 180 | 5.", i+1)
		if len(parts) != 4 {
			return nil, bad
		}
		p := RetentionPolicy{Source: Source(strings.ToLower(strings.TrimSpace(parts[0]))), Outcome: strings.ToLower(strings.TrimSpace(parts[1]))}
		if p.Source == RetentionAny {
			p.Source = ""
		}
		if p.Outcome == RetentionAny {
			p.Outcome = ""
		}
		var err1, err2 error
		p.MediaDays, err1 = strconv.Atoi(strings.TrimSpace(parts[2]))
		p.PseudonymiseYears, err2 = strconv.Atoi(strings.TrimSpace(parts[3]))
		if err1 != nil || err2 != nil {
			return nil, bad
		}
		out = append(out, p)
	}
	return out, nil
}

// FormatRetention writes policies in the form ParseRetention reads.
func FormatRetention(ps []RetentionPolicy) string {
	var b strings.Builder
	for _, p := range ps {
		src, out := string(p.Source), p.Outcome
		if src == "" {
			src = RetentionAny
		}
		if out == "" {
			out = RetentionAny
		}
		fmt.Fprintf(&b, "%s | %s | %d | %d\n", src, out, p.MediaDays, p.PseudonymiseYears)
	}
	return b.String()
}

// validateRetention names the first problem in the policies, or "".
func validateRetention(ps []RetentionPolicy) string {
	for i, p := range ps {
		switch {
		case p.Source != "" && p.Source != SourceMarkID && p.Source != SourceVCIP:
			return fmt.Sprintf("Retention, line %d: the source is markid, vcip or any, not %q.", i+1, p.Source)
		case p.Outcome != "" && p.Outcome != OutcomeAllow && p.Outcome != OutcomeDecline && p.Outcome != RetentionVendor:
			return fmt.Sprintf("Retention, line %d: the outcome is allow, decline, vendor or any, not %q.", i+1, p.Outcome)
		case p.MediaDays < 0 || p.MediaDays > MaxRetentionDays:
			return fmt.Sprintf("Retention, line %d: media days are from 0 (keep) to %d.", i+1, MaxRetentionDays)
		case p.PseudonymiseYears < 0 || p.PseudonymiseYears > MaxRetentionYears:
			return fmt.Sprintf("Retention, line %d: years are from 0 (never) to %d.", i+1, MaxRetentionYears)
		case p.PseudonymiseYears > 0 && p.MediaDays == 0:
			return fmt.Sprintf("Retention, line %d: pseudonymising personal fields while keeping the media would keep the faces; give the media days too.", i+1)
		}
	}
	return ""
}

// mediaCutoff is the latest final-decision time whose media are due at now (zero: never).
func (p RetentionPolicy) mediaCutoff(now time.Time) time.Time {
	if p.MediaDays <= 0 {
		return time.Time{}
	}
	return now.AddDate(0, 0, -p.MediaDays)
}

// pseudoCutoff is the latest final-decision time whose personal fields are due at now (zero: never).
func (p RetentionPolicy) pseudoCutoff(now time.Time) time.Time {
	if p.PseudonymiseYears <= 0 {
		return time.Time{}
	}
	return now.AddDate(-p.PseudonymiseYears, 0, 0)
}

// due reports whether anything of the candidate is due under p at now.
func (p RetentionPolicy) due(c retentionCandidate, now time.Time) bool {
	media := p.MediaDays > 0 && !c.mediaDone && !now.Before(c.finalAt.AddDate(0, 0, p.MediaDays))
	pseudo := p.PseudonymiseYears > 0 && !c.pseudoed && !now.Before(c.finalAt.AddDate(p.PseudonymiseYears, 0, 0))
	return media || pseudo
}
