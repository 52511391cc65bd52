package jsonfield

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// TypeChange is a body with the value at Path replaced by a value of another JSON type: the
// shape change a vendor may ship without warning. Tests of the decoders walk every field of the
// published examples with TypeChanges.
type TypeChange struct {
	Path  string // as the decoders name fields: data.instructions[1].text
	From  string // the original value's kind ("a string")
	To    string // the replacement's kind
	Value string // the replacement, as JSON
	Body  []byte
}

// typeSamples are the replacements, one per kind; their text is distinctive so a test can tell
// whether a decoder kept a value as it arrived.
var typeSamples = []struct{ kind, json string }{
	{"an object", `{"odd":"ODD-OBJECT-VALUE"}`},
	{"an array", `["ODD-ARRAY-VALUE"]`},
	{"a string", `"ODD-STRING-VALUE"`},
	{"a number", `7777777`},
	{"a boolean", `true`},
}

// TypeChanges lists, for every value in body (objects' members and arrays' elements, at every
// depth), the body with that value replaced by each sample of another kind. body must be a JSON
// object; member order is not kept.
func TypeChanges(body []byte) ([]TypeChange, error) {
	var root any
	if err := json.Unmarshal(body, &root); err != nil {
		return nil, err
	}
	var out []TypeChange
	var walk func(v any, path string, set func(any)) error
	walk = func(v any, path string, set func(any)) error {
		if path != "" {
			orig, _ := json.Marshal(v)
			from := Kind(orig)
			for _, s := range typeSamples {
				if s.kind == from || (from == "null" && s.kind == "a string") {
					continue
				}
				var repl any
				_ = json.Unmarshal([]byte(s.json), &repl)
				set(repl)
				b, err := json.Marshal(root)
				set(v)
				if err != nil {
					return err
				}
				out = append(out, TypeChange{Path: path, From: from, To: s.kind, Value: s.json, Body: b})
			}
		}
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				p := k
				if path != "" {
					p = path + "." + k
				}
				if err := walk(x[k], p, func(n any) { x[k] = n }); err != nil {
					return err
				}
			}
		case []any:
			for i := range x {
				if err := walk(x[i], fmt.Sprintf("%s[%d]", path, i), func(n any) { x[i] = n }); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(root, "", func(any) {}); err != nil {
		return nil, err
	}
	return out, nil
}

// UsableText reports whether a reference field holds something the readers take as non-blank
// text: a string that is not blank, a number or a boolean. The fuzz targets check the quarantine
// rule with it: a body whose reference is usable text is never refused for its other fields.
func UsableText(raw json.RawMessage) bool {
	switch Kind(raw) {
	case "a number", "a boolean":
		return true
	case "a string":
		var s string
		return json.Unmarshal(raw, &s) == nil && strings.TrimSpace(s) != ""
	}
	return false
}
