package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/playwright-community/playwright-go"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// TestWebhooks: an admin adds an endpoint in the browser and keeps the secret it shows once; a
// reviewer decides a case; the bank's receiver gets the event, verified with the Standard
// Webhooks library, and the admin sees the delivery in the endpoint's log.
func TestWebhooks(t *testing.T) {
	env := startApp(t, withoutHostileCase())
	admin := seedUser{"ada", "Ada Admin", "admin", "e2e-ada-pass-2026"}
	if err := addUser(kycdeskBinary(t), env.dataDir, admin); err != nil {
		t.Fatal(err)
	}
	env.seed.users = append(env.seed.users, admin)

	var mu sync.Mutex
	var secret string
	got := make(chan string, 10)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		s := secret
		mu.Unlock()
		wh, err := standardwebhooks.NewWebhook(s)
		if err == nil {
			err = wh.VerifyIgnoringTimestamp(body, r.Header) // the app's clock stands still
		}
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			got <- "bad signature: " + err.Error()
			return
		}
		fmt.Fprint(w, `{"received":true}`)
		got <- r.Header.Get("webhook-id") + " " + string(body)
	}))
	t.Cleanup(rcv.Close)

	a := env.pageAs(t, "ada")
	failOnDialog(t, a).acceptConfirms()
	gotoPath(t, a, "/admin/webhooks")
	if err := expect.Locator(a.GetByTestId("empty")).ToContainText("No endpoint receives decisions yet."); err != nil {
		t.Fatal(err)
	}
	shoot(t, a, "webhooks-empty")
	must(t, a.GetByTestId("endpoint-new-url").Fill(rcv.URL+"/kyc/decisions"))
	if err := expect.Locator(a.GetByTestId("endpoint-new-event-case.decided")).ToBeChecked(); err != nil {
		t.Errorf("case.decided is not offered checked: %v", err)
	}
	if err := expect.Locator(a.GetByTestId("endpoint-new-event-case.received")).Not().ToBeChecked(); err != nil {
		t.Errorf("the opt-in case.received is checked by default: %v", err)
	}
	must(t, a.GetByTestId("endpoint-create").Click())
	s := strings.TrimSpace(mustText(t, a.GetByTestId("endpoint-secret")))
	if !strings.HasPrefix(s, "whsec_") {
		t.Fatalf("shown secret = %q, want whsec_…", s)
	}
	mu.Lock()
	secret = s
	mu.Unlock()
	shoot(t, a, "webhooks-secret")
	must(t, a.GetByTestId("to-endpoint").Click())
	if err := expect.Locator(a.GetByTestId("empty")).ToContainText("Nothing sent yet."); err != nil {
		t.Fatal(err)
	}

	// A reviewer declines a Mark ID case (no second approval): case.decided goes out.
	r := env.pageAs(t, "tomas")
	failOnDialog(t, r).acceptConfirms()
	gotoPath(t, r, env.casePath(t, "volkov"))
	must(t, r.GetByTestId("claim").Click())
	must(t, r.GetByTestId("outcome-decline").Check())
	_, err := r.GetByTestId("reason").SelectOption(playwright.SelectOptionValues{Values: &[]string{"document_forged"}})
	must(t, err)
	must(t, r.GetByTestId("note").Fill("Document number does not match the MRZ."))
	must(t, r.GetByTestId("confirm").Check())
	must(t, r.GetByTestId("record-decision").Click())
	if err := expect.Locator(r.GetByTestId("flash")).ToContainText("Decision recorded."); err != nil {
		t.Fatalf("decision: %v", err)
	}
	var delivery string
	select {
	case delivery = <-got:
	case <-time.After(time.Minute):
		t.Fatal("the receiver got nothing within a minute of the decision")
	}
	id, body, _ := strings.Cut(delivery, " ")
	if !strings.HasPrefix(id, "msg_") || !strings.Contains(body, `"type":"case.decided"`) || !strings.Contains(body, `"decidedBy":"tomas"`) ||
		!strings.Contains(body, `"outcome":"decline"`) || strings.Contains(body, "P-") {
		t.Fatalf("delivery = %s", delivery)
	}
	select {
	case res := <-env.attempts:
		if res != "delivered" {
			t.Fatalf("attempt = %s, want delivered", res)
		}
	case <-time.After(time.Minute):
		t.Fatal("the attempt was not recorded within a minute")
	}

	// The admin sees it in the log.
	must(t, reload(a))
	row := a.GetByTestId("log-message")
	if err := expect.Locator(row).ToHaveCount(1); err != nil {
		t.Fatal(err)
	}
	if err := expect.Locator(row).ToHaveAttribute("data-msg-id", id); err != nil {
		t.Errorf("log row id: %v", err)
	}
	expectContainsAll(t, "log row", row, "case.decided", "delivered", "200", "scheduled")
	shoot(t, a, "webhooks-endpoint")
	gotoPath(t, a, "/admin/webhooks")
	if err := expect.Locator(a.GetByTestId("endpoint-state")).ToHaveText("enabled"); err != nil {
		t.Error(err)
	}
	shoot(t, a, "webhooks-list")
	gotoPath(t, a, "/admin/tokens")
	must(t, a.GetByTestId("token-new-name").Fill("onboarding"))
	must(t, a.GetByTestId("token-create").Click())
	if err := expect.Locator(a.GetByTestId("new-token")).ToContainText("kdt_"); err != nil {
		t.Fatal(err)
	}
	gotoPath(t, a, "/admin/tokens")
	shoot(t, a, "tokens")
}

func reload(p playwright.Page) error {
	_, err := p.Reload()
	return err
}

// shoot saves the page at 1366×768 and 1920×1080 under e2e/artifacts/ when SHOTS=1, for a person
// to look at; the suite does not compare them.
func shoot(t *testing.T, page playwright.Page, name string) {
	t.Helper()
	if os.Getenv("SHOTS") == "" {
		return
	}
	if err := os.MkdirAll(artifactsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, size := range []playwright.Size{{Width: 1366, Height: 768}, {Width: 1920, Height: 1080}} {
		must(t, page.SetViewportSize(size.Width, size.Height))
		path := filepath.Join(artifactsDir, fmt.Sprintf("%s-%d.png", name, size.Width))
		if _, err := page.Screenshot(playwright.PageScreenshotOptions{Path: playwright.String(path)}); err != nil {
			t.Fatal(err)
		}
	}
	must(t, page.SetViewportSize(1366, 768))
}
