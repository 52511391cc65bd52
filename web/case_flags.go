package web

import (
	"time"

	"github.com/labstack/echo/v4"
)

// holdComesBackAt is the hour of the chosen day, in the reviewer's zone, when a held case comes back.
const holdComesBackAt = 9

// handleHold puts the case on hold until the morning of the day chosen, in the reviewer's zone.
func (a *App) handleHold(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	var until time.Time
	if day := c.FormValue("hold_until"); day != "" {
		loc, _ := zoneNamed(c.FormValue("tz"))
		if d, perr := time.ParseInLocation(time.DateOnly, day, loc); perr == nil {
			until = d.Add(holdComesBackAt * time.Hour)
		}
	}
	reason := c.FormValue("flag_reason")
	err = a.db.Hold(c.Request().Context(), actor(c), id, until, reason)
	return a.afterAction(c, id, err, caseURL(id, "held"), caseRender{flagForm: "hold", flagReason: reason})
}

// handleResume ends the case's hold now.
func (a *App) handleResume(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	err = a.db.Resume(c.Request().Context(), actor(c), id)
	return a.afterAction(c, id, err, caseURL(id, "resumed"), caseRender{})
}

// handleEscalate sends the case to the supervisors with a reason.
func (a *App) handleEscalate(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	reason := c.FormValue("flag_reason")
	err = a.db.Escalate(c.Request().Context(), actor(c), id, reason)
	return a.afterAction(c, id, err, "/cases?flash=escalated", caseRender{flagForm: "escalate", flagReason: reason})
}

// handleSendBack returns an escalated case to the reviewers (supervisors).
func (a *App) handleSendBack(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	reason := c.FormValue("flag_reason")
	err = a.db.SendBack(c.Request().Context(), actor(c), id, reason)
	return a.afterAction(c, id, err, caseURL(id, "sent-back"), caseRender{flagForm: "send-back", flagReason: reason})
}
