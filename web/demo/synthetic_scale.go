package demo

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/ingest"
)

// The scale data set: what a desk holds after years. Each case is rendered as its vendor sends
// it (the same body builders as the demo cases) and decoded by the ingest decoders, so it is
// shaped exactly like an ingested case; BulkLoad stores the raw body, the tags, the words of the
// names and the media rows. Names come from several scripts and repeat as names do (KUMAR and
// SINGH are common), waiting times spread over scaleSpan, and every review state occurs, with
// the decisions of the decided and pending cases.

// scaleSpan is how far back the scale data set's callbacks go.
const scaleSpan = 5 * 365 * 24 * time.Hour

type scaleName struct{ first, last, orgFirst, orgLast, country, sex string }

var scaleNames = []scaleName{
	{"PRIYA", "KUMAR", "प्रिया", "कुमार", "IN", "FEMALE"}, {"RAHUL", "SINGH", "राहुल", "सिंह", "IN", "MALE"},
	{"AMIT", "KUMAR", "अमित", "कुमार", "IN", "MALE"}, {"SUNITA", "SINGH", "सुनीता", "सिंह", "IN", "FEMALE"},
	{"KAVYA", "REDDY", "కావ్య", "రెడ్డి", "IN", "FEMALE"}, {"ARJUN", "NAIR", "അർജുൻ", "നായർ", "IN", "MALE"},
	{"ANNA", "KOVALENKO", "АННА", "КОВАЛЕНКО", "UA", "FEMALE"}, {"OLENA", "SHEVCHUK", "ОЛЕНА", "ШЕВЧУК", "UA", "FEMALE"},
	{"DMITRI", "IVANOV", "ДМИТРИЙ", "ИВАНОВ", "RU", "MALE"}, {"JONAS", "PETRAITIS", "JONAS", "PETRAITIS", "LT", "MALE"},
	{"THI", "NGUYEN", "THỊ", "NGUYỄN", "VN", "FEMALE"}, {"MEI", "WANG", "美", "王", "CN", "FEMALE"},
	{"FATIMA", "KHAN", "فاطمة", "خان", "AE", "FEMALE"}, {"LUCAS", "SILVA", "LUCAS", "SILVA", "BR", "MALE"},
	{"SIOBHAN", "O'CONNOR", "SIOBHAN", "O'CONNOR", "IE", "FEMALE"}, {"GIORGI", "BERIDZE", "გიორგი", "ბერიძე", "GE", "MALE"},
}

var (
	scaleFraud    = []string{"FACE_SUSPECTED", "DOC_MOBILE_PHOTO", "AML_SUSPECTION", "DEV_TOOLS_OPENED", "VIRTUAL_CAMERA", "DOC_PRINT_SPOOFED", "FACE_IN_BLACKLIST"}
	scaleMismatch = []string{"NAME", "SURNAME", "DATE_OF_BIRTH", "DOCUMENT_NUMBER", "NATIONALITY", "EXPIRY_DATE"}
	scaleIPs      = []string{"LT", "UA", "IN", "DE", "PL", "AE", "GB", "IN", "IN", "US", "NG", "BR"}
	scaleVCIP     = []string{"Priya Kumar", "Rahul Singh", "Amit Kumar Sharma", "Sunita Singh", "Kavya Reddy", "Arjun Nair", "Ananya Das", "Mohammed Irfan Khan"}
	scaleReasons  = map[string][]string{store.OutcomeAllow: {"face_matches", "document_valid"}, store.OutcomeDecline: {"document_forged", "face_mismatch"}}
)

// scaleCase renders case i, received at received, and decodes it.
func scaleCase(i int, received time.Time) (*store.Snapshot, []byte, error) {
	src, payload, err := scalePayload(i, received)
	if err != nil {
		return nil, nil, err
	}
	body, err := encodeBody(payload)
	if err != nil {
		return nil, nil, err
	}
	s, err := ingest.Decode(src, body)
	if err != nil {
		return nil, nil, fmt.Errorf("demo: scale case %d does not decode: %w", i, err)
	}
	return s, body, nil
}

