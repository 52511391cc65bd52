package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

// webhookFlash maps the short flash codes of the webhook and token pages to their sentences;
// unknown codes show nothing.
func webhookFlash(code string) string {
	return map[string]string{
		"wh-test":     "Test event queued. It appears in the log below once sent.",
		"wh-enabled":  "Endpoint enabled. Its pending events go out now.",
		"wh-disabled": "Endpoint disabled.",
		"wh-replayed": "Event queued again with its original webhook-id.",
		"wh-range":    "Events of the range queued again, in order.",
		"wh-none":     "No event of this endpoint's types happened in that range.",
		"tk-revoked":  "Token revoked.",
	}[code]
}

// adminPage is a.page with the flash codes of these pages understood.
func (a *App) adminPage(c echo.Context, title, nav string) views.Page {
	p := a.page(c, title, nav)
	if p.Flash == "" {
		p.Flash = webhookFlash(c.QueryParam("flash"))
	}
	return p
}

// guardNote says which webhook destinations the address guard lets through.
func (a *App) guardNote() string {
	o := a.cfg.Outbound
	switch {
	case o.AllowPrivate:
		return "Deliveries may reach private and loopback addresses (--outbound-allow-private)."
	case len(o.AllowHosts) > 0:
		return "Deliveries reach public addresses, and these hosts even on private addresses: " + strings.Join(o.AllowHosts, ", ") +
			" (--outbound-allow-hosts)."
	}
	return "Deliveries reach public addresses only: private, loopback and link-local ones are refused. Bank systems are " +
		"usually internal: start the server with --outbound-allow-hosts HOST (or --outbound-allow-private) to reach them."
}

// disabledEndpoints are the endpoints ingest health warns about.
func (a *App) disabledEndpoints(ctx context.Context) []store.Endpoint {
	eps, err := a.db.Endpoints(ctx)
	if err != nil {
		a.log.Warn("ingest health: endpoints", "err", err) // the page is still useful without them
		return nil
	}
	var out []store.Endpoint
	for _, e := range eps {
		if !e.Enabled {
			out = append(out, e)
		}
	}
	return out
}

// handleWebhooks lists the endpoints beside the add form.
func (a *App) handleWebhooks(c echo.Context) error {
	return a.renderWebhooks(c, http.StatusOK, views.EndpointForm{Events: store.DefaultEventTypes})
}

func (a *App) renderWebhooks(c echo.Context, status int, form views.EndpointForm) error {
	eps, err := a.db.Endpoints(c.Request().Context())
	if err != nil {
		return err
	}
	return a.render(c, status, views.Webhooks(a.adminPage(c, "Webhooks", "webhooks"),
		views.WebhooksPage{Endpoints: eps, Now: a.cfg.Now(), Form: form, Guard: a.guardNote()}))
}

// handleEndpointCreate adds an endpoint and shows its secret once. The page is rendered, not
// redirected to, so the secret never travels in a URL.
func (a *App) handleEndpointCreate(c echo.Context) error {
	values, _ := c.FormParams()
	form := views.EndpointForm{URL: strings.TrimSpace(c.FormValue("url")), Events: values["events"], Errors: map[string]string{}}
	if len(form.Events) == 0 {
		form.Errors["events"] = "Choose at least one event type."
		return a.renderWebhooks(c, http.StatusUnprocessableEntity, form)
	}
	secret, err := newSecret()
	if err != nil {
		return err
	}
	ep, err := a.db.CreateEndpoint(c.Request().Context(), actor(c), form.URL, form.Events, secret)
	if se, ok := store.AsError(err); ok && len(se.Fields) > 0 {
		form.Errors = se.Fields
		return a.renderWebhooks(c, http.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, views.WebhookSecret(a.adminPage(c, "Endpoint added", "webhooks"),
		views.SecretShown{Endpoint: ep, Secret: secret}))
}

func endpointID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound)
	}
	return id, nil
}

