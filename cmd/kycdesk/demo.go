package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/demo"
)

// runDemo loads the demo cases and users into an empty data directory.
func runDemo(ctx context.Context, args []string) error {
	f := newFlags("demo")
	var data string
	var synthetic int
	f.dataFlag(&data)
	f.integer(&synthetic, "synthetic", 0, "load this many synthetic cases (no media files) instead of the ~40 demo cases")
	db, err := f.parseAndOpen(ctx, args, &data)
	if err != nil {
		return err
	}
	defer db.Close()
	blobs := &store.Blobs{Dir: filepath.Join(data, "media"), Keys: db.DataKeys()}
	if synthetic > 0 {
		// The load makes garbage fast (every body is rendered and decoded) and keeps little of it:
		// collecting less often saves about a tenth of its CPU, for a few hundred MB more.
		debug.SetGCPercent(400)
		if _, err := demo.LoadSyntheticDesk(ctx, db, blobs, synthetic, time.Now().UTC(), os.Stdout); err != nil {
			return err
		}
		fmt.Printf("\nStart the desk with: kycdesk serve --data %s   (sign in as rev1 with the password above)\n", data)
		return nil
	}
	sum, err := demo.Load(ctx, db, blobs, time.Now().UTC(), os.Stdout)
	if err != nil {
		return err
	}
	fmt.Printf("\n%d demo cases in %s:\n", sum.TotalCases(), data)
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  SOURCE\tSTATUS\tREVIEW STATE\tCASES")
	for _, c := range sum.Cases {
		overall := c.Overall
		if overall == "" {
			overall = "-" // video-KYC sessions carry no verdict: a reviewer gives it
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\n", c.Source.Label(), overall, strings.ReplaceAll(c.ReviewState, "_", " "), c.N)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Printf("\nStart the desk with: kycdesk serve --data %s   (sign in as rev1 with the password above)\n", data)
	return nil
}
