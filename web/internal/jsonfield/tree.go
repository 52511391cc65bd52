package jsonfield

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// tree is a body parsed once: where each of its values starts and ends, in the order they
// appear, so the readers walk objects and arrays without unmarshalling their members again at
// every level. Values stay bytes of the body until a reader asks for one.
type tree struct {
	body    []byte
	entries []entry
}

// entry is one value of a tree. An object's members follow it as key and value, an array's
// elements follow it in order; after is the index of the first entry past the value and
// everything inside it.
type entry struct {
	start, end, after int32
	plain             bool // a string whose text between the quotes is its value: no escapes, valid UTF-8
}

// maxDepth is how deeply objects and arrays may nest: encoding/json refuses deeper bodies.
const maxDepth = 10000

// parse parses body, which must be exactly one JSON value with optional white space around it.
// It accepts what encoding/json accepts (bytes that are not UTF-8 inside strings too) and
// reports false for anything else; the caller asks encoding/json for the error's wording.
func parse(body []byte) (*tree, bool) {
	p := parser{tree: tree{body: body, entries: make([]entry, 0, len(body)/16+1)}}
	i, ok := p.value(p.space(0), 0)
	if !ok || p.space(i) != len(body) {
		return nil, false
	}
	return &p.tree, true
}

type parser struct{ tree }

// space is the index of the first byte at or after i that is not JSON white space.
func (p *parser) space(i int) int {
	for i < len(p.body) {
		switch p.body[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// value parses the value at i, inside depth objects and arrays, and returns the index after it.
func (p *parser) value(i, depth int) (int, bool) {
	if i >= len(p.body) {
		return i, false
	}
	at := len(p.entries)
	p.entries = append(p.entries, entry{start: int32(i)})
	var ok bool
	switch c := p.body[i]; {
	case c == '{' || c == '[':
		if depth+1 > maxDepth {
			return i, false
		}
		i, ok = p.container(i, depth+1)
	case c == '"':
		i, ok = p.str(i)
	case c == 't':
		i, ok = p.literal(i, "true")
	case c == 'f':
		i, ok = p.literal(i, "false")
	case c == 'n':
		i, ok = p.literal(i, "null")
	default:
		i, ok = p.number(i)
	}
	p.entries[at].end, p.entries[at].after = int32(i), int32(len(p.entries))
	return i, ok
}

// container parses the object or array at i: its members or elements become the next entries.
func (p *parser) container(i, depth int) (int, bool) {
	closing, object := byte(']'), p.body[i] == '{'
	if object {
		closing = '}'
	}
	i = p.space(i + 1)
	if i < len(p.body) && p.body[i] == closing {
		return i + 1, true
	}
	for {
		var ok bool
		if object {
			if i >= len(p.body) || p.body[i] != '"' {
				return i, false
			}
			if i, ok = p.value(i, depth); !ok { // the key
				return i, false
			}
			if i = p.space(i); i >= len(p.body) || p.body[i] != ':' {
				return i, false
			}
			i = p.space(i + 1)
		}
		if i, ok = p.value(i, depth); !ok {
			return i, false
		}
		if i = p.space(i); i >= len(p.body) {
			return i, false
		}
		switch p.body[i] {
		case ',':
			i = p.space(i + 1)
		case closing:
			return i + 1, true
		default:
			return i, false
		}
	}
}

// str parses the string at i: any byte but a control character, the quote and the backslash,
// which starts one of JSON's escapes. It marks the string plain when it has neither escapes nor
// bytes that are not UTF-8, so reading it is a copy.
func (p *parser) str(i int) (int, bool) {
	start, escaped, ascii := i+1, false, true
	for i++; i < len(p.body); i++ {
		switch c := p.body[i]; {
		case c == '"':
			p.entries[len(p.entries)-1].plain = !escaped && (ascii || utf8.Valid(p.body[start:i]))
			return i + 1, true
		case c < 0x20:
			return i, false
		case c >= utf8.RuneSelf:
			ascii = false
		case c == '\\':
			escaped = true
			i++
			if i >= len(p.body) {
				return i, false
			}
			switch p.body[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				for range 4 {
					if i++; i >= len(p.body) || !isHex(p.body[i]) {
						return i, false
					}
				}
			default:
				return i, false
			}
		}
	}
	return i, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func (p *parser) literal(i int, word string) (int, bool) {
	if !bytes.HasPrefix(p.body[i:], []byte(word)) {
		return i, false
	}
	return i + len(word), true
}

// number parses -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? at i.
func (p *parser) number(i int) (int, bool) {
	b := p.body
	digits := func(i int) (int, bool) {
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i, i > start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	var ok bool
	switch {
	case i < len(b) && b[i] == '0':
		i++
	default:
		if i, ok = digits(i); !ok {
			return i, false
		}
	}
	if i < len(b) && b[i] == '.' {
		if i, ok = digits(i + 1); !ok {
			return i, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i, ok = digits(i); !ok {
			return i, false
		}
	}
	return i, true
}

// raw is the bytes of entry i.
func (t *tree) raw(i int32) json.RawMessage {
	n := t.entries[i]
	return t.body[n.start:n.end:n.end]
}

// members calls fn with the key and value entry of each member of object i, in the order sent,
// until fn returns false.
func (t *tree) members(i int32, fn func(key, value int32) bool) {
	for k := i + 1; k < t.entries[i].after; k = t.entries[k+1].after {
		if !fn(k, k+1) {
			return
		}
	}
}

// elements calls fn with each element entry of array i, in order.
func (t *tree) elements(i int32, fn func(e int32)) {
	for e := i + 1; e < t.entries[i].after; e = t.entries[e].after {
		fn(e)
	}
}

// member is the value entry of object i's last member named key (as encoding/json keeps the last).
func (t *tree) member(i int32, key string) (int32, bool) {
	found, ok := int32(0), false
	for k := i + 1; k < t.entries[i].after; k = t.entries[k+1].after {
		if t.keyIs(k, key) {
			found, ok = k+1, true
		}
	}
	return found, ok
}

// keyIs reports whether key entry k, decoded, is key.
func (t *tree) keyIs(k int32, key string) bool {
	if e := t.entries[k]; e.plain {
		return int(e.end-e.start-2) == len(key) && string(t.body[e.start+1:e.end-1]) == key
	}
	s, _ := t.str(k)
	return s == key
}

// str is string entry i decoded exactly as encoding/json decodes it: escapes resolved, bytes
// that are not UTF-8 and lone surrogates replaced by U+FFFD.
func (t *tree) str(i int32) (string, bool) {
	if e := t.entries[i]; e.plain {
		return string(t.body[e.start+1 : e.end-1]), true
	}
	var s string
	err := json.Unmarshal(t.raw(i), &s)
	return s, err == nil
}
