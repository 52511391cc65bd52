// Command kycdesk is KYC Desk: it receives identity-verification callbacks and serves the review desk.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

const usage = `KYC Desk — review desk for identity-verification callbacks.

Usage:
  kycdesk serve   [flags]                 run the server
  kycdesk demo    --data DIR              load demo cases into an empty data dir
  kycdesk user    add|passwd|disable|enable|list [flags]
  kycdesk endpoint add|list|disable|enable|rotate [flags]   webhook endpoints for decisions
  kycdesk token   add|list|revoke [flags]  read-API tokens
  kycdesk replay  --data DIR              re-process quarantined callbacks
  kycdesk export  cases|callbacks|audit|decisions --data DIR --format csv|jsonl [--from DATE --to DATE]
  kycdesk key     new --out FILE          a new data key file (0600) for --data-key-file
  kycdesk key     rotate --data DIR --data-key-file FILE   re-encrypt everything under the file's first key
  kycdesk retention report --data DIR --from DATE --to DATE   tombstones of what was purged, CSV
  kycdesk retention run --data DIR         one pass of the retention job (serve runs it hourly)
  kycdesk evidence verify PACK.zip        check a case's evidence pack without a database
  kycdesk audit   verify --data DIR       check the audit log's hash chain
  kycdesk backup  --data DIR --to DEST    consistent backup (database + media) while the server runs
  kycdesk backup  verify --from DEST      re-check every file of a backup and its audit chain
  kycdesk restore --from DEST --data NEW  restore into a new, empty data directory
  kycdesk version

Every flag has an environment twin: --markid-secret is KYCDESK_MARKID_SECRET.
Run "kycdesk COMMAND -h" for a command's flags.
`

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kycdesk:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest)
	case "demo":
		return runDemo(ctx, rest)
	case "user":
		return runUser(ctx, rest)
	case "endpoint":
		return runEndpoint(ctx, rest)
	case "token":
		return runToken(ctx, rest)
	case "replay":
		return runReplay(ctx, rest)
	case "export":
		return runExport(ctx, rest)
	case "audit":
		return runAudit(ctx, rest)
	case "backup":
		return runBackup(ctx, rest)
	case "restore":
		return runRestore(ctx, rest)
	case "evidence":
		return runEvidence(os.Stdout, rest)
	case "retention":
		return runRetention(ctx, rest)
	case "key":
		return runKey(ctx, rest)
	case "version":
		fmt.Println("kycdesk", version)
		return nil
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
