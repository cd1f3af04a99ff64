#!/bin/sh
# run.sh [CPOLC] - time loading a 10,000-primitive catalog and resolving
# against it, whole process, with hyperfine. Prints the generated catalog's
# size and the resolution's size first. With BENCH_OUT set, hyperfine's JSON
# goes to $BENCH_OUT/catalog.json.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
CPOLC=${1:-$here/../../cpolc}
dir=$(mktemp -d "${TMPDIR:-/tmp}/cpolc-bench-catalog.XXXXXX")
trap 'rm -rf "$dir"' EXIT
python3 "$here/gen.py" "$CPOLC" "$dir/cat" 1000 10 >/dev/null
echo "primitives: $(($(wc -l <"$dir/cat/index") - 1)), index bytes: $(wc -c <"$dir/cat/index")"
reqs="pkg-0999 pkg-0998 pkg-0990 pkg-0900 pkg-0500"
"$CPOLC" catalog resolve -C "$dir/cat" $reqs >"$dir/out"
echo "selected: $(wc -l <"$dir/out") primitives for: $reqs"
hyperfine -N --warmup 5 --runs 50 ${BENCH_OUT:+--export-json "$BENCH_OUT/catalog.json"} \
	"$CPOLC catalog list $dir/cat --format text" \
	"$CPOLC catalog resolve -C $dir/cat $reqs" \
	"$CPOLC catalog resolve -C $dir/cat pkg-0999"
