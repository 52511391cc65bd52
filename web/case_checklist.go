package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

// checklistAnswer is what the checklist's save answers: the saved row's state, or the sentence
// why it was not saved.
type checklistAnswer struct {
	OK       bool              `json:"ok"`
	Error    string            `json:"error,omitempty"`
	Fields   map[string]string `json:"fields,omitempty"`
	Progress string            `json:"progress,omitempty"`
}

// handleChecklist saves one checklist row (key, bookmark_ms, disposition, note) as the reviewer
// leaves it; static/js/checklist.js calls it with the CSRF token in the X-CSRF-Token header.
// The store decides whether this person may (the holder of a live claim) and what is valid.
func (a *App) handleChecklist(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	d := store.ChecklistDraft{Key: c.FormValue("key"), Disposition: c.FormValue("disposition"), Note: c.FormValue("note")}
	if v := strings.TrimSpace(c.FormValue("bookmark_ms")); v != "" {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return c.JSON(http.StatusUnprocessableEntity, checklistAnswer{Error: "A bookmark must be a time within the recording.",
				Fields: map[string]string{"bookmark_ms": "A bookmark must be a time within the recording."}})
		}
		d.BookmarkMS = &ms
	}
	entries, err := a.db.SaveChecklist(c.Request().Context(), actor(c), id, d)
	if fields, ok := fieldErrors(err, ""); ok {
		msg := ""
		for _, f := range []string{"checklist", "disposition", "note", "bookmark_ms"} {
			if fields[f] != "" {
				msg = fields[f]
				break
			}
		}
		return c.JSON(http.StatusUnprocessableEntity, checklistAnswer{Error: msg, Fields: fields})
	}
	if e, ok := store.AsError(err); ok {
		return c.JSON(statusOf(e.Kind), checklistAnswer{Error: e.Message})
	}
	if err != nil {
		return err
	}
	cl := views.ChecklistView{IsVCIP: len(entries) > 0 && entries[0].Kind == store.ItemInstruction}
	for _, e := range entries {
		r := views.ChecklistRow{Disposition: e.Disposition}
		if e.BookmarkMS != nil {
			r.BookmarkMS = "set"
		}
		cl.Rows = append(cl.Rows, r)
	}
	return c.JSON(http.StatusOK, checklistAnswer{OK: true, Progress: views.ChecklistProgress(cl)})
}

// checklistShortcuts are the checklist's keys for the help overlay, when the page has a checklist
// the viewer works.
func checklistShortcuts(v views.CaseView) []views.Shortcut {
	if v.Checklist == nil || !v.Checklist.Editable || !v.IsVCIP {
		return nil
	}
	return []views.Shortcut{{Key: "space", Action: "Play or pause the recording"},
		{Key: "← →", Action: "Back or forward 5 seconds"},
		{Key: "b", Action: "Bookmark the current instruction at the recording's time"},
		{Key: "[ ]", Action: "Previous or next instruction"}}
}
