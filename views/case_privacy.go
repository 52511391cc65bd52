package views

import "github.com/kycdesk/kycdesk/store"

// PrivacyView is the case page's masking strip: which fields show masked, the reveal form, and
// what this page view reveals.
type PrivacyView struct {
	CaseID int64
	CSRF   string
	Masked []PrivacyField // fields masked on this page that the viewer may reveal
	// MayReveal is whether the viewer's roles have reveal rights (store.Rules.RevealRoles).
	MayReveal bool
	Revealed  []PrivacyField // fields this page view shows in full (after a reveal)
	Reasons   []store.ReasonCode
	Errors    map[string]string
	Field     string // the reveal form's input to show again
	Reason    string
	Text      string
}

// PrivacyField is one revealable field as the strip names it.
type PrivacyField struct {
	Field string
	Label string
}

// PrivacyInput is what web knows about masking on one case page.
type PrivacyInput struct {
	Masked   []string // store.RevealFields masked on this page
	Revealed []string
	// MayReveal is whether the viewer's roles have reveal rights.
	MayReveal bool
	// OriginalReveal is the audit entry of this view's reveal of the original images (0: none):
	// the page's image addresses carry it, and /media serves the originals against it.
	OriginalReveal int64
	Errors         map[string]string
	Field          string
	Reason         string
	Text           string
}

// buildPrivacy turns the masking facts into the strip's props.
func buildPrivacy(in CaseInput) PrivacyView {
	p := PrivacyView{CaseID: in.Record.ID, CSRF: in.CSRF, Reasons: store.RevealReasons, Errors: in.Privacy.Errors, MayReveal: in.Privacy.MayReveal,
		Field: in.Privacy.Field, Reason: in.Privacy.Reason, Text: in.Privacy.Text}
	for _, f := range in.Privacy.Masked {
		p.Masked = append(p.Masked, PrivacyField{Field: f, Label: store.FieldLabel(f)})
	}
	for _, f := range in.Privacy.Revealed {
		p.Revealed = append(p.Revealed, PrivacyField{Field: f, Label: store.FieldLabel(f)})
	}
	return p
}
