package web

import (
	"bytes"
	"errors"
	"image"
	_ "image/jpeg" // captured frames may come as JPEG
	_ "image/png"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
)

// maxCaptureSide is the largest width or height a captured frame may have.
const maxCaptureSide = 8192

// handleCapture saves a frame of the recording that the reviewer captured as evidence
// (static/js/frame.js): the PNG or JPEG body goes into the media archive by its SHA-256, and the
// store records it as the case's media and audits it. frame_ms says where in the recording it is.
func (a *App) handleCapture(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	refuse := func(status int, msg string) error {
		return c.JSON(status, map[string]any{"ok": false, "error": msg})
	}
	frameMS, err := strconv.ParseInt(c.QueryParam("frame_ms"), 10, 64)
	if err != nil {
		return refuse(http.StatusUnprocessableEntity, "Say where in the recording the frame was taken.")
	}
	b, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, store.MaxCaptureBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return refuse(http.StatusRequestEntityTooLarge, "The frame is larger than a captured frame can be.")
	}
	if err != nil {
		return err
	}
	ct := http.DetectContentType(b)
	if ct != "image/png" && ct != "image/jpeg" {
		return refuse(http.StatusUnsupportedMediaType, "A captured frame must be a PNG or JPEG picture.")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width < 1 || cfg.Height < 1 || cfg.Width > maxCaptureSide || cfg.Height > maxCaptureSide {
		return refuse(http.StatusUnprocessableEntity, "The captured frame is not a picture KYC Desk can read.")
	}
	// A case that does not exist gets nothing written to the archive.
	if _, err := a.db.CaseByID(c.Request().Context(), id); err != nil {
		return err
	}
	sha, size, err := a.blobs.Put(bytes.NewReader(b), store.MaxCaptureBytes)
	if err != nil {
		return err
	}
	m, err := a.db.SaveCapture(c.Request().Context(), actor(c), id, sha, size, ct, frameMS)
	if fields, ok := fieldErrors(err, ""); ok {
		return refuse(http.StatusUnprocessableEntity, fields["frame_ms"])
	}
	if e, ok := store.AsError(err); ok {
		return refuse(statusOf(e.Kind), e.Message)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"ok": true, "mediaId": m.ID, "sha256": sha, "url": "/media/" + strconv.FormatInt(m.ID, 10)})
}
