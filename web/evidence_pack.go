package web

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/evidence"
)

// evidenceReaders may download a case's evidence pack.
var evidenceReaders = []string{store.RoleAuditor, store.RoleSupervisor}

// handleEvidencePack streams the case's evidence pack as a ZIP. The download is audited before the
// first byte (so the pack's own audit entries show it) and again after the last, with the
// manifest's SHA-256, so the server's log pins what was handed out.
func (a *App) handleEvidencePack(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := caseID(c)
	if err != nil {
		return err
	}
	rec, err := a.db.CaseByID(ctx, id)
	if err != nil {
		return err
	}
	me := actor(c)
	if err := a.db.Audit(ctx, store.AuditEntry{Actor: me.Name, ActorID: me.ID, Action: "evidence.export",
		TargetType: "case", TargetID: fmt.Sprint(id), CaseID: id, Details: map[string]any{"ref": rec.Ref}}); err != nil {
		return err
	}
	version := a.cfg.Version
	if version == "" {
		version = "dev"
	}
	name := fmt.Sprintf("kycdesk-evidence-case-%d.zip", id)
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/zip")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Response().WriteHeader(http.StatusOK)
	m, sum, err := evidence.Write(ctx, c.Response(), a.db, a.blobs, evidence.Options{CaseID: id, Exporter: me.Name, Mask: a.masker(c),
		Version: version, Now: a.cfg.Now()})
	if err != nil {
		// The status line is gone: the client gets a truncated ZIP, which no unzip accepts.
		a.log.Warn("evidence pack cut short", "user", me.Name, "case", id, "err", err)
		return nil
	}
	if err := a.db.Audit(ctx, store.AuditEntry{Actor: me.Name, ActorID: me.ID, Action: "evidence.exported",
		TargetType: "case", TargetID: fmt.Sprint(id), CaseID: id, Details: map[string]any{
			"manifest_sha256": sum, "files": len(m.Files), "chain_head_id": m.AuditHead.ID}}); err != nil {
		a.log.Error("evidence pack: audit after download", "case", id, "err", err)
	}
	return nil
}
