package web

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
)

// handleRedaction adds the boxes a reviewer or supervisor drew over a picture (static/js/redact.js;
// the form field boxes, a JSON list of fractions, and the CSRF token in the X-CSRF-Token header).
// The boxes join those drawn before; the desk paints all of them over the original, archives the
// derivative by its SHA-256 (sealed like every file when a data key is set) and records it with
// its audit entry. The original stays in the archive, untouched.
func (a *App) handleRedaction(c echo.Context) error {
	id, err := mediaID(c)
	if err != nil {
		return err
	}
	refuse := func(status int, msg string) error {
		return c.JSON(status, map[string]any{"ok": false, "error": msg})
	}
	boxes, err := store.ParseRedactionBoxes(c.FormValue("boxes"))
	if fields, ok := fieldErrors(err, "boxes"); ok {
		return refuse(http.StatusUnprocessableEntity, fields["boxes"])
	}
	ctx := c.Request().Context()
	m, err := a.db.MediaByID(ctx, id)
	if err != nil {
		return err
	}
	if m.State != store.MediaStateArchived || m.IsVideo() || !store.RedactableType(m.ContentType) {
		return refuse(http.StatusUnprocessableEntity, "Boxes can be drawn on archived pictures only (JPEG, PNG or GIF).")
	}
	prev, err := a.db.MediaRedaction(ctx, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	all := append(append([]store.RedactionBox{}, prev.Boxes...), boxes...)
	if len(all) > store.MaxRedactionBoxes {
		return refuse(http.StatusUnprocessableEntity, "An image can carry at most "+strconv.Itoa(store.MaxRedactionBoxes)+" boxes.")
	}
	f, err := a.blobs.Open(m.SHA256)
	if err != nil {
		return err
	}
	data, ct, err := store.RedactImage(f, all)
	f.Close()
	if e, ok := store.AsError(err); ok {
		return refuse(statusOf(e.Kind), e.Message)
	}
	if err != nil {
		return err
	}
	sha, size, err := a.blobs.Put(bytes.NewReader(data), 0)
	if err != nil {
		return err
	}
	r, err := a.db.SaveRedaction(ctx, actor(c), id, all, sha, size, ct)
	if e, ok := store.AsError(err); ok {
		return refuse(statusOf(e.Kind), e.Message)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"ok": true, "boxes": len(r.Boxes), "sha256": r.SHA256,
		"url": "/media/" + strconv.FormatInt(id, 10) + "?v=" + r.SHA256[:12]})
}
