package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web"
)

// runToken manages the read API's bearer tokens. Only a token's hash is stored.
func runToken(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("token: give a sub-command: add, list or revoke")
	}
	sub, rest := args[0], args[1:]
	f := newFlags("token " + sub)
	var data, name, scopes string
	var id int64
	f.dataFlag(&data)
	f.StringVar(&name, "name", "", "what uses the token, e.g. onboarding (add)")
	f.StringVar(&scopes, "scope", store.ScopeDecisionsRead, "scopes, comma-separated (add): "+strings.Join(store.APIScopes, ","))
	f.Int64Var(&id, "id", 0, "the token's number, from list (revoke)")
	db, err := f.parseAndOpen(ctx, rest, &data)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "add":
		sc, err := store.ParseScopes(scopes)
		if err != nil {
			return err
		}
		token, err := web.NewAPIToken()
		if err != nil {
			return err
		}
		tk, err := db.CreateToken(ctx, cliActor(), name, token, sc)
		if err != nil {
			return err
		}
		fmt.Printf("token %d: %s (%s)\n", tk.ID, tk.Name, strings.Join(tk.Scopes, ","))
		fmt.Println(token)
		fmt.Println("The line above is the token, shown once; only its hash is kept.")
		return nil
	case "list":
		tokens, err := db.Tokens(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSTARTS\tSCOPES\tSTATE\tUSES\tLAST USED\tCREATED")
		for _, t := range tokens {
			state, used := "active", "never"
			if !t.Active() {
				state = "revoked " + t.RevokedAt.Format("2006-01-02")
			}
			if !t.LastUsedAt.IsZero() {
				used = t.LastUsedAt.Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%d\t%s\t%s…\t%s\t%s\t%d\t%s\t%s\n", t.ID, t.Name, t.Hint, strings.Join(t.Scopes, ","), state, t.Uses, used,
				t.CreatedAt.Format("2006-01-02"))
		}
		return tw.Flush()
	case "revoke":
		if err := db.RevokeToken(ctx, cliActor(), id); err != nil {
			return err
		}
		fmt.Printf("token %d revoked\n", id)
		return nil
	}
	return fmt.Errorf("token: unknown sub-command %q", sub)
}
