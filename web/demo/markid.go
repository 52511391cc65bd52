package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// idPerson is what a Mark ID case's document says: Latin fields as the vendor transliterates
// them, org* fields in the original script ("" sends null).
type idPerson struct {
	first, last, orgFirst, orgLast   string
	sex, dob, nat, orgNat            string
	birthPlace, orgBirthPlace        string
	address, orgAddress              string
	authority, orgAuthority, licence string
	docType, docNo, personalCode     string
	issued, expiry, country          string
}

// idCase is one Mark ID verification and the callbacks it produces.
type idCase struct {
	key, clientID, platform string
	p                       idPerson
	ip, ipCountry, location string
	proxy, age              string // clientIpProxyRiskLevel (sent on final callbacks only), ageEstimate
	files                   []string
	aml, lid                []markidCheck
	dupFaces, dupDocFaces   []string // keys of other demo cases
	// face seeds the selfie ("": the key); docFace the document photo ("": the selfie's person).
	face, docFace      string
	failMedia          map[string]string // kind -> the error its fetch gave up with
	manualAddress      string
	manualAddressMatch bool
	gdcMatch           *bool
	additionalData     string
	deliveries         []idDelivery
}

// idDelivery is one callback of a case, sent ago before now.
type idDelivery struct {
	ago                       time.Duration
	final                     bool
	overall                   string
	autoDoc, autoFace         string
	manualDoc, manualFace     string // "" sends null, as automatic callbacks do
	fraud, mismatch, suspects []string
	additionalSteps           string
	dataChanged               bool
	lastName                  string // the surname as a reviewer corrected it ("": as the document reads)
	redeliver                 bool   // the vendor sends the same bytes again two seconds later
}

