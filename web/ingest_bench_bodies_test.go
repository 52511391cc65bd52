package web

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/ingest"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// benchCall is one signed callback, ready to send.
type benchCall struct {
	path, header, value string
	body                []byte
}

// benchTemplate is a realistic body whose reference is swapped for a fresh one per customer.
type benchTemplate struct {
	source store.Source
	body   []byte
	ref    string
}

// benchCustomers are the shapes BenchmarkIngest sends, one customer after another: the spec
// examples of both sources (the video-KYC session with its instructions in five languages and its
// screenshots), a Mark ID AML hit followed by the manual review's final result for the same
// scanRef, and an automatic SUSPECTED followed by a final DENIED. The corpus of published
// callbacks joins them when ../../shared/corpus is there.
func benchCustomers(b *testing.B) [][]benchTemplate {
	b.Helper()
	load := func(source store.Source, path string) benchTemplate {
		body, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		snap, err := ingest.Decode(source, body)
		if err != nil || snap.Ref == "" {
			b.Fatalf("%s does not decode to a case: %v", path, err)
		}
		return benchTemplate{source: source, body: body, ref: snap.Ref}
	}
	customers := [][]benchTemplate{
		{load(store.SourceVCIP, "vcip/testdata/spec-example.json")},
		{load(store.SourceMarkID, "markid/testdata/aml-hit.json"), load(store.SourceMarkID, "markid/testdata/manual-approved.json")},
		{load(store.SourceMarkID, "markid/testdata/spec-example.json")},
		{load(store.SourceMarkID, "markid/testdata/auto-suspected.json"), load(store.SourceMarkID, "markid/testdata/denied.json")},
	}
	corpus, _ := filepath.Glob("../../shared/corpus/payloads/*.json")
	for _, path := range corpus {
		body, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		for _, source := range []store.Source{store.SourceMarkID, store.SourceVCIP} {
			// Only the ones that become a case whose reference can be swapped: the others are
			// quarantined or duplicates, which the decoder tests cover.
			if snap, err := ingest.Decode(source, body); err == nil && snap.Ref != "" && bytes.Contains(body, []byte(`"`+snap.Ref+`"`)) {
				customers = append(customers, []benchTemplate{{source: source, body: body, ref: snap.Ref}})
				break
			}
		}
	}
	return customers
}

// benchCalls makes n signed callbacks from the customers in turn, each customer with a reference
// of its own (prefix plus a counter), so no two bodies are byte-identical.
func benchCalls(b *testing.B, n int, prefix string) []benchCall {
	b.Helper()
	if os.Getenv("KYCDESK_BENCH_DATA") != "" {
		// A data dir that outlives the run: the next run's callbacks are new cases, not retries.
		prefix += "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	customers := benchCustomers(b)
	calls := make([]benchCall, 0, n)
	for c := 0; len(calls) < n; c++ {
		ref := []byte(`"` + prefix + "-" + strconv.Itoa(c) + `"`)
		for _, t := range customers[c%len(customers)] {
			if len(calls) == n {
				break
			}
			body := bytes.ReplaceAll(t.body, []byte(`"`+t.ref+`"`), ref)
			call := benchCall{body: body}
			if t.source == store.SourceVCIP {
				call.path, call.header, call.value = "/webhooks/vcip", "Authorization", "Bearer bench-token"
			} else {
				call.path, call.header, call.value = "/webhooks/markid", "Idenfy-Signature", webtest.MarkIDSignature(body, "bench-secret")
			}
			calls = append(calls, call)
		}
	}
	return calls
}

// benchMeanBody is a body of the mix's mean size, for the ceiling's row.
func benchMeanBody(calls []benchCall) []byte {
	total := 0
	for _, c := range calls {
		total += len(c.body)
	}
	return bytes.Repeat([]byte("x"), total/max(len(calls), 1))
}
