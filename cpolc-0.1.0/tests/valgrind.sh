#!/bin/sh
# valgrind.sh - memcheck over the golden inputs: `cpolc eval` of every golden
# request (source and compiled module), `cpolc lint` of every golden lint
# input, and a catalog add, build and verify of a small image. Any invalid
# access or leak makes valgrind exit 99. Skipped when valgrind is missing,
# except under CI=true.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
need_tool valgrind || exit 0
if grep -q __asan_init "$CPOLC" 2>/dev/null; then
	echo "ok # SKIP valgrind: cpolc is built with AddressSanitizer"
	exit 0
fi
if valgrind -q "$CPOLC" --version 2>&1 >/dev/null | grep -q 'debuginfo reader'; then
	# valgrind 3.19 cannot read clang 14's DWARF 5; gcc's builds are checked
	echo "ok # SKIP valgrind cannot read the debug info of this cpolc build"
	exit 0
fi
T=$T_TMP
G=$CPOLC_SRCDIR/tests/golden
STDLIB=$CPOLC_SRCDIR/stdlib
VG="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible"

# vg NAME CMD...: valgrind found nothing, and the command exited as it
# does without valgrind (so that valgrind really ran it)
vg() {
	local name=$1 rc want
	shift
	"$@" >/dev/null 2>&1 </dev/null
	want=$?
	$VG "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	if [ "$rc" -ne "$want" ] || [ "$rc" -eq 99 ] || [ "$rc" -ge 128 ]; then
		t_fail "memcheck $name" "exit $rc (without valgrind $want): $(grep -m 12 '==' "$T/err")"
	else
		t_ok "memcheck $name"
	fi
}

for pol in "$G"/eval/*.cpol; do
	name=$(basename "$pol" .cpol)
	(cd "$G/eval" && "$CPOLC" compile "$name.cpol" --stdlib "$STDLIB" -o "$T/$name.cpolb") >/dev/null 2>&1
	for req in "$G/eval/$name".*.json; do
		[ -f "$req" ] || continue
		r=$(basename "$req" .json)
		args=
		if [ -f "$G/eval/$r.args" ]; then args=$(cat "$G/eval/$r.args")
		elif [ -f "$G/eval/$name.args" ]; then args=$(cat "$G/eval/$name.args"); fi
		(cd "$G/eval" && vg "eval $r" "$CPOLC" eval "$name.cpol" --stdlib "$STDLIB" -r "$r.json" $args)
		[ -f "$T/$name.cpolb" ] &&
			(cd "$G/eval" && vg "eval $r (.cpolb)" "$CPOLC" eval "$T/$name.cpolb" -r "$r.json" $args)
	done
done
for pol in "$G"/lint/*.cpol; do
	(cd "$G/lint" && vg "lint $(basename "$pol")" "$CPOLC" lint --stdlib "$STDLIB" "$(basename "$pol")")
done
for pol in "$G"/disasm/*.cpol; do
	vg "disasm $(basename "$pol")" "$CPOLC" disasm --stdlib "$STDLIB" "$pol"
done

cd "$T" || exit 1
"$CPOLC" catalog init cat >/dev/null
mkdir -p src/usr/bin && printf '#!/bin/sh\necho hi\n' >src/usr/bin/app && chmod 755 src/usr/bin/app
vg "catalog add" "$CPOLC" catalog add cat --name app --version 1.0 --depends 'libc (>= 1) | libc6' src
vg "catalog add lib" "$CPOLC" catalog add cat --name libc --version 1.2 --kind library src
printf 'policy "p" {\n  include "app";\n  entrypoint ["/usr/bin/app"];\n  admit p if p.size < 1000000;\n}\n' >p.cpol
vg "build" "$CPOLC" build p.cpol -C cat -o img --lock img.lock --cache cache
vg "build from the cache" "$CPOLC" build p.cpol -C cat -o img2 --lock img2.lock --cache cache
vg "verify" "$CPOLC" verify --lock img.lock img
vg "catalog verify" "$CPOLC" catalog verify cat
vg "catalog resolve" "$CPOLC" catalog resolve -C cat app
