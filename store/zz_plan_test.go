package store

import (
	"context"
	"testing"
	"time"
	"strings"
)

func TestZZPrintPlans(t *testing.T) {
	db, clk := openWorkspace(t)
	db.SeedSyntheticCases(context.Background(), 100, clk.t)
	for name, f := range map[string]QueueFilter{"default": {}, "all": {Tab: TabAll}, "tag": {FraudTag: "X"}, "country": {Country: "LT"}, "search": {Query: "anna"}, "mine": {Assignee: AssigneeUser, AssigneeID: 1}, "unassigned": {Assignee: AssigneeNone}, "alltag": {Tab: TabAll, FraudTag: "X"}, "source": {Source: "vcip"}} {
		p, _ := db.ExplainQueue(context.Background(), f, &QueueCursor{WaitingSince: time.Now(), ID: 1})
		t.Logf("%s:\n  %s", name, strings.Join(p, "\n  "))
	}
}
