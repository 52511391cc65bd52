package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestIngestHealth(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	clk := &wsClock{t: now}
	db.Now = clk.now

	ingest := func(in *Incoming) IngestResult {
		t.Helper()
		res, err := db.Ingest(ctx, in)
		if err != nil {
			t.Fatalf("Ingest: %v", err)
		}
		return res
	}
	// Two days ago: outside the window, but still the source's history.
	ingest(incoming(markSnap("old", StatusSuspected, true), `{"old":1}`, now.Add(-48*time.Hour)))
	ingest(incoming(markSnap("a", StatusSuspected, true), `{"a":1}`, now.Add(-3*time.Hour)))
	ingest(incoming(markSnap("a", StatusSuspected, true), `{"a":1}`, now.Add(-2*time.Hour))) // duplicate
	ingest(incoming(markSnap("b", StatusApproved, true), `{"b":1}`, now.Add(-time.Hour)))
	broken := &Incoming{Source: SourceMarkID, ReceivedAt: now.Add(-30 * time.Minute), RemoteAddr: "192.0.2.1",
		Body: []byte(`{"broken`), DecodeErr: errors.New("unexpected end of JSON input")}
	q := ingest(broken)
	if q.Outcome != OutcomeQuarantined {
		t.Fatalf("broken delivery outcome = %s, want quarantined", q.Outcome)
	}

	authFailed := func(at time.Time, source Source, failures int, from string) {
		t.Helper()
		clk.t = at
		if err := db.Audit(ctx, AuditEntry{Actor: "system", Action: "webhook.auth_failed", TargetType: "webhook",
			TargetID: string(source), Details: map[string]any{"remote_addr": from, "failures": failures, "window": "1m0s"}}); err != nil {
			t.Fatal(err)
		}
	}
	authFailed(now.Add(-30*time.Hour), SourceMarkID, 7, "198.51.100.1") // too old
	authFailed(now.Add(-5*time.Hour), SourceMarkID, 3, "198.51.100.2")
	authFailed(now.Add(-10*time.Minute), SourceMarkID, 2, "198.51.100.3")
	authFailed(now.Add(-10*time.Minute), SourceVCIP, 1, "198.51.100.4")
	clk.t = now

	h, err := db.IngestHealth(ctx, now.Add(-24*time.Hour), []Source{SourceMarkID, SourceVCIP}, 10)
	if err != nil {
		t.Fatalf("IngestHealth: %v", err)
	}
	if len(h.Sources) != 2 {
		t.Fatalf("Sources = %+v, want markid and vcip", h.Sources)
	}
	m, v := h.Sources[0], h.Sources[1]
	if m.Source != SourceMarkID || m.Stored != 2 || m.Duplicate != 1 || m.Quarantined != 1 || m.Received() != 4 {
		t.Errorf("markid = %+v, want 2 stored, 1 duplicate, 1 quarantined", m)
	}
	if !m.LastReceived.Equal(now.Add(-30 * time.Minute)) {
		t.Errorf("markid LastReceived = %v, want %v", m.LastReceived, now.Add(-30*time.Minute))
	}
	if m.Unauthorized != 5 || m.UnauthorizedSamples != 2 || m.LastUnauthorizedFrom != "198.51.100.3" ||
		!m.LastUnauthorized.Equal(now.Add(-10*time.Minute)) {
		t.Errorf("markid unauthorized = %d in %d samples, last %v from %q; want 5 in 2, last 10 minutes ago from 198.51.100.3",
			m.Unauthorized, m.UnauthorizedSamples, m.LastUnauthorized, m.LastUnauthorizedFrom)
	}
	if v.Source != SourceVCIP || v.Received() != 0 || !v.LastReceived.IsZero() || v.Unauthorized != 1 {
		t.Errorf("vcip = %+v, want nothing received and 1 unauthorized", v)
	}
	if h.QuarantineTotal != 1 || len(h.Quarantine) != 1 || h.Quarantine[0].ID != q.DeliveryID ||
		h.Quarantine[0].Error != "unexpected end of JSON input" || h.Quarantine[0].Source != SourceMarkID {
		t.Errorf("quarantine = %d %+v, want delivery %d with its decode error", h.QuarantineTotal, h.Quarantine, q.DeliveryID)
	}
}
