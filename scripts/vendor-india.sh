#!/usr/bin/env bash
# Reproduces store/geo/india-10m.geojson, the boundary the video-KYC geotag check reads offline.
#
#   world-atlas@2.0.2 (ISC, Mike Bostock): Natural Earth's 1:10m admin-0 countries (public domain) as
#     TopoJSON. Only India's feature (id 356) is kept, converted to GeoJSON with
#   topojson-client@3.1.0 (ISC), with a second feature holding India's land borders (the arcs it shares
#   with a neighbour), coordinates rounded to 4 decimals (about 11 m).
#
# Natural Earth draws de facto boundaries: territory India claims but does not administer lies
# outside the polygon. Run it again after changing a version below, then commit store/geo/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

atlas=2.0.2
client=3.1.0
out=store/geo
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --loglevel=warn "world-atlas@$atlas" "topojson-client@$client" >/dev/null)
mkdir -p "$tmp/atlas" "$tmp/client"
tar -xzf "$tmp/world-atlas-$atlas.tgz" -C "$tmp/atlas" --no-same-owner
tar -xzf "$tmp/topojson-client-$client.tgz" -C "$tmp/client" --no-same-owner

ATLAS=$atlas node - "$tmp" "$out/india-10m.geojson" <<'JS'
const [tmp, out] = process.argv.slice(2);
const topo = require(tmp + '/client/package/dist/topojson-client.js');
const world = require(tmp + '/atlas/package/countries-10m.json');
const india = topo.feature(world, world.objects.countries).features.filter(f => f.id === '356');
if (india.length !== 1) { console.error('vendor-india: expected one feature with id 356, found ' + india.length); process.exit(1); }
const round = c => typeof c[0] === 'number' ? [Math.round(c[0] * 1e4) / 1e4, Math.round(c[1] * 1e4) / 1e4] : c.map(round);
const g = india[0].geometry;
// India's land borders: the arcs India shares with another country (its coast is the arcs it shares with none).
const border = topo.mesh(world, world.objects.countries, (a, b) => a !== b && (a.id === '356' || b.id === '356'));
const source = 'Natural Earth 1:10m admin-0 countries via world-atlas ' + process.env.ATLAS;
const fc = {type: 'FeatureCollection', features: [
  {type: 'Feature', id: '356', properties: {name: 'India', source}, geometry: {type: g.type, coordinates: round(g.coordinates)}},
  {type: 'Feature', id: 'land-border', properties: {name: "India's land borders", source},
   geometry: {type: border.type, coordinates: round(border.coordinates)}}]};
require('fs').writeFileSync(out, JSON.stringify(fc) + '\n');
JS
cp "$tmp/atlas/package/LICENSE" "$out/LICENSE-world-atlas"
chmod 644 "$out/india-10m.geojson" "$out/LICENSE-world-atlas"
echo "vendor-india: wrote $out/india-10m.geojson ($(du -h "$out/india-10m.geojson" | cut -f1))"
