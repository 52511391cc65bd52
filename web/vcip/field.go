package vcip

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kycdesk/kycdesk/store"
)

// decodeError is a delivery the decoder cannot use. Its text is shown to operators as the
// quarantine reason, so it names the field or byte; errors.Is(err, store.ErrInvalid) holds.
type decodeError struct{ msg string }

func (e *decodeError) Error() string { return e.msg }
func (e *decodeError) Unwrap() error { return store.ErrInvalid }

func errorf(format string, a ...any) error { return &decodeError{msg: fmt.Sprintf(format, a...)} }

// node is one JSON value of a delivery and the path it was found at, so errors can name the field.
type node struct {
	path string
	raw  json.RawMessage // nil when the key was absent
}

// fields is a JSON object's members. Duplicate keys keep the last value, as encoding/json does.
type fields struct {
	path string
	m    map[string]json.RawMessage
}

func (f fields) get(key string) node {
	p := key
	if f.path != "" {
		p = f.path + "." + key
	}
	return node{path: p, raw: f.m[key]}
}

// kind names a JSON value's type the way an operator would read it.
func kind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "absent"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func isNull(raw json.RawMessage) bool { k := kind(raw); return k == "absent" || k == "null" }

// parseBody checks that body is one JSON object and returns its members.
func parseBody(body []byte) (fields, error) {
	const bom = "\xef\xbb\xbf" // some senders prefix UTF-8 bodies with a byte-order mark
	skip := 0
	if bytes.HasPrefix(body, []byte(bom)) {
		skip = len(bom)
	}
	if len(bytes.TrimSpace(body[skip:])) == 0 {
		return fields{}, errorf("empty body: expected a JSON object")
	}
	var raw json.RawMessage
	if err := json.Unmarshal(body[skip:], &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fields{}, syntaxError(body, skip+int(se.Offset), se)
		}
		return fields{}, errorf("invalid JSON: %v", err)
	}
	if k := kind(raw); k != "an object" {
		return fields{}, errorf("body is %s, expected a JSON object", k)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return fields{}, errorf("invalid JSON: %v", err)
	}
	return fields{m: m}, nil
}

// syntaxError says where the JSON broke: byte offset, line and column, and the text around it.
func syntaxError(body []byte, off int, se *json.SyntaxError) error {
	if off >= len(body) && strings.Contains(se.Error(), "unexpected end") {
		return errorf("invalid JSON: the body ends at byte %d before the JSON is complete (cut off?)", len(body))
	}
	pos := max(0, min(off-1, len(body))) // se.Offset counts the offending byte
	start := bytes.LastIndexByte(body[:pos], '\n') + 1
	end := len(body)
	if i := bytes.IndexByte(body[pos:], '\n'); i >= 0 {
		end = pos + i
	}
	line := bytes.Count(body[:start], []byte("\n")) + 1
	col := utf8.RuneCount(body[start:pos]) + 1
	near := string(bytes.TrimSpace(body[max(start, pos-40):min(end, pos+40)]))
	msg := fmt.Sprintf("invalid JSON at byte %d (line %d, column %d): %v, near %q",
		pos+1, line, col, se, strings.ToValidUTF8(near, "?"))
	// A trailing comma is reported at the bracket after it, often a line later: point at the comma.
	if prev := len(bytes.TrimRight(body[:pos], " \t\r\n")) - 1; prev >= 0 && body[prev] == ',' &&
		pos < len(body) && (body[pos] == '}' || body[pos] == ']') {
		lstart := bytes.LastIndexByte(body[:prev], '\n') + 1
		msg += fmt.Sprintf(" (trailing comma at line %d, column %d)",
			bytes.Count(body[:lstart], []byte("\n"))+1, utf8.RuneCount(body[lstart:prev])+1)
	}
	return &decodeError{msg: msg}
}

// reader walks a delivery and keeps the first problem it finds, so decoding reads straight through.
type reader struct{ err error }

