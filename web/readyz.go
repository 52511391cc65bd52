package web

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
)

// statfsFree is the space available to unprivileged writers on the file system holding path.
func statfsFree(path string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, err
	}
	return st.Bavail * uint64(st.Bsize), nil
}

// freeDisk is the smaller of the free space under the data dir and under the media archive
// (they may be different mounts).
func (a *App) freeDisk() (uint64, error) {
	free, err := a.cfg.Ops.FreeDisk(a.dataDir())
	if err != nil {
		return 0, err
	}
	if m, err := a.cfg.Ops.FreeDisk(a.blobs.Dir); err == nil && m < free {
		free = m
	}
	return free, nil
}

// dataDir is the directory to measure: the data dir, or "." when it is unset (tests).
func (a *App) dataDir() string {
	if a.cfg.DataDir == "" {
		return "."
	}
	return a.cfg.DataDir
}

// diskLow reports whether free disk is under --min-free-disk. An unreadable figure is not low:
// the writes themselves then say whether the disk works.
func (a *App) diskLow() (bool, uint64) {
	if a.cfg.Ops.MinFreeDisk <= 0 {
		return false, 0
	}
	free, err := a.freeDisk()
	if err != nil {
		return false, 0
	}
	return free < uint64(a.cfg.Ops.MinFreeDisk), free
}

// readiness runs the checks behind /readyz and returns the reasons it is not ready, if any.
func (a *App) readiness(ctx context.Context) []string {
	var reasons []string
	if err := a.db.CheckWritable(ctx); err != nil {
		reasons = append(reasons, "database: not writable: "+err.Error())
	}
	pending, unknown, err := a.db.Migrations(ctx)
	switch {
	case err != nil:
		reasons = append(reasons, "database: cannot read migrations: "+err.Error())
	case len(pending) > 0:
		reasons = append(reasons, "database: migrations not applied: "+strings.Join(pending, ", "))
	case len(unknown) > 0:
		reasons = append(reasons, "database: migrated by a newer KYC Desk ("+strings.Join(unknown, ", ")+"); run that version")
	}
	if err := a.blobs.CheckWritable(); err != nil {
		reasons = append(reasons, "media: "+filepath.Clean(a.blobs.Dir)+" not writable: "+err.Error())
	}
	if low, free := a.diskLow(); low {
		reasons = append(reasons, fmt.Sprintf("disk: %s free, below --min-free-disk %s; webhooks answer 503 until space is freed",
			byteSize(int64(free)), byteSize(a.cfg.Ops.MinFreeDisk)))
	}
	return reasons
}

// handleReadyz is readiness: 200 when the server can take callbacks and decisions, else 503
// with one line per reason. /healthz stays liveness (the process answers and the database reads).
func (a *App) handleReadyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 5*time.Second)
	defer cancel()
	reasons := a.readiness(ctx)
	if len(reasons) > 0 {
		return c.String(http.StatusServiceUnavailable, "not ready\n"+strings.Join(reasons, "\n")+"\n")
	}
	return c.String(http.StatusOK, "ready\n")
}

// byteSize formats n in binary units for people.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
