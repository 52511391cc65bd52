// Package demo loads realistic demo cases into an empty KYC Desk database.
//
// Nothing is inserted behind the application's back: every case starts as a vendor body (a Mark ID
// webhook or a video-KYC callback) that goes through the real decoders (ingest.Decode) and the real
// ingest (store.DB.Ingest), so the raw deliveries, the quarantine, duplicates and case histories
// are what a live server would have stored. Only the media fetch is replaced: the bodies link to
// a reserved host that never resolves, and Load archives drawn pictures and a bundled video
// under those links itself, leaving a couple of links failed on purpose.
package demo

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/ingest"
)

// Summary says what Load stored.
type Summary struct {
	// Cases counts cases by source, overall status and review state, sorted.
	Cases []CaseCount
	// Deliveries by outcome.
	Stored, Duplicates, Quarantined int
	// Media rows archived and left failed; Bytes is the size of the archived rows.
	MediaArchived, MediaFailed int
	MediaBytes                 int64
	Users                      []User
}

// CaseCount is the number of cases with one source, overall status and review state.
type CaseCount struct {
	Source      store.Source
	Overall     string
	ReviewState string
	N           int
}

// User is a demo account. Password is empty when the account already existed and was left alone.
type User struct {
	Username, DisplayName string
	Roles                 []string
	Password              string
}

// TotalCases is the number of cases loaded.
func (s Summary) TotalCases() int {
	n := 0
	for _, c := range s.Cases {
		n += c.N
	}
	return n
}

// ErrNotEmpty is returned when the database already has cases: demo data never mixes with real data.
var ErrNotEmpty = errors.New("the database already has cases")

// The vendors' sending addresses and credentials as the demo deliveries record them. The
// signature is a real HMAC of each body, so a raw delivery checks out under the demo secret.
const (
	markIDSender   = "198.51.100.23"
	vcipSender     = "203.0.113.140"
	markIDSecret   = "demo-markid-webhook-secret"
	markIDSigField = "Idenfy-Signature"
)

// demoUsers are the accounts Load creates, one per role a reviewer meets.
var demoUsers = []struct {
	username, name string
	roles          []string
}{
	{"rev1", "Asha Menon", []string{store.RoleReviewer}},
	{"rev2", "Jonas Kazlauskas", []string{store.RoleReviewer}},
	{"sup1", "Olena Shevchenko", []string{store.RoleSupervisor, store.RoleReviewer}},
	{"aud1", "Mark Davies", []string{store.RoleAuditor}},
}

// loaderActor is who the audit log shows creating the demo accounts.
var loaderActor = store.Actor{Name: "demo-loader"}

// delivery is one demo callback ready to ingest, and the case content its media come from.
type delivery struct {
	source   store.Source
	at       time.Time
	body     []byte
	broken   bool // meant to fail decoding and land in the quarantine
	renderer renderer
}

// renderer draws the media a demo case links to.
type renderer interface {
	render(store.Media) ([]byte, error)
	failures() map[string]string
}

func (c *idCase) failures() map[string]string    { return c.failMedia }
func (v *videoCase) failures() map[string]string { return v.failMedia }

// Load stores the demo cases, their media and the demo users, with callbacks spread over the
// days before now. It refuses (ErrNotEmpty) a database that already has cases. Progress and
// the generated passwords go to log, once.
func Load(ctx context.Context, db *store.DB, blobs *store.Blobs, now time.Time, log io.Writer) (Summary, error) {
	var sum Summary
	counts, err := db.ReviewCounts(ctx)
	if err != nil {
		return sum, fmt.Errorf("demo: %w", err)
	}
	if counts.All > 0 {
		return sum, fmt.Errorf("demo: %w (%d); demo data loads only into an empty data directory", ErrNotEmpty, counts.All)
	}
	plan, err := buildPlan(now)
	if err != nil {
		return sum, err
	}
	owners := map[int64]renderer{}
	for _, d := range plan {
		res, err := ingestDelivery(ctx, db, d)
		if err != nil {
			return sum, err
		}
		switch res.Outcome {
		case store.OutcomeStored:
			sum.Stored++
			owners[res.CaseID] = d.renderer
		case store.OutcomeDuplicate:
			sum.Duplicates++
		case store.OutcomeQuarantined:
			sum.Quarantined++
		}
	}
	fmt.Fprintf(log, "demo: stored %d callbacks; %d re-delivered byte for byte (duplicate), %d quarantined\n",
		sum.Stored, sum.Duplicates, sum.Quarantined)
	if err := archiveMedia(ctx, db, blobs, owners, now, &sum); err != nil {
		return sum, err
	}
	fmt.Fprintf(log, "demo: archived %d media (%d KB), %d left failed on purpose\n", sum.MediaArchived, sum.MediaBytes/1024, sum.MediaFailed)
	if sum.Cases, err = countCases(ctx, db); err != nil {
		return sum, err
	}
	if sum.Users, err = createUsers(ctx, db); err != nil {
		return sum, err
	}
	fmt.Fprintln(log, "demo: users (passwords are shown this once):")
	for _, u := range sum.Users {
		pw := u.Password
		if pw == "" {
			pw = "(already existed: left unchanged)"
		}
		fmt.Fprintf(log, "  %-5s %-18s %-20s %s\n", u.Username, u.DisplayName, joinRoles(u.Roles), pw)
	}
	return sum, nil
}

