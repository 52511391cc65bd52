package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

// settings are the review rules an admin can change while the server runs. Flags give the
// defaults; values saved on the settings page override them.
type settings struct {
	SLA            time.Duration
	ClaimTTL       time.Duration
	FourEyesVCIP   bool
	FourEyesMarkID bool
	ReasonCodes    []ReasonCode
}

// Keys of the settings table.
const (
	setSLA       = "sla_minutes"
	setClaimTTL  = "claim_minutes"
	setFourVCIP  = "four_eyes_vcip"
	setFourMark  = "four_eyes_markid"
	setReasons   = "reason_codes"
	maxSLA       = 30 * 24 * time.Hour
	maxClaimTTL  = 24 * time.Hour
	maxReasonLen = 80
)

// rules are the settings in force now.
func (a *App) rules() settings {
	if s := a.current.Load(); s != nil {
		return *s
	}
	return a.defaultSettings()
}

func (a *App) defaultSettings() settings {
	reasons := a.cfg.ReasonCodes
	if len(reasons) == 0 {
		reasons = defaultReasonCodes
	}
	return settings{SLA: a.cfg.SLA, ClaimTTL: a.cfg.ClaimTTL, FourEyesVCIP: a.cfg.FourEyesVCIP,
		FourEyesMarkID: a.cfg.FourEyesMarkID, ReasonCodes: reasons}
}

// loadSettings reads the saved settings over the defaults. A value that no longer parses keeps
// the default, so a bad row can never stop the desk.
func (a *App) loadSettings(ctx context.Context) error {
	saved, err := a.db.Settings(ctx)
	if err != nil {
		return err
	}
	s := a.defaultSettings()
	if v, err := strconv.Atoi(saved[setSLA]); err == nil && v > 0 {
		s.SLA = time.Duration(v) * time.Minute
	}
	if v, err := strconv.Atoi(saved[setClaimTTL]); err == nil && v > 0 {
		s.ClaimTTL = time.Duration(v) * time.Minute
	}
	if v, err := strconv.ParseBool(saved[setFourVCIP]); err == nil {
		s.FourEyesVCIP = v
	}
	if v, err := strconv.ParseBool(saved[setFourMark]); err == nil {
		s.FourEyesMarkID = v
	}
	if rc, err := parseReasonCodes(saved[setReasons]); err == nil && len(rc) > 0 {
		s.ReasonCodes = rc
	}
	a.current.Store(&s)
	return nil
}

// parseReasonCodes reads one reason a line: "code | Label | allow|decline|any".
func parseReasonCodes(text string) ([]ReasonCode, error) {
	var out []ReasonCode
	seen := map[string]bool{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		parts := strings.Split(line, "|")
		if len(parts) != 3 {
			return nil, fmt.Errorf("line %d: write code | label | allow, decline or any", i+1)
		}
		code, label, outcome := strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1]), strings.ToLower(strings.TrimSpace(parts[2]))
		if !store.ValidUsername(code) || len(label) == 0 || len(label) > maxReasonLen {
			return nil, fmt.Errorf("line %d: a code is 2-64 letters, digits or . _ - and a label at most %d characters", i+1, maxReasonLen)
		}
		if seen[code] {
			return nil, fmt.Errorf("line %d: the code %q appears twice", i+1, code)
		}
		seen[code] = true
		switch outcome {
		case "any":
			outcome = ""
		case store.OutcomeAllow, store.OutcomeDecline:
		default:
			return nil, fmt.Errorf("line %d: the outcome is allow, decline or any, not %q", i+1, outcome)
		}
		out = append(out, ReasonCode{Code: code, Label: label, Outcome: outcome})
	}
	return out, nil
}

func formatReasonCodes(rc []ReasonCode) string {
	var b strings.Builder
	for _, r := range rc {
		o := r.Outcome
		if o == "" {
			o = "any"
		}
		fmt.Fprintf(&b, "%s | %s | %s\n", r.Code, r.Label, o)
	}
	return b.String()
}

func (a *App) settingsForm(s settings) views.SettingsForm {
	return views.SettingsForm{
		SLAHours:       strconv.FormatFloat(s.SLA.Hours(), 'f', -1, 64),
		ClaimMinutes:   strconv.Itoa(int(s.ClaimTTL.Minutes())),
		FourEyesVCIP:   s.FourEyesVCIP,
		FourEyesMarkID: s.FourEyesMarkID,
		ReasonCodes:    formatReasonCodes(s.ReasonCodes),
	}
}

// handleSettings shows the review rules in force.
func (a *App) handleSettings(c echo.Context) error {
	return a.render(c, http.StatusOK, views.Settings(a.page(c, "Settings", "settings"), a.settingsForm(a.rules())))
}

// handleSettingsSave validates and saves the rules; the change and its audit entry commit together.
func (a *App) handleSettingsSave(c echo.Context) error {
	f := views.SettingsForm{
		SLAHours:       strings.TrimSpace(c.FormValue("sla_hours")),
		ClaimMinutes:   strings.TrimSpace(c.FormValue("claim_minutes")),
		FourEyesVCIP:   c.FormValue("four_eyes_vcip") == "1",
		FourEyesMarkID: c.FormValue("four_eyes_markid") == "1",
		ReasonCodes:    c.FormValue("reason_codes"),
		Errors:         map[string]string{},
	}
	sla, err := strconv.ParseFloat(f.SLAHours, 64)
	if err != nil || sla <= 0 || time.Duration(sla*float64(time.Hour)) > maxSLA {
		f.Errors["sla_hours"] = "Give the waiting time in hours, more than 0 and at most 720."
	}
	claim, err := strconv.Atoi(f.ClaimMinutes)
	if err != nil || claim < 1 || time.Duration(claim)*time.Minute > maxClaimTTL {
		f.Errors["claim_minutes"] = "Give the claim timeout in whole minutes, from 1 to 1440."
	}
	rc, err := parseReasonCodes(f.ReasonCodes)
	switch {
	case err != nil:
		f.Errors["reason_codes"] = "Reason codes, " + err.Error() + "."
	case len(rc) == 0:
		f.Errors["reason_codes"] = "Keep at least one reason code."
	}
	if len(f.Errors) > 0 {
		p := a.page(c, "Settings", "settings")
		p.Error = "Check the highlighted fields; nothing was saved."
		return a.render(c, http.StatusUnprocessableEntity, views.Settings(p, f))
	}
	values := map[string]string{
		setSLA:      strconv.Itoa(int(time.Duration(sla * float64(time.Hour)).Minutes())),
		setClaimTTL: strconv.Itoa(claim),
		setFourVCIP: strconv.FormatBool(f.FourEyesVCIP),
		setFourMark: strconv.FormatBool(f.FourEyesMarkID),
		setReasons:  strings.TrimSpace(formatReasonCodes(rc)),
	}
	if _, err := a.db.SaveSettings(c.Request().Context(), actor(c), values); err != nil {
		return err
	}
	if err := a.loadSettings(c.Request().Context()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/settings?flash=settings")
}
