#!/bin/sh
# docs.sh - the manual pages render cleanly and cover every command, the bash
# completion offers the right candidates, and the pre-commit manifest is valid.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

MAN1=$CPOLC_SRCDIR/doc/cpolc.1
MAN5=$CPOLC_SRCDIR/doc/cpol.5
COMP=$CPOLC_SRCDIR/completion/cpolc.bash

# --- manual pages -------------------------------------------------------------
if need_tool groff; then
	for page in "$MAN1" "$MAN5"; do
		name=$(basename "$page")
		groff -man -Tutf8 -ww "$page" >"$T_TMP/out" 2>"$T_TMP/err"
		expect_eq "groff renders $name" "$?" 0
		expect_eq "groff has no warnings for $name" "$(cat "$T_TMP/err")" ""
		expect_match "$name renders its NAME line" "$(cat "$T_TMP/out")" '^ +cpolc? - [a-z]'
	done
fi
if command -v mandoc >/dev/null 2>&1; then
	for page in "$MAN1" "$MAN5"; do
		expect_exit "mandoc -Tlint $(basename "$page")" 0 mandoc -Tlint "$page"
	done
fi

# The commands that 'cpolc --help' lists.
expect_exit "cpolc --help" 0 "$CPOLC" --help
commands=$(printf '%s\n' "$T_OUT" | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
expect_match "cpolc --help lists commands" "$commands" 'build'
for c in $commands; do
	if grep -q "^\.SS cpolc $c\b" "$MAN1"; then
		t_ok "cpolc.1 documents $c"
	else
		t_fail "cpolc.1 documents $c" "no '.SS cpolc $c' heading in doc/cpolc.1"
	fi
done
for s in "EXIT STATUS" ENVIRONMENT FILES DIAGNOSTICS EXAMPLES "SEE ALSO"; do
	if grep -q "^\.SH $s\$" "$MAN1"; then t_ok "cpolc.1 has $s"; else t_fail "cpolc.1 has $s"; fi
done
for v in SOURCE_DATE_EPOCH CPOLC_CACHE XDG_CACHE_HOME HOME CPOL_PATH; do
	if grep -q "^\.B $v\$" "$MAN1"; then t_ok "cpolc.1 explains $v"; else t_fail "cpolc.1 explains $v"; fi
done

# --- bash completion ----------------------------------------------------------
if need_tool bash; then
	expect_exit "completion parses" 0 bash -n "$COMP"

	# comp_of WORD...: the sorted candidates for the command line WORD... (the
	# last word is the one being completed), run in a directory of samples.
	mkdir -p "$T_TMP/c/sub"
	: >"$T_TMP/c/a.cpol"
	: >"$T_TMP/c/b.cpolb"
	: >"$T_TMP/c/p.deb"
	: >"$T_TMP/c/notes.txt"
	comp_of() {
		(cd "$T_TMP/c" && LC_ALL=C bash -c '
			. "$0"
			COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
			_cpolc
			printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' "$COMP" "$@")
	}
	expect_eq "complete 'cpolc bu'" "$(comp_of cpolc bu)" "build "
	expect_eq "complete 'cpolc catalog i'" "$(comp_of cpolc catalog i)" "import-deb init "
	expect_eq "complete 'cpolc cache '" "$(comp_of cpolc cache '')" "prune "
	expect_eq "complete 'cpolc lint --format '" "$(comp_of cpolc lint --format '')" "gcc github json sarif "
	expect_eq "complete 'cpolc build '" "$(comp_of cpolc build '')" "a.cpol b.cpolb sub "
	expect_eq "complete 'cpolc catalog import-deb sub '" \
		"$(comp_of cpolc catalog import-deb sub '')" "p.deb sub "

	# every command of --help is offered, and nothing else
	want=$(printf '%s\n' $commands cache | sort -u | tr '\n' ' ')
	expect_eq "completion offers the commands of --help" "$(comp_of cpolc '')" "$want"

	# every option the completion offers is documented in cpolc.1
	for spec in build eval lint fmt compile disasm graph verify "catalog add" "catalog list" "cache prune"; do
		opts=$(bash -c '. "$0"; _cpolc_options $1 $2' "$COMP" $spec)
		for o in $opts; do
			esc=$(printf '%s' "$o" | sed 's/-/\\-/g')
			if grep -qF -- "$esc" "$MAN1"; then
				t_ok "cpolc.1 documents $spec $o"
			else
				t_fail "cpolc.1 documents $spec $o"
			fi
		done
	done
fi

# --- pre-commit manifest ------------------------------------------------------
if need_tool pre-commit; then
	expect_exit "pre-commit manifest is valid" 0 \
		pre-commit validate-manifest "$CPOLC_SRCDIR/.pre-commit-hooks.yaml"
fi
for id in cpolc-lint cpolc-fmt; do
	if grep -q "^- id: $id\$" "$CPOLC_SRCDIR/.pre-commit-hooks.yaml"; then
		t_ok "pre-commit hook $id"
	else
		t_fail "pre-commit hook $id"
	fi
done

exit "$T_FAILED"
