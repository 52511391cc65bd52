package web

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/web/webtest"
)

// rssBytes is the process's resident set from /proc/self/status.
func rssBytes(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	t.Skip("no VmRSS in /proc/self/status")
	return 0
}

// heldBody is a request body that sends all but its last byte, then waits at a gate until every
// upload of the burst is in flight, so that the server holds whatever it reads of them at once.
type heldBody struct {
	data    []byte
	off     int
	arrive  func()
	gate    <-chan struct{}
	waiting bool
}

// Read sends the body; before the last byte it reports arriving and waits for the gate.
func (b *heldBody) Read(p []byte) (int, error) {
	if b.off == len(b.data) {
		return 0, io.EOF
	}
	if b.off == len(b.data)-1 && !b.waiting {
		b.waiting = true
		b.arrive()
		<-b.gate
	}
	end := min(len(b.data)-1, b.off+len(p))
	if b.waiting {
		end = len(b.data)
	}
	n := copy(p, b.data[b.off:end])
	b.off += n
	return n, nil
}

// TestUnauthenticatedUploadsBoundMemory is the pen test's flood: 200 parallel unauthenticated
// 1 MiB webhook bodies grew the server by about 400 MB, because every body was read whole before
// anyone was authenticated. All 200 are held in flight together here, and the resident set is
// read at that moment. A wrong bearer token and a malformed signature are refused unread; only
// the well-formed (wrong) signatures are read, at most MaxWebhookBodies at once.
func TestUnauthenticatedUploadsBoundMemory(t *testing.T) {
	ta := newTestApp(t)
	data := bytes.Repeat([]byte("x"), 1<<20) // shared by every request: the client adds nothing
	kinds := []struct{ path, header, value string }{
		{"/webhooks/vcip", "Authorization", "Bearer wrong-token"},
		{"/webhooks/vcip", "", ""},
		{"/webhooks/markid", "Idenfy-Signature", "not-hex"},
		{"/webhooks/vcip", "Authorization", "Bearer another-wrong-token"},
		{"/webhooks/markid", "Idenfy-Signature", strings.Repeat("ab", 32)}, // well-formed, wrong
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 200}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 2 * time.Minute}
	const uploads = 200
	runtime.GC()
	before := rssBytes(t)
	gate := make(chan struct{})
	var mu sync.Mutex
	left, during := uploads, int64(0)
	arrive := func() { // an upload is in flight to its last byte, or already answered
		mu.Lock()
		defer mu.Unlock()
		if left--; left == 0 {
			during = rssBytes(t)
			close(gate)
		}
	}
	statuses := make([]int, uploads)
	var wg sync.WaitGroup
	for i := range uploads {
		wg.Go(func() {
			k := kinds[i%len(kinds)]
			arrived := sync.OnceFunc(arrive)
			body := &heldBody{data: data, arrive: arrived, gate: gate}
			req, _ := http.NewRequest(http.MethodPost, ta.url+k.path, body)
			req.ContentLength = int64(len(data))
			if k.header != "" {
				req.Header.Set(k.header, k.value)
			}
			resp, err := hc.Do(req)
			arrived()
			if err != nil {
				return // the server may close a connection whose body it refused unread
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	wg.Wait()
	grown := during - before
	t.Logf("RSS grew by %d MiB with %d unauthenticated 1 MiB uploads in flight", grown>>20, uploads)
	for i, s := range statuses {
		if s != 0 && s != http.StatusUnauthorized && s != http.StatusServiceUnavailable {
			t.Fatalf("upload %d answered %d, want 401 (or 503 when busy)", i, s)
		}
	}
	// 40 bodies are read, 1 MiB each; the race detector shadows what is written. Reading all
	// 200 costs 200 MiB and more.
	limit := int64(100 << 20)
	if raceEnabled {
		limit = 400 << 20
	}
	if grown > limit {
		t.Fatalf("RSS grew by %d MiB, want at most %d MiB", grown>>20, limit>>20)
	}
}

// TestVCIPTokenCheckedBeforeBody: a wrong bearer token is refused while the body is still on its
// way, so an unauthenticated sender cannot make the server hold its body.
func TestVCIPTokenCheckedBeforeBody(t *testing.T) {
	ta := newTestApp(t)
	pr, pw := io.Pipe()
	defer pw.Close() // the body never ends until the test does
	req, _ := http.NewRequest(http.MethodPost, ta.url+"/webhooks/vcip", pr)
	req.Header.Set("Authorization", "Bearer wrong-token")
	req.ContentLength = 1 << 20
	go pw.Write([]byte(`{"data":`)) // a first few bytes, then nothing
	// Only so that a regression fails instead of hanging: a server that reads first gets an error.
	guard := time.AfterFunc(20*time.Second, func() { pw.CloseWithError(io.ErrUnexpectedEOF) })
	defer guard.Stop()
	hc := &http.Client{}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("POST with a wrong token and an unfinished body: %v (the server waited for the body)", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status = %d, want 401", resp.StatusCode)
	}
}

// TestWebhookBodiesInFlightCapped: with every body slot held by a slow sender, the next callback
// is told to retry (503 with Retry-After) instead of being read; once the slow ones finish,
// callbacks are taken again.
func TestWebhookBodiesInFlightCapped(t *testing.T) {
	ta := newTestApp(t, withConfig(func(c *Config) { c.MaxWebhookBodies = 2 }))
	body := webtest.VCIP{SessionID: "slow-1", Name: "SLOW SENDER"}.Body()
	var writers []*io.PipeWriter
	results := make(chan int, 2)
	for i := range 2 {
		pr, pw := io.Pipe()
		writers = append(writers, pw)
		req, _ := http.NewRequest(http.MethodPost, ta.url+"/webhooks/vcip", pr)
		req.Header.Set("Authorization", "Bearer "+testVCIPToken)
		req.ContentLength = int64(len(body))
		go func() {
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Errorf("slow sender %d: %v", i, err)
				results <- 0
				return
			}
			resp.Body.Close()
			results <- resp.StatusCode
		}()
		go pw.Write(body[:10])
	}
	// Wait until both slow senders hold a slot.
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for len(ta.app.bodySlots) < 2 {
		<-tick.C
	}
	req, _ := http.NewRequest(http.MethodPost, ta.url+"/webhooks/vcip", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testVCIPToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("third callback = %d (Retry-After %q), want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	for _, pw := range writers {
		go func() { pw.Write(body[10:]); pw.Close() }()
	}
	for range 2 {
		if s := <-results; s != http.StatusOK {
			t.Fatalf("slow sender answered %d, want 200", s)
		}
	}
	ta.postVCIP(t, webtest.VCIP{SessionID: "after", Name: "AFTER"}.Body())
}

// TestConnectionsPerClientCapped: a client address holding the most connections allowed gets
// its next one closed at once; closing one makes room again.
func TestConnectionsPerClientCapped(t *testing.T) {
	ta := newTestApp(t, withConfig(func(c *Config) { c.MaxConnsPerIP = 3 }))
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- ta.app.Serve(ctx, &http.Server{Addr: "127.0.0.1:0"}, func(a string) { addr <- a }) }()
	t.Cleanup(func() { cancel(); <-done })
	url := <-addr
	ask := func(conn net.Conn) error {
		if _, err := fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return err
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}
	var open []net.Conn
	for i := range 3 {
		conn, err := net.Dial("tcp", url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if err := ask(conn); err != nil {
			t.Fatalf("connection %d: %v", i+1, err)
		}
		open = append(open, conn)
	}
	extra, err := net.Dial("tcp", url)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	if err := ask(extra); err == nil {
		t.Fatalf("a 4th connection from the same address was served, want it closed")
	}
	open[0].Close()
	// The server notices the close asynchronously: keep trying until a new connection is served.
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		conn, err := net.Dial("tcp", url)
		if err != nil {
			t.Fatal(err)
		}
		err = ask(conn)
		conn.Close()
		if err == nil {
			break
		}
		<-tick.C
	}
}
