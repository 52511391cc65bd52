package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// writeKeyFile writes the keys (first seals) to path as `kycdesk key new` does, and returns them.
func writeKeyFile(t *testing.T, path string, keys ...string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(keys, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func randomKeyHex() string {
	raw := make([]byte, store.DataKeySize)
	rand.Read(raw)
	return hex.EncodeToString(raw)
}

// TestEncryptionAtRestAndRotation: with a data key the raw callback and the media file on disk
// are not their plaintext; the case page and Range requests across 64 KiB segment boundaries read
// them; a rotation to a new key runs while the server answers Range requests (every answer right);
// then the old key can go; a desk given another key refuses to start, saying why.
func TestEncryptionAtRestAndRotation(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "data.key")
	k1, k2 := randomKeyHex(), randomKeyHex()
	writeKeyFile(t, keyFile, k1)
	ta := newTestApp(t, withDataKeyFile(keyFile))
	ctx := context.Background()
	const canary = "RAW-ONLY-CANARY-7731"
	m := webtest.MarkID{ScanRef: "enc-1", First: "ANNA", Last: "K", Overall: store.StatusSuspected,
		Files: map[string]string{"FACE_VIDEO": "https://media.test/v.webm"}, Top: map[string]any{"vendorNote": canary}}
	if r := ta.postMarkID(t, m.Body()); r.Status != http.StatusOK {
		t.Fatalf("webhook = %d", r.Status)
	}
	id := ta.caseIDByRef(t, store.SourceMarkID, "enc-1")
	media, _ := ta.db.CaseMedia(ctx, id)
	video := make([]byte, 10*store.CryptSegment+123)
	rand.Read(video)
	copy(video, "\x1a\x45\xdf\xa3"+canary)
	sha, size, err := ta.app.blobs.Put(bytes.NewReader(video), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := ta.db.MediaArchived(ctx, media[0].ID, sha, size, "video/webm"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"kycdesk.db", "kycdesk.db-wal", filepath.Join("media", sha[:2], sha[2:4], sha)} {
		b, err := os.ReadFile(filepath.Join(ta.cfg.DataDir, f))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(canary)) {
			t.Errorf("%s holds the plaintext", f)
		}
	}

	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	if !strings.Contains(rev.get(fmt.Sprintf("/cases/%d", id)).Body, canary) {
		t.Errorf("the case page does not show the decrypted raw callback")
	}
	get := func(from, to int) error {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/media/%d", ta.url, media[0].ID), nil)
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", from, to))
		resp, err := rev.http.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(b, video[from:to+1]) {
			return fmt.Errorf("bytes=%d-%d: %d, %d bytes (want %d, right bytes %v)", from, to, resp.StatusCode, len(b), to-from+1,
				bytes.Equal(b, video[from:min(to+1, from+len(b))]))
		}
		return nil
	}
	for _, r := range [][2]int{{0, 99}, {store.CryptSegment - 10, store.CryptSegment + 10},
		{2*store.CryptSegment - 1, 4*store.CryptSegment + 1}, {7, 9*store.CryptSegment + 3}, {len(video) - 200, len(video) - 1}} {
		if err := get(r[0], r[1]); err != nil {
			t.Error(err)
		}
	}

	// Rotation: k2 first, k1 still listed; `kycdesk key rotate` runs as another process would,
	// with its own connection, while readers keep asking for ranges.
	writeKeyFile(t, keyFile, k2, k1)
	var stop atomic.Bool
	var wg sync.WaitGroup
	var failures atomic.Int64
	var served atomic.Int64
	for range 4 {
		wg.Go(func() {
			for i := 0; !stop.Load() || i < 3; i++ {
				from := (i * 7919) % (len(video) - 70000)
				if err := get(from, from+70000); err != nil {
					failures.Add(1)
					t.Error("during rotation:", err)
					return
				}
				served.Add(1)
			}
		})
	}
	other, err := store.Open(ctx, filepath.Join(ta.cfg.DataDir, "kycdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ring, err := store.LoadKeyring(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	other.SetDataKeys(ring)
	pb, err := other.RotateBodies(ctx, func(store.RotationProgress) {})
	if err != nil || pb.Resealed != 1 {
		t.Fatalf("RotateBodies = %+v, %v", pb, err)
	}
	pm, err := (&store.Blobs{Dir: filepath.Join(ta.cfg.DataDir, "media"), Keys: ring}).Rotate(ctx, func(store.RotationProgress) {})
	if err != nil || pm.Resealed != 1 {
		t.Fatalf("Rotate = %+v, %v", pm, err)
	}
	stop.Store(true)
	wg.Wait()
	if failures.Load() > 0 || served.Load() < 12 {
		t.Fatalf("during rotation: %d failures, %d ranges served", failures.Load(), served.Load())
	}

	// The old key goes; the running server reads the key file again and everything still reads.
	writeKeyFile(t, keyFile, k2)
	if err := get(store.CryptSegment-10, store.CryptSegment+10); err != nil {
		t.Errorf("after dropping the old key: %v", err)
	}
	if !strings.Contains(rev.get(fmt.Sprintf("/cases/%d", id)).Body, canary) {
		t.Errorf("after dropping the old key the raw callback does not read")
	}

	// Another key: refused with a sentence.
	wrong := filepath.Join(t.TempDir(), "wrong.key")
	writeKeyFile(t, wrong, randomKeyHex())
	wr, _ := store.LoadKeyring(wrong)
	other.SetDataKeys(wr)
	if err := other.CheckDataKeys(ctx); err == nil || !strings.Contains(err.Error(), "data key this desk was not given") {
		t.Errorf("CheckDataKeys with the wrong key = %v", err)
	}
	other.SetDataKeys(nil)
	if err := other.CheckDataKeys(ctx); err == nil {
		t.Errorf("CheckDataKeys with no key over sealed data = nil")
	}
}
