package web

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/outbound"
)

// NewAPIToken returns a read-API token: "kdt_" and 32 random bytes in URL-safe base64.
func NewAPIToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("web: token: %w", err)
	}
	return "kdt_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// apiTokenKey is where the authenticated token sits in the request context.
const apiTokenKey = "kycdesk.api_token"

// apiError answers a read-API request with a JSON sentence: machines never get a login page.
func apiError(c echo.Context, status int, msg string) error {
	if status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="kycdesk"`)
	}
	return c.JSON(status, map[string]string{"error": msg})
}

// requireToken authenticates a bearer token that holds scope, and counts its use.
func (a *App) requireToken(scope string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Request().Header.Get("Authorization")
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || strings.TrimSpace(token) == "" {
				return apiError(c, http.StatusUnauthorized, "Send an API token as Authorization: Bearer <token>. An admin creates one on API tokens or with kycdesk token add.")
			}
			t, err := a.db.UseToken(c.Request().Context(), strings.TrimSpace(token))
			if errors.Is(err, store.ErrNotFound) {
				return apiError(c, http.StatusUnauthorized, "This API token is unknown or has been revoked.")
			}
			if err != nil {
				a.log.Error("api: token lookup", "err", err)
				return apiError(c, http.StatusInternalServerError, "The server could not check the token. It has been logged; try again.")
			}
			if !t.Has(scope) {
				return apiError(c, http.StatusForbidden, fmt.Sprintf("This token does not have the %s scope.", scope))
			}
			c.Set(apiTokenKey, t)
			return next(c)
		}
	}
}

// apiEvent is one item of the decisions feed: the webhook's body, with its webhook-id.
type apiEvent struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	Timestamp string          `json:"timestamp"`
	Data      store.EventData `json:"data"`
}

// handleAPIDecisions is the keyset feed of case.decided events, oldest first.
func (a *App) handleAPIDecisions(c echo.Context) error {
	var after int64
	if v := c.QueryParam("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return apiError(c, http.StatusBadRequest, "after is the next value of an earlier answer (a cursor), or empty for the start.")
		}
		after = n
	}
	limit := 100
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return apiError(c, http.StatusBadRequest, "limit is a number from 1 to 1000.")
		}
		limit = n
	}
	events, err := a.db.DecidedEvents(c.Request().Context(), after, limit)
	if err != nil {
		a.log.Error("api: decisions", "err", err)
		return apiError(c, http.StatusInternalServerError, "The server could not read the decisions. It has been logged; try again.")
	}
	out := struct {
		Decisions []apiEvent `json:"decisions"`
		Next      string     `json:"next"`
	}{Decisions: make([]apiEvent, 0, len(events)), Next: strconv.FormatInt(after, 10)}
	for _, ev := range events {
		out.Decisions = append(out.Decisions, apiEvent{ID: ev.MsgID, Type: ev.Type, Timestamp: ev.At.UTC().Format(time.RFC3339),
			Data: a.eventData(ev)})
		out.Next = strconv.FormatInt(ev.ID, 10)
	}
	return apiJSON(c, out)
}

// eventData is the event's data as sent, with its absolute case URL.
func (a *App) eventData(ev store.Event) store.EventData {
	d := ev.Data
	if a.cfg.BaseURL != "" && ev.CaseID != 0 {
		d.CaseURL = strings.TrimRight(a.cfg.BaseURL, "/") + "/cases/" + strconv.FormatInt(ev.CaseID, 10)
	}
	return d
}

// apiCase is a case as the read API shows it: its state and decision history, nothing from the
// identity documents.
type apiCase struct {
	Source               store.Source  `json:"source"`
	Ref                  string        `json:"ref"`
	ClientID             string        `json:"clientId"`
	VendorStatus         string        `json:"vendorStatus"`
	ReviewState          string        `json:"reviewState"`
	ChangedAfterDecision bool          `json:"changedAfterDecision"`
	FirstReceivedAt      time.Time     `json:"firstReceivedAt"`
	LastReceivedAt       time.Time     `json:"lastReceivedAt"`
	CaseURL              string        `json:"caseUrl"`
	Decisions            []apiDecision `json:"decisions"`
	Reopens              []apiReopen   `json:"reopens"`
}

type apiDecision struct {
	Outcome       string        `json:"outcome"`
	ReasonCode    string        `json:"reasonCode"`
	ReasonLabel   string        `json:"reasonLabel"`
	Note          string        `json:"note"`
	DecidedBy     string        `json:"decidedBy"`
	DecidedAt     time.Time     `json:"decidedAt"`
	NeedsApproval bool          `json:"needsApproval"`
	Approvals     []apiApproval `json:"approvals"`
	// Checklist is the checklist frozen with the decision (absent when the case had none).
	Checklist []store.ChecklistEntry `json:"checklist,omitempty"`
}

type apiApproval struct {
	Verdict string    `json:"verdict"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	Reason  string    `json:"reason"`
}

