package web

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/store/storetest"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/audit_export.* from the rowWriter reference")

// exportAuditByRowWriter is ExportAudit as it was written before it had a writer of its own: the
// general rowWriter over StreamAudit's entries. ExportAudit must write the same bytes.
func exportAuditByRowWriter(ctx context.Context, db *store.DB, w io.Writer, format string, f store.AuditFilter) error {
	rw, err := newRowWriter(w, format, []string{"id", "at", "actor", "action", "target_type", "target_id", "case_id",
		"details", "prev_hash", "hash"})
	if err != nil {
		return err
	}
	err = db.StreamAudit(ctx, f, func(e store.AuditEntry) error {
		var details any = e.DetailsJSON
		if rw.enc != nil {
			details = json.RawMessage(e.DetailsJSON)
		}
		return rw.write(e.ID, e.At, e.Actor, e.Action, e.TargetType, e.TargetID, e.CaseID, details, e.PrevHash, e.Hash)
	})
	if err != nil {
		return err
	}
	return rw.flush()
}

// aadhaarFor makes a valid Aadhaar number (Verhoeff check digit) from its first eleven digits.
func aadhaarFor(t *testing.T, first11 string) string {
	t.Helper()
	d := store.VerhoeffDigit(first11)
	if d < 0 {
		t.Fatalf("VerhoeffDigit(%q) = %d", first11, d)
	}
	return first11 + strconv.Itoa(d)
}

// hostileTexts are cell values that exercise every rule of the export: masking, the formula guard,
// CSV quoting, JSON escaping, and the separator the store joins columns with.
func hostileTexts(t *testing.T) []string {
	a := aadhaarFor(t, "23456789012")
	return []string{
		"rev1", "", "=SUM(A1:A9)", "+1", "-1", "@cmd", "\tlead tab", "\rlead cr", " lead space", "\u00a0nbsp", "\u2003em space",
		"\u0085nel", `\.`, `\`, `a,b`, `say "hi"`, `"`, "line\nbreak", "cr\rin", "trail\n", "é and ü", "\xff\xfe bad utf-8",
		"<script>alert(1)</script> & co", "sep\u2028line\u2029para", "ctl\x01\x07\x08\x0c\x1b", "unit\x1fsep", "\x1f", "\x1f\x1f",
		"nul\x00byte", a, a[:4] + " " + a[4:8] + " " + a[8:], "ref " + a + ", again " + a[:4] + "-" + a[4:8] + "-" + a[8:],
		"=" + a, "1234567890123", "🙂 emoji", "\ufeffbom",
	}
}

