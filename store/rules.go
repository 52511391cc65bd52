package store

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// ReasonCode is one reason a reviewer can give for a decision.
type ReasonCode struct {
	Code    string   // stored with the decision, e.g. "face_matches"
	Label   string   // shown on the form and in the history, e.g. "Face matches"
	Outcome string   // OutcomeAllow, OutcomeDecline, or "" for either
	Sources []Source // the sources it applies to; empty for every source
}

// AppliesTo reports whether the reason may be given for an outcome ("" for either) on src.
func (r ReasonCode) AppliesTo(src Source, outcome string) bool {
	if len(r.Sources) > 0 && !slices.Contains(r.Sources, src) {
		return false
	}
	return r.Outcome == "" || outcome == "" || r.Outcome == outcome
}

// Rules are the review rules in force: flags give the defaults, an admin's saved settings override
// them. Every decision, approval, return, reopen and claim is checked against them in the store.
type Rules struct {
	SLA         time.Duration // a case waiting longer is overdue
	ClaimTTL    time.Duration // a claim idle for longer lapses
	FourEyes    map[Source]bool
	ReasonCodes []ReasonCode
	// GrantApproval makes a grant of reviewer or supervisor wait for a second admin while four-eyes
	// is on for a source and there are two or more enabled admins (store/role_grants.go).
	GrantApproval bool
	// Evidence is, per source, the media kinds that must be archived (hash known) before a case
	// may be allowed or an allow approved; a decline never needs them.
	Evidence map[Source][]string
	// MaskIdentifiersFor are the roles that see document numbers, personal codes and dates of
	// birth partly masked (someone holding any other role too sees them whole).
	MaskIdentifiersFor []string
	// RevealRoles are the roles with reveal rights: they may reveal a masked field, the raw
	// callback body or the original under an image's redaction boxes, with a reason. Everyone
	// else sees the masked values and the redacted images only.
	RevealRoles []string
	// Retention are the retention policies, first match wins (retention_rules.go).
	Retention []RetentionPolicy
}

// Limits on the rules an admin can set.
const (
	MaxSLA         = 30 * 24 * time.Hour
	MaxClaimTTL    = 24 * time.Hour
	MaxReasonLabel = 80
	MaxNote        = 4000
)

// DefaultRules are the rules before any flag or setting changes them.
func DefaultRules() Rules {
	india := []Source{SourceVCIP}
	return Rules{SLA: 24 * time.Hour, ClaimTTL: 30 * time.Minute, GrantApproval: true, MaskIdentifiersFor: []string{RoleAuditor},
		RevealRoles: []string{RoleReviewer, RoleSupervisor, RoleAuditor},
		FourEyes:    map[Source]bool{SourceVCIP: true, SourceMarkID: false},
		Evidence:    map[Source][]string{SourceVCIP: {MediaRecordedVideo}},
		Retention:   DefaultRetention(),
		ReasonCodes: []ReasonCode{
			{"document_genuine", "Document genuine", OutcomeAllow, nil},
			{"face_matches", "Face matches", OutcomeAllow, nil},
			{"tags_explained", "Tags explained", OutcomeAllow, nil},
			{"customer_known", "Customer known", OutcomeAllow, nil},
			{"document_forged", "Document forged", OutcomeDecline, nil},
			{"face_mismatch", "Face mismatch", OutcomeDecline, nil},
			{"sanctions_pep_hit", "Sanctions or PEP hit", OutcomeDecline, nil},
			{"outside_india", "Customer outside India", OutcomeDecline, india},
			{"recording_unavailable", "Recording unavailable", OutcomeDecline, india},
			{"poor_quality", "Poor quality", OutcomeDecline, nil},
			{"other", "Other", "", nil},
		}}
}

// NeedsFourEyes reports whether decisions on src wait for a second person's approval.
func (r Rules) NeedsFourEyes(src Source) bool { return r.FourEyes[src] }

// Reason finds a configured reason by its code.
func (r Rules) Reason(code string) (ReasonCode, bool) {
	for _, rc := range r.ReasonCodes {
		if rc.Code == code {
			return rc, true
		}
	}
	return ReasonCode{}, false
}

