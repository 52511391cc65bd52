package web

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"image/png"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

const (
	// challengeCookie holds the token of a sign-in waiting for its second factor.
	challengeCookie = "kycdesk_mfa"
	// challengeTTL is how long the second step may take after the password.
	challengeTTL = 10 * time.Minute
	// totpIssuer is the name authenticator apps show beside the account.
	totpIssuer = "KYC Desk"
	// recoveryCodeCount recovery codes are issued at enrolment.
	recoveryCodeCount = 10
)

var totpOpts = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// mfaCovers reports whether --require-mfa makes u's password sign-ins need a second factor.
func (a *App) mfaCovers(u *store.User) bool {
	switch a.cfg.RequireMFA {
	case MFAAll:
		return true
	case MFAAdmins:
		return u.Has(store.RoleAdmin)
	}
	return false
}

// localLoginAllows reports whether --local-login lets u sign in with a password.
func (a *App) localLoginAllows(u *store.User) bool {
	switch a.cfg.LocalLogin {
	case LocalLoginAll:
		return true
	case LocalLoginAdmins:
		return u.Has(store.RoleAdmin)
	}
	return false
}

// msgLocalLoginRefused says where someone whose password is right should sign in instead.
func (a *App) msgLocalLoginRefused() string {
	if a.sso != nil {
		return "Password sign-in is for admins only here. Use “Sign in with " + a.cfg.OIDC.Name + "” above."
	}
	return "Password sign-in is turned off here. Ask a KYC Desk admin how to sign in."
}

// passwordAccepted continues a sign-in whose password was right: straight into a session, or
// to the second factor (or its enrolment) first. No session exists until that step is done, so
// a covered user sees no page before enrolling.
//
// The failure count is cleared only once the whole sign-in succeeds: a right password alone must
// not reset the count of wrong codes.
func (a *App) passwordAccepted(c echo.Context, u *store.User, next string, fail func(string) error) error {
	ctx := c.Request().Context()
	stage := ""
	t, err := a.db.TOTPOf(ctx, u.ID)
	switch {
	case err == nil && t.Confirmed:
		stage = store.StageTOTP
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return err
	}
	if stage == "" && a.mfaCovers(u) {
		stage = store.StageEnrol
	}
	if stage == "" {
		// The lock may have been set by guesses running in parallel with this one: success only
		// counts if the account is still unlocked now.
		ok, err := a.db.RecordLoginSuccess(ctx, u.ID)
		if err != nil {
			return err
		}
		if !ok {
			return fail(msgLocked(a.cfg.LoginLockFor))
		}
		if err := a.openSession(c, u, map[string]any{"method": "password"}); err != nil {
			return err
		}
		if next == "" {
			next = homeFor(u)
		}
		return c.Redirect(http.StatusSeeOther, next)
	}
	token, err := randomToken()
	if err != nil {
		return err
	}
	if err := a.db.CreateLoginChallenge(ctx, store.LoginChallenge{ID: hashSessionID(token), UserID: u.ID, Stage: stage, Next: next}, challengeTTL); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: challengeCookie, Value: token, Path: "/login", MaxAge: int(challengeTTL.Seconds()),
		HttpOnly: true, Secure: a.cfg.secureCookies(), SameSite: http.SameSiteStrictMode})
	if stage == store.StageEnrol {
		return c.Redirect(http.StatusSeeOther, "/login/mfa/enrol")
	}
	return c.Redirect(http.StatusSeeOther, "/login/mfa")
}

// challenge returns the browser's pending second step and its user; ok is false (and the
// answer already written) when there is none, e.g. it expired.
func (a *App) challenge(c echo.Context) (store.LoginChallenge, store.User, bool, error) {
	ck, err := c.Cookie(challengeCookie)
	if err != nil || ck.Value == "" {
		return store.LoginChallenge{}, store.User{}, false, c.Redirect(http.StatusSeeOther, "/login")
	}
	ctx := c.Request().Context()
	ch, err := a.db.LoginChallengeByID(ctx, hashSessionID(ck.Value), challengeTTL)
	if errors.Is(err, store.ErrNotFound) {
		a.clearChallengeCookie(c)
		return ch, store.User{}, false, a.render(c, http.StatusUnauthorized, a.loginPage(c, "", "This sign-in has ended: it took longer than 10 minutes, or the account was changed meanwhile. Please sign in again.", ""))
	}
	if err != nil {
		return ch, store.User{}, false, err
	}
	u, err := a.db.UserByID(ctx, ch.UserID)
	if err != nil || u.Disabled {
		_ = a.db.DeleteLoginChallenge(ctx, ch.ID)
		a.clearChallengeCookie(c)
		return ch, u, false, a.render(c, http.StatusUnauthorized, a.loginPage(c, "", msgBadLogin, ""))
	}
	if u.LockedUntil.After(a.cfg.Now()) {
		_ = a.db.DeleteLoginChallenge(ctx, ch.ID)
		a.clearChallengeCookie(c)
		return ch, u, false, a.render(c, http.StatusUnauthorized, a.loginPage(c, u.Username, msgLocked(a.cfg.LoginLockFor), ""))
	}
	return ch, u, true, nil
}

