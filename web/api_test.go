package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/kycdesk/kycdesk/store"
)

// apiGet calls the read API with a bearer token ("" for none) and decodes the JSON answer.
func (ta *testApp) apiGet(t testing.TB, path, token string, into any) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, ta.url+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET %s: Content-Type %q, want JSON (%s)", path, ct, body)
	}
	if into != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, into); err != nil {
			t.Fatalf("GET %s: %v in %s", path, err, body)
		}
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
			t.Errorf("GET %s = %d with %s, want a JSON error sentence", path, resp.StatusCode, body)
		}
		return resp.StatusCode, e.Error
	}
	return resp.StatusCode, ""
}

// addToken creates an API token with scopes and returns it.
func (ta *testApp) addToken(t testing.TB, name string, scopes ...string) (string, store.APIToken) {
	t.Helper()
	token, err := NewAPIToken()
	if err != nil {
		t.Fatal(err)
	}
	tk, err := ta.db.CreateToken(context.Background(), store.Actor{Name: "admin"}, name, token, scopes)
	if err != nil {
		t.Fatal(err)
	}
	return token, tk
}

// decideDirect ingests a SUSPECTED Mark ID case and has actor allow it through the store.
func (ta *testApp) decideDirect(t testing.TB, actor store.Actor, ref string) {
	t.Helper()
	ctx := context.Background()
	res, err := ta.db.Ingest(ctx, &store.Incoming{Source: store.SourceMarkID, ReceivedAt: ta.clock.Now(), Body: []byte(ref),
		Snapshot: &store.Snapshot{Source: store.SourceMarkID, Ref: ref, ClientID: "c-" + ref, Status: store.Status{Overall: store.StatusSuspected}}})
	if err != nil {
		t.Error(err)
		return
	}
	if err := ta.db.Claim(ctx, actor, res.CaseID); err != nil {
		t.Error(err)
		return
	}
	if _, err := ta.db.Decide(ctx, actor, store.DecisionInput{CaseID: res.CaseID, Outcome: store.OutcomeAllow,
		ReasonCode: "face_matches", Note: "ok"}); err != nil {
		t.Error(err)
	}
}

type decisionsPage struct {
	Decisions []apiEvent `json:"decisions"`
	Next      string     `json:"next"`
}

