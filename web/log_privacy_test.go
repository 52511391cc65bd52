package web

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestQuarantineKeepsPersonalDataOutOfTheLog: a callback broken next to a name, a document number
// and a date of birth put all three in a WARN line, and a 100 KB number was logged and stored in
// full. The log now names the delivery, the field and the byte, never a value; the stored error
// quotes at most 200 characters of any value.
func TestQuarantineKeepsPersonalDataOutOfTheLog(t *testing.T) {
	var logs lockedBuffer
	ta := newTestApp(t, withConfig(func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}))
	broken := []byte(`{"scanRef":"pii-1","data":{"docFirstName":"ZOYA","docNumber":"FT9981234","docDob":"1961-02-03",}}`)
	huge := strings.Repeat("7", 100<<10)
	long := webtest.MarkID{ScanRef: "pii-2", Top: map[string]any{"startTime": "x" + huge}}.Body()
	if res := ta.postMarkID(t, broken); res.Outcome != store.OutcomeQuarantined {
		t.Fatalf("outcome = %q, want quarantined", res.Outcome)
	}
	// A timestamp that is no timestamp keeps the case, with a schema warning cut to 200 characters.
	if res := ta.postMarkID(t, long); res.Outcome != store.OutcomeStored {
		t.Fatalf("outcome = %q, want stored with a schema warning", res.Outcome)
	}
	c, err := ta.db.CaseByID(context.Background(), ta.caseIDByRef(t, store.SourceMarkID, "pii-2"))
	if err != nil {
		t.Fatal(err)
	}
	if ws := c.Snapshot.SchemaWarnings; len(ws) != 1 || ws[0].Field != "startTime" || len(ws[0].Value) > 400 {
		t.Errorf("schema warnings = %.300v, want one for startTime with its value cut to 200 characters", ws)
	}
	out := logs.String()
	if !strings.Contains(out, "callback quarantined") || !strings.Contains(out, "schema warnings") || !strings.Contains(out, "startTime") {
		t.Fatalf("the log does not name the quarantined delivery, the schema warning and its field:\n%s", out)
	}
	for _, value := range []string{"ZOYA", "FT9981234", "1961-02-03", strings.Repeat("7", 200)} {
		if strings.Contains(out, value) {
			t.Errorf("the log carries the value %.40q:\n%.2000s", value, out)
		}
	}
	h, err := ta.db.IngestHealth(context.Background(), ta.clock.Now().Add(-time.Hour), []store.Source{store.SourceMarkID}, 10)
	if err != nil {
		t.Fatal(err)
	}
	rows := h.Quarantine
	if len(rows) != 1 {
		t.Fatalf("%d quarantined deliveries, want 1", len(rows))
	}
	for _, r := range rows {
		if len(r.Error) > 400 {
			t.Errorf("stored error of delivery %d is %d bytes, want values cut to 200 characters: %.300s…", r.ID, len(r.Error), r.Error)
		}
	}
}
