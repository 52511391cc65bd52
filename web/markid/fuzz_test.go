package markid

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/internal/jsonfield"
)

// FuzzDecode checks that no body makes Decode panic, that it returns either a usable snapshot or
// an ErrInvalid error, never both or neither, and that it refuses only what the quarantine rule
// allows: a body that is not a JSON object, one without a usable scanRef, or the video-call
// callback (a boolean status). Any other oddity is a kept case, with schema warnings.
func FuzzDecode(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.json")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{"", "{}", "null", `{"scanRef":1e999}`, `{"scanRef":"a","startTime":"NaN"}`,
		`{"scanRef":"a","status":{"fraudTags":"[[[]]]"}}`, `{"scanRef":"a","aml":{"results":[1,2]}}`,
		`{"scanRef":"a","status":{"additionalSteps":{"x":1}}}`, `{"scanRef":{"id":1}}`, `{"scanRef":"a","data":[]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := Decode(body)
		if err != nil {
			if s != nil || !errors.Is(err, store.ErrInvalid) || err.Error() == "" {
				t.Fatalf("Decode(%q) = %v, %v, want nil and an ErrInvalid error", body, s, err)
			}
			if top, perr := jsonfield.ParseBody(body); perr == nil && jsonfield.UsableText(top.Members["scanRef"]) &&
				jsonfield.Kind(top.Members["status"]) != "a boolean" {
				t.Fatalf("Decode(%q) quarantined a body with a usable scanRef: %v", body, err)
			}
			return
		}
		for _, w := range s.SchemaWarnings {
			if w.Field == "" || w.Got == "" || w.Want == "" {
				t.Fatalf("Decode(%q) schema warning %+v names no field or type", body, w)
			}
		}
		if s == nil || s.Ref == "" || s.Source != store.SourceMarkID {
			t.Fatalf("Decode(%q) = %+v, want a Mark ID snapshot with a ref", body, s)
		}
		if _, err := json.Marshal(s); err != nil {
			t.Fatalf("json.Marshal(Decode(%q)) error = %v", body, err)
		}
	})
}
