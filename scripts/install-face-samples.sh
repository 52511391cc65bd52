#!/usr/bin/env bash
# Fetches the real face photographs the e2e tests compare: the sample pictures that the npm package
# @vladmandic/face-api ships under demo/. They are people's photos, so they stay out of the
# repository: npm pack into a cache directory outside it, keep demo/sample*.jpg and LICENSE.
# Idempotent: does nothing (and touches no network) when the photos are there.
set -euo pipefail

version=1.7.15
dir=${KYCDESK_FACE_SAMPLES:-$HOME/.cache/kycdesk-tools/face-api-$version}
if [ -f "$dir/sample6.jpg" ]; then
	echo "install-face-samples: face photos ready in $dir"
	exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
	echo "install-face-samples: npm is needed (e.g. apt-get install -y npm)" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --prefer-offline --loglevel=warn "@vladmandic/face-api@$version" >/dev/null)
tar -xzf "$tmp/vladmandic-face-api-$version.tgz" -C "$tmp" --no-same-owner package/demo package/LICENSE
mkdir -p "$dir"
cp "$tmp"/package/demo/sample*.jpg "$tmp/package/LICENSE" "$dir/"
echo "install-face-samples: face photos ready in $dir"