func (r *reader) fail(n node, want string) {
	if r.err == nil {
		r.err = errorf("field %q is %s, want %s", n.path, kind(n.raw), want)
	}
}

func (r *reader) failValue(n node, value, want string) {
	if r.err == nil {
		r.err = errorf("field %q is %q, want %s", n.path, value, want)
	}
}

// object reads an object; null or absent gives no fields.
func (r *reader) object(n node) fields {
	f := fields{path: n.path}
	if isNull(n.raw) {
		return f
	}
	if kind(n.raw) != "an object" || json.Unmarshal(n.raw, &f.m) != nil {
		r.fail(n, "an object")
	}
	return f
}

// array reads an array; null or absent gives no elements.
func (r *reader) array(n node) []node {
	if isNull(n.raw) {
		return nil
	}
	var elems []json.RawMessage
	if kind(n.raw) != "an array" || json.Unmarshal(n.raw, &elems) != nil {
		r.fail(n, "an array")
		return nil
	}
	out := make([]node, len(elems))
	for i, e := range elems {
		out[i] = node{path: fmt.Sprintf("%s[%d]", n.path, i), raw: e}
	}
	return out
}

// str reads a string. Numbers and booleans are taken as the text the sender wrote.
func (r *reader) str(n node) string {
	switch kind(n.raw) {
	case "absent", "null":
		return ""
	case "a string":
		var s string
		if json.Unmarshal(n.raw, &s) != nil {
			r.fail(n, "a string")
		}
		return s
	case "a number", "a boolean":
		return string(bytes.TrimSpace(n.raw))
	}
	r.fail(n, "a string")
	return ""
}

// boolean reads true/false, also when sent as "true", "1", 0 or "yes"; nil when null, absent or "".
func (r *reader) boolean(n node) *bool {
	k := kind(n.raw)
	if k == "an object" || k == "an array" {
		r.fail(n, "a boolean")
		return nil
	}
	s := strings.ToLower(strings.TrimSpace(r.str(n)))
	var b bool
	switch s {
	case "":
		return nil
	case "true", "1", "yes":
		b = true
	case "false", "0", "no":
		b = false
	default:
		r.failValue(n, s, "a boolean")
		return nil
	}
	return &b
}

// flag is boolean with absent, null and "" read as false.
func (r *reader) flag(n node) bool { b := r.boolean(n); return b != nil && *b }

// integer reads a whole number, also when sent as a string ("1920") or with a zero fraction.
func (r *reader) integer(n node) int64 {
	k := kind(n.raw)
	if k == "an object" || k == "an array" || k == "a boolean" {
		r.fail(n, "a number")
		return 0
	}
	s := strings.TrimSpace(r.str(n))
	if s == "" {
		return 0
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<62 {
		r.failValue(n, s, "a whole number")
		return 0
	}
	return int64(f)
}

// strs reads a list of strings, dropping nulls and empty strings. A single string is a list of one,
// and a string holding a JSON array (`"[\"A\"]"`) is that array.
func (r *reader) strs(n node) []string {
	if kind(n.raw) == "a string" {
		s := strings.TrimSpace(r.str(n))
		if strings.HasPrefix(s, "[") && json.Valid([]byte(s)) {
			return r.strs(node{path: n.path, raw: json.RawMessage(s)})
		}
		if s == "" {
			return nil
		}
		return []string{s}
	}
	var out []string
	for _, e := range r.array(n) {
		if s := r.str(e); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// rawJSON returns the value compacted, or nil when null or absent.
func (r *reader) rawJSON(n node) json.RawMessage {
	if isNull(n.raw) {
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, n.raw); err != nil {
		r.fail(n, "valid JSON")
		return nil
	}
	return buf.Bytes()
}

// mediaURL reads a URL and keeps it only when it is an absolute http(s) URL: vendor examples and
// misconfigured senders put placeholders such as "image URL" here, which must not be fetched.
func (r *reader) mediaURL(n node) string {
	s := strings.TrimSpace(r.str(n))
	u, err := url.Parse(s)
	if s == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return s
}
