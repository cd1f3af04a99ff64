#!/bin/sh
# hostile.sh - the hostile-input corpus (tests/hostile/KIND/NAME.*) through
# the real binary, under a memory limit and a timeout.
#
# Each input NAME.EXT (a file, a symlink or a directory) has a sidecar
# NAME.expect of lines
#
#   # a comment
#   setup: SHELL COMMAND     run (by sh, in the case's directory) before
#   exit: N                  the exit status of the run lines that follow
#   stderr: TEXT             a substring their stderr must hold
#   timeout: SECONDS         their time limit (default HOSTILE_TIMEOUT, 60)
#   run: ARGS                cpolc ARGS (expanded by sh) must exit N with TEXT
#
# Every case runs in a directory of its own holding a copy of the input
# ($IN), a small good catalog ($CAT: "app" 1.0), a good policy ($POLICY,
# including "app"), an image layout built from them ($IMAGE, tag "latest")
# and its lock ($LOCK); commands write only under $OUT. After the run lines,
# nothing else in the directory may have changed (a listing of names,
# types, sizes, modes and mtimes before and after), nothing may exist under
# /tmp/cpolc-hostile-canary (where hostile absolute paths point), and no
# run may have crashed (exit >= 128) or run out of time or memory.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
H=$CPOLC_SRCDIR/tests/hostile
CANARY=/tmp/cpolc-hostile-canary
: "${HOSTILE_MEM_KB:=1048576}" "${HOSTILE_TIMEOUT:=60}"
export CPOLC

# AddressSanitizer reserves terabytes of address space: no ulimit -v there
if grep -q __asan_init "$CPOLC" 2>/dev/null; then
	HOSTILE_MEM_KB=unlimited
fi

# ---- shared fixtures ---------------------------------------------------------
F=$T_TMP/fixtures
mkdir -p "$F/src/usr/bin" && printf '#!/bin/sh\necho app\n' >"$F/src/usr/bin/app" && chmod 755 "$F/src/usr/bin/app"
printf 'policy "p" {\n  include "app";\n  entrypoint ["/usr/bin/app"];\n}\n' >"$F/p.cpol"
(
	cd "$F" &&
	"$CPOLC" catalog init cat >/dev/null &&
	"$CPOLC" catalog add cat --name app --version 1.0 src >/dev/null &&
	SOURCE_DATE_EPOCH=0 "$CPOLC" build p.cpol -C cat -o image --lock image.lock --no-cache >/dev/null
) || { t_fail "fixtures" "cannot build the good catalog and image"; exit 1; }
# the lock names its catalog and policy by path relative to the lock
rm -rf "$F/src"

listing() {
	(cd "$1" && find . -mindepth 1 -path ./out -prune -o -printf '%p %y %s %m %T@ %l\n' | LC_ALL=C sort)
}

# run_case KIND NAME INPUT EXPECT
run_case() {
	local kind=$1 name=$2 input=$3 expect=$4 W want_exit= want_err= line key val rc n=0
	local limit=$HOSTILE_TIMEOUT
	W=$T_TMP/case/$kind-$name
	mkdir -p "$W" && cp -a "$F/." "$W/" && cp -a "$input" "$W/"
	export IN="$W/${input##*/}" W OUT="$W/out" CAT="$W/cat" POLICY="$W/p.cpol" IMAGE="$W/image" LOCK="$W/image.lock"
	export CPOLC_CACHE="$W/out/cache"
	rm -rf "$CANARY"
	while IFS= read -r line; do
		case $line in setup:*) (cd "$W" && sh -c "${line#setup:}") || t_fail "$kind/$name: setup" "$line" ;; esac
	done <"$expect"
	listing "$W" >"$T_TMP/before"
	while IFS= read -r line; do
		key=${line%%:*}
		val=${line#*:}
		val=${val# }
		case $key in
		exit) want_exit=$val ;;
		stderr) want_err=$val ;;
		timeout) limit=$val ;;
		run)
			n=$((n + 1))
			(
				cd "$W" || exit 99
				[ "$HOSTILE_MEM_KB" = unlimited ] || ulimit -v "$HOSTILE_MEM_KB"
				eval "exec timeout -s KILL $limit \"\$CPOLC\" $val"
			) >"$T_TMP/out" 2>"$T_TMP/err" </dev/null
			rc=$?
			if [ "$rc" -ge 124 ] && [ "$rc" -ne 127 ]; then
				t_fail "$kind/$name: cpolc $val" "exit $rc (crash, timeout or out of memory): $(head -c 400 "$T_TMP/err")"
			elif [ -n "$want_exit" ] && [ "$rc" -ne "$want_exit" ]; then
				t_fail "$kind/$name: cpolc $val" "exit $rc, wanted $want_exit: $(head -c 400 "$T_TMP/err")"
			elif [ -n "$want_err" ] && ! grep -qF -- "$want_err" "$T_TMP/err"; then
				t_fail "$kind/$name: cpolc $val" "no '$want_err' in: $(head -c 400 "$T_TMP/err")"
			else
				t_ok "$kind/$name: cpolc $val"
			fi
			;;
		esac
	done <"$expect"
	[ "$n" -gt 0 ] || t_fail "$kind/$name: has run lines" "$expect"
	listing "$W" >"$T_TMP/after"
	if cmp -s "$T_TMP/before" "$T_TMP/after"; then
		t_ok "$kind/$name: nothing written outside \$OUT"
	else
		t_fail "$kind/$name: nothing written outside \$OUT" "$(diff "$T_TMP/before" "$T_TMP/after" | head -n 8)"
	fi
	if [ -e "$CANARY" ] || [ -L "$CANARY" ]; then
		t_fail "$kind/$name: nothing written under $CANARY"
		rm -rf "$CANARY"
	fi
	chmod -R u+rwX "$W" 2>/dev/null
	rm -rf "$W"
}

total=0
for expect in "$H"/*/*.expect; do
	[ -f "$expect" ] || continue
	kind=${expect%/*}
	kind=${kind##*/}
	name=${expect##*/}
	name=${name%.expect}
	input=
	for f in "${expect%.expect}".*; do
		[ "$f" = "$expect" ] || input=$f
	done
	if [ -z "$input" ]; then
		t_fail "$kind/$name: has an input" "no ${expect%.expect}.* beside the .expect"
		continue
	fi
	total=$((total + 1))
	run_case "$kind" "$name" "$input" "$expect"
done
[ "$total" -gt 0 ] && t_ok "$total hostile inputs" || t_fail "hostile inputs present" "none under $H"
[ "$T_FAILED" -eq 0 ]