// seedHostileAudit appends n ordinary entries and, through the store and behind its back (an
// INSERT the triggers allow), entries with every awkward value hostileTexts knows and stored
// times in every shape the parser might meet.
func seedHostileAudit(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	if err := storetest.SeedAudit(ctx, db, n); err != nil {
		t.Fatal(err)
	}
	texts := hostileTexts(t)
	for i, s := range texts {
		e := store.AuditEntry{Actor: s, ActorID: int64(i + 1), Action: "case." + s, TargetType: s, TargetID: s,
			CaseID: int64(i + 1), Details: map[string]any{"note": s, "i": i, "nested": map[string]any{"v": s}}}
		if err := db.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := sql.Open("sqlite3", "file:"+db.Path()+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	insert := func(at string, actor, details any, caseID any) {
		t.Helper()
		if _, err := raw.Exec(`INSERT INTO audit_log (at, actor, actor_id, action, target_type, target_id, case_id,
			details, prev_hash, hash) VALUES (?, ?, NULL, 'case.view', 'case', '7', ?, ?, ?, ?)`,
			at, actor, caseID, details, store.GenesisHash, strings.Repeat("ab", 32)); err != nil {
			t.Fatal(err)
		}
	}
	for _, at := range []string{
		"2025-11-20T09:00:00.000000000Z", "2025-11-20T09:00:00.100000000Z", "2025-11-20T09:00:00.000000001Z",
		"2024-02-29T23:59:59.999999999Z", "2025-02-29T09:00:00.000000000Z", "2100-02-29T09:00:00.000000000Z",
		"2000-02-29T09:00:00.000000000Z", "0000-01-01T00:00:00.000000000Z", "9999-12-31T23:59:59.000000000Z",
		"2025-11-20T9:00:00.000000000Z", "2025-11-20T09:00:00,123000000Z", "2025-11-20T09:00:00.+12345678Z",
		"2025-11-20T09:00:00.-12345678Z", "2025-11-20T24:00:00.000000000Z", "2025-11-20T09:60:00.000000000Z",
		"2025-11-20T09:00:60.000000000Z", "2025-13-20T09:00:00.000000000Z", "2025-00-20T09:00:00.000000000Z",
		"2025-11-00T09:00:00.000000000Z", "2025-11-31T09:00:00.000000000Z", "2025-11-20T09:00:00Z",
		"2025-11-20T09:00:00.5+05:30", "0000-01-01T00:00:00+01:00", "2025-11-20 09:00:00", "garbage", "",
		"2025-11-20T09:00:00.000000000z", "2025-11-20T09:00:00.0000000000Z", "2025-11-20T09:00:00.00000000Z",
		"0001-01-01T00:00:00.000000000Z", "0001-01-01T00:00:00Z",
	} {
		insert(at, "raw", "{}", 7)
	}
	insert("2025-11-20T09:00:00.000000000Z", []byte("blob actor, \"quoted\""), []byte(`{"blob": true}`), 7)
	insert("2025-11-20T09:00:00.000000000Z", "negative case", `{ "spaced" : [ 1, 2 ],  "s": "a  b" }`, -42)
	insert("2025-11-20T09:00:00.000000000Z", "text case id", "{}", "12")
	insert("2025-11-20T09:00:00.000000000Z", "no case", `{"html":"<b>&amp;</b>","ls":"`+"\u2028"+`"}`, nil)
	insert("2025-11-20T09:00:00.000000000Z", "escapes", `{"u":"\u00e9\ud83d\ude42","e":"\"\\\/\b\f\n\r\t"}`, nil)
	insert("2025-11-20T09:00:00.000000000Z", "nums", `{"n":1e+03,"f":-0.50,"big":12345678901234567890}`, nil)
	// An ordinary entry again after all of them, chained by the store.
	if err := db.Audit(ctx, store.AuditEntry{Actor: "last", Action: "case.view", TargetType: "case", TargetID: "1", CaseID: 1}); err != nil {
		t.Fatal(err)
	}
}

// TestExportAuditMatchesRowWriter: for every format and filter, ExportAudit writes exactly the bytes
// the rowWriter reference writes, over ordinary entries and every awkward value.
func TestExportAuditMatchesRowWriter(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenDB(t, storetest.NewClock(time.Date(2025, 11, 20, 9, 0, 0, 0, time.UTC)))
	seedHostileAudit(t, db, 3000) // a megabyte of CSV: many flushes
	day := time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC)
	filters := map[string]store.AuditFilter{
		"all":        {},
		"actor":      {Actor: "rev3"},
		"action":     {Action: "case.decision"},
		"prefix":     {Action: "case."},
		"case":       {CaseID: 7},
		"range":      {From: day, To: day.Add(9 * time.Hour)},
		"no views":   {ExcludeViews: true},
		"hostile":    {Actor: "=SUM(A1:A9)"},
		"none match": {Actor: "nobody"},
	}
	for _, format := range []string{"csv", "jsonl"} {
		for name, f := range filters {
			var want, got bytes.Buffer
			if err := exportAuditByRowWriter(ctx, db, &want, format, f); err != nil {
				t.Fatalf("%s %s: reference: %v", format, name, err)
			}
			if err := ExportAudit(ctx, db, &got, format, f); err != nil {
				t.Fatalf("%s %s: ExportAudit: %v", format, name, err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				n, g, w := firstDiffLine(got.String(), want.String())
				t.Errorf("%s %s: ExportAudit differs from the rowWriter at line %d:\n got %q\nwant %q", format, name, n, g, w)
			}
			if name == "all" && bytes.Count(want.Bytes(), []byte("\n")) < 3000 {
				t.Errorf("%s: the reference export has %d lines; the comparison saw too little", format, bytes.Count(want.Bytes(), []byte("\n")))
			}
		}
	}
}

// firstDiffLine is the number and both versions of the first line where got and want differ.
func firstDiffLine(got, want string) (int, string, string) {
	g, w := strings.SplitAfter(got, "\n"), strings.SplitAfter(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return i + 1, gl, wl
		}
	}
	return 0, "", ""
}

// TestExportAuditGolden pins a small export to the bytes in testdata, written by the rowWriter
// reference (go test -run Golden -update): the header, the time format, masking, the formula
// guard and quoting, details as stored.
func TestExportAuditGolden(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenDB(t, storetest.NewClock(time.Date(2025, 11, 20, 9, 0, 0, 0, time.UTC)))
	seedHostileAudit(t, db, 12)
	for _, format := range []string{"csv", "jsonl"} {
		path := filepath.Join("testdata", "audit_export."+format)
		if *updateGolden {
			var ref bytes.Buffer
			if err := exportAuditByRowWriter(ctx, db, &ref, format, store.AuditFilter{}); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, ref.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := ExportAudit(ctx, db, &got, format, store.AuditFilter{}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			n, g, w := firstDiffLine(got.String(), string(want))
			t.Errorf("ExportAudit(%s) differs from %s at line %d:\n got %q\nwant %q", format, path, n, g, w)
		}
	}
	// The pinned CSV is read back as CSV with one record per entry, and says what it should.
	b, _ := os.ReadFile(filepath.Join("testdata", "audit_export.csv"))
	records, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("golden CSV: %v", err)
	}
	total := 0
	if err := db.StreamAudit(ctx, store.AuditFilter{}, func(store.AuditEntry) error { total++; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(records) != total+1 {
		t.Errorf("golden CSV has %d records, want a header and %d entries", len(records), total)
	}
	a := aadhaarFor(t, "23456789012")
	masked := 0
	for _, rec := range records[1:] {
		for _, cell := range rec[2:6] { // actor, action, target_type, target_id
			if store.MaskAadhaarText(cell) != cell {
				t.Errorf("golden CSV cell %q holds an Aadhaar number", cell)
			}
			masked += strings.Count(cell, "XXXX XXXX "+a[8:])
		}
	}
	if masked == 0 {
		t.Errorf("golden CSV masks no Aadhaar number")
	}
	for _, want := range []string{",'=SUM(A1:A9),", `,"say ""hi""",`, ",2024-02-29T23:59:59.999999999Z,", ",2025-11-20T09:00:00.1Z,", ",,raw,case.view,", ",'-0001-12-31T23:00:00Z,", ",2025-11-20T09:00:00.012345678Z,"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("golden CSV lacks %q", want)
		}
	}
}

// TestExportAuditJSONLRejectsInvalidDetails: details that are not JSON stop a JSON Lines export
// with an error, as json.Marshal does; CSV writes them as stored.
func TestExportAuditJSONLRejectsInvalidDetails(t *testing.T) {
	for _, details := range []string{"not json", "", `{"a":1`, `{"a":1} {}`} {
		ctx := context.Background()
		db := storetest.OpenDB(t, nil)
		seedHostileAudit(t, db, 3)
		raw, err := sql.Open("sqlite3", "file:"+db.Path()+"?_busy_timeout=10000")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`INSERT INTO audit_log (at, actor, action, details, prev_hash, hash) VALUES
			('2025-11-20T09:00:00.000000000Z', 'x', 'case.view', ?, '', '')`, details); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		var want, got bytes.Buffer
		errWant := exportAuditByRowWriter(ctx, db, &want, "jsonl", store.AuditFilter{})
		errGot := ExportAudit(ctx, db, &got, "jsonl", store.AuditFilter{})
		if errWant == nil || errGot == nil {
			t.Errorf("details %q: ExportAudit jsonl error %v, reference %v; want both to fail", details, errGot, errWant)
		}
		want.Reset()
		got.Reset()
		if err := exportAuditByRowWriter(ctx, db, &want, "csv", store.AuditFilter{}); err != nil {
			t.Fatal(err)
		}
		if err := ExportAudit(ctx, db, &got, "csv", store.AuditFilter{}); err != nil {
			t.Fatalf("details %q: ExportAudit csv: %v", details, err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			n, g, w := firstDiffLine(got.String(), want.String())
			t.Errorf("details %q: csv differs at line %d:\n got %q\nwant %q", details, n, g, w)
		}
	}
}

func TestExportAuditRejectsUnknownFormat(t *testing.T) {
	db := storetest.OpenDB(t, nil)
	var out bytes.Buffer
	if err := ExportAudit(context.Background(), db, &out, "xml", store.AuditFilter{}); err == nil || out.Len() != 0 {
		t.Errorf("ExportAudit(xml) = %v with %d bytes, want an error and nothing written", err, out.Len())
	}
}

// randomText draws a string from pieces that matter to the cell rules.
func randomText(r *rand.Rand) string {
	pieces := []string{"a", "Z", "0", "9", "1234", " ", ",", "\"", "\n", "\r", "\t", "=", "+", "-", "@", "'", `\`, ".", "<", ">",
		"&", "\x00", "\x01", "\x1f", "\x7f", "\u00a0", "\u0085", "\u2028", "\u2029", "\u3000", "é", "🙂", "\xff", "\xe2", "\xe2\x80",
		"{", "}", "[", "]", ":", "2345", "6789", "0124"}
	n := r.IntN(8)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// TestAppendCSVCell: one cell is what csvCell and encoding/csv make of it, for every kind of text.
func TestAppendCSVCell(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	texts := append(hostileTexts(t), `\.`, `'\.`, "=", "-", "\u00a0", "\u2028x")
	for i := 0; i < 200000; i++ {
		texts = append(texts, randomText(r))
	}
	for _, s := range texts {
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		_ = w.Write([]string{csvCell(s)})
		w.Flush()
		wantCell := strings.TrimSuffix(want.String(), "\n")
		if got := string(appendCSVCell(nil, s)); got != wantCell {
			t.Fatalf("appendCSVCell(%q) = %q, want %q", s, got, wantCell)
		}
	}
	for _, n := range []int64{0, 7, 255, 1 << 40, -1, -300} {
		if got, want := string(appendCSVInt(nil, n)), csvCell(n); got != want {
			t.Errorf("appendCSVInt(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestAppendStoredTime: where it takes the stored text as it is, the result is what parsing and
// formatting make of it; elsewhere it declines. Every day of the calendar in leap and common and
// century years, and random damage to a valid stamp.
func TestAppendStoredTime(t *testing.T) {
	stored := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$`)
	check := func(s string) {
		t.Helper()
		var want string // what csvCell and orderedRow write: RFC 3339 in UTC, nothing for the zero time
		if p := store.ParseTime(s); !p.IsZero() {
			want = p.UTC().Format(time.RFC3339Nano)
		}
		got, ok := appendStoredTime([]byte("x"), s)
		switch {
		case ok && (want == "" || string(got) != "x"+want):
			t.Fatalf("appendStoredTime(%q) = %q, want %q", s, got, want)
		case !ok && string(got) != "x":
			t.Fatalf("appendStoredTime(%q) declined but appended %q", s, got)
		case !ok && want != "" && stored.MatchString(s):
			t.Errorf("appendStoredTime(%q) declined a valid stamp in the stored format", s)
		}
	}
	check("0001-01-01T00:00:00.000000000Z") // the zero time: written as nothing
	check("0001-01-01T00:00:00.000000001Z")
	for _, year := range []int{0, 1, 4, 100, 400, 1600, 1700, 1900, 1999, 2000, 2023, 2024, 2025, 2100, 2400, 9999} {
		for month := 0; month <= 13; month++ {
			for day := 0; day <= 32; day++ {
				check(fmt.Sprintf("%04d-%02d-%02dT12:34:56.789000000Z", year, month, day))
			}
		}
	}
	for _, hms := range []string{"00:00:00", "23:59:59", "24:00:00", "23:60:00", "23:59:60", "99:99:99", "9:00:000"} {
		for _, frac := range []string{"000000000", "100000000", "000000001", "123456789", "999999999", "+12345678", "-12345678", " 12345678"} {
			check("2025-11-20T" + hms + "." + frac + "Z")
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	const alphabet = "0123456789-:T.Z+, z\x00\xff"
	for i := 0; i < 200000; i++ {
		b := []byte("2025-11-20T09:08:07.654321000Z")
		for k := r.IntN(3); k >= 0; k-- {
			b[r.IntN(len(b))] = alphabet[r.IntN(len(alphabet))]
		}
		check(string(b))
	}
}

// TestAppendJSONString and the details: exactly json.Marshal's bytes, and its errors.
func TestAppendJSONString(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	texts := hostileTexts(t)
	for i := 0; i < 200000; i++ {
		texts = append(texts, randomText(r))
	}
	var ae auditExport
	for _, s := range texts {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
		// The same texts as (mostly invalid) details, and inside valid details.
		for _, d := range []string{s, `{"k":` + string(want) + `}`, "[ " + string(want) + " ,\n\t1 ]", `{"` + s + `": null}`} {
			want, errWant := json.Marshal(json.RawMessage(d))
			got, errGot := ae.appendJSONDetails(nil, d)
			if (errWant == nil) != (errGot == nil) || (errWant == nil && string(got) != string(want)) {
				t.Fatalf("appendJSONDetails(%q) = %s, %v; want %s, %v", d, got, errGot, want, errWant)
			}
		}
	}
}
