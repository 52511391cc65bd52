package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// LoadSynthetic writes n made-up cases into db through the store's bulk loader, arriving 37 s
// apart up to now and spread over the review states. It is for benchmarks and load tests in an
// empty data dir: the cases describe nobody.
func LoadSynthetic(ctx context.Context, db *store.DB, n int, now time.Time) error {
	i := 0
	_, err := db.BulkLoad(ctx, func() (store.BulkCase, bool) {
		if i >= n {
			return store.BulkCase{}, false
		}
		s := syntheticSnapshot(i)
		bc := store.BulkCase{Snapshot: s, ReceivedAt: now.Add(-time.Duration(n-i) * 37 * time.Second),
			ReviewState: syntheticState(s, i)}
		i++
		return bc, true
	})
	return err
}

// syntheticState puts one decision-needing case in ten in decided and one in 25 in pending approval.
func syntheticState(s *store.Snapshot, i int) string {
	switch {
	case !s.NeedsDecision():
		return store.ReviewInformational
	case i%10 == 3:
		return store.ReviewDecided
	case i%25 == 7:
		return store.ReviewPendingApproval
	}
	return store.ReviewNeedsDecision
}

var (
	synthFirst     = []string{"ANNA", "VIKTOR", "PRIYA", "RAHUL", "OLENA", "JONAS", "AISHA", "MEI", "LUCAS", "FATIMA", "ARJUN", "SOFIA", "DMITRI", "KAVYA", "TOMAS", "LEILA"}
	synthLast      = []string{"KOVALENKO", "SHARMA", "PETRAITIS", "NAIR", "GARCIA", "OKAFOR", "IVANOVA", "REDDY", "SILVA", "HOFFMANN", "KHAN", "BANERJEE", "NOVAK", "MEHTA"}
	synthCountries = []string{"LT", "UA", "IN", "DE", "PL", "AE", "GB", "LV", "EE", "US", "NG", "BR"}
	synthFraud     = []string{"FACE_SUSPECTED", "DOC_MOBILE_PHOTO", "AML_SUSPECTION", "DEV_TOOLS_OPENED", "VIRTUAL_CAMERA", "DOC_PRINT_SPOOFED", "FACE_IN_BLACKLIST"}
	synthMismatch  = []string{"NAME", "SURNAME", "DATE_OF_BIRTH", "DOCUMENT_NUMBER", "NATIONALITY", "EXPIRY_DATE"}
	synthOverall   = []string{store.StatusSuspected, store.StatusSuspected, store.StatusApproved, store.StatusSuspected, store.StatusDenied, store.StatusSuspected, store.StatusExpired}
)

// syntheticSnapshot is a deterministic made-up case: the same i always gives the same case.
func syntheticSnapshot(i int) *store.Snapshot {
	final := i%3 == 0
	s := &store.Snapshot{Source: store.SourceMarkID}
	if i%5 == 4 {
		s.Source = store.SourceVCIP
	}
	s.Ref = fmt.Sprintf("syn-%08x-%04x", uint32(i)*2654435761, i%65536)
	s.ClientID = fmt.Sprintf("client-%d", 100000+i)
	s.Person.FirstName = synthFirst[i%len(synthFirst)]
	s.Person.LastName = synthLast[(i/len(synthFirst))%len(synthLast)]
	s.Person.DOB = fmt.Sprintf("%d-%02d-%02d", 1950+i%55, 1+i%12, 1+i%28)
	s.Document = store.Document{Type: "PASSPORT", Number: fmt.Sprintf("P%08d", i), Expiry: fmt.Sprintf("%d-06-30", 2022+i%10),
		IssuingCountry: synthCountries[i%len(synthCountries)]}
	s.IPCountry = synthCountries[(i/3)%len(synthCountries)]
	s.IP = fmt.Sprintf("203.0.113.%d", i%250)
	s.Status = store.Status{Overall: synthOverall[i%len(synthOverall)], Final: &final, AutoDocument: "DOC_VALIDATED", AutoFace: "FACE_MATCH"}
	if s.Status.Overall == store.StatusSuspected || i%4 == 0 {
		s.Status.FraudTags = []string{synthFraud[i%len(synthFraud)]}
		if extra := synthFraud[(i/7)%len(synthFraud)]; i%6 == 0 && extra != s.Status.FraudTags[0] {
			s.Status.FraudTags = append(s.Status.FraudTags, extra)
		}
	}
	if i%4 == 1 {
		s.Status.MismatchTags = []string{synthMismatch[i%len(synthMismatch)]}
	}
	if s.Source == store.SourceVCIP {
		s.Status = store.Status{}
		s.Person.FullName = s.Person.FirstName + " " + s.Person.LastName
		s.Geo = &store.Geo{CountryCode: s.IPCountry, IP: s.IP, City: "Mumbai"}
		s.Instructions = []store.Instruction{{Text: "Please show your PAN card", ScreenshotRequired: true,
			Translations: []store.Translation{{Language: "ENGLISH", Text: "Please show your PAN card"}, {Language: "HINDI", Text: "कृपया अपना पैन कार्ड दिखाएं"}}}}
	}
	return s
}
