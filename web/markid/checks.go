package markid

import (
	"strings"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/internal/jsonfield"
)

// decodeChecks reads the AML or LID results. Current senders use an upper-case array (`AML: [...]`);
// older ones a lower-case key holding one result object or, before 2019, `{suspected, results}`.
// Both keys are read: JSON keys are case-sensitive, so they are different fields.
func decodeChecks(r *jsonfield.Reader, top jsonfield.Fields, group string) []store.Check {
	var out []store.Check
	for _, n := range []jsonfield.Node{top.Get(group), top.Get(strings.ToLower(group))} {
		switch jsonfield.Kind(n.Raw) {
		case "an array":
			for _, e := range r.Array(n) {
				if !jsonfield.IsNull(e.Raw) {
					out = append(out, decodeCheck(r, r.Object(e), group))
				}
			}
		case "an object":
			f := r.Object(n)
			if isLegacyCheck(f) {
				out = append(out, decodeLegacyCheck(r, f, group))
			} else {
				out = append(out, decodeCheck(r, f, group))
			}
		case "absent", "null":
		default:
			r.Fail(n, "an array of results")
		}
	}
	return out
}

// isLegacyCheck reports whether f is the 2018 shape `{"suspected": false, "results": {}}`.
func isLegacyCheck(f jsonfield.Fields) bool {
	return (f.Has("suspected") || f.Has("results")) && !f.Has("status")
}

func decodeCheck(r *jsonfield.Reader, f jsonfield.Fields, group string) store.Check {
	st := r.Object(f.Get("status"))
	c := store.Check{
		ServiceName:      r.Str(f.Get("serviceName")),
		ServiceGroupType: r.Str(f.Get("serviceGroupType")),
		OverallStatus:    r.Str(st.Get("overallStatus")),
		Suspected:        r.Flag(st.Get("serviceSuspected")),
		CheckSuccessful:  r.Flag(st.Get("checkSuccessful")),
		ServiceFound:     r.Flag(st.Get("serviceFound")),
		ServiceUsed:      r.Flag(st.Get("serviceUsed")),
		ErrorMessage:     r.Str(f.Get("errorMessage")),
		UID:              r.Str(f.Get("uid")),
	}
	if c.ServiceGroupType == "" { // the Fraud API element has none; the key it came under says it
		c.ServiceGroupType = group
	}
	hits := f.Get("data")
	if k := jsonfield.Kind(hits.Raw); k != "an array" && k != "an object" && !jsonfield.IsNull(hits.Raw) {
		r.Fail(hits, "an array of hits")
	}
	c.Hits = r.RawJSON(hits)
	c.HitCount = r.Count(hits)
	return c
}

func decodeLegacyCheck(r *jsonfield.Reader, f jsonfield.Fields, group string) store.Check {
	results := f.Get("results")
	if k := jsonfield.Kind(results.Raw); k != "an array" && k != "an object" && !jsonfield.IsNull(results.Raw) {
		r.Fail(results, "an object of results")
	}
	return store.Check{
		ServiceGroupType: group,
		Suspected:        r.Flag(f.Get("suspected")),
		Hits:             r.RawJSON(results),
		HitCount:         r.Count(results),
	}
}
