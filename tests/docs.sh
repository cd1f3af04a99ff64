#!/bin/sh
# docs.sh - the manual pages render cleanly and cover every command, the bash
# completion offers the right candidates, every file and section a source
# comment refers to exists, and the pre-commit manifest is valid.
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

# --- every option of every command: documented and completed -----------------
# Each command's options come from its own table ('--completion-helper'), so
# the manual and the completion cannot fall behind what cpolc accepts.

# man_section HEADING: the lines of cpolc.1 from '.SS HEADING' to the next .SS/.SH.
man_section() {
	awk -v h=".SS $1" 'index($0, h) == 1 { p = 1; print; next } p && /^\.S[SH]/ { exit } p' "$MAN1"
}
# in_man TEXT SECTION-TEXT: is the option or word TEXT (as troff spells it) there?
in_man() {
	printf '%s\n' "$2" | grep -qF -- "$(printf '%s' "$1" | sed 's/-/\\-/g')"
}
common=$(man_section "Options of every command")
expect_match "cpolc.1 has 'Options of every command'" "$common" 'diag'
groups=
for c in $("$CPOLC" --completion-helper); do
	subs=$("$CPOLC" "$c" --completion-helper)
	case $subs in
	-*) specs=$c ;;
	*)
		groups="$groups $c"
		specs=
		for s in $subs; do specs="$specs $c:$s"; done ;;
	esac
	section=$(man_section "cpolc $c")
	for spec in $specs; do
		words=$(printf '%s' "$spec" | tr ':' ' ')
		case $spec in
		*:*)
			if in_man "${spec%%:*} ${spec#*:}" "$(printf '%s' "$section" | sed 's/\\f[BIR]//g')"; then
				t_ok "cpolc.1 documents $words"
			else
				t_fail "cpolc.1 documents $words"
			fi ;;
		esac
		for o in $("$CPOLC" $words --completion-helper | cut -d' ' -f1 | tr -d =); do
			case $o in
			--no-*) continue ;; # the rule for negations is stated once
			--diag-format | --caret | --help) where=$common ;;
			*) where=$section ;;
			esac
			if in_man "$o" "$where"; then
				t_ok "cpolc.1 documents $words $o"
			else
				t_fail "cpolc.1 documents $words $o" "not in the section of '$c'"
			fi
		done
	done
done
expect_eq "the command groups" "$groups" " cache catalog"

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
	expect_eq "complete 'cpolc bu'" "$(comp_of "$CPOLC" bu)" "build "
	expect_eq "complete 'cpolc catalog i'" "$(comp_of "$CPOLC" catalog i)" "import-apt import-deb import-scan init "
	expect_eq "complete 'cpolc catalog re'" "$(comp_of "$CPOLC" catalog re)" "reindex resolve "
	expect_eq "complete 'cpolc cache '" "$(comp_of "$CPOLC" cache '')" \
		"$("$CPOLC" cache --completion-helper | sort | tr '\n' ' ')"
	expect_eq "complete 'cpolc lint --format '" "$(comp_of "$CPOLC" lint --format '')" "gcc github json sarif "
	expect_eq "complete 'cpolc build --compression '" "$(comp_of "$CPOLC" build --compression '')" \
		"gzip none zstd "
	expect_eq "complete 'cpolc build '" "$(comp_of "$CPOLC" build '')" "a.cpol b.cpolb sub "
	expect_eq "complete a flag's next word as an operand" "$(comp_of "$CPOLC" build --locked '')" \
		"a.cpol b.cpolb sub "
	expect_eq "complete an option's value as a word of its own" "$(comp_of "$CPOLC" build --tag '')" " "
	expect_eq "complete 'cpolc catalog import-deb sub '" \
		"$(comp_of "$CPOLC" catalog import-deb sub '')" "p.deb sub "

	# every command of --help is offered, and nothing else
	want=$(printf '%s\n' $commands | sort -u | tr '\n' ' ')
	expect_eq "completion offers the commands of --help" "$(comp_of "$CPOLC" '')" "$want"

	# every option of every table is offered
	for c in $("$CPOLC" --completion-helper); do
		case " $groups " in
		*" $c "*) specs=$("$CPOLC" "$c" --completion-helper | sed "s/^/$c /" | tr ' ' ':') ;;
		*) specs=$c ;;
		esac
		for spec in $specs; do
			words=$(printf '%s' "$spec" | tr ':' ' ')
			got=$(comp_of "$CPOLC" $words -)
			want=$("$CPOLC" $words --completion-helper | cut -d' ' -f1 | tr -d = | sort | tr '\n' ' ')
			expect_eq "completion offers every option of '$words'" "$got" "$want"
		done
	done
