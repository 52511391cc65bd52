package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

var (
	csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	seenField = regexp.MustCompile(`name="seen" value="([^"]*)"`)
)

// cli runs the built binary and returns its standard output.
func cli(t *testing.T, bin, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("kycdesk %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// browser is a signed-in reviewer driving the real pages over HTTP.
type browser struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func (b *browser) do(method, path string, form url.Values) string {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		if form.Get("_csrf") == "" {
			form.Set("_csrf", b.csrf)
		}
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("%s %s = %d", method, path, resp.StatusCode)
	}
	if m := csrfField.FindSubmatch(page); m != nil {
		b.csrf = string(m[1])
	}
	return resp.Request.URL.Path + "\n" + string(page)
}

// TestWebhookSurvivesKillWithReceiverDown: decisions are made while the bank's receiver is down,
// the desk is killed with SIGKILL, then both come back: every decision's event arrives, validly
// signed (checked with the Standard Webhooks library), and no event arrives that the outbox does
// not hold.
func TestWebhookSurvivesKillWithReceiverDown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	// The receiver's address, with nothing listening on it yet.
	rcvAddr := webtest.UnusedAddr(t)

	out := cli(t, bin, "", "endpoint", "add", "--data", data, "--url", "http://"+rcvAddr+"/hook", "--events", "case.decided")
	var secret string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "whsec_") {
			if secret != "" {
				t.Fatalf("endpoint add printed two lines starting with whsec_:\n%s", out)
			}
			secret = line
		}
	}
	if secret == "" {
		t.Fatalf("endpoint add printed no secret:\n%s", out)
	}
	const password = "pw-rev-0123456789-crash"
	cli(t, bin, password+"\n", "user", "add", "--data", data, "--username", "rev", "--role", "reviewer", "--password-stdin")

	cmd, addr := startServer(t, bin, data, "--four-eyes=false", "--outbound-allow-hosts", "127.0.0.1")
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: "http://" + addr, http: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	b.do(http.MethodGet, "/login", nil)
	b.do(http.MethodPost, "/login", url.Values{"username": {"rev"}, "password": {password}})
	const decisions = 4
	client := &http.Client{Timeout: 10 * time.Second}
	for i := range decisions {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/webhooks/vcip", bytes.NewReader(vcipBody(fmt.Sprintf("kill-%d", i))))
		req.Header.Set("Authorization", "Bearer crash-token")
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("callback: %v %v", resp, err)
		}
		resp.Body.Close()
		waitBacklogEmpty(t, client, addr)
		page := b.do(http.MethodPost, "/cases/claim-next", url.Values{})
		casePath, html, _ := strings.Cut(page, "\n")
		seen := ""
		if m := seenField.FindStringSubmatch(html); m != nil {
			seen = m[1]
		}
		// A decline: these sessions name no recording, and an allow needs it archived.
		b.do(http.MethodPost, casePath+"/decision", url.Values{"outcome": {"decline"}, "reason": {"recording_unavailable"},
			"note": {"checked on the call"}, "confirm": {"1"}, "seen": {seen}})
	}
	// Every decision is acknowledged; the receiver is down. Kill the desk.
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	type delivery struct {
		id  string
		err error
	}
	got := make(chan delivery, 100)
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	rcv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- delivery{id: r.Header.Get("webhook-id"), err: wh.Verify(body, r.Header)}
	})}
	ln, err := net.Listen("tcp", rcvAddr)
	if err != nil {
		t.Fatalf("the receiver cannot listen on %s again: %v", rcvAddr, err)
	}
	go rcv.Serve(ln)
	defer rcv.Close()

	cmd2, _ := startServer(t, bin, data, "--four-eyes=false", "--outbound-allow-hosts", "127.0.0.1")
	ids := map[string]bool{}
	deadline := time.After(2 * time.Minute)
	for len(ids) < decisions {
		select {
		case d := <-got:
			if d.err != nil {
				t.Errorf("delivery %s does not verify: %v", d.id, d.err)
			}
			ids[d.id] = true
		case <-deadline:
			t.Fatalf("after the restart the receiver got %d of %d events", len(ids), decisions)
		}
	}
	cmd2.Process.Signal(syscall.SIGTERM)
	if err := cmd2.Wait(); err != nil {
		t.Errorf("graceful stop: %v", err)
	}
	// Drain anything sent before the stop: repeats of a known id are allowed (at least once),
	// an unknown id is not.
drain:
	for {
		select {
		case d := <-got:
			ids[d.id] = true
		default:
			break drain
		}
	}
	db, err := store.Open(context.Background(), filepath.Join(data, "kycdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	events, err := db.DecidedEvents(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	inOutbox := map[string]bool{}
	for _, e := range events {
		inOutbox[e.MsgID] = true
		if !ids[e.MsgID] {
			t.Errorf("event %s (%s) never reached the receiver", e.MsgID, e.Data.Ref)
		}
	}
	for id := range ids {
		if !inOutbox[id] {
			t.Errorf("the receiver got %s, which is not in the outbox: an invented event", id)
		}
	}
	if len(events) != decisions {
		t.Errorf("the outbox holds %d case.decided events, want %d", len(events), decisions)
	}
}
