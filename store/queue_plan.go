package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A queue page is read from the index of one narrowing, the driver, in the queue's own order
// (review state, then oldest waiting first): the rows of a tag, of a word of a name, of a country,
// of a status or of a source. Each (driver key, review state) pair is one ordered stream, an
// arm; SQLite merges the arms of a compound SELECT in order (MERGE) and stops at the page's end,
// so a page reads about one page of each arm whatever the number of matches. The other
// narrowings are checked per candidate row (probes), through the case's own primary-key rows.

// maxTermExpansion is how many distinct indexed words a typed prefix may stand for before the
// search walks the queue's order instead (a prefix of one or two letters matches most cases,
// so the walk fills a page quickly).
const maxTermExpansion = 24

// queueArm is one ordered stream of (sort key, case id).
type queueArm struct {
	sql  string
	args []any
	// window, when counting, counts the driver rows the arm examined (up to countWindow+1):
	// past countWindow the count is a lower bound.
	window     string
	windowArgs []any
}

// countWindow bounds the driver rows a tab count examines when each must also pass a probe
// ("anna sharma": the rows of one word, each checked for the other).
var countWindow = 5000 // a variable so that a test can make it small

// queueStates are the review states a tab spans, in no particular order.
func (f QueueFilter) queueStates() []string {
	if st := f.Tab.reviewState(); st != "" {
		return []string{st}
	}
	return []string{ReviewNeedsDecision, ReviewInformational, ReviewPendingApproval, ReviewDecided}
}

// queueDriver names which narrowing drives the page.
type queueDriver int

const (
	driveWalk queueDriver = iota // the tab's own index, everything probed
	driveQuery
	driveFraud
	driveMismatch
	driveRemark
	driveCountry
	driveOverall
	driveSource
)

// pickDriver chooses the narrowing whose index the page walks: the one likely to match the fewest
// cases of those that have a queue-ordered index.
func (f QueueFilter) pickDriver() queueDriver {
	switch {
	case f.pendingOrder(), f.Assignee == AssigneeUser, f.Assignee == assigneeLive,
		f.Assignee == AssigneeEscalated, f.Assignee == AssigneeHeld:
		return driveWalk // their own small indexes
	case strings.TrimSpace(f.Query) != "":
		return driveQuery
	case f.FraudTag != "":
		return driveFraud
	case f.MismatchTag != "":
		return driveMismatch
	case f.Remark != "":
		return driveRemark
	case f.Country != "":
		return driveCountry
	case f.Overall != "":
		return driveOverall
	case f.Source != "":
		return driveSource
	}
	return driveWalk
}

// queueSelect builds the query of one queue page of at most limit rows, ordered by the page's
// key (descending when before is set), selecting queueColumns.
func (db *DB) queueSelect(ctx context.Context, f QueueFilter, after, before *QueueCursor, limit int) (string, []any, error) {
	if err := db.foldQuery(ctx, &f); err != nil {
		return "", nil, err
	}
	arms, err := db.queueArms(ctx, f, after, before)
	if err != nil {
		return "", nil, err
	}
	dir := ""
	if before != nil {
		dir = " DESC"
	}
	var parts []string
	var args []any
	for _, a := range arms {
		parts = append(parts, a.sql)
		args = append(args, a.args...)
	}
	args = append(args, limit)
	if f.counting {
		return `SELECT COUNT(*) FROM (` + strings.Join(parts, " UNION ") + ` ORDER BY 1, 2 LIMIT ?)`, args, nil
	}
	q := `WITH page(k, id) AS MATERIALIZED (` + strings.Join(parts, " UNION ") + ` ORDER BY 1` + dir + `, 2` + dir + ` LIMIT ?)
		SELECT ` + queueColumns + ` FROM page p CROSS JOIN cases c ON c.id = p.id LEFT JOIN users u ON u.id = c.claimed_by
		ORDER BY p.k` + dir + `, p.id` + dir
	return q, args, nil
}

