package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// checkQueueKeys compares everything the O(1) counts and the queue-ordered indexes keep beside
// the cases with a recount from the cases themselves: the tab counts, and each tag's and each
// name word's copy of its case's review state and waiting time.
func checkQueueKeys(t *testing.T, db *DB, step string) {
	t.Helper()
	ctx := context.Background()
	got, err := db.ReviewCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := db.countByState(ctx, `SELECT review_state, COUNT(*) FROM cases GROUP BY review_state`)
	if err != nil {
		t.Fatal(err)
	}
	if got.NeedsDecision != want.NeedsDecision || got.PendingApproval != want.PendingApproval || got.Decided != want.Decided ||
		got.All != want.All || got.AtLeast != nil {
		t.Errorf("%s: ReviewCounts = %+v, want the recount %+v", step, got, want)
	}
	nav, err := db.NavCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if nav.NeedsDecision != want.NeedsDecision || nav.PendingApproval != want.PendingApproval {
		t.Errorf("%s: NavCounts = %+v, want the recount %+v", step, nav, want)
	}
	for _, q := range []string{
		`SELECT COUNT(*) FROM case_tags t JOIN cases c ON c.id = t.case_id
			WHERE t.review_state IS NOT c.review_state OR t.waiting_since IS NOT c.waiting_since`,
		`SELECT COUNT(*) FROM case_terms t LEFT JOIN cases c ON c.id = t.case_id
			WHERE c.id IS NULL OR t.review_state IS NOT c.review_state OR t.waiting_since IS NOT c.waiting_since`,
		`SELECT COUNT(*) FROM cases c WHERE c.full_name <> '' AND NOT EXISTS (SELECT 1 FROM case_terms t WHERE t.case_id = c.id)`,
		`SELECT COUNT(*) FROM case_pairs p LEFT JOIN cases c ON c.id = p.case_id
			WHERE c.id IS NULL OR p.review_state IS NOT c.review_state OR p.waiting_since IS NOT c.waiting_since`,
		// Every pair of each case's words, and nothing else.
		`SELECT COUNT(*) FROM (SELECT a.case_id, a.term || ' ' || b.term FROM case_terms a
			JOIN case_terms b ON b.case_id = a.case_id AND b.term > a.term EXCEPT SELECT case_id, pair FROM case_pairs)`,
		`SELECT COUNT(*) FROM (SELECT case_id, pair FROM case_pairs EXCEPT SELECT a.case_id, a.term || ' ' || b.term
			FROM case_terms a JOIN case_terms b ON b.case_id = a.case_id AND b.term > a.term)`,
		// The tag rows are the tags the case shows, both ways.
		`SELECT COUNT(*) FROM (` + caseTagsFromColumns + ` EXCEPT SELECT case_id, kind, tag FROM case_tags)`,
		`SELECT COUNT(*) FROM (SELECT case_id, kind, tag FROM case_tags EXCEPT ` + caseTagsFromColumns + `)`,
	} {
		var n int
		if err := db.read.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows out of step with their case: %s", step, n, q)
		}
	}
}

// caseTagsFromColumns lists the tags each case shows in its fraud_tags and mismatch_tags columns.
const caseTagsFromColumns = `SELECT * FROM (SELECT c.id, 'fraud', j.value FROM cases c, json_each(c.fraud_tags) j WHERE j.value <> ''
	UNION SELECT c.id, 'mismatch', j.value FROM cases c, json_each(c.mismatch_tags) j WHERE j.value <> '')`

