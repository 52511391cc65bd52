package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The names of India are written in scripts whose vowel signs, viramas and nuktas are combining
// marks: कुमार is क, the sign ु, म, the sign ा and र. SQLite's unicode61 tokenizer takes marks
// for separators, so before migration 0173 it split कुमार into the letters क, म and र, and a
// search for कुमार (folded to its first letter in byte order, क) found every case with a word
// beginning with क. Migration 0173 gives case_tokens the marks of the Brahmic scripts of India
// and Sri Lanka (U+0900–U+0DFF) as word characters, so a name is one word again.

// indicMark reports whether r is a combining mark of the scripts U+0900–U+0DFF: exactly the
// tokenchars of migration 0173 (TestIndicMarksAreTheTokenizers holds the two together).
func indicMark(r rune) bool {
	return r >= 0x0900 && r < 0x0E00 && unicode.In(r, unicode.Mn, unicode.Mc)
}

// indicRange bounds the words of those scripts in case_terms (a word of them begins with one of
// their letters, whichever tokenizer made it).
const indicRange = `term >= char(2304) AND term < char(3584)`

// joiners are invisible: a name typed with or without a zero-width joiner is the same name.
var joiners = strings.NewReplacer("\u200c", "", "\u200d", "")

// wholeWords is text as the tokenizer of 0173 is given it: composed (NFC), so that a nukta letter
// typed as one character or as two is one word, and without zero-width joiners.
func wholeWords(text string) string {
	return joiners.Replace(norm.NFC.String(text))
}

// letterWords is text as the tokenizer of 0173 is given it to fold it as the one before it did:
// the marks of indicMark are separators again, so कुमार is क, म and र.
func letterWords(text string) string {
	return strings.Map(func(r rune) rune {
		if indicMark(r) {
			return ' '
		}
		return r
	}, text)
}

// searchBody is a case's search text (searchText) as indexCase hands it to the tokenizer. Until
// the existing cases have their whole words (the indic_words fill), searches still fold as
// before 0173, so a case's words are both its whole words and its letters: either folding finds
// it. The indic_letters fill then takes the letters away.
func (db *DB) searchBody(text string) string {
	whole := wholeWords(text)
	if db.wholeWords.Load() {
		return whole
	}
	if letters := letterWords(text); letters != whole {
		return whole + " " + letters
	}
	return whole
}

// searchWord is one typed word as foldQuery hands it to the tokenizer: folded as before 0173
// (letterWords) until every case has its whole words, then whole.
func (db *DB) searchWord(w string) string {
	if db.wholeWords.Load() {
		return wholeWords(w)
	}
	return letterWords(w)
}

// searchText is the text a case's search words are taken from: its names, and the display name
// without the punctuation people leave out when they search ("O'CONNOR" is also found as
// "oconnor"). Ingest, both bulk loads and the indic fills take it from here.
func searchText(s *Snapshot) string {
	name := s.DisplayName()
	parts := []string{name, s.Person.OrgFirstName, s.Person.OrgLastName}
	if s.Person.FirstName != "" && !strings.Contains(name, s.Person.FirstName) {
		parts = append(parts, s.Person.FirstName, s.Person.LastName)
	}
	if squashed := nameJoiners.Replace(name); squashed != name {
		parts = append(parts, squashed)
	}
	return strings.Join(parts, " ")
}

// refillIndicWords gives the cases first..last whose words hold a letter of those scripts the
// words searchBody now makes of their names (the indic fills, backfill.go).
func (db *DB) refillIndicWords(ctx context.Context, tx *sql.Tx, first, last int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.snapshot FROM cases c WHERE c.id IN
		(SELECT DISTINCT case_id FROM case_terms WHERE case_id BETWEEN ? AND ? AND `+indicRange+`)`, first, last)
	if err != nil {
		return err
	}
	type named struct {
		id   int64
		body string
	}
	var todo []named
	for rows.Next() {
		var id int64
		var snap string
		if err := rows.Scan(&id, &snap); err != nil {
			rows.Close()
			return err
		}
		var s Snapshot
		if err := json.Unmarshal([]byte(snap), &s); err != nil {
			rows.Close()
			return fmt.Errorf("case %d: snapshot: %w", id, err)
		}
		todo = append(todo, named{id, db.searchBody(searchText(&s))})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range todo {
		if err := indexCase(ctx, tx, c.id, c.body, true); err != nil {
			return err
		}
	}
	return nil
}
