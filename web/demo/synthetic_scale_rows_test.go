package demo

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/store/storetest"
)

// TestBulkLoadEmptySameRows: the scale data set, and the dashboard's synthetic history (waits
// past the SLA, remarks, eight reviewers), loaded by BulkLoadEmpty (indexes built afterwards,
// the triggers' work done by the loader) are row for row what the per-row BulkLoad writes, in
// every table (cases, deliveries, media, words, pairs, tags, decisions, dashboard summaries and
// state counts among them), and the schema afterwards is the one the migrations made.
func TestBulkLoadEmptySameRows(t *testing.T) {
	ctx := context.Background()
	files, err := scaleFiles(&store.Blobs{Dir: filepath.Join(t.TempDir(), "media")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		cases int
		load  func(db *store.DB, now time.Time, reviewers []int64, loader bulkLoader) error
		// covers are rows the data set must have (table, a part of the row), so that what the
		// loaders are compared on includes them.
		covers [][2]string
	}{
		{"scale", 1500, func(db *store.DB, now time.Time, reviewers []int64, loader bulkLoader) error {
			return loadScale(ctx, 1500, now, reviewers, files, loader)
		}, [][2]string{{"cases", "'Customer not visible'"}, {"state_counts", "'media' | 'archived'"}, {"media", "'archived'"},
			{"decisions", "'decline'"}, {"case_pairs", "'kumar priya'"}, {"case_tags", "'AML_SUSPECTION'"}}},
		{"history", 2000, func(db *store.DB, now time.Time, reviewers []int64, loader bulkLoader) error {
			return loadSyntheticHistory(ctx, 2000, 1500, reviewers, now, loader)
		}, [][2]string{{"dash_daily", "'sla_breach'"}, {"dash_daily", "'sig_allowed'"}, {"dash_daily", "'remark:Customer not visible'"},
			{"dash_final", "'vcip'"}}},
	} {
		t.Run(tc.name, func(t *testing.T) { sameRows(t, tc.cases, tc.load, tc.covers) })
	}
}

type bulkLoader = func(context.Context, func() (store.BulkCase, bool)) (int, error)

// sameRows loads a data set into two databases, once with BulkLoad and once with
// BulkLoadEmpty, and compares every table and the schema.
func sameRows(t *testing.T, n int, load func(db *store.DB, now time.Time, reviewers []int64, loader bulkLoader) error, covers [][2]string) {
	ctx := context.Background()
	clk := &storetest.Clock{}
	hash, err := store.HashPassword("not a real password", 4)
	if err != nil {
		t.Fatal(err)
	}
	open := func(t *testing.T, fast bool) (*store.DB, []string) {
		db := storetest.OpenDB(t, clk)
		schema := schemaOf(t, db)
		var reviewers []int64
		for _, name := range []string{"rev1", "rev2", "rev3", "rev4", "rev5", "rev6", "rev7", "rev8"} {
			u, err := db.CreateUser(ctx, loaderActor, name, name, hash, []string{store.RoleReviewer})
			if err != nil {
				t.Fatal(err)
			}
			reviewers = append(reviewers, u.ID)
		}
		loader := db.BulkLoad
		if fast {
			loader = db.BulkLoadEmpty
		}
		if err := load(db, clk.Now(), reviewers, loader); err != nil {
			t.Fatal(err)
		}
		return db, schema
	}
	plain, _ := open(t, false)
	fast, migrated := open(t, true)
	if got := schemaOf(t, fast); !slices.Equal(got, migrated) {
		t.Errorf("schema after BulkLoadEmpty differs from the migrations':\n%s", diffLines(got, migrated))
	}
	if got, want := schemaOf(t, fast), schemaOf(t, plain); !slices.Equal(got, want) {
		t.Errorf("schema after BulkLoadEmpty differs from after BulkLoad:\n%s", diffLines(got, want))
	}
	tables := tablesOf(t, plain)
	for _, want := range []string{"cases", "deliveries", "media", "case_terms", "case_pairs", "case_tags", "decisions",
		"dash_daily", "dash_final", "state_counts"} {
		if !slices.Contains(tables, want) {
			t.Fatalf("tables %v: no %s", tables, want)
		}
	}
	// Columns the migrations stamp with the wall clock as each database opens.
	wallClock := map[string]string{"schema_migrations": "applied_at", "backfills": "done_at"}
	for _, table := range tables {
		got, want := rowsOf(t, fast, table, wallClock[table]), rowsOf(t, plain, table, wallClock[table])
		if !slices.Equal(got, want) {
			t.Errorf("table %s: BulkLoadEmpty wrote %d rows, BulkLoad %d; they differ:\n%s", table, len(got), len(want), diffLines(got, want))
		}
	}
	if rows := rowsOf(t, fast, "cases", ""); len(rows) != n {
		t.Errorf("cases = %d rows, want %d", len(rows), n)
	}
	for _, c := range covers {
		if !slices.ContainsFunc(rowsOf(t, plain, c[0], ""), func(r string) bool { return strings.Contains(r, c[1]) }) {
			t.Errorf("table %s has no row with %s: the data set does not exercise what the comparison is for", c[0], c[1])
		}
	}
	raw := rawDB(t, fast)
	var problems []string
	for _, check := range []string{"PRAGMA foreign_key_check", "PRAGMA integrity_check"} {
		problems = append(problems, column(t, raw, check)...)
	}
	if !slices.Equal(problems, []string{"ok"}) {
		t.Errorf("foreign key and integrity checks after BulkLoadEmpty: %v, want only ok", problems)
	}
}

// rawDB opens db's file a second time, read only, to read it as SQL sees it.
func rawDB(t *testing.T, db *store.DB) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+db.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func column(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = v.String
		}
		out = append(out, strings.Join(parts, " | "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// schemaOf is sqlite_master without the root pages (which a rebuilt index changes), sorted.
func schemaOf(t *testing.T, db *store.DB) []string {
	t.Helper()
	return column(t, rawDB(t, db), `SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name`)
}

// tablesOf names every table that holds rows (not the tokenizer, a virtual table).
func tablesOf(t *testing.T, db *store.DB) []string {
	t.Helper()
	return column(t, rawDB(t, db), `SELECT name FROM sqlite_master WHERE type = 'table'
		AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name`)
}

// rowsOf is every row of table but for the column skip (none when ""), each column quoted as
// SQL's quote() does (so a blob is not taken for the same text), sorted.
func rowsOf(t *testing.T, db *store.DB, table, skip string) []string {
	t.Helper()
	raw := rawDB(t, db)
	var quoted []string
	for _, c := range column(t, raw, fmt.Sprintf(`SELECT name FROM pragma_table_info('%s') ORDER BY cid`, table)) {
		if c != skip {
			quoted = append(quoted, fmt.Sprintf(`quote("%s")`, c))
		}
	}
	rows := column(t, raw, fmt.Sprintf(`SELECT %s FROM "%s"`, strings.Join(quoted, ", "), table))
	slices.Sort(rows)
	return rows
}

// diffLines shows the first few lines in one list and not the other.
func diffLines(got, want []string) string {
	var b strings.Builder
	for _, side := range []struct {
		name     string
		in, from []string
	}{{"got", got, want}, {"want", want, got}} {
		other := map[string]bool{}
		for _, l := range side.from {
			other[l] = true
		}
		shown := 0
		for _, l := range side.in {
			if !other[l] && shown < 3 {
				fmt.Fprintf(&b, "  only in %s: %.400s\n", side.name, l)
				shown++
			}
		}
	}
	return b.String()
}
