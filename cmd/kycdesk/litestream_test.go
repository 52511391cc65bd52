package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// documentedRPO is the recovery point README promises under docs/litestream.yml (sync-interval
// 1s): a callback or decision acknowledged longer ago than this before the primary dies is in
// the replica.
const documentedRPO = 5 * time.Second

// litestreamBinary finds the litestream command that `make deps` builds, or skips (fails under
// `make test`, which sets KYCDESK_REQUIRE_TOOLS after building it).
func litestreamBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("KYCDESK_LITESTREAM"); p != "" {
		return p
	}
	dir := os.Getenv("KYCDESK_TOOLS")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache", "kycdesk-tools")
	}
	if p := filepath.Join(dir, "litestream"); fileExists(p) {
		return p
	}
	if p, err := exec.LookPath("litestream"); err == nil {
		return p
	}
	if os.Getenv("KYCDESK_REQUIRE_TOOLS") != "" {
		t.Fatalf("litestream is not in %s: `make deps` (scripts/install-tools.sh) builds it", dir)
	}
	t.Skip("litestream not built; `make deps` builds it into ~/.cache/kycdesk-tools")
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// acks records when each thing was acknowledged.
type acks struct {
	mu sync.Mutex
	at map[string]time.Time
}

func (a *acks) add(key string, t time.Time) {
	a.mu.Lock()
	a.at[key] = t
	a.mu.Unlock()
}

func (a *acks) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.at)
}

func (a *acks) snapshot() map[string]time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[string]time.Time, len(a.at))
	for k, v := range a.at {
		out[k] = v
	}
	return out
}

var (
	seenInput = regexp.MustCompile(`name="seen" value="([^"]*)"`)
	caseIDURL = regexp.MustCompile(`^/cases/(\d+)$`)
)

