package views

import (
	"strings"

	"github.com/kycdesk/kycdesk/store"
)

// evidenceKindList names the media kinds the settings page accepts as required evidence.
func evidenceKindList() string { return strings.Join(store.EvidenceKinds(), ", ") }
