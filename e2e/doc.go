// Package e2e holds the browser tests: they start KYC Desk in-process on 127.0.0.1:0 and
// drive it with Playwright in Debian's Chromium, asserting what a person sees.
//
// `make deps` installs what they need (Chromium from apt, the Playwright driver from npm);
// without it the tests fail and say so. HEADED=1 shows the browser, E2E_SLOWMO=250 slows
// each action by 250 ms, PLAYWRIGHT_DRIVER_PATH points at a driver directory elsewhere.
// A failing test leaves a screenshot and the page HTML in e2e/artifacts/.
package e2e
