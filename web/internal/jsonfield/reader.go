package jsonfield

import (
	"bytes"
	"encoding/json"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// Reader walks a delivery, reading every field it can. A field of an unexpected type does not
// stop it: the read returns the zero value and the field goes into Warnings (a schema warning),
// so a vendor's change of shape never hides the case. Err is for problems that make the body
// unusable; decoders decide those (no usable reference).
type Reader struct {
	// Err is the first problem that makes the body unusable, nil while there is none.
	Err error
	// Warnings are the fields of an unexpected type, in reading order (at most store.MaxSchemaWarnings).
	Warnings []store.SchemaWarning
}

// Fail records that n is not of the wanted shape: a schema warning, and the read gives zero.
func (r *Reader) Fail(n Node, want string) {
	r.warn(n, want)
}

// FailValue records that n holds value, which is not the wanted kind: a schema warning.
func (r *Reader) FailValue(n Node, value, want string) {
	r.warn(n, want)
}

func (r *Reader) warn(n Node, want string) {
	for _, w := range r.Warnings {
		if w.Field == n.Path {
			return // one warning per field, however often it is read
		}
	}
	if len(r.Warnings) >= store.MaxSchemaWarnings {
		return
	}
	var buf bytes.Buffer
	value := string(n.Raw)
	if json.Compact(&buf, n.Raw) == nil {
		value = buf.String()
	}
	r.Warnings = append(r.Warnings, store.SchemaWarning{Field: Clip(n.Path), Got: Kind(n.Raw), Want: want, Value: Clip(value)})
}

// Warned is the warning about path, if the reader made one.
func (r *Reader) Warned(path string) (store.SchemaWarning, bool) {
	for _, w := range r.Warnings {
		if w.Field == path {
			return w, true
		}
	}
	return store.SchemaWarning{}, false
}

// Object reads an object; null or absent gives no fields.
func (r *Reader) Object(n Node) Fields {
	f := Fields{Path: n.Path}
	if IsNull(n.Raw) {
		return f
	}
	if t, i, ok := r.container(n, "an object"); ok {
		f.t, f.i = t, i
	}
	return f
}

// Array reads an array; null or absent gives no elements.
func (r *Reader) Array(n Node) []Node {
	if IsNull(n.Raw) {
		return nil
	}
	t, i, ok := r.container(n, "an array")
	if !ok {
		return nil
	}
	var out []Node
	t.elements(i, func(e int32) {
		out = append(out, Node{Path: n.Path + "[" + strconv.Itoa(len(out)) + "]", Raw: t.raw(e), t: t, i: e})
	})
	return out
}

// container is where the object or array n is in its parsed body, when n is of the kind want
// names (a node made from Raw alone is parsed here); anything else is a schema warning.
func (r *Reader) container(n Node, want string) (*tree, int32, bool) {
	if Kind(n.Raw) != want {
		r.Fail(n, want)
		return nil, 0, false
	}
	if n.t != nil {
		return n.t, n.i, true
	}
	t, ok := parse(n.Raw)
	if !ok {
		r.Fail(n, want)
		return nil, 0, false
	}
	return t, 0, true
}

// Str reads a string. Numbers and booleans are taken as the text the sender wrote.
func (r *Reader) Str(n Node) string {
	switch Kind(n.Raw) {
	case "absent", "null":
		return ""
	case "a string":
		var s string
		ok := false
		if n.t != nil {
			s, ok = n.t.str(n.i)
		} else {
			ok = json.Unmarshal(n.Raw, &s) == nil
		}
		if !ok {
			r.Fail(n, "a string")
		}
		return s
	case "a number", "a boolean":
		return string(bytes.TrimSpace(n.Raw))
	}
	r.Fail(n, "a string")
	return ""
}

// Boolean reads true/false, also when sent as "true", "1", 0 or "yes"; nil when null, absent or "".
func (r *Reader) Boolean(n Node) *bool {
	k := Kind(n.Raw)
	if k == "an object" || k == "an array" {
		r.Fail(n, "a boolean")
		return nil
	}
	s := strings.ToLower(strings.TrimSpace(r.Str(n)))
	var b bool
	switch s {
	case "":
		return nil
	case "true", "1", "yes":
		b = true
	case "false", "0", "no":
		b = false
	default:
		r.FailValue(n, s, "a boolean")
		return nil
	}
	return &b
}

// Flag is Boolean with absent, null and "" read as false.
func (r *Reader) Flag(n Node) bool { b := r.Boolean(n); return b != nil && *b }

// Integer reads a whole number, also when sent as a string ("1920") or with a zero fraction.
func (r *Reader) Integer(n Node) int64 {
	k := Kind(n.Raw)
	if k == "an object" || k == "an array" || k == "a boolean" {
		r.Fail(n, "a number")
		return 0
	}
	s := strings.TrimSpace(r.Str(n))
	if s == "" {
		return 0
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<62 {
		r.FailValue(n, s, "a whole number")
		return 0
	}
	return int64(f)
}

// UnixTime reads a timestamp as unix seconds: seconds or milliseconds, whole or fractional, as a number or a string, or RFC 3339 text.
func (r *Reader) UnixTime(n Node) int64 {
	if k := Kind(n.Raw); k == "an object" || k == "an array" || k == "a boolean" {
		r.Fail(n, "a unix timestamp")
		return 0
	}
	s := strings.TrimSpace(r.Str(n))
	if s == "" {
		return 0
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Unix()
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.Abs(f) > 1<<62 {
		r.FailValue(n, s, "a unix timestamp")
		return 0
	}
	if math.Abs(f) >= 1e12 { // seconds would be after the year 33658: these are milliseconds
		f /= 1000
	}
	return int64(f)
}

// Strs reads a list of strings, dropping nulls and empty strings; a single string is a list of one.
// A string holding a JSON array (`"[\"A\"]"`, seen from Mark ID) is that array.
func (r *Reader) Strs(n Node) []string {
	if Kind(n.Raw) == "a string" {
		s := strings.TrimSpace(r.Str(n))
		if strings.HasPrefix(s, "[") && json.Valid([]byte(s)) {
			return r.Strs(Node{Path: n.Path, Raw: json.RawMessage(s)})
		}
		if s == "" {
			return nil
		}
		return []string{s}
	}
	var out []string
	for _, e := range r.Array(n) {
		if s := r.Str(e); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// RawJSON returns the value compacted, or nil when null or absent.
func (r *Reader) RawJSON(n Node) json.RawMessage {
	if IsNull(n.Raw) {
		return nil
	}
	if n.t != nil && !bytes.ContainsAny(n.Raw, " \t\r\n") { // parsed, and already compact
		return bytes.Clone(n.Raw)
	}
	var buf bytes.Buffer
	buf.Grow(len(n.Raw))
	if err := json.Compact(&buf, n.Raw); err != nil {
		r.Fail(n, "valid JSON")
		return nil
	}
	return buf.Bytes()
}

// Count is the number of elements of an array or members of an object; 0 for anything else.
func (r *Reader) Count(n Node) int {
	switch Kind(n.Raw) {
	case "an array":
		count := 0
		if t, i, ok := r.container(n, "an array"); ok {
			t.elements(i, func(int32) { count++ })
		}
		return count
	case "an object":
		return len(r.Object(n).Keys())
	}
	return 0
}

// MediaURL reads a URL and keeps it only when it is an absolute http(s) URL, else "".
// Vendor examples and misconfigured senders put placeholders such as "image URL" here, which must not be fetched.
func (r *Reader) MediaURL(n Node) string {
	if k := Kind(n.Raw); k == "a number" || k == "a boolean" {
		r.Fail(n, "a URL")
		return ""
	}
	s := strings.TrimSpace(r.Str(n))
	u, err := url.Parse(s)
	if s == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return s
}
