package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/store/storetest"
	"github.com/kycdesk/kycdesk/web/demo"
	"github.com/kycdesk/kycdesk/web/ingest"
	"github.com/kycdesk/kycdesk/web/webtest"
)

// packFixture is a video-KYC case with a Hindi instruction, an archived picture, a decision,
// an approval and a view, plus another case's entries in the audit log between its own.
type packFixture struct {
	db     *store.DB
	blobs  *store.Blobs
	caseID int64
	body   []byte
	sha    string
}

func newPackFixture(t *testing.T) packFixture {
	t.Helper()
	ctx := context.Background()
	clk := storetest.NewClock(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	db := storetest.OpenDB(t, clk)
	// The pack's session names no recording; the rule that an allow needs one is the store's
	// (store.TestAllowNeedsTheRecording), not what these tests are about.
	noEvidence := store.DefaultRules()
	noEvidence.Evidence = nil
	if _, err := db.LoadRules(ctx, noEvidence); err != nil {
		t.Fatal(err)
	}
	blobs := &store.Blobs{Dir: filepath.Join(t.TempDir(), "media")}
	body := webtest.VCIP{SessionID: "ev-1", Name: "RAVI KUMAR", Instructions: []webtest.Instruction{{Text: "Show your face",
		Translations: [][2]string{{"ENGLISH", "Show your face"}, {"HINDI", "अपना चेहरा दिखाएं"}, {"BENGALI", "আপনার মুখ দেখান"}}}},
		DocumentImages: []string{"https://media.example.test/ev-1/pan.png"}}.Body()
	res, err := db.Ingest(ctx, mustDecode(t, body, clk.Now()))
	if err != nil || res.CaseID == 0 {
		t.Fatalf("ingest: %+v %v", res, err)
	}
	other, err := db.Ingest(ctx, mustDecode(t, webtest.VCIP{SessionID: "ev-other", Name: "SOMEONE ELSE"}.Body(), clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	media, err := db.CaseMedia(ctx, res.CaseID)
	if err != nil || len(media) == 0 {
		t.Fatalf("case media: %v %v", media, err)
	}
	sha, size, err := blobs.Put(bytes.NewReader(demo.ThumbnailPNG("ev-1")), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MediaArchived(ctx, media[0].ID, sha, size, "image/png"); err != nil {
		t.Fatal(err)
	}
	rev := user(t, db, "rev", store.RoleReviewer)
	sup := user(t, db, "sup", store.RoleSupervisor)
	must(t, db.RecordCaseView(ctx, rev, res.CaseID, nil))
	must(t, db.RecordCaseView(ctx, rev, other.CaseID, nil))
	must(t, db.Claim(ctx, rev, res.CaseID))
	bookmark := int64(4200)
	if _, err := db.SaveChecklist(ctx, rev, res.CaseID, store.ChecklistDraft{Key: "instruction:1", BookmarkMS: &bookmark,
		Disposition: store.DispSatisfactory, Note: "Face in full view at 0:04."}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(5 * time.Minute)
	if _, err := db.Decide(ctx, rev, store.DecisionInput{CaseID: res.CaseID, Outcome: store.OutcomeAllow,
		ReasonCode: "face_matches", Note: "Face matches the PAN card; customer in Pune."}); err != nil {
		t.Fatal(err)
	}
	must(t, db.RecordCaseView(ctx, sup, other.CaseID, nil))
	must(t, db.Approve(ctx, sup, res.CaseID, ""))
	return packFixture{db: db, blobs: blobs, caseID: res.CaseID, body: body, sha: sha}
}

func mustDecode(t *testing.T, body []byte, at time.Time) *store.Incoming {
	t.Helper()
	snap, err := ingest.Decode(store.SourceVCIP, body)
	if err != nil {
		t.Fatal(err)
	}
	return &store.Incoming{Source: store.SourceVCIP, ReceivedAt: at, Body: body, Snapshot: snap}
}

func user(t *testing.T, db *store.DB, name string, roles ...string) store.Actor {
	t.Helper()
	u, err := db.CreateUser(context.Background(), store.SystemActor, name, "", "x", roles)
	if err != nil {
		t.Fatal(err)
	}
	return store.Actor{ID: u.ID, Name: u.Username}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f packFixture) pack(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, _, err := Write(context.Background(), &buf, f.db, f.blobs, Options{CaseID: f.caseID, Exporter: "aud",
		Version: "test", Now: f.db.Now()}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

func verify(t *testing.T, pack []byte) Report {
	t.Helper()
	rep, err := Verify(bytes.NewReader(pack), int64(len(pack)))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return rep
}

func files(t *testing.T, pack []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pack), int64(len(pack)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return out
}

// rezip writes a pack with the same files in the same order, one of them changed by edit: what
// someone who unzipped the pack, edited a file and zipped it again would hand over.
func rezip(t *testing.T, pack []byte, name string, edit func([]byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pack), int64(len(pack)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	found := false
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == name {
			b, found = edit(b), true
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	must(t, zw.Close())
	if !found {
		t.Fatalf("no %s in the pack", name)
	}
	return buf.Bytes()
}

func TestEvidencePackBuildsAndVerifies(t *testing.T) {
	f := newPackFixture(t)
	pack := f.pack(t)
	rep := verify(t, pack)
	if !rep.OK() {
		t.Fatalf("a fresh pack does not verify: %v", rep.Problems)
	}
	got := files(t, pack)
	mediaName := "media/" + f.sha + ".png"
	for _, name := range []string{CaseHTMLName, AuditName, ManifestName, mediaName, "callbacks/delivery-1.json"} {
		if _, ok := got[name]; !ok {
			t.Errorf("the pack has no %s (it has %d files)", name, len(got))
		}
	}
	if !bytes.Equal(got["callbacks/delivery-1.json"], f.body) {
		t.Error("the raw callback in the pack is not the delivered bytes")
	}
	if !bytes.Equal(got[mediaName], demo.ThumbnailPNG("ev-1")) {
		t.Error("the media file in the pack is not the archived bytes")
	}
	if rep.Files != 4 || len(rep.Manifest.Files) != 4 {
		t.Errorf("verified %d files of %d listed, want 4 of 4", rep.Files, len(rep.Manifest.Files))
	}
	// The case's own entries: ingest writes none; view, claim, decision, approval.
	lines := strings.Split(strings.TrimSpace(string(got[AuditName])), "\n")
	if len(lines) != 4 || rep.AuditEntries != 4 {
		t.Errorf("audit.jsonl has %d lines (%d verified), want 4: %s", len(lines), rep.AuditEntries, got[AuditName])
	}
	if rep.Manifest.CaseID != f.caseID || rep.Manifest.Exporter != "aud" || rep.Manifest.Version != "test" || rep.Manifest.AuditHead.ID == 0 {
		t.Errorf("manifest = %+v", rep.Manifest)
	}
	html := string(got[CaseHTMLName])
	for _, want := range []string{"RAVI KUMAR", "अपना चेहरा दिखाएं", `lang="hi"`, `lang="bn"`, "Face matches the PAN card",
		`src="` + mediaName + `"`, "<style>", "Face in full view at 0:04.", "<td>0:04</td>", "<td>satisfactory</td>"} {
		if !strings.Contains(html, want) {
			t.Errorf("case.html lacks %q", want)
		}
	}
	if strings.Contains(html, "<script") || strings.Contains(html, "http://") || strings.Contains(html, "https://") {
		t.Error("case.html must have no script and load nothing from anywhere")
	}
}

func TestEvidencePackTamperNamesTheFile(t *testing.T) {
	f := newPackFixture(t)
	pack := f.pack(t)
	flip := func(i int) func([]byte) []byte {
		return func(b []byte) []byte {
			c := bytes.Clone(b)
			c[i%len(c)] ^= 0x01
			return c
		}
	}
	mediaName := "media/" + f.sha + ".png"
	for _, c := range []struct {
		name, file string
		edit       func([]byte) []byte
		want       []string
	}{
		{"one byte of a callback", "callbacks/delivery-1.json", flip(10), []string{"callbacks/delivery-1.json: SHA-256"}},
		{"one byte of a media file", mediaName, flip(100), []string{mediaName + ": SHA-256"}},
		{"one byte of case.html", CaseHTMLName, flip(500), []string{"case.html: SHA-256"}},
		{"one byte of an audit line", AuditName, func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"actor":"rev"`), []byte(`"actor":"rex"`), 1)
		}, []string{"audit.jsonl: SHA-256", "audit.jsonl line 1: entry"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := verify(t, rezip(t, pack, c.file, c.edit))
			if rep.OK() {
				t.Fatal("a tampered pack verified")
			}
			var all []string
			for _, p := range rep.Problems {
				all = append(all, p.String())
			}
			for _, w := range c.want {
				found := false
				for _, p := range all {
					found = found || strings.HasPrefix(p, w)
				}
				if !found {
					t.Errorf("problems %q do not name %q", all, w)
				}
			}
			if len(all) != len(c.want) {
				t.Errorf("problems = %q, want exactly %d", all, len(c.want))
			}
		})
	}
	// An audit line edited and the manifest rewritten to match: the entry's own hash still catches it.
	edited := rezip(t, pack, AuditName, func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"actor":"rev"`), []byte(`"actor":"rex"`), 1)
	})
	newAudit := files(t, edited)[AuditName]
	sum := sha256.Sum256(newAudit)
	edited = rezip(t, edited, ManifestName, func(b []byte) []byte {
		var m Manifest
		must(t, json.Unmarshal(b, &m))
		for i := range m.Files {
			if m.Files[i].Name == AuditName {
				m.Files[i].SHA256, m.Files[i].Size = hex.EncodeToString(sum[:]), int64(len(newAudit))
			}
		}
		out, _ := json.Marshal(m)
		return out
	})
	if rep := verify(t, edited); len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].String(), "audit.jsonl line 1: entry") ||
		!strings.Contains(rep.Problems[0].String(), "does not match its hash") {
		t.Errorf("audit line edited with a matching manifest: problems = %v, want line 1's hash named", rep.Problems)
	}

	// Altered in the ZIP bytes themselves (no re-zip): the stored picture fails its CRC and is named.
	i := bytes.Index(pack, demo.ThumbnailPNG("ev-1")[200:232])
	if i < 0 {
		t.Fatal("the stored picture is not in the ZIP bytes")
	}
	raw := bytes.Clone(pack)
	raw[i] ^= 0x40
	rep := verify(t, raw)
	if rep.OK() || !strings.HasPrefix(rep.Problems[0].String(), mediaName+": ") {
		t.Errorf("a byte flipped inside the ZIP = %v, want the media file named", rep.Problems)
	}
}
