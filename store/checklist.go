package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Checklist item kinds: an instruction of a video-KYC call, or a signal of a SUSPECTED Mark ID case.
const (
	ItemInstruction = "instruction"
	ItemFraudTag    = "fraud_tag"
	ItemMismatchTag = "mismatch_tag"
	ItemAML         = "aml"
	ItemLID         = "lid"
	ItemGeo         = "geo" // a video-KYC session outside India, or whose geotag and IP disagree
)

// Dispositions. An instruction is satisfactory, not satisfactory or unclear; a signal is clear,
// confirms the risk, or does not apply.
const (
	DispSatisfactory    = "satisfactory"
	DispNotSatisfactory = "not_satisfactory"
	DispUnclear         = "unclear"
	DispClear           = "clear"
	DispConfirmsRisk    = "confirms_risk"
	DispNotApplicable   = "not_applicable"
)

// Limits on what a checklist holds.
const (
	MaxChecklistNote  = 1000
	maxChecklistItems = 100
	maxBookmark       = 24 * time.Hour
)

// DispositionLabel is how a disposition reads.
func DispositionLabel(d string) string {
	switch d {
	case DispSatisfactory:
		return "satisfactory"
	case DispNotSatisfactory:
		return "not satisfactory"
	case DispUnclear:
		return "unclear"
	case DispClear:
		return "clear"
	case DispConfirmsRisk:
		return "confirms risk"
	case DispNotApplicable:
		return "not applicable"
	}
	return d
}

// Dispositions lists the dispositions an item of kind may take, in the order the page offers them.
func Dispositions(kind string) []string {
	if kind == ItemInstruction {
		return []string{DispSatisfactory, DispNotSatisfactory, DispUnclear}
	}
	return []string{DispClear, DispConfirmsRisk, DispNotApplicable}
}

// ChecklistItem is one row the reviewer dispositions: derived from the case's snapshot.
type ChecklistItem struct {
	Key   string `json:"key"`   // stable within the snapshot: "instruction:2", "fraud_tag:AUTO_UNVERIFIABLE", "aml:0"
	Kind  string `json:"kind"`  // ItemInstruction, ItemFraudTag…
	N     int    `json:"n"`     // 1-based position among the items
	Label string `json:"label"` // the instruction's English text, the tag, or "AML · service"
}

// ChecklistEntry is an item with what the reviewer recorded for it.
type ChecklistEntry struct {
	ChecklistItem
	BookmarkMS  *int64 `json:"bookmark_ms,omitempty"` // where in the recording the reviewer saw it answered
	Disposition string `json:"disposition,omitempty"`
	Note        string `json:"note,omitempty"`
}

// ChecklistItems are the rows a case's checklist has: every instruction of a video-KYC call in
// the call's order (and a location row when the geotag is outside India or disagrees with the IP
// address, store.GeoCheck), or on a SUSPECTED Mark ID case each fraud tag, mismatch tag and AML or LID
// check with hits. Other cases have none.
func ChecklistItems(s *Snapshot) []ChecklistItem {
	var out []ChecklistItem
	add := func(key, kind, label string) {
		if len(out) < maxChecklistItems {
			out = append(out, ChecklistItem{Key: key, Kind: kind, N: len(out) + 1, Label: label})
		}
	}
	switch {
	case s.Source == SourceVCIP:
		for i, in := range s.Instructions {
			add(ItemInstruction+":"+strconv.Itoa(i+1), ItemInstruction, in.Text)
		}
		if v := GeoCheck(s); v.Red() {
			add(ItemGeo, ItemGeo, v.Sentence)
		}
	case strings.EqualFold(s.Status.Overall, StatusSuspected):
		seen := map[string]bool{}
		for _, t := range s.Status.FraudTags {
			if k := ItemFraudTag + ":" + t; !seen[k] {
				seen[k] = true
				add(k, ItemFraudTag, t)
			}
		}
		for _, t := range s.Status.MismatchTags {
			if k := ItemMismatchTag + ":" + t; !seen[k] {
				seen[k] = true
				add(k, ItemMismatchTag, t)
			}
		}
		for _, g := range []struct {
			kind, name string
			checks     []Check
		}{{ItemAML, "AML", s.AML}, {ItemLID, "LID", s.LID}} {
			for i, ch := range g.checks {
				if checkHits(ch) > 0 || ch.Suspected {
					label := g.name
					if ch.ServiceName != "" {
						label += " · " + ch.ServiceName
					}
					add(g.kind+":"+strconv.Itoa(i), g.kind, label)
				}
			}
		}
	}
	return out
}

// checkHits is how many hits an AML or LID result carries.
func checkHits(ch Check) int {
	if ch.HitCount > 0 {
		return ch.HitCount
	}
	var arr []json.RawMessage
	if json.Unmarshal(ch.Hits, &arr) == nil {
		return len(arr)
	}
	return 0
}

