#!/bin/sh
# run.sh [CPOLC] - time whole-process `cpolc lint` of a generated 2,000-line
# policy with hyperfine. Run from anywhere after `make`; prints hyperfine's
# summary. The target is under 5 ms per run. 'cpolc --version' is timed too:
# the cost of starting the process and loading its shared libraries. With BENCH_OUT set, hyperfine's
# JSON goes to $BENCH_OUT/lint.json.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cpolc=${1:-$top/cpolc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cpolc-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
sh "$here/gen.sh" 2000 >"$tmp/policy.cpol"
echo "policy: $(wc -l <"$tmp/policy.cpol") lines, $(wc -c <"$tmp/policy.cpol") bytes"
"$cpolc" lint -Werror --stdlib "$top/stdlib" "$tmp/policy.cpol"
hyperfine --warmup 20 --min-runs 200 -N ${BENCH_OUT:+--export-json "$BENCH_OUT/lint.json"} \
	"$cpolc lint --stdlib $top/stdlib $tmp/policy.cpol" \
	"$cpolc --version"
