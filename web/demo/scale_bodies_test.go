package demo

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// TestBodiesAsEncodingJSON: encodeBody (goccy/go-json) writes every body of the scale data set,
// both sources and all their variants (AML hits, videos, mismatches, every language), byte for
// byte as encoding/json does.
func TestBodiesAsEncodingJSON(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range 2310 { // a whole cycle of the variants' periods (2, 3, 5, 7, 11)
		_, payload, err := scalePayload(i, at)
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeBody(payload)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "\t")
		if err := enc.Encode(payload); err != nil {
			t.Fatal(err)
		}
		if w := bytes.TrimRight(want.Bytes(), "\n"); !bytes.Equal(got, w) {
			t.Fatalf("case %d: encodeBody differs from encoding/json:\n%s\nwant:\n%s", i, got, w)
		}
	}
}

// BenchmarkScaleCase is the CPU one synthetic case costs before the writer: rendering its body
// as the vendor sends it and decoding it as ingest does (go test -bench ScaleCase ./web/demo).
func BenchmarkScaleCase(b *testing.B) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	i := 0
	for b.Loop() {
		if _, _, err := scaleCase(i, at); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