// checklistProblem is why the checklist does not allow outcome, or "". An allow of a video-KYC
// session needs every instruction dispositioned, and a note on each that is not satisfactory; an
// allow with a signal that confirms the risk needs a note on that signal. A decline needs nothing.
func (r Rules) checklistProblem(outcome string, entries []ChecklistEntry) string {
	if outcome != OutcomeAllow {
		return ""
	}
	var open, unexplained, risk []string
	where := false // the location row is open
	for _, e := range entries {
		note := strings.TrimSpace(e.Note) != ""
		switch {
		case e.Kind == ItemGeo && e.Disposition == "":
			where = true
		case e.Kind == ItemInstruction && e.Disposition == "":
			open = append(open, strconv.Itoa(e.N))
		case e.Kind == ItemInstruction && e.Disposition != DispSatisfactory && !note:
			unexplained = append(unexplained, strconv.Itoa(e.N))
		case e.Kind != ItemInstruction && e.Disposition == DispConfirmsRisk && !note:
			risk = append(risk, e.Label)
		}
	}
	var p []string
	if len(open) > 0 {
		p = append(p, fmt.Sprintf("Disposition %s %s on the checklist before you allow.", plural(len(open), "instruction", "instructions"), strings.Join(open, ", ")))
	}
	if where {
		p = append(p, "Disposition the location row on the checklist before you allow: the session was outside India or its geotag and IP address disagree.")
	}
	if len(unexplained) > 0 {
		p = append(p, fmt.Sprintf("%s %s %s not satisfactory: add a note saying why you allow anyway.",
			capital(plural(len(unexplained), "instruction", "instructions")), strings.Join(unexplained, ", "), plural(len(unexplained), "is", "are")))
	}
	if len(risk) > 0 {
		p = append(p, fmt.Sprintf("You marked %s as confirming the risk: add a note on %s saying why you allow anyway.",
			strings.Join(risk, ", "), plural(len(risk), "it", "each")))
	}
	return strings.Join(p, " ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ChecklistDraft is one row as the reviewer leaves it: the whole row is saved each time.
type ChecklistDraft struct {
	Key         string
	BookmarkMS  *int64 // nil: no bookmark
	Disposition string // "" while undecided
	Note        string
}

// loadChecklist is the case's checklist now: the items of its snapshot with the draft saved for
// each (a draft row whose item the snapshot no longer has is left out).
func loadChecklist(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, caseID int64) ([]ChecklistEntry, error) {
	var snap string
	if err := q.QueryRowContext(ctx, `SELECT snapshot FROM cases WHERE id = ?`, caseID).Scan(&snap); err != nil {
		return nil, fmt.Errorf("store: checklist of case %d: %w", caseID, err)
	}
	var s Snapshot
	if err := json.Unmarshal([]byte(snap), &s); err != nil {
		return nil, errUnreadableChecklist
	}
	items := ChecklistItems(&s)
	if len(items) == 0 {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT item, bookmark_ms, disposition, note FROM checklist_drafts WHERE case_id = ?`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: checklist of case %d: %w", caseID, err)
	}
	defer rows.Close()
	drafts := map[string]ChecklistEntry{}
	for rows.Next() {
		var key string
		var e ChecklistEntry
		var bm sql.NullInt64
		if err := rows.Scan(&key, &bm, &e.Disposition, &e.Note); err != nil {
			return nil, fmt.Errorf("store: checklist of case %d: %w", caseID, err)
		}
		if bm.Valid {
			v := bm.Int64
			e.BookmarkMS = &v
		}
		drafts[key] = e
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: checklist of case %d: %w", caseID, err)
	}
	out := make([]ChecklistEntry, len(items))
	for i, it := range items {
		d := drafts[it.Key]
		out[i] = ChecklistEntry{ChecklistItem: it, BookmarkMS: d.BookmarkMS, Disposition: d.Disposition, Note: d.Note}
	}
	return out, nil
}

// errUnreadableChecklist: the stored snapshot does not decode, so the checklist's items are unknown.
var errUnreadableChecklist = Errorf(KindConflict, "This case's stored data cannot be read, so its checklist cannot be checked. Replay its callback from ingest health, then allow it; a decline is still possible.")

// CaseChecklist is the case's checklist as the reviewer left it (the draft); none when the stored
// snapshot cannot be read (the case page says so in its own words).
func (db *DB) CaseChecklist(ctx context.Context, caseID int64) ([]ChecklistEntry, error) {
	entries, err := loadChecklist(ctx, db.read, caseID)
	if errors.Is(err, errUnreadableChecklist) {
		return nil, nil
	}
	return entries, err
}

// decisionChecklist is the checklist a decision with outcome is checked against and frozen with:
// an unreadable snapshot refuses an allow (its checklist cannot be checked) and gives a decline none.
func decisionChecklist(ctx context.Context, tx *sql.Tx, caseID int64, outcome string) ([]ChecklistEntry, error) {
	entries, err := loadChecklist(ctx, tx, caseID)
	if errors.Is(err, errUnreadableChecklist) && outcome != OutcomeAllow {
		return nil, nil
	}
	return entries, err
}

// SaveChecklist saves one row of the checklist as the reviewer left it. Only the person who may
// decide the case now (who holds a live claim on it) may, and it keeps their claim alive.
func (db *DB) SaveChecklist(ctx context.Context, actor Actor, caseID int64, d ChecklistDraft) ([]ChecklistEntry, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: save checklist: %w", err)
	}
	defer tx.Rollback()
	s, err := loadCaseState(ctx, tx, caseID, actor)
	if err != nil {
		return nil, err
	}
	if err := db.Rules().Actions(s.who, s.CaseFacts, db.Now()).Decide.Err(); err != nil {
		return nil, err
	}
	entries, err := loadChecklist(ctx, tx, caseID)
	if err != nil {
		return nil, err
	}
	var item *ChecklistEntry
	for i := range entries {
		if entries[i].Key == d.Key {
			item = &entries[i]
		}
	}
	if item == nil {
		return nil, invalidField("checklist", "This case's checklist has no such row; reload the page.")
	}
	d.Disposition = strings.TrimSpace(d.Disposition)
	d.Note = strings.TrimSpace(d.Note)
	if d.Disposition != "" && !slices.Contains(Dispositions(item.Kind), d.Disposition) {
		return nil, invalidField("disposition", "Choose one of the offered dispositions.")
	}
	if len(d.Note) > MaxChecklistNote {
		return nil, invalidField("note", fmt.Sprintf("Keep the note under %d characters.", MaxChecklistNote))
	}
	var bm any
	if d.BookmarkMS != nil {
		if *d.BookmarkMS < 0 || *d.BookmarkMS > maxBookmark.Milliseconds() {
			return nil, invalidField("bookmark_ms", "A bookmark must be a time within the recording.")
		}
		bm = *d.BookmarkMS
	}
	now := db.now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO checklist_drafts (case_id, item, bookmark_ms, disposition, note, updated_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, item) DO UPDATE SET bookmark_ms = excluded.bookmark_ms,
		disposition = excluded.disposition, note = excluded.note, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		caseID, d.Key, bm, d.Disposition, d.Note, actor.ID, now); err != nil {
		return nil, fmt.Errorf("store: save checklist: %w", err)
	}
	// Working the checklist is working the case: the claim stays alive.
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET claim_touched_at = ? WHERE id = ?`, now, caseID); err != nil {
		return nil, fmt.Errorf("store: save checklist: %w", err)
	}
	item.BookmarkMS, item.Disposition, item.Note = d.BookmarkMS, d.Disposition, d.Note
	if err := commit(tx, "save checklist"); err != nil {
		return nil, err
	}
	return entries, nil
}

// checklistColumn is the stored form of a decision's checklist: JSON, or NULL when it has none.
func checklistColumn(entries []ChecklistEntry) (any, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(entries)
	if err != nil {
		return nil, fmt.Errorf("store: checklist: %w", err)
	}
	return string(b), nil
}

// parseChecklist reads a stored checklist column ("" for none).
func parseChecklist(s string) []ChecklistEntry {
	if s == "" {
		return nil
	}
	var out []ChecklistEntry
	if json.Unmarshal([]byte(s), &out) != nil {
		return nil
	}
	return out
}

// FormatBookmark is a bookmark as a reviewer reads it: "1:05".
func FormatBookmark(ms int64) string {
	s := ms / 1000
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// maxSummaryNote is how much of each row's note a one-line summary carries.
const maxSummaryNote = 80

// ChecklistSummary is a checklist on one line, for the register and exports:
// "1 Show your face: satisfactory @0:03; 2 Hold your PAN card: unclear @0:09 (glare on the card)".
func ChecklistSummary(entries []ChecklistEntry) string {
	parts := make([]string, 0, len(entries))
	for _, e := range entries {
		var b strings.Builder
		fmt.Fprintf(&b, "%d %s: ", e.N, e.Label)
		if e.Disposition == "" {
			b.WriteString("no disposition")
		} else {
			b.WriteString(DispositionLabel(e.Disposition))
		}
		if e.BookmarkMS != nil {
			b.WriteString(" @" + FormatBookmark(*e.BookmarkMS))
		}
		if n := strings.Join(strings.Fields(e.Note), " "); n != "" {
			if r := []rune(n); len(r) > maxSummaryNote {
				n = string(r[:maxSummaryNote]) + "…"
			}
			b.WriteString(" (" + n + ")")
		}
		parts = append(parts, b.String())
	}
	return strings.Join(parts, "; ")
}
