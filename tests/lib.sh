# lib.sh - helpers for the end-to-end shell tests. Source it first.
#
# Each check prints "ok NAME" or "not ok NAME"; tests/summary.sh counts them.
# The script exits non-zero when any check failed.
set -u
: "${CPOLC:=cpolc}"
: "${CPOLC_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
T_FAILED=0
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cpolc-test.XXXXXX")
trap 't_cleanup' EXIT
t_cleanup() { rm -rf "$T_TMP"; [ "$T_FAILED" -eq 0 ] || exit 1; }

t_ok()   { echo "ok $1"; }
t_fail() { echo "not ok $1"; [ $# -gt 1 ] && printf '#   %s\n' "$2"; T_FAILED=$((T_FAILED + 1)); }

# expect_exit NAME CODE CMD...: run CMD (stdout in $T_OUT, stderr in $T_ERR).
expect_exit() {
	local name=$1 want=$2 got
	shift 2
	"$@" >"$T_TMP/out" 2>"$T_TMP/err" </dev/null
	got=$?
	T_OUT=$(cat "$T_TMP/out")
	T_ERR=$(cat "$T_TMP/err")
	if [ "$got" -eq "$want" ]; then
		t_ok "$name"
	else
		t_fail "$name" "exit $got, wanted $want; stderr: $(head -c 600 "$T_TMP/err")"
	fi
}

# expect_match NAME TEXT REGEX: TEXT matches the extended regex.
expect_match() {
	if printf '%s' "$2" | grep -Eq -- "$3"; then t_ok "$1"; else t_fail "$1" "no match for /$3/ in: $(printf '%s' "$2" | head -c 600)"; fi
}

# expect_eq NAME GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then t_ok "$1"; else t_fail "$1" "got '$2', wanted '$3'"; fi
}

# A required tool: a skip is a failure under CI=true.
need_tool() {
	if command -v "$1" >/dev/null 2>&1; then return 0; fi
	if [ "${CI:-}" = true ]; then t_fail "tool $1 present" "missing under CI"; else echo "ok # SKIP $1 missing"; fi
	return 1
}
