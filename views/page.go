// Package views holds the templ components that render every page and the builders of their typed
// props (BuildCase and views/case_*.go for the case page), which turn store types into what a page
// shows. Nothing here queries the database, reads a request or decides what a person may do.
package views

// Page is what every full page passes to Layout.
type Page struct {
	Title string
	// Nav names the active top-level section: "queue", "pending", "audit", "admin", "health",
	// "legal-holds"….
	Nav  string
	User *User // nil on the login page
	// CSRF is the form token every POST form must carry as a hidden "_csrf" field.
	CSRF   string
	Counts NavCounts
	Flash  string // a one-line confirmation shown once, e.g. "Decision recorded."
	Error  string // a one-line error sentence for the whole page
	// Shortcuts are page-specific keys (elements marked data-shortcut="c") listed in the help overlay
	// under the global ones.
	Shortcuts []Shortcut
}

// Shortcut is one key and what it does, as the help overlay lists it.
type Shortcut struct {
	Key    string // as printed in <kbd>, e.g. "c" or "Shift+A"
	Action string // e.g. "Claim this case"
}

// User is the signed-in person as the pages show them.
type User struct {
	ID       int64
	Username string
	Name     string
	Roles    []string
}

// Has reports whether the user holds role.
func (u *User) Has(role string) bool {
	if u == nil {
		return false
	}
	for _, r := range u.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// NavCounts are the numbers shown on the top navigation tabs.
type NavCounts struct {
	NeedsDecision   int
	PendingApproval int
}
