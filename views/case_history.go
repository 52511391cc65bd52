package views

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kycdesk/kycdesk/store"
)

// InstructionsFor lists the call's instructions with every language any of them was translated
// into. lang (from ?lang=) picks the language shown beside English; by default English.
func InstructionsFor(ins []store.Instruction, random bool, lang string) *InstructionsView {
	return InstructionsIn(ins, random, lang, "")
}

// InstructionsIn is InstructionsFor with the customer's language (a vendor key such as "BENGALI",
// see CustomerLanguage): shown by default when the call has that translation, else English.
func InstructionsIn(ins []store.Instruction, random bool, lang, customer string) *InstructionsView {
	if len(ins) == 0 {
		return nil
	}
	var langs []string
	for _, in := range ins {
		for _, t := range in.Translations {
			if !slices.Contains(langs, t.Language) {
				langs = append(langs, t.Language)
			}
		}
	}
	current := ""
	switch {
	case slices.Contains(langs, lang):
		current = lang
	case customer != "" && sameLanguage(langs, customer) != "":
		current = sameLanguage(langs, customer)
	case slices.Contains(langs, "ENGLISH"):
		current = "ENGLISH"
	case len(langs) > 0:
		current = langs[0]
	}
	v := &InstructionsView{Current: current, Random: random, Customer: customer}
	for _, l := range langs {
		v.Languages = append(v.Languages, LangOption{Key: l, Label: languageLabel(l),
			Href: "?lang=" + url.QueryEscape(l) + "#instructions", Current: l == current})
	}
	for i, in := range ins {
		it := InstructionItem{N: i + 1, Text: in.Text, IDCardBox: in.IDCardBoxRequired, SideNav: in.SideNavRequired,
			ScreenshotRequired: in.ScreenshotRequired}
		for _, t := range in.Translations {
			if it.Text == "" && strings.EqualFold(t.Language, "ENGLISH") {
				it.Text = t.Text
			}
			it.Translations = append(it.Translations, TranslationView{Language: t.Language,
				LangAttr: LangAttr(strings.ToUpper(t.Language)), Text: t.Text, Shown: t.Language == current})
		}
		v.Items = append(v.Items, it)
	}
	return v
}

// languageLabel is "Hindi" for the vendor's key "HINDI".
func languageLabel(key string) string {
	if key == "" {
		return key
	}
	r, n := utf8.DecodeRuneInString(key)
	return strings.ToUpper(string(r)) + strings.ToLower(key[n:])
}

// VideoDocs shows each document the video-KYC agent captured with the data read from it.
func VideoDocs(docs []store.VideoDocument, now time.Time, budget *JSONBudget) []VideoDocView {
	var out []VideoDocView
	for i, d := range docs {
		v := VideoDocView{N: i + 1}
		var flat map[string]any
		if json.Unmarshal(d.Data, &flat) == nil && len(flat) > 0 {
			keys := make([]string, 0, len(flat))
			for k := range flat {
				keys = append(keys, k)
			}
			sortFieldKeys(keys)
			for _, k := range keys {
				val, scalar := scalarText(flat[k])
				if !scalar {
					v.Data = nil
					v.JSON = budget.Format(d.Data)
					break
				}
				row := FieldRow{Label: FieldLabel(k), Value: val}
				lk := strings.ToLower(k)
				if strings.Contains(lk, "dob") || strings.Contains(lk, "birth") {
					if age, ok := AgeOn(val, now); ok {
						row.Note = fmt.Sprintf("age %d", age)
						if age < 18 {
							row.Level, row.Note = StatusRed, fmt.Sprintf("age %d · under 18", age)
						}
					}
				}
				v.Data = append(v.Data, row)
			}
		} else {
			v.JSON = budget.Format(d.Data)
		}
		if !v.JSON.Empty() || len(v.Data) > 0 {
			out = append(out, v)
		}
	}
	return out
}

func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case bool, float64:
		return fmt.Sprint(x), true
	}
	return "", false
}

// History lists every callback with what changed since the previous one that was not a
// byte-identical retry, and the raw bytes of the latest few, laid out within budget. rawHref is
// the download address of a delivery's whole body.
func History(ds []store.DeliveryRow, bodies map[int64]store.DeliveryBody, current int64, budget *JSONBudget,
	rawHref func(id int64) string) []DeliveryView {
	out := make([]DeliveryView, 0, len(ds))
	var prev *store.DeliveryRow
	for i := range ds {
		d := &ds[i]
		v := DeliveryView{ID: d.ID, ReceivedAt: d.ReceivedAt, Overall: d.Overall, AutoDoc: d.AutoDocument,
			AutoFace: d.AutoFace, ManualDoc: d.ManualDocument, ManualFace: d.ManualFace, Outcome: d.Outcome,
			Error: d.Error, Duplicates: d.Duplicates, DuplicateOf: d.DuplicateOf, Applied: d.Applied, Current: d.ID == current}
		if d.Final != nil {
			v.Final = map[bool]string{true: "final", false: "automatic"}[*d.Final]
		}
		if b, ok := bodies[d.ID]; ok {
			v.BodySize, v.RawHref = b.Size, rawHref(d.ID)
			blk := JSONBlock{}
			if !b.Cut {
				blk = budget.Format(b.Bytes)
			}
			if blk.Empty() {
				blk = budget.Text(strings.ToValidUTF8(string(b.Bytes), "�"))
			}
			v.Body, v.BodyCut = blk.Text, b.Cut || blk.Cut
		} else if d.Outcome != store.OutcomeDuplicate {
			v.BodyNotShown = true
		}
		if d.Outcome == store.OutcomeStored {
			if prev != nil {
				v.Changes = deliveryChanges(*prev, *d)
			}
			prev = d
		}
		out = append(out, v)
	}
	return out
}

// deliveryChanges lists the statuses and tags that differ between two consecutive callbacks,
// for instance the automatic result and the manual one that followed it.
func deliveryChanges(a, b store.DeliveryRow) []Change {
	var out []Change
	for _, f := range []struct{ name, from, to string }{
		{"overall", a.Overall, b.Overall},
		{"final", finalText(a.Final), finalText(b.Final)},
		{"auto document", a.AutoDocument, b.AutoDocument},
		{"auto face", a.AutoFace, b.AutoFace},
		{"manual document", a.ManualDocument, b.ManualDocument},
		{"manual face", a.ManualFace, b.ManualFace},
	} {
		if f.from != f.to {
			out = append(out, Change{Kind: "status", Field: f.name, From: f.from, To: f.to})
		}
	}
	for _, l := range []struct {
		name     string
		from, to []string
	}{{"fraud tag", a.FraudTags, b.FraudTags}, {"mismatch tag", a.MismatchTags, b.MismatchTags}} {
		for _, t := range l.to {
			if !slices.Contains(l.from, t) {
				out = append(out, Change{Kind: "added", Field: l.name, To: t})
			}
		}
		for _, t := range l.from {
			if !slices.Contains(l.to, t) {
				out = append(out, Change{Kind: "removed", Field: l.name, From: t})
			}
		}
	}
	return out
}

func finalText(f *bool) string {
	if f == nil {
		return ""
	}
	return map[bool]string{true: "yes", false: "no"}[*f]
}

// sameLanguage is the key of langs that is the language key names ("ORIYA" for "ODIA"), or "".
func sameLanguage(langs []string, key string) string {
	for _, l := range langs {
		if l == key || (LangAttr(l) != "" && LangAttr(l) == LangAttr(key)) {
			return l
		}
	}
	return ""
}
