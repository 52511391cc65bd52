package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// indicNames are names in the scripts of India, and what a search for each word must find:
// exactly the cases whose names have a word it begins.
var indicNames = []struct{ ref, first, last string }{
	{"rajesh", "राजेश", "कुमार"},
	{"kamala", "कमला", "देवी"},
	{"sunil", "सुनील", "शर्मा"},
	{"sunita", "सुनीता", "सिंह"},
	{"zakir", "\u095bाकिर", "ख़ान"},      // ज़ typed as one character (U+095B)
	{"lakshmi", "लक्\u200dष्मी", "नायर"}, // with a zero-width joiner after the virama
	{"sourav", "সৌরভ", "গাঙ্গুলী"},
	{"murugan", "முருகன்", "செல்வம்"},
	{"krishna", "ಕೃಷ್ಣ", "ರಾವ್"},
	{"gurpreet", "ਗੁਰਪ੍ਰੀਤ", "ਕੌਰ"},
	{"anna", "ANNA", "KOVALENKO"},
}

var indicSearches = []struct {
	query string
	want  []string // refs, in queue order (the order indicNames are ingested in)
}{
	{"कुमार", []string{"rajesh"}},           // before: क*, which also found कमला
	{"सिंह", []string{"sunita"}},            // before: स*, which also found सुनील
	{"सुनी", []string{"sunil", "sunita"}},   // a prefix still finds every name it begins
	{"राजेश कुमार", []string{"rajesh"}},     // two words
	{"\u091c\u093cाकिर", []string{"zakir"}}, // ज़ typed as ज and a nukta
	{"लक्ष्मी", []string{"lakshmi"}},        // typed without the joiner
	{"लक्\u200dष्मी", []string{"lakshmi"}},  // and with it
	{"গাঙ্গুলী", []string{"sourav"}},
	{"முருகன்", []string{"murugan"}},
	{"ಕೃಷ್ಣ", []string{"krishna"}},
	{"ਕੌਰ", []string{"gurpreet"}},
	{"kovalenko", []string{"anna"}},
}

// searchRefs runs a search and returns the refs it found.
func searchRefs(t *testing.T, db *DB, q string) []string {
	t.Helper()
	p, err := db.Queue(context.Background(), QueueFilter{Tab: TabAll, Query: q}, nil, nil, 500)
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	refs := []string{}
	for _, r := range p.Rows {
		refs = append(refs, r.Ref)
	}
	return refs
}

// TestIndicNamesAreWords: a name in an Indian script is found by its words, not by its letters.
func TestIndicNamesAreWords(t *testing.T) {
	db, clk := openWorkspace(t)
	for _, n := range indicNames {
		clk.advance(time.Minute)
		ingestWS(t, db, wsCase{ref: n.ref, first: n.first, last: n.last, overall: StatusSuspected})
	}
	for _, s := range indicSearches {
		if got := searchRefs(t, db, s.query); !slices.Equal(got, s.want) {
			t.Errorf("search %q = %v, want %v", s.query, got, s.want)
		}
	}
	// No word of those scripts is a lone letter.
	var letters int
	if err := db.read.QueryRow(`SELECT COUNT(*) FROM case_terms WHERE ` + indicRange + ` AND length(term) = 1`).Scan(&letters); err != nil {
		t.Fatal(err)
	}
	if letters != 0 {
		t.Errorf("%d words of one letter in Indian scripts, want none", letters)
	}
	checkQueueKeys(t, db, "indic names")
}

// TestIndicMarksAreTheTokenizers holds indicMark and migration 0173's tokenchars together: the Go
// side (letterWords, the fills) and the tokenizer must agree on what a word character is.
func TestIndicMarksAreTheTokenizers(t *testing.T) {
	sql, err := os.ReadFile(filepath.Join("migrations", "0173_indic_words.sql"))
	if err != nil {
		t.Fatal(err)
	}
	_, chars, ok := strings.Cut(string(sql), "tokenchars=")
	chars, _, ok2 := strings.Cut(chars, `"`)
	if !ok || !ok2 {
		t.Fatal("0173 names no tokenchars")
	}
	for _, r := range chars {
		if !indicMark(r) {
			t.Errorf("tokenchars has %U, which indicMark does not take", r)
		}
	}
	n := 0
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if indicMark(r) {
			n++
			if !strings.ContainsRune(chars, r) {
				t.Errorf("indicMark takes %U, which tokenchars lacks", r)
			}
		}
	}
	if n < 200 {
		t.Errorf("indicMark takes %d marks, want the 200 or more of U+0900–U+0DFF", n)
	}
	// And the tokenizer the migration made keeps them: one word each.
	db, _ := openWorkspace(t)
	for _, n := range indicNames {
		var words int
		if err := db.read.QueryRow(`SELECT COUNT(*) FROM case_tokens WHERE input = ?`, wholeWords(n.first)).Scan(&words); err != nil {
			t.Fatal(err)
		}
		if words != 1 {
			t.Errorf("%q is %d words, want 1", n.first, words)
		}
	}
}

