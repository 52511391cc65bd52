package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	gojson "github.com/goccy/go-json"
)

// The structs below mirror the vendors' JSON field for field and in their order, so a demo body
// reads like a real delivery in the raw view. Pointers are fields the vendor sends as null.

// markidBody is the Mark ID verification webhook (shared/spec/markid-webhook.md).
type markidBody struct {
	Final              bool           `json:"final"`
	Platform           string         `json:"platform"`
	Status             markidStatus   `json:"status"`
	Data               markidData     `json:"data"`
	FileURLs           markidFileURLs `json:"fileUrls"`
	AML                []markidCheck  `json:"AML,omitempty"`
	LID                []markidCheck  `json:"LID,omitempty"`
	ScanRef            string         `json:"scanRef"`
	ExternalRef        string         `json:"externalRef"`
	ClientID           string         `json:"clientId"`
	StartTime          int64          `json:"startTime"`
	FinishTime         int64          `json:"finishTime"`
	ClientIP           string         `json:"clientIp"`
	ClientIPCountry    string         `json:"clientIpCountry"`
	ClientLocation     string         `json:"clientLocation"`
	GDCMatch           *bool          `json:"gdcMatch"`
	ManualAddress      *string        `json:"manualAddress"`
	ManualAddressMatch bool           `json:"manualAddressMatch"`
}

type markidStatus struct {
	Overall          string   `json:"overall"`
	SuspicionReasons []string `json:"suspicionReasons"`
	MismatchTags     []string `json:"mismatchTags"`
	FraudTags        []string `json:"fraudTags"`
	AutoDocument     string   `json:"autoDocument"`
	AutoFace         string   `json:"autoFace"`
	ManualDocument   *string  `json:"manualDocument"`
	ManualFace       *string  `json:"manualFace"`
	AdditionalSteps  *string  `json:"additionalSteps"`
}

type markidData struct {
	DocFirstName           *string         `json:"docFirstName"`
	DocLastName            *string         `json:"docLastName"`
	DocNumber              *string         `json:"docNumber"`
	DocPersonalCode        *string         `json:"docPersonalCode"`
	DocExpiry              *string         `json:"docExpiry"`
	DocDob                 *string         `json:"docDob"`
	DocDateOfIssue         *string         `json:"docDateOfIssue"`
	DocType                *string         `json:"docType"`
	DocSex                 *string         `json:"docSex"`
	DocNationality         *string         `json:"docNationality"`
	DocIssuingCountry      *string         `json:"docIssuingCountry"`
	BirthPlace             *string         `json:"birthPlace"`
	Authority              *string         `json:"authority"`
	Address                *string         `json:"address"`
	MothersMaidenName      *string         `json:"mothersMaidenName"`
	DriverLicenseCategory  *string         `json:"driverLicenseCategory"`
	ManuallyDataChanged    bool            `json:"manuallyDataChanged"`
	FullName               *string         `json:"fullName"`
	SelectedCountry        *string         `json:"selectedCountry"`
	OrgFirstName           *string         `json:"orgFirstName"`
	OrgLastName            *string         `json:"orgLastName"`
	OrgNationality         *string         `json:"orgNationality"`
	OrgBirthPlace          *string         `json:"orgBirthPlace"`
	OrgAuthority           *string         `json:"orgAuthority"`
	OrgAddress             *string         `json:"orgAddress"`
	AgeEstimate            *string         `json:"ageEstimate"`
	ClientIPProxyRiskLevel *string         `json:"clientIpProxyRiskLevel"`
	DuplicateFaces         []string        `json:"duplicateFaces"`
	DuplicateDocFaces      []string        `json:"duplicateDocFaces"`
	AdditionalData         json.RawMessage `json:"additionalData,omitempty"`
}

type markidFileURLs struct {
	Front      *string `json:"FRONT"`
	Back       *string `json:"BACK"`
	Face       *string `json:"FACE"`
	FrontVideo *string `json:"FRONT_VIDEO"`
	BackVideo  *string `json:"BACK_VIDEO"`
	FaceVideo  *string `json:"FACE_VIDEO"`
}

type markidCheck struct {
	Status           markidCheckStatus `json:"status"`
	Data             []json.RawMessage `json:"data"`
	ServiceName      string            `json:"serviceName"`
	ServiceGroupType string            `json:"serviceGroupType"`
	UID              string            `json:"uid"`
	ErrorMessage     *string           `json:"errorMessage"`
}

type markidCheckStatus struct {
	ServiceSuspected bool   `json:"serviceSuspected"`
	CheckSuccessful  bool   `json:"checkSuccessful"`
	ServiceFound     bool   `json:"serviceFound"`
	ServiceUsed      bool   `json:"serviceUsed"`
	OverallStatus    string `json:"overallStatus"`
}

// vcipBody is the video-KYC session callback (shared/spec/vcip-callback.md).
type vcipBody struct {
	Data               vcipData        `json:"data"`
	CallbackParameters json.RawMessage `json:"callbackParameters"`
}

type vcipData struct {
	Documents             []vcipDocument    `json:"documents"`
	ID                    string            `json:"_id"`
	Name                  string            `json:"name"`
	Email                 string            `json:"email"`
	Instructions          []vcipInstruction `json:"instructions"`
	RandomizeInstructions bool              `json:"randomizeInstructions"`
	RecordingID           string            `json:"recordingId"`
	Feedback              string            `json:"feedback"`
	FeedbackMessage       string            `json:"feedbackMessage"`
	Screenshots           []vcipShots       `json:"screenshots"`
	Geo                   vcipGeo           `json:"geo"`
	BrowserData           vcipBrowser       `json:"browserData"`
	ForensicsData         json.RawMessage   `json:"forensicsData"`
	FieldValues           vcipFieldValues   `json:"fieldValues"`
	RecordedVideoData     vcipVideo         `json:"recordedVideoData"`
	SessionID             string            `json:"sessionId"`
}

