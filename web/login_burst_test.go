package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/kycdesk/kycdesk/store"
)

// TestLoginBurstLockout is the pen test's burst: parallel guesses raced past the lockout (16 of
// 20 checked against a real account) and answered unknown names with the opposite pattern. Now
// 50 parallel wrong guesses check at most five passwords, known and unknown names get the same
// answers in the same numbers, and the right password sent after the burst is not even checked.
func TestLoginBurstLockout(t *testing.T) {
	ta := newTestApp(t, withConfig(func(c *Config) { c.BcryptCost = bcrypt.MinCost }))
	pw := ta.addUser(t, "victim", store.RoleReviewer)
	const guesses = 50
	burst := func(username string) map[string]int {
		clients := make([]*client, guesses)
		for i := range clients {
			clients[i] = ta.newClient(t)
			clients[i].get("/login")
		}
		answers := make([]string, guesses)
		var wg sync.WaitGroup
		for i, c := range clients {
			wg.Go(func() {
				p := c.postForm("/login", url.Values{"username": {username}, "password": {fmt.Sprintf("guess-%02d-password", i)}})
				answers[i] = fmt.Sprintf("%d %s", p.Status, strings.TrimSpace(p.testid("login-error").Text()))
			})
		}
		wg.Wait()
		dist := map[string]int{}
		for _, a := range answers {
			dist[a]++
		}
		return dist
	}
	known, unknown := burst("victim"), burst("no-such-user")
	if fmt.Sprint(known) != fmt.Sprint(unknown) {
		t.Errorf("answers differ: known name %v, unknown name %v", known, unknown)
	}
	if n := known[fmt.Sprintf("401 %s", msgBadLogin)]; n != ta.cfg.LoginLockAfter-1 {
		t.Errorf("known name: %d answers %q, want %d (then locked): %v", n, msgBadLogin, ta.cfg.LoginLockAfter-1, known)
	}
	for _, name := range []string{"victim", "no-such-user"} {
		if n := checkedGuesses(t, ta, name); n > ta.cfg.LoginLockAfter {
			t.Errorf("%s: %d passwords checked, want at most %d", name, n, ta.cfg.LoginLockAfter)
		}
	}
	// The right password now is refused like the rest, without being checked.
	c := ta.newClient(t)
	c.get("/login")
	p := c.postForm("/login", url.Values{"username": {"victim"}, "password": {pw}})
	if p.URL.Path != "/login" || !strings.Contains(p.testid("login-error").Text(), "locked") {
		t.Fatalf("right password after the burst landed on %s with %q, want the lockout", p.URL.Path, p.testid("login-error").Text())
	}
	if n := checkedGuesses(t, ta, "victim"); n > ta.cfg.LoginLockAfter {
		t.Errorf("victim: %d passwords checked after the right one was sent locked, want %d", n, ta.cfg.LoginLockAfter)
	}
}

// checkedGuesses counts the audited sign-in failures for name whose password was checked.
func checkedGuesses(t *testing.T, ta *testApp, name string) int {
	t.Helper()
	n := 0
	err := ta.db.StreamAudit(context.Background(), store.AuditFilter{Action: "login.failure"}, func(e store.AuditEntry) error {
		var d struct {
			Checked *bool `json:"checked"`
		}
		if err := json.Unmarshal([]byte(e.DetailsJSON), &d); err != nil {
			return err
		}
		if e.TargetID != name {
			return nil
		}
		if d.Checked == nil {
			t.Fatalf("login.failure entry %d does not say whether the password was checked: %s", e.ID, e.DetailsJSON)
		}
		if *d.Checked {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
