package e2e

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/playwright-community/playwright-go"
)

// expect asserts with Playwright's retrying assertions, waiting up to 5 s.
var expect = playwright.NewPlaywrightAssertions(5000)

// browserStarter starts Playwright and Chromium at most once per package run, on first use,
// so that a run selecting no browser test (go test -run '^$' -bench .) needs no browser.
type browserStarter struct {
	once    sync.Once
	pw      *playwright.Playwright
	browser playwright.Browser
	err     error
}

// chromium is the package's one browser; TestMain stops it after the tests.
var chromium browserStarter

// TestMain runs the tests, then closes the browser and removes the CLI binary if a test made them.
func TestMain(m *testing.M) {
	code := m.Run()
	if err := chromium.stop(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: stop browser:", err)
	}
	if err := removeCLI(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: remove the CLI built for the tests:", err)
	}
	os.Exit(code)
}

// get returns the shared browser, starting it on the first call.
func (s *browserStarter) get() (playwright.Browser, error) {
	s.once.Do(func() { s.pw, s.browser, s.err = launch() })
	return s.browser, s.err
}

func (s *browserStarter) stop() error {
	var errs []error
	if s.browser != nil {
		errs = append(errs, s.browser.Close())
	}
	if s.pw != nil {
		errs = append(errs, s.pw.Stop())
	}
	return errors.Join(errs...)
}

// launch starts the Playwright driver that `make deps` built and Debian's Chromium.
func launch() (*playwright.Playwright, playwright.Browser, error) {
	dir, err := driverDirectory()
	if err != nil {
		return nil, nil, err
	}
	chromiumPath := "/usr/lib/chromium/chromium" // skips the wrapper script of /usr/bin/chromium
	if _, err := os.Stat(chromiumPath); err != nil {
		chromiumPath = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		return nil, nil, fmt.Errorf("no Chromium at %s: run `make deps`", chromiumPath)
	}

	pw, err := playwright.Run(&playwright.RunOptions{DriverDirectory: dir, SkipInstallBrowsers: true, Verbose: false})
	if err != nil {
		return nil, nil, fmt.Errorf("start Playwright driver in %s: %w: run `make deps`", dir, err)
	}
	opts := playwright.BrowserTypeLaunchOptions{
		ExecutablePath: playwright.String(chromiumPath),
		Headless:       playwright.Bool(os.Getenv("HEADED") != "1"),
		// The machine has no network but loopback: keep Chromium from dialling out.
		Args: []string{
			"--disable-background-networking", "--disable-component-update",
			"--no-first-run", "--disable-sync", "--disable-quic",
		},
	}
	if v := os.Getenv("E2E_SLOWMO"); v != "" {
		ms, err := strconv.ParseFloat(v, 64)
		if err != nil {
			_ = pw.Stop()
			return nil, nil, fmt.Errorf("E2E_SLOWMO=%q: want milliseconds: %w", v, err)
		}
		opts.SlowMo = playwright.Float(ms)
	}
	browser, err := pw.Chromium.Launch(opts)
	if err != nil {
		_ = pw.Stop()
		return nil, nil, fmt.Errorf("launch %s: %w: run `make deps`", chromiumPath, err)
	}
	return pw, browser, nil
}

// driverDirectory is where playwright-go looks for its driver: $PLAYWRIGHT_DRIVER_PATH,
// else ~/.cache/ms-playwright-go/<pinned version>, as scripts/install-driver.sh builds it.
func driverDirectory() (string, error) {
	if dir := os.Getenv("PLAYWRIGHT_DRIVER_PATH"); dir != "" {
		return dir, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the Playwright driver: %w", err)
	}
	// NewDriver only computes options; it is the one exported place the pinned version shows.
	driver, err := playwright.NewDriver(&playwright.RunOptions{DriverDirectory: "unused", SkipInstallBrowsers: true})
	if err != nil {
		return "", fmt.Errorf("find the Playwright driver: %w", err)
	}
	return filepath.Join(home, ".cache", "ms-playwright-go", driver.Version), nil
}
