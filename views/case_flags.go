package views

import (
	"strings"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// FlagsPanel holds and escalates a case: the controls under the decision panel.
type FlagsPanel struct {
	CaseID                                       int64
	CSRF                                         string
	ShowHold, ShowResume, ShowEscalate, SendBack bool
	Hold                                         *store.CaseHold // in force and not yet due
	Escalation                                   *store.CaseEscalation
	// MinDate and MaxDate bound the hold's date to come back (yyyy-mm-dd, UTC).
	MinDate, MaxDate string
	// Open is the form that came back with a problem ("hold", "escalate", "send-back"), shown open
	// with what was typed (Reason) and its Errors (flag_reason, hold_until).
	Open   string
	Reason string
	Errors map[string]string
}

// errs are the problems of the form named, if it is the one that came back.
func (f FlagsPanel) errs(form string) map[string]string {
	if f.Open != form {
		return nil
	}
	return f.Errors
}

// reason is what was typed into the form named, if it is the one that came back.
func (f FlagsPanel) reason(form string) string {
	if f.Open != form {
		return ""
	}
	return f.Reason
}

// Any reports whether the panel has anything to show.
func (f FlagsPanel) Any() bool { return f.ShowHold || f.ShowResume || f.ShowEscalate || f.SendBack }

// buildFlags is the hold and escalate panel for who is looking, by the same rules the store checks.
func buildFlags(in CaseInput, acts store.CaseActions) FlagsPanel {
	rec, now := in.Record, in.Now
	f := FlagsPanel{CaseID: rec.ID, CSRF: in.CSRF, Escalation: rec.Escalation, Open: in.FlagForm, Reason: in.FlagReason, Errors: in.PanelErrors,
		ShowHold: acts.Hold.Allowed, ShowResume: acts.Resume.Allowed, ShowEscalate: acts.Escalate.Allowed, SendBack: acts.SendBack.Allowed,
		MinDate: now.UTC().AddDate(0, 0, 1).Format(time.DateOnly), MaxDate: now.UTC().Add(store.MaxHold).Format(time.DateOnly)}
	if rec.Hold != nil && !rec.Hold.Due(now) {
		f.Hold = rec.Hold
	}
	return f
}

// flagBanners say at the top of the page that the case is on hold or escalated, by whom and why.
func flagBanners(rec store.CaseRecord, now time.Time) []Banner {
	var out []Banner
	if h := rec.Hold; h != nil && rec.ReviewState == store.ReviewNeedsDecision {
		if h.Due(now) {
			out = append(out, Banner{Level: StatusAmber, Title: "Back from hold.",
				Text: h.ByName + " held it: " + sentence(h.Reason) + " Its date to come back was", At: h.Until, TestID: "banner-hold-due"})
		} else {
			out = append(out, Banner{Level: StatusGrey, Title: "On hold; the SLA clock is paused.",
				Text: h.ByName + ": " + sentence(h.Reason) + " Back in the queue on", At: h.Until, TestID: "banner-hold"})
		}
	}
	if e := rec.Escalation; e != nil && rec.ReviewState == store.ReviewNeedsDecision {
		out = append(out, Banner{Level: StatusRed, Title: "Escalated to the supervisors.",
			Text: e.ByName + ": " + sentence(e.Reason) + " Escalated on", At: e.Since, TestID: "banner-escalated"})
	}
	return out
}

// flagEvents are the holds, resumes, escalations and send-backs in the case's timeline.
func flagEvents(flags []store.CaseFlag) []TimelineEvent {
	var out []TimelineEvent
	for _, f := range flags {
		ev := TimelineEvent{At: f.At, Who: f.ByName, Kind: f.Kind, Note: f.Reason, TestID: "timeline-" + f.Kind}
		switch f.Kind {
		case store.FlagHold:
			ev.Badge, ev.Title, ev.Until = "ON HOLD", "put it on hold until", f.Until
		case store.FlagResume:
			ev.Badge, ev.Title = "RESUMED", "ended the hold"
		case store.FlagEscalate:
			ev.Badge, ev.Title = "ESCALATED", "escalated it to the supervisors"
		case store.FlagSendBack:
			ev.Badge, ev.Title = "SENT BACK", "sent it back to the reviewers"
		}
		out = append(out, ev)
	}
	return out
}

// sentence ends what someone typed with a full stop unless it already ends a sentence.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s[len(s)-1:], ".!?") {
		return s
	}
	return s + "."
}
