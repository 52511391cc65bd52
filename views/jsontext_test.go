package views

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestFormatJSONMatchesIndent: within the depth cap the layout is json.Indent's, characters
// Go escapes for HTML shown as sent.
func TestFormatJSONMatchesIndent(t *testing.T) {
	in := `{"a":[1,2,{"b":"x<y & \"q\""}],"e":{},"f":[],"n":null,"s":"\u00e9 \\u003c"}`
	var want bytes.Buffer
	if err := json.Indent(&want, []byte(in), "", "  "); err != nil {
		t.Fatal(err)
	}
	got := FormatJSON([]byte(in), JSONViewMax)
	if got.Cut || got.Text != want.String() {
		t.Fatalf("FormatJSON = %q (cut %v), want %q", got.Text, got.Cut, want.String())
	}
	if b := FormatJSON([]byte("not json <b>"), JSONViewMax); b.Text != "not json <b>" {
		t.Fatalf("FormatJSON(text) = %q, want the text as sent", b.Text)
	}
}

// TestFormatJSONBounded: nesting 1k, 10k and 100k deep and 40,000 siblings all come back within
// the view cap; deep levels are collapsed on one line, so no line is indented past the depth cap.
func TestFormatJSONBounded(t *testing.T) {
	wide := `[` + strings.Repeat(`{"k":"v"},`, 40_000) + `0]`
	for name, in := range map[string]string{
		"depth 1k":     strings.Repeat("[", 1000) + "1" + strings.Repeat("]", 1000),
		"depth 10k":    strings.Repeat(`{"a":`, 10_000) + "1" + strings.Repeat("}", 10_000),
		"depth 100k":   strings.Repeat("[", 100_000) + "1" + strings.Repeat("]", 100_000),
		"40k siblings": wide,
	} {
		b := FormatJSON([]byte(in), JSONViewMax)
		if len(b.Text) > JSONViewMax {
			t.Errorf("%s: %d bytes, want at most %d", name, len(b.Text), JSONViewMax)
		}
		if strings.HasPrefix(name, "depth") {
			if !strings.Contains(b.Text, " …") {
				t.Errorf("%s: no collapsed level in %.200q", name, b.Text)
			}
			for _, line := range strings.Split(b.Text, "\n") {
				if n := len(line) - len(strings.TrimLeft(line, " ")); n > 2*JSONMaxDepth {
					t.Fatalf("%s: a line indented %d spaces, want at most %d", name, n, 2*JSONMaxDepth)
				}
				if len(line) > 2*JSONMaxDepth+collapsedMax+16 { // indent, a short key, the collapsed level
					t.Fatalf("%s: a line of %d bytes", name, len(line))
				}
			}
		} else if !b.Cut {
			t.Errorf("%s: %d bytes shown and not cut, want the view cap to apply", name, len(b.Text))
		}
	}
}

// TestJSONBudgetSharedAcrossViews: once a page's budget is spent, further views are cut empty.
func TestJSONBudgetSharedAcrossViews(t *testing.T) {
	budget := NewJSONBudget(JSONViewMax + 10)
	big := []byte(`[` + strings.Repeat(`"abcdefgh",`, 20_000) + `0]`)
	if b := budget.Format(big); !b.Cut || len(b.Text) > JSONViewMax {
		t.Fatalf("first view: %d bytes, cut %v; want cut at the view cap", len(b.Text), b.Cut)
	}
	b := budget.Format(big)
	if !b.Cut || len(b.Text) > 10 {
		t.Fatalf("second view: %d bytes, cut %v; want at most the 10 bytes left", len(b.Text), b.Cut)
	}
	if b := budget.Format(big); !b.Cut || b.Text != "" || b.Empty() {
		t.Fatalf("third view: %q cut %v; want empty and cut, so the page offers the download", b.Text, b.Cut)
	}
}

// BenchmarkFormatJSONDeep lays out 9,000 nested arrays, the pen test's callback.
func BenchmarkFormatJSONDeep(b *testing.B) {
	in := []byte(strings.Repeat("[", 9000) + `"x"` + strings.Repeat("]", 9000))
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		FormatJSON(in, JSONViewMax)
	}
}
