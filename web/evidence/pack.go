// Package evidence builds a case's evidence pack (a ZIP streamed to the writer: case.html, the
// media, the raw callbacks, the case's audit entries and a manifest of SHA-256 digests) and
// verifies one with no database.
package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

// Format names the pack's layout in its manifest.
const Format = "kycdesk-evidence-pack/1"

// Names of the pack's fixed files.
const (
	ManifestName = "manifest.json"
	CaseHTMLName = "case.html"
	AuditName    = "audit.jsonl"
)

// Manifest is manifest.json: what the pack holds and the digest of each file.
type Manifest struct {
	Format     string    `json:"format"`
	CaseID     int64     `json:"case_id"`
	Source     string    `json:"source"`
	Ref        string    `json:"ref"`
	ExportedAt time.Time `json:"exported_at"`
	Exporter   string    `json:"exporter"`
	Version    string    `json:"version"`
	// AuditHead is the newest entry of the whole audit log when the pack was made.
	AuditHead struct {
		ID   int64  `json:"id"`
		Hash string `json:"hash"`
	} `json:"audit_chain_head"`
	// AuditChain names the chain's hash function, so a verifier knows what it can recompute.
	AuditChain string `json:"audit_chain"`
	Files      []File `json:"files"`
	// MissingMedia are archived media whose file was gone from the archive (by SHA-256).
	MissingMedia []string `json:"missing_media,omitempty"`
}

// File is one file of the pack with its digest.
type File struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// Version says what the file is: a callback "as received", or "masked" (Aadhaar numbers
	// masked); a media file "original", or "redacted" (redaction boxes painted over it). For masked
	// and redacted files OriginalSHA256 is the digest of the original, which the desk keeps.
	Version        string `json:"version,omitempty"`
	OriginalSHA256 string `json:"original_sha256,omitempty"`
}

// ChainSHA256 is the keyless audit chain: SHA-256 over the entry's length-prefixed fields and the
// previous entry's hash (store.AuditLine.ChainHash).
const ChainSHA256 = "sha256-length-prefixed-v1"

// Options say which case to pack and who is exporting it.
type Options struct {
	CaseID   int64
	Exporter string
	Version  string
	Now      time.Time
	// Mask is how vendor data reads for the exporter (Aadhaar numbers are masked for everyone).
	Mask store.Masker
}

