package web

import (
	"encoding/json"
	"net/http"
	"reflect"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/views"
)

// masker is how vendor data reads for the signed-in person: Aadhaar numbers masked for everyone,
// other identifiers for the roles Settings names.
func (a *App) masker(c echo.Context) store.Masker {
	u := currentUser(c)
	if u == nil {
		return store.Masker{Identifiers: true}
	}
	return store.MaskerFor(a.rules(), u.Roles)
}

// maskCase masks everything the case page shows and says which revealable fields it masked.
func maskCase(d *caseData, m store.Masker) views.PrivacyInput {
	var in views.PrivacyInput
	orig := d.rec
	for id, b := range d.bodies {
		b.Bytes = m.RawBodyOf(b.Bytes, orig.Snapshot)
		d.bodies[id] = b
	}
	none := store.Masker{}.Reveal(store.FieldAadhaar).Reveal(store.FieldRawBody)
	d.rec = m.Record(d.rec)
	for i := range d.deliveries {
		d.deliveries[i].Error = m.Text(d.deliveries[i].Error)
	}
	for i := range d.decisions {
		d.decisions[i].Note = m.Text(d.decisions[i].Note)
		d.decisions[i].Checklist = m.Checklist(d.decisions[i].Checklist)
		for j := range d.decisions[i].Approvals {
			d.decisions[i].Approvals[j].Reason = m.Text(d.decisions[i].Approvals[j].Reason)
		}
	}
	// The draft's notes are the claim holder's work in progress, saved back row by row from the
	// page: masking them here would save the mask over what was typed. Its labels are vendor text.
	for i := range d.checklist {
		d.checklist[i].Label = m.Text(d.checklist[i].Label)
	}
	for i := range d.reopens {
		d.reopens[i].Reason = m.Text(d.reopens[i].Reason)
	}
	for i := range d.notes {
		d.notes[i].Body = m.Text(d.notes[i].Body)
	}
	for i := range d.related {
		d.related[i].Name, d.related[i].Ref = m.Text(d.related[i].Name), m.Text(d.related[i].Ref)
	}
	s, plain := orig.Snapshot, none.Record(orig).Snapshot
	for _, f := range store.RevealFields {
		var masked bool
		switch f {
		case store.FieldAadhaar:
			masked = m.Masks(f) && !reflect.DeepEqual(store.Masker{}.Record(orig), orig)
		case store.FieldDocNumber:
			masked = m.Masks(f) && s.Document.Number != "" && m.Snapshot(s).Document.Number != plain.Document.Number
		case store.FieldPersonalCode:
			masked = m.Masks(f) && s.Document.PersonalCode != ""
		case store.FieldDOB:
			masked = m.Masks(f) && s.Person.DOB != ""
		case store.FieldRawBody:
			masked = m.Masks(f) && len(d.bodies) > 0
		case store.FieldOriginalImages:
			masked = m.Masks(f) && len(d.redactions) > 0
		}
		if masked {
			in.Masked = append(in.Masked, f)
		} else if m.Revealed[f] {
			in.Revealed = append(in.Revealed, f)
		}
	}
	return in
}

// handleCaseReveal records a reveal with its reason and shows the case page once with the field
// in full. The page's next load masks it again.
func (a *App) handleCaseReveal(c echo.Context) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	in := store.RevealInput{CaseID: id, Field: c.FormValue("reveal_field"), Reason: c.FormValue("reveal_reason"),
		Text: c.FormValue("reveal_text")}
	r := caseRender{status: http.StatusOK}
	revealID, err := a.db.RecordReveal(c.Request().Context(), actor(c), in)
	if err != nil {
		fields, ok := fieldErrors(err, "reveal_text")
		if !ok {
			return err
		}
		r.status, r.privacy = http.StatusUnprocessableEntity, views.PrivacyInput{Errors: fields, Field: in.Field,
			Reason: in.Reason, Text: in.Text}
		return a.renderCase(c, id, r)
	}
	r.reveal, r.revealID = in.Field, revealID
	return a.renderCase(c, id, r)
}

// maskQueueRow masks the Aadhaar numbers in the vendor and reviewer text of one queue row.
func maskQueueRow(row views.QueueRowView, m store.Masker) views.QueueRowView {
	row.Name, row.Ref, row.PendingNote = m.Text(row.Name), m.Text(row.Ref), m.Text(row.PendingNote)
	return row
}

// apiJSON answers an API read with its Aadhaar numbers masked, whatever field carries them.
func apiJSON(c echo.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, store.MaskAadhaarJSON(b))
}
