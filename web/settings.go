package web

import (
	"maps"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

// baseRules are the review rules the flags give; settings saved by an admin lie over them.
func (c Config) baseRules() store.Rules {
	r := store.DefaultRules()
	r.SLA, r.ClaimTTL = c.SLA, c.ClaimTTL
	r.FourEyes = map[store.Source]bool{store.SourceVCIP: c.FourEyesVCIP, store.SourceMarkID: c.FourEyesMarkID}
	if len(c.ReasonCodes) > 0 {
		r.ReasonCodes = c.ReasonCodes
	}
	if c.MediaRetentionDays > 0 {
		// --retention-days sets the media period of every default policy; Settings can change them.
		for i := range r.Retention {
			r.Retention[i].MediaDays = c.MediaRetentionDays
		}
	}
	return r
}

// rules are the review rules in force now; the store holds them.
func (a *App) rules() store.Rules { return a.db.Rules() }

func settingsForm(r store.Rules) views.SettingsForm {
	return views.SettingsForm{
		SLAHours:       strconv.FormatFloat(r.SLA.Hours(), 'f', -1, 64),
		ClaimMinutes:   strconv.Itoa(int(r.ClaimTTL.Minutes())),
		FourEyesVCIP:   r.NeedsFourEyes(store.SourceVCIP),
		FourEyesMarkID: r.NeedsFourEyes(store.SourceMarkID),
		ReasonCodes:    store.FormatReasonCodes(r.ReasonCodes),
		GrantApproval:  r.GrantApproval,
		EvidenceVCIP:   strings.Join(r.RequiredEvidence(store.SourceVCIP), ", "),
		EvidenceMarkID: strings.Join(r.RequiredEvidence(store.SourceMarkID), ", "),
		MaskRoles:      r.MaskIdentifiersFor,
		RevealRoles:    r.RevealRoles,
		Retention:      store.FormatRetention(r.Retention),
	}
}

// handleSettings shows the review rules in force.
func (a *App) handleSettings(c echo.Context) error {
	f := settingsForm(a.rules())
	gaps, err := a.db.FourEyesGaps(c.Request().Context())
	if err != nil {
		return err
	}
	f.FourEyesGaps = gaps
	if on, why, err := a.db.GrantApprovalInForce(c.Request().Context()); err != nil {
		return err
	} else if !on && f.GrantApproval {
		f.GrantRule = why
	}
	return a.render(c, http.StatusOK, views.Settings(a.page(c, "Settings", "settings"), f))
}

// handleSettingsSave parses the form into rules; the store validates and saves them, and the
// change and its audit entry commit together.
func (a *App) handleSettingsSave(c echo.Context) error {
	f := views.SettingsForm{
		SLAHours:       strings.TrimSpace(c.FormValue("sla_hours")),
		ClaimMinutes:   strings.TrimSpace(c.FormValue("claim_minutes")),
		FourEyesVCIP:   c.FormValue("four_eyes_vcip") == "1",
		FourEyesMarkID: c.FormValue("four_eyes_markid") == "1",
		ReasonCodes:    c.FormValue("reason_codes"),
		GrantApproval:  c.FormValue("role_grant_approval") == "1",
		EvidenceVCIP:   strings.TrimSpace(c.FormValue("evidence_vcip")),
		EvidenceMarkID: strings.TrimSpace(c.FormValue("evidence_markid")),
	}
	r := a.rules()
	r.GrantApproval = f.GrantApproval
	r.SLA, r.ClaimTTL = -1, -1 // unreadable numbers stay out of range, and Validate names them
	if h, err := strconv.ParseFloat(f.SLAHours, 64); err == nil {
		r.SLA = store.DurationFromHours(h)
	}
	if m, err := strconv.Atoi(f.ClaimMinutes); err == nil {
		r.ClaimTTL = store.DurationFromMinutes(m)
	}
	r.FourEyes = map[store.Source]bool{store.SourceVCIP: f.FourEyesVCIP, store.SourceMarkID: f.FourEyesMarkID}
	evErrs := map[string]string{}
	r.Evidence = maps.Clone(r.Evidence)
	if r.Evidence == nil {
		r.Evidence = map[store.Source][]string{}
	}
	form, _ := c.FormParams()
	for src, text := range map[store.Source]string{store.SourceVCIP: f.EvidenceVCIP, store.SourceMarkID: f.EvidenceMarkID} {
		if _, sent := form["evidence_"+string(src)]; !sent {
			continue // a form without the field (an older page, a script) leaves the rule as it is
		}
		kinds, err := store.ParseEvidence(text)
		if err != nil {
			evErrs["evidence_"+string(src)] = err.Error()
		}
		r.Evidence[src] = kinds
	}
	if c.FormValue("mask_roles_form") == "1" {
		f.MaskRoles = append([]string{}, c.Request().Form["mask_roles"]...)
		r.MaskIdentifiersFor = f.MaskRoles
	} else {
		f.MaskRoles = r.MaskIdentifiersFor
	}
	if c.FormValue("reveal_roles_form") == "1" {
		f.RevealRoles = append([]string{}, c.Request().Form["reveal_roles"]...)
		r.RevealRoles = f.RevealRoles
	} else {
		f.RevealRoles = r.RevealRoles
	}
	f.Retention = c.FormValue("retention")
	if c.FormValue("retention") == "" && !c.Request().Form.Has("retention") {
		f.Retention = store.FormatRetention(r.Retention) // a form from before retention was on the page
	}
	ps, rerr := store.ParseRetention(f.Retention)
	if rerr == nil {
		r.Retention = ps
	}
	rc, err := store.ParseReasonCodes(f.ReasonCodes)
	if err == nil && rerr == nil && len(evErrs) == 0 {
		r.ReasonCodes = rc
		_, err = a.db.SaveRules(c.Request().Context(), actor(c), r)
	} else {
		// Something could not be read; say what else is wrong too, in one go.
		fields := map[string]string{}
		if fe, ok := fieldErrors(r.Validate(), ""); ok {
			maps.Copy(fields, fe)
		}
		if err != nil {
			fields["reason_codes"] = err.Error()
		}
		if e, ok := store.AsError(rerr); ok {
			fields["retention"] = e.Message
		}
		maps.Copy(fields, evErrs)
		err = store.FieldErrors(fields)
	}
	if err != nil {
		fields, ok := fieldErrors(err, "reason_codes")
		if !ok {
			return err
		}
		maps.Copy(fields, evErrs)
		f.Errors = fields
		p := a.page(c, "Settings", "settings")
		p.Error = "Check the highlighted fields; nothing was saved."
		return a.render(c, http.StatusUnprocessableEntity, views.Settings(p, f))
	}
	return c.Redirect(http.StatusSeeOther, "/admin/settings?flash=settings")
}
