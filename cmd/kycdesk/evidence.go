package main

import (
	"fmt"
	"io"
	"os"

	"github.com/kycdesk/kycdesk/web/evidence"
)

// runEvidence is `kycdesk evidence verify PACK.zip`: it checks a pack with no database and
// fails naming every file (and audit line) that does not match.
func runEvidence(out io.Writer, args []string) error {
	if len(args) != 2 || args[0] != "verify" {
		return fmt.Errorf("evidence: usage: kycdesk evidence verify PACK.zip")
	}
	f, err := os.Open(args[1])
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	rep, err := evidence.Verify(f, st.Size())
	if err != nil {
		return err
	}
	m := rep.Manifest
	fmt.Fprintf(out, "case %d (%s %s), exported by %s at %s, KYC Desk %s\n", m.CaseID, m.Source, m.Ref, m.Exporter,
		m.ExportedAt.UTC().Format("2006-01-02 15:04:05 UTC"), m.Version)
	fmt.Fprintf(out, "manifest sha256 %s; audit chain head at export %d:%s\n", rep.ManifestHash, m.AuditHead.ID, m.AuditHead.Hash)
	if !rep.OK() {
		for _, p := range rep.Problems {
			fmt.Fprintln(out, "BROKEN", p.String())
		}
		return fmt.Errorf("evidence pack BROKEN: %d problems (%d files and %d audit entries verified)",
			len(rep.Problems), rep.Files, rep.AuditEntries)
	}
	fmt.Fprintf(out, "evidence pack intact: %d files and %d audit entries verified\n", rep.Files, rep.AuditEntries)
	return nil
}
