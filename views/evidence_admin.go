package views

import (
	"encoding/json"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// EvidencePack is what the evidence pack's case.html shows: the case, every callback, the media
// with their file names in the pack, the decisions with their approvals, the reopens, the notes,
// who viewed the case, and the case's audit entries.
type EvidencePack struct {
	Case       store.CaseRecord
	Deliveries []EvidenceDelivery
	Media      []EvidenceMedia
	Decisions  []store.Decision
	Reopens    []store.Reopen
	Audit      []store.AuditLine
	Exporter   string
	ExportedAt time.Time
	Version    string
	HeadID     int64
	HeadHash   string
}

// EvidenceDelivery is one callback with the name of its raw body in the pack ("" for a duplicate,
// whose bytes are those of the delivery it repeats).
type EvidenceDelivery struct {
	store.DeliveryRow
	File string
}

// EvidenceMedia is one media item with its file in the pack ("" when not archived or missing).
type EvidenceMedia struct {
	store.Media
	File     string
	Redacted bool // the file is the redacted derivative (Media.SHA256 names it), not the original
}

// IsImage reports whether the file can be shown inline in case.html.
func (m EvidenceMedia) IsImage() bool {
	return m.File != "" && len(m.ContentType) > 6 && m.ContentType[:6] == "image/"
}

// Views are the case.view entries: who opened the case and when.
func (p EvidencePack) Views() []store.AuditLine {
	var out []store.AuditLine
	for _, l := range p.Audit {
		if l.Action == "case.view" {
			out = append(out, l)
		}
	}
	return out
}

// EvidenceNote is one written note on the case: a decision's note, a return's or a reopen's
// reason, or a note entry of the audit log.
type EvidenceNote struct {
	At        time.Time
	By, About string
	Text      string
}

// Notes gathers every note written on the case, oldest first.
func (p EvidencePack) Notes() []EvidenceNote {
	var out []EvidenceNote
	for _, d := range p.Decisions {
		if d.Note != "" {
			out = append(out, EvidenceNote{At: d.DecidedAt, By: d.DecidedByName, About: "decision (" + d.Outcome + ")", Text: d.Note})
		}
		for _, a := range d.Approvals {
			if a.Reason != "" {
				out = append(out, EvidenceNote{At: a.At, By: a.ByName, About: "second approval (" + a.Verdict + ")", Text: a.Reason})
			}
		}
	}
	for _, r := range p.Reopens {
		out = append(out, EvidenceNote{At: r.At, By: r.ByName, About: "reopen", Text: r.Reason})
	}
	for _, l := range p.Audit {
		if l.Action != "case.note" {
			continue
		}
		var d struct {
			Note string `json:"note"`
			Text string `json:"text"`
		}
		_ = json.Unmarshal([]byte(l.Details), &d)
		if t := d.Note + d.Text; t != "" {
			out = append(out, EvidenceNote{At: store.ParseTime(l.At), By: l.Actor, About: "note", Text: t})
		}
	}
	sortNotes(out)
	return out
}

func sortNotes(n []EvidenceNote) {
	for i := 1; i < len(n); i++ {
		for j := i; j > 0 && n[j].At.Before(n[j-1].At); j-- {
			n[j], n[j-1] = n[j-1], n[j]
		}
	}
}

// utc formats a time for the printable page, which has no script to localise it.
func utc(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

// utcStored formats a stored timestamp string.
func utcStored(s string) string { return utc(store.ParseTime(s)) }

// boolPtr shows a vendor's final flag.
func boolPtr(b *bool) string {
	switch {
	case b == nil:
		return "—"
	case *b:
		return "final"
	}
	return "automatic"
}
