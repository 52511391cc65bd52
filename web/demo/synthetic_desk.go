package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// LoadSyntheticDesk fills an empty database with n synthetic cases (LoadSynthetic) and the demo
// users, for trying the desk at the size a bank reaches after years. Progress and the generated
// passwords go to log, once. It refuses (ErrNotEmpty) a database that already has cases.
func LoadSyntheticDesk(ctx context.Context, db *store.DB, n int, now time.Time, log io.Writer) ([]User, error) {
	counts, err := db.ReviewCounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if counts.All > 0 {
		return nil, fmt.Errorf("demo: %w (%d); demo data loads only into an empty data directory", ErrNotEmpty, counts.All)
	}
	start := time.Now()
	if err := LoadSynthetic(ctx, db, n, now); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "demo: loaded %d synthetic cases in %s\n", n, time.Since(start).Round(time.Second))
	users, err := createUsers(ctx, db)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(log, "demo: users (passwords are shown this once):")
	for _, u := range users {
		pw := u.Password
		if pw == "" {
			pw = "(already existed: left unchanged)"
		}
		fmt.Fprintf(log, "  %-5s %-18s %-20s %s\n", u.Username, u.DisplayName, joinRoles(u.Roles), pw)
	}
	return users, nil
}
