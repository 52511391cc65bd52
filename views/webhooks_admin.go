package views

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// WebhooksPage is the admin's list of endpoints beside the form that adds one.
type WebhooksPage struct {
	Endpoints []store.Endpoint
	Now       time.Time
	Form      EndpointForm
	// Guard says in a sentence which destinations the address guard lets through.
	Guard string
}

// EndpointForm is the add-an-endpoint form as submitted, with a sentence per field to fix.
type EndpointForm struct {
	URL    string
	Events []string
	Errors map[string]string
}

// EndpointPage is one endpoint: its settings, actions and delivery log.
type EndpointPage struct {
	Endpoint store.Endpoint
	Now      time.Time
	Log      []store.MessageLog
	// Older is the cursor of the next page of the log (0: none).
	Older int64
	// From and To are the replay form's defaults, in UTC.
	From, To time.Time
	Guard    string
}

// SecretShown is the one time an endpoint's signing secret is displayed.
type SecretShown struct {
	Endpoint store.Endpoint
	Secret   string
	Rotated  bool
	Grace    time.Duration
}

// TokensPage is the admin's list of read-API tokens beside the form that adds one.
type TokensPage struct {
	Tokens []store.APIToken
	Form   TokenForm
}

// TokenForm is the add-a-token form as submitted.
type TokenForm struct {
	Name   string
	Scopes []string
	Errors map[string]string
}

// TokenShown is the one time a read-API token is displayed.
type TokenShown struct {
	Token store.APIToken
	Value string
}

// whEventHints say in a few words what each event type announces.
var whEventHints = map[string]string{
	store.EventDecided:         "the final outcome, after any second approval",
	store.EventDecisionPending: "a first decision waits for approval",
	store.EventReturned:        "a supervisor sent a decision back",
	store.EventReopened:        "a decided case is open again",
	store.EventChanged:         "a vendor callback arrived after the decision",
	store.EventReceived:        "a new case needs a decision (opt-in)",
	store.EventTest:            "a test event an admin sent",
}

func whEventHint(t string) string { return whEventHints[t] }

func whChecked(list []string, v string) bool { return slices.Contains(list, v) }

func whID(id int64) string { return strconv.FormatInt(id, 10) }

func whPath(id int64, rest string) string { return "/admin/webhooks/" + whID(id) + rest }

// whState is the endpoint's state and its status class.
func whState(e store.Endpoint) (string, string) {
	switch {
	case !e.Enabled:
		return "disabled", StatusRed
	case !e.FailingSince.IsZero():
		return "failing", StatusAmber
	}
	return "enabled", StatusGreen
}

func whStateLabel(e store.Endpoint) string { l, _ := whState(e); return l }
func whStateClass(e store.Endpoint) string { _, c := whState(e); return c }

// whResultClass colours an attempt or message by its result.
func whResultClass(result string) string {
	switch result {
	case store.AttemptDelivered:
		return StatusGreen
	case "pending":
		return StatusAmber
	case store.AttemptFailed, store.AttemptRefused, store.AttemptTimeout:
		return StatusRed
	}
	return StatusGrey
}

func whStatusCode(code int) string {
	if code == 0 {
		return "—"
	}
	return strconv.Itoa(code)
}

func whDuration(d time.Duration) string {
	if d < time.Second {
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
}

// whUTCInput formats a time for a datetime-local input that the page labels UTC.
func whUTCInput(t time.Time) string { return t.UTC().Format("2006-01-02T15:04") }

func whGrace(d time.Duration) string {
	if d%(24*time.Hour) == 0 && d >= 24*time.Hour {
		n := int(d / (24 * time.Hour))
		if n == 1 {
			return "1 day"
		}
		return strconv.Itoa(n) + " days"
	}
	return FormatWaited(d)
}

func whScopes(t store.APIToken) string { return strings.Join(t.Scopes, ", ") }

var whScopeHints = map[string]string{
	store.ScopeDecisionsRead: "the feed of final decisions",
	store.ScopeCasesRead:     "one case's state and decision history (each read is audited)",
}

func whScopeHint(s string) string { return whScopeHints[s] }

// whOlder are a message's attempts after its newest, which the row itself shows.
func whOlder(a []store.DeliveryAttempt) []store.DeliveryAttempt {
	if len(a) < 2 {
		return nil
	}
	return a[1:]
}
