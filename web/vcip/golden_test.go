package vcip

import (
	"os"
	"strings"
	"testing"

	"github.com/kycdesk/kycdesk/web/webtest"
)

// edgeBodies are bodies that test the reader's corners: encodings, escapes, odd numbers,
// duplicate keys at depth, the order of translations, whitespace, nesting and what is not a JSON
// object at all.
var edgeBodies = []string{
	"", " ", "null", "[]", `"data"`, "7", "{}", "\xef\xbb\xbf{\"data\":{\"sessionId\":\"bom\"}}", `{"data":null}`, `{"data":"s"}`,
	`{"data":{"sessionId":1e999}}`, `{"data":{"sessionId":-0.0e-0}}`, `{"data":{"sessionId":false}}`, `{"data":{"sessionId":"  "}}`,
	`{"data":{"sessionId":{"id":1}}}`, `{"data":[]}`, `{"scanRef":"a"}`, `{"data":{"sessionId":"s"}}{}`,
	`{"data":{"sessionId":"s","instructions":[{"translations":{"A":1,"A":null,"B":"x"}}]}}`,
	`{"data":{"sessionId":"s","instructions":[{"translations":{"B":"1","A":"2","B":"3","C":null,"D":{"x":1},"E":[],"F":true,"\u0041":"esc"}},null,7,{"translations":null},{"translations":"x"}]}}`,
	`{"data":{"sessionId":"s","browserData":{"screenWidth":"9e18","screenHeight":1e3,"screenColorDepth":"24.0","screenPixelDepth":1.5,"cookieEnabled":"YES","pluginsInstalled":"[\"a\",null,\"b\"]","deviceInfo":{"is_mobile":0}}}}`,
	`{"data":{"sessionId":"s","geo":[1],"documents":"x"}}`, `{"data":{"sessionId":"s","geo":{"ipAddress":" ","ip":"1.2.3.4","city":"C","cityName":null}}}`,
	`{"data":{"sessionId":"s","documents":[null,{"image":"https://a.example/x.jpg","data":{ "a" : 1 }},{"image":"image URL"},{"image":7}]}}`,
	`{"data":{"sessionId":"s","screenshots":[{"finalImage":"https://a.example/f.jpg","screenshots":["https://a.example/1.jpg",null,"ftp://x",{"u":1}]},null,{"screenshots":"https://a.example/2.jpg"}]}}`,
	`{"data":{"sessionId":"s","recordedVideoData":{"videoUrl":"https://a.example/v.mp4","videoThumbnail":"http://a.example/t.jpg"},"forensicsData":{ "k" : [ true ] },"fieldValues":[ ]},"callbackParameters":{"x" : "y"}}`,
	"{\"data\":{\"sessionId\":\"caf\xc3\xa9 \xff\xfe bad\",\"name\":\"\xed\xa0\x80\"}}", `{"data":{"sessionId":"\u00e9\ud83d\ude00\ud800x\/\"\\\b\f\n\r\t"}}`,
	`{"data":{"sessi\u006fnId":"escaped key","name":"n"},"data":{"sessionId":"later"}}`, "{\"data\":{\"sessionId\":\"a\x01b\"}}",
	"{ \"data\" :\t{ \"sessionId\" : \"ws\" ,\r\n \"fieldValues\" : { \"a\" : [ 1 , 2 , { \"b\" : null } ] } } }",
	`{"data":{"sessionId":"n","email":` + `"` + strings.Repeat("é", 300) + `"` + `,"name":{"` + strings.Repeat("k", 300) + `":1}}}`,
	`{"data":{"sessionId":"num","feedback":01}}`, `{"data":{"sessionId":"num","feedback":1.}}`, `{"data":{"sessionId":"num","feedback":-}}`,
	`{"data":{"sessionId":"lit","randomizeInstructions":fals}}`, `{"data":{"sessionId":"x",}}`, `{"data":{"sessionId":"x"]}`,
	`{"data":{"sessionId":"x","forensicsData":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}}`,
	`{"data":{"sessionId":"x","forensicsData":` + strings.Repeat("[", 9998) + strings.Repeat("]", 9998) + `}}`,
}

// TestDecodeGolden: the decoder's every result on the testdata bodies of both decoders, the type
// changes the schema test makes, cuts of the published example and the edge bodies is the one
// recorded in testdata/decode.golden (from the decoder that unmarshalled each level again).
func TestDecodeGolden(t *testing.T) {
	webtest.CheckGolden(t, "testdata/decode.golden", Decode,
		webtest.GoldenBodies(t, edgeBodies, []string{"spec-example.json", "unknown-fields.json"}, "testdata", "../markid/testdata"))
}

// TestDecodeGoldenCorpus does the same for the published callbacks, when the corpus is there.
func TestDecodeGoldenCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("no corpus at %s: %v", corpusDir, err)
	}
	webtest.CheckGolden(t, "testdata/decode-corpus.golden", Decode, webtest.GoldenBodies(t, nil, nil, corpusDir))
}
