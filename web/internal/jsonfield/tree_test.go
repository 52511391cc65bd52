package jsonfield

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// treeSeeds are bodies at the edges of the JSON grammar, valid and not.
var treeSeeds = []string{
	``, ` `, `{}`, `[]`, `null`, `true`, `false`, `nul`, `tru`, `0`, `-0`, `01`, `-`, `1.`, `.5`, `1e`, `1e+`, `1E-7`, `-12.5e+3`,
	`"a"`, `"\u00e9\ud83d\ude00\ud800x\/\"\\\b\f\n\r\t"`, `"\x"`, `"\u12"`, `"\u12G4"`, "\"a\x01\"", "\"a\x7f\"", "\"caf\xc3\xa9\"",
	"\"\xff\xfe\"", "\"\xed\xa0\x80\"", `"unterminated`, `{"a":1,}`, `[1,]`, `{"a" 1}`, `{"a":1 "b":2}`, `{1:2}`, `{"a":1}}`,
	`[1 2]`, `{"a":[1,{"b":null}],"a":"last"}`, " \t\r\n{ \"a\" : [ ] , \"b\" : { } }\n ", "\v{}", "{}\x00", `{"a":1}{}`,
	`{"\u0061":1,"a":2}`, `[` + strings.Repeat(`[`, 9999) + strings.Repeat(`]`, 10000), strings.Repeat(`[`, 10001) + strings.Repeat(`]`, 10001),
}

// FuzzParse checks the tree against encoding/json: it accepts exactly the bodies json.Valid
// accepts, and every string, object and array in it reads as encoding/json reads it.
func FuzzParse(f *testing.F) {
	for _, s := range treeSeeds {
		f.Add([]byte(s))
	}
	for _, dir := range []string{"../../markid/testdata", "../../vcip/testdata"} {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		tr, ok := parse(body)
		if ok != json.Valid(body) {
			t.Fatalf("parse(%q) ok = %v, json.Valid = %v", body, ok, !ok)
		}
		if !ok || len(tr.entries) > 2000 { // each entry is checked on its own: deep bodies would take minutes
			return
		}
		for i, e := range tr.entries {
			raw := tr.raw(int32(i))
			if !json.Valid(raw) || e.after <= int32(i) {
				t.Fatalf("parse(%q) entry %d = %q (after %d), want one whole value", body, i, raw, e.after)
			}
			checkEntry(t, tr, int32(i), raw)
		}
	})
}

// checkEntry compares entry i with what encoding/json makes of its bytes.
func checkEntry(t *testing.T, tr *tree, i int32, raw []byte) {
	t.Helper()
	switch raw[0] {
	case '"':
		var want string
		_ = json.Unmarshal(raw, &want)
		if got, ok := tr.str(i); !ok || got != want {
			t.Fatalf("str(%q) = %q, %v; want %q", raw, got, ok, want)
		}
	case '{':
		var want map[string]json.RawMessage
		_ = json.Unmarshal(raw, &want)
		f := Fields{t: tr, i: i}
		if keys := f.Keys(); len(keys) != len(want) {
			t.Fatalf("Keys(%q) = %q, want the %d keys encoding/json finds", raw, keys, len(want))
		}
		for k, v := range want {
			if got := f.Get(k).Raw; !bytes.Equal(compact(got), compact(v)) || !f.Has(k) {
				t.Fatalf("Get(%q) in %q = %q, want %q", k, raw, got, v)
			}
		}
	case '[':
		var want []json.RawMessage
		_ = json.Unmarshal(raw, &want)
		got := (&Reader{}).Array(Node{Raw: raw, t: tr, i: i})
		if len(got) != len(want) {
			t.Fatalf("Array(%q) has %d elements, want %d", raw, len(got), len(want))
		}
		for j := range got {
			if !bytes.Equal(compact(got[j].Raw), compact(want[j])) {
				t.Fatalf("Array(%q)[%d] = %q, want %q", raw, j, got[j].Raw, want[j])
			}
		}
	}
}

func compact(raw []byte) []byte {
	var buf bytes.Buffer
	_ = json.Compact(&buf, raw)
	return buf.Bytes()
}