// TestIndicWordsBackfill upgrades a desk whose words were made before 0173, letter by letter:
// searches find every case before, during and after the background fills, which resume after a
// restart, and afterwards they find exactly the names, with no letters left behind.
func TestIndicWordsBackfill(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "upgraded.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	// The named cases come first, so the first batches of the fills take them, and then enough
	// others that the fills take several batches.
	for _, n := range indicNames {
		ingestWS(t, db, wsCase{ref: n.ref, first: n.first, last: n.last, overall: StatusSuspected})
	}
	for i := 0; i < 2*backfillBatch+30; i++ {
		first, last := "PRIYA", "SHARMA"
		if i%3 == 0 {
			first, last = "प्रिया", "शर्मा" // Indian names take the fills' slow path
		}
		ingestWS(t, db, wsCase{ref: fmt.Sprintf("filler-%d", i), first: first, last: last, overall: StatusApproved})
	}
	// As a desk from before 0173 has it: the old tokenizer, every case's words made by it, and
	// 0173 not yet run.
	if _, err := db.write.ExecContext(ctx, `DROP TABLE case_tokens;
		CREATE VIRTUAL TABLE case_tokens USING fts3tokenize(unicode61, "remove_diacritics=2");
		DELETE FROM case_terms; DELETE FROM case_pairs;
		DELETE FROM backfills WHERE name IN ('indic_words', 'indic_letters');
		DELETE FROM schema_migrations WHERE name = '0173_indic_words.sql'`); err != nil {
		t.Fatal(err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, full_name FROM cases`)
	if err != nil {
		t.Fatal(err)
	}
	names := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		names[id] = name
	}
	rows.Close()
	for id, name := range names {
		// Exactly what indexCase did before 0173: the raw text through the old tokenizer.
		if _, err := db.write.ExecContext(ctx, `INSERT OR IGNORE INTO case_terms (case_id, term, review_state, waiting_since)
			SELECT c.id, t.token, c.review_state, c.waiting_since FROM cases c, case_tokens t WHERE c.id = ? AND t.input = ?`,
			id, name); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.write.ExecContext(ctx, insertPairs+` WHERE a.case_id > 0`); err != nil {
		t.Fatal(err)
	}
	var letters int
	if err := db.read.QueryRow(`SELECT COUNT(*) FROM case_terms WHERE ` + indicRange + ` AND length(term) = 1`).Scan(&letters); err != nil || letters == 0 {
		t.Fatalf("the old tokenizer made %d one-letter words (%v): the test no longer builds a desk from before 0173", letters, err)
	}
	db = reopen(t, db, path)

	// finds says every wanted case is found (a search may find more while the letters are there).
	finds := func(db *DB, step string) {
		t.Helper()
		for _, s := range indicSearches {
			got := searchRefs(t, db, s.query)
			for _, w := range s.want {
				if !slices.Contains(got, w) {
					t.Errorf("%s: search %q = %v, which lacks %q", step, s.query, got, w)
				}
			}
		}
	}
	if db.wholeWords.Load() || db.lettersGone.Load() {
		t.Fatal("the indic fills are done right after opening an upgraded desk: 0173 skipped them")
	}
	finds(db, "before the fill")
	db.fillGate = make(chan struct{})
	db.StartBackfills()
	db.fillGate <- struct{}{} // the first batch runs,
	db.fillGate <- struct{}{} // and is committed once the second may start
	// A case arrives during the fill. Folded as before 0173, विजय is ज, its least letter: only
	// its letters find it, not its whole word.
	ingestWS(t, db, wsCase{ref: "during", first: "विजय", last: "कुमार", overall: StatusSuspected})
	finds(db, "during the first fill")
	for _, q := range []string{"विजय", "विजय कुमार"} {
		if got := searchRefs(t, db, q); !slices.Contains(got, "during") {
			t.Errorf("during the first fill: search %s = %v, which lacks the case ingested meanwhile", q, got)
		}
	}
	for !db.wholeWords.Load() {
		db.fillGate <- struct{}{}
	}
	db.fillGate <- struct{}{} // a batch of the second fill
	finds(db, "during the second fill")
	db = reopen(t, db, path) // the fills stop between batches
	defer db.Close()
	if !db.wholeWords.Load() || db.lettersGone.Load() {
		t.Fatalf("after a restart: whole words %t, letters gone %t; want the first fill done, the second not",
			db.wholeWords.Load(), db.lettersGone.Load())
	}
	db.StartBackfills()
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := db.waitBackfills(wctx); err != nil {
		t.Fatal(err)
	}
	for _, s := range indicSearches {
		want := s.want
		if s.query == "कुमार" {
			want = append(slices.Clone(want), "during")
		}
		if got := searchRefs(t, db, s.query); !slices.Equal(got, want) {
			t.Errorf("after the fills: search %q = %v, want %v", s.query, got, want)
		}
	}
	if err := db.read.QueryRow(`SELECT COUNT(*) FROM case_terms WHERE ` + indicRange + ` AND length(term) = 1`).Scan(&letters); err != nil || letters != 0 {
		t.Errorf("after the fills: %d one-letter words (%v), want none", letters, err)
	}
	checkQueueKeys(t, db, "after the indic fills")
}
