package views

import (
	"fmt"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// UpkeepLine is one sentence of the ingest health list about the store's background work: a fill
// an upgrade left, or a checkpoint or fill that is failing.
type UpkeepLine struct {
	ID, Title, Text, Class string
}

// hltFillNames says what each background fill rebuilds, for an operator who never heard of it.
var hltFillNames = map[string]string{
	"case_pairs":    "the name search's word pairs of cases stored before this version",
	"indic_words":   "the whole words of names in Indian scripts, in cases stored before this version",
	"indic_letters": "the name search's words of cases in Indian scripts (removing single letters)",
}

// hltUpkeep turns the store's background work into the lines the health list shows: none while
// everything is done and nothing fails.
func hltUpkeep(u store.Upkeep, now time.Time) []UpkeepLine {
	var out []UpkeepLine
	if c := u.Checkpoint; c.Failing() {
		out = append(out, UpkeepLine{ID: "health-upkeep-checkpoint", Title: "Database log:", Class: StatusRed,
			Text: fmt.Sprintf("copying the write-ahead log into the database has failed %s time(s), the latest %s ago: %s. "+
				"Callbacks are still stored safely, but the log file grows until a copy succeeds: check the data dir's disk.",
				grouped(c.Count), FormatWaited(max(now.Sub(c.LastAt), 0)), c.Last)})
	}
	for _, f := range u.Fills {
		what := hltFillNames[f.Name]
		if what == "" {
			what = f.Name
		}
		text := fmt.Sprintf("rebuilding %s: %s of %s cases done. Searches find every case meanwhile, some more slowly; "+
			"the rebuild goes on after a restart from where it stopped.", what, grouped(f.Done()), grouped(f.Last))
		class := StatusGreen
		if fl := u.Fill; fl.Failing() {
			class = StatusAmber
			text += fmt.Sprintf(" It has failed %s time(s), the latest %s ago: %s. It is retried every second.",
				grouped(fl.Count), FormatWaited(max(now.Sub(fl.LastAt), 0)), fl.Last)
		}
		out = append(out, UpkeepLine{ID: "health-upkeep-fill", Title: "Upgrade:", Text: text, Class: class})
		break // the fills run one after the other: the first not done is the one running
	}
	return out
}
