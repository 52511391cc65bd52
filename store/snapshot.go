package store

import "encoding/json"

// Source names a vendor that sends callbacks.
type Source string

// The two vendors KYC Desk receives callbacks from.
const (
	SourceMarkID Source = "markid"
	SourceVCIP   Source = "vcip"
)

// Label is the source's display name.
func (s Source) Label() string {
	switch s {
	case SourceMarkID:
		return "Mark ID"
	case SourceVCIP:
		return "Video KYC"
	}
	return string(s)
}

// Overall statuses of the identity webhook.
const (
	StatusApproved  = "APPROVED"
	StatusDenied    = "DENIED"
	StatusSuspected = "SUSPECTED"
	StatusExpired   = "EXPIRED"
)

// Snapshot is one delivery normalised into the case model. Both vendor formats decode into it.
// Fields the vendor left out or sent as null stay empty; the raw delivery keeps everything else.
type Snapshot struct {
	Source      Source `json:"source"`
	Ref         string `json:"ref"` // scanRef or sessionId
	ClientID    string `json:"clientId,omitempty"`
	ExternalRef string `json:"externalRef,omitempty"`
	RecordID    string `json:"recordId,omitempty"` // video-KYC _id

	Person   Person   `json:"person"`
	Document Document `json:"document"`
	Status   Status   `json:"status"`

	AML []Check `json:"aml,omitempty"`
	LID []Check `json:"lid,omitempty"`

	Platform       string `json:"platform,omitempty"`
	IP             string `json:"ip,omitempty"`
	IPCountry      string `json:"ipCountry,omitempty"`
	Location       string `json:"location,omitempty"`
	ProxyRiskLevel string `json:"proxyRiskLevel,omitempty"`
	StartTime      int64  `json:"startTime,omitempty"`  // unix seconds
	FinishTime     int64  `json:"finishTime,omitempty"` // unix seconds

	Geo     *Geo     `json:"geo,omitempty"`
	Browser *Browser `json:"browser,omitempty"`

	Instructions          []Instruction   `json:"instructions,omitempty"`
	RandomizeInstructions bool            `json:"randomizeInstructions,omitempty"`
	VideoDocuments        []VideoDocument `json:"videoDocuments,omitempty"`
	Screenshots           []ScreenshotSet `json:"screenshots,omitempty"`
	RecordingID           string          `json:"recordingId,omitempty"`

	Feedback           string          `json:"feedback,omitempty"`
	FeedbackMessage    string          `json:"feedbackMessage,omitempty"`
	FieldValues        json.RawMessage `json:"fieldValues,omitempty"`
	CallbackParameters json.RawMessage `json:"callbackParameters,omitempty"`
	AdditionalData     json.RawMessage `json:"additionalData,omitempty"`

	DuplicateFaces    []string `json:"duplicateFaces,omitempty"`
	DuplicateDocFaces []string `json:"duplicateDocFaces,omitempty"`

	// Utility-bill address and global-data-source checks (Mark ID); nil when not sent.
	ManualAddress      string `json:"manualAddress,omitempty"`
	ManualAddressMatch *bool  `json:"manualAddressMatch,omitempty"`
	GDCMatch           *bool  `json:"gdcMatch,omitempty"`

	Forensics json.RawMessage `json:"forensics,omitempty"` // video-KYC forensicsData, verbatim

	Media []MediaRef `json:"media,omitempty"`

	// SchemaWarnings are the fields that arrived with a type the decoder does not read: the case
	// is kept, each such field reads as empty, and what arrived is named here.
	SchemaWarnings []SchemaWarning `json:"schemaWarnings,omitempty"`
}

