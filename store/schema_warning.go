package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// SchemaWarning is one field of a vendor body whose type was not the documented one (an object
// where a string belongs, text where a number does). Vendors change shapes without warning, so
// such a field never hides the case: it reads as empty, and the warning keeps what arrived (the
// raw delivery keeps it byte for byte).
type SchemaWarning struct {
	Field string `json:"field"` // the path, e.g. status.additionalSteps
	Got   string `json:"got"`   // what arrived: "an object", "a string"…
	Want  string `json:"want"`  // what the decoder reads there: "a string"
	Value string `json:"value"` // the value as it arrived (JSON), cut at 200 characters
}

// MaxSchemaWarnings bounds the warnings one delivery keeps; a body with more is named by its first ones.
const MaxSchemaWarnings = 50

// Sentence is the warning as the case page and ingest health say it.
func (w SchemaWarning) Sentence() string {
	return fmt.Sprintf("%s arrived as %s; the documented type is %s.", w.Field, w.Got, w.Want)
}

// recordSchemaWarnings keeps a stored delivery's schema warnings beside it, for ingest health.
func recordSchemaWarnings(ctx context.Context, tx txn, deliveryID int64, s *Snapshot) error {
	if s == nil || len(s.SchemaWarnings) == 0 {
		return nil
	}
	b, err := json.Marshal(s.SchemaWarnings)
	if err != nil {
		return fmt.Errorf("schema warnings: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET schema_warnings = ? WHERE id = ?`, string(b), deliveryID); err != nil {
		return fmt.Errorf("schema warnings: %w", err)
	}
	return nil
}

// WarnedDelivery is a stored delivery whose body had fields of an unexpected type.
type WarnedDelivery struct {
	ID         int64
	Source     Source
	Ref        string
	CaseID     int64
	ReceivedAt time.Time
	Warnings   []SchemaWarning
}

// schemaWarnedCap bounds the count of warned deliveries ingest health reads.
const schemaWarnedCap = 10000

// SchemaWarned returns how many stored deliveries carried schema warnings (at most 10,000 are
// counted; more reads 10,001) and the newest limit of them.
func (db *DB) SchemaWarned(ctx context.Context, limit int) (int, []WarnedDelivery, error) {
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM deliveries INDEXED BY deliveries_schema_warned
		WHERE schema_warnings <> '' LIMIT ?)`, schemaWarnedCap+1).Scan(&total); err != nil {
		return 0, nil, fmt.Errorf("store: schema warnings: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, source, COALESCE(ref, ''), COALESCE(case_id, 0), received_at, schema_warnings
		FROM deliveries INDEXED BY deliveries_schema_warned WHERE schema_warnings <> '' ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return 0, nil, fmt.Errorf("store: schema warnings: %w", err)
	}
	defer rows.Close()
	var out []WarnedDelivery
	for rows.Next() {
		var d WarnedDelivery
		var at, ws string
		if err := rows.Scan(&d.ID, &d.Source, &d.Ref, &d.CaseID, &at, &ws); err != nil {
			return 0, nil, fmt.Errorf("store: schema warnings: %w", err)
		}
		d.ReceivedAt = ParseTime(at)
		if err := json.Unmarshal([]byte(ws), &d.Warnings); err != nil {
			d.Warnings = []SchemaWarning{{Field: "(unreadable)", Got: "unreadable JSON", Want: "a list of warnings"}}
		}
		out = append(out, d)
	}
	return total, out, rows.Err()
}
