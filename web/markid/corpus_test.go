package markid

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusDir holds payloads other projects and vendor docs published; a user's clone has no ../shared.
const corpusDir = "../../../shared/corpus/payloads"

func TestDecodeCorpus(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("no corpus at %s: %v", corpusDir, err)
	}
	// What specific files must decode to; every other file just must not panic.
	wantRef := map[string]string{
		"gboddin-go-idenfy-testdata-webhook.1.json":                                         "scan-ref",
		"threefoldtech-tf-kyc-verifier-testdata-webhook.1.json":                             "scan-ref",
		"idenfy-docs-resultcallback-2018-12-06-ef4c9ef9-legacy-aml-object.json":             "scan-ref",
		"idenfy-docs-resultcallback-2019-04-18-4c2cb7a8-auto-only-manual-null.json":         "scan-ref",
		"idenfy-docs-resultcallback-HEAD-2021-01-15-288cfbf4-duplicate-key.json":            "scan-ref",
		"logion-backend-ts-idenfy-service-spec-RAW_IDENFY_PAYLOAD-TEMPLATE-final-true.json": "${ IDENFY_SCAN_REF }",
	}
	wantErr := map[string]string{
		"idenfy-docs-videocall-callback-different-shape.json":                                `field "status" is a boolean`,
		"idenfy-docsite-api-reference-webhook-identification-expired-TRUNCATED-excerpt.json": "the body ends at byte",
		"markid-docs-resultcallback-INVALID-unquoted-ip-trailing-comma-dupkey.json":          "invalid JSON at byte 185 (line 8, column 20)",
		"idenfy-docs-resultcallback-2020-07-15-247df446-INVALID-trailing-comma.json":         "(trailing comma at line 33, column 25)",
		"markid-docs-aml-monitoring-callback-DECLINED-scanRefList-string.json":               "looks like an AML-monitoring callback",
		"signzy-vcip-alldocs-callbacks.json":                                                 "looks like a Video KYC callback",
	}
	present := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".json") {
			continue
		}
		present[name] = true
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(corpusDir, name))
			if err != nil {
				t.Fatal(err)
			}
			s, err := Decode(body)
			switch {
			case strings.Contains(name, "INVALID") && err == nil:
				t.Errorf("Decode(%s) error = nil, want an error", name)
			case wantRef[name] != "" && (err != nil || s.Ref != wantRef[name]):
				t.Errorf("Decode(%s) = %v, %v, want ref %q", name, s, err, wantRef[name])
			case wantErr[name] != "" && (err == nil || !strings.Contains(err.Error(), wantErr[name])):
				t.Errorf("Decode(%s) error = %v, want one containing %q", name, err, wantErr[name])
			case err == nil && (s == nil || s.Ref == ""):
				t.Errorf("Decode(%s) = %+v with no error, want a snapshot with a ref", name, s)
			}
		})
	}
	for _, want := range []map[string]string{wantRef, wantErr} { // a renamed file must not silently drop its check
		for name := range want {
			if !present[name] {
				t.Errorf("corpus file %s is missing", name)
			}
		}
	}
}

func TestDecodeCorpusDetails(t *testing.T) {
	body, err := os.ReadFile(filepath.Join(corpusDir, "gboddin-go-idenfy-testdata-webhook.1.json"))
	if err != nil {
		t.Skipf("no corpus: %v", err)
	}
	s, err := Decode(body)
	if err != nil {
		t.Fatalf("Decode(gboddin webhook) error = %v, want nil", err)
	}
	if s.Status.Final == nil || *s.Status.Final || s.Status.ManualFace != "FACE_MATCH" || s.Person.OrgBirthPlace != "ŠILUVA" ||
		len(s.AML) != 1 || len(s.LID) != 1 || len(s.Media) != 3 || s.Document.DateOfIssue != "2018-03-02" {
		t.Errorf("Decode(gboddin webhook) = %+v, want final=false, manual FACE_MATCH, ŠILUVA, 1 AML, 1 LID, 3 media, issued 2018-03-02", s)
	}
	legacy, err := os.ReadFile(filepath.Join(corpusDir, "idenfy-docs-resultcallback-2018-12-06-ef4c9ef9-legacy-aml-object.json"))
	if err != nil {
		t.Fatal(err)
	}
	s, err = Decode(legacy)
	if err != nil || len(s.AML) != 1 || s.AML[0].Suspected || s.AML[0].ServiceGroupType != "AML" || len(s.LID) != 1 {
		t.Errorf("Decode(2018 legacy) = %+v, %v, want one unsuspected AML and one LID check", s, err)
	}
}
