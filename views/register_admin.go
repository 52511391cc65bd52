package views

import "github.com/kycdesk/kycdesk/store"

// RegisterPage is the decision register's filters, its newest rows and its download links.
type RegisterPage struct {
	From, To, Source, Outcome, Reviewer string
	Errors                              map[string]string
	Rows                                []store.RegisterRow
	More                                bool // more rows match than are shown
	Sources                             []Option
	Reviewers                           []string
	ExportCSV, ExportJSONL              string
}
