package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// ingestSnapshot stores s as a case and returns its id.
func ingestSnapshot(t *testing.T, db *DB, s *Snapshot) int64 {
	t.Helper()
	body, _ := json.Marshal(s)
	res, err := db.Ingest(context.Background(), &Incoming{Source: s.Source, ReceivedAt: db.Now(), Body: body, Snapshot: s})
	if err != nil || res.CaseID == 0 {
		t.Fatalf("Ingest(%s) = %+v, %v", s.Ref, res, err)
	}
	return res.CaseID
}

func vcipChecklistCase(ref string) *Snapshot {
	return &Snapshot{Source: SourceVCIP, Ref: ref, Person: Person{FullName: "ASHA RAO"},
		Instructions: []Instruction{{Text: "Show your face"}, {Text: "Hold your PAN card", IDCardBoxRequired: true},
			{Text: "Read the code aloud", ScreenshotRequired: true}}}
}

func ms(v int64) *int64 { return &v }

// fieldError returns the sentence err carries for field, failing when it carries none.
func fieldError(t *testing.T, err error, field string) string {
	t.Helper()
	e, ok := AsError(err)
	if !ok || e.Fields[field] == "" {
		t.Fatalf("error = %v, want a field error on %q", err, field)
	}
	return e.Fields[field]
}

func saveRow(t *testing.T, db *DB, who Actor, id int64, d ChecklistDraft) {
	t.Helper()
	if _, err := db.SaveChecklist(context.Background(), who, id, d); err != nil {
		t.Fatalf("SaveChecklist(%+v): %v", d, err)
	}
}

