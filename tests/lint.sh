#!/bin/sh
# lint.sh - `cpolc lint` end to end: golden diagnostics, exit codes, output
# formats, the stdlib, and hostile input (missing files, directories, bad
# UTF-8, huge literals, deep nesting).
. "$CPOLC_SRCDIR/tests/lib.sh"

STDLIB=$CPOLC_SRCDIR/stdlib
GOLDEN=$CPOLC_SRCDIR/tests/golden/lint

# --- golden diagnostics: each FILE.cpol against FILE.err ---
for f in "$GOLDEN"/*.cpol; do
	name=$(basename "$f" .cpol)
	want=1
	grep -q ': error: ' "$GOLDEN/$name.err" || want=0
	(cd "$GOLDEN" && "$CPOLC" lint --stdlib "$STDLIB" --no-caret "$name.cpol") >"$T_TMP/out" 2>"$T_TMP/got"
	rc=$?
	expect_eq "golden $name exit" "$rc" "$want"
	if diff -u "$GOLDEN/$name.err" "$T_TMP/got" >"$T_TMP/diff"; then
		t_ok "golden $name output"
	else
		t_fail "golden $name output" "$(head -c 1500 "$T_TMP/diff")"
	fi
done

# --- config-override names the key a statement sets: a file's path, a
# keyed config's key, an unkeyed config's word ---
printf 'policy "p" {\n  user "1";\n  file "/etc/a" = "x";\n  file "/etc/a" = "y";\n  env A = "1";\n  env A = "2";\n  user "2";\n}\n' >"$T_TMP/keys.cpol"
expect_exit "config set twice warns" 0 "$CPOLC" lint --stdlib "$STDLIB" --no-caret "$T_TMP/keys.cpol"
expect_match "... a file by its path" "$T_ERR" \
	"keys.cpol:4:3: warning: file '/etc/a' is set again; the earlier value is overridden \[config-override\]"
expect_match "... env by its key" "$T_ERR" \
	"keys.cpol:6:3: warning: env 'A' is set again; the earlier value is overridden \[config-override\]"
expect_match "... user by its word" "$T_ERR" \
	"keys.cpol:7:3: warning: 'user' is set again; the earlier value is overridden \[config-override\]"

# --- a misspelt stdlib module is named ---
printf 'import "securty";\npolicy "p" { include "x"; }\n' >"$T_TMP/imp.cpol"
expect_exit "a misspelt stdlib import" 1 "$CPOLC" lint --stdlib "$STDLIB" "$T_TMP/imp.cpol"
expect_match "... names the module it is near" "$T_ERR" \
	"imp.cpol:1:8: error: cannot find stdlib module 'securty' \(searched .*\); did you mean 'security'\? \[import\]"
printf 'import "zzzzqq";\npolicy "p" { include "x"; }\n' >"$T_TMP/imp2.cpol"
expect_exit "an import near nothing" 1 "$CPOLC" lint --stdlib "$STDLIB" "$T_TMP/imp2.cpol"
case $T_ERR in *"did you mean"*) t_fail "... suggests nothing" "$T_ERR" ;; *) t_ok "... suggests nothing" ;; esac

# --- the stdlib lints clean, even with -Werror ---
expect_exit "stdlib lints clean" 0 "$CPOLC" lint -Werror "$STDLIB/security.cpol" "$STDLIB/oci.cpol"
expect_eq "stdlib has no diagnostics" "$T_ERR" ""

# --- exit codes and options ---
expect_exit "warnings alone exit 0" 0 "$CPOLC" lint --stdlib "$STDLIB" "$GOLDEN/warnings.cpol"
expect_exit "-Werror turns warnings into failure" 1 "$CPOLC" lint -Werror --stdlib "$STDLIB" "$GOLDEN/warnings.cpol"
expect_exit "--help" 0 "$CPOLC" lint --help
expect_match "--help text" "$T_OUT" "usage: cpolc lint FILE"
expect_exit "no files" 2 "$CPOLC" lint
expect_exit "unknown option" 2 "$CPOLC" lint --bogus "$GOLDEN/clean.cpol"
expect_exit "unknown format" 2 "$CPOLC" lint --format xml "$GOLDEN/clean.cpol"
expect_exit "missing file" 2 "$CPOLC" lint "$T_TMP/missing.cpol"
expect_match "missing file message" "$T_ERR" "cannot read '.*missing.cpol': No such file"
expect_exit "directory" 2 "$CPOLC" lint "$T_TMP"
expect_match "directory message" "$T_ERR" "not a policy source"
mkdir -p "$T_TMP/d.cpol" && expect_exit "directory named .cpol" 2 "$CPOLC" lint "$T_TMP/d.cpol"
expect_match "directory named .cpol message" "$T_ERR" "Is a directory"
expect_exit "unreadable beats errors" 2 "$CPOLC" lint --stdlib "$STDLIB" "$GOLDEN/syntax.cpol" "$T_TMP/missing.cpol"
expect_match "other files still linted" "$T_ERR" "syntax.cpol:4:10: error"

# --- output formats ---
expect_exit "caret" 1 "$CPOLC" lint --caret --stdlib "$STDLIB" "$GOLDEN/types.cpol"
expect_match "caret line" "$T_ERR" "    8 \|   if 1 \{ include \"a\"; \}"
expect_match "caret underline" "$T_ERR" "      \|      \^"
expect_exit "json" 1 "$CPOLC" lint --format json --stdlib "$STDLIB" "$GOLDEN/types.cpol"
expect_match "json entry" "$T_OUT" '"rule": "type"'
if command -v python3 >/dev/null 2>&1; then
	n=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
	expect_eq "json is a list of every diagnostic" "$n" 9
fi
expect_exit "github" 0 "$CPOLC" lint --format github --stdlib "$STDLIB" "$GOLDEN/warnings.cpol"
expect_match "github annotation" "$T_OUT" "::warning file=.*warnings.cpol,line=16,col=3,title=config-override::"
expect_exit "sarif" 1 "$CPOLC" lint --format sarif --stdlib "$STDLIB" "$GOLDEN/types.cpol"
expect_match "sarif version" "$T_OUT" '"version": "2.1.0"'
expect_match "sarif rule" "$T_OUT" '"ruleId": "division-by-zero"'

# --- stdlib search path ---
mkdir -p "$T_TMP/std"
printf 'fragment f { user "7"; }\n' >"$T_TMP/std/mine.cpol"
printf 'import "mine";\npolicy "p" { use mine.f; }\n' >"$T_TMP/usemine.cpol"
expect_exit "import not found" 1 "$CPOLC" lint "$T_TMP/usemine.cpol"
expect_match "import not found message" "$T_ERR" "cannot find stdlib module 'mine'"
expect_exit "import via --stdlib" 0 "$CPOLC" lint --stdlib "$T_TMP/std" "$T_TMP/usemine.cpol"
expect_exit "import via CPOL_PATH" 0 env CPOL_PATH="/nonexistent:$T_TMP/std" "$CPOLC" lint "$T_TMP/usemine.cpol"
expect_exit "installed or source stdlib found by default" 0 "$CPOLC" lint -Werror "$GOLDEN/clean.cpol"

# --- hostile input ---
: >"$T_TMP/empty.cpol"
expect_exit "empty file" 0 "$CPOLC" lint "$T_TMP/empty.cpol"
expect_eq "empty file is silent" "$T_ERR" ""

printf 'policy "p" {\n  user "1";\n  label "x" = "caf\351";\n}\n' >"$T_TMP/latin1.cpol"
expect_exit "invalid UTF-8" 1 "$CPOLC" lint "$T_TMP/latin1.cpol"
expect_match "invalid UTF-8 located" "$T_ERR" "latin1.cpol:3:19: error: invalid UTF-8 \(byte 0xe9\) \[encoding\]"

printf 'policy "p" {\n  user "1";\n  label "x" = "open\n}\n' >"$T_TMP/unterminated.cpol"
expect_exit "unterminated string" 1 "$CPOLC" lint "$T_TMP/unterminated.cpol"
expect_match "unterminated string located" "$T_ERR" "unterminated.cpol:3:15: error: unterminated string"

printf 'policy "p" { user "1"; label "x" = "open' >"$T_TMP/eof.cpol"
expect_exit "string open at end of file" 1 "$CPOLC" lint "$T_TMP/eof.cpol"
expect_match "string open at end of file message" "$T_ERR" "eof.cpol:1:36: error: unterminated string"

# a 5 MB string literal
{
	printf 'policy "p" {\n  user "1";\n  file "/big" = "'
	head -c 5000000 /dev/zero | tr '\0' 'a'
	printf '";\n}\n'
} >"$T_TMP/bigstring.cpol"
expect_exit "5 MB string literal" 0 "$CPOLC" lint -Werror "$T_TMP/bigstring.cpol"

# 20,000 nested parentheses: a correct result
{
	printf 'const x = '
	i=0; s=''; while [ $i -lt 100 ]; do s="$s("; i=$((i + 1)); done
	i=0; while [ $i -lt 200 ]; do printf '%s' "$s"; i=$((i + 1)); done
	printf '1'
	s=$(printf '%s' "$s" | tr '(' ')')
	i=0; while [ $i -lt 200 ]; do printf '%s' "$s"; i=$((i + 1)); done
	printf ';\npolicy "p" { user "1"; env X = string(x); }\n'
} >"$T_TMP/parens.cpol"
expect_exit "20,000 nested parentheses" 0 "$CPOLC" lint -Werror "$T_TMP/parens.cpol"

# 20,000 nested lists: too deep to walk, a clean error
tr '()' '[]' <"$T_TMP/parens.cpol" | sed 's/\[1\]/[]/' >"$T_TMP/lists.cpol"
expect_exit "20,000 nested lists" 1 "$CPOLC" lint "$T_TMP/lists.cpol"
expect_match "nested too deeply" "$T_ERR" "lists.cpol:1:.*error: expression nested too deeply \(more than 1000 levels\) \[syntax\]"

# a NUL byte in the source
printf 'const x = 1;\000\n' >"$T_TMP/nul.cpol"
expect_exit "NUL byte" 1 "$CPOLC" lint "$T_TMP/nul.cpol"
expect_match "NUL byte located" "$T_ERR" "nul.cpol:1:13: error: unexpected byte 0x00"

# fragments that use the one below twice, 60 deep, and lets that double:
# expansion and folding are budgeted, so lint finishes (the timeout is only a
# safety net against a hang, not a speed assertion)
{
	printf 'fragment f0 { user "1"; }\n'
	i=1; while [ $i -le 60 ]; do printf 'fragment f%d { use f%d; use f%d; }\n' $i $((i - 1)) $((i - 1)); i=$((i + 1)); done
	printf 'policy "p" {\n  let x0 = 1;\n'
	i=1; while [ $i -le 80 ]; do printf '  let x%d = x%d + x%d;\n' $i $((i - 1)) $((i - 1)); i=$((i + 1)); done
	printf '  deny "d" when x80 > 0;\n  use f60;\n}\n'
} >"$T_TMP/expo.cpol"
expect_exit "exponential expansion is budgeted" 0 timeout 300 "$CPOLC" lint "$T_TMP/expo.cpol"
expect_match "exponential expansion still warns" "$T_ERR" "expo.cpol:3:.*config-override"

# lib.sh reports failures only through "not ok" lines: make the exit status say it too
[ "$T_FAILED" -eq 0 ]
