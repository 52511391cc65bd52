package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kycdesk/kycdesk/store"
)

// auditExportHeader is the audit export's CSV header; JSON Lines use the same names as keys.
const auditExportHeader = "id,at,actor,action,target_type,target_id,case_id,details,prev_hash,hash\n"

// auditFlushBytes is how much of an audit export collects before it goes to the writer.
const auditFlushBytes = 64 << 10

// ExportAudit writes the matching audit entries, oldest first, as CSV (with a header) or JSON Lines.
//
// It writes the bytes the general rowWriter (every other export's) would, but straight from the
// stored text into one reused buffer, with no time parsed and formatted again: the rowWriter's
// cells boxed in interfaces, record slices, JSON maps and parsed times were, with the scan, some
// 34 allocations per entry and most of the time of an export of a million. The rules are the
// rowWriter's: the text columns masked (Aadhaar numbers), the chain's own columns (details,
// prev_hash, hash) as stored, the CSV formula guard and encoding/csv's quoting, json.Marshal's
// escaping; export_audit_test.go holds the rowWriter version and checks the two byte for byte.
func ExportAudit(ctx context.Context, db *store.DB, w io.Writer, format string, f store.AuditFilter) error {
	ae := auditExport{w: w, buf: make([]byte, 0, auditFlushBytes+4<<10)}
	switch format {
	case "csv":
		ae.buf = append(ae.buf, auditExportHeader...)
	case "jsonl":
		ae.jsonl = true
	default:
		return store.Errorf(store.KindInvalid, "The export format is csv or jsonl.")
	}
	if err := db.StreamAuditRows(ctx, f, ae.row); err != nil {
		return err
	}
	_, err := w.Write(ae.buf)
	return err
}

// auditExport appends each entry to buf and hands buf to w once it holds auditFlushBytes.
type auditExport struct {
	w     io.Writer
	jsonl bool
	buf   []byte
	// raw and compact hold a JSON line's details while they are compacted.
	raw     []byte
	compact bytes.Buffer
}

func (ae *auditExport) row(r *store.AuditRow) error {
	var err error
	if ae.jsonl {
		ae.buf, err = ae.appendJSONL(ae.buf, r)
	} else {
		ae.buf = appendAuditCSV(ae.buf, r)
	}
	if err != nil {
		return err
	}
	if len(ae.buf) >= auditFlushBytes {
		if _, err := ae.w.Write(ae.buf); err != nil {
			return err
		}
		ae.buf = ae.buf[:0]
	}
	return nil
}

// appendAuditCSV appends one entry as a CSV record.
func appendAuditCSV(b []byte, r *store.AuditRow) []byte {
	b = appendCSVInt(b, r.ID)
	b = append(b, ',')
	if t, ok := appendStoredTime(b, r.At); ok {
		b = t // digits first and nothing to quote
	} else if at := store.ParseTime(r.At); !at.IsZero() {
		b = appendCSVCell(b, at.UTC().Format(time.RFC3339Nano))
	}
	for _, s := range [...]string{r.Actor, r.Action, r.TargetType, r.TargetID} {
		b = append(b, ',')
		b = appendCSVCell(b, store.MaskAadhaarText(s))
	}
	b = append(b, ',')
	b = appendCSVInt(b, r.CaseID)
	for _, s := range [...]string{r.Details, r.PrevHash, r.Hash} {
		b = append(b, ',')
		b = appendCSVCell(b, s)
	}
	return append(b, '\n')
}