// uuidFor derives a stable UUID-shaped reference from a demo key.
func uuidFor(ns, key string) string {
	h := sha256.Sum256([]byte(ns + ":" + key))
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

func scanRef(key string) string { return uuidFor("markid", key) }

// token is a stable pseudo-random string of n characters from alphabet.
func token(seed string, n int, alphabet string) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		h := sha256.Sum256([]byte(fmt.Sprintf("%s#%d", seed, i)))
		for _, c := range h {
			if b.Len() < n {
				b.WriteByte(alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return b.String()
}

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	lowerHex   = "0123456789abcdef"
)

// mediaHost is a reserved name (RFC 2606) that never resolves, so nothing ever tries to fetch demo links.
const mediaHost = "https://media.demo.invalid"

func (c *idCase) fileURL(kind string) *string {
	ref := scanRef(c.key)
	ext := "png"
	if store.IsVideoKind(kind) {
		ext = "webm"
	}
	u := fmt.Sprintf("%s/markid/users/%s/%s.%s?X-Amz-Expires=3600&X-Amz-Signature=%s",
		mediaHost, ref, kind, ext, token(ref+kind, 32, lowerHex))
	return &u
}

// body is the JSON of one callback, received at received.
func (c *idCase) body(d idDelivery, received time.Time) ([]byte, error) {
	v, err := c.payload(d, received)
	if err != nil {
		return nil, err
	}
	return encodeBody(v)
}

// payload is the callback body encodes.
func (c *idCase) payload(d idDelivery, received time.Time) (markidBody, error) {
	p := c.p
	h := int64(hash32(c.key))
	finish := received.Add(-time.Duration(40+h%80) * time.Second).Unix()
	start := finish - 240 - h%900
	st := markidStatus{
		Overall: d.overall, SuspicionReasons: list(d.suspects...), MismatchTags: list(d.mismatch...),
		FraudTags: list(d.fraud...), AutoDocument: d.autoDoc, AutoFace: d.autoFace,
		ManualDocument: str(d.manualDoc), ManualFace: str(d.manualFace), AdditionalSteps: str(d.additionalSteps),
	}
	last := p.last
	if d.lastName != "" {
		last = d.lastName
	}
	full := strings.TrimSpace(p.first + " " + last)
	data := markidData{
		DocFirstName: str(p.first), DocLastName: str(last), DocNumber: str(p.docNo), DocPersonalCode: str(p.personalCode),
		DocExpiry: str(p.expiry), DocDob: str(p.dob), DocDateOfIssue: str(p.issued), DocType: str(p.docType),
		DocSex: str(p.sex), DocNationality: str(p.nat), DocIssuingCountry: str(p.country),
		BirthPlace: str(p.birthPlace), Authority: str(p.authority), Address: str(p.address),
		DriverLicenseCategory: str(p.licence), ManuallyDataChanged: d.dataChanged, FullName: str(full),
		SelectedCountry: str(p.country), OrgFirstName: str(p.orgFirst), OrgLastName: str(p.orgLast),
		OrgNationality: str(p.orgNat), OrgBirthPlace: str(p.orgBirthPlace), OrgAuthority: str(p.orgAuthority),
		OrgAddress: str(p.orgAddress), AgeEstimate: str(c.age),
	}
	if d.final {
		data.ClientIPProxyRiskLevel = str(c.proxy)
	}
	for _, k := range c.dupFaces {
		data.DuplicateFaces = append(data.DuplicateFaces, scanRef(k))
	}
	for _, k := range c.dupDocFaces {
		data.DuplicateDocFaces = append(data.DuplicateDocFaces, scanRef(k))
	}
	if c.additionalData != "" {
		data.AdditionalData = rawJSON(c.additionalData)
	}
	var files markidFileURLs
	for _, k := range c.files {
		u := c.fileURL(k)
		switch k {
		case store.MediaFront:
			files.Front = u
		case store.MediaBack:
			files.Back = u
		case store.MediaFace:
			files.Face = u
		case store.MediaFrontVideo:
			files.FrontVideo = u
		case store.MediaBackVideo:
			files.BackVideo = u
		case store.MediaFaceVideo:
			files.FaceVideo = u
		default:
			return markidBody{}, fmt.Errorf("demo case %s: unknown file kind %q", c.key, k)
		}
	}
	return markidBody{
		Final: d.final, Platform: c.platform, Status: st, Data: data, FileURLs: files, AML: c.aml, LID: c.lid,
		ScanRef: scanRef(c.key), ExternalRef: "onb-" + strings.TrimPrefix(c.clientID, "cust-"), ClientID: c.clientID,
		StartTime: start, FinishTime: finish, ClientIP: c.ip, ClientIPCountry: c.ipCountry, ClientLocation: c.location,
		GDCMatch: c.gdcMatch, ManualAddress: str(c.manualAddress), ManualAddressMatch: c.manualAddressMatch,
	}, nil
}

// art is what the drawn document shows.
func (c *idCase) art() docArt {
	face := c.docFace
	if face == "" {
		face = c.selfieSeed()
	}
	p := c.p
	return docArt{country: p.country, kind: p.docType, surname: p.last, given: p.first, number: p.docNo,
		personalCode: p.personalCode, address: p.address, dob: p.dob, expiry: p.expiry, issued: p.issued, sex: p.sex, nat: p.nat,
		face: lookFor(face, p.sex)}
}

func (c *idCase) selfieSeed() string {
	if c.face != "" {
		return c.face
	}
	return c.key
}

// render is the content of one of the case's media.
func (c *idCase) render(m store.Media) ([]byte, error) {
	switch m.Kind {
	case store.MediaFront:
		return docFront(c.art()), nil
	case store.MediaBack:
		return docBack(c.art()), nil
	case store.MediaFace:
		return selfiePNG(lookFor(c.selfieSeed(), c.p.sex)), nil
	case store.MediaFrontVideo, store.MediaBackVideo, store.MediaFaceVideo:
		return demoVideo, nil
	}
	return nil, fmt.Errorf("demo case %s: no content for media kind %q", c.key, m.Kind)
}

// Check results. The hits are the vendor's data entries, verbatim.

func checkUID(seed string) string { return token(seed, 25, upperAlnum) }

func amlClear(seed string) markidCheck {
	return markidCheck{Status: markidCheckStatus{CheckSuccessful: true, ServiceFound: true, ServiceUsed: true, OverallStatus: "NOT_SUSPECTED"},
		Data: []json.RawMessage{}, ServiceName: "PilotApiAmlV2", ServiceGroupType: "AML", UID: checkUID("aml" + seed)}
}

func amlHit(seed string, hits ...string) markidCheck {
	c := amlClear(seed)
	c.Status.ServiceSuspected, c.Status.OverallStatus = true, "SUSPECTED"
	for _, h := range hits {
		c.Data = append(c.Data, rawJSON(h))
	}
	return c
}

func amlFailed(seed, msg string) markidCheck {
	c := amlClear(seed)
	c.Status.CheckSuccessful, c.Status.OverallStatus, c.ErrorMessage, c.Data = false, "NOT_CHECKED", &msg, nil
	return c
}

func lidClear(seed string) markidCheck {
	return markidCheck{Status: markidCheckStatus{CheckSuccessful: true, ServiceFound: true, ServiceUsed: true, OverallStatus: "NOT_SUSPECTED"},
		Data: []json.RawMessage{}, ServiceName: "IrdInvalidPapers", ServiceGroupType: "LID", UID: checkUID("lid" + seed)}
}

func lidHit(seed string, hits ...string) markidCheck {
	c := lidClear(seed)
	c.Status.ServiceSuspected, c.Status.OverallStatus = true, "SUSPECTED"
	for _, h := range hits {
		c.Data = append(c.Data, rawJSON(h))
	}
	return c
}
