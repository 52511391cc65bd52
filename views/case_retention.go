package views

import (
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// RetentionView is the case page's retention strip: holds in force, what was purged and when,
// and (for supervisors) the hold forms.
type RetentionView struct {
	CaseID          int64
	CSRF            string
	ClientID        string
	Holds           []store.LegalHold
	MediaPurgedAt   time.Time
	MediaPolicy     string
	PseudonymisedAt time.Time
	Tombstones      []store.Tombstone
	CanHold         bool
	Errors          map[string]string
}

// Shown reports whether the strip has anything to show.
func (r RetentionView) Shown() bool {
	return r.CanHold || len(r.Holds) > 0 || !r.MediaPurgedAt.IsZero() || !r.PseudonymisedAt.IsZero()
}

// buildRetention turns the case's retention facts into the strip's props.
func buildRetention(in CaseInput) RetentionView {
	r := in.Retention
	return RetentionView{CaseID: in.Record.ID, CSRF: in.CSRF, ClientID: in.Record.ClientID, Holds: r.Holds,
		MediaPurgedAt: r.MediaPurgedAt, MediaPolicy: r.MediaPolicy, PseudonymisedAt: r.PseudonymisedAt,
		Tombstones: r.Tombstones, CanHold: in.Viewer.Has(store.RoleSupervisor), Errors: in.PanelErrors}
}
