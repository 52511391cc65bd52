package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web"
)

// runRetention is `kycdesk retention report|run`: the proof of purge as CSV, or one pass of the
// retention job (what `serve` does hourly).
func runRetention(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "report" && args[0] != "run") {
		return fmt.Errorf("retention: usage: kycdesk retention report --data DIR --from DATE --to DATE, or kycdesk retention run --data DIR")
	}
	what, rest := args[0], args[1:]
	f := newFlags("retention " + what)
	var data, from, to string
	f.dataFlag(&data)
	f.StringVar(&from, "from", "", "report: first day purged (YYYY-MM-DD, UTC), inclusive")
	f.StringVar(&to, "to", "", "report: last day purged (YYYY-MM-DD, UTC), inclusive")
	db, err := f.parseAndOpen(ctx, rest, &data)
	if err != nil {
		return err
	}
	defer db.Close()
	if what == "run" {
		blobs := &store.Blobs{Dir: filepath.Join(data, "media"), Keys: db.DataKeys()}
		run, err := db.ApplyRetention(ctx, blobs.Remove)
		fmt.Printf("media purged for %d cases, personal fields pseudonymised for %d, %d tombstones, %d files deleted\n",
			run.MediaCases, run.Pseudonymised, run.Tombstones, len(run.Removed))
		return err
	}
	filter, err := web.AuditRange(from, to, time.UTC)
	if err != nil {
		return err
	}
	if err := db.Audit(ctx, store.AuditEntry{Actor: cliActor().Name, Action: "export.retention", TargetType: "export",
		TargetID: "retention.csv", Details: map[string]any{"from": from, "to": to, "via": "cli"}}); err != nil {
		return err
	}
	return web.ExportRetention(ctx, db, os.Stdout, filter.From, filter.To)
}
