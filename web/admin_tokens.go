package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

// handleTokens lists the read-API tokens beside the add form.
func (a *App) handleTokens(c echo.Context) error {
	return a.renderTokens(c, http.StatusOK, views.TokenForm{Scopes: []string{store.ScopeDecisionsRead}})
}

func (a *App) renderTokens(c echo.Context, status int, form views.TokenForm) error {
	tokens, err := a.db.Tokens(c.Request().Context())
	if err != nil {
		return err
	}
	return a.render(c, status, views.Tokens(a.adminPage(c, "API tokens", "tokens"), views.TokensPage{Tokens: tokens, Form: form}))
}

// handleTokenCreate adds a token and shows it once; only its hash is stored.
func (a *App) handleTokenCreate(c echo.Context) error {
	values, _ := c.FormParams()
	form := views.TokenForm{Name: strings.TrimSpace(c.FormValue("name")), Scopes: values["scopes"]}
	token, err := NewAPIToken()
	if err != nil {
		return err
	}
	tk, err := a.db.CreateToken(c.Request().Context(), actor(c), form.Name, token, form.Scopes)
	if se, ok := store.AsError(err); ok && len(se.Fields) > 0 {
		form.Errors = se.Fields
		return a.renderTokens(c, http.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, views.TokenCreated(a.adminPage(c, "Token added", "tokens"), views.TokenShown{Token: tk, Value: token}))
}

// handleTokenRevoke ends a token.
func (a *App) handleTokenRevoke(c echo.Context) error {
	id, err := endpointID(c, "id")
	if err != nil {
		return err
	}
	if err := a.db.RevokeToken(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/tokens?flash=tk-revoked")
}
