package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/outbound"
)

// runEndpoint manages the webhook endpoints decisions are sent to. Every change is audited.
func runEndpoint(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("endpoint: give a sub-command: add, list, disable, enable or rotate")
	}
	sub, rest := args[0], args[1:]
	f := newFlags("endpoint " + sub)
	var data, url, events string
	var id int64
	var grace time.Duration
	f.dataFlag(&data)
	f.StringVar(&url, "url", "", "the receiver's address (add)")
	f.StringVar(&events, "events", "", "event types, comma-separated (add; default: all but case.received): "+strings.Join(store.EventTypes, ","))
	f.Int64Var(&id, "id", 0, "the endpoint's number, from list (disable, enable, rotate)")
	f.DurationVar(&grace, "grace", 24*time.Hour, "how long the old secret keeps signing beside the new one (rotate)")
	db, err := f.parseAndOpen(ctx, rest, &data)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "add":
		secret, err := outbound.NewSecret()
		if err != nil {
			return err
		}
		ep, err := db.CreateEndpoint(ctx, cliActor(), url, list(events), secret)
		if err != nil {
			return err
		}
		fmt.Printf("endpoint %d: %s (%s)\n", ep.ID, ep.URL, strings.Join(ep.Events, ","))
		fmt.Println(secret)
		fmt.Println("The line above is the signing secret, shown once: give it to the receiver.")
		return nil
	case "list":
		eps, err := db.Endpoints(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tURL\tEVENTS\tSTATE\tPENDING\tCREATED")
		for _, e := range eps {
			state := "enabled"
			if !e.Enabled {
				state = "disabled: " + e.DisabledReason
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\n", e.ID, e.URL, strings.Join(e.Events, ","), state, e.Pending, e.CreatedAt.Format("2006-01-02"))
		}
		return tw.Flush()
	case "disable", "enable":
		if err := db.SetEndpointEnabled(ctx, cliActor(), id, sub == "enable", ""); err != nil {
			return err
		}
		fmt.Printf("endpoint %d %sd\n", id, sub)
		return nil
	case "rotate":
		secret, err := outbound.NewSecret()
		if err != nil {
			return err
		}
		if err := db.RotateEndpointSecret(ctx, cliActor(), id, secret, grace); err != nil {
			return err
		}
		fmt.Printf("endpoint %d: new secret; the old one keeps signing beside it for %s\n", id, grace)
		fmt.Println(secret)
		return nil
	}
	return fmt.Errorf("endpoint: unknown sub-command %q", sub)
}