// TestQueueKeysFollowEveryChange runs a mixed workload through every path that changes a case's
// review state, waiting time, tags or names (ingest of new and later callbacks, a late automatic
// callback, claim, release, decide with and without four-eyes, approve, return, reopen, a
// callback after the decision, the bulk loader) and after each step compares the kept counts
// and order keys with a recount; filtered queue pages equal the matches found the slow way.
func TestQueueKeysFollowEveryChange(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	sup1 := wsUser(t, db, "sup1", RoleSupervisor, RoleReviewer)
	sup2 := wsUser(t, db, "sup2", RoleSupervisor)
	checkQueueKeys(t, db, "empty")
	bulkCases(t, db, 300, clk.t.Add(-24*time.Hour))
	checkQueueKeys(t, db, "bulk load")

	var ids []int64
	base := clk.t
	for i := 0; i < 12; i++ {
		// Arrival times out of ID order, so that an order by ID alone would show.
		clk.t = base.Add(time.Duration(i*7%12) * time.Minute)
		src := SourceMarkID
		if i%3 == 0 {
			src = SourceVCIP
		}
		ids = append(ids, ingestWS(t, db, wsCase{source: src, ref: fmt.Sprintf("mix-%d", i), first: "PRIYA", last: "KUMAR",
			overall: StatusSuspected, fraud: []string{"VIRTUAL_CAMERA"}, docCountry: "IN"}))
	}
	checkQueueKeys(t, db, "ingest")
	clk.t = base.Add(20 * time.Minute)
	// A later callback renames the customer and changes the tags; a late automatic one after a
	// final one changes neither but is kept.
	clk.advance(time.Minute)
	ingestWS(t, db, wsCase{ref: "mix-1", first: "ANIKA", last: "SINGH", overall: StatusSuspected, final: true, fraud: []string{"DOC_MOBILE_PHOTO"}})
	clk.advance(time.Minute)
	ingestWS(t, db, wsCase{ref: "mix-1", first: "PRIYA", last: "KUMAR", overall: StatusSuspected, fraud: []string{"VIRTUAL_CAMERA"}})
	checkQueueKeys(t, db, "later callbacks")

	step := func(name string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkQueueKeys(t, db, name)
	}
	step("claim", db.Claim(ctx, rev, ids[1]))
	step("release", db.Release(ctx, rev, ids[1]))
	step("claim again", db.Claim(ctx, rev, ids[1]))
	_, err := db.Decide(ctx, rev, DecisionInput{CaseID: ids[1], Outcome: OutcomeAllow, ReasonCode: "face_matches", Note: "Checked by hand."})
	step("decide (Mark ID)", err)
	step("claim (video KYC)", db.Claim(ctx, sup1, ids[0]))
	_, err = db.Decide(ctx, sup1, DecisionInput{CaseID: ids[0], Outcome: OutcomeAllow, ReasonCode: "face_matches", Note: "Checked by hand."})
	step("decide (four-eyes)", err)
	step("return", db.Return(ctx, sup2, ids[0], "Check the second screenshot."))
	_, err = db.Decide(ctx, sup1, DecisionInput{CaseID: ids[0], Outcome: OutcomeAllow, ReasonCode: "face_matches", Note: "Checked by hand."})
	step("decide again", err)
	step("approve", db.Approve(ctx, sup2, ids[0], ""))
	step("reopen", db.Reopen(ctx, sup2, ids[1], "Customer sent a new passport."))
	id, err := db.ClaimNext(ctx, rev, QueueFilter{FraudTag: "VIRTUAL_CAMERA"})
	step("claim next", err)
	_, err = db.Decide(ctx, rev, DecisionInput{CaseID: id, Outcome: OutcomeDecline, ReasonCode: "document_forged", Note: "Photo replaced."})
	step("decide claimed next", err)
	clk.advance(time.Minute)
	ingestWS(t, db, wsCase{ref: "mix-2", first: "PRIYA", last: "KUMAR", overall: StatusDenied, final: true, fraud: []string{"VIRTUAL_CAMERA"}})
	checkQueueKeys(t, db, "callback after the decision")

	// Every tab and filter page equals the slow answer: the matching cases in queue order.
	cutoff := clk.t.Add(-time.Hour)
	for _, f := range []QueueFilter{
		{FraudTag: "VIRTUAL_CAMERA"}, {Tab: TabAll, FraudTag: "VIRTUAL_CAMERA"}, {Tab: TabDecided, FraudTag: "VIRTUAL_CAMERA"},
		{Query: "priya kum"}, {Tab: TabAll, Query: "kumar"}, {Query: "mix-3"}, {Tab: TabAll, Query: "priya", Source: SourceVCIP},
		{Tab: TabAll, Country: "IN"}, {Tab: TabAll, Overall: StatusDenied}, {Source: SourceVCIP}, {Tab: TabAll, Query: "a"},
		{Tab: TabAll, FraudTag: "VIRTUAL_CAMERA", Query: "singh"},
		{Tab: TabAll, From: base.Add(3 * time.Minute), To: base.Add(9 * time.Minute)}, {From: base.Add(5 * time.Minute)},
		{Tab: TabDecided, To: base.Add(6 * time.Minute)}, {Tab: TabAll, From: base.Add(-48 * time.Hour), To: base.Add(-12 * time.Hour)},
		{Tab: TabPending, Query: "priya"}, {Tab: TabAll, Query: "prıya kumar"}, {Assignee: AssigneeNone, Query: "kumar"},
	} {
		f.ClaimCutoff = cutoff
		want := slowQueue(t, db, f)
		if got := pagedQueue(t, db, f); !slices.Equal(got, want) {
			t.Errorf("Queue(%+v) in pages of 7 = %v, want %v", f, got, want)
		}
		n, err := db.QueueCounts(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		g := f
		g.Tab = TabAll
		if all := len(slowQueue(t, db, g)); n.All != all {
			t.Errorf("QueueCounts(%+v).All = %d, want %d", f, n.All, all)
		}
	}
}

// pagedQueue reads every page of f, 7 rows at a time, forwards; then walks back from the last
// page and fails unless the backward pages give the same rows.
func pagedQueue(t *testing.T, db *DB, f QueueFilter) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	var after *QueueCursor
	var pages [][]int64
	for {
		p, err := db.Queue(ctx, f, after, nil, 7)
		if err != nil {
			t.Fatal(err)
		}
		var page []int64
		for _, r := range p.Rows {
			page = append(page, r.ID)
		}
		ids = append(ids, page...)
		pages = append(pages, page)
		if p.Next == nil {
			break
		}
		after = p.Next
	}
	if len(pages) > 1 {
		p, err := db.Queue(ctx, f, after, nil, 7)
		if err != nil {
			t.Fatal(err)
		}
		before := p.Prev
		for i := len(pages) - 2; i >= 0 && before != nil; i-- {
			p, err := db.Queue(ctx, f, nil, before, 7)
			if err != nil {
				t.Fatal(err)
			}
			var page []int64
			for _, r := range p.Rows {
				page = append(page, r.ID)
			}
			if !slices.Equal(page, pages[i]) {
				t.Errorf("Queue(%+v) page %d backwards = %v, want %v", f, i, page, pages[i])
			}
			before = p.Prev
		}
	}
	return ids
}

