package markid

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/kycdesk/kycdesk/store"
)

// FuzzDecode checks that no body makes Decode panic, and that it returns either a usable
// snapshot or an ErrInvalid error, never both or neither.
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
		`{"scanRef":"a","status":{"fraudTags":"[[[]]]"}}`, `{"scanRef":"a","aml":{"results":[1,2]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := Decode(body)
		if err != nil {
			if s != nil || !errors.Is(err, store.ErrInvalid) || err.Error() == "" {
				t.Fatalf("Decode(%q) = %v, %v, want nil and an ErrInvalid error", body, s, err)
			}
			return
		}
		if s == nil || s.Ref == "" || s.Source != store.SourceMarkID {
			t.Fatalf("Decode(%q) = %+v, want a Mark ID snapshot with a ref", body, s)
		}
		if _, err := json.Marshal(s); err != nil {
			t.Fatalf("json.Marshal(Decode(%q)) error = %v", body, err)
		}
	})
}
