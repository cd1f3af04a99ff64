#!/bin/sh
# test.sh - `cpolc test` end to end: the reports of tests/golden/test in
# every format (stdout, stderr and the exit status against NAME.out),
# -k, --coverage (lets, ifs, uses, fragments), -C, a policy that fails on a
# test's request (exit 1), and the errors that stop a test (exit 2).
# CPOLC_REGEN=1 rewrites the golden files (review the diff).
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

G=$CPOLC_SRCDIR/tests/golden/test
W=$T_TMP
unset CPOL_PATH

# golden NAME ARGS...: cpolc test ARGS in a copy of the golden directory
golden() {
	local name=$1
	shift
	(cd "$W/g" && "$CPOLC" test "$@" >"$W/o" 2>"$W/e"; echo "--- exit $?" >"$W/rc")
	{ cat "$W/o"; if [ -s "$W/e" ]; then echo "--- stderr"; cat "$W/e"; fi; cat "$W/rc"; } >"$W/$name.got"
	if [ "${CPOLC_REGEN:-}" = 1 ]; then
		cp "$W/$name.got" "$G/$name.out"
		t_ok "$name (regenerated)"
	elif cmp -s "$W/$name.got" "$G/$name.out"; then
		t_ok "$name"
	else
		t_fail "$name" "$(diff -u "$G/$name.out" "$W/$name.got" | head -40)"
	fi
}

cp -r "$G" "$W/g"
# a catalog with the two primitives shop.cpol includes in dev
mkdir -p "$W/src"
printf 'app\n' >"$W/src/app"
printf 'strace\n' >"$W/src/strace"
expect_exit "catalog init" 0 "$CPOLC" catalog init "$W/g/cat"
expect_exit "catalog add app" 0 "$CPOLC" catalog add "$W/g/cat" --name app --version 1.0 "$W/src/app=/usr/bin/app"
expect_exit "catalog add strace" 0 "$CPOLC" catalog add "$W/g/cat" --name strace --version 6.1 \
	"$W/src/strace=/usr/bin/strace"

golden shop.text shop.cpol
golden shop.tap shop.cpol --format tap
golden shop.junit shop.cpol --format junit
golden shop.k shop.cpol -k prod --coverage
golden shop.all shop.cpol -k "replicas" --coverage --format tap
golden selected selected_test.cpol -C cat
golden selected.nocat selected_test.cpol
golden errors errors.cpol
golden bad bad.cpol
golden typed typed.cpol
golden two shop.cpol selected_test.cpol -C cat -k dev
golden cover cover.cpol --coverage
golden cover.prod cover.cpol --coverage -k prod --format tap
golden failing failing.cpol -C cat
golden nocat failing.cpol -C nocat

expect_exit "no file" 2 "$CPOLC" test
expect_exit "a missing file" 2 "$CPOLC" test "$W/nope.cpol"
expect_exit "no test selected" 0 "$CPOLC" test "$W/g/shop.cpol" -k "no such test"
expect_match "nothing ran" "$T_OUT" "^0 passed, 0 failed, 0 errors$"

# test blocks never reach the policy's code: compile gives the same blocks
sed '/^test /,$d' "$W/g/shop.cpol" >"$W/g/plain.cpol"
(cd "$W/g" && "$CPOLC" disasm shop.cpol | grep -v '^file ' >"$W/with")
(cd "$W/g" && "$CPOLC" disasm plain.cpol | grep -v '^file ' | sed 's/plain\.cpol:/shop.cpol:/' >"$W/without")
if cmp -s "$W/with" "$W/without"; then t_ok "tests leave the bytecode alone"
else t_fail "tests leave the bytecode alone" "$(diff -u "$W/without" "$W/with" | head -20)"; fi
expect_exit "eval ignores the tests" 0 "$CPOLC" eval "$W/g/shop.cpol" -D env=prod
expect_exit "lint of a module with tests" 0 "$CPOLC" lint "$W/g/shop.cpol" "$W/g/selected_test.cpol"
expect_exit "fmt of tests is a fixed point" 0 "$CPOLC" fmt --check "$W/g/shop.cpol" "$W/g/selected_test.cpol"

exit "$T_FAILED"
