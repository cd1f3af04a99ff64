#!/bin/sh
# bench/run.sh - run every benchmark and write bench/RESULTS.md.
#
#   sh bench/run.sh            (as root, after ./configure && make)
#
# compose (cpolc against umoci and buildah, warm, one primitive changed),
# push (cpolc push against skopeo copy to a local docker-registry),
# compose memory, catalog, decision, lint, serve (against docker-registry)
# and apt (Debian's bookworm main against apt; needs the network), in that
# order; then
# bench/report.py turns the results into bench/RESULTS.md, followed by
# bench/notes.md. Needs hyperfine, umoci, buildah, dpkg-deb, python3 and
# /usr/bin/time, skopeo and docker-registry. Environment:
#   RUNS        rounds of the cold comparison (default 5; warm gets twice that)
#   BIG_SIZES   MiB of the random primitive of the memory runs (default "64 256 1024")
#   BENCH_DIR   work directory (default /tmp/cpolc-bench; nothing generated
#               goes into the source tree but RESULTS.md)
#   CPOLC_BUILDDIR  the build directory if not the source tree
# Run it on a machine as quiet as possible: the load average is recorded.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
BUILD=${CPOLC_BUILDDIR:-$TOP}
CPOLC=$BUILD/cpolc
RUNS=${RUNS:-5}
BIG_SIZES=${BIG_SIZES:-64 256 1024}
BENCH_DIR=${BENCH_DIR:-/tmp/cpolc-bench}
BENCH_OUT=$BENCH_DIR/results
export BENCH_DIR BENCH_OUT

for t in hyperfine umoci buildah dpkg-deb python3 /usr/bin/time skopeo wrk curl docker-registry apt-get xz; do
	command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 2; }
done
make -s -C "$BUILD" cpolc bench/decision/bench
rm -rf "$BENCH_OUT" && mkdir -p "$BENCH_OUT"

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_BEFORE=$(loadavg)
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
echo "== $DATE, load average $LOAD_BEFORE"

sh "$HERE/compose/run.sh" "$CPOLC" "$RUNS"
sh "$HERE/push/run.sh" "$CPOLC" "$((RUNS * 2))"
echo "== compose memory"
sh "$HERE/compose/memory.sh" "$CPOLC" "$BIG_SIZES"
echo "== catalog"
sh "$HERE/catalog/run.sh" "$CPOLC"
echo "== decision"
"$BUILD/bench/decision/bench" "$HERE/decision/policy.cpol" "$HERE/decision/request.json" | tee "$BENCH_OUT/decision.txt"
echo "== lint"
sh "$HERE/lint/run.sh" "$CPOLC"
echo "== serve"
sh "$HERE/serve/run.sh" "$CPOLC" "$RUNS"
echo "== apt (needs the network)"
sh "$HERE/apt/run.sh" "$CPOLC" "$RUNS"

LOAD_AFTER=$(loadavg)
CC_LINE=$(sed -n 's/^CC = //p' "$BUILD/Makefile")
CFLAGS_LINE=$(sed -n 's/^CFLAGS = //p' "$BUILD/Makefile")
python3 - "$BENCH_OUT/machine.json" <<EOF
import json, sys
json.dump({'date': '$DATE', 'nproc': '$(nproc)',
           'cpu': '''$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)''',
           'mem': '$(free -g | awk '/^Mem:/ { print $2 " GiB" }')',
           'kernel': '$(uname -sr)',
           'cc': '''$($CC_LINE --version | head -n 1), CFLAGS $CFLAGS_LINE''',
           'hyperfine': '$(hyperfine --version)',
           'load_before': '$LOAD_BEFORE', 'load_after': '$LOAD_AFTER'},
          open(sys.argv[1], 'w'), indent=1)
EOF
python3 "$HERE/report.py" "$BENCH_OUT" "$HERE/notes.md" >"$HERE/RESULTS.md.tmp"
mv "$HERE/RESULTS.md.tmp" "$HERE/RESULTS.md"
echo "== wrote $HERE/RESULTS.md (load average before $LOAD_BEFORE, after $LOAD_AFTER)"