// TestChecklistBlocksAllow: a video-KYC allow needs every instruction dispositioned and a note on
// each that is not satisfactory; the store refuses it otherwise, inside Decide as in CheckDecision.
// The checklist is frozen into the decision, its audit entry and the decision event.
func TestChecklistBlocksAllow(t *testing.T) {
	db, _ := openWorkspace(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	id := ingestSnapshot(t, db, withRecording(vcipChecklistCase("sess-checklist")))
	archiveRecording(t, db, id)
	if err := db.Claim(ctx, rev, id); err != nil {
		t.Fatal(err)
	}
	allow := DecisionInput{CaseID: id, Outcome: OutcomeAllow, ReasonCode: "face_matches"}

	_, err := db.Decide(ctx, rev, allow)
	if got := fieldError(t, err, "checklist"); !strings.Contains(got, "instructions 1, 2, 3") {
		t.Errorf("allow with nothing dispositioned: %q, want it to name instructions 1, 2, 3", got)
	}
	saveRow(t, db, rev, id, ChecklistDraft{Key: "instruction:1", BookmarkMS: ms(3200), Disposition: DispSatisfactory})
	saveRow(t, db, rev, id, ChecklistDraft{Key: "instruction:2", BookmarkMS: ms(7400), Disposition: DispUnclear})
	saveRow(t, db, rev, id, ChecklistDraft{Key: "instruction:3", Disposition: DispSatisfactory})
	err = db.CheckDecision(ctx, rev, allow)
	if got := fieldError(t, err, "checklist"); !strings.Contains(got, "Instruction 2 is not satisfactory") {
		t.Errorf("allow with an unclear row and no note: %q", got)
	}
	if _, err := db.Decide(ctx, rev, allow); err == nil {
		t.Fatal("Decide allowed a case whose unclear instruction has no note")
	}
	// A decline needs no checklist.
	if err := db.CheckDecision(ctx, rev, DecisionInput{CaseID: id, Outcome: OutcomeDecline, ReasonCode: "poor_quality", Note: "n"}); err != nil {
		t.Errorf("decline with an open checklist: %v", err)
	}
	saveRow(t, db, rev, id, ChecklistDraft{Key: "instruction:2", BookmarkMS: ms(7400), Disposition: DispUnclear,
		Note: "Card held briefly; number legible on the screenshot."})
	d, err := db.Decide(ctx, rev, allow)
	if err != nil {
		t.Fatalf("allow with every row dispositioned: %v", err)
	}
	if len(d.Checklist) != 3 || d.Checklist[1].Disposition != DispUnclear || d.Checklist[1].BookmarkMS == nil || *d.Checklist[1].BookmarkMS != 7400 {
		t.Errorf("decision checklist = %+v", d.Checklist)
	}

	// Frozen: the stored decision carries it; the draft can no longer change (the case waits for approval).
	ds, err := db.CaseDecisions(ctx, id)
	if err != nil || len(ds) != 1 {
		t.Fatalf("CaseDecisions = %v, %v", ds, err)
	}
	if got := ChecklistSummary(ds[0].Checklist); got != "1 Show your face: satisfactory @0:03; 2 Hold your PAN card: unclear @0:07 (Card held briefly; number legible on the screenshot.); 3 Read the code aloud: satisfactory" {
		t.Errorf("stored checklist = %q", got)
	}
	_, err = db.SaveChecklist(ctx, rev, id, ChecklistDraft{Key: "instruction:1", Disposition: DispNotSatisfactory})
	if e, ok := AsError(err); !ok || e.Kind != KindConflict {
		t.Errorf("SaveChecklist after the decision = %v, want a conflict", err)
	}
	var details string
	if err := db.read.QueryRowContext(ctx, `SELECT details FROM audit_log WHERE case_id = ? AND action = 'case.decision'`, id).Scan(&details); err != nil {
		t.Fatal(err)
	}
	var audit struct {
		Checklist []ChecklistEntry `json:"checklist"`
	}
	if err := json.Unmarshal([]byte(details), &audit); err != nil || len(audit.Checklist) != 3 || audit.Checklist[1].Note == "" {
		t.Errorf("audit details checklist = %s (%v)", details, err)
	}
	var data string
	if err := db.read.QueryRowContext(ctx, `SELECT data FROM events WHERE case_id = ? ORDER BY id DESC LIMIT 1`, id).Scan(&data); err != nil {
		t.Fatal(err)
	}
	var ev EventData
	if err := json.Unmarshal([]byte(data), &ev); err != nil || len(ev.Checklist) != 3 || ev.Checklist[0].Disposition != DispSatisfactory {
		t.Errorf("decision event data = %s (%v)", data, err)
	}
}

// TestChecklistConfirmsRiskNeedsNote: on a SUSPECTED Mark ID case each tag and AML hit is a row;
// allowing with a row that confirms the risk needs a note on that row. Undispositioned signals do
// not block.
func TestChecklistConfirmsRiskNeedsNote(t *testing.T) {
	db, _ := openWorkspace(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	final := true
	s := &Snapshot{Source: SourceMarkID, Ref: "scan-risk", Person: Person{FirstName: "ANNA", LastName: "K"},
		Status: Status{Overall: StatusSuspected, Final: &final, FraudTags: []string{"FACE_IN_BLACKLIST"}, MismatchTags: []string{"NAME"}},
		AML:    []Check{{ServiceName: "PilotApiAmlV2", HitCount: 2}, {ServiceName: "Clean", OverallStatus: "NOT_SUSPECTED"}}}
	id := ingestSnapshot(t, db, s)
	items := ChecklistItems(s)
	var keys []string
	for _, it := range items {
		keys = append(keys, it.Key+"="+it.Label)
	}
	if got, want := strings.Join(keys, ","), "fraud_tag:FACE_IN_BLACKLIST=FACE_IN_BLACKLIST,mismatch_tag:NAME=NAME,aml:0=AML · PilotApiAmlV2"; got != want {
		t.Errorf("ChecklistItems = %s, want %s", got, want)
	}
	if err := db.Claim(ctx, rev, id); err != nil {
		t.Fatal(err)
	}
	allow := DecisionInput{CaseID: id, Outcome: OutcomeAllow, ReasonCode: "tags_explained", Note: "Explained by the customer."}
	if err := db.CheckDecision(ctx, rev, allow); err != nil {
		t.Errorf("allow with undispositioned signals: %v", err)
	}
	if _, err := db.SaveChecklist(ctx, rev, id, ChecklistDraft{Key: "fraud_tag:FACE_IN_BLACKLIST", Disposition: DispSatisfactory}); err == nil {
		t.Error("a signal took an instruction's disposition")
	} else {
		fieldError(t, err, "disposition")
	}
	saveRow(t, db, rev, id, ChecklistDraft{Key: "fraud_tag:FACE_IN_BLACKLIST", Disposition: DispClear})
	saveRow(t, db, rev, id, ChecklistDraft{Key: "aml:0", Disposition: DispConfirmsRisk})
	_, err := db.Decide(ctx, rev, allow)
	if got := fieldError(t, err, "checklist"); !strings.Contains(got, "AML · PilotApiAmlV2") {
		t.Errorf("allow with confirms-risk and no note: %q, want it to name the AML row", got)
	}
	saveRow(t, db, rev, id, ChecklistDraft{Key: "aml:0", Disposition: DispConfirmsRisk, Note: "PEP, but a known customer; EDD done."})
	d, err := db.Decide(ctx, rev, allow)
	if err != nil {
		t.Fatalf("allow with the note: %v", err)
	}
	// Not four-eyes for Mark ID: final at once, and the register carries the dispositions.
	var rows []RegisterRow
	if err := db.StreamRegister(ctx, RegisterFilter{}, func(r RegisterRow) error { rows = append(rows, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].DecisionID != d.ID ||
		rows[0].Dispositions != "1 FACE_IN_BLACKLIST: clear; 2 NAME: no disposition; 3 AML · PilotApiAmlV2: confirms risk (PEP, but a known customer; EDD done.)" {
		t.Errorf("register = %+v", rows)
	}
}

// TestSaveChecklist: only the holder of a live claim saves rows; unknown rows, dispositions and
// bookmarks are refused; the draft survives and is what the page reads back.
func TestSaveChecklist(t *testing.T) {
	db, _ := openWorkspace(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	other := wsUser(t, db, "other", RoleReviewer)
	aud := wsUser(t, db, "aud", RoleAuditor)
	id := ingestSnapshot(t, db, vcipChecklistCase("sess-draft"))
	row := ChecklistDraft{Key: "instruction:2", BookmarkMS: ms(5000), Disposition: DispNotSatisfactory, Note: "card covered"}
	if _, err := db.SaveChecklist(ctx, rev, id, row); !errors.Is(err, ErrConflict) {
		t.Errorf("save without a claim = %v, want a conflict", err)
	}
	if err := db.Claim(ctx, rev, id); err != nil {
		t.Fatal(err)
	}
	for who, want := range map[string]ErrorKind{"other": KindConflict, "aud": KindForbidden} {
		a := map[string]Actor{"other": other, "aud": aud}[who]
		if _, err := db.SaveChecklist(ctx, a, id, row); err == nil {
			t.Errorf("%s saved the holder's checklist", who)
		} else if e, _ := AsError(err); e == nil || e.Kind != want {
			t.Errorf("%s: %v, want kind %v", who, err, want)
		}
	}
	for field, bad := range map[string]ChecklistDraft{
		"checklist":   {Key: "instruction:9", Disposition: DispSatisfactory},
		"disposition": {Key: "instruction:1", Disposition: "fine"},
		"bookmark_ms": {Key: "instruction:1", BookmarkMS: ms(-1)},
		"note":        {Key: "instruction:1", Note: strings.Repeat("x", MaxChecklistNote+1)},
	} {
		_, err := db.SaveChecklist(ctx, rev, id, bad)
		if err == nil {
			t.Errorf("SaveChecklist(%+v) accepted", bad)
			continue
		}
		fieldError(t, err, field)
	}
	entries, err := db.SaveChecklist(ctx, rev, id, row)
	if err != nil {
		t.Fatal(err)
	}
	if entries[1].Disposition != DispNotSatisfactory || entries[1].Note != "card covered" {
		t.Errorf("SaveChecklist returned %+v", entries)
	}
	// The whole row is saved each time: clearing the bookmark clears it.
	saveRow(t, db, rev, id, ChecklistDraft{Key: "instruction:2", Disposition: DispNotSatisfactory, Note: "card covered"})
	got, err := db.CaseChecklist(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1].BookmarkMS != nil || got[1].Note != "card covered" || got[0].Disposition != "" || got[2].Label != "Read the code aloud" {
		t.Errorf("CaseChecklist = %+v", got)
	}
}

// TestChecklistLocationRow: a session whose geotag is outside India gets a location row that an
// allow needs dispositioned, with a note when it confirms the risk.
func TestChecklistLocationRow(t *testing.T) {
	db, _ := openWorkspace(t)
	ctx := context.Background()
	rev := wsUser(t, db, "rev", RoleReviewer)
	s := vcipChecklistCase("sess-dubai")
	s.Instructions = s.Instructions[:1]
	s.Geo = &Geo{Latitude: "25.2048", Longitude: "55.2708", CountryCode: "AE"}
	items := ChecklistItems(s)
	if len(items) != 2 || items[1].Kind != ItemGeo || items[1].Label == "" {
		t.Fatalf("ChecklistItems = %+v, want the instruction and a location row", items)
	}
	inIndia := vcipChecklistCase("sess-pune")
	inIndia.Geo = &Geo{Latitude: "18.5204", Longitude: "73.8567", CountryCode: "IN"}
	if got := ChecklistItems(inIndia); len(got) != 3 {
		t.Errorf("a session in India has %d rows, want its 3 instructions only", len(got))
	}
	id := ingestSnapshot(t, db, withRecording(s))
	archiveRecording(t, db, id)
	if err := db.Claim(ctx, rev, id); err != nil {
		t.Fatal(err)
	}
	saveRow(t, db, rev, id, ChecklistDraft{Key: "instruction:1", Disposition: DispSatisfactory})
	allow := DecisionInput{CaseID: id, Outcome: OutcomeAllow, ReasonCode: "face_matches"}
	if got := fieldError(t, db.CheckDecision(ctx, rev, allow), "checklist"); !strings.Contains(got, "location") {
		t.Errorf("allow with the location open: %q", got)
	}
	saveRow(t, db, rev, id, ChecklistDraft{Key: ItemGeo, Disposition: DispConfirmsRisk})
	if got := fieldError(t, db.CheckDecision(ctx, rev, allow), "checklist"); !strings.Contains(got, "confirming the risk") {
		t.Errorf("allow with the location confirming the risk and no note: %q", got)
	}
	saveRow(t, db, rev, id, ChecklistDraft{Key: ItemGeo, Disposition: DispConfirmsRisk, Note: "NRI customer; bank policy allows with EDD."})
	if _, err := db.Decide(ctx, rev, allow); err != nil {
		t.Errorf("allow with the location explained: %v", err)
	}
}
