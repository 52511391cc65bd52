package web

import (
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// AuditRange turns inclusive YYYY-MM-DD days (UTC) into a filter; empty means unbounded.
func AuditRange(from, to string, loc *time.Location) (store.AuditFilter, error) {
	var f store.AuditFilter
	if from != "" {
		t, err := time.ParseInLocation("2006-01-02", from, loc)
		if err != nil {
			return f, store.Errorf(store.KindInvalid, "The from date %q is not a date: write YYYY-MM-DD.", from)
		}
		f.From = t
	}
	if to != "" {
		t, err := time.ParseInLocation("2006-01-02", to, loc)
		if err != nil {
			return f, store.Errorf(store.KindInvalid, "The to date %q is not a date: write YYYY-MM-DD.", to)
		}
		f.To = t.AddDate(0, 0, 1)
	}
	return f, nil
}