// buildPlan renders every demo body, in the order the vendors would have sent them.
func buildPlan(now time.Time) ([]delivery, error) {
	var plan []delivery
	for _, c := range markIDCases(now) {
		for _, d := range c.deliveries {
			at := now.Add(-d.ago)
			body, err := c.body(d, at)
			if err != nil {
				return nil, err
			}
			plan = append(plan, delivery{source: store.SourceMarkID, at: at, body: body, renderer: c})
			if d.redeliver {
				plan = append(plan, delivery{source: store.SourceMarkID, at: at.Add(2 * time.Second), body: body, renderer: c})
			}
		}
	}
	for _, v := range videoCases() {
		body, err := v.body()
		if err != nil {
			return nil, err
		}
		plan = append(plan, delivery{source: store.SourceVCIP, at: now.Add(-v.ago), body: body, renderer: v})
	}
	plan = append(plan, quarantined(now)...)
	sort.SliceStable(plan, func(i, j int) bool { return plan[i].at.Before(plan[j].at) })
	return plan, nil
}

// ingestDelivery decodes and stores one delivery through the application's own path.
func ingestDelivery(ctx context.Context, db *store.DB, d delivery) (store.IngestResult, error) {
	snap, derr := ingest.Decode(d.source, d.body)
	if d.broken != (derr != nil) {
		return store.IngestResult{}, fmt.Errorf("demo: a %s body decoded unexpectedly (error %v):\n%s", d.source, derr, d.body)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Accept-Encoding", "gzip")
	remote := markIDSender
	if d.source == store.SourceMarkID {
		mac := hmac.New(sha256.New, []byte(markIDSecret))
		mac.Write(d.body)
		h.Set("User-Agent", "MarkID-Webhooks/2.3")
		h.Set(markIDSigField, hex.EncodeToString(mac.Sum(nil)))
	} else {
		remote = vcipSender
		h.Set("User-Agent", "axios/1.6.8")
		h.Set("Authorization", "Bearer demo-vcip-token") // the store redacts it
	}
	res, err := db.Ingest(ctx, &store.Incoming{Source: d.source, ReceivedAt: d.at, RemoteAddr: remote,
		Headers: h, Body: d.body, Snapshot: snap, DecodeErr: derr})
	if err != nil {
		return store.IngestResult{}, fmt.Errorf("demo: ingest: %w", err)
	}
	if d.broken != (res.Outcome == store.OutcomeQuarantined) {
		return store.IngestResult{}, fmt.Errorf("demo: a %s delivery was %s (%s), not as planned", d.source, res.Outcome, res.Error)
	}
	return res, nil
}

// quarantined are the deliveries no decoder can use: the vendor's published example with its
// syntax errors, and a video-KYC "call dropped" notice that names no session.
func quarantined(now time.Time) []delivery {
	at := now.Add(-20*time.Hour - 12*time.Minute)
	vcipAt := now.Add(-31*time.Hour - 5*time.Minute)
	return []delivery{
		{source: store.SourceMarkID, at: at, broken: true,
			body: brokenMarkID(scanRef("broken-spec-shape"), at.Add(-9*time.Minute).Unix(), at.Add(-time.Minute).Unix())},
		{source: store.SourceVCIP, at: vcipAt, broken: true, body: []byte(`{
	"data": {
		"_id": "` + token("dropped-call", 24, lowerHex) + `",
		"name": "Farhan Qureshi",
		"email": "farhan.q@example.in",
		"status": "CALL_DISCONNECTED",
		"disconnectReason": "customer network lost",
		"instructions": []
	},
	"callbackParameters": {
		"id": "APP-2024-001377",
		"branch": "Hyderabad-Banjara Hills"
	}
}`)},
	}
}

func countCases(ctx context.Context, db *store.DB) ([]CaseCount, error) {
	type k struct {
		src             store.Source
		overall, review string
	}
	n := map[k]int{}
	if err := db.StreamCases(ctx, func(r store.CaseRow) error {
		n[k{r.Source, r.Overall, r.ReviewState}]++
		return nil
	}); err != nil {
		return nil, fmt.Errorf("demo: count cases: %w", err)
	}
	var out []CaseCount
	for key, c := range n {
		out = append(out, CaseCount{Source: key.src, Overall: key.overall, ReviewState: key.review, N: c})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		if a.Overall != b.Overall {
			return a.Overall < b.Overall
		}
		return a.ReviewState < b.ReviewState
	})
	return out, nil
}

// createUsers adds the demo accounts with fresh passwords, skipping any username already taken.
func createUsers(ctx context.Context, db *store.DB) ([]User, error) {
	var out []User
	for _, du := range demoUsers {
		u := User{Username: du.username, DisplayName: du.name, Roles: du.roles}
		existing, err := db.UserByUsername(ctx, du.username)
		switch {
		case err == nil:
			u.DisplayName, u.Roles = existing.DisplayName, existing.Roles
			out = append(out, u)
			continue
		case !errors.Is(err, store.ErrNotFound):
			return nil, fmt.Errorf("demo: user %s: %w", du.username, err)
		}
		pw, err := store.GeneratePassword()
		if err != nil {
			return nil, fmt.Errorf("demo: user %s: %w", du.username, err)
		}
		hash, err := store.HashPassword(pw, store.DefaultBcryptCost)
		if err != nil {
			return nil, fmt.Errorf("demo: user %s: %w", du.username, err)
		}
		if _, err := db.CreateUser(ctx, loaderActor, du.username, du.name, hash, du.roles); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		u.Password = pw
		out = append(out, u)
	}
	return out, nil
}

func joinRoles(roles []string) string {
	s := ""
	for i, r := range roles {
		if i > 0 {
			s += ","
		}
		s += r
	}
	return s
}
