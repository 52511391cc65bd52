// Package markid decodes Mark ID (iDenfy-style) identity-verification webhooks into store snapshots.
//
// Decoding is lenient where real senders are sloppy: any field may be null or missing, numbers and
// booleans may arrive as strings, unknown fields are ignored and unknown tags kept verbatim. A field
// of another type than documented (an object for a string…) reads as empty and is named in the
// snapshot's schema warnings: the case is kept. It fails, with a message naming the byte or field,
// only when the body cannot be trusted to mean what it says: not JSON, no usable scanRef, or
// another kind of callback.
package markid

import (
	"slices"
	"strings"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/internal/jsonfield"
)

// Decode turns one webhook body into a snapshot, or into an error an operator can act on.
func Decode(body []byte) (*store.Snapshot, error) {
	top, err := jsonfield.Parse(body)
	if err != nil {
		return nil, err
	}
	if jsonfield.Kind(top.Get("status").Raw) == "a boolean" {
		return nil, jsonfield.Errorf(`field "status" is a boolean: this looks like a video-call callback, not a verification result`)
	}
	r := &jsonfield.Reader{}
	s := &store.Snapshot{Source: store.SourceMarkID}
	s.Ref = strings.TrimSpace(r.Str(top.Get("scanRef")))
	if s.Ref == "" {
		if w, odd := r.Warned("scanRef"); odd {
			return nil, jsonfield.Errorf("field \"scanRef\" is %s, want a string: the case cannot be identified", w.Got)
		}
		if !jsonfield.IsNull(r.Object(top.Get("data")).Get("sessionId").Raw) {
			return nil, jsonfield.Errorf("missing scanRef: this looks like a Video KYC callback (it has data.sessionId), not a Mark ID result")
		}
		if !jsonfield.IsNull(top.Get("monitoringId").Raw) {
			return nil, jsonfield.Errorf("missing scanRef: this looks like an AML-monitoring callback (it has monitoringId), not a verification result")
		}
		return nil, jsonfield.Errorf("missing scanRef")
	}
	s.ClientID = r.Str(top.Get("clientId"))
	s.ExternalRef = r.Str(top.Get("externalRef"))
	s.Platform = r.Str(top.Get("platform"))
	s.IP = r.Str(top.Get("clientIp"))
	s.IPCountry = r.Str(top.Get("clientIpCountry"))
	s.Location = r.Str(top.Get("clientLocation"))
	s.StartTime = r.UnixTime(top.Get("startTime"))
	s.FinishTime = r.UnixTime(top.Get("finishTime"))

	s.Status = decodeStatus(r, r.Object(top.Get("status")))
	s.Status.Final = r.Boolean(top.Get("final"))
	data := r.Object(top.Get("data"))
	decodeData(r, data, s)
	// The field table puts these at the top level; the published example nests them in data.
	s.ManualAddress = r.Str(either(top, data, "manualAddress"))
	s.ManualAddressMatch = r.Boolean(either(top, data, "manualAddressMatch"))
	s.GDCMatch = r.Boolean(either(top, data, "gdcMatch"))

	s.Media = decodeFileURLs(r, r.Object(top.Get("fileUrls")))
	s.AML = decodeChecks(r, top, "AML")
	s.LID = decodeChecks(r, top, "LID")
	if r.Err != nil {
		return nil, r.Err
	}
	s.SchemaWarnings = r.Warnings
	return s, nil
}

// either is top's key when it is set, else data's.
func either(top, data jsonfield.Fields, key string) jsonfield.Node {
	if n := top.Get(key); !jsonfield.IsNull(n.Raw) {
		return n
	}
	return data.Get(key)
}

func decodeStatus(r *jsonfield.Reader, f jsonfield.Fields) store.Status {
	return store.Status{
		Overall:          strings.TrimSpace(r.Str(f.Get("overall"))),
		AutoDocument:     r.Str(f.Get("autoDocument")),
		AutoFace:         r.Str(f.Get("autoFace")),
		ManualDocument:   r.Str(f.Get("manualDocument")),
		ManualFace:       r.Str(f.Get("manualFace")),
		AdditionalSteps:  r.Str(f.Get("additionalSteps")),
		SuspicionReasons: r.Strs(f.Get("suspicionReasons")),
		FraudTags:        r.Strs(f.Get("fraudTags")),
		MismatchTags:     r.Strs(f.Get("mismatchTags")),
	}
}

func decodeData(r *jsonfield.Reader, d jsonfield.Fields, s *store.Snapshot) {
	s.Person = store.Person{
		FullName:          r.Str(d.Get("fullName")),
		FirstName:         r.Str(d.Get("docFirstName")),
		LastName:          r.Str(d.Get("docLastName")),
		OrgFirstName:      r.Str(d.Get("orgFirstName")),
		OrgLastName:       r.Str(d.Get("orgLastName")),
		DOB:               r.Str(d.Get("docDob")),
		Sex:               r.Str(d.Get("docSex")),
		Nationality:       r.Str(d.Get("docNationality")),
		OrgNationality:    r.Str(d.Get("orgNationality")),
		BirthPlace:        r.Str(d.Get("birthPlace")),
		OrgBirthPlace:     r.Str(d.Get("orgBirthPlace")),
		Address:           r.Str(d.Get("address")),
		OrgAddress:        r.Str(d.Get("orgAddress")),
		MothersMaidenName: r.Str(d.Get("mothersMaidenName")),
		AgeEstimate:       r.Str(d.Get("ageEstimate")),
	}
	s.Document = store.Document{
		Type:                  r.Str(d.Get("docType")),
		Number:                r.Str(d.Get("docNumber")),
		PersonalCode:          r.Str(d.Get("docPersonalCode")),
		Expiry:                r.Str(d.Get("docExpiry")),
		DateOfIssue:           r.Str(d.Get("docDateOfIssue")),
		IssuingCountry:        r.Str(d.Get("docIssuingCountry")),
		SelectedCountry:       r.Str(d.Get("selectedCountry")),
		Authority:             r.Str(d.Get("authority")),
		OrgAuthority:          r.Str(d.Get("orgAuthority")),
		DriverLicenseCategory: r.Str(d.Get("driverLicenseCategory")),
		ManuallyDataChanged:   r.Flag(d.Get("manuallyDataChanged")),
	}
	s.ProxyRiskLevel = r.Str(d.Get("clientIpProxyRiskLevel"))
	s.DuplicateFaces = r.Strs(d.Get("duplicateFaces"))
	s.DuplicateDocFaces = r.Strs(d.Get("duplicateDocFaces"))
	s.AdditionalData = r.RawJSON(d.Get("additionalData"))
}

// fileKinds are the documented fileUrls keys, in the order the case page shows them.
var fileKinds = []string{
	store.MediaFront, store.MediaBack, store.MediaFace,
	store.MediaFrontVideo, store.MediaBackVideo, store.MediaFaceVideo,
}

// decodeFileURLs lists the media in fileUrls: documented kinds first, then any other key (kept,
// with the key as its kind) in name order. Null, empty and placeholder URLs are left out.
func decodeFileURLs(r *jsonfield.Reader, f jsonfield.Fields) []store.MediaRef {
	keys := slices.Clone(fileKinds)
	for _, k := range f.Keys() {
		if k != "" && !slices.Contains(fileKinds, k) {
			keys = append(keys, k)
		}
	}
	var out []store.MediaRef
	for _, k := range keys {
		if u := r.MediaURL(f.Get(k)); u != "" {
			out = append(out, store.MediaRef{Kind: k, URL: u, Position: len(out)})
		}
	}
	return out
}
