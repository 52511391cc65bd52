package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// deriveCustomer is what one sender told the desk about one scanRef: an automatic SUSPECTED
// result, then (after its 200) the manual review's final DENIED. acked counts the 200s.
type deriveCustomer struct {
	ref   string
	acked int
}

// markIDPair is the automatic then the final callback for one scanRef.
func markIDPair(ref string) [2][]byte {
	auto := webtest.MarkID{ScanRef: ref, ClientID: "c-" + ref, Overall: "SUSPECTED", AutoDoc: "DOC_VALIDATED", AutoFace: "FACE_MATCH",
		Fraud: []string{"FACE_IN_BLACKLIST"}, First: "ANNA", Last: "KOVALENKO", DocNumber: "FT1234567", DocType: "PASSPORT",
		DocCountry: "UA", IP: "203.0.113.9", IPCountry: "AE",
		Files: map[string]string{"FRONT": "http://127.0.0.1:9/" + ref + "/front.png"}}
	final := auto
	final.Final, final.Overall, final.ManualDoc, final.ManualFace = true, "DENIED", "DOC_VALIDATED", "FACE_MISMATCH"
	return [2][]byte{auto.Body(), final.Body()}
}

// scrapeBacklog reads kycdesk_ingest_backlog from /metrics; ok is false when it cannot.
func scrapeBacklog(client *http.Client, addr string) (int, bool) {
	resp, err := client.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "kycdesk_ingest_backlog "); ok {
			n, err := strconv.ParseFloat(v, 64)
			return int(n), err == nil
		}
	}
	return 0, false
}

// waitBacklogEmpty polls the server's /metrics until no acknowledged callback is waiting for its
// case: the 200 promises the bytes are on disk, and the case follows. It fails after two minutes.
func waitBacklogEmpty(t *testing.T, client *http.Client, addr string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		n, ok := scrapeBacklog(client, addr)
		if ok && n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the ingest backlog is still %d after two minutes (readable: %t)", n, ok)
		}
		time.Sleep(20 * time.Millisecond) // between polls of the observable state, not as a wait for it
	}
}

// TestDerivationResumesAfterKill runs the real binary under load from 32 senders, each sending a
// scanRef's automatic result and then, once that is acknowledged, its final DENIED; it kills the
// process with SIGKILL mid-stream and checks, in the database the dead process left, that some
// acknowledged callbacks had not reached their case yet. It then restarts the binary and, while it
// runs (no graceful stop, which would drain the backlog itself), polls /metrics until the backlog
// is empty and checks that every acknowledged callback is on its case, in order: a case whose
// final callback was acknowledged shows DENIED, final, with both deliveries.
func TestDerivationResumesAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	client := &http.Client{Timeout: 10 * time.Second}
	post := func(addr string, body []byte) bool {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/webhooks/markid", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idenfy-Signature", webtest.MarkIDSignature(body, "crash-secret"))
		resp, err := client.Do(req)
		if err != nil {
			return false
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}

	var (
		mu        sync.Mutex
		customers []*deriveCustomer
	)
	backlogAtKill := 0
	// A kill that happens to land while the deriver has caught up proves nothing about resuming,
	// so the stream is repeated (on the same data) until one leaves a backlog behind.
	for round := 0; round < 5 && backlogAtKill == 0; round++ {
		cmd, addr := startServer(t, bin, data)
		const senders, killAfter = 32, 1500
		var (
			count atomic.Int64
			wg    sync.WaitGroup
		)
		for s := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 100000; i++ {
					c := &deriveCustomer{ref: fmt.Sprintf("resume-%d-%02d-%05d", round, s, i)}
					pair := markIDPair(c.ref)
					for _, body := range pair {
						if !post(addr, body) {
							break
						}
						c.acked++
						if count.Add(1) == killAfter {
							cmd.Process.Signal(syscall.SIGKILL)
						}
					}
					mu.Lock()
					customers = append(customers, c)
					mu.Unlock()
					if c.acked < 2 {
						return // the server is gone
					}
				}
			}()
		}
		wg.Wait()
		cmd.Wait()
		if n := count.Load(); n < killAfter {
			t.Fatalf("round %d: only %d callbacks acknowledged before the kill; want at least %d", round, n, killAfter)
		}
		db, err := store.Open(context.Background(), filepath.Join(data, "kycdesk.db"))
		if err != nil {
			t.Fatal(err)
		}
		b, err := db.DeriveBacklog(context.Background())
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		backlogAtKill = b.Count
		t.Logf("round %d: %d acknowledged, %d of them not yet on their case at the kill", round, count.Load(), b.Count)
	}
	if backlogAtKill == 0 {
		t.Fatal("in 5 rounds no kill landed between an acknowledgement and its derivation")
	}

	cmd, addr := startServer(t, bin, data)
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	waitBacklogEmpty(t, client, addr)

	db, err := store.Open(context.Background(), filepath.Join(data, "kycdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cases := map[string]store.CaseRow{}
	if err := db.StreamCases(context.Background(), func(r store.CaseRow) error {
		cases[r.Ref] = r
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for _, c := range customers {
		if c.acked == 0 {
			continue
		}
		got, ok := cases[c.ref]
		switch {
		case !ok:
			t.Errorf("%s: acknowledged %d callback(s), but there is no case", c.ref, c.acked)
		case c.acked == 2 && (!got.Final || got.Overall != "DENIED" || got.Deliveries != 2):
			t.Errorf("%s: both callbacks acknowledged; case shows %s final=%t with %d deliveries, want DENIED final=true with 2",
				c.ref, got.Overall, got.Final, got.Deliveries)
		case c.acked == 1 && got.Deliveries < 1:
			t.Errorf("%s: the automatic callback was acknowledged; the case has %d deliveries", c.ref, got.Deliveries)
		default:
			continue
		}
		if bad++; bad >= 5 {
			t.Fatal("more than 5 acknowledged callbacks are missing from their case")
		}
	}
}