func (a *App) clearChallengeCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: challengeCookie, Value: "", Path: "/login", MaxAge: -1,
		HttpOnly: true, Secure: a.cfg.secureCookies(), SameSite: http.SameSiteStrictMode})
}

// handleMFAForm asks for a code from the authenticator app (or a recovery code).
func (a *App) handleMFAForm(c echo.Context) error {
	ch, u, ok, err := a.challenge(c)
	if !ok {
		return err
	}
	if ch.Stage == store.StageEnrol {
		return c.Redirect(http.StatusSeeOther, "/login/mfa/enrol")
	}
	return a.render(c, http.StatusOK, views.MFACode(a.page(c, "Second step", ""), u.Username, ""))
}

// handleMFA checks the code. A wrong code counts toward the account's lockout like a wrong
// password; a code already used in its window is refused.
func (a *App) handleMFA(c echo.Context) error {
	ch, u, ok, err := a.challenge(c)
	if !ok {
		return err
	}
	if ch.Stage != store.StageTOTP {
		return c.Redirect(http.StatusSeeOther, "/login/mfa/enrol")
	}
	ctx := c.Request().Context()
	code := normaliseCode(c.FormValue("code"))
	method := "password+totp"
	good := false
	if isTOTPCode(code) {
		t, err := a.db.TOTPOf(ctx, u.ID)
		if err != nil {
			return err
		}
		if step, match := a.matchTOTP(t.Secret, code); match {
			if good, err = a.db.UseTOTPStep(ctx, u.ID, step); err != nil {
				return err
			}
		}
	} else if code != "" {
		method = "password+recovery_code"
		if good, _, err = a.db.UseRecoveryCode(ctx, u.ID, hashRecoveryCode(code), c.RealIP()); err != nil {
			return err
		}
	}
	if !good {
		return a.mfaFailed(c, ch, &u, "That code is not right, or it was already used. Wait for the next code and try again.")
	}
	if ok, err := a.db.RecordLoginSuccess(ctx, u.ID); err != nil || !ok {
		if err != nil {
			return err
		}
		return a.mfaFailed(c, ch, &u, "")
	}
	if err := a.db.DeleteLoginChallenge(ctx, ch.ID); err != nil {
		return err
	}
	a.clearChallengeCookie(c)
	if err := a.openSession(c, &u, map[string]any{"method": method}); err != nil {
		return err
	}
	next := ch.Next
	if next == "" {
		next = homeFor(&u)
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// mfaFailed counts a wrong code toward the lockout (the store's count-and-lock, as for passwords)
// and answers with msg, or with the lock sentence once the account is locked.
func (a *App) mfaFailed(c echo.Context, ch store.LoginChallenge, u *store.User, msg string) error {
	ctx := c.Request().Context()
	locked := msg == ""
	if !locked {
		var err error
		if locked, err = a.db.RecordLoginFailure(ctx, u.ID, a.cfg.LoginLockAfter, a.cfg.LoginLockFor); err != nil {
			return err
		}
	}
	reason := msg
	if locked {
		reason = msgLocked(a.cfg.LoginLockFor)
	}
	if err := a.db.Audit(ctx, store.AuditEntry{Actor: "anonymous", Action: "login.failure", TargetType: "user", TargetID: u.Username,
		Details: map[string]any{"remote_addr": c.RealIP(), "reason": reason, "step": ch.Stage}}); err != nil {
		return err
	}
	if locked {
		if err := a.db.DeleteLoginChallenge(ctx, ch.ID); err != nil {
			return err
		}
		a.clearChallengeCookie(c)
		return a.render(c, http.StatusUnauthorized, a.loginPage(c, u.Username, reason, ""))
	}
	if ch.Stage == store.StageEnrol {
		return a.renderEnrol(c, u, http.StatusUnprocessableEntity, msg)
	}
	return a.render(c, http.StatusUnauthorized, views.MFACode(a.page(c, "Second step", ""), u.Username, msg))
}

// handleEnrolForm shows the QR code and the secret of a new authenticator, and asks for its first code.
func (a *App) handleEnrolForm(c echo.Context) error {
	ch, u, ok, err := a.challenge(c)
	if !ok {
		return err
	}
	if ch.Stage != store.StageEnrol {
		return c.Redirect(http.StatusSeeOther, "/login/mfa")
	}
	return a.renderEnrol(c, &u, http.StatusOK, "")
}

func (a *App) renderEnrol(c echo.Context, u *store.User, status int, msg string) error {
	secret, err := a.pendingSecret(c, u)
	if err != nil {
		return err
	}
	return a.render(c, status, views.MFAEnrol(a.page(c, "Set up an authenticator app", ""), views.MFAEnrolView{
		Username: u.Username, Secret: groupSecret(secret), Error: msg,
	}))
}

// pendingSecret is the secret of the user's enrolment under way, made on the first visit and
// kept across reloads so the QR code already scanned stays valid.
func (a *App) pendingSecret(c echo.Context, u *store.User) (string, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: u.Username})
	if err != nil {
		return "", err
	}
	return a.db.PendingTOTP(c.Request().Context(), u.ID, key.Secret())
}

