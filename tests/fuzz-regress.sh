#!/bin/sh
# fuzz-regress.sh - every input the fuzzers ever crashed on (tests/fuzz/regress/
# TARGET/) through the normal binary, as the command line would get it: no
# crash (exit < 128) and, when refused, a clean "error:" message.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
T=$T_TMP
R=$CPOLC_SRCDIR/tests/fuzz/regress

# check NAME CMD...: exit < 128, and an error message when the exit is not 0
check() {
	local name=$1 rc
	shift
	"$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	if [ "$rc" -ge 128 ]; then
		t_fail "$name: no crash" "exit $rc: $(head -c 400 "$T/err")"
	elif [ "$rc" -ne 0 ] && ! grep -q 'error' "$T/err"; then
		t_fail "$name: clean error" "exit $rc without an error message: $(head -c 400 "$T/err")"
	else
		t_ok "$name (exit $rc)"
	fi
}

"$CPOLC" catalog init "$T/cat" >/dev/null || exit 1
mkdir -p "$T/src/usr/bin" && echo x >"$T/src/usr/bin/app"
"$CPOLC" catalog add "$T/cat" --name app --version 1.0 "$T/src" >/dev/null || exit 1
printf 'policy "p" { include "app"; }\n' >"$T/p.cpol"
n=0
for f in "$R"/fuzz_parse/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	cp "$f" "$T/in.cpol"
	check "fuzz_parse/${f##*/}: lint" "$CPOLC" lint "$T/in.cpol"
	check "fuzz_parse/${f##*/}: eval" "$CPOLC" eval "$T/in.cpol"
done
for f in "$R"/fuzz_cpolb/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	check "fuzz_cpolb/${f##*/}: eval" "$CPOLC" eval "$f" -D env=prod -D version=1.2.3
	check "fuzz_cpolb/${f##*/}: disasm" "$CPOLC" disasm "$f"
done
for f in "$R"/fuzz_json/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	mode=$(($(od -An -N1 -tu1 "$f") % 7))
	tail -c +2 "$f" >"$T/in.json"
	rm -rf "$T/c2" && cp -r "$T/cat" "$T/c2"
	case $mode in
	0) check "fuzz_json/${f##*/}: request" "$CPOLC" eval "$T/p.cpol" -r "$T/in.json" ;;
	1) check "fuzz_json/${f##*/}: -D" "$CPOLC" eval "$T/p.cpol" -D "$(head -n 1 "$T/in.json" | tr -d '\000')" ;;
	2) check "fuzz_json/${f##*/}: --meta" "$CPOLC" catalog add "$T/c2" --name m --version 1 --meta "$T/in.json" "$T/src"
	   mkdir -p "$T/c2/primitives/m" && cp "$T/in.json" "$T/c2/primitives/m/1.json" && rm -f "$T/c2/index"
	   check "fuzz_json/${f##*/}: scanned metadata" "$CPOLC" eval "$T/p.cpol" -C "$T/c2" ;;
	3) cp "$T/in.json" "$T/c2/index" && check "fuzz_json/${f##*/}: index" "$CPOLC" eval "$T/p.cpol" -C "$T/c2" ;;
	4) cp "$T/in.json" "$T/c2/catalog.json" && check "fuzz_json/${f##*/}: catalog.json" "$CPOLC" eval "$T/p.cpol" -C "$T/c2" ;;
	5) check "fuzz_json/${f##*/}: lock" "$CPOLC" verify --lock "$T/in.json" "$T/c2" ;;
	6) check "fuzz_json/${f##*/}: set-scan" "$CPOLC" catalog set-scan "$T/c2" app 1.0 "$T/in.json" ;;
	esac
done
for f in "$R"/fuzz_lock/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	check "fuzz_lock/${f##*/}: verify" "$CPOLC" verify --lock "$f" "$T/cat"
done
for f in "$R"/fuzz_tar/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	rm -rf "$T/c2" && cp -r "$T/cat" "$T/c2"
	check "fuzz_tar/${f##*/}: catalog add" "$CPOLC" catalog add "$T/c2" --name t --version 1 "$f"
	check "fuzz_tar/${f##*/}: the catalog verifies" "$CPOLC" catalog verify "$T/c2"
done
[ "$n" -gt 0 ] && t_ok "$n regression inputs" || t_fail "regression inputs present" "none under $R"

# forged endless loops stop on the VM's budget, with a runtime error
for f in "$R"/fuzz_cpolb/jmp-self-loop.cpolb "$R"/fuzz_cpolb/jt-self-loop.cpolb; do
	expect_exit "${f##*/} stops" 2 "$CPOLC" eval "$f"
	expect_match "${f##*/}: budget error" "$T_ERR" "error: evaluation took more than [0-9]+ loop iterations"
done
