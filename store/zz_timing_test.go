package store

import (
	"context"
	"testing"
	"time"
)

func TestZZTiming(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx := context.Background()
	if err := db.SeedSyntheticCases(ctx, 100000, clk.t); err != nil {
		t.Fatal(err)
	}
	cut := clk.t.Add(-time.Hour)
	for name, f := range map[string]QueueFilter{
		"default":    {ClaimCutoff: cut},
		"country IN": {Country: "IN", ClaimCutoff: cut},
		"all AE":     {Tab: TabAll, Country: "AE", ClaimCutoff: cut},
		"unassigned": {Assignee: AssigneeNone, ClaimCutoff: cut},
		"all tag":    {Tab: TabAll, FraudTag: "DEV_TOOLS_OPENED", ClaimCutoff: cut},
		"tag":        {FraudTag: "VIRTUAL_CAMERA", ClaimCutoff: cut},
		"search":     {Query: "priya", ClaimCutoff: cut},
		"rare":       {FraudTag: "FACE_IN_BLACKLIST", Source: "markid", Overall: "SUSPECTED", ClaimCutoff: cut},
	} {
		t0 := time.Now()
		p, err := db.Queue(ctx, f, nil, nil, 50)
		d1 := time.Since(t0)
		t0 = time.Now()
		n, err2 := db.QueueCounts(ctx, f)
		d2 := time.Since(t0)
		t.Logf("%-12s page %6.1fms (%d rows)  counts %6.1fms %+v %v %v", name, ms(d1), len(p.Rows), ms(d2), n, err, err2)
		plan, _ := db.ExplainQueue(ctx, f, nil)
		t.Logf("   %v", plan)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