// ReasonLabel is how a stored reason code reads; a code no longer configured shows verbatim.
func (r Rules) ReasonLabel(code string) string {
	if rc, ok := r.Reason(code); ok {
		return rc.Label
	}
	return code
}

// ReasonsFor lists the reasons that may be given on src for outcome ("" for either).
func (r Rules) ReasonsFor(src Source, outcome string) []ReasonCode {
	var out []ReasonCode
	for _, rc := range r.ReasonCodes {
		if rc.AppliesTo(src, outcome) {
			out = append(out, rc)
		}
	}
	return out
}

// DurationFromHours turns a number of hours typed into a form into a duration; a value that is not
// a finite number, or is too large to be one, becomes -1 so that Validate refuses it.
func DurationFromHours(h float64) time.Duration {
	if math.IsNaN(h) || math.IsInf(h, 0) || h > float64(MaxSLA/time.Hour)*2 || h < 0 {
		return -1
	}
	return time.Duration(h * float64(time.Hour))
}

// DurationFromMinutes is DurationFromHours for a whole number of minutes.
func DurationFromMinutes(m int) time.Duration {
	if m < 0 || m > int(MaxClaimTTL/time.Minute)*2 {
		return -1
	}
	return time.Duration(m) * time.Minute
}

// Validate checks every rule's range; the problems come back as field errors named like the
// settings form's fields.
func (r Rules) Validate() error {
	p := map[string]string{}
	if r.SLA < time.Minute || r.SLA > MaxSLA {
		p["sla_hours"] = "Give the waiting time in hours, more than 0 and at most 720."
	}
	if r.ClaimTTL < time.Minute || r.ClaimTTL > MaxClaimTTL || r.ClaimTTL%time.Minute != 0 {
		p["claim_minutes"] = "Give the claim timeout in whole minutes, from 1 to 1440."
	}
	if err := validateReasons(r.ReasonCodes); err != "" {
		p["reason_codes"] = err
	}
	for src, kinds := range r.Evidence {
		for _, k := range kinds {
			if !slices.Contains(EvidenceKinds(), k) {
				p["evidence_"+string(src)] = fmt.Sprintf("%q is not a media kind the desk can require.", k)
			}
		}
	}
	if err := validateRetention(r.Retention); err != "" {
		p["retention"] = err
	}
	for _, role := range r.MaskIdentifiersFor {
		if !slices.Contains(AllRoles, role) {
			p["mask_roles"] = fmt.Sprintf("Masking: %q is not a role.", role)
		}
	}
	for _, role := range r.RevealRoles {
		if !slices.Contains(AllRoles, role) {
			p["reveal_roles"] = fmt.Sprintf("Reveal rights: %q is not a role.", role)
		}
	}
	if len(p) > 0 {
		return FieldErrors(p)
	}
	return nil
}

func validateReasons(rc []ReasonCode) string {
	if len(rc) == 0 {
		return "Keep at least one reason code."
	}
	seen := map[string]bool{}
	for i, r := range rc {
		switch {
		case !ValidUsername(r.Code) || r.Label == "" || len(r.Label) > MaxReasonLabel:
			return fmt.Sprintf("Reason codes, line %d: a code is 2-64 letters, digits or . _ - and a label at most %d characters.", i+1, MaxReasonLabel)
		case seen[r.Code]:
			return fmt.Sprintf("Reason codes, line %d: the code %q appears twice.", i+1, r.Code)
		case r.Outcome != "" && r.Outcome != OutcomeAllow && r.Outcome != OutcomeDecline:
			return fmt.Sprintf("Reason codes, line %d: the outcome is allow, decline or any, not %q.", i+1, r.Outcome)
		}
		for _, s := range r.Sources {
			if s != SourceMarkID && s != SourceVCIP {
				return fmt.Sprintf("Reason codes, line %d: the sources are markid, vcip or any, not %q.", i+1, s)
			}
		}
		seen[r.Code] = true
	}
	return ""
}

