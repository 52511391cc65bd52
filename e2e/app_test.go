package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/playwright-community/playwright-go"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/store/storetest"
	"github.com/kycdesk/kycdesk/web"
)

// Credentials the e2e app accepts on its webhooks.
const (
	markIDSecret = "e2e-secret"
	vcipToken    = "e2e-token"
)

// seedNow is the app's "now" while the browser looks at it. The clock stands still there, so
// waited times, ages, SLA flags and the README screenshots come out the same on every run.
var seedNow = time.Date(2026, 11, 20, 14, 30, 0, 0, time.UTC)

// appEnv is one running KYC Desk with its seeded cases and users.
type appEnv struct {
	url     string // http://127.0.0.1:port
	dataDir string
	app     *web.App
	clock   *storetest.Clock
	seed    *seedSet
	cases   map[string]int64 // seed key → case ID

	mu     sync.Mutex
	states map[string]string // username → storage-state file of a signed-in browser context
	// attempts reports the result of each outbound webhook attempt once it is recorded.
	attempts chan string
}

// appOptions are what startApp's options change.
type appOptions struct {
	hostile   bool              // seed the hostile case
	addr      string            // listen here instead of a free port the app picks
	configure func(*web.Config) // adjust the configuration before the app is made
}

// appOption adjusts startApp.
type appOption func(*appOptions)

// withoutHostileCase leaves the hostile case out, e.g. for the README screenshots.
func withoutHostileCase() appOption { return func(o *appOptions) { o.hostile = false } }

// startApp starts the real application the way `kycdesk serve` does (web.New, Start, Serve)
// on 127.0.0.1:0 with a fresh data directory, seeds it through signed webhook posts and the
// `kycdesk user add` CLI, and waits until the media fetcher has archived every file.
// Everything stops when the test ends.
func startApp(t *testing.T, opts ...appOption) *appEnv {
	t.Helper()
	o := appOptions{hostile: true}
	for _, opt := range opts {
		opt(&o)
	}
	bin := kycdeskBinary(t)
	seed := newSeedSet(o.hostile)
	// The media server holds every download until all callbacks are in, so that the fetcher
	// archives everything at seedNow: the pages show the same fetch times on every run.
	mediaOpen := make(chan struct{})
	media := seed.mediaServer(t, mediaOpen) // started first so that it stops after the app
	openMedia := sync.OnceFunc(func() { close(mediaOpen) })
	t.Cleanup(openMedia) // let held downloads go if the test fails while seeding

	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "kycdesk.db"))
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	key := make([]byte, 64)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	clock := storetest.NewClock(seedNow) // it moves only when seeding sets it
	cfg := web.Config{
		DataDir:            dir,
		SessionKey:         key,
		MarkIDSecrets:      []string{markIDSecret},
		VCIPTokens:         []string{vcipToken},
		LoginRatePerMinute: 10000,
		FourEyesVCIP:       store.DefaultRules().NeedsFourEyes(store.SourceVCIP),
		RequireMFA:         web.MFAOff, // the sign-in tests of the second factor turn it on
		Logger:             slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelError})),
		Now:                clock.Now,
	}
	cfg.Media.AllowPrivate = true // the media server is on 127.0.0.1
	cfg.Media.PollInterval = 50 * time.Millisecond
	cfg.Outbound.AllowHosts = []string{"127.0.0.1"} // the bank's receiver in webhooks_test.go
	attempts := make(chan string, 100)
	cfg.Outbound.OnAttempt = func(r string) {
		select {
		case attempts <- r:
		default:
		}
	}
	if o.configure != nil {
		o.configure(&cfg)
	}
	addr := "127.0.0.1:0"
	if o.addr != "" {
		addr = o.addr
	}
	app, err := web.New(cfg, db)
	if err != nil {
		db.Close()
		t.Fatalf("web.New: %v", err)
	}
	app.Start()
	ctx, stop := context.WithCancel(context.Background())
	addrc, served := make(chan string, 1), make(chan struct{})
	var serveErr error
	go func() {
		defer close(served)
		serveErr = app.Serve(ctx, &http.Server{Addr: addr}, func(addr string) { addrc <- addr })
	}()
	t.Cleanup(func() {
		stop()
		<-served
		if serveErr != nil {
			t.Errorf("app.Serve: %v", serveErr)
		}
		app.Close()
		if err := db.Close(); err != nil {
			t.Errorf("close database: %v", err)
		}
	})
	env := &appEnv{dataDir: dir, app: app, clock: clock, seed: seed, states: map[string]string{}, attempts: attempts}
	select {
	case addr := <-addrc:
		env.url = "http://" + addr
	case <-served:
		t.Fatalf("app.Serve: %v", serveErr)
	}

	// Users come from the real CLI, which opens the same database file while the app runs.
	var users sync.WaitGroup
	t.Cleanup(users.Wait) // before the data directory goes
	userErrs := make([]error, len(seed.users))
	for i, u := range seed.users {
		users.Go(func() { userErrs[i] = addUser(bin, dir, u) })
	}
	for _, d := range seed.deliveries(media.URL) {
		clock.Set(seedNow.Add(-d.ago))
		env.postWebhook(t, d)
	}
	clock.Set(seedNow)
	openMedia()
	users.Wait()
	if err := errors.Join(userErrs...); err != nil {
		t.Fatal(err)
	}
	env.cases = env.waitForSeed(t)
	return env
}