// Write streams the case's evidence pack to w as a ZIP: nothing but one media file's copy buffer
// and one raw body is held in memory. Call it after auditing the export, so the pack's audit
// entries include the export itself. It returns the manifest it wrote and that file's SHA-256.
func Write(ctx context.Context, w io.Writer, db *store.DB, media *store.Blobs, o Options) (Manifest, string, error) {
	rec, err := db.CaseByID(ctx, o.CaseID)
	if err != nil {
		return Manifest{}, "", err
	}
	headID, headHash, err := db.AuditHead(ctx)
	if err != nil {
		return Manifest{}, "", err
	}
	m := Manifest{Format: Format, CaseID: rec.ID, Source: string(rec.Source), Ref: rec.Ref, ExportedAt: o.Now.UTC(),
		Exporter: o.Exporter, Version: o.Version, AuditChain: ChainSHA256}
	m.AuditHead.ID, m.AuditHead.Hash = headID, headHash
	p := views.EvidencePack{Case: o.Mask.Record(rec), Exporter: o.Exporter, ExportedAt: o.Now.UTC(), Version: o.Version, HeadID: headID, HeadHash: headHash}
	deliveries, err := db.CaseDeliveries(ctx, rec.ID)
	if err != nil {
		return Manifest{}, "", err
	}
	for _, d := range deliveries {
		ed := views.EvidenceDelivery{DeliveryRow: d}
		if d.Outcome != store.OutcomeDuplicate {
			ed.File = "callbacks/delivery-" + strconv.FormatInt(d.ID, 10) + ".json"
		}
		p.Deliveries = append(p.Deliveries, ed)
	}
	items, err := db.CaseMedia(ctx, rec.ID)
	if err != nil {
		return Manifest{}, "", err
	}
	// A picture with redaction boxes goes into the pack as its redacted derivative: the pack
	// leaves the desk. The manifest names the original's digest, which the archive keeps.
	redactions, err := db.CaseRedactions(ctx, rec.ID)
	if err != nil {
		return Manifest{}, "", err
	}
	redactedFrom := map[string]string{} // derivative SHA-256 → the original's
	seen := map[string]bool{}
	var files []views.EvidenceMedia // one per distinct archived file, in order
	for _, it := range items {
		if r, ok := redactions[it.ID]; ok && it.State == store.MediaStateArchived {
			redactedFrom[r.SHA256] = it.SHA256
			it.SHA256, it.Size, it.ContentType = r.SHA256, r.Size, r.ContentType
		}
		em := views.EvidenceMedia{Media: it, Redacted: redactedFrom[it.SHA256] != ""}
		if it.State == store.MediaStateArchived && it.SHA256 != "" {
			em.File = "media/" + it.SHA256 + store.FileExtension(it.ContentType)
			if !seen[it.SHA256] {
				seen[it.SHA256] = true
				files = append(files, em)
			}
		}
		p.Media = append(p.Media, em)
	}
	if p.Decisions, err = db.CaseDecisions(ctx, rec.ID); err != nil {
		return Manifest{}, "", err
	}
	if p.Reopens, err = db.CaseReopens(ctx, rec.ID); err != nil {
		return Manifest{}, "", err
	}
	for i := range p.Decisions {
		p.Decisions[i].Note = o.Mask.Text(p.Decisions[i].Note)
		p.Decisions[i].Checklist = o.Mask.Checklist(p.Decisions[i].Checklist)
		for j := range p.Decisions[i].Approvals {
			p.Decisions[i].Approvals[j].Reason = o.Mask.Text(p.Decisions[i].Approvals[j].Reason)
		}
	}
	for i := range p.Reopens {
		p.Reopens[i].Reason = o.Mask.Text(p.Reopens[i].Reason)
	}
	if err := db.CaseAuditLines(ctx, rec.ID, headID, func(l store.AuditLine) error {
		p.Audit = append(p.Audit, l)
		return nil
	}); err != nil {
		return Manifest{}, "", err
	}

	zw := zip.NewWriter(w)
	add := func(name string, method uint16, write func(io.Writer) error) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: o.Now.UTC()})
		if err != nil {
			return err
		}
		hw := &hashingWriter{w: fw, h: sha256.New()}
		if err := write(hw); err != nil {
			return fmt.Errorf("evidence: %s: %w", name, err)
		}
		m.Files = append(m.Files, File{Name: name, SHA256: hex.EncodeToString(hw.h.Sum(nil)), Size: hw.n})
		return nil
	}
	// Media whose file is gone are listed as missing, and case.html must not point at them.
	var present []views.EvidenceMedia
	for _, f := range files {
		fh, err := media.Open(f.SHA256)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				m.MissingMedia = append(m.MissingMedia, f.SHA256)
				continue
			}
			return Manifest{}, "", fmt.Errorf("evidence: media %s: %w", f.SHA256, err)
		}
		fh.Close()
		present = append(present, f)
	}
	for i := range p.Media {
		for _, gone := range m.MissingMedia {
			if p.Media[i].SHA256 == gone {
				p.Media[i].File = ""
			}
		}
	}
	if err := add(CaseHTMLName, zip.Deflate, func(w io.Writer) error {
		return views.EvidenceCaseHTML(p).Render(ctx, w)
	}); err != nil {
		return Manifest{}, "", err
	}
	for _, f := range present {
		if err := add(f.File, zip.Store, func(w io.Writer) error {
			fh, err := media.Open(f.SHA256)
			if err != nil {
				return err
			}
			defer fh.Close()
			_, err = io.Copy(w, fh)
			return err
		}); err != nil {
			return Manifest{}, "", err
		}
		mf := &m.Files[len(m.Files)-1]
		mf.Version = "original"
		if orig := redactedFrom[f.SHA256]; orig != "" {
			mf.Version, mf.OriginalSHA256 = "redacted", orig
		}
	}
	for _, d := range p.Deliveries {
		if d.File == "" {
			continue
		}
		raw, err := db.DeliveryRaw(ctx, d.ID)
		if err != nil {
			return Manifest{}, "", err
		}
		body := o.Mask.RawBodyOf(raw.Body, rec.Snapshot)
		if err := add(d.File, zip.Deflate, func(w io.Writer) error {
			_, err := w.Write(body)
			return err
		}); err != nil {
			return Manifest{}, "", err
		}
		f := &m.Files[len(m.Files)-1]
		f.Version = "as received"
		if !bytes.Equal(body, raw.Body) {
			sum := sha256.Sum256(raw.Body)
			f.Version, f.OriginalSHA256 = "masked", hex.EncodeToString(sum[:])
		}
	}
	if err := add(AuditName, zip.Deflate, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, l := range p.Audit {
			if err := enc.Encode(l); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return Manifest{}, "", err
	}
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: ManifestName, Method: zip.Deflate, Modified: o.Now.UTC()})
	if err != nil {
		return Manifest{}, "", err
	}
	hw := &hashingWriter{w: fw, h: sha256.New()}
	enc := json.NewEncoder(hw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return Manifest{}, "", err
	}
	return m, hex.EncodeToString(hw.h.Sum(nil)), zw.Close()
}

// hashingWriter passes bytes on and hashes and counts them.
type hashingWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (hw *hashingWriter) Write(b []byte) (int, error) {
	n, err := hw.w.Write(b)
	hw.h.Write(b[:n])
	hw.n += int64(n)
	return n, err
}
