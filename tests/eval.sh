#!/bin/sh
# eval.sh - conformance of `cpolc eval` and golden disassembly.
#
# For every tests/golden/eval/NAME.cpol and request NAME.REQ.json, runs
#   cpolc eval NAME.cpol -r NAME.REQ.json [ARGS]
# from that directory (ARGS from NAME.REQ.args, else NAME.args) and compares
# stdout, stderr and the exit status with NAME.REQ.out; then compiles the
# policy to a .cpolb and asserts the module gives the very same result.
# For every tests/golden/disasm/NAME.cpol, `cpolc disasm` of the source and
# of its compiled module must equal NAME.out. CPOLC_REGEN=1 rewrites the
# golden files instead (review the diff before committing).
. "$CPOLC_SRCDIR/tests/lib.sh"

G="$CPOLC_SRCDIR/tests/golden"
STDLIB="$CPOLC_SRCDIR/stdlib"

# run_eval DIR POLICY REQ ARGS: the normalized transcript on stdout.
run_eval() {
	(cd "$1" && "$CPOLC" eval "$2" --stdlib "$STDLIB" -r "$3" $4 >"$T_TMP/o" 2>"$T_TMP/e"
	 echo $? >"$T_TMP/rc")
	sed "s|$STDLIB|<stdlib>|g" "$T_TMP/o"
	if [ -s "$T_TMP/e" ]; then
		echo "--- stderr"
		sed "s|$STDLIB|<stdlib>|g" "$T_TMP/e"
	fi
	echo "--- exit $(cat "$T_TMP/rc")"
}

check_golden() { # NAME GOT-FILE WANT-FILE
	if [ "${CPOLC_REGEN:-}" = 1 ]; then
		cp "$2" "$3"
		t_ok "$1 (regenerated)"
	elif cmp -s "$2" "$3"; then
		t_ok "$1"
	else
		t_fail "$1" "$(diff -u "$3" "$2" | head -40)"
	fi
}

for pol in "$G"/eval/*.cpol; do
	[ -f "$pol" ] || continue
	name=$(basename "$pol" .cpol)
	expect_exit "compile $name" 0 "$CPOLC" compile "$pol" --stdlib "$STDLIB" -o "$T_TMP/$name.cpolb"
	# compile from inside the directory so that the module names files as eval does
	(cd "$G/eval" && "$CPOLC" compile "$name.cpol" --stdlib "$STDLIB" -o "$T_TMP/$name.cpolb")
	for req in "$G"/eval/"$name".*.json; do
		r=$(basename "$req" .json)
		args=
		if [ -f "$G/eval/$r.args" ]; then args=$(cat "$G/eval/$r.args")
		elif [ -f "$G/eval/$name.args" ]; then args=$(cat "$G/eval/$name.args"); fi
		run_eval "$G/eval" "$name.cpol" "$r.json" "$args" >"$T_TMP/$r.got"
		check_golden "eval $r" "$T_TMP/$r.got" "$G/eval/$r.out"
		run_eval "$G/eval" "$T_TMP/$name.cpolb" "$r.json" "$args" >"$T_TMP/$r.gotb"
		if cmp -s "$T_TMP/$r.got" "$T_TMP/$r.gotb"; then t_ok "eval $r from .cpolb"
		else t_fail "eval $r from .cpolb" "$(diff -u "$T_TMP/$r.got" "$T_TMP/$r.gotb" | head -20)"; fi
	done
done

for pol in "$G"/disasm/*.cpol; do
	[ -f "$pol" ] || continue
	name=$(basename "$pol" .cpol)
	(cd "$G/disasm" && "$CPOLC" disasm "$name.cpol" --stdlib "$STDLIB" 2>&1 | sed "s|$STDLIB|<stdlib>|g") >"$T_TMP/$name.dis"
	check_golden "disasm $name" "$T_TMP/$name.dis" "$G/disasm/$name.out"
	(cd "$G/disasm" && "$CPOLC" compile "$name.cpol" --stdlib "$STDLIB" -o "$T_TMP/$name.dis.cpolb")
	"$CPOLC" disasm "$T_TMP/$name.dis.cpolb" 2>&1 | sed "s|$STDLIB|<stdlib>|g" >"$T_TMP/$name.disb"
	check_golden "disasm $name from .cpolb" "$T_TMP/$name.disb" "$G/disasm/$name.out"
done

# command-line and module errors
P="$G/eval/exprs.cpol"
expect_exit "eval without a policy" 2 "$CPOLC" eval
expect_exit "eval with an unknown option" 2 "$CPOLC" eval "$P" --frobnicate
expect_exit "eval with an unknown format" 2 "$CPOLC" eval "$P" --format yaml
expect_exit "eval of a missing file" 2 "$CPOLC" eval "$T_TMP/missing.cpol"
expect_match "missing file named" "$T_ERR" "missing.cpol"
expect_exit "eval of an unknown policy" 2 "$CPOLC" eval "$P" --policy nope
expect_match "unknown policy listed" "$T_ERR" "no policy 'nope'; policies: 'exprs'"
expect_exit "eval of a misspelt policy" 2 "$CPOLC" eval "$P" --policy exrps
expect_match "... names the one it is near" "$T_ERR" "no policy 'exrps' \(did you mean 'exprs'\?\); policies: 'exprs'"
"$CPOLC" compile "$P" -o "$T_TMP/exprs.cpolb" 2>/dev/null
expect_exit "the same from a compiled module" 2 "$CPOLC" eval "$T_TMP/exprs.cpolb" --policy exrps
expect_match "... names it too" "$T_ERR" "no policy 'exrps' \(did you mean 'exprs'\?\); policies: 'exprs'"
expect_exit "eval with a bad -D" 2 "$CPOLC" eval "$P" -D novalue
expect_exit "eval with bad -D JSON" 2 "$CPOLC" eval "$P" -D 'a:={'
expect_exit "eval of stdin request" 0 sh -c "echo '{\"n\": 2}' | '$CPOLC' eval '$P' -r - -D tags:='[\"q\"]'"
expect_match "stdin request read" "$T_OUT" '"a03 concat": "x2y"'
expect_exit "compile without -o" 2 "$CPOLC" compile "$P"
expect_exit "compile" 0 "$CPOLC" compile "$P" -o "$T_TMP/x.cpolb"
head -c 100 "$T_TMP/x.cpolb" >"$T_TMP/cut.cpolb"
expect_exit "eval of a truncated module" 2 "$CPOLC" eval "$T_TMP/cut.cpolb"
expect_match "truncated module reported" "$T_ERR" "cut.cpolb: error: corrupt bytecode module"
printf '\177CPOLB\r\n\004\000\000\000' >"$T_TMP/v2.cpolb"
expect_exit "eval of a future module" 2 "$CPOLC" disasm "$T_TMP/v2.cpolb"
expect_match "future module reported" "$T_ERR" "unsupported bytecode format version 4"
# a .cpolb is told by its magic, not by its name
cp "$T_TMP/x.cpolb" "$T_TMP/x.cpol"
expect_exit "module named .cpol" 0 "$CPOLC" eval "$T_TMP/x.cpol"

exit "$T_FAILED"