// ParseReasonCodes reads one reason a line: "code | Label | allow|decline|any [| markid,vcip|any]".
// Lines that cannot be read become an error naming the line; Validate checks the rest.
func ParseReasonCodes(text string) ([]ReasonCode, error) {
	var out []ReasonCode
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		parts := strings.Split(line, "|")
		if len(parts) != 3 && len(parts) != 4 {
			return nil, Errorf(KindInvalid, "Reason codes, line %d: write code | label | allow, decline or any, and optionally | markid, vcip or any.", i+1)
		}
		rc := ReasonCode{Code: strings.TrimSpace(parts[0]), Label: strings.TrimSpace(parts[1]),
			Outcome: strings.ToLower(strings.TrimSpace(parts[2]))}
		if rc.Outcome == "any" {
			rc.Outcome = ""
		}
		if len(parts) == 4 {
			for _, s := range strings.Split(parts[3], ",") {
				if s = strings.ToLower(strings.TrimSpace(s)); s != "" && s != "any" {
					rc.Sources = append(rc.Sources, Source(s))
				}
			}
		}
		out = append(out, rc)
	}
	return out, nil
}

// FormatReasonCodes writes reasons in the form ParseReasonCodes reads.
func FormatReasonCodes(rc []ReasonCode) string {
	var b strings.Builder
	for _, r := range rc {
		o := r.Outcome
		if o == "" {
			o = "any"
		}
		fmt.Fprintf(&b, "%s | %s | %s", r.Code, r.Label, o)
		if len(r.Sources) > 0 {
			names := make([]string, len(r.Sources))
			for i, s := range r.Sources {
				names[i] = string(s)
			}
			fmt.Fprintf(&b, " | %s", strings.Join(names, ","))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Keys of the settings table.
const (
	setSLA      = "sla_minutes"
	setClaimTTL = "claim_minutes"
	setFourVCIP = "four_eyes_vcip"
	setFourMark = "four_eyes_markid"
	setReasons  = "reason_codes"
	setGrants   = "role_grant_approval"
	setEvVCIP   = "evidence_vcip"
	setEvMark   = "evidence_markid"
	setMask     = "mask_identifiers_for"
	setReveal   = "reveal_roles"
	setRetain   = "retention"
)

func (r Rules) settings() map[string]string {
	return map[string]string{
		setSLA:      strconv.Itoa(int(r.SLA.Minutes())),
		setClaimTTL: strconv.Itoa(int(r.ClaimTTL.Minutes())),
		setFourVCIP: strconv.FormatBool(r.FourEyes[SourceVCIP]),
		setFourMark: strconv.FormatBool(r.FourEyes[SourceMarkID]),
		setReasons:  strings.TrimSpace(FormatReasonCodes(r.ReasonCodes)),
		setGrants:   strconv.FormatBool(r.GrantApproval),
		setEvVCIP:   strings.Join(r.Evidence[SourceVCIP], ","),
		setEvMark:   strings.Join(r.Evidence[SourceMarkID], ","),
		setMask:     maskRolesSetting(r.MaskIdentifiersFor),
		setReveal:   maskRolesSetting(r.RevealRoles),
		setRetain:   strings.TrimSpace(FormatRetention(r.Retention)),
	}
}

// overlay returns base with the saved settings laid over it. A saved value that no longer parses
// or is out of range keeps base's, so a bad row can never stop the desk.
func (base Rules) overlay(saved map[string]string) Rules {
	r := base
	r.FourEyes = maps.Clone(base.FourEyes)
	if r.FourEyes == nil {
		r.FourEyes = map[Source]bool{}
	}
	if v, err := strconv.Atoi(saved[setSLA]); err == nil && v > 0 && time.Duration(v)*time.Minute <= MaxSLA {
		r.SLA = time.Duration(v) * time.Minute
	}
	if v, err := strconv.Atoi(saved[setClaimTTL]); err == nil && v > 0 && time.Duration(v)*time.Minute <= MaxClaimTTL {
		r.ClaimTTL = time.Duration(v) * time.Minute
	}
	if v, err := strconv.ParseBool(saved[setFourVCIP]); err == nil {
		r.FourEyes[SourceVCIP] = v
	}
	if v, err := strconv.ParseBool(saved[setFourMark]); err == nil {
		r.FourEyes[SourceMarkID] = v
	}
	if v, err := strconv.ParseBool(saved[setGrants]); err == nil {
		r.GrantApproval = v
	}
	if rc, err := ParseReasonCodes(saved[setReasons]); err == nil && validateReasons(rc) == "" {
		r.ReasonCodes = rc
	}
	r.Evidence = maps.Clone(base.Evidence)
	if r.Evidence == nil {
		r.Evidence = map[Source][]string{}
	}
	for src, key := range map[Source]string{SourceVCIP: setEvVCIP, SourceMarkID: setEvMark} {
		if v, ok := saved[key]; ok {
			if kinds, err := ParseEvidence(v); err == nil {
				r.Evidence[src] = kinds
			}
		}
	}
	if v, ok := saved[setRetain]; ok {
		if ps, err := ParseRetention(v); err == nil && validateRetention(ps) == "" {
			r.Retention = ps
		}
	}
	if v, ok := saved[setMask]; ok {
		r.MaskIdentifiersFor = parseMaskRoles(v)
	}
	if v, ok := saved[setReveal]; ok {
		r.RevealRoles = parseMaskRoles(v)
	}
	return r
}

// rulesCache holds the rules in force and the defaults the saved settings lie over.
type rulesCache struct {
	base    atomic.Pointer[Rules]
	current atomic.Pointer[Rules]
}

// LoadRules sets the defaults (from flags) and reads the saved settings over them. Until it is
// called the store uses DefaultRules.
func (db *DB) LoadRules(ctx context.Context, base Rules) (Rules, error) {
	if err := base.Validate(); err != nil {
		return Rules{}, fmt.Errorf("store: default rules: %w", err)
	}
	saved, err := db.Settings(ctx)
	if err != nil {
		return Rules{}, err
	}
	r := base.overlay(saved)
	db.rules.base.Store(&base)
	db.rules.current.Store(&r)
	return r, nil
}

// Rules returns the review rules in force now.
func (db *DB) Rules() Rules {
	if r := db.rules.current.Load(); r != nil {
		return *r
	}
	return DefaultRules()
}

// SaveRules validates r and saves it with one "settings.change" audit entry naming each changed
// key before and after, in one transaction; the rules then apply at once. It reports whether
// anything changed. Out-of-range values are refused with field errors and nothing is saved.
func (db *DB) SaveRules(ctx context.Context, actor Actor, r Rules) (bool, error) {
	if err := r.Validate(); err != nil {
		return false, err
	}
	changed, err := db.saveSettings(ctx, actor, r.settings())
	if err != nil {
		return false, err
	}
	base := DefaultRules()
	if b := db.rules.base.Load(); b != nil {
		base = *b
	}
	saved, err := db.Settings(ctx)
	if err != nil {
		return changed, err
	}
	now := base.overlay(saved)
	db.rules.current.Store(&now)
	return changed, nil
}

// MayReveal reports whether someone holding roles has reveal rights (RevealRoles).
func (r Rules) MayReveal(roles []string) bool {
	for _, role := range roles {
		if slices.Contains(r.RevealRoles, role) {
			return true
		}
	}
	return false
}

// maskRolesSetting stores the masked roles; "none" keeps an empty list apart from an unsaved one.
func maskRolesSetting(roles []string) string {
	if len(roles) == 0 {
		return "none"
	}
	return strings.Join(roles, ",")
}

// parseMaskRoles reads the masked roles back, keeping only roles that exist.
func parseMaskRoles(v string) []string {
	out := []string{}
	for _, role := range strings.Split(v, ",") {
		if role = strings.TrimSpace(role); slices.Contains(AllRoles, role) {
			out = append(out, role)
		}
	}
	return out
}
