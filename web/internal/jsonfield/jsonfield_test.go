package jsonfield

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func node(raw string) Node {
	if raw == "" {
		return Node{Path: "data.x"}
	}
	return Node{Path: "data.x", Raw: json.RawMessage(raw)}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestKind(t *testing.T) {
	for raw, want := range map[string]string{
		"": "absent", " null": "null", `{}`: "an object", `[1]`: "an array", `"a"`: "a string",
		`true`: "a boolean", `false`: "a boolean", `-1.5`: "a number",
	} {
		if got := Kind(json.RawMessage(raw)); got != want {
			t.Errorf("Kind(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestReaderScalars(t *testing.T) {
	tests := []struct {
		name, raw string
		read      func(*Reader, Node) any
		want      any
		warning   string // the schema warning the read leaves, as "path is got, want want"
	}{
		{"str string", `"Anna"`, func(r *Reader, n Node) any { return r.Str(n) }, "Anna", ""},
		{"str number", `1920`, func(r *Reader, n Node) any { return r.Str(n) }, "1920", ""},
		{"str absent", ``, func(r *Reader, n Node) any { return r.Str(n) }, "", ""},
		{"str object", `{}`, func(r *Reader, n Node) any { return r.Str(n) }, "", `data.x is an object, want a string`},
		{"flag string", `"yes"`, func(r *Reader, n Node) any { return r.Flag(n) }, true, ""},
		{"flag zero", `0`, func(r *Reader, n Node) any { return r.Flag(n) }, false, ""},
		{"flag null", `null`, func(r *Reader, n Node) any { return r.Flag(n) }, false, ""},
		{"flag junk", `"maybe"`, func(r *Reader, n Node) any { return r.Flag(n) }, false, `data.x is a string, want a boolean`},
		{"integer string", `"1080"`, func(r *Reader, n Node) any { return r.Integer(n) }, int64(1080), ""},
		{"integer zero fraction", `24.0`, func(r *Reader, n Node) any { return r.Integer(n) }, int64(24), ""},
		{"integer fraction", `"2.5"`, func(r *Reader, n Node) any { return r.Integer(n) }, int64(0), `data.x is a string, want a whole number`},
		{"integer boolean", `true`, func(r *Reader, n Node) any { return r.Integer(n) }, int64(0), `data.x is a boolean, want a number`},
		{"unix seconds", `1554726960`, func(r *Reader, n Node) any { return r.UnixTime(n) }, int64(1554726960), ""},
		{"unix millis string", `"1554726960123"`, func(r *Reader, n Node) any { return r.UnixTime(n) }, int64(1554726960), ""},
		{"unix RFC 3339", `"2019-04-08T12:36:00Z"`, func(r *Reader, n Node) any { return r.UnixTime(n) }, int64(1554726960), ""},
		{"unix junk", `"soon"`, func(r *Reader, n Node) any { return r.UnixTime(n) }, int64(0), `data.x is a string, want a unix timestamp`},
		{"media URL", `"https://media.example/a.png"`, func(r *Reader, n Node) any { return r.MediaURL(n) }, "https://media.example/a.png", ""},
		{"media placeholder", `"image URL"`, func(r *Reader, n Node) any { return r.MediaURL(n) }, "", ""},
		{"count object", `{"a":1,"b":2}`, func(r *Reader, n Node) any { return r.Count(n) }, 2, ""},
		{"raw JSON compacted", "{ \"a\" : [1, 2] }", func(r *Reader, n Node) any { return string(r.RawJSON(n)) }, `{"a":[1,2]}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Reader{}
			got := tt.read(r, node(tt.raw))
			if got != tt.want || warnText(r) != tt.warning || r.Err != nil {
				t.Errorf("read(%s) = %#v, warning %q, error %v; want %#v, warning %q, no error", tt.raw, got, warnText(r), r.Err, tt.want, tt.warning)
			}
		})
	}
}

func TestReaderStrs(t *testing.T) {
	for raw, want := range map[string][]string{
		`["NAME", null, "", "SURNAME"]`: {"NAME", "SURNAME"},
		`"NAME"`:                        {"NAME"},
		`"[\"NAME\",\"SURNAME\"]"`:      {"NAME", "SURNAME"},
		`null`:                          nil,
	} {
		r := &Reader{}
		if got := r.Strs(node(raw)); !slices.Equal(got, want) || r.Err != nil {
			t.Errorf("Strs(%s) = %q, %v; want %q, nil", raw, got, r.Err, want)
		}
	}
}

// warnText is the reader's schema warnings, "path is got, want want", joined by "; ".
func warnText(r *Reader) string {
	var out []string
	for _, w := range r.Warnings {
		out = append(out, w.Field+" is "+w.Got+", want "+w.Want)
	}
	return strings.Join(out, "; ")
}

// TestReaderWarnsAndReadsOn: a field of the wrong type is a schema warning that keeps the value as
// it arrived, the reader goes on to the next field, and a field read twice warns once.
func TestReaderWarnsAndReadsOn(t *testing.T) {
	r := &Reader{}
	top := Fields{Members: map[string]json.RawMessage{"a": json.RawMessage(`[ 1, {"b": "c"} ]`), "b": json.RawMessage(`{}`),
		"c": json.RawMessage(`"Anna"`)}}
	r.Str(top.Get("a"))
	r.Str(top.Get("a"))
	r.Boolean(top.Get("b"))
	if got := r.Str(top.Get("c")); got != "Anna" {
		t.Errorf("Str(c) after two odd fields = %q, want Anna", got)
	}
	if want := `a is an array, want a string; b is an object, want a boolean`; warnText(r) != want || r.Err != nil {
		t.Errorf("warnings = %q, error %v; want %q, no error", warnText(r), r.Err, want)
	}
	if v := r.Warnings[0].Value; v != `[1,{"b":"c"}]` {
		t.Errorf("warning value = %q, want the array as it arrived", v)
	}
	elems := (&Reader{}).Array(Node{Path: "data.screenshots", Raw: json.RawMessage(`[1, 2]`)})
	if len(elems) != 2 || elems[1].Path != "data.screenshots[1]" {
		t.Errorf("Array paths = %+v, want data.screenshots[0..1]", elems)
	}
}

func TestParseBody(t *testing.T) {
	tests := []struct{ body, err string }{
		{"\xef\xbb\xbf{\"scanRef\": \"a\"}", ""},
		{"  ", "empty body: expected a JSON object"},
		{"[1]", "body is an array, expected a JSON object"},
		{`{"a": 1`, "invalid JSON: the body ends at byte 7 before the JSON is complete (cut off?)"},
		{"{\"a\": 1,\n}", `invalid JSON at byte 10 (line 2, column 1): invalid character '}' looking for beginning of object key string, near "}" (trailing comma at line 1, column 8)`},
	}
	for _, tt := range tests {
		f, err := ParseBody([]byte(tt.body))
		if errText(err) != tt.err {
			t.Errorf("ParseBody(%q) error = %q, want %q", tt.body, errText(err), tt.err)
		}
		if err == nil && string(f.Get("scanRef").Raw) != `"a"` {
			t.Errorf("ParseBody(%q).Get(scanRef) = %s, want \"a\"", tt.body, f.Get("scanRef").Raw)
		}
	}
}
