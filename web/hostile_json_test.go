package web

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// nestedArrays is depth arrays inside each other with a string at the bottom: [[[…"x"…]]].
func nestedArrays(depth int) []byte {
	return []byte(strings.Repeat("[", depth) + `"bottom"` + strings.Repeat("]", depth))
}

// siblings is an object with n members.
func siblings(n int) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":%d`, i, i)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// markIDWithAdditionalData is a Mark ID callback whose data.additionalData is raw, verbatim.
func markIDWithAdditionalData(ref string, raw []byte) []byte {
	body := webtest.MarkID{ScanRef: ref, First: "ANNA", Last: "HOSTILE", Overall: "SUSPECTED", Final: true,
		Data: map[string]any{"additionalData": "@@RAW@@"}}.Body()
	return bytes.Replace(body, []byte(`"@@RAW@@"`), raw, 1)
}

// TestCasePageBoundsVendorJSON is the pen test's crash: one callback with thousands of nested
// arrays (or tens of thousands of members) in additionalData made opening its case page build
// hundreds of megabytes, quadratic in the depth. Every shape must answer 200 with a bounded page,
// show deep levels collapsed or offer the raw callback as a download, and the download must give
// back the exact bytes.
func TestCasePageBoundsVendorJSON(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	const pageMax = 3 << 20 // the page's JSON budget is 1 MiB; the rest of the page is small
	for _, tc := range []struct {
		name string
		raw  []byte
	}{
		{"depth 1k", nestedArrays(1000)},
		{"depth 9k", nestedArrays(9000)},
		{"depth 10k", nestedArrays(10_000)},
		{"depth 100k", nestedArrays(100_000)},
		{"40k siblings", siblings(40_000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := "hostile-" + strings.ReplaceAll(tc.name, " ", "-")
			body := markIDWithAdditionalData(ref, tc.raw)
			res := ta.postMarkID(t, body)
			t.Logf("%s: %d-byte callback %s", tc.name, len(body), res.Outcome)
			if res.Outcome != store.OutcomeStored {
				// Deeper than the decoder reads: kept, quarantined, and the ingest page still opens.
				if res.Outcome != store.OutcomeQuarantined {
					t.Fatalf("webhook outcome = %q, want stored or quarantined", res.Outcome)
				}
				adm := ta.loginAs(t, "adm-"+ref, store.RoleAdmin)
				if p := adm.get("/admin/health"); p.Status != http.StatusOK || len(p.Body) > pageMax {
					t.Fatalf("ingest health = %d, %d bytes; want 200 within %d", p.Status, len(p.Body), pageMax)
				}
				return
			}
			id := ta.caseIDByRef(t, store.SourceMarkID, ref)
			p := rev.get(fmt.Sprintf("/cases/%d", id))
			if p.Status != http.StatusOK {
				t.Fatalf("case page = %d, want 200", p.Status)
			}
			if len(p.Body) > pageMax {
				t.Fatalf("case page is %d bytes, want at most %d", len(p.Body), pageMax)
			}
			block := p.testid("additional-data")
			if block.Length() != 1 {
				t.Fatalf("additional-data blocks = %d, want 1", block.Length())
			}
			text := block.Find("pre").Text()
			cut := block.Find(`[data-testid="json-cut"]`).Length() == 1
			if !cut && !strings.Contains(text, "…") {
				t.Fatalf("additional data shows %d bytes with neither a collapsed level nor a cut", len(text))
			}
			if strings.HasPrefix(tc.name, "depth") {
				// Indentation stops at the depth cap: no line is indented deeper than that.
				for _, line := range strings.Split(text, "\n") {
					if n := len(line) - len(strings.TrimLeft(line, " ")); n > 2*views.JSONMaxDepth {
						t.Fatalf("a line is indented %d spaces; deep levels must be collapsed", n)
					}
				}
			}
			href, ok := p.find(`[data-testid="raw-download"]`).First().Attr("href")
			if cut && !ok {
				t.Fatalf("the cut block offers no download")
			}
			if ok {
				resp, err := rev.http.Get(ta.url + href)
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !bytes.Equal(got, body) {
					t.Fatalf("download %s = %d, %d bytes; want 200 with the %d bytes sent", href, resp.StatusCode, len(got), len(body))
				}
				if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
					t.Fatalf("download Content-Disposition = %q, want an attachment", cd)
				}
			}
		})
	}
}

// TestCasePageManyDuplicateFaces: a case whose callback names 40,000 duplicateFaces answered 500
// ("too many SQL variables"). The page lists the first few, links the one we have, and says how
// many more there are.
func TestCasePageManyDuplicateFaces(t *testing.T) {
	ta := newTestApp(t)
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	ta.postMarkID(t, webtest.MarkID{ScanRef: "face-0", First: "EARLIER", Overall: "APPROVED", Final: true}.Body())
	refs := make([]string, 40_000)
	for i := range refs {
		refs[i] = fmt.Sprintf("face-%d", i)
	}
	ta.postMarkID(t, webtest.MarkID{ScanRef: "many-faces", First: "ANNA", Overall: "SUSPECTED", Final: true,
		DuplicateFaces: refs}.Body())
	p := rev.get(fmt.Sprintf("/cases/%d", ta.caseIDByRef(t, store.SourceMarkID, "many-faces")))
	if p.Status != http.StatusOK {
		t.Fatalf("case page = %d, want 200", p.Status)
	}
	if n := p.testid("duplicate-ref").Length(); n != views.DuplicatesShown {
		t.Fatalf("listed %d shared references, want %d", n, views.DuplicatesShown)
	}
	earlier := ta.caseIDByRef(t, store.SourceMarkID, "face-0")
	if href, _ := p.testid("duplicate-link").First().Attr("href"); href != fmt.Sprintf("/cases/%d", earlier) {
		t.Fatalf("first shared reference links to %q, want case %d", href, earlier)
	}
	if got, want := strings.Join(strings.Fields(p.testid("duplicates-more").Text()), " "),
		fmt.Sprintf("and %d more shared references in the raw callback", 40_000-views.DuplicatesShown); got != want {
		t.Fatalf("duplicates-more = %q, want %q", got, want)
	}
	if n := p.testid("signal-count").Text(); n != "40000" {
		t.Fatalf("signal count = %q, want 40000", n)
	}
}