// handleEnrolQR serves the enrolment's QR code as a PNG made here (no CDN; allowed by the CSP's img-src 'self').
func (a *App) handleEnrolQR(c echo.Context) error {
	ch, u, ok, err := a.challenge(c)
	if !ok {
		return err
	}
	if ch.Stage != store.StageEnrol {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	secret, err := a.pendingSecret(c, &u)
	if err != nil {
		return err
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: u.Username, Secret: raw})
	if err != nil {
		return err
	}
	img, err := key.Image(264, 264)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "image/png", buf.Bytes())
}

// handleEnrol confirms the new authenticator with its first code, issues the recovery codes and
// opens the session. The codes are shown on this response only; they are stored hashed.
func (a *App) handleEnrol(c echo.Context) error {
	ch, u, ok, err := a.challenge(c)
	if !ok {
		return err
	}
	if ch.Stage != store.StageEnrol {
		return c.Redirect(http.StatusSeeOther, "/login/mfa")
	}
	ctx := c.Request().Context()
	t, err := a.db.TOTPOf(ctx, u.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && t.Confirmed) {
		return c.Redirect(http.StatusSeeOther, "/login/mfa/enrol")
	}
	if err != nil {
		return err
	}
	step, match := a.matchTOTP(t.Secret, normaliseCode(c.FormValue("code")))
	if !match {
		return a.mfaFailed(c, ch, &u, "That code does not match. Check that the app shows KYC Desk with your username, and enter the code it shows now.")
	}
	codes, hashes, err := newRecoveryCodes()
	if err != nil {
		return err
	}
	if err := a.db.ConfirmTOTP(ctx, u.ID, step, hashes); err != nil {
		return err
	}
	if ok, err := a.db.RecordLoginSuccess(ctx, u.ID); err != nil || !ok {
		if err != nil {
			return err
		}
		return a.mfaFailed(c, ch, &u, "")
	}
	if err := a.db.DeleteLoginChallenge(ctx, ch.ID); err != nil {
		return err
	}
	a.clearChallengeCookie(c)
	if err := a.openSession(c, &u, map[string]any{"method": "password+totp", "enrolled": true}); err != nil {
		return err
	}
	next := ch.Next
	if next == "" {
		next = homeFor(&u)
	}
	// The page is rendered for a signed-in user now, with the nav.
	c.SetRequest(c.Request().WithContext(withUser(c.Request().Context(), &u)))
	return a.render(c, http.StatusOK, views.MFARecoveryCodes(a.page(c, "Recovery codes", ""), codes, next))
}

// matchTOTP finds the 30-second step (now, or one step either side for clock drift) whose code is code.
func (a *App) matchTOTP(secret, code string) (int64, bool) {
	if !isTOTPCode(code) {
		return 0, false
	}
	now := a.cfg.Now()
	for _, skew := range []int64{0, -1, 1} {
		at := now.Add(time.Duration(skew) * 30 * time.Second)
		want, err := totp.GenerateCodeCustom(secret, at, totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return at.Unix() / 30, true
		}
	}
	return 0, false
}

// handleMFAReset is the admin's reset of another user's second factor: audited, the user is
// signed out and enrols again at the next sign-in.
func (a *App) handleMFAReset(c echo.Context, target store.User) error {
	if target.ID == currentUser(c).ID {
		return a.renderUsers(c, http.StatusConflict, views.NewUserForm{PasswordMode: "generate"},
			"You cannot reset your own second factor. Ask another admin.")
	}
	if err := a.db.ResetMFA(c.Request().Context(), actor(c), target.ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users?flash=mfareset")
}

// newRecoveryCodes returns ten codes of 12 random base32 characters (60 bits), shown as
// xxxx-xxxx-xxxx, and their hashes.
func newRecoveryCodes() (codes, hashes []string, err error) {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	for range recoveryCodeCount {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			return nil, nil, err
		}
		for i := range b {
			b[i] = alphabet[b[i]&31]
		}
		s := string(b)
		codes = append(codes, s[0:4]+"-"+s[4:8]+"-"+s[8:12])
		hashes = append(hashes, hashRecoveryCode(s))
	}
	return codes, hashes, nil
}

func hashRecoveryCode(normalised string) string {
	sum := sha256.Sum256([]byte("kycdesk-recovery:" + normalised))
	return hex.EncodeToString(sum[:])
}

// normaliseCode drops spaces and dashes and lowercases, so "123 456" and "ABCD-efgh-2345" are read as typed.
func normaliseCode(s string) string {
	if len(s) > 64 {
		return ""
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		if r >= 'A' && r <= 'Z' {
			return r + 32
		}
		return r
	}, s)
}

func isTOTPCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// groupSecret shows a base32 secret in groups of four for typing.
func groupSecret(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