// handleEndpoint shows one endpoint with its delivery log, newest first.
func (a *App) handleEndpoint(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := endpointID(c, "id")
	if err != nil {
		return err
	}
	ep, err := a.db.EndpointByID(ctx, id)
	if err != nil {
		return err
	}
	before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	log, older, err := a.db.EndpointLog(ctx, id, before, 50)
	if err != nil {
		return err
	}
	now := a.cfg.Now().UTC()
	return a.render(c, http.StatusOK, views.WebhookEndpoint(a.adminPage(c, "Webhook endpoint", "webhooks"), views.EndpointPage{
		Endpoint: ep, Now: now, Log: log, Older: older, From: now.Add(-24 * time.Hour).Truncate(time.Minute),
		To: now.Add(time.Minute).Truncate(time.Minute), Guard: a.guardNote()}))
}

func (a *App) endpointRedirect(c echo.Context, id int64, flash string) error {
	a.outbound.Wake()
	return c.Redirect(http.StatusSeeOther, "/admin/webhooks/"+strconv.FormatInt(id, 10)+"?flash="+flash)
}

// handleEndpointTest queues a test event for this endpoint only.
func (a *App) handleEndpointTest(c echo.Context) error {
	id, err := endpointID(c, "id")
	if err != nil {
		return err
	}
	if _, err := a.db.SendTestEvent(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return a.endpointRedirect(c, id, "wh-test")
}

// handleEndpointRotate makes a new secret and shows it once; the old one signs too for the grace period.
func (a *App) handleEndpointRotate(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := endpointID(c, "id")
	if err != nil {
		return err
	}
	grace, err := time.ParseDuration(c.FormValue("grace"))
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "Choose how long the old secret keeps signing.")
	}
	secret, err := newSecret()
	if err != nil {
		return err
	}
	if err := a.db.RotateEndpointSecret(ctx, actor(c), id, secret, grace); err != nil {
		return err
	}
	ep, err := a.db.EndpointByID(ctx, id)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, views.WebhookSecret(a.adminPage(c, "Secret rotated", "webhooks"),
		views.SecretShown{Endpoint: ep, Secret: secret, Rotated: true, Grace: grace}))
}

// handleEndpointEnable turns an endpoint back on.
func (a *App) handleEndpointEnable(c echo.Context) error { return a.setEndpointEnabled(c, true) }

// handleEndpointDisable turns an endpoint off.
func (a *App) handleEndpointDisable(c echo.Context) error { return a.setEndpointEnabled(c, false) }

func (a *App) setEndpointEnabled(c echo.Context, on bool) error {
	id, err := endpointID(c, "id")
	if err != nil {
		return err
	}
	if err := a.db.SetEndpointEnabled(c.Request().Context(), actor(c), id, on, ""); err != nil {
		return err
	}
	if on {
		return a.endpointRedirect(c, id, "wh-enabled")
	}
	return a.endpointRedirect(c, id, "wh-disabled")
}

// handleEndpointReplayRange sends again every event of the endpoint's types in a UTC time range.
func (a *App) handleEndpointReplayRange(c echo.Context) error {
	id, err := endpointID(c, "id")
	if err != nil {
		return err
	}
	from, ferr := time.Parse("2006-01-02T15:04", c.FormValue("from"))
	to, terr := time.Parse("2006-01-02T15:04", c.FormValue("to"))
	if ferr != nil || terr != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "Give the start and the end of the range as a date and a time (UTC).")
	}
	n, err := a.db.ReplayRange(c.Request().Context(), actor(c), id, from, to)
	if err != nil {
		return err
	}
	if n == 0 {
		return a.endpointRedirect(c, id, "wh-none")
	}
	return a.endpointRedirect(c, id, "wh-range")
}

// handleMessageReplay sends one message's event again.
func (a *App) handleMessageReplay(c echo.Context) error {
	id, err := endpointID(c, "id")
	if err != nil {
		return err
	}
	msg, err := endpointID(c, "msg")
	if err != nil {
		return err
	}
	if err := a.db.ReplayMessage(c.Request().Context(), actor(c), id, msg); err != nil {
		return err
	}
	return a.endpointRedirect(c, id, "wh-replayed")
}
