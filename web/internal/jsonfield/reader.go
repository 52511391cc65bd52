package jsonfield

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Reader walks a delivery and keeps the first problem it finds in Err, so decoding reads straight
// through and checks once at the end. After a problem, reads still return zero values.
type Reader struct {
	// Err is the first problem found, nil while there is none.
	Err error
}

// Fail records that n is not of the wanted shape, unless a problem was already recorded.
func (r *Reader) Fail(n Node, want string) {
	if r.Err == nil {
		r.Err = Errorf("field %q is %s, want %s", Clip(n.Path), Kind(n.Raw), want)
	}
}

// FailValue records that n holds value, which is not the wanted kind, unless a problem was already recorded.
func (r *Reader) FailValue(n Node, value, want string) {
	if r.Err == nil {
		r.Err = &decodeError{msg: fmt.Sprintf("field %q is %q, want %s", Clip(n.Path), Clip(value), want),
			safe: fmt.Sprintf("field %q holds a value that is not %s", Clip(n.Path), want)}
	}
}

// Object reads an object; null or absent gives no fields.
func (r *Reader) Object(n Node) Fields {
	f := Fields{Path: n.Path}
	if IsNull(n.Raw) {
		return f
	}
	if Kind(n.Raw) != "an object" || json.Unmarshal(n.Raw, &f.Members) != nil {
		r.Fail(n, "an object")
	}
	return f
}

// Array reads an array; null or absent gives no elements.
func (r *Reader) Array(n Node) []Node {
	if IsNull(n.Raw) {
		return nil
	}
	var elems []json.RawMessage
	if Kind(n.Raw) != "an array" || json.Unmarshal(n.Raw, &elems) != nil {
		r.Fail(n, "an array")
		return nil
	}
	out := make([]Node, len(elems))
	for i, e := range elems {
		out[i] = Node{Path: fmt.Sprintf("%s[%d]", n.Path, i), Raw: e}
	}
	return out
}

// Str reads a string. Numbers and booleans are taken as the text the sender wrote.
func (r *Reader) Str(n Node) string {
	switch Kind(n.Raw) {
	case "absent", "null":
		return ""
	case "a string":
		var s string
		if json.Unmarshal(n.Raw, &s) != nil {
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
	var buf bytes.Buffer
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
		return len(r.Array(n))
	case "an object":
		return len(r.Object(n).Members)
	}
	return 0
}

// MediaURL reads a URL and keeps it only when it is an absolute http(s) URL, else "".
// Vendor examples and misconfigured senders put placeholders such as "image URL" here, which must not be fetched.
func (r *Reader) MediaURL(n Node) string {
	s := strings.TrimSpace(r.Str(n))
	u, err := url.Parse(s)
	if s == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return s
}
