// Package markid decodes Mark ID (iDenfy-style) identity-verification webhooks into store snapshots.
//
// Decoding is lenient where real senders are sloppy: any field may be null or missing, numbers and
// booleans may arrive as strings, unknown fields are ignored and unknown tags kept verbatim. It fails,
// with a message naming the byte or field, only when the body cannot be trusted to mean what it
// says: not JSON, no scanRef, another kind of callback, or a value of a shape it cannot read.
package markid

import (
	"slices"
	"sort"
	"strings"

	"github.com/kycdesk/kycdesk/store"
)

// Decode turns one webhook body into a snapshot, or into an error an operator can act on.
func Decode(body []byte) (*store.Snapshot, error) {
	top, err := parseBody(body)
	if err != nil {
		return nil, err
	}
	if kind(top.m["status"]) == "a boolean" {
		return nil, errorf(`field "status" is a boolean: this looks like a video-call callback, not a verification result`)
	}
	r := &reader{}
	s := &store.Snapshot{Source: store.SourceMarkID}
	s.Ref = strings.TrimSpace(r.str(top.get("scanRef")))
	if r.err != nil {
		return nil, r.err
	}
	if s.Ref == "" {
		if !isNull(r.object(top.get("data")).m["sessionId"]) {
			return nil, errorf("missing scanRef: this looks like a Video KYC callback (it has data.sessionId), not a Mark ID result")
		}
		if !isNull(top.m["monitoringId"]) {
			return nil, errorf("missing scanRef: this looks like an AML-monitoring callback (it has monitoringId), not a verification result")
		}
		return nil, errorf("missing scanRef")
	}
	s.ClientID = r.str(top.get("clientId"))
	s.ExternalRef = r.str(top.get("externalRef"))
	s.Platform = r.str(top.get("platform"))
	s.IP = r.str(top.get("clientIp"))
	s.IPCountry = r.str(top.get("clientIpCountry"))
	s.Location = r.str(top.get("clientLocation"))
	s.StartTime = r.unixTime(top.get("startTime"))
	s.FinishTime = r.unixTime(top.get("finishTime"))

	s.Status = decodeStatus(r, r.object(top.get("status")))
	s.Status.Final = r.boolean(top.get("final"))
	data := r.object(top.get("data"))
	decodeData(r, data, s)
	// The field table puts these at the top level; the published example nests them in data.
	s.ManualAddress = r.str(either(top, data, "manualAddress"))
	s.ManualAddressMatch = r.boolean(either(top, data, "manualAddressMatch"))
	s.GDCMatch = r.boolean(either(top, data, "gdcMatch"))

	s.Media = decodeFileURLs(r, r.object(top.get("fileUrls")))
	s.AML = decodeChecks(r, top, "AML")
	s.LID = decodeChecks(r, top, "LID")
	if r.err != nil {
		return nil, r.err
	}
	return s, nil
}

// either is top's key when it is set, else data's.
func either(top, data fields, key string) node {
	if n := top.get(key); !isNull(n.raw) {
		return n
	}
	return data.get(key)
}

func decodeStatus(r *reader, f fields) store.Status {
	return store.Status{
		Overall:          strings.TrimSpace(r.str(f.get("overall"))),
		AutoDocument:     r.str(f.get("autoDocument")),
		AutoFace:         r.str(f.get("autoFace")),
		ManualDocument:   r.str(f.get("manualDocument")),
		ManualFace:       r.str(f.get("manualFace")),
		AdditionalSteps:  r.str(f.get("additionalSteps")),
		SuspicionReasons: r.strs(f.get("suspicionReasons")),
		FraudTags:        r.strs(f.get("fraudTags")),
		MismatchTags:     r.strs(f.get("mismatchTags")),
	}
}

func decodeData(r *reader, d fields, s *store.Snapshot) {
	s.Person = store.Person{
		FullName:          r.str(d.get("fullName")),
		FirstName:         r.str(d.get("docFirstName")),
		LastName:          r.str(d.get("docLastName")),
		OrgFirstName:      r.str(d.get("orgFirstName")),
		OrgLastName:       r.str(d.get("orgLastName")),
		DOB:               r.str(d.get("docDob")),
		Sex:               r.str(d.get("docSex")),
		Nationality:       r.str(d.get("docNationality")),
		OrgNationality:    r.str(d.get("orgNationality")),
		BirthPlace:        r.str(d.get("birthPlace")),
		OrgBirthPlace:     r.str(d.get("orgBirthPlace")),
		Address:           r.str(d.get("address")),
		OrgAddress:        r.str(d.get("orgAddress")),
		MothersMaidenName: r.str(d.get("mothersMaidenName")),
		AgeEstimate:       r.str(d.get("ageEstimate")),
	}
	s.Document = store.Document{
		Type:                  r.str(d.get("docType")),
		Number:                r.str(d.get("docNumber")),
		PersonalCode:          r.str(d.get("docPersonalCode")),
		Expiry:                r.str(d.get("docExpiry")),
		DateOfIssue:           r.str(d.get("docDateOfIssue")),
		IssuingCountry:        r.str(d.get("docIssuingCountry")),
		SelectedCountry:       r.str(d.get("selectedCountry")),
		Authority:             r.str(d.get("authority")),
		OrgAuthority:          r.str(d.get("orgAuthority")),
		DriverLicenseCategory: r.str(d.get("driverLicenseCategory")),
		ManuallyDataChanged:   r.flag(d.get("manuallyDataChanged")),
	}
	s.ProxyRiskLevel = r.str(d.get("clientIpProxyRiskLevel"))
	s.DuplicateFaces = r.strs(d.get("duplicateFaces"))
	s.DuplicateDocFaces = r.strs(d.get("duplicateDocFaces"))
	s.AdditionalData = r.rawJSON(d.get("additionalData"))
}

// fileKinds are the documented fileUrls keys, in the order the case page shows them.
var fileKinds = []string{
	store.MediaFront, store.MediaBack, store.MediaFace,
	store.MediaFrontVideo, store.MediaBackVideo, store.MediaFaceVideo,
}

// decodeFileURLs lists the media in fileUrls: documented kinds first, then any other key (kept,
// with the key as its kind) in name order. Null, empty and placeholder URLs are left out.
func decodeFileURLs(r *reader, f fields) []store.MediaRef {
	keys := make([]string, 0, len(f.m))
	for k := range f.m {
		if k != "" && !slices.Contains(fileKinds, k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []store.MediaRef
	for _, k := range append(slices.Clone(fileKinds), keys...) {
		if u := r.mediaURL(f.get(k)); u != "" {
			out = append(out, store.MediaRef{Kind: k, URL: u, Position: len(out)})
		}
	}
	return out
}