// appendJSONL appends one entry as a JSON object and a newline, keys in the CSV header's order.
func (ae *auditExport) appendJSONL(b []byte, r *store.AuditRow) ([]byte, error) {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, r.ID, 10)
	b = append(b, `,"at":`...)
	if t, ok := appendStoredTime(append(b, '"'), r.At); ok { // else b is as it was
		b = append(t, '"')
	} else if at := store.ParseTime(r.At); !at.IsZero() {
		b = appendJSONString(b, at.UTC().Format(time.RFC3339Nano))
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"actor":`...)
	b = appendJSONString(b, store.MaskAadhaarText(r.Actor))
	b = append(b, `,"action":`...)
	b = appendJSONString(b, store.MaskAadhaarText(r.Action))
	b = append(b, `,"target_type":`...)
	b = appendJSONString(b, store.MaskAadhaarText(r.TargetType))
	b = append(b, `,"target_id":`...)
	b = appendJSONString(b, store.MaskAadhaarText(r.TargetID))
	b = append(b, `,"case_id":`...)
	b = strconv.AppendInt(b, r.CaseID, 10)
	b = append(b, `,"details":`...)
	b, err := ae.appendJSONDetails(b, r.Details)
	if err != nil {
		return b, err
	}
	b = append(b, `,"prev_hash":`...)
	b = appendJSONString(b, r.PrevHash)
	b = append(b, `,"hash":`...)
	b = appendJSONString(b, r.Hash)
	return append(b, "}\n"...), nil
}

// appendCSVInt appends n as its CSV cell: a negative number gets the formula guard like any cell
// that starts with '-'.
func appendCSVInt(b []byte, n int64) []byte {
	if n < 0 {
		return appendCSVCell(b, strconv.FormatInt(n, 10))
	}
	return strconv.AppendInt(b, n, 10)
}

// appendCSVCell appends s as one CSV field: csvCell's formula guard, then encoding/csv's quoting
// (Comma ',', UseCRLF false) of the guarded text.
func appendCSVCell(b []byte, s string) []byte {
	guard := s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0
	if !csvNeedsQuotes(s, guard) {
		if guard {
			b = append(b, '\'')
		}
		return append(b, s...)
	}
	b = append(b, '"')
	if guard {
		b = append(b, '\'')
	}
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		b = append(b, s[:i+1]...)
		b = append(b, '"')
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}

// csvNeedsQuotes is encoding/csv's fieldNeedsQuotes for s, or for "'"+s when guard is set (whose
// first rune is the quote, never a space, and which is never `\.`).
func csvNeedsQuotes(s string, guard bool) bool {
	if s == "" {
		return false
	}
	if !guard && s == `\.` {
		return true
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\n' || c == '\r' || c == '"' || c == ',' {
			return true
		}
	}
	if guard {
		return false
	}
	r1, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r1)
}

// appendStoredTime appends a timestamp stored in store.TimeFormat as the exports write times,
// time.RFC3339Nano in UTC (the fraction's trailing zeros dropped), without parsing it into a
// time.Time and formatting it again. It reports false, appending nothing, for any text that
// time.Parse might read differently (or not at all); the caller then takes the long way.
func appendStoredTime(b []byte, s string) ([]byte, bool) {
	// 2006-01-02T15:04:05.000000000Z
	if len(s) != len(store.TimeFormat) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
		s[16] != ':' || s[19] != '.' || s[29] != 'Z' {
		return b, false
	}
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22, 23, 24, 25, 26, 27, 28} {
		if s[i] < '0' || s[i] > '9' {
			return b, false
		}
	}
	two := func(i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }
	year, month, day := two(0)*100+two(2), two(5), two(8)
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || two(11) > 23 || two(14) > 59 || two(17) > 59 ||
		s == zeroStoredTime {
		return b, false
	}
	frac := strings.TrimRight(s[20:29], "0")
	b = append(b, s[:19]...)
	if frac != "" {
		b = append(b, '.')
		b = append(b, frac...)
	}
	return append(b, 'Z'), true
}

// zeroStoredTime is the zero time.Time in store.TimeFormat, which the exports write as nothing.
const zeroStoredTime = "0001-01-01T00:00:00.000000000Z"

// daysIn is the number of days in month of year (proleptic Gregorian, as package time counts).
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// appendJSONString appends s as json.Marshal writes it: as is between quotes when every byte is
// printable ASCII that json.Marshal leaves alone, which hashes, usernames and actions are; else
// through json.Marshal itself.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			m, _ := json.Marshal(s) // a string always marshals
			return append(b, m...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendJSONDetails appends a stored details text as json.Marshal writes a json.RawMessage: compacted,
// with <, >, & and U+2028/U+2029 escaped, and an error for text that is not JSON.
func (ae *auditExport) appendJSONDetails(b []byte, details string) ([]byte, error) {
	if details == "{}" {
		return append(b, "{}"...), nil
	}
	ae.raw = append(ae.raw[:0], details...)
	// Compacting is all that Marshal does to a RawMessage when there is nothing to escape, and it
	// rejects what Marshal rejects; Marshal itself covers the rest, and returns the error.
	if !jsonEscapesHTML(ae.raw) {
		ae.compact.Reset()
		if err := json.Compact(&ae.compact, ae.raw); err == nil {
			return append(b, ae.compact.Bytes()...), nil
		}
	}
	m, err := json.Marshal(json.RawMessage(ae.raw))
	if err != nil {
		return b, err
	}
	return append(b, m...), nil
}

// jsonEscapesHTML reports whether raw holds a byte json.Marshal's HTML escaping would rewrite:
// <, > or &, or the first byte of U+2028 or U+2029 (checked loosely: any 0xE2).
func jsonEscapesHTML(raw []byte) bool {
	for _, c := range raw {
		if c == '<' || c == '>' || c == '&' || c == 0xE2 {
			return true
		}
	}
	return false
}