// testLog sends the app's error log to the test log.
type testLog struct{ t testing.TB }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Logf("app: %s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}

// postWebhook delivers one callback with the vendor's authentication: the hex HMAC-SHA256 of
// the body for Mark ID, the bearer token for video KYC.
func (e *appEnv) postWebhook(t *testing.T, d delivery) {
	t.Helper()
	path := "/webhooks/markid"
	if d.source == store.SourceVCIP {
		path = "/webhooks/vcip"
	}
	req, err := http.NewRequest(http.MethodPost, e.url+path, bytes.NewReader(d.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if d.source == store.SourceVCIP {
		req.Header.Set("Authorization", "Bearer "+vcipToken)
	} else {
		mac := hmac.New(sha256.New, []byte(markIDSecret))
		mac.Write(d.body)
		req.Header.Set("Idenfy-Signature", hex.EncodeToString(mac.Sum(nil)))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s (%s) = %d %s, want 200", req.URL.Path, d.key, resp.StatusCode, body)
	}
	// The 200 means the raw bytes are on disk; the case is derived just after. Wait for it on the
	// store's derivation signal, so a page opened next shows it.
	var reply struct {
		DeliveryID int64 `json:"deliveryId"`
	}
	if err := json.Unmarshal(body, &reply); err != nil || reply.DeliveryID == 0 {
		t.Fatalf("POST %s (%s): no delivery id in %s", req.URL.Path, d.key, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := e.app.DB().WaitDerived(ctx, reply.DeliveryID); err != nil {
		t.Fatalf("POST %s (%s): %v", req.URL.Path, d.key, err)
	}
}

// waitForSeed polls the store until every seeded case exists and the media fetcher has
// archived every file, and returns the case IDs by seed key.
func (e *appEnv) waitForSeed(t *testing.T) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	db := e.app.DB()
	refs := map[store.Source][]string{}
	for _, c := range e.seed.cases {
		refs[c.source] = append(refs[c.source], c.ref)
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ids := map[string]int64{}
		for src, rs := range refs {
			found, err := db.CasesByRef(ctx, src, rs)
			if err != nil {
				t.Fatalf("CasesByRef: %v", err)
			}
			for _, c := range e.seed.cases {
				if id, ok := found[c.ref]; ok && c.source == src {
					ids[c.key] = id
				}
			}
		}
		st, err := db.MediaStats(ctx)
		if err != nil {
			t.Fatalf("MediaStats: %v", err)
		}
		if st.Failed > 0 {
			t.Fatalf("media fetcher gave up on %d of the seeded files (stats %+v)", st.Failed, st)
		}
		if len(ids) == len(e.seed.cases) && st.Queued == 0 && st.Archived == e.seed.mediaRows {
			return ids
		}
		if time.Now().After(deadline) {
			t.Fatalf("seeding: after 30s %d of %d cases exist and media stats are %+v, want %d archived",
				len(ids), len(e.seed.cases), st, e.seed.mediaRows)
		}
		<-tick.C
	}
}

// caseID is the ID of a seeded case.
func (e *appEnv) caseID(t *testing.T, key string) int64 {
	t.Helper()
	id, ok := e.cases[key]
	if !ok {
		t.Fatalf("no seeded case %q", key)
	}
	return id
}

// casePath is the address of a seeded case's page.
func (e *appEnv) casePath(t *testing.T, key string) string {
	return fmt.Sprintf("/cases/%d", e.caseID(t, key))
}

// user is a seeded account.
func (e *appEnv) user(t *testing.T, username string) seedUser {
	t.Helper()
	for _, u := range e.seed.users {
		if u.username == username {
			return u
		}
	}
	t.Fatalf("no seeded user %q", username)
	return seedUser{}
}

// withStorageState starts the context signed in, from a state saved by pageAs.
func withStorageState(path string) contextOption {
	return func(o *playwright.BrowserNewContextOptions) { o.StorageStatePath = playwright.String(path) }
}

// pageAs opens a page in a fresh browser context signed in as username. The first call per
// user signs in through the login form; later calls reuse that session's cookies, because a
// password check costs over a second under -race.
func (e *appEnv) pageAs(t *testing.T, username string, opts ...contextOption) playwright.Page {
	t.Helper()
	e.mu.Lock()
	state := e.states[username]
	e.mu.Unlock()
	if state != "" {
		return newPageWith(t, e.url, append([]contextOption{withStorageState(state)}, opts...)...)
	}
	page := newPageWith(t, e.url, opts...)
	u := e.user(t, username)
	signIn(t, page, u.username, u.password)
	if err := expect.Locator(page.GetByTestId("nav-user")).ToHaveText(u.username, slow); err != nil {
		t.Fatalf("sign in as %s: %v", username, err)
	}
	state = filepath.Join(e.dataDir, "browser-state-"+username+".json")
	if _, err := page.Context().StorageState(state); err != nil {
		t.Fatalf("save the browser state of %s: %v", username, err)
	}
	e.mu.Lock()
	e.states[username] = state
	e.mu.Unlock()
	return page
}

// slow is the longest wait for a sign-in: bcrypt at the CLI's cost takes a second or more under
// -race, and many more on a machine busy with other builds.
var slow = playwright.LocatorAssertionsToHaveTextOptions{Timeout: playwright.Float(45000)}

// signIn fills and submits the login form and waits for the server's answer, not for the page
// that follows.
func signIn(t *testing.T, page playwright.Page, username, password string) {
	t.Helper()
	if _, err := page.Goto("/login"); err != nil {
		t.Fatalf("Goto(/login) = %v", err)
	}
	must(t, page.GetByTestId("login-username").Fill(username))
	must(t, page.GetByTestId("login-password").Fill(password))
	// Wait for the server's answer to this POST, however long bcrypt takes on a busy machine (more
	// than Playwright's action timeout under -race): a later step must not overtake this sign-in.
	_, err := page.ExpectResponse(regexp.MustCompile(`/login(\?.*)?$`), func() error {
		return page.GetByTestId("login-submit").Click(playwright.LocatorClickOptions{NoWaitAfter: playwright.Bool(true)})
	}, playwright.PageExpectResponseOptions{Timeout: playwright.Float(90000)})
	must(t, err)
}

// gotoPath loads path and fails the test if the page did not answer 200.
func gotoPath(t *testing.T, page playwright.Page, path string) {
	t.Helper()
	resp, err := page.Goto(path)
	if err != nil {
		t.Fatalf("Goto(%s) = %v", path, err)
	}
	if resp.Status() != http.StatusOK {
		t.Fatalf("Goto(%s) = %d, want 200", path, resp.Status())
	}
}

// must fails the test on a Playwright action's error.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// evalTo evaluates expression in the page (with arg) and converts the result to T.
func evalTo[T any](t *testing.T, page playwright.Page, expression string, arg ...any) T {
	t.Helper()
	v, err := page.Evaluate(expression, arg...)
	if err != nil {
		t.Fatalf("Evaluate(%s) = %v", expression, err)
	}
	got, ok := v.(T)
	if !ok {
		var zero T
		t.Fatalf("Evaluate(%s) = %#v (%T), want a %T", expression, v, v, zero)
	}
	return got
}

// cli is the kycdesk binary built once per package run.
var cli struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// kycdeskBinary builds ./cmd/kycdesk once per package run (without -race: the CLI hashes
// passwords, which -race makes ten times slower) and returns its path.
func kycdeskBinary(t *testing.T) string {
	t.Helper()
	cli.once.Do(func() { cli.path, cli.err = buildCLI() })
	if cli.err != nil {
		t.Fatalf("e2e: build the CLI: %v", cli.err)
	}
	return cli.path
}

func buildCLI() (string, error) {
	root := ".."
	if out, err := exec.Command("go", "env", "GOMOD").Output(); err == nil {
		if mod := strings.TrimSpace(string(out)); mod != "" && mod != os.DevNull {
			root = filepath.Dir(mod)
		}
	}
	dir, err := os.MkdirTemp("", "kycdesk-e2e-")
	if err != nil {
		return "", err
	}
	cli.dir = dir
	bin := filepath.Join(dir, "kycdesk")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/kycdesk")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/kycdesk in %s: %w\n%s", root, err, out)
	}
	return bin, nil
}

// removeCLI deletes the binary built for the run; TestMain calls it.
func removeCLI() error {
	if cli.dir == "" {
		return nil
	}
	return os.RemoveAll(cli.dir)
}

// addUser runs `kycdesk user add` with the password on standard input.
func addUser(bin, dataDir string, u seedUser) error {
	cmd := exec.Command(bin, "user", "add", "--data", dataDir, "--username", u.username, "--name", u.name,
		"--role", u.roles, "--password-stdin")
	cmd.Stdin = strings.NewReader(u.password + "\n")
	cmd.Env = append(os.Environ(), "USER=e2e")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("kycdesk user add --username %s: %w: %s", u.username, err, out)
	}
	if !bytes.Contains(out, []byte("created "+u.username)) {
		return errors.New("kycdesk user add: unexpected output: " + string(out))
	}
	return nil
}

// mediaServer serves the seed's generated images and the video on 127.0.0.1, as the vendors'
// pre-signed links would; Range requests work (http.ServeContent). Requests wait until open
// is closed.
func (s *seedSet) mediaServer(t *testing.T, open <-chan struct{}) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-open:
		case <-r.Context().Done():
			return
		}
		f, ok := s.files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.contentType)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.data))
	}))
	t.Cleanup(srv.Close)
	return srv
}
