package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web"
	"github.com/kycdesk/kycdesk/web/ingest"
)

func runReplay(ctx context.Context, args []string) error {
	f := newFlags("replay")
	var data string
	f.dataFlag(&data)
	db, err := f.parseAndOpen(ctx, args, &data)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := ingest.ReplayQuarantined(ctx, db, cliActor())
	if err != nil {
		return err
	}
	fmt.Printf("replayed: %d now stored, %d still quarantined\n", res.Stored, res.Quarantined)
	return nil
}

func runExport(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("export: say what to export: cases, callbacks, audit or decisions")
	}
	what, rest := args[0], args[1:]
	f := newFlags("export " + what)
	var data, format, from, to, actorName, action string
	f.dataFlag(&data)
	f.StringVar(&format, "format", "csv", "csv or jsonl")
	f.StringVar(&from, "from", "", "audit: first day (YYYY-MM-DD, UTC), inclusive")
	f.StringVar(&to, "to", "", "audit: last day (YYYY-MM-DD, UTC), inclusive")
	f.StringVar(&actorName, "actor", "", "audit: only this actor")
	f.StringVar(&action, "action", "", "audit: only this action (or a prefix ending in '.')")
	var source, outcome, reviewer string
	f.StringVar(&source, "source", "", "decisions: only this source (markid or vcip)")
	f.StringVar(&outcome, "outcome", "", "decisions: only this outcome (allow or decline)")
	f.StringVar(&reviewer, "reviewer", "", "decisions: only decisions made by this username")
	db, err := f.parseAndOpen(ctx, rest, &data)
	if err != nil {
		return err
	}
	defer db.Close()
	switch what {
	case "cases":
		return web.ExportCases(ctx, db, os.Stdout, format)
	case "callbacks":
		return web.ExportCallbacks(ctx, db, os.Stdout, format)
	case "audit":
		filter, err := web.AuditRange(from, to, time.UTC)
		if err != nil {
			return err
		}
		filter.Actor, filter.Action = actorName, action
		if err := db.Audit(ctx, store.AuditEntry{Actor: cliActor().Name, Action: "export.audit", TargetType: "export",
			TargetID: "audit." + format, Details: map[string]any{"from": from, "to": to, "actor": actorName, "action": action, "via": "cli"}}); err != nil {
			return err
		}
		return web.ExportAudit(ctx, db, os.Stdout, format, filter)
	case "decisions":
		return exportDecisions(ctx, db, format, from, to, source, outcome, reviewer)
	}
	return fmt.Errorf("export: unknown kind %q (cases, callbacks, audit or decisions)", what)
}

func runAudit(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return fmt.Errorf("audit: the only sub-command is verify")
	}
	f := newFlags("audit verify")
	var data, expect string
	f.dataFlag(&data)
	f.StringVar(&expect, "expect", "", "ID:HASH of a head printed by an earlier verify; fails if that entry was rewritten or removed")
	db, err := f.parseAndOpen(ctx, args[1:], &data)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	n, brk, err := db.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if brk != nil {
		return fmt.Errorf("audit chain BROKEN at entry %d: %s (%d entries before it verified)", brk.ID, brk.Reason, n)
	}
	// The chain proves the log; the bindings prove that the records it speaks of are still the ones
	// it recorded.
	problems, err := db.VerifyBindings(ctx)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "  "+p.String())
		}
		return fmt.Errorf("audit BROKEN: %d of the records the log binds no longer match it (listed above)", len(problems))
	}
	if signed, _, err := db.AuditSigned(ctx); err != nil {
		return err
	} else if signed > 0 && *f.auditKeyFile == "" {
		fmt.Fprintln(os.Stderr, "note: the log is signed; give --audit-key-file to check the signatures too")
	}
	// The chain proves order and content from the first entry on; a head recorded elsewhere also
	// proves that nothing was cut from the end or rewritten wholesale since then.
	if expect != "" {
		id, hash, ok := strings.Cut(expect, ":")
		n, perr := strconv.ParseInt(id, 10, 64)
		if !ok || perr != nil {
			return fmt.Errorf("--expect takes ID:HASH as printed by audit verify")
		}
		got, err := db.AuditHashAt(ctx, n)
		if err != nil {
			return fmt.Errorf("audit chain BROKEN: entry %d of the recorded head is missing", n)
		}
		if got != hash {
			return fmt.Errorf("audit chain BROKEN at entry %d: its hash differs from the recorded head (history was rewritten)", n)
		}
	}
	headID, headHash, err := db.AuditHead(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("audit chain intact: %d entries verified in %s\nhead: %d:%s (keep this outside the server; check later with --expect)\n",
		n, time.Since(start).Round(time.Millisecond), headID, headHash)
	return nil
}
