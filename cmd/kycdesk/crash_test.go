package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// buildBinary compiles this command for the process tests, with the version set from
// git describe the way the Makefile and the Dockerfile set it.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kycdesk")
	out, err := exec.Command("go", "build", "-ldflags", "-X main.version="+gitDescribe(t), "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// listening finds the address in the "listening" line, in the text or the JSON log format.
var listening = regexp.MustCompile(`"?url"?[=:]"?https?://(127\.0\.0\.1:\d+)`)

// startServer runs `kycdesk serve` and returns its address once it is listening.
func startServer(t *testing.T, bin, data string, extra ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--vcip-token", "crash-token",
		"--markid-secret", "crash-secret", "--media-workers", "1"}, extra...)...)
	cmd.Env = append(os.Environ(), "KYCDESK_SESSION_KEY=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil && !sent {
				addr <- m[1]
				sent = true
			}
		}
	}()
	select {
	case a := <-addr:
		return cmd, a
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("server did not start listening within 60s")
	}
	return nil, ""
}

// vcipBody is a small video-KYC session callback.
func vcipBody(ref string) []byte {
	return webtest.VCIP{SessionID: ref, Name: "Crash Test " + ref, Feedback: "4.5", Country: "IN", IP: "198.51.100.7",
		CallbackParameters: map[string]any{"id": ref}}.Body()
}

// TestCrashLosesNothingAcknowledged runs the real binary under concurrent load, kills it with
// SIGKILL mid-stream, restarts it, and checks that every callback that got a 200 is there.
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	cmd, addr := startServer(t, bin, data)

	const senders, killAfter = 16, 400
	var (
		mu      sync.Mutex
		acked   = map[string]int64{}
		fivexx  atomic.Int64
		count   atomic.Int64
		wg      sync.WaitGroup
		stopped = make(chan struct{})
	)
	client := &http.Client{Timeout: 10 * time.Second}
	for s := 0; s < senders; s++ {
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stopped:
					return
				default:
				}
				ref := fmt.Sprintf("crash-%02d-%05d", s, i)
				req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/webhooks/vcip", bytes.NewReader(vcipBody(ref)))
				req.Header.Set("Authorization", "Bearer crash-token")
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone: not acknowledged, so not our promise
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				switch {
				case resp.StatusCode == http.StatusOK:
					mu.Lock()
					acked[ref] = 1
					mu.Unlock()
					if count.Add(1) == killAfter {
						cmd.Process.Signal(syscall.SIGKILL)
					}
				case resp.StatusCode >= 500:
					fivexx.Add(1)
				}
				if i > 100000 {
					return
				}
			}
		}(s)
	}
	wg.Wait()
	close(stopped)
	cmd.Wait()
	if n := fivexx.Load(); n > 0 {
		t.Errorf("%d callbacks got a 5xx before the crash; want none", n)
	}
	if len(acked) < killAfter {
		t.Fatalf("only %d callbacks acknowledged before the kill; want at least %d", len(acked), killAfter)
	}

	// Restart on the same data: it must open cleanly after the crash and accept more.
	cmd2, addr2 := startServer(t, bin, data)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr2+"/webhooks/vcip", bytes.NewReader(vcipBody("after-restart")))
	req.Header.Set("Authorization", "Bearer crash-token")
	resp, err := client.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("callback after restart: %v %v", resp, err)
	}
	resp.Body.Close()
	cmd2.Process.Signal(syscall.SIGTERM)
	if err := cmd2.Wait(); err != nil {
		t.Errorf("graceful stop after SIGTERM: %v", err)
	}

	db, err := store.Open(context.Background(), filepath.Join(data, "kycdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	present := map[string]bool{}
	err = db.StreamCases(context.Background(), func(r store.CaseRow) error {
		present[r.Ref] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for ref := range acked {
		if !present[ref] {
			missing++
			if missing < 5 {
				t.Errorf("acknowledged callback %s is missing after kill -9", ref)
			}
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged callbacks lost", missing, len(acked))
	}
	if !present["after-restart"] {
		t.Error("the callback sent after the restart is missing")
	}
	t.Logf("%d acknowledged before SIGKILL, all present after restart", len(acked))
}
