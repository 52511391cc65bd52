package markid

import (
	"strings"

	"github.com/kycdesk/kycdesk/store"
)

// decodeChecks reads the AML or LID results. Current senders use an upper-case array (`AML: [...]`);
// older ones a lower-case key holding one result object or, before 2019, `{suspected, results}`.
// Both keys are read: JSON keys are case-sensitive, so they are different fields.
func decodeChecks(r *reader, top fields, group string) []store.Check {
	var out []store.Check
	for _, n := range []node{top.get(group), top.get(strings.ToLower(group))} {
		switch kind(n.raw) {
		case "an array":
			for _, e := range r.array(n) {
				if !isNull(e.raw) {
					out = append(out, decodeCheck(r, r.object(e), group))
				}
			}
		case "an object":
			f := r.object(n)
			if isLegacyCheck(f) {
				out = append(out, decodeLegacyCheck(r, f, group))
			} else {
				out = append(out, decodeCheck(r, f, group))
			}
		case "absent", "null":
		default:
			r.fail(n, "an array of results")
		}
	}
	return out
}

// isLegacyCheck reports whether f is the 2018 shape `{"suspected": false, "results": {}}`.
func isLegacyCheck(f fields) bool {
	_, suspected := f.m["suspected"]
	_, results := f.m["results"]
	_, status := f.m["status"]
	return (suspected || results) && !status
}

func decodeCheck(r *reader, f fields, group string) store.Check {
	st := r.object(f.get("status"))
	c := store.Check{
		ServiceName:      r.str(f.get("serviceName")),
		ServiceGroupType: r.str(f.get("serviceGroupType")),
		OverallStatus:    r.str(st.get("overallStatus")),
		Suspected:        r.flag(st.get("serviceSuspected")),
		CheckSuccessful:  r.flag(st.get("checkSuccessful")),
		ServiceFound:     r.flag(st.get("serviceFound")),
		ServiceUsed:      r.flag(st.get("serviceUsed")),
		ErrorMessage:     r.str(f.get("errorMessage")),
		UID:              r.str(f.get("uid")),
	}
	if c.ServiceGroupType == "" { // the Fraud API element has none; the key it came under says it
		c.ServiceGroupType = group
	}
	hits := f.get("data")
	if k := kind(hits.raw); k != "an array" && k != "an object" && !isNull(hits.raw) {
		r.fail(hits, "an array of hits")
	}
	c.Hits = r.rawJSON(hits)
	c.HitCount = r.count(hits)
	return c
}

func decodeLegacyCheck(r *reader, f fields, group string) store.Check {
	results := f.get("results")
	if k := kind(results.raw); k != "an array" && k != "an object" && !isNull(results.raw) {
		r.fail(results, "an object of results")
	}
	return store.Check{
		ServiceGroupType: group,
		Suspected:        r.flag(f.get("suspected")),
		Hits:             r.rawJSON(results),
		HitCount:         r.count(results),
	}
}