// Person is who the verification is about.
type Person struct {
	FullName          string `json:"fullName,omitempty"`
	FirstName         string `json:"firstName,omitempty"`
	LastName          string `json:"lastName,omitempty"`
	OrgFirstName      string `json:"orgFirstName,omitempty"`
	OrgLastName       string `json:"orgLastName,omitempty"`
	DOB               string `json:"dob,omitempty"` // as sent, usually YYYY-MM-DD
	Sex               string `json:"sex,omitempty"`
	Nationality       string `json:"nationality,omitempty"`
	OrgNationality    string `json:"orgNationality,omitempty"`
	BirthPlace        string `json:"birthPlace,omitempty"`
	OrgBirthPlace     string `json:"orgBirthPlace,omitempty"`
	Address           string `json:"address,omitempty"`
	OrgAddress        string `json:"orgAddress,omitempty"`
	MothersMaidenName string `json:"mothersMaidenName,omitempty"`
	Email             string `json:"email,omitempty"`
	AgeEstimate       string `json:"ageEstimate,omitempty"`
}

// Document is the identity document the person showed.
type Document struct {
	Type                  string `json:"type,omitempty"`
	Number                string `json:"number,omitempty"`
	PersonalCode          string `json:"personalCode,omitempty"`
	Expiry                string `json:"expiry,omitempty"`
	DateOfIssue           string `json:"dateOfIssue,omitempty"`
	IssuingCountry        string `json:"issuingCountry,omitempty"`
	SelectedCountry       string `json:"selectedCountry,omitempty"`
	Authority             string `json:"authority,omitempty"`
	OrgAuthority          string `json:"orgAuthority,omitempty"`
	DriverLicenseCategory string `json:"driverLicenseCategory,omitempty"`
	ManuallyDataChanged   bool   `json:"manuallyDataChanged,omitempty"`
}

// Status is the vendor's verdict. Final is nil when the vendor did not say.
type Status struct {
	Overall          string   `json:"overall,omitempty"`
	Final            *bool    `json:"final,omitempty"`
	AutoDocument     string   `json:"autoDocument,omitempty"`
	AutoFace         string   `json:"autoFace,omitempty"`
	ManualDocument   string   `json:"manualDocument,omitempty"`
	ManualFace       string   `json:"manualFace,omitempty"`
	AdditionalSteps  string   `json:"additionalSteps,omitempty"`
	SuspicionReasons []string `json:"suspicionReasons,omitempty"`
	FraudTags        []string `json:"fraudTags,omitempty"`
	MismatchTags     []string `json:"mismatchTags,omitempty"`
}

// IsFinal reports whether the vendor marked this delivery final.
func (s Status) IsFinal() bool { return s.Final != nil && *s.Final }

// Check is one AML or LID service result.
type Check struct {
	ServiceName      string          `json:"serviceName,omitempty"`
	ServiceGroupType string          `json:"serviceGroupType,omitempty"`
	OverallStatus    string          `json:"overallStatus,omitempty"`
	Suspected        bool            `json:"suspected,omitempty"`
	CheckSuccessful  bool            `json:"checkSuccessful,omitempty"`
	ErrorMessage     string          `json:"errorMessage,omitempty"`
	ServiceFound     bool            `json:"serviceFound,omitempty"`
	ServiceUsed      bool            `json:"serviceUsed,omitempty"`
	UID              string          `json:"uid,omitempty"`
	Hits             json.RawMessage `json:"hits,omitempty"` // the vendor's data array, verbatim
	HitCount         int             `json:"hitCount,omitempty"`
}

// Geo is where the video-KYC session's IP address places the customer.
type Geo struct {
	StatusCode    string `json:"statusCode,omitempty"`
	StatusMessage string `json:"statusMessage,omitempty"`
	IP            string `json:"ip,omitempty"`
	CountryCode   string `json:"countryCode,omitempty"`
	CountryName   string `json:"countryName,omitempty"`
	Region        string `json:"region,omitempty"`
	City          string `json:"city,omitempty"`
	Zip           string `json:"zip,omitempty"`
	Latitude      string `json:"latitude,omitempty"`
	Longitude     string `json:"longitude,omitempty"`
	TimeZone      string `json:"timeZone,omitempty"`
}