// scalePayload is the body of case i, received at received, before it is encoded. One case in
// five is a video-KYC session.
func scalePayload(i int, received time.Time) (store.Source, any, error) {
	key := fmt.Sprintf("scale-%d", i)
	src := store.SourceMarkID
	if i%5 == 4 {
		src = store.SourceVCIP
		name := scaleVCIP[(i/5)%len(scaleVCIP)]
		steps := []int{stepPAN, stepName, stepDOB, stepAadhaar, stepFace}
		if i%3 == 0 {
			steps = append(steps, stepAddress)
		}
		v := &videoCase{key: key, name: name, email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com",
			father: "Rajesh " + name[strings.LastIndex(name, " ")+1:], sex: []string{"FEMALE", "MALE"}[i%2],
			dob: fmt.Sprintf("%02d/%02d/%d", 1+i%28, 1+i%12, 1960+i%45), pan: "BKSPS" + fmt.Sprintf("%04d", i%10000) + "K",
			aadhaar: fmt.Sprintf("XXXX XXXX %04d", i%10000), steps: steps,
			lang: []string{"HINDI", "ENGLISH", "KANNADA", "BENGALI", "GUJARATI"}[i%5], callSeconds: 300 + i%400,
			geo:    indiaGeo(fmt.Sprintf("203.0.113.%d", i%250), "Maharashtra", "Mumbai", "400099", "19.1136", "72.8697"),
			device: []string{"desktop", "android", "iphone", "mac"}[i%4], feedback: "4", feedbackMessage: "good",
			remark: remarks[i%len(remarks)], forensics: noForensics,
			params: params(fmt.Sprintf("APP-%d", 100000+i), "Mumbai-Andheri East", "SAVINGS_ACCOUNT", "HINDI")}
		return src, v.payload(), nil
	}
	n := scaleNames[(i/5)%len(scaleNames)]
	if i%7 == 0 {
		n = scaleNames[(i/35)%4] // the common Indian names once more
	}
	overall := []string{suspected, suspected, store.StatusApproved, suspected, store.StatusDenied, suspected, store.StatusExpired}[i%7]
	d := idDelivery{final: i%3 == 0, overall: overall, autoDoc: docOK, autoFace: faceOK}
	if d.final {
		d.manualDoc, d.manualFace = docOK, faceOK
	}
	if overall == suspected || i%4 == 0 {
		d.fraud = []string{scaleFraud[i%len(scaleFraud)]}
	}
	if i%4 == 1 {
		d.mismatch = []string{scaleMismatch[(i/4)%len(scaleMismatch)]}
	}
	c := &idCase{key: key, clientID: fmt.Sprintf("client-%d", 100000+i), platform: []string{"PC", "MOBILE", "MOBILE_SDK"}[i%3],
		p: idPerson{first: n.first, last: n.last, orgFirst: n.orgFirst, orgLast: n.orgLast, sex: n.sex,
			dob: fmt.Sprintf("%d-%02d-%02d", 1950+i%55, 1+i%12, 1+i%28), nat: n.country, docType: []string{"PASSPORT", "ID_CARD"}[i%2],
			docNo: fmt.Sprintf("P%08d", i), issued: "2020-06-11", expiry: fmt.Sprintf("%d-06-30", 2026+i%8), country: n.country},
		ip: fmt.Sprintf("198.51.100.%d", i%250), ipCountry: scaleIPs[(i/3)%len(scaleIPs)], location: "Vilnius, Lithuania",
		proxy: []string{"LOW", "LOW", "HIGH"}[i%3], age: "OVER_30", files: cardFiles, aml: []markidCheck{amlClear(key)}}
	if i%11 == 0 {
		c.aml = []markidCheck{amlHit(key, `{"name":"`+n.first+` `+n.last+`","score":92,"type":"PEP","lists":["PEP"]}`)}
		d.fraud = append(d.fraud, "AML_SUSPECTION")
	}
	if i%4 == 0 {
		c.files = withVideos(cardFiles, store.MediaFaceVideo)
	}
	payload, err := c.payload(d, received)
	return src, payload, err
}

// LoadScale writes n cases of the scale data set into an empty db through BulkLoad, received
// over the five years before now; decisions are made by the given reviewers (user IDs, at least
// two: a pending decision's maker is the first, a decided case's the second); each media row is
// archived as files[kind] (files[""] for other kinds), or not written when files is nil. The bodies are
// rendered and decoded on every core while the writer stores them.
func LoadScale(ctx context.Context, db *store.DB, n int, now time.Time, reviewers []int64, files map[string]store.BulkFile) error {
	return loadScale(ctx, n, now, reviewers, files, db.BulkLoadEmpty)
}

// loadScale is LoadScale through the given loader (BulkLoadEmpty, or BulkLoad to compare with).
func loadScale(ctx context.Context, n int, now time.Time, reviewers []int64, files map[string]store.BulkFile,
	load func(context.Context, func() (store.BulkCase, bool)) (int, error)) error {
	if len(reviewers) < 2 {
		return fmt.Errorf("demo: scale data needs two reviewers")
	}
	type made struct {
		bc  store.BulkCase
		err error
	}
	step := scaleSpan / time.Duration(max(n, 1))
	start := now.Add(-scaleSpan)
	const chunk = 256
	workers := runtime.GOMAXPROCS(0)
	// Chunks are made in parallel and handed over in order.
	slots := make(chan chan []made, workers*2)
	go func() {
		defer close(slots)
		for lo := 0; lo < n; lo += chunk {
			out := make(chan []made, 1)
			select {
			case slots <- out:
			case <-ctx.Done():
				return
			}
			go func(lo int) {
				hi := min(lo+chunk, n)
				batch := make([]made, 0, hi-lo)
				for i := lo; i < hi; i++ {
					received := start.Add(time.Duration(i) * step)
					s, body, err := scaleCase(i, received)
					if err != nil {
						batch = append(batch, made{err: err})
						break
					}
					bc := store.BulkCase{Snapshot: s, Body: body, ReceivedAt: received, ReviewState: syntheticState(s, i), Files: files}
					switch bc.ReviewState {
					case store.ReviewDecided, store.ReviewPendingApproval:
						outcome := store.OutcomeAllow
						if i%3 == 1 {
							outcome = store.OutcomeDecline
						}
						by := reviewers[1]
						if bc.ReviewState == store.ReviewPendingApproval {
							by = reviewers[0]
						}
						bc.Decision = &store.BulkDecision{Outcome: outcome, ReasonCode: scaleReasons[outcome][i%2],
							Note: "Checked the document and the selfie.", DecidedBy: by, ClaimedAt: received.Add(20 * time.Minute),
							DecidedAt: received.Add(26 * time.Minute), Pending: bc.ReviewState == store.ReviewPendingApproval}
					}
					batch = append(batch, made{bc: bc})
				}
				out <- batch
			}(lo)
		}
	}()
	var cur []made
	var failed error
	next := func() (store.BulkCase, bool) {
		for len(cur) == 0 {
			slot, ok := <-slots
			if !ok {
				return store.BulkCase{}, false
			}
			cur = <-slot
		}
		m := cur[0]
		cur = cur[1:]
		if m.err != nil {
			failed = m.err
			return store.BulkCase{}, false
		}
		return m.bc, true
	}
	_, err := load(ctx, next)
	for range slots { // let the producers finish
	}
	if err != nil {
		return err
	}
	return failed
}
