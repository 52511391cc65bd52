package views

import (
	"fmt"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// CaseView is everything the case page shows, built in web from the store's records.
type CaseView struct {
	// SchemaWarnings are the fields of the shown callback that arrived with an unexpected type.
	SchemaWarnings []store.SchemaWarning
	Retention      RetentionView // legal holds and what retention purged
	Privacy        PrivacyView   // the masking strip and its reveal form
	Face           *FaceCompare  // Mark ID: document portrait against selfie, computed in the browser
	// VideoFace is the video-KYC document photo against the recording's frames, in the browser.
	VideoFace *VideoFace
	Outcome   string // the last decision's outcome once the case is decided
	CanNote   bool   // the viewer may leave a note (reviewers and supervisors)
	// Related are the customer's other cases; RelatedMore counts those not listed.
	Related     []store.RelatedCase
	RelatedMore int
	ID          int64
	Name        string
	SourceLabel string
	IsVCIP      bool
	// RefLabel names the vendor's reference: "scanRef" or "sessionId".
	RefLabel    string
	Ref         string
	ClientID    string
	ExternalRef string
	RecordID    string

	Overall        string
	FinalKnown     bool // the vendor said whether the result is final
	Final          bool
	AutoDocument   string
	AutoFace       string
	ManualDocument string
	ManualFace     string

	ReviewState   string
	Waited        time.Duration
	Overdue       bool
	Paused        bool // on hold: the waited time is not growing
	ShowWaited    bool
	FirstReceived time.Time
	LastReceived  time.Time
	Deliveries    int

	Banners []Banner
	Signals Signals
	Media   MediaView

	DocRows     []FieldRow
	HasOriginal bool // some row has an original-script value
	GeoRows     []FieldRow
	DeviceRows  []FieldRow

	Instructions *InstructionsView
	// Checklist is the per-instruction or per-signal checklist (nil when the case has none).
	Checklist *ChecklistView
	VideoDocs []VideoDocView

	AML []CheckView
	LID []CheckView

	Feedback           string
	FeedbackMessage    string
	FieldValues        JSONBlock
	CallbackParameters JSONBlock
	// FieldValueRows and CallbackRows lay those out as tables when they are flat objects.
	FieldValueRows []FieldRow
	CallbackRows   []FieldRow
	AdditionalData JSONBlock
	Forensics      JSONBlock
	// RawHref downloads the raw callback the case's data came from, for JSON too large to show.
	RawHref string
	// ChecksMore is how many AML and LID results the page leaves out.
	ChecksMore int

	History  []DeliveryView
	Timeline []TimelineEvent
	Panel    DecisionPanel
	Flags    FlagsPanel // hold and escalate
}

// HasExtra reports whether the case carries any of the free-form vendor data.
func (c CaseView) HasExtra() bool {
	return c.Feedback != "" || c.FeedbackMessage != "" || !c.FieldValues.Empty() || !c.CallbackParameters.Empty() ||
		!c.AdditionalData.Empty() || !c.Forensics.Empty()
}

// Banner is a full-width status line above the evidence.
type Banner struct {
	Level  string // a status class: StatusGreen, StatusAmber…
	Title  string
	Text   string
	At     time.Time // shown in the reader's zone after Text, when set
	TestID string
}

// TagItem is a vendor tag with its plain-language meaning ("" when not in the vocabulary).
type TagItem struct {
	Value       string
	Explanation string
}

// Flag is a signal KYC Desk works out itself, such as an IP country that differs from the document's.
type Flag struct {
	Key   string // stable name for tests: "ip-country", "outside-india", "under-18"…
	Level string // a status class
	Text  string
}

// LinkedRef is a reference another verification shares with this case, linked when KYC Desk has it.
type LinkedRef struct {
	Kind   string // "face" or "document face"
	Ref    string
	CaseID int64 // 0 when no case here has that reference
}

// CheckSummary is one line about an AML or LID check in the signals panel.
type CheckSummary struct {
	Group   string
	Service string
	Status  string
	Hits    int
}

// Signals is the side panel's list of what needs a reviewer's attention.
type Signals struct {
	Geo        *GeoView      // video-KYC: where the customer was
	Agent      *AgentVerdict // video-KYC: the vendor agent's own verdict
	Fraud      []TagItem
	Mismatch   []TagItem
	Suspicion  []TagItem
	Flags      []Flag
	Checks     []CheckSummary
	ChecksMore int // results with hits or a bad status beyond those listed
	Duplicates []LinkedRef
	// DuplicatesMore is how many further shared references the page does not list.
	DuplicatesMore int
}

// Count is how many signals there are.
func (s Signals) Count() int {
	n := 0
	if s.Geo != nil && s.Geo.Level != StatusGreen {
		n++
	}
	if s.Agent != nil && (s.Agent.Level() == StatusRed || s.Agent.Level() == StatusAmber) {
		n++
	}
	return n + len(s.Fraud) + len(s.Mismatch) + len(s.Suspicion) + len(s.Flags) + len(s.Checks) + s.ChecksMore + len(s.Duplicates) + s.DuplicatesMore
}

// Empty reports whether there is nothing to list.
func (s Signals) Empty() bool { return s.Count() == 0 }

// MediaItem is one image or video of the case and what became of archiving it.
type MediaItem struct {
	ID          int64
	Kind        string
	Caption     string
	Missing     bool   // the vendor did not send this slot
	URL         string // our copy, /media/{id}; "" unless archived
	OriginalURL string // the vendor's URL
	PosterURL   string
	State       string // archived, queued, failed, purged
	IsVideo     bool
	Final       bool // the screenshot step's chosen final image
	SHAShort    string
	Size        int64
	FetchedAt   time.Time
	Attempts    int
	LastError   string
	Alt         string
	// Redaction: CanRedact is whether the viewer may draw boxes over this picture (RedactURL),
	// Boxes how many it carries (URL then serves the redacted derivative), and Original whether
	// this page view shows the original under them, after a reveal.
	CanRedact bool
	RedactURL string
	Boxes     int
	Original  bool
}

// ScreenshotStep is the screenshots of one video-KYC instruction step.
type ScreenshotStep struct {
	N           int
	Instruction string
	Items       []MediaItem
}

// MediaView is the case's media, grouped the way the page lays them out.
type MediaView struct {
	Identity  []MediaItem // FRONT, BACK, FACE (a placeholder when not sent)
	Videos    []MediaItem // FRONT_VIDEO, BACK_VIDEO, FACE_VIDEO
	Recorded  *MediaItem  // the video-KYC recording, poster from its thumbnail
	Documents []MediaItem // video-KYC document images
	Steps     []ScreenshotStep
	Other     []MediaItem // kinds the vendor added that KYC Desk does not know
	CanRetry  bool        // supervisors and admins may re-queue a failed fetch
	CSRF      string
	CanRedact bool // the viewer may draw redaction boxes (reviewers and supervisors)
}

// Empty reports whether the case has no media at all.
func (m MediaView) Empty() bool {
	for _, it := range m.Identity {
		if !it.Missing {
			return false
		}
	}
	return len(m.Videos)+len(m.Documents)+len(m.Steps)+len(m.Other) == 0 && m.Recorded == nil
}

// FieldRow is one row of a data table: a label, the value, and optionally the original-script value.
type FieldRow struct {
	Label    string
	Value    string
	Original string
	Level    string // a status class when the value needs attention
	Note     string // e.g. "expired 3 months ago", "age 16"
	Mono     bool
	Badge    bool // show Value as a status badge
	TestID   string
}

// InstructionsView is the video-KYC call's instructions with a language switcher.
type InstructionsView struct {
	Items     []InstructionItem
	Languages []LangOption
	Current   string // the language key shown beside English, e.g. "HINDI"
	// Customer is the customer's language as the callback gives it (a vendor key), "" when unknown.
	Customer string
	Random   bool // the vendor shuffled the order per session
}

// InstructionItem is one instruction: its English text, its flags and its translations.
type InstructionItem struct {
	N                  int
	Text               string
	IDCardBox          bool
	SideNav            bool
	ScreenshotRequired bool
	Translations       []TranslationView
}

// TranslationView is an instruction's text in one language.
type TranslationView struct {
	Language string // vendor key, e.g. "HINDI"
	LangAttr string // BCP 47 code for the lang attribute, "" when unknown
	Text     string
	Shown    bool // the current language
}

// LangOption is one entry of the language switcher.
type LangOption struct {
	Key     string
	Label   string
	Href    string
	Current bool
}

// VideoDocView is one document captured during a video-KYC call.
type VideoDocView struct {
	N     int
	Image *MediaItem
	Data  []FieldRow
	JSON  JSONBlock // when the data is not a flat object
}

// CheckView is one AML or LID service result.
type CheckView struct {
	Group     string
	Service   string
	Status    string
	Hits      int
	HitsJSON  JSONBlock
	Error     string
	Succeeded bool
}

// DeliveryView is one callback in the case's history.
type DeliveryView struct {
	ID           int64
	ReceivedAt   time.Time
	Final        string // "final", "automatic" or "" when the vendor did not say
	Overall      string
	AutoDoc      string
	AutoFace     string
	ManualDoc    string
	ManualFace   string
	Outcome      string
	Error        string
	Duplicates   int
	DuplicateOf  int64
	Applied      bool // became the case's data when it arrived
	Current      bool // is the case's data now
	Changes      []Change
	Body         string // escaped when rendered; "" when not loaded
	BodySize     int
	BodyCut      bool
	BodyNotShown bool   // older than the deliveries whose bytes the page carries
	RawHref      string // downloads the whole body
}

// Change is one difference between a delivery and the one before it.
type Change struct {
	Kind  string // "status", "added", "removed"
	Field string // "overall", "autoFace", "fraud tag"…
	From  string
	To    string
}

// Text renders the change for a sentence: "overall SUSPECTED → APPROVED".
func (c Change) Text() string {
	switch c.Kind {
	case "added":
		return "+ " + c.Field + " " + c.To
	case "removed":
		return "− " + c.Field + " " + c.From
	}
	from, to := c.From, c.To
	if from == "" {
		from = "—"
	}
	if to == "" {
		to = "—"
	}
	return fmt.Sprintf("%s %s → %s", c.Field, from, to)
}

// TimelineEvent is one decision, second approval, return or reopen.
type TimelineEvent struct {
	At     time.Time
	Who    string
	Kind   string // "decision", "approved", "returned", "reopened"
	Badge  string // outcome or verdict shown as a badge
	Title  string
	Reason string
	Note   string
	TestID string
	Until  time.Time // a hold's date to come back, shown after Title in the reader's zone
	// Checklist is a decision's frozen checklist.
	Checklist []ChecklistLine
}

// ReasonOption is one reason in the decision form.
type ReasonOption struct {
	Code    string
	Label   string
	Outcome string // "allow", "decline" or "" for either
}

// DecisionForm is what the reviewer entered, and what is wrong with it.
type DecisionForm struct {
	Outcome      string
	Reason       string
	Note         string
	Confirm      bool
	ThenNext     bool   // open the next case of the same queue view once recorded
	Next         string // that view, as an encoded queue query
	SeenDelivery int64
	Errors       map[string]string
}

// ClaimView says who holds the case.
type ClaimView struct {
	Holder  string
	Mine    bool
	Live    bool
	Since   time.Time
	Expires time.Time
}

// UserOption is a person a supervisor can hand a case to.
type UserOption struct {
	ID   int64
	Name string
}

// DecisionPanel is the right-hand column's controls. Every Show* is false for someone who
// cannot decide (an auditor): they see the state, never a button.
type DecisionPanel struct {
	CaseID      int64
	CSRF        string
	ReviewState string
	Status      string // one sentence about where the case stands
	StatusLevel string
	Claim       ClaimView

	ShowClaim    bool
	ShowRelease  bool
	ShowForm     bool
	ShowApprove  bool // approve and return
	ShowReopen   bool
	ShowReassign bool
	MakerWaiting bool // the viewer made the pending decision

	NoteForAllow bool // allowing needs a note (the case is SUSPECTED)
	// AllowBlocked and ApproveBlocked say why the evidence rule keeps Allow, or approving an
	// allow, disabled ("" when it does not).
	AllowBlocked   string
	ApproveBlocked string
	Warnings       []string // what the reviewer should know before recording (automatic result, no second approver)
	Reasons        []ReasonOption
	Form           DecisionForm
	Deciders       []UserOption

	ReturnReason string
	ReopenReason string
	Errors       map[string]string // return_reason, reopen_reason, user_id
}
