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
}

// ReviewCounts counts cases per review state in one indexed pass.
func (db *DB) ReviewCounts(ctx context.Context) (ReviewCounts, error) {
	n, err := db.countByState(ctx, `SELECT review_state, COUNT(*) FROM cases GROUP BY review_state`)
	if err != nil {
		return ReviewCounts{}, fmt.Errorf("store: review counts: %w", err)
	}
	return n, nil
}

// NavCounts counts only the two states the navigation shows. It walks just their part of the
// queue index, not every case, since it runs on every page a reviewer opens.
func (db *DB) NavCounts(ctx context.Context) (ReviewCounts, error) {
	n, err := db.countByState(ctx, `SELECT review_state, COUNT(*) FROM cases
		WHERE review_state IN ('needs_decision', 'pending_approval') GROUP BY review_state`)
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
