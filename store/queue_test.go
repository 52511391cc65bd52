package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// wsClock is a settable clock for the workspace tests.
type wsClock struct{ t time.Time }

func (c *wsClock) now() time.Time          { return c.t }
func (c *wsClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// openWorkspace opens a fresh database whose clock the test controls.
func openWorkspace(t testing.TB) (*DB, *wsClock) {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "ws.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	clk := &wsClock{t: time.Date(2025, 11, 20, 9, 0, 0, 0, time.UTC)}
	db.Now = clk.now
	return db, clk
}

// wsCase describes a case to ingest in a few words.
type wsCase struct {
	source      Source
	ref         string
	first, last string
	overall     string
	final       bool
	fraud       []string
	mismatch    []string
	docCountry  string
	ipCountry   string
	docNumber   string
	clientID    string
	// noRecording leaves a video-KYC case without an archived recording (the evidence rule
	// then refuses an allow); by default one is named and archived.
	noRecording bool
}

func (w wsCase) snapshot() *Snapshot {
	final := w.final
	s := &Snapshot{Source: w.source, Ref: w.ref, ClientID: w.clientID,
		Person:    Person{FirstName: w.first, LastName: w.last},
		Document:  Document{Number: w.docNumber, IssuingCountry: w.docCountry},
		Status:    Status{Overall: w.overall, Final: &final, FraudTags: w.fraud, MismatchTags: w.mismatch},
		IPCountry: w.ipCountry}
	if s.Source == "" {
		s.Source = SourceMarkID
	}
	if s.Source == SourceVCIP {
		s.Person.FullName = w.first + " " + w.last
		s.Status = Status{}
		if !w.noRecording {
			withRecording(s)
		}
	}
	return s
}

// ingestWS stores the case's callback as received now and returns the case ID.
func ingestWS(t testing.TB, db *DB, w wsCase) int64 {
	t.Helper()
	s := w.snapshot()
	res, err := db.Ingest(context.Background(), &Incoming{Source: s.Source, ReceivedAt: db.Now(),
		Body: []byte(fmt.Sprintf(`{"ref":%q,"at":%q,"overall":%q}`, w.ref, db.Now(), w.overall)), Snapshot: s})
	if err != nil {
		t.Fatalf("Ingest(%s): %v", w.ref, err)
	}
	if res.CaseID == 0 {
		t.Fatalf("Ingest(%s) = %+v, want a case", w.ref, res)
	}
	if s.Source == SourceVCIP && !w.noRecording {
		archiveRecording(t, db, res.CaseID)
	}
	return res.CaseID
}

func queueIDs(t *testing.T, db *DB, f QueueFilter) []int64 {
	t.Helper()
	p, err := db.Queue(context.Background(), f, nil, nil, 500)
	if err != nil {
		t.Fatalf("Queue(%+v): %v", f, err)
	}
	ids := []int64{}
	for _, r := range p.Rows {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestQueueFilters(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx := context.Background()
	anna := ingestWS(t, db, wsCase{ref: "scan-anna", first: "ANNA", last: "KOVALENKO", overall: StatusSuspected,
		fraud: []string{"FACE_SUSPECTED"}, docCountry: "UA", ipCountry: "AE", docNumber: "FT1234567", clientID: "c-1"})
	clk.advance(time.Minute)
	viktor := ingestWS(t, db, wsCase{ref: "scan-viktor", first: "VIKTOR", last: "EXAMPLOV", overall: StatusSuspected,
		fraud: []string{"AML_SUSPECTION"}, mismatch: []string{"NAME"}, docCountry: "LT", ipCountry: "LT", docNumber: "X9988776", clientID: "c-2"})
	clk.advance(time.Minute)
	priya := ingestWS(t, db, wsCase{source: SourceVCIP, ref: "sess-priya", first: "PRIYA", last: "NAIR", ipCountry: "IN"})
	clk.advance(time.Minute)
	approved := ingestWS(t, db, wsCase{ref: "scan-ok", first: "JONAS", last: "PETRAITIS", overall: StatusApproved,
		final: true, docCountry: "LT", ipCountry: "LT", clientID: "c-3"})

	tests := []struct {
		name string
		f    QueueFilter
		want []int64
	}{
		{"default tab", QueueFilter{}, []int64{anna, viktor, priya}},
		{"all tab includes informational", QueueFilter{Tab: TabAll}, []int64{anna, viktor, priya, approved}},
		{"source", QueueFilter{Source: SourceVCIP}, []int64{priya}},
		{"overall", QueueFilter{Tab: TabAll, Overall: StatusApproved}, []int64{approved}},
		{"fraud tag", QueueFilter{FraudTag: "AML_SUSPECTION"}, []int64{viktor}},
		{"mismatch tag", QueueFilter{MismatchTag: "NAME"}, []int64{viktor}},
		{"document country", QueueFilter{Country: "UA"}, []int64{anna}},
		{"IP country", QueueFilter{Country: "AE"}, []int64{anna}},
		{"either country", QueueFilter{Tab: TabAll, Country: "LT"}, []int64{viktor, approved}},
		{"search name prefix", QueueFilter{Query: "kov"}, []int64{anna}},
		{"search full name any case", QueueFilter{Query: "anna Kovalenko"}, []int64{anna}},
		{"search scanRef", QueueFilter{Query: "scan-viktor"}, []int64{viktor}},
		{"search scanRef prefix", QueueFilter{Query: "scan-vik"}, []int64{viktor}},
		{"short prefix is no reference search", QueueFilter{Query: "sca"}, nil},
		{"search sessionId", QueueFilter{Query: "sess-priya"}, []int64{priya}},
		{"search client id", QueueFilter{Tab: TabAll, Query: "c-3"}, []int64{approved}},
		{"search document number", QueueFilter{Query: "X9988776"}, []int64{viktor}},
		{"search hostile", QueueFilter{Query: `"AND OR NEAR( *-" ^`}, []int64{}},
		{"search nothing", QueueFilter{Query: "nobody"}, []int64{}},
		{"received from", QueueFilter{From: clk.t.Add(-90 * time.Second)}, []int64{priya}},
		{"received to", QueueFilter{To: clk.t.Add(-150 * time.Second)}, []int64{anna}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := queueIDs(t, db, tt.f); !slices.Equal(got, tt.want) {
				t.Errorf("Queue(%+v) = %v, want %v", tt.f, got, tt.want)
			}
		})
	}

	n, err := db.QueueCounts(ctx, QueueFilter{Country: "LT"})
	if err != nil {
		t.Fatal(err)
	}
	if want := (ReviewCounts{NeedsDecision: 1, All: 2}); !reflect.DeepEqual(n, want) {
		t.Errorf("QueueCounts(country LT) = %+v, want %+v", n, want)
	}
	n, err = db.QueueCounts(ctx, QueueFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if want := (ReviewCounts{NeedsDecision: 3, All: 4}); !reflect.DeepEqual(n, want) {
		t.Errorf("QueueCounts() = %+v, want %+v", n, want)
	}
}

func TestQueueAssignee(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx := context.Background()
	rev1 := wsUser(t, db, "rev1", RoleReviewer)
	rev2 := wsUser(t, db, "rev2", RoleReviewer)
	a := ingestWS(t, db, wsCase{ref: "a", first: "A", overall: StatusSuspected})
	b := ingestWS(t, db, wsCase{ref: "b", first: "B", overall: StatusSuspected})
	c := ingestWS(t, db, wsCase{ref: "c", first: "C", overall: StatusSuspected})
	if err := db.Claim(ctx, rev1, a); err != nil {
		t.Fatal(err)
	}
	if err := db.Claim(ctx, rev2, b); err != nil {
		t.Fatal(err)
	}
	cutoff := func() time.Time { return clk.t.Add(-30 * time.Minute) }
	check := func(name string, f QueueFilter, want []int64) {
		t.Helper()
		f.ClaimCutoff = cutoff()
		if got := queueIDs(t, db, f); !slices.Equal(got, want) {
			t.Errorf("%s: Queue = %v, want %v", name, got, want)
		}
	}
	check("mine", QueueFilter{Assignee: AssigneeUser, AssigneeID: rev1.ID}, []int64{a})
	check("rev2's", QueueFilter{Assignee: AssigneeUser, AssigneeID: rev2.ID}, []int64{b})
	check("unassigned", QueueFilter{Assignee: AssigneeNone}, []int64{c})
	clk.advance(31 * time.Minute)
	check("expired claims count as unassigned", QueueFilter{Assignee: AssigneeNone}, []int64{a, b, c})
	check("expired claim is nobody's", QueueFilter{Assignee: AssigneeUser, AssigneeID: rev1.ID}, []int64{})

	p, err := db.Queue(ctx, QueueFilter{}, nil, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if r := p.Rows[0]; r.ClaimedByName != "rev1" || r.ClaimLive(cutoff()) {
		t.Errorf("row a: holder %q live %v, want rev1 and expired", r.ClaimedByName, r.ClaimLive(cutoff()))
	}
}

func TestQueueKeysetPagination(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx := context.Background()
	var all []int64
	for i := 0; i < 23; i++ {
		all = append(all, ingestWS(t, db, wsCase{ref: fmt.Sprintf("r%02d", i), first: "P", overall: StatusSuspected}))
		if i%3 != 0 { // some share a waiting_since: the ID breaks the tie
			clk.advance(time.Second)
		}
	}
	var seen []int64
	var after *QueueCursor
	var pages []QueuePage
	for {
		p, err := db.Queue(ctx, QueueFilter{}, after, nil, 5)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p)
		for _, r := range p.Rows {
			seen = append(seen, r.ID)
		}
		if p.Next == nil {
			break
		}
		// A case arriving meanwhile lands at the end; it neither shifts nor repeats rows.
		if len(pages) == 2 {
			clk.advance(time.Hour)
			all = append(all, ingestWS(t, db, wsCase{ref: "late", first: "L", overall: StatusSuspected}))
		}
		c, ok := ParseQueueCursor(p.Next.String())
		if !ok || c != *p.Next {
			t.Fatalf("cursor %v does not round-trip through %q", *p.Next, p.Next.String())
		}
		after = &c
	}
	if !slices.Equal(seen, all) {
		t.Fatalf("paged IDs = %v, want %v", seen, all)
	}
	if pages[0].Prev != nil {
		t.Errorf("first page has a Prev cursor")
	}
	// Going back from the third page gives the second page exactly.
	back, err := db.Queue(ctx, QueueFilter{}, nil, pages[2].Prev, 5)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rowIDs(back.Rows), rowIDs(pages[1].Rows); !slices.Equal(got, want) {
		t.Errorf("previous page = %v, want %v", got, want)
	}
	if back.Prev == nil || back.Next == nil {
		t.Errorf("previous page cursors = %v / %v, want both", back.Prev, back.Next)
	}
	first, err := db.Queue(ctx, QueueFilter{}, nil, back.Prev, 5)
	if err != nil {
		t.Fatal(err)
	}
	if first.Prev != nil || !slices.Equal(rowIDs(first.Rows), rowIDs(pages[0].Rows)) {
		t.Errorf("back to the first page = %v (prev %v), want %v and no prev", rowIDs(first.Rows), first.Prev, rowIDs(pages[0].Rows))
	}
	for _, bad := range []string{"", "x", "1-", "-1", "12-0", "a-b"} {
		if _, ok := ParseQueueCursor(bad); ok {
			t.Errorf("ParseQueueCursor(%q) accepted", bad)
		}
	}
}

func rowIDs(rows []QueueRow) []int64 {
	out := []int64{}
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

func TestFTSQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Anna", "anna*"},
		{"  anna   KOV ", "anna* kov*"},
		{`"); DROP TABLE cases; --`, "drop* table* cases*"},
		{"AND OR NOT NEAR", "and* or* not* near*"},
		{"Šiluva", "šiluva*"},
		{"कृपया", "कृपया*"}, // combining marks stay inside the word
		{"தமிழ் நாடு", "தமிழ்* நாடு*"},
		{"***", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got := FTSQuery(tt.in)
		if got != tt.want {
			t.Errorf("FTSQuery(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestQueuePlansUseIndexes checks that no variant of the queue query reads the cases table
// from end to end without an index.
func TestQueuePlansUseIndexes(t *testing.T) {
	db, clk := openWorkspace(t)
	bulkCases(t, db, 2000, clk.t)
	after := &QueueCursor{WaitingSince: clk.t.Add(-time.Hour), ID: 10}
	variants := map[string]QueueFilter{
		"default":      {},
		"pending":      {Tab: TabPending},
		"all":          {Tab: TabAll},
		"source":       {Source: SourceVCIP},
		"overall":      {Overall: StatusSuspected},
		"fraud tag":    {FraudTag: "FACE_SUSPECTED"},
		"mismatch tag": {MismatchTag: "NAME"},
		"country":      {Country: "LT"},
		"date range":   {From: clk.t.Add(-48 * time.Hour), To: clk.t},
		"mine":         {Assignee: AssigneeUser, AssigneeID: 1, ClaimCutoff: clk.t},
		"unassigned":   {Assignee: AssigneeNone, ClaimCutoff: clk.t},
		"search":       {Query: "anna"},
		"search words": {Query: "anna kov", Tab: TabAll},
		"search + tag": {Query: "anna", FraudTag: "VIRTUAL_CAMERA"},
		"short search": {Query: "a"},
		"all + tag":    {Tab: TabAll, FraudTag: "VIRTUAL_CAMERA"},
		"remark":       {Tab: TabAll, Remark: "Rejected"},
	}
	// A narrowing with an index of its own in queue order drives the page through it.
	wantIndex := map[string]string{"remark": "cases_agent_remark", "country": "cases_doc_country",
		"fraud tag": "case_tags_queue", "source": "cases_source_queue"}
	for name, f := range variants {
		for _, cur := range []*QueueCursor{nil, after} {
			plan, err := explainQueue(context.Background(), db, f, cur)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if os.Getenv("QUEUE_PLANS") != "" {
				t.Logf("%s:\n%s", name, strings.Join(plan, "\n"))
			}
			if idx := wantIndex[name]; idx != "" && !slices.ContainsFunc(plan, func(step string) bool {
				return (strings.HasPrefix(step, "SEARCH c ") || strings.HasPrefix(step, "SEARCH t ")) && strings.Contains(step, " INDEX "+idx+" (")
			}) {
				t.Errorf("%s: the page does not walk %s:\n%s", name, idx, strings.Join(plan, "\n"))
			}
			for _, step := range plan {
				if strings.HasPrefix(step, "SCAN c") && !strings.Contains(step, "INDEX") {
					t.Errorf("%s: plan scans cases without an index:\n%s", name, strings.Join(plan, "\n"))
				}
				// The page walks an index in queue order; sorting the matches would cost every match.
				// ("mine" starts from the holder's few claims and sorts those, by design.)
				if strings.Contains(step, "USE TEMP B-TREE FOR ORDER BY") && name != "mine" {
					t.Errorf("%s: plan sorts instead of walking the queue order:\n%s", name, strings.Join(plan, "\n"))
				}
				if strings.HasPrefix(step, "SCAN case_tags") {
					t.Errorf("%s: plan scans case_tags:\n%s", name, strings.Join(plan, "\n"))
				}
			}
		}
	}
}

// TestQueueSearchFoldsAccentsAndApostrophes: people type names the way their keyboard allows.
func TestQueueSearchFoldsAccentsAndApostrophes(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx := context.Background()
	thi := ingestWS(t, db, wsCase{ref: "scan-thi", first: "Thị", last: "Nguyễn", overall: StatusSuspected})
	clk.advance(time.Minute)
	siobhan := ingestWS(t, db, wsCase{ref: "scan-sio", first: "SIOBHAN", last: "O'CONNOR", overall: StatusSuspected})
	for q, want := range map[string]int64{"nguyen": thi, "Nguyễn": thi, "oconnor": siobhan, "o'connor": siobhan} {
		page, err := db.Queue(ctx, QueueFilter{Query: q}, nil, nil, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Rows) != 1 || page.Rows[0].ID != want {
			t.Errorf("search %q = %d rows, want case %d", q, len(page.Rows), want)
		}
	}
}

// explainQueue returns SQLite's query plan for the queue query of f (one line per plan step),
// so tests can check that every variant reads an index rather than the whole table.
func explainQueue(ctx context.Context, db *DB, f QueueFilter, after *QueueCursor) ([]string, error) {
	q, args, err := db.queueSelect(ctx, f, after, nil, QueuePageSize+1)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: explain queue: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return nil, fmt.Errorf("store: explain queue: %w", err)
		}
		out = append(out, detail)
	}
	return out, rows.Err()
}

// bulkCases loads n varied cases (both sources, tags, countries, every review state) through
// BulkLoad, so that query plans are judged on a table with a realistic spread.
func bulkCases(t *testing.T, db *DB, n int, now time.Time) {
	t.Helper()
	states := []string{ReviewNeedsDecision, ReviewNeedsDecision, ReviewDecided, ReviewPendingApproval, ReviewInformational}
	fraud := []string{"FACE_SUSPECTED", "VIRTUAL_CAMERA", "AML_SUSPECTION"}
	countries := []string{"LT", "UA", "IN", "DE"}
	i := 0
	_, err := db.BulkLoad(context.Background(), func() (BulkCase, bool) {
		if i >= n {
			return BulkCase{}, false
		}
		s := &Snapshot{Source: SourceMarkID, Ref: fmt.Sprintf("bulk-%05d", i), ClientID: fmt.Sprintf("c-%d", i),
			IPCountry: countries[(i/3)%len(countries)],
			Person:    Person{FirstName: []string{"ANNA", "RAHUL", "MEI"}[i%3], LastName: "K" + strconv.Itoa(i%97)},
			Document:  Document{Number: fmt.Sprintf("P%07d", i), IssuingCountry: countries[i%len(countries)]},
			Status:    Status{Overall: StatusSuspected, FraudTags: []string{fraud[i%len(fraud)]}}}
		if i%4 == 1 {
			s.Status.MismatchTags = []string{"NAME"}
		}
		if i%5 == 4 {
			s.Source, s.Status = SourceVCIP, Status{}
		}
		bc := BulkCase{Snapshot: s, ReceivedAt: now.Add(-time.Duration(n-i) * time.Minute), ReviewState: states[i%len(states)]}
		i++
		return bc, true
	})
	if err != nil {
		t.Fatal(err)
	}
}