// slowQueue finds the cases a filter matches by reading every case and its tags and names.
func slowQueue(t *testing.T, db *DB, f QueueFilter) []int64 {
	t.Helper()
	g := f
	g.Query = ""
	where, args := g.where()
	q := `SELECT c.id FROM cases c NOT INDEXED WHERE ` + joinAnd(where)
	if s := f.Query; s != "" {
		q += ` AND (c.ref = ? OR c.client_id = ? OR c.doc_number = ? OR (length(?) >= 4 AND c.ref > ? AND c.ref < ? || char(1114111))`
		args = append(args, s, s, s, s, s, s)
		words := queryWords(s)
		if len(words) > 0 {
			q += ` OR (1=1`
			for _, w := range words {
				q += ` AND EXISTS (SELECT 1 FROM case_tokens tk, case_terms pw NOT INDEXED WHERE tk.input = ? AND pw.case_id = c.id
					AND substr(pw.term, 1, length(tk.token)) = tk.token)`
				args = append(args, w)
			}
			q += `)`
		}
		q += `)`
	}
	q += ` ORDER BY c.waiting_since, c.id`
	rows, err := db.read.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func joinAnd(conds []string) string {
	s := conds[0]
	for _, c := range conds[1:] {
		s += " AND " + c
	}
	return s
}

// TestQueueCountsAreBounded: under a filter a tab count stops just past QueueCountCap, so the
// page can say "1,000+" without counting every match; the unfiltered counts stay exact.
func TestQueueCountsAreBounded(t *testing.T) {
	db, clk := openWorkspace(t)
	bulkCases(t, db, 2*QueueCountCap+500, clk.t)
	ctx := context.Background()
	exact, err := db.QueueCounts(ctx, QueueFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if exact.All != 2*QueueCountCap+500 {
		t.Errorf("unfiltered All = %d, want %d", exact.All, 2*QueueCountCap+500)
	}
	n, err := db.QueueCounts(ctx, QueueFilter{Source: SourceMarkID})
	if err != nil {
		t.Fatal(err)
	}
	if n.All != QueueCountCap+1 {
		t.Errorf("filtered All = %d, want the bound %d", n.All, QueueCountCap+1)
	}
}

// TestQueueCountsWindowed: a count whose driver rows each need a probe (three words: the driver
// walks the pair of the two longest, the third is checked per case) examines at most countWindow
// of them and then says it is a lower bound; one that saw them all is exact.
func TestQueueCountsWindowed(t *testing.T) {
	db, clk := openWorkspace(t)
	for i := 0; i < 30; i++ {
		clk.advance(time.Minute)
		first := "ANNA"
		if i%3 == 0 {
			first = "PRIYA"
		}
		ingestWS(t, db, wsCase{ref: fmt.Sprintf("w-%d", i), first: first, last: "KUMARI SHARMA", overall: StatusSuspected})
	}
	old := countWindow
	t.Cleanup(func() { countWindow = old })
	ctx := context.Background()
	countWindow = 1000
	n, err := db.QueueCounts(ctx, QueueFilter{Query: "priya kumari sharma"})
	if err != nil {
		t.Fatal(err)
	}
	if n.NeedsDecision != 10 || len(n.AtLeast) != 0 {
		t.Errorf("QueueCounts(priya kumari sharma) with a wide window = %+v, want 10, exact", n)
	}
	countWindow = 12
	if n, err = db.QueueCounts(ctx, QueueFilter{Query: "priya kumari sharma"}); err != nil {
		t.Fatal(err)
	}
	if n.NeedsDecision != 4 || !slices.Contains(n.AtLeast, TabNeedsDecision) {
		t.Errorf("QueueCounts(priya kumari sharma) with a window of 12 = %+v, want at least 4 (of the first 12 rows)", n)
	}
	// Two words walk their pair: no probe, so the count is exact whatever the window.
	if n, err = db.QueueCounts(ctx, QueueFilter{Query: "priya sharma"}); err != nil {
		t.Fatal(err)
	}
	if n.NeedsDecision != 10 || len(n.AtLeast) != 0 {
		t.Errorf("QueueCounts(priya sharma) with a window of 12 = %+v, want 10, exact (the pair's own rows)", n)
	}
}

// TestQueueTwoWordSearchWalksPairs: two words that are each common but seldom meet are found by
// walking the cases that have both (case_pairs), page after page, in queue order, as the slow
// way finds them; prefixes of either word match; the same word typed twice, or a word and its
// own prefix, still match a case that has the word once; names in another script and squashed
// punctuation pair up like any words.
func TestQueueTwoWordSearchWalksPairs(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx := context.Background()
	var both []int64
	for i := 0; i < 60; i++ {
		clk.advance(time.Minute)
		first, last := "ANNA", "KOVALENKO"
		switch {
		case i%20 == 7:
			first, last = "ANNA", "SHARMA"
		case i%2 == 0:
			first, last = "PRIYA", "SHARMA"
		}
		id := ingestWS(t, db, wsCase{ref: fmt.Sprintf("p-%d", i), first: first, last: last, overall: StatusSuspected})
		if first == "ANNA" && last == "SHARMA" {
			both = append(both, id)
		}
	}
	checkQueueKeys(t, db, "after ingest")
	ids := func(q string, tab QueueTab, limit int) []int64 {
		t.Helper()
		var out []int64
		var after *QueueCursor
		for {
			p, err := db.Queue(ctx, QueueFilter{Tab: tab, Query: q}, after, nil, limit)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range p.Rows {
				out = append(out, r.ID)
			}
			if p.Next == nil {
				return out
			}
			after = p.Next
		}
	}
	for _, q := range []string{"anna sharma", "sharma anna", "ann sharm", "SHARMA, Anna"} {
		if got := ids(q, TabAll, 2); !slices.Equal(got, both) {
			t.Errorf("search %q, two a page = %v, want %v", q, got, both)
		}
	}
	// The odd cases are ANNA: 27 KOVALENKO and the 3 SHARMA.
	for _, q := range []string{"anna anna", "anna an"} {
		if got := ids(q, TabAll, 50); len(got) != 30 {
			t.Errorf("search %q = %d cases, want every ANNA (30)", q, len(got))
		}
	}
	if got := ids("priya kovalenko", TabAll, 50); len(got) != 0 {
		t.Errorf("search \"priya kovalenko\" = %v, want none", got)
	}
	plan, err := explainQueue(ctx, db, QueueFilter{Tab: TabAll, Query: "anna sharma"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(plan, func(step string) bool { return strings.Contains(step, "INDEX case_pairs_queue (pair=?") }) {
		t.Errorf("two words do not walk case_pairs_queue:\n%s", strings.Join(plan, "\n"))
	}
}

// TestLaterCallbackWordsAndTags follows one case through callbacks that change its name and tags,
// repeat them, and come in less authoritative: the search words, their pairs and the tag rows
// follow what the case shows, and stay put when a callback repeats them.
func TestLaterCallbackWordsAndTags(t *testing.T) {
	db, clk := openWorkspace(t)
	other := ingestWS(t, db, wsCase{ref: "other", first: "PRIYA", last: "SHARMA", overall: StatusSuspected, fraud: []string{"DOC_MOBILE_PHOTO"}})
	steps := []struct {
		name string
		w    wsCase
		// what finds the case afterwards, and what no longer does
		finds, misses []QueueFilter
	}{
		{"first callback", wsCase{first: "ANNA", last: "KOVALENKO", overall: StatusSuspected, fraud: []string{"FACE_SUSPECTED"}},
			[]QueueFilter{{Query: "kovalenko"}, {Query: "anna kovalenko"}, {FraudTag: "FACE_SUSPECTED"}},
			[]QueueFilter{{Query: "shevchuk"}, {FraudTag: "DOC_MOBILE_PHOTO"}}},
		{"manual review renames and retags", wsCase{first: "ANNA", last: "SHEVCHUK", overall: StatusSuspected, final: true,
			fraud: []string{"DOC_MOBILE_PHOTO"}, mismatch: []string{"SURNAME"}},
			[]QueueFilter{{Query: "shevchuk"}, {Query: "anna shevchuk"}, {FraudTag: "DOC_MOBILE_PHOTO"}, {MismatchTag: "SURNAME"}},
			[]QueueFilter{{Query: "kovalenko"}, {Query: "anna kovalenko"}, {FraudTag: "FACE_SUSPECTED"}}},
		{"a later copy repeats them", wsCase{first: "ANNA", last: "SHEVCHUK", overall: StatusSuspected, final: true,
			fraud: []string{"DOC_MOBILE_PHOTO"}, mismatch: []string{"SURNAME"}},
			[]QueueFilter{{Query: "shevchuk"}, {Query: "anna shevchuk"}, {FraudTag: "DOC_MOBILE_PHOTO"}, {MismatchTag: "SURNAME"}},
			[]QueueFilter{{Query: "kovalenko"}, {FraudTag: "FACE_SUSPECTED"}}},
		{"a stale automatic result changes nothing", wsCase{first: "OLENA", last: "IVANOVA", overall: StatusSuspected,
			fraud: []string{"VIRTUAL_CAMERA"}},
			[]QueueFilter{{Query: "anna shevchuk"}, {MismatchTag: "SURNAME"}},
			[]QueueFilter{{Query: "ivanova"}, {FraudTag: "VIRTUAL_CAMERA"}}},
		{"only the mismatch tags change", wsCase{first: "ANNA", last: "SHEVCHUK", overall: StatusSuspected, final: true,
			fraud: []string{"DOC_MOBILE_PHOTO"}, mismatch: []string{"DATE_OF_BIRTH"}},
			[]QueueFilter{{FraudTag: "DOC_MOBILE_PHOTO"}, {MismatchTag: "DATE_OF_BIRTH"}},
			[]QueueFilter{{MismatchTag: "SURNAME"}}},
		{"tags cleared, name kept", wsCase{first: "ANNA", last: "SHEVCHUK", overall: StatusSuspected, final: true},
			[]QueueFilter{{Query: "anna shevchuk"}},
			[]QueueFilter{{FraudTag: "DOC_MOBILE_PHOTO"}, {MismatchTag: "SURNAME"}, {MismatchTag: "DATE_OF_BIRTH"}}},
	}
	var id int64
	for _, st := range steps {
		clk.advance(time.Minute)
		st.w.ref = "renamed"
		got := ingestWS(t, db, st.w)
		if id != 0 && got != id {
			t.Fatalf("%s: case %d, want the same case %d", st.name, got, id)
		}
		id = got
		checkQueueKeys(t, db, st.name)
		for _, f := range st.finds {
			f.Tab = TabAll
			if ids := queueIDs(t, db, f); !slices.Contains(ids, id) {
				t.Errorf("%s: %+v = %v, want case %d in it", st.name, f, ids, id)
			}
		}
		for _, f := range st.misses {
			f.Tab = TabAll
			if ids := queueIDs(t, db, f); slices.Contains(ids, id) {
				t.Errorf("%s: %+v = %v, want case %d not in it", st.name, f, ids, id)
			}
		}
	}
	if ids := queueIDs(t, db, QueueFilter{Tab: TabAll, FraudTag: "DOC_MOBILE_PHOTO"}); !slices.Equal(ids, []int64{other}) {
		t.Errorf("DOC_MOBILE_PHOTO = %v, want only the other case %d", ids, other)
	}
}
