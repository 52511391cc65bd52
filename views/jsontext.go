package views

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"unicode/utf8"
)

// Vendor JSON is laid out for reading in one linear pass. Indenting every level costs depth×lines
// bytes, which grows with the square of the nesting; so levels below JSONMaxDepth are written on
// one line and cut short, and each view stops at its byte cap. A page shares one budget across all
// its views, so a callback cannot make the page large by repeating the same value many times.
const (
	// JSONMaxDepth is the deepest level laid out with indentation.
	JSONMaxDepth = 16
	// JSONViewMax is the most bytes one view shows before offering a download instead.
	JSONViewMax = 128 << 10
	// JSONPageMax is the most bytes of JSON one page shows, across all its views.
	JSONPageMax = 1 << 20
	// collapsedMax is how much of a level below JSONMaxDepth is shown, on one line.
	collapsedMax = 64
)

// JSONBlock is a piece of vendor JSON as the page shows it. When Cut, Text is only the start (or
// empty when the page's budget was spent) and the page offers the raw bytes as a download.
type JSONBlock struct {
	Text string
	Cut  bool
}

// Empty reports whether there is nothing to show or to offer.
func (b JSONBlock) Empty() bool { return b.Text == "" && !b.Cut }

// JSONBudget is what is left of a page's allowance of JSON text.
type JSONBudget struct{ left int }

// NewJSONBudget returns a budget of n bytes.
func NewJSONBudget(n int) *JSONBudget { return &JSONBudget{left: n} }

// Format lays out raw within the view cap and what is left of the budget.
func (b *JSONBudget) Format(raw []byte) JSONBlock {
	max := JSONViewMax
	if b != nil {
		max = min(max, b.left)
	}
	blk := FormatJSON(raw, max)
	if b != nil {
		b.left -= len(blk.Text)
	}
	return blk
}

// Text is for raw bytes that are shown as they are (a cut body): it only charges the budget.
func (b *JSONBudget) Text(s string) JSONBlock {
	if b == nil {
		return JSONBlock{Text: s}
	}
	if len(s) > b.left {
		s = cutUTF8(s, max(b.left, 0))
		b.left = 0
		return JSONBlock{Text: s, Cut: true}
	}
	b.left -= len(s)
	return JSONBlock{Text: s}
}

// PrettyJSON indents a JSON value for reading within one view's cap; null and empty values give "".
// The result is text: the template escapes it.
func PrettyJSON(raw json.RawMessage) string { return FormatJSON(raw, JSONViewMax).Text }

// FormatJSON lays out raw in at most max bytes, in time linear in len(raw). Text that is not JSON
// is shown as it is, cut at max.
func FormatJSON(raw []byte, max int) JSONBlock {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" || string(t) == "{}" || string(t) == "[]" {
		return JSONBlock{}
	}
	if max <= 0 {
		return JSONBlock{Cut: true}
	}
	if !json.Valid(t) && !deepJSONValid(t) {
		s := strings.ToValidUTF8(string(t), "�")
		if len(s) > max {
			return JSONBlock{Text: cutUTF8(s, max), Cut: true}
		}
		return JSONBlock{Text: s}
	}
	out, cut := layoutJSON(t, JSONMaxDepth, max)
	return JSONBlock{Text: unescapeHTMLJSON(strings.ToValidUTF8(out, "�")), Cut: cut}
}

// deepJSONValid accepts JSON nested deeper than encoding/json's scanner allows (10,000 levels),
// reading it token by token, which keeps only a small stack per level.
func deepJSONValid(t []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(t))
	dec.UseNumber()
	for {
		if _, err := dec.Token(); err == io.EOF {
			return true
		} else if err != nil {
			return false
		}
	}
}

// layoutJSON indents valid JSON t two spaces a level down to maxDepth; deeper values are written on
// one line, cut at collapsedMax bytes. It stops at max bytes and reports whether it did.
func layoutJSON(t []byte, maxDepth, max int) (string, bool) {
	out := make([]byte, 0, min(2*len(t), max)+2*maxDepth+collapsedMax+8)
	newline := func(depth int) {
		out = append(out, '\n')
		for range depth {
			out = append(out, ' ', ' ')
		}
	}
	depth := 0
	for i := 0; i < len(t); {
		if len(out) >= max {
			return cutUTF8(string(out), max), true
		}
		switch c := t[i]; c {
		case ' ', '\t', '\n', '\r':
			i++
		case '"':
			j := stringEnd(t, i)
			if room := max - len(out); j-i > room {
				out = append(out, t[i:i+room]...)
				return cutUTF8(string(out), max), true
			}
			out = append(out, t[i:j]...)
			i = j
		case '{', '[':
			k := skipSpace(t, i+1)
			if k < len(t) && (t[k] == '}' || t[k] == ']') {
				out = append(out, c, t[k])
				i = k + 1
				continue
			}
			if depth >= maxDepth {
				j := valueEnd(t, i)
				out = appendCollapsed(out, t[i:j])
				i = j
				continue
			}
			depth++
			out = append(out, c)
			newline(depth)
			i++
		case '}', ']':
			depth--
			newline(depth)
			out = append(out, c)
			i++
		case ',':
			out = append(out, ',')
			newline(depth)
			i++
		case ':':
			out = append(out, ':', ' ')
			i++
		default:
			out = append(out, c)
			i++
		}
	}
	if len(out) > max {
		return cutUTF8(string(out), max), true
	}
	return string(out), false
}

// stringEnd is the index just after the string that starts at t[i] (a quote).
func stringEnd(t []byte, i int) int {
	for j := i + 1; j < len(t); j++ {
		switch t[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(t)
}

// valueEnd is the index just after the array or object that opens at t[i].
func valueEnd(t []byte, i int) int {
	depth := 0
	for j := i; j < len(t); j++ {
		switch t[j] {
		case '"':
			j = stringEnd(t, j) - 1
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(t)
}

func skipSpace(t []byte, i int) int {
	for i < len(t) && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r') {
		i++
	}
	return i
}

// appendCollapsed writes v on one line without its spaces, cut at collapsedMax bytes with "…".
func appendCollapsed(out, v []byte) []byte {
	n, inString := 0, false
	for j := 0; j < len(v); j++ {
		c := v[j]
		if !inString && (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			continue
		}
		if n >= collapsedMax && utf8.RuneStart(c) {
			return append(out, " …"...)
		}
		switch {
		case inString && c == '\\' && j+1 < len(v):
			out = append(out, c, v[j+1])
			j++
			n += 2
			continue
		case c == '"':
			inString = !inString
		}
		out = append(out, c)
		n++
	}
	return out
}

// cutUTF8 is s cut to at most n bytes without splitting a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