// Browser is what the customer's browser reported during the video call.
type Browser struct {
	Name          string   `json:"name,omitempty"`
	Version       string   `json:"version,omitempty"`
	OS            string   `json:"os,omitempty"`
	UserAgent     string   `json:"userAgent,omitempty"`
	Language      string   `json:"language,omitempty"`
	CookieEnabled *bool    `json:"cookieEnabled,omitempty"`
	ScreenWidth   int      `json:"screenWidth,omitempty"`
	ScreenHeight  int      `json:"screenHeight,omitempty"`
	ColorDepth    int      `json:"colorDepth,omitempty"`
	PixelDepth    int      `json:"pixelDepth,omitempty"`
	Plugins       []string `json:"plugins,omitempty"`
	DeviceName    string   `json:"deviceName,omitempty"`
	FormFactor    string   `json:"formFactor,omitempty"`
	IsMobile      *bool    `json:"isMobile,omitempty"`
}

// Instruction is one step shown to the customer during the video call, in order.
type Instruction struct {
	Text               string        `json:"text"`
	IDCardBoxRequired  bool          `json:"idCardBoxRequired,omitempty"`
	SideNavRequired    bool          `json:"sideNavRequired,omitempty"`
	ScreenshotRequired bool          `json:"screenshotRequired,omitempty"`
	Translations       []Translation `json:"translations,omitempty"` // in the order the vendor sent them
}

// Translation is an instruction's text in one language, keyed as the vendor keys it (ENGLISH, HINDI…).
type Translation struct {
	Language string `json:"language"`
	Text     string `json:"text"`
}

// VideoDocument is a document captured during a video-KYC call.
type VideoDocument struct {
	ImageURL string          `json:"imageUrl,omitempty"`
	Data     json.RawMessage `json:"data,omitempty"`
}

// ScreenshotSet is one screenshot step: its chosen final image and the other captures.
type ScreenshotSet struct {
	FinalImage  string   `json:"finalImage,omitempty"`
	Screenshots []string `json:"screenshots,omitempty"`
}

// Media kinds, as the case page groups them.
const (
	MediaFront          = "FRONT"
	MediaBack           = "BACK"
	MediaFace           = "FACE"
	MediaFrontVideo     = "FRONT_VIDEO"
	MediaBackVideo      = "BACK_VIDEO"
	MediaFaceVideo      = "FACE_VIDEO"
	MediaDocumentImage  = "DOCUMENT_IMAGE"
	MediaScreenshot     = "SCREENSHOT"
	MediaFinalImage     = "SCREENSHOT_FINAL"
	MediaRecordedVideo  = "RECORDED_VIDEO"
	MediaVideoThumbnail = "VIDEO_THUMBNAIL"
)

// MediaRef is a media URL named by a delivery.
type MediaRef struct {
	Kind     string `json:"kind"`
	URL      string `json:"url"`
	Label    string `json:"label,omitempty"`
	Position int    `json:"position"`
}

// IsVideoKind reports whether media of this kind is a video.
func IsVideoKind(kind string) bool {
	switch kind {
	case MediaFrontVideo, MediaBackVideo, MediaFaceVideo, MediaRecordedVideo:
		return true
	}
	return false
}

// NeedsDecision reports whether a case in this state requires a person's allow or decline:
// any video-KYC session (V-CIP rules require a concurrent audit), and an identity check whose
// verdict is SUSPECTED or is none the desk knows: missing, unreadable (it arrived with an
// unexpected type: a schema warning) or a value outside the specification. A verdict the desk
// cannot read is never taken for one that needs nobody.
func (s *Snapshot) NeedsDecision() bool {
	if s.Source == SourceVCIP {
		return true
	}
	switch s.Status.Overall {
	case StatusApproved, StatusDenied, StatusExpired:
		return false
	}
	return true
}

// Rank is the authority of a delivery: a final (manually reviewed) result outranks an automatic one.
func (s *Snapshot) Rank() int {
	if s.Status.IsFinal() {
		return 2
	}
	return 1
}

// DisplayName is the best name to show for the person.
func (s *Snapshot) DisplayName() string {
	p := s.Person
	if p.FullName != "" {
		return p.FullName
	}
	switch {
	case p.FirstName != "" && p.LastName != "":
		return p.FirstName + " " + p.LastName
	case p.FirstName != "":
		return p.FirstName
	}
	return p.LastName
}
