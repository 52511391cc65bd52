package views

import (
	"strings"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// TestUpkeepLines: what ingest health says of the store's background work, line by line.
func TestUpkeepLines(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	fill := []store.FillProgress{{Name: "indic_words", Next: 45001, Last: 100000}, {Name: "indic_letters", Next: 0, Last: 100000}}
	failing := store.Failures{Count: 3, Last: "store: backfill indic_words: database or disk is full", LastAt: now.Add(-90 * time.Second)}
	if d, l := fill[0].Done(), fill[0].Left(); d != 45000 || l != 55000 {
		t.Errorf("next case 45,001 of 100,000: Done %d, Left %d; want 45,000 and 55,000", d, l)
	}
	if d, l := fill[1].Done(), fill[1].Left(); d != 0 || l != 100000 {
		t.Errorf("a fill not started: Done %d, Left %d; want 0 and 100,000", d, l)
	}
	for _, tc := range []struct {
		name string
		u    store.Upkeep
		want []UpkeepLine // Text holds the fragments it must contain, "|"-separated
	}{
		{"all done", store.Upkeep{}, nil},
		{"recovered failures say nothing", store.Upkeep{Checkpoint: store.Failures{Count: 2, Last: "x", LastAt: now, Recovered: true}}, nil},
		{"a fill running", store.Upkeep{Fills: fill}, []UpkeepLine{{ID: "health-upkeep-fill", Class: StatusGreen,
			Text: "whole words of names in Indian scripts|45,000 of 100,000 cases done|after a restart"}}},
		{"a fill failing", store.Upkeep{Fills: fill, Fill: failing}, []UpkeepLine{{ID: "health-upkeep-fill", Class: StatusAmber,
			Text: "45,000 of 100,000|failed 3 time(s)|the latest 1m ago|database or disk is full|retried"}}},
		{"the checkpoint failing", store.Upkeep{Checkpoint: store.Failures{Count: 1200, Last: "checkpoint: disk I/O error", LastAt: now.Add(-2 * time.Second)}},
			[]UpkeepLine{{ID: "health-upkeep-checkpoint", Class: StatusRed, Text: "failed 1,200 time(s)|disk I/O error|stored safely|log file grows"}}},
	} {
		got := hltUpkeep(tc.u, now)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d lines %+v, want %d", tc.name, len(got), got, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if got[i].ID != w.ID || got[i].Class != w.Class {
				t.Errorf("%s: line %d = %s %s, want %s %s", tc.name, i, got[i].ID, got[i].Class, w.ID, w.Class)
			}
			for _, frag := range strings.Split(w.Text, "|") {
				if !strings.Contains(got[i].Text, frag) {
					t.Errorf("%s: line %d %q lacks %q", tc.name, i, got[i].Text, frag)
				}
			}
		}
	}
}
