package web

import (
	"net/url"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/testidp"
)

// BenchmarkSignIn times one whole sign-in of a fresh browser, from the sign-in page to the first
// page after it: a password alone (the baseline), a password and a TOTP code, and SSO through
// the in-process OpenID Provider (start, the provider's login form, code exchange, ID-token and
// userinfo checks, account update). Passwords use bcrypt's minimum cost, as in every web test,
// so the figures are the flows' own cost, not bcrypt's.
func BenchmarkSignIn(b *testing.B) {
	b.Run("password", func(b *testing.B) {
		ta := newTestApp(b)
		pw := ta.addUser(b, "rita", store.RoleReviewer)
		b.ResetTimer()
		for range b.N {
			if p := passwordStep(b, ta, ta.newClient(b), "rita", pw); p.URL.Path != "/cases" {
				b.Fatalf("ended at %s", p.URL)
			}
		}
	})
	b.Run("password+totp", func(b *testing.B) {
		ta := newTestApp(b, withMFA(MFAAll))
		pw := ta.addUser(b, "rita", store.RoleReviewer)
		secret, _ := enrol(b, ta, ta.newClient(b), "rita", pw)
		b.ResetTimer()
		for range b.N {
			ta.clock.Advance(30 * time.Second) // a fresh code each time: a used one is refused
			c := ta.newClient(b)
			passwordStep(b, ta, c, "rita", pw)
			if p := c.postForm("/login/mfa", url.Values{"code": {codeAt(b, ta, secret, 0)}}); p.URL.Path != "/cases" {
				b.Fatalf("ended at %s: %q", p.URL, loginError(p))
			}
		}
	})
	b.Run("sso", func(b *testing.B) {
		idp := testidp.Start(b, "")
		idp.AddUser("alice", "alice-pw", "Alice Fernandes", "kyc-reviewers")
		ta := newTestApp(b, withSSO(idp))
		b.ResetTimer()
		for range b.N {
			if p := ssoLogin(b, ta.newClient(b), "alice", "alice-pw"); p.URL.Path != "/cases" {
				b.Fatalf("ended at %s: %q", p.URL, loginError(p))
			}
		}
	})
}
