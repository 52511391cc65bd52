// Package e2e holds the browser tests: they start KYC Desk in-process on 127.0.0.1:0 and
// drive it with Playwright in Debian's Chromium, asserting what a person sees.
//
// startApp (app_test.go) runs the real wiring of `kycdesk serve` (web.New, Start, Serve) on a
// fresh data directory, with a clock that stands still at a fixed instant. It seeds the app
// the way production is fed: signed Mark ID and bearer-token video-KYC webhook posts whose media
// links point at a local server of generated PNGs and a WebM, and accounts made by the
// `kycdesk user add` CLI (built once per run). It returns when the media fetcher has archived
// every file. The seed (seed_test.go) has named cases for each flow: SUSPECTED, APPROVED and
// DENIED identity verifications, video-KYC sessions with translated instructions, and one
// case made of hostile strings.
//
// Chromium starts once per run, on first use. Each test signs a user in through the form once
// per app and reuses the session in fresh browser contexts (pageAs).
//
// `make deps` installs what they need (Chromium and fonts-noto-core from apt, the Playwright
// driver from npm); without it the tests fail and say so. HEADED=1 shows the browser,
// E2E_SLOWMO=250 slows each action by 250 ms, PLAYWRIGHT_DRIVER_PATH points at a driver
// directory elsewhere. A failing test leaves a screenshot and the page HTML of each of its
// browser pages in e2e/artifacts/; the instructions test also leaves its picture of Hindi
// instructions there (instructions-hindi.png). TestScreenshots writes the README's docs/*.png
// (`make screenshots` runs it alone).
package e2e