// TestAPITokensScopesAndRevocation: no token, a wrong one, a revoked one and one without the
// scope are refused with JSON sentences, never a login redirect; uses are counted; case reads
// are audited under the token.
func TestAPITokensScopesAndRevocation(t *testing.T) {
	ta := newTestApp(t, withConfig(func(c *Config) { c.BaseURL = "https://desk.bank.test" }))
	rev := ta.loginAs(t, "rev", store.RoleReviewer)
	ta.postMarkID(t, suspected("scan-api", "ANNA", "VALID").Body())
	id := ta.caseIDByRef(t, store.SourceMarkID, "scan-api")
	rev.postForm(fmt.Sprintf("/cases/%d/claim", id), nil)
	wantStatus(t, "decide", decide(rev, id, "decline", "document_forged", "Photo page replaced."), http.StatusOK)

	feed, feedTok := ta.addToken(t, "onboarding", store.ScopeDecisionsRead)
	cases, _ := ta.addToken(t, "support", store.ScopeCasesRead)
	for _, tc := range []struct{ name, path, token string }{
		{"no token", "/api/v1/decisions", ""},
		{"unknown token", "/api/v1/decisions", "kdt_not-a-token-at-all-0123456789abcdef"},
	} {
		if st, _ := ta.apiGet(t, tc.path, tc.token, nil); st != http.StatusUnauthorized {
			t.Errorf("%s: %s = %d, want 401", tc.name, tc.path, st)
		}
	}
	if st, msg := ta.apiGet(t, "/api/v1/cases/markid/scan-api", feed, nil); st != http.StatusForbidden || !strings.Contains(msg, "cases:read") {
		t.Errorf("decisions-only token on a case = %d %q, want 403 naming cases:read", st, msg)
	}
	if st, _ := ta.apiGet(t, "/api/v1/decisions", cases, nil); st != http.StatusForbidden {
		t.Errorf("cases-only token on the feed = %d, want 403", st)
	}
	// A signed-in reviewer's cookie is not an API credential.
	req, _ := http.NewRequest(http.MethodGet, ta.url+"/api/v1/decisions", nil)
	resp, err := rev.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("feed with a session cookie = %d, want 401", resp.StatusCode)
	}

	var page decisionsPage
	if st, _ := ta.apiGet(t, "/api/v1/decisions", feed, &page); st != http.StatusOK || len(page.Decisions) != 1 {
		t.Fatalf("feed = %d with %d decisions, want 200 with 1", st, len(page.Decisions))
	}
	d := page.Decisions[0].Data
	if page.Decisions[0].Type != store.EventDecided || d.Ref != "scan-api" || d.Outcome != "decline" || d.ReasonCode != "document_forged" ||
		d.ReasonLabel == "" || d.DecidedBy != "rev" || d.CaseURL != fmt.Sprintf("https://desk.bank.test/cases/%d", id) || page.Next != fmt.Sprint(d.Sequence) {
		t.Errorf("feed item = %+v next %s, want the decline of scan-api by rev with its label, URL and sequence", page.Decisions[0], page.Next)
	}

	var c apiCase
	if st, _ := ta.apiGet(t, "/api/v1/cases/markid/scan-api", cases, &c); st != http.StatusOK {
		t.Fatalf("case read = %d", st)
	}
	if c.ReviewState != store.ReviewDecided || len(c.Decisions) != 1 || c.Decisions[0].DecidedBy != "rev" || c.Decisions[0].Note != "Photo page replaced." {
		t.Errorf("case = %+v, want decided with rev's decline", c)
	}
	if st, _ := ta.apiGet(t, "/api/v1/cases/markid/no-such-ref", cases, nil); st != http.StatusNotFound {
		t.Errorf("unknown case = %d, want 404", st)
	}
	entries, _, err := ta.db.ListAudit(context.Background(), store.AuditFilter{Action: "api.case.read"}, 0, 10)
	if err != nil || len(entries) != 1 || entries[0].Actor != "token:support" {
		t.Errorf("audited case reads = %+v (%v), want one (the found case) under token:support", entries, err)
	}

	tk, _ := ta.db.TokenByID(context.Background(), feedTok.ID)
	if tk.Uses != 2 || tk.LastUsedAt.IsZero() {
		t.Errorf("feed token used %d times, last %v; want 2 uses counted (the refusal for scope too)", tk.Uses, tk.LastUsedAt)
	}
	if err := ta.db.RevokeToken(context.Background(), store.Actor{Name: "admin"}, feedTok.ID); err != nil {
		t.Fatal(err)
	}
	if st, _ := ta.apiGet(t, "/api/v1/decisions", feed, nil); st != http.StatusUnauthorized {
		t.Errorf("revoked token = %d, want 401", st)
	}
	if st, _ := ta.apiGet(t, "/api/v1/decisions?after=-4", cases, nil); st != http.StatusForbidden {
		t.Errorf("bad cursor with the wrong scope = %d, want 403 before the cursor is looked at", st)
	}
}

// TestAPIDecisionsFeedUnderConcurrentDecisions pages the feed three at a time while decisions
// are being made: every decision appears exactly once, in sequence order.
func TestAPIDecisionsFeedUnderConcurrentDecisions(t *testing.T) {
	ta := newTestApp(t)
	token, _ := ta.addToken(t, "onboarding", store.ScopeDecisionsRead)
	const deciders, each = 4, 15
	var wg sync.WaitGroup
	for r := range deciders {
		name := fmt.Sprintf("rev%d", r)
		ta.addUser(t, name, store.RoleReviewer)
		actor := store.Actor{ID: ta.userID(t, name), Name: name}
		wg.Go(func() {
			for i := range each {
				ta.decideDirect(t, actor, fmt.Sprintf("scan-%d-%02d", r, i))
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	seen := map[string]bool{}
	var last int64
	cursor := ""
	finished := false
	for !finished {
		select {
		case <-done:
			finished = true // one more full pass after the last decision
		default:
		}
		for {
			var page decisionsPage
			if st, _ := ta.apiGet(t, "/api/v1/decisions?limit=3&after="+cursor, token, &page); st != http.StatusOK {
				t.Fatalf("feed = %d", st)
			}
			for _, d := range page.Decisions {
				if seen[d.Data.Ref] {
					t.Errorf("%s appeared twice in the feed", d.Data.Ref)
				}
				if d.Data.Sequence <= last {
					t.Errorf("sequence %d after %d: not increasing", d.Data.Sequence, last)
				}
				seen[d.Data.Ref], last = true, d.Data.Sequence
			}
			cursor = page.Next
			if len(page.Decisions) < 3 {
				break
			}
		}
	}
	if len(seen) != deciders*each {
		t.Errorf("the feed showed %d decisions, want %d", len(seen), deciders*each)
	}
}
