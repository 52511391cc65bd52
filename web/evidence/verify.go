package evidence

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/kycdesk/kycdesk/store"
)

// Problem is one thing wrong with a pack, naming the file (and for audit.jsonl the line).
type Problem struct {
	File   string
	Line   int // 1-based line of audit.jsonl, 0 otherwise
	Reason string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s line %d: %s", p.File, p.Line, p.Reason)
	}
	return p.File + ": " + p.Reason
}

// Report is what Verify found.
type Report struct {
	Manifest     Manifest
	ManifestHash string // SHA-256 of manifest.json as stored in the pack
	Files        int    // files whose digest matched
	AuditEntries int    // audit lines whose hash recomputed
	Problems     []Problem
}

// OK reports whether the pack passed every check.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Verify checks a pack with no database: every file against the manifest's SHA-256 and size,
// every media file against the SHA-256 in its name, no file missing or added, and every audit
// entry's hash recomputed from its content, consecutive entries chained (each one's previous
// hash is the hash of the entry before it), all of them the manifest's case, none after the
// chain head. An error means the pack could not be read at all.
func Verify(r io.ReaderAt, size int64) (Report, error) {
	var rep Report
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return rep, fmt.Errorf("evidence: not a ZIP file: %w", err)
	}
	byName := map[string]*zip.File{}
	for _, f := range zr.File {
		if _, dup := byName[f.Name]; dup {
			rep.Problems = append(rep.Problems, Problem{File: f.Name, Reason: "is in the ZIP twice"})
		}
		byName[f.Name] = f
	}
	mf, ok := byName[ManifestName]
	if !ok {
		return rep, fmt.Errorf("evidence: the pack has no %s", ManifestName)
	}
	raw, err := readAll(mf)
	if err != nil {
		return rep, fmt.Errorf("evidence: %s: %w", ManifestName, err)
	}
	sum := sha256.Sum256(raw)
	rep.ManifestHash = hex.EncodeToString(sum[:])
	if err := json.Unmarshal(raw, &rep.Manifest); err != nil {
		return rep, fmt.Errorf("evidence: %s does not parse: %w", ManifestName, err)
	}
	if rep.Manifest.Format != Format {
		rep.Problems = append(rep.Problems, Problem{File: ManifestName, Reason: fmt.Sprintf("format %q, want %q", rep.Manifest.Format, Format)})
	}
	listed := map[string]File{}
	for _, f := range rep.Manifest.Files {
		listed[f.Name] = f
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if n == ManifestName {
			continue
		}
		want, ok := listed[n]
		if !ok {
			rep.Problems = append(rep.Problems, Problem{File: n, Reason: "is not listed in the manifest (added after export)"})
			continue
		}
		got, size, err := digest(byName[n])
		switch {
		case err != nil:
			rep.Problems = append(rep.Problems, Problem{File: n, Reason: "cannot be read: " + err.Error()})
		case got != want.SHA256 || size != want.Size:
			rep.Problems = append(rep.Problems, Problem{File: n, Reason: fmt.Sprintf("SHA-256 %s (%d bytes) differs from the manifest's %s (%d bytes): the file was changed", got, size, want.SHA256, want.Size)})
		case strings.HasPrefix(n, "media/") && !strings.HasPrefix(path.Base(n), got):
			rep.Problems = append(rep.Problems, Problem{File: n, Reason: "its content's SHA-256 is not the one in its name"})
		default:
			rep.Files++
		}
	}
	for _, f := range rep.Manifest.Files {
		if _, ok := byName[f.Name]; !ok {
			rep.Problems = append(rep.Problems, Problem{File: f.Name, Reason: "is listed in the manifest but missing from the pack"})
		}
	}
	if af, ok := byName[AuditName]; ok {
		rep.checkAudit(af)
	}
	return rep, nil
}

// checkAudit recomputes each audit line's hash and checks the chain between consecutive entries.
func (rep *Report) checkAudit(f *zip.File) {
	rc, err := f.Open()
	if err != nil {
		rep.Problems = append(rep.Problems, Problem{File: AuditName, Reason: "cannot be read: " + err.Error()})
		return
	}
	defer rc.Close()
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var prev *store.AuditLine
	line := 0
	for sc.Scan() {
		line++
		var l store.AuditLine
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			rep.Problems = append(rep.Problems, Problem{File: AuditName, Line: line, Reason: "does not parse as an audit entry: " + err.Error()})
			prev = nil
			continue
		}
		bad := func(reason string) {
			rep.Problems = append(rep.Problems, Problem{File: AuditName, Line: line, Reason: fmt.Sprintf("entry %d: %s", l.ID, reason)})
		}
		ok := true
		if h := l.ChainHash(); h != l.Hash {
			bad("its content does not match its hash (the entry was edited)")
			ok = false
		}
		if l.CaseID != rep.Manifest.CaseID {
			bad(fmt.Sprintf("belongs to case %d, not the pack's case %d", l.CaseID, rep.Manifest.CaseID))
			ok = false
		}
		if prev != nil {
			switch {
			case l.ID <= prev.ID:
				bad(fmt.Sprintf("comes after entry %d: entries are out of order", prev.ID))
				ok = false
			case l.ID == prev.ID+1 && l.PrevHash != prev.Hash:
				bad(fmt.Sprintf("its previous-hash is not the hash of entry %d before it", prev.ID))
				ok = false
			}
		}
		if l.ID == 1 && l.PrevHash != store.GenesisHash {
			bad("the first entry of the log must chain to the genesis hash")
			ok = false
		}
		head := rep.Manifest.AuditHead
		switch {
		case l.ID > head.ID:
			bad(fmt.Sprintf("is newer than the chain head %d the manifest records", head.ID))
			ok = false
		case l.ID == head.ID && l.Hash != head.Hash:
			bad("is the chain head, but its hash is not the manifest's")
			ok = false
		}
		if ok {
			rep.AuditEntries++
		}
		lc := l
		prev = &lc
	}
	if err := sc.Err(); err != nil {
		rep.Problems = append(rep.Problems, Problem{File: AuditName, Line: line + 1, Reason: "cannot be read: " + err.Error()})
	}
}

func readAll(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, 64<<20))
}

func digest(f *zip.File) (string, int64, error) {
	rc, err := f.Open()
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return "", n, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