// decideNext claims the next case and records an allow decision on it, as a reviewer clicks it;
// it returns the case ID, or 0 when there was nothing to claim.
func decideNext(client *http.Client, base string) (int64, error) {
	resp, err := client.Get(base + "/cases")
	if err != nil {
		return 0, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindSubmatch(body)
	if m == nil {
		return 0, fmt.Errorf("no CSRF token on the queue")
	}
	csrf := string(m[1])
	resp, err = client.PostForm(base+"/cases/claim-next", url.Values{"_csrf": {csrf}})
	if err != nil {
		return 0, err
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	cm := caseIDURL.FindStringSubmatch(resp.Request.URL.Path)
	if cm == nil {
		return 0, nil
	}
	var id int64
	fmt.Sscan(cm[1], &id)
	seen := seenInput.FindSubmatch(body)
	if seen == nil {
		return 0, fmt.Errorf("case %d has no decision form", id)
	}
	resp, err = client.PostForm(fmt.Sprintf("%s/cases/%d/decision", base, id), url.Values{"_csrf": {csrf}, "seen": {string(seen[1])},
		// A decline: the load's sessions name no recording, and an allow needs it archived.
		"outcome": {"decline"}, "reason": {"recording_unavailable"}, "note": {"no recording"}, "confirm": {"1"}})
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return 0, fmt.Errorf("decision on case %d: status %d", id, resp.StatusCode)
	}
	return id, nil
}

// TestLitestreamKillAndRestore runs `kycdesk serve` under `litestream replicate -exec` with
// docs/litestream.yml and a file replica, takes callbacks from eight senders and decisions from
// a reviewer, SIGKILLs both processes, restores with `litestream restore` into a new directory
// and starts the desk on it. Every callback and decision acknowledged more than documentedRPO
// before the kill must be there and the audit chain must verify. It reports the measured lag
// (how long before the kill the oldest lost acknowledgement was) and the time to recover.
func TestLitestreamKillAndRestore(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs Litestream")
	}
	ls := litestreamBinary(t)
	bin := buildBinary(t)
	config, err := filepath.Abs("../../docs/litestream.yml")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	data, replica := filepath.Join(root, "data"), filepath.Join(root, "replica")
	const password = "litestream-reviewer-pw-0123"
	if out, err := runCLI(t, bin, password+"\n", "user", "add", "--data", data, "--username", "rev", "--role", "reviewer", "--password-stdin"); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	env := []string{"KYCDESK_DATA=" + data, "KYCDESK_REPLICA=" + replica, "LITESTREAM_METRICS_ADDR=",
		"KYCDESK_ADDR=127.0.0.1:0", "KYCDESK_VCIP_TOKEN=ls-token", "KYCDESK_FOUR_EYES=false", "KYCDESK_MEDIA_WORKERS=1"}
	primary := startProcess(t, env, ls, "replicate", "-config", config, "-exec", bin+" serve")
	if primary.pid == 0 || primary.pid == primary.cmd.Process.Pid {
		t.Fatalf("kycdesk serve pid %d under litestream pid %d: want the child's own", primary.pid, primary.cmd.Process.Pid)
	}
	t.Cleanup(func() { syscall.Kill(primary.pid, syscall.SIGKILL) })
	base := "http://" + primary.addr

	callbacks, decisions := &acks{at: map[string]time.Time{}}, &acks{at: map[string]time.Time{}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for s := 0; s < 8; s++ {
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				ref := fmt.Sprintf("ls-%d-%06d", s, i)
				req, _ := http.NewRequest(http.MethodPost, base+"/webhooks/vcip", bytes.NewReader(vcipBody(ref)))
				req.Header.Set("Authorization", "Bearer ls-token")
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				resp.Body.Close()
				if resp.StatusCode == 200 {
					callbacks.add(ref, time.Now())
				}
			}
		}(s)
	}
	rev := newJarClient()
	if !signIn(t, rev, base, "rev", password) {
		t.Fatal("the reviewer cannot sign in")
	}
	enough := make(chan struct{})
	decided := enough
	wg.Add(1)
	go func() {
		defer wg.Done()
		n := 0
		for {
			select {
			case <-stop:
				return
			default:
			}
			id, err := decideNext(rev, base)
			if err != nil {
				select {
				case <-stop: // the server was killed mid-request
				default:
					t.Errorf("reviewer: %v", err)
				}
				return
			}
			if id != 0 {
				decisions.add(fmt.Sprint(id), time.Now())
				n++
			}
			if n >= 40 && callbacks.count() >= 3000 && decided != nil {
				close(decided)
				decided = nil
			}
		}
	}()
	// Run until 3,000 callbacks and 40 decisions were acknowledged.
	began := time.Now()
	select {
	case <-enough:
	case <-time.After(3 * time.Minute):
		t.Fatalf("in 3 minutes only %d callbacks and %d decisions", callbacks.count(), decisions.count())
	}

	// The machine dies: both processes at once.
	killedAt := time.Now()
	primary.cmd.Process.Signal(syscall.SIGKILL)
	syscall.Kill(primary.pid, syscall.SIGKILL)
	close(stop)
	wg.Wait()
	primary.cmd.Wait()
	cbs, decs := callbacks.snapshot(), decisions.snapshot()

	// Recovery: restore into a new directory and start there.
	restoreStart := time.Now()
	restored := filepath.Join(root, "restored")
	if err := os.MkdirAll(restored, 0o700); err != nil {
		t.Fatal(err)
	}
	// Both files the configuration replicates: the database, and the inbox the callbacks commit to.
	for _, name := range []string{"kycdesk.db", "kycdesk.inbox.db"} {
		rcmd := exec.Command(ls, "restore", "-config", config, "-o", filepath.Join(restored, name), filepath.Join(data, name))
		rcmd.Env = append(os.Environ(), env...)
		if out, err := rcmd.CombinedOutput(); err != nil {
			t.Fatalf("litestream restore %s: %v\n%s", name, err, out)
		}
	}
	standby := startServe(t, bin, []string{"KYCDESK_VCIP_TOKEN=ls-token"}, "--data", restored)
	resp, err := http.Get("http://" + standby.addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	readyBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	rto := time.Since(restoreStart)
	var dbSize int64
	if st, err := os.Stat(filepath.Join(restored, "kycdesk.db")); err == nil {
		dbSize = st.Size()
	}
	if resp.StatusCode != 200 {
		t.Errorf("/readyz on the restored desk = %d %s", resp.StatusCode, readyBody)
	}
	standby.stop()
	if out, err := runCLI(t, bin, "", "audit", "verify", "--data", restored); err != nil {
		t.Errorf("audit verify on the restored data: %v\n%s", err, out)
	}

	present := refsIn(t, restored)
	decidedIDs := map[string]bool{}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(restored, "kycdesk.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT case_id FROM decisions`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		decidedIDs[fmt.Sprint(id)] = true
	}
	rows.Close()
	db.Close()

	// lag: how long before the kill the oldest lost acknowledgement was made.
	var lag time.Duration
	var lost []string
	check := func(what string, acked map[string]time.Time, have map[string]bool) int {
		n := 0
		for key, at := range acked {
			if have[key] {
				continue
			}
			n++
			if d := killedAt.Sub(at); d > lag {
				lag = d
			}
			if killedAt.Sub(at) > documentedRPO {
				lost = append(lost, fmt.Sprintf("%s %s acknowledged %s before the kill", what, key, killedAt.Sub(at).Round(time.Millisecond)))
			}
		}
		return n
	}
	lostCallbacks := check("callback", cbs, present)
	lostDecisions := check("decision on case", decs, decidedIDs)
	sort.Strings(lost)
	if len(lost) > 0 {
		t.Errorf("%d acknowledgements older than the documented %s are missing after the restore, e.g.:\n%s",
			len(lost), documentedRPO, strings.Join(lost[:min(5, len(lost))], "\n"))
	}
	if len(cbs) < 500 || len(decs) < 40 {
		t.Errorf("only %d callbacks and %d decisions acknowledged; the test needs real traffic", len(cbs), len(decs))
	}
	t.Logf("Litestream kill-and-restore: %d callbacks and %d decisions acknowledged in %s; after SIGKILL and restore %d callbacks and %d decisions were missing, "+
		"the oldest acknowledged %s before the kill (measured lag; documented bound %s); restore of the %s database to a ready desk took %s (RTO)",
		len(cbs), len(decs), killedAt.Sub(began).Round(time.Millisecond), lostCallbacks, lostDecisions, lag.Round(time.Millisecond), documentedRPO,
		sizeText(dbSize), rto.Round(time.Millisecond))
}