// queueArms are the ordered streams the page merges.
func (db *DB) queueArms(ctx context.Context, f QueueFilter, after, before *QueueCursor) ([]queueArm, error) {
	driver := f.pickDriver()
	var terms, pairs []string
	skipWord := -1
	if driver == driveQuery {
		if err := db.expandSearch(ctx, &f); err != nil {
			return nil, err
		}
		terms, skipWord, pairs = f.exp.terms, f.exp.word, f.exp.pairs
		if skipWord < 0 {
			// Too short a prefix to expand: walk the order of the strongest index filter instead.
			g := f
			g.Query = ""
			if driver = g.pickDriver(); driver == driveQuery {
				driver = driveWalk
			}
		}
	}
	var refIDs []any
	if driver == driveQuery {
		if err := db.matchRefs(ctx, &f); err != nil {
			return nil, err
		}
		refIDs = f.refs.ids
	}
	probes, probeArgs := f.probes(driver, skipWord)
	keyset := func(k, id string) (string, []any) {
		switch {
		case before != nil:
			return "(" + k + ", " + id + ") < (?, ?)", []any{FormatTime(before.WaitingSince), before.ID}
		case after != nil:
			return "(" + k + ", " + id + ") > (?, ?)", []any{FormatTime(after.WaitingSince), after.ID}
		}
		return "1=1", nil
	}
	arm := func(sel, from, k, id string, conds []string, args []any) queueArm {
		ks, kargs := keyset(k, id)
		all := append(append(append([]string{}, conds...), ks), probes...)
		a := append(append(append([]any{}, args...), kargs...), probeArgs...)
		return queueArm{sql: `SELECT ` + sel + ` FROM ` + from + ` WHERE ` + strings.Join(all, " AND "), args: a}
	}
	// An arm over an index table (words, tags) joins the case's row only when a probe reads it.
	keyArm := func(table, alias string, conds []string, args []any) queueArm {
		idcol := alias + ".case_id"
		pc, pa, needsRow := f.probesOn(driver, skipWord, idcol)
		from := table + " " + alias + " INDEXED BY " + map[string]string{"ct": "case_terms_queue", "cp": "case_pairs_queue", "t": "case_tags_queue"}[alias]
		var win string
		var winArgs []any
		if f.counting && len(pc) > 0 {
			// Counting with probes: examine at most countWindow of the driver's rows.
			inner := `SELECT ` + alias + `.waiting_since, ` + idcol + ` FROM ` + from + ` WHERE ` + strings.Join(conds, " AND ")
			win = `SELECT COUNT(*) FROM (` + inner + ` LIMIT ` + strconv.Itoa(countWindow+1) + `)`
			winArgs = append([]any{}, args...)
			from = `(` + inner + ` ORDER BY 1, 2 LIMIT ` + strconv.Itoa(countWindow) + `) ` + alias
			conds = []string{"1=1"}
		}
		if needsRow {
			from += " JOIN cases c ON c.id = " + idcol
			pc, pa = probes, probeArgs
		}
		ks, kargs := keyset(alias+".waiting_since", idcol)
		all := append(append(append([]string{}, conds...), ks), pc...)
		a := append(append(append([]any{}, args...), kargs...), pa...)
		return queueArm{sql: `SELECT ` + alias + `.waiting_since, ` + idcol + ` FROM ` + from + ` WHERE ` + strings.Join(all, " AND "),
			args: a, window: win, windowArgs: winArgs}
	}
	var arms []queueArm
	switch driver {
	case driveWalk:
		key := f.sortKey()
		conds := []string{"1=1"}
		if st := f.Tab.reviewState(); st != "" {
			// A literal, not a parameter, so that SQLite can use the partial pending index; st
			// is one of the fixed review states, never input.
			conds = []string{"c.review_state = '" + st + "'"}
		}
		if (f.From.IsZero() && f.To.IsZero()) || key != "c.waiting_since" {
			arms = append(arms, arm(key+", c.id", "cases c INDEXED BY "+f.pageIndex(), key, "c.id", conds, nil))
			break
		}
		// A date range: the cases that wait since their first callback are inside the range in
		// queue order; the others (sent back, reopened, changed after a decision) come from
		// cases_rewaited, from the range's start on.
		var rng, rest []string
		var rargs, restArgs []any
		if !f.From.IsZero() {
			rng = append(rng, "c.waiting_since >= ?")
			rargs = append(rargs, FormatTime(f.From))
			rest = append(rest, "c.waiting_since >= ?")
			restArgs = append(restArgs, FormatTime(f.From))
		}
		if !f.To.IsZero() {
			rng = append(rng, "c.waiting_since < ?")
			rargs = append(rargs, FormatTime(f.To))
		}
		arms = append(arms, arm("c.waiting_since, c.id", "cases c INDEXED BY "+f.pageIndex(), key, "c.id",
			append(append([]string{}, conds...), rng...), rargs))
		for _, st := range f.queueStates() {
			arms = append(arms, arm("c.waiting_since, c.id", "cases c INDEXED BY cases_rewaited", key, "c.id",
				append([]string{"c.review_state = ?", "c.waiting_since <> c.first_received_at"}, rest...),
				append([]any{st}, restArgs...)))
		}
	case driveQuery:
		for _, st := range f.queueStates() {
			for _, p := range pairs {
				arms = append(arms, keyArm("case_pairs", "cp", []string{"cp.pair = ?", "cp.review_state = ?"}, []any{p, st}))
			}
			if pairs == nil {
				for _, t := range terms {
					arms = append(arms, keyArm("case_terms", "ct", []string{"ct.term = ?", "ct.review_state = ?"}, []any{t, st}))
				}
			}
			if len(refIDs) > 0 {
				// References, client IDs and document numbers: a few cases, sorted.
				refProbes, refArgs := f.probes(driveQuery, -2)
				ks, kargs := keyset("c.waiting_since", "c.id")
				ph := strings.TrimSuffix(strings.Repeat("?, ", len(refIDs)), ", ")
				conds := append([]string{"c.id IN (" + ph + ")", "c.review_state = ?", ks}, refProbes...)
				a := append(append(append(append([]any{}, refIDs...), st), kargs...), refArgs...)
				arms = append(arms, queueArm{sql: `SELECT c.waiting_since, c.id FROM cases c NOT INDEXED WHERE ` +
					strings.Join(conds, " AND "), args: a})
			}
		}
	case driveFraud, driveMismatch:
		kind, tag := "fraud", f.FraudTag
		if driver == driveMismatch {
			kind, tag = "mismatch", f.MismatchTag
		}
		for _, st := range f.queueStates() {
			arms = append(arms, keyArm("case_tags", "t", []string{"t.kind = ?", "t.tag = ?", "t.review_state = ?"}, []any{kind, tag, st}))
		}
	case driveRemark:
		for _, st := range f.queueStates() {
			arms = append(arms, arm("c.waiting_since, c.id", "cases c INDEXED BY cases_agent_remark", "c.waiting_since", "c.id",
				[]string{"c.agent_remark = ? COLLATE NOCASE", "c.review_state = ?"}, []any{f.Remark, st}))
		}
	case driveCountry:
		for _, st := range f.queueStates() {
			for _, col := range []string{"doc_country", "ip_country"} {
				arms = append(arms, arm("c.waiting_since, c.id", "cases c INDEXED BY cases_"+col,
					"c.waiting_since", "c.id", []string{"c." + col + " = ?", "c.review_state = ?"}, []any{f.Country, st}))
			}
		}
	case driveOverall, driveSource:
		col, idx, val := "overall", "cases_overall_queue", f.Overall
		if driver == driveSource {
			col, idx, val = "source", "cases_source_queue", string(f.Source)
		}
		for _, st := range f.queueStates() {
			arms = append(arms, arm("c.waiting_since, c.id", "cases c INDEXED BY "+idx,
				"c.waiting_since", "c.id", []string{"c." + col + " = ?", "c.review_state = ?"}, []any{val, st}))
		}
	}
	return arms, nil
}