fi

# --- references in comments ---------------------------------------------------
# Every repository path that a comment of src/, include/ or grammar/ names
# (doc/X, src/X, include/X, tests/X..., with an extension or a final '/')
# exists; every section cited by title (doc/DESIGN.md, "The lock file") is a
# heading of that document; a bare document name (DESIGN.md) is one in doc/
# or at the top; and no comment cites a numbered rule of a style guide.
# comments.awk prints the text of each C comment as "FILE:LINE: TEXT".
comments_awk='
FNR == 1 { st = "code" }
{
	line = $0; out = ""; n = length(line); i = 1
	while (i <= n) {
		c = substr(line, i, 1); c2 = substr(line, i, 2)
		if (st == "code") {
			if (c2 == "/*") { st = "block"; i += 2; continue }
			if (c2 == "//") { out = out " " substr(line, i + 2); break }
			if (c == "\"") st = "str"; else if (c == "\047") st = "chr"
		} else if (st == "block") {
			if (c2 == "*/") { st = "code"; out = out " "; i += 2; continue }
			out = out c
		} else {
			if (c == "\\") { i += 2; continue }
			if ((st == "str" && c == "\"") || (st == "chr" && c == "\047")) st = "code"
		}
		i++
	}
	if (st != "block") st = "code"
	if (out ~ /[^ \t*]/) print FILENAME ":" FNR ": " out
}'
(cd "$CPOLC_SRCDIR" && find src include -name '*.[ch]' | LC_ALL=C sort |
	xargs awk "$comments_awk" grammar/lexer.l grammar/parser.y) >"$T_TMP/comments"
expect_match "comments of the sources found" "$(cat "$T_TMP/comments")" '^src/vm\.c:[0-9]+: '
nrefs=0
bad_refs=
while IFS= read -r line; do
	where=${line%%: *}
	text=${line#*: }
	for ref in $(printf '%s\n' "$text" |
		grep -oE '(^|[^A-Za-z0-9_./-])(doc|src|include|tests|grammar|stdlib|examples|bench|completion)/[A-Za-z0-9_./<>*-]*' |
		sed -E 's/^[^a-z]//; s/\.+$//; s/<[^>]*>/*/g'); do
		case $ref in */) ;; */*.*) ;; *) continue ;; esac
		nrefs=$((nrefs + 1))
		set -- "$CPOLC_SRCDIR"/$ref
		[ -e "$1" ] || bad_refs="$bad_refs $where:$ref"
	done
	printf '%s\n' "$text" | grep -oE 'doc/[A-Za-z0-9_.-]+, "[^"]+"' | while IFS= read -r cite; do
		doc=${cite%%,*}
		title=${cite#*\"}
		title=${title%\"}
		case $doc in
		*.md) sed -nE 's/^#+ ([0-9]+\. )?//p' "$CPOLC_SRCDIR/$doc" ;;
		*) sed -nE '/^\.S[HS] /{s/^\.S[HS] //; s/^"(.*)"$/\1/; p;}' "$CPOLC_SRCDIR/$doc" ;;
		esac 2>/dev/null | grep -qxF -- "$title" || echo "$where:$cite"
	done >>"$T_TMP/bad-titles"
	for md in $(printf '%s\n' "$text" | grep -oE '(^|[^A-Za-z0-9_./-])[A-Za-z0-9_-]+\.md' | sed -E 's/^[^A-Za-z0-9_-]//'); do
		[ -e "$CPOLC_SRCDIR/doc/$md" ] || [ -e "$CPOLC_SRCDIR/$md" ] || bad_refs="$bad_refs $where:$md"
	done
	case $text in *"STYLE rule"*) bad_refs="$bad_refs $where:STYLE-rule" ;; esac
done <"$T_TMP/comments"
expect_match "comments name repository paths" "$nrefs" '^[1-9][0-9]+$'
expect_eq "every path a comment names exists" "${bad_refs# }" ""
expect_eq "every section a comment cites is a heading" "$(cat "$T_TMP/bad-titles" 2>/dev/null)" ""

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
