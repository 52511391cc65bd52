#!/usr/bin/env bash
# make bench: runs each benchmark with a run length that suits it (some seed 100,000 cases or
# 1,000,000 audit rows first), keeps the raw `go test -bench` output in bin/bench.txt, and prints
# a small table of the figures the issues ask for. BENCH=regex runs only the matching benchmarks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
go_=${GO:-go}
filter=${BENCH:-.}
mkdir -p bin
out=bin/bench.txt
: >"$out"

run() { # pattern benchtime packages...
	local pattern=$1 benchtime=$2
	shift 2
	if ! grep -Eq -- "$filter" <<<"$pattern" && [ "$filter" != "." ]; then
		return 0
	fi
	echo "==> go test -run '^\$' -bench '$pattern' -benchtime $benchtime $*"
	"$go_" test -run '^$' -bench "$pattern" -benchtime "$benchtime" -count=1 -timeout 20m "$@" | tee -a "$out"
}

run '^BenchmarkSQLiteCeiling$' 3000x ./web
run '^BenchmarkIngest$' 4000x ./web
run '^BenchmarkIngestPaced$' 10000x ./web
run '^BenchmarkDecode$' 3000x ./web/markid ./web/vcip
run '^BenchmarkIngesterDirect$' 4000x ./store
run '^BenchmarkMove$' 20000x ./store
run '^BenchmarkServe(Media|File|MediaSealed|MediaEcho)Range$' 2000x ./web
run '^BenchmarkWorkspace$' 200x ./web
run '^BenchmarkAuditExport1M$' 1x ./web
run '^BenchmarkOpsStats$' 50x ./store
run '^BenchmarkSignIn$' 200x ./web
run '^BenchmarkFaceCompare$' 3x ./e2e
run '^BenchmarkVideoFace$' 3x ./e2e
run '^BenchmarkWebhookThroughput$' 2000x ./web/outbound
run '^BenchmarkWebhookLag$' 500x ./web/outbound
run '^BenchmarkDashboard$' 100x ./web
run '^BenchmarkCheckIndia$' 2000x ./store/geo

# The ingest figures the issues ask for, one row per design and sender count: acknowledged
# callbacks/s, the single-row synchronous=FULL ceiling measured right before that run, the ratio,
# the latency percentiles and (derive only) how far the cases fell behind. design=inline is the
# baseline: the case derived inside the acknowledged transaction.
if grep -q '^BenchmarkIngest/' "$out"; then
	echo
	echo "ingest (BenchmarkIngest, realistic bodies of both sources; ceiling measured in the same run)"
	awk '
	/^BenchmarkIngest\// {
		split($1, p, "/"); design = p[2]; senders = p[3]; sub(/-[0-9]+$/, "", senders)
		sub(/^design=/, "", design); sub(/^senders=/, "", senders)
		delete v
		for (i = 3; i < NF; i += 2) v[$(i + 1)] = $i
		if (!header++) printf "  %-7s %7s %9s %11s %6s %7s %7s %10s %8s\n", "design", "senders", "acks/s", "ceiling/s", "ratio", "p50-ms", "p99-ms", "max-lag-ms", "drain-ms"
		printf "  %-7s %7s %9.0f %11.0f %6.2f %7.2f %7.2f %10s %8s\n", design, senders, v["acks/s"], v["ceiling-commits/s"], v["ratio"], v["p50-ms"], v["p99-ms"], \
			(("max-lag-ms" in v) ? sprintf("%.0f", v["max-lag-ms"]) : "-"), (("drain-ms" in v) ? sprintf("%.0f", v["drain-ms"]) : "-")
	}' "$out"
fi

# The same design at a steady offered rate (BenchmarkIngestPaced): how long a case took, at most,
# to appear after its 200 (max-lag), against the issue's "within 1 s at 2,000/s".
if grep -q '^BenchmarkIngestPaced/' "$out"; then
	echo
	echo "ingest at a steady rate (BenchmarkIngestPaced, 64 senders, latency from each callback's due time)"
	awk '
	/^BenchmarkIngestPaced\// {
		delete v
		for (i = 3; i < NF; i += 2) v[$(i + 1)] = $i
		if (!header++) printf "  %9s %9s %7s %7s %10s %8s\n", "offered/s", "acks/s", "p50-ms", "p99-ms", "max-lag-ms", "drain-ms"
		printf "  %9.0f %9.0f %7.2f %7.2f %10.0f %8.0f\n", v["offered/s"], v["acks/s"], v["p50-ms"], v["p99-ms"], v["max-lag-ms"], v["drain-ms"]
	}' "$out"
fi

echo
echo "make bench summary (raw output: $out)"
awk '
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
	line = ""
	for (i = 3; i < NF; i += 2) {
		unit = $(i + 1)
		if (unit == "ns/op" || unit == "B/op" || unit == "allocs/op") continue
		line = line sprintf("  %s %s", $i, unit)
	}
	if (line == "") line = sprintf("  %s ns/op", $3)
	printf "  %-40s%s\n", name, line
}' "$out"
awk '
/^BenchmarkServeFileRange/ { for (i = 3; i < NF; i++) if ($(i + 1) == "MB/s") plain = $i }
/^BenchmarkServeMediaSealedRange/ { for (i = 3; i < NF; i++) if ($(i + 1) == "MB/s") sealed = $i }
END { if (plain > 0 && sealed > 0) printf "  %-40s  %.2fx of plain http.ServeFile (target >= 0.7)\n", "encrypted media throughput", sealed / plain }' "$out"
