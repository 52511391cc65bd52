# KYC Desk. `make run` starts the app with demo data; `make test` is what CI runs.
# `make help` lists the targets.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build
MAKEFLAGS += --no-print-directory

GO    ?= go
BIN   := bin/kycdesk
DATA  ?= ./data
ADDR  ?= 127.0.0.1:8080
PKGS  ?= ./...
# The version `kycdesk version` prints: git describe of the work tree (dev outside git).
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
# Extra flags for `go test` in `make test`, e.g. TESTFLAGS=-v or TESTFLAGS='-run TestBrowser'.
TESTFLAGS ?=
# `make bench BENCH=Ingest` runs only the benchmarks whose name matches.
BENCH     ?= .

.PHONY: help build generate run test deps check-generated check-fmt vet check-alerts test-go bench bench-scale screenshots clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

build: ## build bin/kycdesk
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/kycdesk

generate: ## regenerate views/*_templ.go from views/*.templ
	$(GO) tool templ generate

run: build ## build, load demo data into ./data on first run, serve on 127.0.0.1:8080
	@if [ ! -f $(DATA)/kycdesk.db ]; then \
		echo "run: no $(DATA)/kycdesk.db yet: loading demo data"; \
		./$(BIN) demo --data $(DATA); \
	fi
	./$(BIN) serve --addr $(ADDR) --data $(DATA)

deps: ## install Chromium + fonts (apt), the Playwright driver and face test photos (npm), litestream (Go module) and promtool (apt) when missing
	@bash scripts/install-browser.sh
	@bash scripts/install-driver.sh
	@bash scripts/install-tools.sh
	@bash scripts/install-face-samples.sh

# test runs every check even after one fails, so a CI run reports all of them, then fails
# if any did. deps comes first: without a browser the e2e tests fail.
test: deps ## generated code, gofmt, go vet, then go test -race of every package incl. e2e
	@results=(); failed=0; \
	for step in check-generated check-fmt vet check-alerts test-go; do \
		echo "==> $$step"; start=$$(date +%s); \
		if $(MAKE) $$step; then status=ok; else status=FAILED; failed=1; fi; \
		results+=("$$(printf '  %-16s %-6s %4ss' $$step $$status $$(( $$(date +%s) - start )))"); \
	done; \
	echo; echo "make test summary:"; printf '%s\n' "$${results[@]}"; \
	if [ $$failed -ne 0 ]; then echo "make test: FAILED"; exit 1; fi; \
	echo "make test: all checks passed"

check-generated: ## fail if templ generate changes *_templ.go (uncommitted generated code)
	@if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		echo "check-generated: not a git work tree: skipped"; exit 0; \
	fi; \
	before=$$(git status --porcelain -- '*_templ.go'); \
	log=$$(mktemp); trap 'rm -f "$$log"' EXIT; \
	if ! $(GO) tool templ generate >"$$log" 2>&1; then \
		cat "$$log"; echo "check-generated: 'go tool templ generate' failed (see above)"; exit 1; \
	fi; \
	after=$$(git status --porcelain -- '*_templ.go'); \
	if [ "$$before" != "$$after" ] || ! git diff --quiet -- '*_templ.go'; then \
		git status --short -- '*_templ.go'; \
		echo "check-generated: the *_templ.go files above are not what 'templ generate' makes from views/*.templ:"; \
		echo "check-generated: run 'make generate', then git add and commit the regenerated files"; \
		exit 1; \
	fi; \
	echo "check-generated: *_templ.go up to date"

check-fmt: ## fail listing the Go files gofmt would change
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		files=$$(git ls-files --cached --others --exclude-standard -- '*.go' | while read -r f; do if [ -f "$$f" ]; then echo "$$f"; fi; done); \
	else \
		files=$$(find . -name '*.go' -not -path './.git/*'); \
	fi; \
	bad=$$(if [ -n "$$files" ]; then gofmt -l $$files 2>&1 || true; fi); \
	if [ -n "$$bad" ]; then \
		echo "check-fmt: gofmt would change these files (run 'gofmt -w' on them):"; \
		echo "$$bad" | sed 's/^/  /'; exit 1; \
	fi; \
	echo "check-fmt: all Go files gofmt-clean"

vet: ## go vet every package
	$(GO) vet $(PKGS)

check-alerts: ## promtool check rules docs/alerts.yml (skipped, saying so, where promtool could not be installed)
	@if ! command -v promtool >/dev/null 2>&1; then \
		echo "check-alerts: SKIPPED: promtool is not installed (apt-get install prometheus could not run here)"; exit 0; \
	fi; \
	promtool check rules docs/alerts.yml

# KYCDESK_REQUIRE_TOOLS: the Litestream test fails instead of skipping when `make deps` did not build litestream.
# The 30-minute timeout is for a machine shared with other builds: quiet, the whole run takes a few
# minutes, but under a load of 20 the e2e and web packages each pass 10 minutes (go test's default).
test-go: ## go test -race -count=1 every package (no deps, no checks)
	KYCDESK_REQUIRE_TOOLS=1 $(GO) test $(strip -race -count=1 -timeout 30m $(TESTFLAGS)) $(PKGS)

bench: ## run the benchmarks the issues name and print a summary table (BENCH=regex narrows them)
	@BENCH='$(BENCH)' GO='$(GO)' bash scripts/bench.sh

bench-scale: ## seed 100k, 1M and 5M cases once (cached), time every page at each size (SCALE_SKIP_5M=1 skips 5M)
	@GO='$(GO)' bash scripts/bench-scale.sh

screenshots: deps ## write docs/*.png from the real app in Chromium
	KYCDESK_SCREENSHOTS=1 $(GO) test ./e2e -run 'TestScreenshots|TestDashboardAndEvidence' -count=1 -v

clean: ## remove bin/ (never the Go build cache)
	rm -rf bin
