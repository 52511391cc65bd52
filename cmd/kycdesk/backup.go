package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

func runBackup(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "verify" {
		return runBackupVerify(ctx, args[1:])
	}
	f := newFlags("backup")
	var data, to string
	f.dataFlag(&data)
	f.str(&to, "to", "", "backup directory; media files already in it are not copied again")
	db, err := f.parseAndOpen(ctx, args, &data)
	if err != nil {
		return err
	}
	defer db.Close()
	if to == "" {
		return fmt.Errorf("backup: --to DIR is required")
	}
	start := time.Now()
	bar := newProgressLine(os.Stderr)
	res, err := db.Backup(ctx, &store.Blobs{Dir: filepath.Join(data, "media"), Keys: db.DataKeys()}, to, version, bar.update)
	bar.done()
	if err != nil {
		return err
	}
	m := res.Manifest
	snapshots, media := m.Database, len(m.Files)-1
	if m.Inbox != "" {
		snapshots, media = snapshots+" and inbox snapshot "+m.Inbox, media-1
	}
	fmt.Printf("backup written to %s in %s: database snapshot %s, %d media files (%d copied, %s; %d removed as no longer archived)\n",
		to, time.Since(start).Round(time.Millisecond), snapshots, media, res.CopiedFiles, sizeText(res.CopiedBytes), res.Pruned)
	fmt.Printf("audit head: %s (%d entries)\n", m.AuditHead, m.AuditEntries)
	return nil
}

func runBackupVerify(ctx context.Context, args []string) error {
	f := newFlags("backup verify")
	var from string
	f.str(&from, "from", "", "backup directory to check")
	if err := f.Parse(args); err != nil {
		return err
	}
	if from == "" {
		return fmt.Errorf("backup verify: --from DIR is required")
	}
	bar := newProgressLine(os.Stderr)
	res, err := store.VerifyBackup(ctx, from, bar.update)
	bar.done()
	if err != nil {
		return err
	}
	return report("backup", from, res)
}

func runRestore(ctx context.Context, args []string) error {
	f := newFlags("restore")
	var from, data string
	f.str(&from, "from", "", "backup directory written by kycdesk backup")
	f.StringVar(&data, "data", "", "new, empty data directory to restore into")
	if err := f.Parse(args); err != nil {
		return err
	}
	if from == "" || data == "" {
		return fmt.Errorf("restore: --from DIR and --data NEWDIR are required")
	}
	bar := newProgressLine(os.Stderr)
	res, err := store.Restore(ctx, from, data, bar.update)
	bar.done()
	if err != nil {
		return err
	}
	if err := report("restore", from, res); err != nil {
		return fmt.Errorf("%w; nothing was left in %s", err, data)
	}
	fmt.Printf("restored into %s; start it with: kycdesk serve --data %s\n", data, data)
	return nil
}

// report prints a verify or restore result; any problem makes it an error (non-zero exit).
func report(what, dir string, res store.VerifyResult) error {
	for _, p := range res.Problems {
		fmt.Fprintln(os.Stderr, "MISMATCH:", p)
	}
	if !res.OK() {
		return fmt.Errorf("%s %s: %d problem(s) found (listed above)", what, dir, len(res.Problems))
	}
	m := res.Manifest
	fmt.Printf("%s %s intact: %d files match manifest.json (taken %s by %s); audit chain intact: %d entries, head %s\n",
		what, dir, len(m.Files), m.CreatedAt.Format(time.RFC3339), m.Version, res.AuditEntries, m.AuditHead)
	return nil
}

// progressLine redraws one line with files, bytes and a rate, at most ten times a second, and
// only on a terminal: under cron or systemd it stays silent.
type progressLine struct {
	w     io.Writer
	on    bool
	start time.Time
	last  time.Time
	drew  bool
}

func newProgressLine(f *os.File) *progressLine {
	return &progressLine{w: f, on: isTerminal(f), start: time.Now()}
}

func (p *progressLine) update(pr store.Progress) {
	if !p.on {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < 100*time.Millisecond && pr.Files != pr.TotalFiles {
		return
	}
	p.last = now
	if pr.TotalFiles == 0 && pr.Phase == "database" {
		fmt.Fprintf(p.w, "\r\033[Kdatabase: taking a consistent snapshot")
		p.drew = true
		return
	}
	rate := float64(pr.Bytes) / max(now.Sub(p.start).Seconds(), 0.001)
	fmt.Fprintf(p.w, "\r\033[K%s: %d/%d files, %s/%s, %s/s", pr.Phase, pr.Files, pr.TotalFiles,
		sizeText(pr.Bytes), sizeText(pr.TotalBytes), sizeText(int64(rate)))
	p.drew = true
}

func (p *progressLine) done() {
	if p.drew {
		fmt.Fprintln(p.w)
	}
}

// sizeText formats bytes in binary units.
func sizeText(n int64) string {
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
