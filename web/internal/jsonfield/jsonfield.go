// Package jsonfield reads loosely typed vendor JSON: it parses a body once, walks it value by
// value, keeps the path of each so errors can name the field, and takes numbers and booleans
// sent as strings.
// The vendor decoders (web/markid, web/vcip) share it so they forgive the same sloppiness and
// word their errors the same way.
package jsonfield

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kycdesk/kycdesk/store"
)

// decodeError is a delivery a decoder cannot use. Its text is shown to operators as the
// quarantine reason, so it names the field or byte; errors.Is(err, store.ErrInvalid) holds.
// safe is the same without any value from the body, for the log.
type decodeError struct{ msg, safe string }

func (e *decodeError) Error() string { return e.msg }
func (e *decodeError) Unwrap() error { return store.ErrInvalid }

// Errorf returns a decode error with this text, for which errors.Is(err, store.ErrInvalid) holds.
// The text may name fields and kinds, never values from the body: it also goes to the log.
func Errorf(format string, a ...any) error {
	msg := fmt.Sprintf(format, a...)
	return &decodeError{msg: msg, safe: msg}
}

// LogText is a decode error as the log may carry it: field names, kinds and byte offsets, never
// a value from the body (names, document numbers and dates of birth are personal data).
func LogText(err error) string {
	var de *decodeError
	if errors.As(err, &de) {
		return de.safe
	}
	if err == nil {
		return ""
	}
	return "the body could not be decoded"
}

// ClipMax is the most characters of one body value (or field name) an error message carries.
const ClipMax = 200

// Clip cuts s to ClipMax characters, marking the cut, so a huge value cannot make a huge error.
func Clip(s string) string {
	if utf8.RuneCountInString(s) <= ClipMax {
		return s
	}
	n := 0
	for i := range s {
		if n == ClipMax {
			return s[:i] + fmt.Sprintf("… (%d bytes)", len(s))
		}
		n++
	}
	return s
}

// Node is one JSON value of a delivery and the path it was found at, so errors can name the field.
type Node struct {
	Path string
	Raw  json.RawMessage // nil when the key was absent

	t *tree // the parsed body Raw is part of, nil for a node made from Raw alone
	i int32 // Raw's node in t
}

// Fields is a JSON object's members. Duplicate keys keep the last value, as encoding/json does.
type Fields struct {
	Path string
	// Members are the members of Fields made from a map. Fields that Parse and Reader.Object
	// return read their members from the parsed body instead; ParseBody fills both.
	Members map[string]json.RawMessage

	t *tree // the parsed body the object is part of, nil for Fields made from Members
	i int32 // the object's node in t
}

// Get returns the member key as a node whose path extends the object's.
func (f Fields) Get(key string) Node {
	p := key
	if f.Path != "" {
		p = f.Path + "." + key
	}
	if f.t == nil {
		return Node{Path: p, Raw: f.Members[key]}
	}
	if v, ok := f.t.member(f.i, key); ok {
		return Node{Path: p, Raw: f.t.raw(v), t: f.t, i: v}
	}
	return Node{Path: p}
}

// Has reports whether the object has the member key, even a null one.
func (f Fields) Has(key string) bool {
	if f.t == nil {
		_, ok := f.Members[key]
		return ok
	}
	_, ok := f.t.member(f.i, key)
	return ok
}

// Keys are the object's distinct keys, sorted.
func (f Fields) Keys() []string {
	var keys []string
	if f.t == nil {
		for k := range f.Members {
			keys = append(keys, k)
		}
	} else {
		f.t.members(f.i, func(k, _ int32) bool {
			key, _ := f.t.str(k)
			keys = append(keys, key)
			return true
		})
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// All yields the object's members in the order they were sent, repeated keys as often as they
// came, each value as a node whose path extends the object's. Fields made from a map have no
// order: their members come sorted by key.
func (f Fields) All() iter.Seq2[string, Node] {
	return func(yield func(string, Node) bool) {
		if f.t == nil {
			for _, k := range f.Keys() {
				if !yield(k, f.Get(k)) {
					return
				}
			}
			return
		}
		f.t.members(f.i, func(k, v int32) bool {
			key, _ := f.t.str(k)
			p := key
			if f.Path != "" {
				p = f.Path + "." + key
			}
			return yield(key, Node{Path: p, Raw: f.t.raw(v), t: f.t, i: v})
		})
	}
}

// Kind names a JSON value's type the way an operator would read it ("an object", "null", "absent"…).
func Kind(raw json.RawMessage) string {
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

// IsNull reports whether the value is null or absent.
func IsNull(raw json.RawMessage) bool { k := Kind(raw); return k == "absent" || k == "null" }

// Parse checks that body is one JSON object and parses it, once: the Fields, and the nodes and
// Fields read from them, walk that parse.
func Parse(body []byte) (Fields, error) {
	const bom = "\xef\xbb\xbf" // some senders prefix UTF-8 bodies with a byte-order mark
	skip := 0
	if bytes.HasPrefix(body, []byte(bom)) {
		skip = len(bom)
	}
	if len(bytes.TrimSpace(body[skip:])) == 0 {
		return Fields{}, Errorf("empty body: expected a JSON object")
	}
	t, ok := parse(body[skip:])
	if !ok {
		// encoding/json words the error, as it did when it parsed every body.
		var raw json.RawMessage
		err := json.Unmarshal(body[skip:], &raw)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return Fields{}, syntaxError(body, skip+int(se.Offset), se)
		}
		if err != nil {
			return Fields{}, Errorf("invalid JSON: %v", err)
		}
		return Fields{}, Errorf("invalid JSON: the body could not be parsed") // parse and encoding/json disagree: FuzzParse looks for that
	}
	if k := Kind(t.raw(0)); k != "an object" {
		return Fields{}, Errorf("body is %s, expected a JSON object", k)
	}
	return Fields{t: t}, nil
}

// ParseBody is Parse with the body's members also in Members, for callers that index them.
func ParseBody(body []byte) (Fields, error) {
	f, err := Parse(body)
	if err != nil {
		return f, err
	}
	f.Members = map[string]json.RawMessage{}
	for k, n := range f.All() {
		f.Members[k] = n.Raw
	}
	return f, nil
}

// syntaxError says where the JSON broke: byte offset, line and column, and the text around it.
func syntaxError(body []byte, off int, se *json.SyntaxError) error {
	if off >= len(body) && strings.Contains(se.Error(), "unexpected end") {
		return Errorf("invalid JSON: the body ends at byte %d before the JSON is complete (cut off?)", len(body))
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
	where := fmt.Sprintf("invalid JSON at byte %d (line %d, column %d)", pos+1, line, col)
	msg := fmt.Sprintf("%s: %v, near %q", where, se, strings.ToValidUTF8(near, "?"))
	// A trailing comma is reported at the bracket after it, often a line later: point at the comma.
	if prev := len(bytes.TrimRight(body[:pos], " \t\r\n")) - 1; prev >= 0 && body[prev] == ',' &&
		pos < len(body) && (body[pos] == '}' || body[pos] == ']') {
		lstart := bytes.LastIndexByte(body[:prev], '\n') + 1
		msg += fmt.Sprintf(" (trailing comma at line %d, column %d)",
			bytes.Count(body[:lstart], []byte("\n"))+1, utf8.RuneCount(body[lstart:prev])+1)
	}
	return &decodeError{msg: msg, safe: where}
}
