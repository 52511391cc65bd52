package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/kycdesk/kycdesk/store"
)

// cliActor records CLI changes under the operating-system user who ran them.
func cliActor() store.Actor {
	name := os.Getenv("USER")
	if name == "" {
		name = "unknown"
	}
	return store.Actor{Name: "cli:" + name}
}

func runUser(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("user: give a sub-command: add, passwd, reset-mfa, disable, enable or list")
	}
	sub, rest := args[0], args[1:]
	f := newFlags("user " + sub)
	var data, username, roles, name string
	var stdin bool
	f.dataFlag(&data)
	f.StringVar(&username, "username", "", "the account's username")
	f.StringVar(&roles, "role", "", "role(s), comma-separated: reviewer, supervisor, admin, auditor")
	f.StringVar(&name, "name", "", "display name")
	f.BoolVar(&stdin, "password-stdin", false, "read the password from standard input instead of generating one")
	db, err := f.parseAndOpen(ctx, rest, &data)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "add":
		rs, err := store.ParseRoles(roles)
		if err != nil {
			return err
		}
		pw, hash, generated, err := newPassword(stdin)
		if err != nil {
			return err
		}
		u, err := db.CreateUser(ctx, cliActor(), username, name, hash, rs)
		if err != nil {
			return err
		}
		fmt.Printf("created %s (%s)\n", u.Username, strings.Join(u.Roles, ","))
		if generated {
			fmt.Printf("password: %s\n(shown once; share it through a safe channel)\n", pw)
		}
		return nil
	case "passwd":
		u, err := db.UserByUsername(ctx, username)
		if err != nil {
			return err
		}
		pw, hash, generated, err := newPassword(stdin)
		if err != nil {
			return err
		}
		if err := db.UpdateUser(ctx, cliActor(), u.ID, store.UserChange{PasswordHash: &hash}); err != nil {
			return err
		}
		fmt.Printf("password of %s reset; their sessions are ended\n", u.Username)
		if generated {
			fmt.Printf("password: %s\n", pw)
		}
		return nil
	case "reset-mfa":
		// The way back for an admin who lost both the phone and the recovery codes.
		u, err := db.UserByUsername(ctx, username)
		if err != nil {
			return err
		}
		if err := db.ResetMFA(ctx, cliActor(), u.ID); err != nil {
			return err
		}
		fmt.Printf("second factor of %s reset; their sessions are ended and they set up an authenticator app at their next sign-in\n", u.Username)
		return nil
	case "disable", "enable":
		u, err := db.UserByUsername(ctx, username)
		if err != nil {
			return err
		}
		off := sub == "disable"
		if err := db.UpdateUser(ctx, cliActor(), u.ID, store.UserChange{Disabled: &off}); err != nil {
			return err
		}
		fmt.Printf("%sd %s\n", sub, u.Username)
		return nil
	case "list":
		users, err := db.ListUsers(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tNAME\tROLES\tSTATE\tCREATED")
		for _, u := range users {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Username, u.DisplayName, strings.Join(u.Roles, ","), state, u.CreatedAt.Format("2006-01-02"))
		}
		return tw.Flush()
	}
	return fmt.Errorf("user: unknown sub-command %q", sub)
}

// newPassword reads a password from stdin, or generates one, and hashes it.
func newPassword(stdin bool) (pw, hash string, generated bool, err error) {
	if stdin {
		line, rerr := bufio.NewReader(os.Stdin).ReadString('\n')
		if rerr != nil && line == "" {
			return "", "", false, fmt.Errorf("read password from stdin: %w", rerr)
		}
		pw = strings.TrimRight(line, "\r\n")
	} else if pw, err = store.GeneratePassword(); err != nil {
		return "", "", false, err
	}
	hash, err = store.HashPassword(pw, store.DefaultBcryptCost)
	return pw, hash, !stdin, err
}
