package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web"
)

// exportDecisions writes the decision register to stdout, audited like the web download.
func exportDecisions(ctx context.Context, db *store.DB, format, from, to, source, outcome, reviewer string) error {
	filter, errs := web.RegisterFilterFrom(from, to, source, outcome, reviewer)
	if len(errs) > 0 {
		var msgs []string
		for _, k := range []string{"from", "to", "source", "outcome", "reviewer"} {
			if m := errs[k]; m != "" {
				msgs = append(msgs, "--"+k+": "+m)
			}
		}
		return fmt.Errorf("export decisions: %s", strings.Join(msgs, " "))
	}
	if err := db.Audit(ctx, store.AuditEntry{Actor: cliActor().Name, Action: "export.decisions", TargetType: "export",
		TargetID: "decisions." + format, Details: map[string]any{"from": from, "to": to, "source": source,
			"outcome": outcome, "reviewer": reviewer, "via": "cli"}}); err != nil {
		return err
	}
	return web.ExportDecisions(ctx, db, os.Stdout, format, filter)
}
