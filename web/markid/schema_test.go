package markid

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/internal/jsonfield"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// TestEveryFieldTypeChange walks every field of the published example (and the AML-hit
// fixture) and replaces it with a value of each other JSON type. The case is always kept, under
// its scanRef, unless the change makes it unidentifiable (scanRef itself) or turns it into another
// kind of callback (a boolean status is the video-call callback); a value the decoder could not
// read is named in a schema warning with what arrived, and no other field is blamed.
func TestEveryFieldTypeChange(t *testing.T) {
	for _, fixture := range []string{"spec-example.json", "aml-hit.json"} {
		body := webtest.Fixture(t, fixture)
		// The changed bodies are re-encoded with their keys sorted: so is the one compared with.
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatal(err)
		}
		sorted, _ := json.Marshal(v)
		base, err := Decode(sorted)
		if err != nil {
			t.Fatal(err)
		}
		baseJSON := snapshotText(base)
		changes, err := jsonfield.TypeChanges(body)
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) < 100 {
			t.Fatalf("%s: %d type changes, want the example's every field", fixture, len(changes))
		}
		for _, c := range changes {
			s, err := Decode(c.Body)
			switch {
			case c.Path == "scanRef":
				if err != nil && !strings.Contains(err.Error(), "cannot be identified") {
					t.Errorf("%s %s → %s: error %q, want one saying the case cannot be identified", fixture, c.Path, c.To, err)
				}
				continue
			case (c.Path == "AML" || c.Path == "LID") && c.To == "an object":
				// The legacy form of the checks is an object ({"suspected": …, "results": …}):
				// one with other members reads as no checks, as unknown fields do.
				if err != nil {
					t.Errorf("%s %s → an object: %v, want the legacy form read", fixture, c.Path, err)
				}
				continue
			case c.Path == "status" && c.To == "a boolean":
				if err == nil {
					t.Errorf("%s: a boolean status decoded, want the video-call callback refused", fixture)
				}
				continue
			case err != nil:
				t.Errorf("%s %s (%s) → %s: quarantined (%v), want the case kept", fixture, c.Path, c.From, c.To, err)
				continue
			}
			checkTypeChange(t, fixture, c, s, base.Ref, baseJSON)
		}
	}
}

// checkTypeChange asserts the rule for one decoded type change: same case; any warning names the
// changed field (or one inside it) and keeps what arrived; a changed reading is either the value
// kept as it arrived or a warning.
func checkTypeChange(t *testing.T, fixture string, c jsonfield.TypeChange, s *store.Snapshot, ref, baseJSON string) {
	t.Helper()
	if s.Ref != ref {
		t.Errorf("%s %s → %s: ref %q, want %q", fixture, c.Path, c.To, s.Ref, ref)
	}
	warned := false
	for _, w := range s.SchemaWarnings {
		if w.Field != c.Path && !strings.HasPrefix(w.Field, c.Path+".") && !strings.HasPrefix(w.Field, c.Path+"[") {
			t.Errorf("%s %s → %s: warning about %s, an unchanged field", fixture, c.Path, c.To, w.Field)
		}
		if w.Field == c.Path {
			warned = true
			if w.Value != c.Value || w.Got != c.To {
				t.Errorf("%s %s → %s: warning keeps %s (%s), want %s as it arrived", fixture, c.Path, c.To, w.Value, w.Got, c.Value)
			}
		}
	}
	got := snapshotText(s)
	if got == baseJSON || warned {
		return
	}
	// Read leniently (a number as text, a list of one) or kept verbatim (raw JSON fields).
	kept := strings.Contains(got, strings.Trim(c.Value, `{}[]"`)) || (c.To == "a boolean" && c.From != "an object" && c.From != "an array")
	if !kept {
		t.Errorf("%s %s (%s) → %s: the reading changed with no schema warning and without the value", fixture, c.Path, c.From, c.To)
	}
}

// snapshotText is the snapshot as JSON without its schema warnings.
func snapshotText(s *store.Snapshot) string {
	c := *s
	c.SchemaWarnings = nil
	b, _ := json.Marshal(c)
	return string(b)
}

// TestUnreadableVerdictNeedsAPerson: when the status or its overall verdict arrives with another
// type, the case is kept and goes to the needs-decision queue, never to "no decision needed".
func TestUnreadableVerdictNeedsAPerson(t *testing.T) {
	body := webtest.Fixture(t, "spec-example.json")
	changes, err := jsonfield.TypeChanges(body)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, c := range changes {
		if (c.Path != "status" && c.Path != "status.overall") || (c.Path == "status" && c.To == "a boolean") {
			continue
		}
		seen++
		s, err := Decode(c.Body)
		if err != nil {
			t.Errorf("%s → %s: %v, want the case kept", c.Path, c.To, err)
			continue
		}
		if !s.NeedsDecision() {
			t.Errorf("%s → %s (read as %q): the case needs no decision, want it shown to a person", c.Path, c.To, s.Status.Overall)
		}
	}
	if seen < 6 {
		t.Fatalf("%d type changes of the verdict, want those of status and status.overall", seen)
	}
}
