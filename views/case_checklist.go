package views

import (
	"fmt"
	"strconv"

	"github.com/kycdesk/kycdesk/store"
)

// ChecklistView is the per-instruction (video KYC) or per-signal (SUSPECTED Mark ID) checklist:
// editable by the person who may decide the case now, and otherwise read-only, showing what the
// latest decision froze (or the draft while no decision exists).
type ChecklistView struct {
	CaseID   int64
	CSRF     string
	Editable bool
	IsVCIP   bool
	Frozen   bool   // the rows are the latest decision's, not a draft
	FrozenBy string // who made that decision
	Problem  string // the store's refusal of the last allow, shown above the rows
	Rows     []ChecklistRow
	// Languages is the instruction language switch (video KYC), as the instructions panel had it.
	Languages []LangOption
	Random    bool
}

// ChecklistRow is one instruction or signal with what the reviewer recorded for it.
type ChecklistRow struct {
	Key          string
	N            int
	Kind         string
	KindLabel    string // "fraud tag", "mismatch tag", "AML hit"…; "" for an instruction
	Label        string // English instruction text, or the tag verbatim
	Explanation  string // a tag's plain-language meaning
	Translations []TranslationView
	IDCardBox    bool
	Screenshot   bool
	Shots        []MediaItem
	BookmarkMS   string // "" for none
	Bookmark     string // "0:07"
	Disposition  string
	Note         string
	Options      []DispositionOption
}

// DispositionOption is one disposition a row may take.
type DispositionOption struct {
	Value string
	Label string
	Level string // a status class for the chosen state
}

// Counts says how many rows carry a bookmark and a disposition.
func (c ChecklistView) Counts() (bookmarked, done int) {
	for _, r := range c.Rows {
		if r.BookmarkMS != "" {
			bookmarked++
		}
		if r.Disposition != "" {
			done++
		}
	}
	return bookmarked, done
}

// DispositionLevel is the status colour of a disposition.
func DispositionLevel(d string) string {
	switch d {
	case store.DispSatisfactory, store.DispClear:
		return StatusGreen
	case store.DispNotSatisfactory, store.DispConfirmsRisk:
		return StatusRed
	case store.DispUnclear:
		return StatusAmber
	}
	return StatusGrey
}

func dispositionOptions(kind string) []DispositionOption {
	var out []DispositionOption
	for _, d := range store.Dispositions(kind) {
		out = append(out, DispositionOption{Value: d, Label: store.DispositionLabel(d), Level: DispositionLevel(d)})
	}
	return out
}

var checklistKindLabel = map[string]string{
	store.ItemFraudTag: "fraud tag", store.ItemMismatchTag: "mismatch tag", store.ItemAML: "AML hit", store.ItemLID: "LID hit",
	store.ItemGeo: "location",
}

// buildChecklist makes the checklist from the draft (in.Checklist) or, when the viewer cannot
// decide and a decision exists, from the latest decision's frozen rows. nil when the case has no
// checklist items.
func buildChecklist(in CaseInput, v CaseView) *ChecklistView {
	rows := in.Checklist
	cv := &ChecklistView{CaseID: in.Record.ID, CSRF: in.CSRF, Editable: v.Panel.ShowForm, IsVCIP: v.IsVCIP}
	if !cv.Editable && len(in.Decisions) > 0 {
		last := in.Decisions[len(in.Decisions)-1]
		if len(last.Checklist) > 0 && in.Record.ReviewState != store.ReviewNeedsDecision {
			rows, cv.Frozen, cv.FrozenBy = last.Checklist, true, last.DecidedByName
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if in.Form != nil {
		cv.Problem = in.Form.Errors["checklist"]
	}
	if v.Instructions != nil {
		cv.Languages, cv.Random = v.Instructions.Languages, v.Instructions.Random
	}
	shots := map[int][]MediaItem{}
	for _, st := range v.Media.Steps {
		shots[st.N] = st.Items
	}
	for _, e := range rows {
		r := ChecklistRow{Key: e.Key, N: e.N, Kind: e.Kind, KindLabel: checklistKindLabel[e.Kind], Label: e.Label,
			Disposition: e.Disposition, Note: e.Note, Options: dispositionOptions(e.Kind)}
		if e.BookmarkMS != nil {
			r.BookmarkMS, r.Bookmark = strconv.FormatInt(*e.BookmarkMS, 10), store.FormatBookmark(*e.BookmarkMS)
		}
		switch e.Kind {
		case store.ItemInstruction:
			if v.Instructions != nil && e.N-1 < len(v.Instructions.Items) {
				it := v.Instructions.Items[e.N-1]
				r.Translations, r.IDCardBox, r.Screenshot = it.Translations, it.IDCardBox, it.ScreenshotRequired
			}
			r.Shots = shots[e.N]
		case store.ItemFraudTag, store.ItemMismatchTag:
			r.Explanation = TagExplanation(e.Label)
		}
		cv.Rows = append(cv.Rows, r)
	}
	return cv
}

// checklistLines are a frozen checklist as the decision's timeline entry lists it.
func checklistLines(entries []store.ChecklistEntry) []ChecklistLine {
	var out []ChecklistLine
	for _, e := range entries {
		l := ChecklistLine{N: e.N, Label: e.Label, Disposition: store.DispositionLabel(e.Disposition),
			Level: DispositionLevel(e.Disposition), Note: e.Note}
		if e.Disposition == "" {
			l.Disposition = "no disposition"
		}
		if e.BookmarkMS != nil {
			l.BookmarkMS, l.Bookmark = strconv.FormatInt(*e.BookmarkMS, 10), store.FormatBookmark(*e.BookmarkMS)
		}
		out = append(out, l)
	}
	return out
}

// ChecklistLine is one row of a decision's frozen checklist in the case history.
type ChecklistLine struct {
	N           int
	Label       string
	Disposition string
	Level       string
	Note        string
	BookmarkMS  string
	Bookmark    string
}

// ChecklistProgress is the panel's one-line count: "2 of 5 dispositioned · 3 bookmarked".
func ChecklistProgress(cl ChecklistView) string {
	bm, done := cl.Counts()
	s := fmt.Sprintf("%d of %d dispositioned", done, len(cl.Rows))
	if cl.IsVCIP {
		s += fmt.Sprintf(" · %d bookmarked", bm)
	}
	return s
}

// tagKindClass is the tag style of a signal row: fraud tags red, mismatch tags amber.
func tagKindClass(kind string) string {
	if kind == store.ItemFraudTag {
		return "tag-fraud"
	}
	return "tag-mismatch"
}

func dispositionText(d string) string { return store.DispositionLabel(d) }