type apiReopen struct {
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// handleAPICase returns one case's state and decision history. Every read is audited under the token.
func (a *App) handleAPICase(c echo.Context) error {
	ctx := c.Request().Context()
	src := store.Source(c.Param("source"))
	if src != store.SourceMarkID && src != store.SourceVCIP {
		return apiError(c, http.StatusNotFound, "The source is markid or vcip.")
	}
	ref := c.Param("ref")
	ids, err := a.db.CasesByRef(ctx, src, []string{ref})
	if err != nil {
		a.log.Error("api: case", "err", err)
		return apiError(c, http.StatusInternalServerError, "The server could not read the case. It has been logged; try again.")
	}
	id, ok := ids[ref]
	if !ok {
		return apiError(c, http.StatusNotFound, "There is no "+string(src)+" case with this reference.")
	}
	out, err := a.apiCase(c, id)
	if err != nil {
		a.log.Error("api: case", "case", id, "err", err)
		return apiError(c, http.StatusInternalServerError, "The server could not read the case. It has been logged; try again.")
	}
	t, _ := c.Get(apiTokenKey).(store.APIToken)
	if err := a.db.Audit(ctx, store.AuditEntry{Actor: "token:" + t.Name, Action: "api.case.read", TargetType: "case",
		TargetID: fmt.Sprint(id), CaseID: id, Details: map[string]any{"token": t.ID}}); err != nil {
		a.log.Error("api: audit case read", "err", err)
		return apiError(c, http.StatusInternalServerError, "The read could not be audited, so it is refused. It has been logged; try again.")
	}
	return apiJSON(c, out)
}

func (a *App) apiCase(c echo.Context, id int64) (apiCase, error) {
	ctx := c.Request().Context()
	rec, err := a.db.CaseByID(ctx, id)
	if err != nil {
		return apiCase{}, err
	}
	decisions, err := a.db.CaseDecisions(ctx, id)
	if err != nil {
		return apiCase{}, err
	}
	reopens, err := a.db.CaseReopens(ctx, id)
	if err != nil {
		return apiCase{}, err
	}
	users, err := a.db.ListUsers(ctx)
	if err != nil {
		return apiCase{}, err
	}
	username := map[int64]string{}
	for _, u := range users {
		username[u.ID] = u.Username
	}
	out := apiCase{Source: rec.Source, Ref: rec.Ref, ClientID: rec.ClientID, VendorStatus: rec.Overall, ReviewState: rec.ReviewState,
		ChangedAfterDecision: rec.ChangedAfterDecision, FirstReceivedAt: rec.FirstReceivedAt, LastReceivedAt: rec.LastReceivedAt,
		CaseURL: a.eventData(store.Event{CaseID: id}).CaseURL, Decisions: []apiDecision{}, Reopens: []apiReopen{}}
	for _, d := range decisions {
		ad := apiDecision{Outcome: d.Outcome, ReasonCode: d.ReasonCode, ReasonLabel: a.db.Rules().ReasonLabel(d.ReasonCode), Note: d.Note,
			DecidedBy: username[d.DecidedBy], DecidedAt: d.DecidedAt, NeedsApproval: d.NeedsApproval, Approvals: []apiApproval{},
			Checklist: d.Checklist}
		for _, ap := range d.Approvals {
			ad.Approvals = append(ad.Approvals, apiApproval{Verdict: ap.Verdict, By: username[ap.By], At: ap.At, Reason: ap.Reason})
		}
		out.Decisions = append(out.Decisions, ad)
	}
	for _, r := range reopens {
		out.Reopens = append(out.Reopens, apiReopen{By: username[r.By], At: r.At, Reason: r.Reason})
	}
	return out, nil
}

// newSecret is the signing secret for a new or rotated endpoint.
func newSecret() (string, error) { return outbound.NewSecret() }
