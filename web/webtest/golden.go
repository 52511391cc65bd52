package webtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/internal/jsonfield"
)

// GoldenBody is one body a golden decoder test decodes. A body with a Base is a variant of the
// body of that name (a type change, a cut): when it decodes, the golden file keeps only the lines
// in which its result differs from the base's, so thousands of variants stay small.
type GoldenBody struct {
	Name string
	Base string // the Name of the body this one varies, or ""
	Body []byte
}

// GoldenBodies are the bodies of a golden decoder test: every *.json in dirs, the type changes of
// the changed files of the first dir (those the schema tests make, against the body re-encoded
// with sorted keys), cuts of the first dir's spec-example.json at many lengths, then edges.
func GoldenBodies(t *testing.T, edges, changed []string, dirs ...string) []GoldenBody {
	t.Helper()
	var out []GoldenBody
	for i, dir := range dirs {
		paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil || len(paths) == 0 {
			t.Fatalf("no bodies in %s: %v", dir, err)
		}
		for _, p := range paths {
			body, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.ToSlash(p)
			out = append(out, GoldenBody{Name: name, Body: body})
			if i > 0 {
				continue // the other decoder's bodies are refused whole: their variants add nothing
			}
			if slices.Contains(changed, filepath.Base(p)) {
				// The changed bodies are re-encoded with their keys sorted: so is their base.
				var v any
				if err := json.Unmarshal(body, &v); err != nil {
					t.Fatal(err)
				}
				sorted, _ := json.Marshal(v)
				out = append(out, GoldenBody{Name: name + " sorted", Body: sorted})
				changes, err := jsonfield.TypeChanges(body)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range changes {
					out = append(out, GoldenBody{Name: name + " " + c.Path + " → " + c.To, Base: name + " sorted", Body: c.Body})
				}
			}
			if filepath.Base(p) == "spec-example.json" {
				for n := 0; n < len(body); n += 37 {
					out = append(out, GoldenBody{Name: name + " cut at " + strconv.Itoa(n), Base: name, Body: body[:n]})
				}
			}
		}
	}
	for i, b := range edges {
		out = append(out, GoldenBody{Name: "edge " + strconv.Itoa(i), Body: []byte(b)})
	}
	return out
}

// UpdateGoldenEnv names the environment variable that makes CheckGolden rewrite the golden file
// instead of comparing with it. Rewrite it only with a decoder whose output is the reference.
const UpdateGoldenEnv = "KYCDESK_UPDATE_GOLDEN"

// CheckGolden decodes every body and compares the whole result (the snapshot field by field, its
// media and schema warnings, the error's text and log text) with the golden file at path.
func CheckGolden(t *testing.T, path string, decode func([]byte) (*store.Snapshot, error), bodies []GoldenBody) {
	t.Helper()
	results := map[string][]string{}
	var got strings.Builder
	for _, b := range bodies {
		snap, err := decode(b.Body)
		lines := DecodeResult(snap, err)
		results[b.Name] = lines
		header := "=== " + b.Name
		if b.Base != "" && err == nil {
			base, ok := results[b.Base]
			if !ok {
				t.Fatalf("body %s varies %s, which comes later or not at all", b.Name, b.Base)
			}
			header += " (against " + b.Base + ")"
			lines = lineDiff(base, lines)
		}
		got.WriteString(header + "\n")
		for _, l := range lines {
			got.WriteString(l + "\n")
		}
	}
	if os.Getenv(UpdateGoldenEnv) != "" {
		if err := os.WriteFile(path, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bodies)", path, len(bodies))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read the golden results: %v (write them with %s=1 and the reference decoder)", err, UpdateGoldenEnv)
	}
	if got.String() == string(want) {
		return
	}
	gotEntries, wantEntries := goldenEntries(got.String()), goldenEntries(string(want))
	shown := 0
	for i := 0; i < max(len(gotEntries), len(wantEntries)) && shown < 5; i++ {
		var g, w string
		if i < len(gotEntries) {
			g = gotEntries[i]
		}
		if i < len(wantEntries) {
			w = wantEntries[i]
		}
		if g != w {
			t.Errorf("decoded differently from %s:\n--- got\n%s--- want\n%s", path, g, w)
			shown++
		}
	}
	if shown == 0 {
		t.Errorf("the results differ from %s", path)
	}
}

// goldenEntries splits a golden text into its entries, each starting with its "=== " line.
func goldenEntries(text string) []string {
	var out []string
	for _, part := range strings.SplitAfter(text, "\n") {
		if strings.HasPrefix(part, "=== ") || len(out) == 0 {
			out = append(out, part)
			continue
		}
		out[len(out)-1] += part
	}
	return out
}

// lineDiff is the lines of base missing from lines ("- ") and those of lines not in base ("+ ").
// Every line of a result names its own field, so the two sets say exactly what changed.
func lineDiff(base, lines []string) []string {
	var out []string
	for _, l := range base {
		if !slices.Contains(lines, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range lines {
		if !slices.Contains(base, l) {
			out = append(out, "+ "+l)
		}
	}
	return out
}

// DecodeResult is a decoder's result as lines "field = value", one per field that is set: every
// string, number, flag and raw JSON value of the snapshot at its path, and the error's text, the
// text the log gets and whether it is store.ErrInvalid. Pointers and slices that are set but empty
// get a line too, so a nil and an empty list read differently.
func DecodeResult(s *store.Snapshot, err error) []string {
	var out []string
	if err != nil {
		out = append(out, "error = "+strconv.Quote(err.Error()), "log = "+strconv.Quote(jsonfield.LogText(err)),
			"invalid = "+strconv.FormatBool(errors.Is(err, store.ErrInvalid)))
	}
	if s != nil {
		dumpValue(&out, "", reflect.ValueOf(*s))
	}
	return out
}

func dumpValue(out *[]string, path string, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			*out = append(*out, path+" = set")
			dumpValue(out, path, v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			name := v.Type().Field(i).Name
			if path != "" {
				name = path + "." + name
			}
			dumpValue(out, name, v.Field(i))
		}
	case reflect.Slice:
		switch {
		case v.IsNil():
		case v.Type().Elem().Kind() == reflect.Uint8: // raw JSON: the bytes exactly
			*out = append(*out, path+" = "+strconv.Quote(string(v.Bytes())))
		case v.Len() == 0:
			*out = append(*out, path+" = empty")
		default:
			for i := range v.Len() {
				dumpValue(out, fmt.Sprintf("%s[%d]", path, i), v.Index(i))
			}
		}
	case reflect.String:
		if v.String() != "" {
			*out = append(*out, path+" = "+strconv.Quote(v.String()))
		}
	case reflect.Bool:
		if v.Bool() {
			*out = append(*out, path+" = true")
		}
	case reflect.Int, reflect.Int64:
		if v.Int() != 0 {
			*out = append(*out, path+" = "+strconv.FormatInt(v.Int(), 10))
		}
	default:
		panic(fmt.Sprintf("webtest: DecodeResult cannot show %s (%s): add it", path, v.Type()))
	}
}
