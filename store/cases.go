package store

import (
	"context"
	"fmt"
)

// ReviewCounts are the sizes of the review tabs.
type ReviewCounts struct {
	NeedsDecision   int
	PendingApproval int
	Decided         int
	All             int
	// AtLeast are the tabs whose count under a filter is a lower bound (QueueCounts stopped
	// looking); a count past QueueCountCap is one too.
	AtLeast []QueueTab
}

// ReviewCounts counts cases per review state: exact, from the rows the triggers of migration
// 0080 keep in the same transaction as every change of a case's review state, so a few rows
// are read however many cases there are.
func (db *DB) ReviewCounts(ctx context.Context) (ReviewCounts, error) {
	n, err := db.countByState(ctx, `SELECT state, n FROM state_counts WHERE kind = 'case'`)
	if err != nil {
		return ReviewCounts{}, fmt.Errorf("store: review counts: %w", err)
	}
	return n, nil
}

// NavCounts counts the two states the navigation shows, from the same trigger-kept rows as
// ReviewCounts (it runs on every page a reviewer opens).
func (db *DB) NavCounts(ctx context.Context) (ReviewCounts, error) {
	n, err := db.countByState(ctx, `SELECT state, n FROM state_counts
		WHERE kind = 'case' AND state IN ('needs_decision', 'pending_approval')`)
	if err != nil {
		return ReviewCounts{}, fmt.Errorf("store: nav counts: %w", err)
	}
	return n, nil
}

// countByState runs a query that yields (review_state, count) rows and totals them.
func (db *DB) countByState(ctx context.Context, query string, args ...any) (ReviewCounts, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return ReviewCounts{}, err
	}
	defer rows.Close()
	var n ReviewCounts
	for rows.Next() {
		var state string
		var c int
		if err := rows.Scan(&state, &c); err != nil {
			return ReviewCounts{}, err
		}
		switch state {
		case ReviewNeedsDecision:
			n.NeedsDecision = c
		case ReviewPendingApproval:
			n.PendingApproval = c
		case ReviewDecided:
			n.Decided = c
		}
		n.All += c
	}
	return n, rows.Err()
}
