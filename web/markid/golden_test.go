package markid

import (
	"os"
	"strings"
	"testing"

	"github.com/kycdesk/kycdesk/web/webtest"
)

// edgeBodies are bodies that test the reader's corners: encodings, escapes, odd numbers,
// duplicate keys at depth, whitespace, nesting and what is not a JSON object at all.
var edgeBodies = []string{
	"", " ", "null", "[]", `"scanRef"`, "7", "{}", "\xef\xbb\xbf{\"scanRef\":\"bom\"}", "\xef\xbb\xbf",
	`{"scanRef":1e999}`, `{"scanRef":-0.0e-0}`, `{"scanRef":true}`, `{"scanRef":"  "}`, `{"scanRef":"a"}{}`,
	`{"scanRef":"a","startTime":"NaN"}`, `{"scanRef":"a","startTime":1e300,"finishTime":"1554726960123.5"}`,
	`{"scanRef":"a","status":{"fraudTags":"[[[]]]"}}`, `{"scanRef":"a","aml":{"results":[1,2]}}`,
	`{"scanRef":"a","status":{"additionalSteps":{"x":1}}}`, `{"scanRef":{"id":1}}`, `{"scanRef":"a","data":[]}`,
	"{\"scanRef\":\"caf\xc3\xa9 \xff\xfe bad\",\"clientId\":\"\xed\xa0\x80\"}", `{"scanRef":"\u00e9\ud83d\ude00\ud800x\/\"\\\b\f\n\r\t"}`,
	`{"scanR\u0065f":"escaped key","sc\u0061nRef":"later"}`, "{\"scanRef\":\"a\x01b\"}", "{\"scanRef\":\"a\tb\"}",
	"{ \"scanRef\" :\t\"ws\" ,\r\n \"data\" : { \"additionalData\" : { \"a\" : [ 1 , 2 , { \"b\" : null } ] } } }",
	`{"scanRef":"dup","data":{"docFirstName":"A","docFirstName":"B"},"data":{"docLastName":"C"}}`,
	`{"scanRef":"dup","fileUrls":{"X":"https://a.example/1","X":"https://a.example/2","":"https://a.example/3"}}`,
	`{"scanRef":"n","AML":[null,{"status":{"serviceSuspected":"1"},"data":[{},{}]},7],"LID":{"status":null}}`,
	`{"scanRef":"n","aml":{"suspected":"yes","results":{"a":1,"a":2,"b":3}},"lid":{"results":"x"}}`,
	`{"scanRef":"n","data":{"additionalData":{"x":"` + strings.Repeat("é", 300) + `"}},"clientId":{"` + strings.Repeat("k", 300) + `":1}}`,
	`{"scanRef":"num","startTime":-12,"finishTime":01}`, `{"scanRef":"num","startTime":1.}`, `{"scanRef":"num","startTime":.5}`,
	`{"scanRef":"num","startTime":1e}`, `{"scanRef":"num","startTime":-}`, `{"scanRef":"lit","final":tru}`, `{"scanRef":"lit","final":nul}`,
	`{"scanRef":"x",}`, `{"scanRef":"x" "clientId":1}`, `{"scanRef" "x"}`, `{"scanRef":"x"]`, `{"scanRef":["x"}`, `{'scanRef':'x'}`,
	`{"scanRef":"x","data":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`,
	`{"scanRef":"x","data":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`,
	`{"scanRef":"x","status":{"overall":" SUSPECTED ","suspicionReasons":["A",null,"",3,true,{"a":1}]}}`,
	`{"scanRef":"x","status":true}`, `{"status":{"overall":"APPROVED"}}`, `{"data":{"sessionId":"s"}}`, `{"monitoringId":"m"}`,
	`{"scanRef":"x","manualAddress":null,"data":{"manualAddress":"Street 1","manualAddressMatch":"false","gdcMatch":{"a":1}}}`,
}

// TestDecodeGolden: the decoder's every result on the bodies above is the one recorded in
// testdata/decode.golden (from the decoder that unmarshalled each level of nesting again).
func TestDecodeGolden(t *testing.T) {
	webtest.CheckGolden(t, "testdata/decode.golden", Decode, webtest.GoldenBodies(t, edgeBodies, []string{"spec-example.json", "aml-hit.json"}, "testdata", "../vcip/testdata"))
}

// TestDecodeGoldenCorpus does the same for the published callbacks, when the corpus is there.
func TestDecodeGoldenCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("no corpus at %s: %v", corpusDir, err)
	}
	webtest.CheckGolden(t, "testdata/decode-corpus.golden", Decode, webtest.GoldenBodies(t, nil, nil, corpusDir))
}
