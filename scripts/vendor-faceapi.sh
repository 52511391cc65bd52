#!/usr/bin/env bash
# Reproduces static/vendor/ from the npm registry: the face-api browser bundle (tfjs 4.22.0 inside),
# the three models the case page uses, and tfjs's WebAssembly kernels, each with its licence.
#
#   @vladmandic/face-api@1.7.15 (MIT): dist/face-api.esm.js, LICENSE, and from model/ only
#     tiny_face_detector (find faces), face_landmark_68 (align them), face_recognition (describe them).
#   @tensorflow/tfjs-backend-wasm@4.22.0 (Apache-2.0, the tfjs version face-api bundles): the .wasm
#     kernels. The package carries no licence file, so Debian's copy of the Apache-2.0 text goes beside them.
#
# The directories are named with the versions, so their files never change under one URL and are
# served as immutable. Run it again after changing a version below, then commit static/vendor/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

faceapi=1.7.15
tfjs=4.22.0
out=static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --loglevel=warn "@vladmandic/face-api@$faceapi" "@tensorflow/tfjs-backend-wasm@$tfjs" >/dev/null)
mkdir -p "$tmp/face" "$tmp/wasm"
tar -xzf "$tmp/vladmandic-face-api-$faceapi.tgz" -C "$tmp/face" --no-same-owner
tar -xzf "$tmp/tensorflow-tfjs-backend-wasm-$tfjs.tgz" -C "$tmp/wasm" --no-same-owner

bundled=$(grep -o 'var i="[0-9.]*"' "$tmp/face/package/dist/tfjs.version.js" | head -1 | tr -dc '0-9.')
if [ "$bundled" != "$tfjs" ]; then
	echo "vendor-faceapi: face-api $faceapi bundles tfjs '$bundled', not $tfjs: change tfjs= to match" >&2
	exit 1
fi

fdir=$out/face-api-$faceapi
wdir=$out/tfjs-backend-wasm-$tfjs
rm -rf "$fdir" "$wdir"
mkdir -p "$fdir/model" "$wdir"
cp "$tmp/face/package/dist/face-api.esm.js" "$tmp/face/package/LICENSE" "$fdir/"
for m in tiny_face_detector_model face_landmark_68_model face_recognition_model; do
	cp "$tmp/face/package/model/$m-weights_manifest.json" "$tmp/face/package/model/$m.bin" "$fdir/model/"
done
cp "$tmp/wasm/package/dist/tfjs-backend-wasm.wasm" "$tmp/wasm/package/dist/tfjs-backend-wasm-simd.wasm" "$wdir/"
cp /usr/share/common-licenses/Apache-2.0 "$wdir/LICENSE"
find "$fdir" "$wdir" -type f -exec chmod 644 {} +
echo "vendor-faceapi: wrote $fdir and $wdir ($(du -sh "$out" | cut -f1))"
