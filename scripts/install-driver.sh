#!/usr/bin/env bash
# Builds the Playwright driver directory that playwright-go runs, from the npm registry only.
#
# playwright-go pins a driver version (playwrightCliVersion in its run.go) and wants, in
# $PLAYWRIGHT_DRIVER_PATH or ~/.cache/ms-playwright-go/<version>, a `node` executable and
# package/cli.js reporting exactly that version. The npm package playwright-core@<version>
# unpacks to package/, so we pack it, untar it and symlink node. playwright.Install() is
# never used: it downloads from hosts this project cannot reach.
# Idempotent: does nothing when the directory already reports the wanted version.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

module=github.com/playwright-community/playwright-go
moddir=$(go list -m -f '{{.Dir}}' "$module")
if [ -z "$moddir" ]; then
	# Not in the module cache yet (fresh machine): fetch it through the Go module proxy.
	go mod download "$module"
	moddir=$(go list -m -f '{{.Dir}}' "$module")
fi
version=$(sed -n 's/^[[:space:]]*const playwrightCliVersion[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$moddir/run.go")
if [ -z "$version" ]; then
	echo "install-driver: cannot read playwrightCliVersion from $moddir/run.go" >&2
	exit 1
fi

driver=${PLAYWRIGHT_DRIVER_PATH:-$HOME/.cache/ms-playwright-go/$version}

# reports prints the version that the driver in $1 reports, or nothing.
reports() {
	[ -x "$1/node" ] && [ -f "$1/package/cli.js" ] || return 0
	"$1/node" "$1/package/cli.js" --version 2>/dev/null | sed -n 's/^Version //p' || true
}

if [ "$(reports "$driver")" = "$version" ]; then
	echo "install-driver: Playwright driver $version ready in $driver"
	exit 0
fi

node=$(command -v node || true)
if [ -z "$node" ] || ! command -v npm >/dev/null 2>&1; then
	echo "install-driver: node and npm are needed (e.g. apt-get install -y nodejs npm)" >&2
	exit 1
fi

echo "install-driver: building Playwright driver $version in $driver from npm playwright-core@$version"
mkdir -p "$(dirname "$driver")"
tmp=$(mktemp -d)
stage=$(mktemp -d "$(dirname "$driver")/.driver-$version.XXXXXX")
trap 'rm -rf "$tmp" "$stage"' EXIT

(cd "$tmp" && npm pack --prefer-offline --loglevel=warn "playwright-core@$version" >/dev/null)
tarball=$(find "$tmp" -maxdepth 1 -name 'playwright-core-*.tgz' -print -quit)
if [ -z "$tarball" ]; then
	echo "install-driver: npm pack playwright-core@$version produced no tarball" >&2
	exit 1
fi
tar -xzf "$tarball" -C "$stage" --no-same-owner
ln -s "$node" "$stage/node"

got=$(reports "$stage")
if [ "$got" != "$version" ]; then
	echo "install-driver: unpacked driver reports version '$got', want '$version'" >&2
	exit 1
fi
chmod 755 "$stage"
rm -rf "$driver"
mv "$stage" "$driver"
echo "install-driver: Playwright driver $version ready in $driver"
