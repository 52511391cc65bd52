#!/usr/bin/env bash
# Installs the operations tools the tests use, when missing:
#  - litestream, built from its Go module through the Go module proxy (no prebuilt download),
#    into a cache outside the repository: ${KYCDESK_TOOLS:-~/.cache/kycdesk-tools}/litestream;
#  - promtool, from Debian's prometheus package (apt-get, as root), to check docs/alerts.yml.
# Idempotent: does nothing when both are there. The Litestream build takes ~2.5 min once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

litestream_version=v0.5.18
tools=${KYCDESK_TOOLS:-$HOME/.cache/kycdesk-tools}
bin="$tools/litestream"

if [ -x "$bin" ] && "$bin" version 2>/dev/null | grep -q "${litestream_version#v}"; then
	echo "install-tools: litestream $litestream_version ready in $bin"
else
	echo "install-tools: building litestream $litestream_version into $tools (about 2.5 minutes, once)"
	mkdir -p "$tools"
	# GOTOOLCHAIN=local: its go.mod names a newer patch toolchain; the machine's Go builds it.
	# GOFLAGS cleared so a -mod=vendor or similar of the caller does not apply to it.
	(cd "$tools" && GOTOOLCHAIN=local GOFLAGS= GOBIN="$tools" go install "github.com/benbjohnson/litestream/cmd/litestream@$litestream_version")
	"$bin" version >/dev/null
	echo "install-tools: litestream $litestream_version ready in $bin"
fi

if command -v promtool >/dev/null 2>&1; then
	echo "install-tools: promtool ready ($(command -v promtool))"
elif [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "install-tools: installing promtool (Debian package prometheus)"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >/dev/null 2>&1; then
		apt-get update >/dev/null 2>&1 || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >/dev/null 2>&1 ||
			echo "install-tools: apt-get could not install prometheus; check-alerts will say it skipped"
	fi
	# The package starts a Prometheus server where an init system runs; the tests need only promtool.
	command -v promtool >/dev/null 2>&1 && echo "install-tools: promtool ready ($(command -v promtool))"
else
	echo "install-tools: promtool missing and apt-get not usable here (not root?); check-alerts will say it skipped"
fi
