package web

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// rowWriter writes rows as CSV (with a header) or JSON Lines, streaming.
type rowWriter struct {
	format string
	cols   []string
	buf    *bufio.Writer
	csv    *csv.Writer
	enc    *json.Encoder
}

func newRowWriter(w io.Writer, format string, cols []string) (*rowWriter, error) {
	rw := &rowWriter{format: format, cols: cols, buf: bufio.NewWriterSize(w, 64<<10)}
	switch format {
	case "csv":
		rw.csv = csv.NewWriter(rw.buf)
		if err := rw.csv.Write(cols); err != nil {
			return nil, err
		}
	case "jsonl":
		rw.enc = json.NewEncoder(rw.buf)
		rw.enc.SetEscapeHTML(false)
	default:
		return nil, store.Errorf(store.KindInvalid, "The export format is csv or jsonl.")
	}
	return rw, nil
}

// write emits one row; vals line up with cols. CSV cells that a spreadsheet would run as a
// formula are prefixed with a quote, since vendor data comes from strangers.
func (rw *rowWriter) write(vals ...any) error {
	for i, v := range vals {
		// Every export masks the Aadhaar numbers in its text cells, one place for all of them.
		// The audit log's details and hashes stay as stored, so an exported entry still recomputes.
		if s, ok := v.(string); ok && !keptVerbatim(rw.cols[i]) {
			vals[i] = store.MaskAadhaarText(s)
		}
	}
	if rw.csv != nil {
		rec := make([]string, len(vals))
		for i, v := range vals {
			rec[i] = csvCell(v)
		}
		return rw.csv.Write(rec)
	}
	obj := make(map[string]any, len(vals))
	for i, v := range vals {
		obj[rw.cols[i]] = v
	}
	return rw.enc.Encode(orderedRow{cols: rw.cols, vals: obj})
}

// keptVerbatim names the export columns that must read exactly as stored: the audit chain's own.
func keptVerbatim(col string) bool { return col == "details" || col == "prev_hash" || col == "hash" }

func (rw *rowWriter) flush() error {
	if rw.csv != nil {
		rw.csv.Flush()
		if err := rw.csv.Error(); err != nil {
			return err
		}
	}
	return rw.buf.Flush()
}

func csvCell(v any) string {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case []string:
		s = strings.Join(x, " ")
	case time.Time:
		if x.IsZero() {
			return ""
		}
		s = x.UTC().Format(time.RFC3339Nano)
	case bool:
		s = strconv.FormatBool(x)
	case int:
		s = strconv.Itoa(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	case *bool:
		if x == nil {
			return ""
		}
		s = strconv.FormatBool(*x)
	default:
		s = fmt.Sprint(x)
	}
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// orderedRow marshals its columns in order, so JSON Lines read the same as the CSV header.
type orderedRow struct {
	cols []string
	vals map[string]any
}

func (o orderedRow) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, c := range o.cols {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(c)
		v := o.vals[c]
		if t, ok := v.(time.Time); ok {
			if t.IsZero() {
				v = nil
			} else {
				v = t.UTC().Format(time.RFC3339Nano)
			}
		}
		if s, ok := v.([]string); ok && s == nil {
			v = []string{}
		}
		val, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// ExportCases writes one row per case.
func ExportCases(ctx context.Context, db *store.DB, w io.Writer, format string) error {
	rw, err := newRowWriter(w, format, []string{"id", "source", "ref", "client_id", "name", "overall_status", "final",
		"review_state", "fraud_tags", "mismatch_tags", "deliveries", "first_received_at", "last_received_at"})
	if err != nil {
		return err
	}
	err = db.StreamCases(ctx, func(r store.CaseRow) error {
		return rw.write(r.ID, string(r.Source), r.Ref, r.ClientID, r.Name, r.Overall, r.Final, r.ReviewState,
			r.FraudTags, r.MismatchTags, r.Deliveries, r.FirstReceivedAt, r.LastReceivedAt)
	})
	if err != nil {
		return err
	}
	return rw.flush()
}

// ExportCallbacks writes one row per delivery.
func ExportCallbacks(ctx context.Context, db *store.DB, w io.Writer, format string) error {
	rw, err := newRowWriter(w, format, []string{"id", "source", "ref", "received_at", "sha256", "size", "outcome",
		"duplicate_of", "error"})
	if err != nil {
		return err
	}
	err = db.StreamDeliveries(ctx, func(d store.DeliveryRow) error {
		return rw.write(d.ID, string(d.Source), d.Ref, d.ReceivedAt, d.SHA256, d.Size, d.Outcome, d.DuplicateOf, d.Error)
	})
	if err != nil {
		return err
	}
	return rw.flush()
}

// ExportRetention writes the tombstones of items purged in [from, to) as CSV: the proof of purge.
// A zero to means up to now.
func ExportRetention(ctx context.Context, db *store.DB, w io.Writer, from, to time.Time) error {
	if to.IsZero() {
		to = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	rw, err := newRowWriter(w, "csv", []string{"purged_at", "case_id", "kind", "item", "sha256", "size", "policy", "audit_id"})
	if err != nil {
		return err
	}
	if err := db.Tombstones(ctx, from, to, func(t store.Tombstone) error {
		return rw.write(t.PurgedAt, t.CaseID, t.Kind, t.Item, t.SHA256, t.Size, t.Policy, t.AuditID)
	}); err != nil {
		return err
	}
	return rw.flush()
}
