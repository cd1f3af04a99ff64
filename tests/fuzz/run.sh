#!/bin/sh
# run.sh TARGET SECONDS [LIBFUZZER ARGS...] - run one fuzz target (niced)
# for SECONDS on its growing corpus (tests/fuzz/out/corpus/TARGET) seeded
# from tests/fuzz/out/seeds/TARGET (the regression inputs are replayed by
# tests/fuzz-regress.sh, not fuzzed: some are slow by design); findings go
# to tests/fuzz/out/crash/TARGET/. Build first with build.sh, seeds with
# seeds.sh (run.sh does both when missing). The timeout is 5 s because the
# instrumented binaries run a 256 MiB evaluation about 15 times slower than
# cpolc (0.3 s); FUZZ_TIMEOUT=N changes it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
t=${1:?usage: run.sh TARGET SECONDS}
secs=${2:?usage: run.sh TARGET SECONDS}
shift 2
out=$here/out
[ -x "$out/$t" ] || "$here/build.sh" "$out"
[ -d "$out/seeds/$t" ] || "$here/seeds.sh" "$out/seeds"
mkdir -p "$out/corpus/$t" "$out/crash/$t" "$here/regress/$t"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:quarantine_size_mb=16}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec nice -n ${FUZZ_NICE:-10} "$out/$t" -max_total_time="$secs" -timeout=${FUZZ_TIMEOUT:-5} -rss_limit_mb=2048 -max_len=65536 \
	-print_final_stats=1 -artifact_prefix="$out/crash/$t/" "$@" \
	"$out/corpus/$t" "$out/seeds/$t"