// maxRefMatches bounds the cases a typed reference prefix stands for (a prefix of four characters
// matches one case in 65,536 of random identifiers; session IDs that share a date prefix match more).
const maxRefMatches = 500

// refMatch is what refMatches read for a search.
type refMatch struct {
	ids       []any
	truncated bool
}

// matchRefs reads the cases f's search names by reference into f.refs, once.
func (db *DB) matchRefs(ctx context.Context, f *QueueFilter) error {
	q := strings.TrimSpace(f.Query)
	if f.refs != nil || q == "" {
		return nil
	}
	ids, truncated, err := db.refMatches(ctx, q)
	if err != nil {
		return err
	}
	f.refs = &refMatch{ids: ids, truncated: truncated}
	return nil
}

// refMatches are the IDs of the cases whose reference, client ID or document number is q (all of
// them), and of at most maxRefMatches whose reference starts with q (four characters or more);
// truncated reports that the prefix matched more.
func (db *DB) refMatches(ctx context.Context, q string) (ids []any, truncated bool, err error) {
	read := func(query string, args ...any) ([]any, error) {
		rows, err := db.read.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, fmt.Errorf("store: search references: %w", err)
		}
		defer rows.Close()
		var out []any
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, fmt.Errorf("store: search references: %w", err)
			}
			out = append(out, id)
		}
		return out, rows.Err()
	}
	if ids, err = read(`SELECT id FROM cases WHERE ref = ? UNION SELECT id FROM cases WHERE client_id = ?
		UNION SELECT id FROM cases WHERE doc_number = ?`, q, q, q); err != nil {
		return nil, false, err
	}
	if len(q) >= 4 {
		prefix, err := read(`SELECT id FROM cases WHERE ref > ? AND ref < ? LIMIT ?`, q, q+"\U0010FFFF", maxRefMatches+1)
		if err != nil {
			return nil, false, err
		}
		if truncated = len(prefix) > maxRefMatches; truncated {
			prefix = prefix[:maxRefMatches]
		}
		for _, id := range prefix {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids, truncated, nil
}

// queryWords are the searchable words of what a person typed, as FTSQuery splits them.
func queryWords(q string) []string {
	var out []string
	for _, t := range strings.Fields(FTSQuery(q)) {
		out = append(out, strings.TrimSuffix(t, "*"))
	}
	return out
}

// foldQuery folds the typed words with the search tokenizer once (f.words), so that each probe
// of a candidate row is one seek in case_terms.
func (db *DB) foldQuery(ctx context.Context, f *QueueFilter) error {
	if f.words != nil || strings.TrimSpace(f.Query) == "" {
		return nil
	}
	f.words = []string{}
	for _, w := range queryWords(f.Query) {
		var tok string
		if err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MIN(token), '') FROM case_tokens WHERE input = ?`, db.searchWord(w)).Scan(&tok); err != nil {
			return fmt.Errorf("store: search words: %w", err)
		}
		if tok != "" {
			f.words = append(f.words, tok)
		}
	}
	return nil
}

// searchExpansion is what the folded words stand for in the index. The driver walks the rows of
// terms (the indexed words the longest word, words[word], is a prefix of), or, when pairs is
// set, the cases that also have words[second]: the case_pairs keys of every two terms. word is -1
// when there is no word or it stands for more than maxTermExpansion terms; second is -1 when the
// driver walks one word. The other words are probed per case.
type searchExpansion struct {
	terms        []string
	word, second int
	pairs        []string
}

// longestWord is the index of the longest of f.words other than skip, or -1.
func longestWord(words []string, skip int) int {
	best := -1
	for i, w := range words {
		if i != skip && (best < 0 || len([]rune(w)) > len([]rune(words[best]))) {
			best = i
		}
	}
	return best
}

// expandSearch reads f.exp once per filter (the four tab counts and the page share it): the
// longest word's terms, and with a second word, when the two stand for at most maxTermExpansion
// pairs and no term stands for both (a word typed twice, a word and its own prefix), those pairs.
func (db *DB) expandSearch(ctx context.Context, f *QueueFilter) error {
	if f.exp != nil {
		return nil
	}
	e := &searchExpansion{word: longestWord(f.words, -1), second: -1}
	f.exp = e
	if e.word < 0 {
		return nil
	}
	terms, err := db.expandWord(ctx, f.words[e.word], maxTermExpansion)
	if err != nil || terms == nil {
		e.word = -1
		return err
	}
	e.terms = terms
	// Pairs only once their table is complete (backfill.go): before, two words walk the longer
	// word's cases as they did before pairs.
	second := longestWord(f.words, e.word)
	if second < 0 || !db.pairsReady.Load() {
		return nil
	}
	others, err := db.expandWord(ctx, f.words[second], maxTermExpansion/len(terms))
	if err != nil || others == nil {
		return err
	}
	var pairs []string
	for _, a := range terms {
		for _, b := range others {
			if a == b {
				return nil
			}
			pairs = append(pairs, min(a, b)+" "+max(a, b))
		}
	}
	e.pairs, e.second = pairs, second
	return nil
}

// expandWord lists the distinct indexed words tok is a prefix of, or nil when there are more
// than max (tok itself when none: the search can then only match references).
func (db *DB) expandWord(ctx context.Context, tok string, max int) (terms []string, err error) {
	if max < 1 {
		return nil, nil
	}
	// Each distinct word is one seek in the index, not a walk over its rows.
	lo, op := tok, ">="
	for len(terms) <= max {
		var t string
		err := db.read.QueryRowContext(ctx, `SELECT COALESCE((SELECT term FROM case_terms INDEXED BY case_terms_queue
			WHERE term `+op+` ? AND term < ? ORDER BY term LIMIT 1), '')`, lo, tok+"\U0010FFFF").Scan(&t)
		if err != nil {
			return nil, fmt.Errorf("store: search words: %w", err)
		}
		if t == "" {
			break
		}
		terms = append(terms, t)
		lo, op = t, ">"
	}
	if len(terms) > max {
		return nil, nil
	}
	if len(terms) == 0 {
		terms = []string{tok}
	}
	return terms, nil
}

// probes are the conditions on cases c a candidate row must also meet: every narrowing except
// the driver's (and the tab's review state, which the arms fix). skipWord is the typed word the
// driver stands for; -2 leaves out the whole search (the reference arm matches it exactly).
func (f QueueFilter) probes(driver queueDriver, skipWord int) ([]string, []any) {
	conds, args, _ := f.probesOn(driver, skipWord, "c.id")
	return conds, args
}

// probesOn is probes with the candidate's ID read from idcol; needsRow reports whether any of
// them reads the case's row (the others read only indexes keyed by the ID).
func (f QueueFilter) probesOn(driver queueDriver, skipWord int, idcol string) (conds []string, args []any, needsRow bool) {
	if f.Source != "" && driver != driveSource {
		conds = append(conds, "c.source = ?")
		needsRow = true
		args = append(args, string(f.Source))
	}
	if f.Overall != "" && driver != driveOverall {
		conds = append(conds, "c.overall = ?")
		needsRow = true
		args = append(args, f.Overall)
	}
	if f.FraudTag != "" && driver != driveFraud {
		conds = append(conds, "EXISTS (SELECT 1 FROM case_tags pt WHERE pt.case_id = "+idcol+" AND pt.kind = 'fraud' AND pt.tag = ?)")
		args = append(args, f.FraudTag)
	}
	if f.MismatchTag != "" && driver != driveMismatch {
		conds = append(conds, "EXISTS (SELECT 1 FROM case_tags pt WHERE pt.case_id = "+idcol+" AND pt.kind = 'mismatch' AND pt.tag = ?)")
		args = append(args, f.MismatchTag)
	}
	if f.Country != "" && driver != driveCountry {
		conds = append(conds, "(c.doc_country = ? OR c.ip_country = ?)")
		needsRow = true
		args = append(args, f.Country, f.Country)
	}
	if f.Remark != "" && driver != driveRemark {
		conds = append(conds, "c.agent_remark = ? COLLATE NOCASE")
		args = append(args, f.Remark)
		needsRow = true
	}
	if !f.From.IsZero() {
		conds = append(conds, "c.first_received_at >= ?")
		needsRow = true
		args = append(args, FormatTime(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "c.first_received_at < ?")
		needsRow = true
		args = append(args, FormatTime(f.To))
	}
	cutoff := FormatTime(f.ClaimCutoff)
	switch f.Assignee {
	case AssigneeNone:
		conds = append(conds, "(c.claimed_by IS NULL OR c.claim_touched_at < ?)")
		needsRow = true
		args = append(args, cutoff)
	case AssigneeUser:
		conds = append(conds, "c.claimed_by = ? AND c.claim_touched_at >= ?")
		needsRow = true
		args = append(args, f.AssigneeID, cutoff)
	case assigneeLive:
		conds = append(conds, "c.claimed_by IS NOT NULL AND c.claim_touched_at >= ?")
		needsRow = true
		args = append(args, cutoff)
	case AssigneeEscalated:
		conds = append(conds, "c.escalated_at IS NOT NULL")
		needsRow = true
	case AssigneeHeld:
		conds = append(conds, "c.held_at IS NOT NULL")
		needsRow = true
	}
	if q := strings.TrimSpace(f.Query); q != "" && skipWord != -2 {
		var words []string
		var wargs []any
		if f.words != nil {
			for i, w := range f.words {
				// The driver stands for its word, and for the second one when it walks pairs.
				if skipWord >= 0 && (i == skipWord || i == f.exp.second) {
					continue
				}
				words = append(words, `EXISTS (SELECT 1 FROM case_terms pw WHERE pw.case_id = `+idcol+` AND pw.term >= ? AND pw.term < ?)`)
				wargs = append(wargs, w, w+"\U0010FFFF")
			}
		} else {
			// Not folded beforehand: the tokenizer folds each word for each row.
			for i, w := range queryWords(q) {
				if i == skipWord {
					continue
				}
				words = append(words, `EXISTS (SELECT 1 FROM case_tokens tk, case_terms pw WHERE tk.input = ?
					AND pw.case_id = c.id AND pw.term >= tk.token AND pw.term < tk.token || char(1114111))`)
				needsRow = true
				wargs = append(wargs, w)
			}
		}
		if skipWord >= 0 {
			// The driver's arms are the rows of one word: the other words must match too.
			conds = append(conds, words...)
			args = append(args, wargs...)
		} else {
			// Walking the queue: the case matches the search as a reference or by every word.
			alt := []string{"c.ref = ?", "c.client_id = ?", "c.doc_number = ?"}
			altArgs := []any{q, q, q}
			if len(q) >= 4 {
				alt = append(alt, "(c.ref > ? AND c.ref < ?)")
				altArgs = append(altArgs, q, q+"\U0010FFFF")
			}
			if len(words) > 0 {
				alt = append(alt, "("+strings.Join(words, " AND ")+")")
				altArgs = append(altArgs, wargs...)
			}
			conds = append(conds, "("+strings.Join(alt, " OR ")+")")
			needsRow = true
			args = append(args, altArgs...)
		}
	}
	return conds, args, needsRow
}

// queueCountPartial reports whether a tab count under f stopped at countWindow driver rows in
// some arm, so that it is a lower bound.
func (db *DB) queueCountPartial(ctx context.Context, f QueueFilter) (bool, error) {
	if err := db.foldQuery(ctx, &f); err != nil {
		return false, err
	}
	if err := db.expandSearch(ctx, &f); err != nil {
		return false, err
	}
	arms, err := db.queueArms(ctx, f, nil, nil)
	if err != nil {
		return false, err
	}
	if f.pickDriver() == driveQuery && f.exp.word >= 0 {
		// The driver walks the words and the references it read: a reference prefix that matched
		// more cases than a page reads them is a lower bound too. (A word too short to expand
		// walks the queue, which matches references as it goes.)
		if err := db.matchRefs(ctx, &f); err != nil || f.refs.truncated {
			return err == nil, err
		}
	}
	for _, a := range arms {
		if a.window == "" {
			continue
		}
		var n int
		if err := db.read.QueryRowContext(ctx, a.window, a.windowArgs...).Scan(&n); err != nil {
			return false, fmt.Errorf("store: queue counts: %w", err)
		}
		if n > countWindow {
			return true, nil
		}
	}
	return false, nil
}
