#!/usr/bin/env bash
# make bench-scale: seeds 100,000, 1,000,000 and 5,000,000 synthetic cases (each size once, into
# ~/.cache/kycdesk-bench/<key>-<N>, the key a hash of the migrations and the synthetic generator,
# so a schema change seeds afresh), runs BenchmarkScale against each, keeps the raw output in
# docs/bench/scale-<time>.txt (commit the one the README quotes) and prints one table of every page's p50/p95 per size with the ratio
# of the largest size's p95 to the smallest's.
#   SCALE_SKIP_5M=1      leave out the 5,000,000 step (it seeds for many minutes, once)
#   SCALE_SIZES="..."    other sizes, smallest first
#   SCALE_BENCHTIME=200x requests per page
#   SCALE_CACHE=DIR      another cache directory
#   SCALE_DROP=1         delete each size's seeded data once it is measured, all but the largest's,
#                        for a disk that cannot hold every size at once (5,000,000 cases take
#                        about 70 GB; all three, 85 GB)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
go_=${GO:-go}
sizes=${SCALE_SIZES:-100000 1000000 5000000}
if [ "${SCALE_SKIP_5M:-}" = 1 ]; then
	sizes=$(tr ' ' '\n' <<<"$sizes" | grep -vx 5000000 | tr '\n' ' ')
fi
largest=$(awk '{print $NF}' <<<"$sizes")
cache=${SCALE_CACHE:-$HOME/.cache/kycdesk-bench}
key=$(cat store/migrations/*.sql store/bulk.go store/bulk_empty.go store/bulk_rows.go web/demo/synthetic_scale.go | sha256sum | cut -c1-12)
mkdir -p bin docs/bench "$cache"
out=docs/bench/scale-$(date -u +%Y%m%dT%H%M%SZ).txt
"$go_" build -o bin/kycdesk ./cmd/kycdesk
{
	echo "# make bench-scale $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD 2>/dev/null || echo -) cache key $key"
	echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out"
failed=0
for n in $sizes; do
	dir=$cache/$key-$n
	if [ ! -f "$dir/seeded" ]; then
		rm -rf "$dir.tmp"
		echo "==> seeding $n cases into $dir (once)" | tee -a "$out"
		start=$(date +%s)
		env -u KYCDESK_DATA ./bin/kycdesk demo --data "$dir.tmp" --synthetic "$n" | grep -v -E '^  [a-z0-9]+ ' | tee -a "$out"
		echo "seeded $n in $(( $(date +%s) - start ))s" | tee -a "$out"
		touch "$dir.tmp/seeded"
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
	fi
	echo "==> size $n: go test -run '^\$' -bench '^BenchmarkScale\$' -benchtime ${SCALE_BENCHTIME:-200x} ./web (load $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$out"
	KYCDESK_SCALE_DATA=$dir "$go_" test -run '^$' -bench '^BenchmarkScale$' -benchtime "${SCALE_BENCHTIME:-200x}" \
		-count=1 -timeout 60m ./web | sed "s/^BenchmarkScale/size=$n BenchmarkScale/" | tee -a "$out" || failed=1
	echo "# size $n on disk: $(du -sh "$dir" | cut -f1); free: $(df -h --output=avail "$cache" | tail -1 | tr -d ' ')" | tee -a "$out"
	if [ "${SCALE_DROP:-}" = 1 ] && [ "$n" != "$largest" ]; then rm -rf "$dir"; fi
done
echo
echo "make bench-scale summary (raw output: $out)"
awk '
/^size=[0-9]+ BenchmarkScale\// {
	n = substr($1, 6); name = $2; sub(/^BenchmarkScale\//, "", name); sub(/-[0-9]+$/, "", name)
	p50 = p95 = ""
	for (i = 3; i < NF; i++) { if ($(i + 1) == "p50-ms") p50 = $i; if ($(i + 1) == "p95-ms") p95 = $i }
	if (!(n in seen)) { seen[n] = 1; sizes[++ns] = n }
	if (!(name in known)) { known[name] = 1; names[++nn] = name }
	v50[name, n] = p50; v95[name, n] = p95
}
END {
	printf "%-20s", "page (ms)"
	for (s = 1; s <= ns; s++) printf "  %19s", sizes[s] " p50/p95"
	if (ns > 1) printf "  %12s", "p95 ratio"
	printf "\n"
	for (k = 1; k <= nn; k++) {
		name = names[k]; printf "%-20s", name
		for (s = 1; s <= ns; s++) printf "  %19s", v50[name, sizes[s]] " / " v95[name, sizes[s]]
		if (ns > 1 && v95[name, sizes[1]] > 0) printf "  %11.2fx", v95[name, sizes[ns]] / v95[name, sizes[1]]
		printf "\n"
	}
}' "$out" | tee -a "$out"
if [ "$failed" != 0 ]; then echo "make bench-scale: a size FAILED (see above)"; exit 1; fi
