package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// gitDescribe is the version the Makefile stamps: git describe of this work tree, or "dev".
func gitDescribe(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "describe", "--always", "--dirty").Output()
	if err != nil {
		return "dev"
	}
	return strings.TrimSpace(string(out))
}

// server is a running `kycdesk serve` (or a program that runs it) whose log the test reads.
type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	addr string
	pid  int // of kycdesk serve itself, from its listening line (differs under litestream -exec)

	mu    sync.Mutex
	lines []string
	grew  chan struct{} // closed and replaced whenever a line arrives
	done  chan struct{} // closed when stderr ends
}

var listeningPID = regexp.MustCompile(`"?pid"?[=:](\d+)`)

// startProcess runs name with args (and extra environment) and waits for kycdesk's listening line.
func startProcess(t *testing.T, env []string, name string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(append(os.Environ(), "KYCDESK_SESSION_KEY="), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = cmd.Stderr
	s := &server{t: t, cmd: cmd, grew: make(chan struct{}), done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			s.mu.Lock()
			s.lines = append(s.lines, sc.Text())
			close(s.grew)
			s.grew = make(chan struct{})
			s.mu.Unlock()
		}
	}()
	line := s.waitFor("KYC Desk is listening", 90*time.Second)
	m := listening.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("no address in %q", line)
	}
	s.addr = m[1]
	if p := listeningPID.FindStringSubmatch(line); p != nil {
		s.pid, _ = strconv.Atoi(p[1])
	}
	return s
}

// startServe runs `kycdesk serve` on a free loopback port.
func startServe(t *testing.T, bin string, env []string, args ...string) *server {
	t.Helper()
	return startProcess(t, env, bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
}

// waitFor returns the first log line containing substr, waiting for it to be written; it fails
// the test if the process ends or the time limit passes first.
func (s *server) waitFor(substr string, limit time.Duration) string {
	s.t.Helper()
	return s.waitForAfter(0, substr, limit)
}

// waitForAfter is waitFor over the lines from index from on.
func (s *server) waitForAfter(from int, substr string, limit time.Duration) string {
	s.t.Helper()
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		for _, l := range s.lines[min(from, len(s.lines)):] {
			if strings.Contains(l, substr) {
				s.mu.Unlock()
				return l
			}
		}
		grew := s.grew
		s.mu.Unlock()
		select {
		case <-grew:
		case <-s.done:
			s.mu.Lock()
			for _, l := range s.lines[min(from, len(s.lines)):] {
				if strings.Contains(l, substr) {
					s.mu.Unlock()
					return l
				}
			}
			s.mu.Unlock()
			s.t.Fatalf("process ended before logging %q; log:\n%s", substr, s.log())
		case <-deadline.C:
			s.t.Fatalf("no %q in the log within %s; log:\n%s", substr, limit, s.log())
		}
	}
}

// mark is the number of log lines so far, for waitForAfter.
func (s *server) mark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lines)
}

// log is everything logged so far.
func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.lines, "\n")
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() {
	s.t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	if err := s.cmd.Wait(); err != nil {
		s.t.Errorf("graceful stop: %v\n%s", err, s.log())
	}
	<-s.done
}

// runCLI runs the binary to completion and returns its combined output.
func runCLI(t *testing.T, bin string, stdin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}
