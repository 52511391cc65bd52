package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// CaseRow is one case as exported.
type CaseRow struct {
	ID              int64
	Source          Source
	Ref             string
	ClientID        string
	Name            string
	Overall         string
	Final           bool
	ReviewState     string
	FraudTags       []string
	MismatchTags    []string
	Deliveries      int
	FirstReceivedAt time.Time
	LastReceivedAt  time.Time
}

// StreamCases calls fn for every case in ID order without loading them all.
func (db *DB) StreamCases(ctx context.Context, fn func(CaseRow) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT id, source, ref, client_id, full_name, overall, final, review_state,
		fraud_tags, mismatch_tags, delivery_count, first_received_at, last_received_at FROM cases ORDER BY id`)
	if err != nil {
		return fmt.Errorf("store: stream cases: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r CaseRow
		var fraud, mismatch, first, last string
		if err := rows.Scan(&r.ID, &r.Source, &r.Ref, &r.ClientID, &r.Name, &r.Overall, &r.Final, &r.ReviewState,
			&fraud, &mismatch, &r.Deliveries, &first, &last); err != nil {
			return fmt.Errorf("store: stream cases: %w", err)
		}
		_ = json.Unmarshal([]byte(fraud), &r.FraudTags)
		_ = json.Unmarshal([]byte(mismatch), &r.MismatchTags)
		r.FirstReceivedAt, r.LastReceivedAt = ParseTime(first), ParseTime(last)
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// DeliveryRow is one delivery as exported and as listed in a case's history.
type DeliveryRow struct {
	ID                                                 int64
	Source                                             Source
	Ref                                                string
	CaseID                                             int64
	ReceivedAt                                         time.Time
	RemoteAddr                                         string
	SHA256                                             string
	Size                                               int64
	Outcome                                            string
	Error                                              string
	DuplicateOf                                        int64
	Duplicates                                         int
	Final                                              *bool
	Overall                                            string
	AutoDocument, AutoFace, ManualDocument, ManualFace string
	FraudTags, MismatchTags                            []string
	Applied                                            bool
}

const deliveryColumns = `id, source, ref, COALESCE(case_id, 0), received_at, remote_addr, sha256, size, outcome, error,
	COALESCE(duplicate_of, 0), duplicates, final, overall, auto_document, auto_face, manual_document, manual_face,
	fraud_tags, mismatch_tags, applied`

func scanDelivery(row interface{ Scan(...any) error }) (DeliveryRow, error) {
	var d DeliveryRow
	var received, fraud, mismatch string
	var final *bool
	if err := row.Scan(&d.ID, &d.Source, &d.Ref, &d.CaseID, &received, &d.RemoteAddr, &d.SHA256, &d.Size, &d.Outcome, &d.Error,
		&d.DuplicateOf, &d.Duplicates, &final, &d.Overall, &d.AutoDocument, &d.AutoFace, &d.ManualDocument, &d.ManualFace,
		&fraud, &mismatch, &d.Applied); err != nil {
		return DeliveryRow{}, err
	}
	d.Final = final
	d.ReceivedAt = ParseTime(received)
	_ = json.Unmarshal([]byte(fraud), &d.FraudTags)
	_ = json.Unmarshal([]byte(mismatch), &d.MismatchTags)
	return d, nil
}

// StreamDeliveries calls fn for every delivery in arrival order.
func (db *DB) StreamDeliveries(ctx context.Context, fn func(DeliveryRow) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries ORDER BY id`)
	if err != nil {
		return fmt.Errorf("store: stream deliveries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return fmt.Errorf("store: stream deliveries: %w", err)
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CaseDeliveries lists a case's deliveries in arrival order (duplicates included).
func (db *DB) CaseDeliveries(ctx context.Context, caseID int64) ([]DeliveryRow, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case deliveries: %w", err)
	}
	defer rows.Close()
	var out []DeliveryRow
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("store: case deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
