package store

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestQueueFilterByAgentRemark: the video-KYC agent's remark is kept in its own indexed column
// from the snapshot, whatever writes it (ingest, a later callback, a bulk load), shown on the
// queue row, and the queue filters on it (case-insensitively) through the index.
func TestQueueFilterByAgentRemark(t *testing.T) {
	db, _ := openWorkspace(t)
	ctx := context.Background()
	ingest := func(ref, fieldValues, body string) int64 {
		t.Helper()
		s := wsCase{source: SourceVCIP, ref: ref, first: strings.ToUpper(ref), noRecording: true}.snapshot()
		s.FieldValues = json.RawMessage(fieldValues)
		res, err := db.Ingest(ctx, &Incoming{Source: SourceVCIP, ReceivedAt: db.Now(), Body: []byte(body), Snapshot: s})
		if err != nil {
			t.Fatal(err)
		}
		return res.CaseID
	}
	rejected := ingest("rej", `{"Remark":"Rejected","ItemsToSelect":["Call Dropped"]}`, "1")
	accepted := ingest("acc", `{"Remark":"Accepted"}`, "2")
	none := ingest("none", `{"occupation":"teacher"}`, "3")
	mark := ingestWS(t, db, wsCase{ref: "m", first: "MARK", overall: StatusSuspected})

	ids := func(remark string) []int64 { return queueIDs(t, db, QueueFilter{Tab: TabAll, Remark: remark}) }
	if got := ids("rejected"); !slices.Equal(got, []int64{rejected}) {
		t.Errorf("filter rejected = %v, want [%d]", got, rejected)
	}
	if got := ids("Accepted"); !slices.Equal(got, []int64{accepted}) {
		t.Errorf("filter Accepted = %v, want [%d]", got, accepted)
	}
	p, err := db.Queue(ctx, QueueFilter{Tab: TabAll}, nil, nil, 50)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	for _, r := range p.Rows {
		got[r.ID] = r.AgentRemark
	}
	if got[rejected] != "Rejected" || got[accepted] != "Accepted" || got[none] != "" || got[mark] != "" {
		t.Errorf("queue rows' remarks = %v", got)
	}
	// A later callback with a new remark replaces it.
	ingest("acc", `{"Remark":"Recheck Required"}`, "4")
	if got := ids("Accepted"); len(got) != 0 {
		t.Errorf("after a new remark, filter Accepted = %v, want none", got)
	}
	if got := ids("recheck required"); !slices.Equal(got, []int64{accepted}) {
		t.Errorf("filter recheck required = %v, want [%d]", got, accepted)
	}
	if c, err := db.QueueCounts(ctx, QueueFilter{Remark: "Rejected"}); err != nil || c.All != 1 {
		t.Errorf("counts for Rejected = %+v, %v; want All 1", c, err)
	}
	plan, err := explainQueue(ctx, db, QueueFilter{Tab: TabNeedsDecision, Remark: "Rejected"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(plan, "\n"), "cases_agent_remark") {
		t.Errorf("remark filter plan does not use cases_agent_remark:\n%s", strings.Join(plan, "\n"))
	}
}
