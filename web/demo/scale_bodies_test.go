package demo

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// TestBodiesAsEncodingJSON: encodeBody (goccy/go-json) writes every body byte for byte as
// encoding/json does: the demo's cases, every delivery of each, and the scale data set, both
// sources and all their variants (AML hits, videos, mismatches, every language).
func TestBodiesAsEncodingJSON(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var payloads []any
	for _, c := range markIDCases(at) {
		for _, d := range c.deliveries {
			p, err := c.payload(d, at.Add(-d.ago))
			if err != nil {
				t.Fatal(err)
			}
			payloads = append(payloads, p)
		}
	}
	for _, v := range videoCases() {
		payloads = append(payloads, v.payload())
	}
	demo := len(payloads)
	for i := range 2310 { // a whole cycle of the scale variants' periods (2, 3, 5, 7, 11)
		_, p, err := scalePayload(i, at)
		if err != nil {
			t.Fatal(err)
		}
		payloads = append(payloads, p)
	}
	if demo < 40 {
		t.Fatalf("%d demo bodies, want the demo's forty-odd cases", demo)
	}
	for i, p := range payloads {
		got, err := encodeBody(p)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "\t")
		if err := enc.Encode(p); err != nil {
			t.Fatal(err)
		}
		if w := bytes.TrimRight(want.Bytes(), "\n"); !bytes.Equal(got, w) {
			t.Fatalf("body %d (the demo's are the first %d): encodeBody differs from encoding/json:\n%s\nwant:\n%s", i, demo, got, w)
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