type vcipDocument struct {
	Image string          `json:"image"`
	Data  vcipDocumentRow `json:"data"`
}

type vcipDocumentRow struct {
	DocumentType string `json:"documentType,omitempty"`
	DOB          string `json:"dob"`
	Name         string `json:"name"`
	FatherName   string `json:"fatherName,omitempty"`
	Number       string `json:"documentNumber,omitempty"`
	Gender       string `json:"gender,omitempty"`
}

type vcipInstruction struct {
	IDCardBoxRequired  bool         `json:"isIDCardBoxRequired"`
	SideNavRequired    bool         `json:"isSideNavRequired"`
	ScreenshotRequired bool         `json:"isScreenshotRequired"`
	Text               string       `json:"text"`
	Translations       translations `json:"translations"`
}

// translations is a JSON object that keeps the vendor's key order (ENGLISH first), which a Go map would sort.
type translations [][2]string

// MarshalJSON writes the pairs as one object, in order.
func (t translations) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range t {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(kv[0])
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(kv[1])
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%s:%s", k, v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

type vcipShots struct {
	FinalImage  string   `json:"finalImage"`
	Screenshots []string `json:"screenshots"`
}

type vcipGeo struct {
	StatusCode    string `json:"statusCode"`
	StatusMessage string `json:"statusMessage"`
	IPAddress     string `json:"ipAddress"`
	CountryCode   string `json:"countryCode"`
	CountryName   string `json:"countryName"`
	RegionName    string `json:"regionName"`
	CityName      string `json:"cityName"`
	ZipCode       string `json:"zipCode"`
	Latitude      string `json:"latitude"`
	Longitude     string `json:"longitude"`
	TimeZone      string `json:"timeZone"`
	IP            string `json:"ip"`
	City          string `json:"city"`
}

// vcipBrowser has numbers as strings, as the vendor sends them.
type vcipBrowser struct {
	BrowserName      string     `json:"browserName"`
	CookieEnabled    string     `json:"cookieEnabled"`
	BrowserLanguage  string     `json:"browserLanguage"`
	OS               string     `json:"os"`
	UserAgent        string     `json:"userAgent"`
	PluginsInstalled []string   `json:"pluginsInstalled"`
	BrowserVersion   string     `json:"browserVersion"`
	ScreenWidth      string     `json:"screenWidth"`
	ScreenHeight     string     `json:"screenHeight"`
	ScreenPixelDepth string     `json:"screenPixelDepth"`
	ScreenColorDepth string     `json:"screenColorDepth"`
	DeviceInfo       vcipDevice `json:"deviceInfo"`
}

type vcipDevice struct {
	CompleteDeviceName string `json:"complete_device_name"`
	FormFactor         string `json:"form_factor"`
	IsMobile           any    `json:"is_mobile"` // a boolean, or the string "true" from older SDKs
}

type vcipFieldValues struct {
	Remark        string   `json:"Remark"`
	ItemsToSelect []string `json:"ItemsToSelect"`
}

type vcipVideo struct {
	VideoThumbnail string `json:"videoThumbnail"`
	VideoURL       string `json:"videoUrl"`
}

// encodeBody is the vendor's body: JSON indented with tabs, as both vendors send it. It is
// encoding/json's output, byte for byte (TestBodiesAsEncodingJSON), from goccy/go-json, which
// takes a third of the time: a million synthetic cases are rendered for one load.
func encodeBody(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := gojson.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "\t")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// str is a JSON string, or null when s is empty.
func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// list is a JSON array that is [] rather than null when empty, as the vendor sends tag lists.
func list(s ...string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// rawJSON is a fixed JSON value; it panics on a typo in the demo data, which tests catch.
func rawJSON(s string) json.RawMessage {
	if !json.Valid([]byte(s)) {
		panic("demo: invalid JSON literal: " + s)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// brokenMarkID is a body in the shape of the vendor's published example, with its mistakes: an
// unquoted IP address and trailing commas. It cannot be decoded, so it lands in the quarantine.
func brokenMarkID(scanRef string, start, finish int64) []byte {
	return []byte(strings.NewReplacer("{SCANREF}", scanRef, "{START}", fmt.Sprint(start), "{FINISH}", fmt.Sprint(finish)).Replace(`{
  "clientId": "cust-10488",
  "scanRef": "{SCANREF}",
  "externalRef": "onb-2024-10488",
  "platform": "MOBILE_APP",
  "startTime": {START},
  "finishTime": {FINISH},
  "clientIp": 192.0.2.77,
  "clientIpCountry": "LT",
  "clientLocation": "Kaunas, Lithuania",
  "final": false,
  "status": {
    "overall": "APPROVED",
    "suspicionReasons": [],
    "mismatchTags": [],
    "fraudTags": [],
    "autoDocument": "DOC_VALIDATED",
    "autoFace": "FACE_MATCH",
    "manualDocument": null,
    "manualFace": null,
    "additionalSteps": null
  },
  "data": {
    "docFirstName": "GINTARĖ",
    "docLastName": "MAŽEIKIENĖ",
    "docNumber": "LT7730118",
    "docExpiry": "2029-06-30",
    "docDob": "1987-03-22",
    "docType": "ID_CARD",
    "docSex": "FEMALE",
    "docNationality": "LT",
    "docIssuingCountry": "LT",
    "manuallyDataChanged": false,
    "orgNationality": "LIETUVOS",
    "orgBirthPlace": "ŠILUVA",
    "manualAddress": null,
    "manualAddressMatch": false,
  },
}`))
}
