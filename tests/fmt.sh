#!/bin/sh
# fmt.sh - `cpolc fmt` end to end: golden layouts, idempotence, the stdlib
# and examples already formatted, in-place rewriting (atomic, mode and
# symlinks kept, unchanged files untouched), --check, --diff (applied with
# patch), standard input, syntax errors and bad usage.
. "$CPOLC_SRCDIR/tests/lib.sh"

GOLDEN=$CPOLC_SRCDIR/tests/golden/fmt

# --- golden layouts: FILE.cpol formats to FILE.out, which is a fixed point ---
for f in "$GOLDEN"/*.cpol; do
	name=$(basename "$f" .cpol)
	"$CPOLC" fmt - <"$f" >"$T_TMP/got" 2>"$T_TMP/err"
	expect_eq "golden $name exit" "$?" 0
	if cmp -s "$GOLDEN/$name.out" "$T_TMP/got"; then
		t_ok "golden $name output"
	else
		t_fail "golden $name output" "$(diff -u "$GOLDEN/$name.out" "$T_TMP/got" | head -c 1500)"
	fi
	cp "$GOLDEN/$name.out" "$T_TMP/$name.cpol"
	expect_exit "golden $name is formatted" 0 "$CPOLC" fmt --check "$T_TMP/$name.cpol"
	expect_exit "golden $name needs formatting" 1 "$CPOLC" fmt --check "$f"
done

# --- only policy sources are read: a file of another name is not shown ---
printf 'root:$6$secret:19000:0:99999:7:::\n' >"$T_TMP/shadow"
expect_exit "fmt refuses a file that is no .cpol" 2 "$CPOLC" fmt --caret --check "$T_TMP/shadow"
expect_match "saying so" "$T_ERR" "is not a policy source"
expect_eq "and never quoting it" "$(printf '%s' "$T_ERR" | grep -c secret)" 0
ln -s "$T_TMP/shadow" "$T_TMP/shadow.cpol"
expect_exit "nor a .cpol link to one" 2 "$CPOLC" fmt --caret --check "$T_TMP/shadow.cpol"
expect_eq "unquoted" "$(printf '%s' "$T_ERR" | grep -c secret)" 0

# --- the stdlib and every example are formatted ---
set -- "$CPOLC_SRCDIR"/stdlib/*.cpol $(find "$CPOLC_SRCDIR/examples" -name '*.cpol' | sort)
expect_eq "stdlib and examples found" "$([ $# -ge 3 ] && echo yes)" yes
expect_exit "stdlib and examples are formatted" 0 "$CPOLC" fmt --check "$@"
expect_eq "nothing listed" "$T_OUT" ""

# --- rewriting in place ---
cp "$GOLDEN/layout.cpol" "$T_TMP/a.cpol"
chmod 640 "$T_TMP/a.cpol"
expect_exit "rewrite" 0 "$CPOLC" fmt "$T_TMP/a.cpol"
expect_eq "rewrite prints nothing" "$T_OUT$T_ERR" ""
if cmp -s "$GOLDEN/layout.out" "$T_TMP/a.cpol"; then t_ok "rewritten content"; else t_fail "rewritten content"; fi
expect_eq "mode kept" "$(stat -c %a "$T_TMP/a.cpol")" 640
ino=$(stat -c %i "$T_TMP/a.cpol")
expect_exit "formatted file" 0 "$CPOLC" fmt "$T_TMP/a.cpol"
expect_eq "formatted file not rewritten" "$(stat -c %i "$T_TMP/a.cpol")" "$ino"
cp "$GOLDEN/comments.cpol" "$T_TMP/target.cpol"
ln -s target.cpol "$T_TMP/link.cpol"
expect_exit "through a symlink" 0 "$CPOLC" fmt "$T_TMP/link.cpol"
expect_eq "symlink kept" "$([ -L "$T_TMP/link.cpol" ] && echo link)" link
if cmp -s "$GOLDEN/comments.out" "$T_TMP/target.cpol"; then t_ok "symlink target rewritten"; else t_fail "symlink target rewritten"; fi

# --- --check and --diff write nothing ---
cp "$GOLDEN/layout.cpol" "$T_TMP/b.cpol"
expect_exit "--check" 1 "$CPOLC" fmt --check "$T_TMP/a.cpol" "$T_TMP/b.cpol"
expect_eq "--check lists the file to change" "$T_OUT" "$T_TMP/b.cpol"
expect_exit "--diff" 1 "$CPOLC" fmt --diff "$T_TMP/b.cpol"
if cmp -s "$GOLDEN/layout.cpol" "$T_TMP/b.cpol"; then t_ok "--check and --diff leave the file"; else t_fail "--check and --diff leave the file"; fi
printf '%s\n' "$T_OUT" >"$T_TMP/b.diff"
expect_match "--diff header" "$T_OUT" "^--- a/.*b.cpol"
expect_match "--diff hunk" "$T_OUT" "@@ -1,[0-9]+ \+1,[0-9]+ @@"
if command -v patch >/dev/null 2>&1; then
	expect_exit "the diff applies" 0 patch -s -o "$T_TMP/patched" "$T_TMP/b.cpol" "$T_TMP/b.diff"
	if cmp -s "$GOLDEN/layout.out" "$T_TMP/patched"; then t_ok "patched equals formatted"; else t_fail "patched equals formatted"; fi
fi
expect_exit "--diff of a formatted file" 0 "$CPOLC" fmt --diff "$T_TMP/a.cpol"
expect_eq "--diff prints nothing" "$T_OUT" ""

# --- standard input ---
printf 'const  a=1 ;' >"$T_TMP/in"
expect_exit "stdin" 0 sh -c '"$1" fmt - <"$2"' sh "$CPOLC" "$T_TMP/in"
expect_eq "stdin to stdout" "$T_OUT" "const a = 1;"

# --- errors ---
printf 'policy "p" {\n  include ;\n}\n' >"$T_TMP/bad.cpol"
cp "$T_TMP/bad.cpol" "$T_TMP/bad.orig"
expect_exit "syntax error" 2 "$CPOLC" fmt "$T_TMP/bad.cpol"
expect_match "syntax error reported" "$T_ERR" "bad.cpol:2:11: error: .*\[syntax\]"
if cmp -s "$T_TMP/bad.orig" "$T_TMP/bad.cpol"; then t_ok "bad file untouched"; else t_fail "bad file untouched"; fi
cp "$GOLDEN/layout.cpol" "$T_TMP/c.cpol"
expect_exit "syntax error beats --check" 2 "$CPOLC" fmt --check "$T_TMP/c.cpol" "$T_TMP/bad.cpol"
expect_eq "other files still checked" "$T_OUT" "$T_TMP/c.cpol"
expect_exit "other files still rewritten" 2 "$CPOLC" fmt "$T_TMP/bad.cpol" "$T_TMP/c.cpol"
if cmp -s "$GOLDEN/layout.out" "$T_TMP/c.cpol"; then t_ok "good file formatted"; else t_fail "good file formatted"; fi
expect_exit "missing file" 2 "$CPOLC" fmt "$T_TMP/missing.cpol"
expect_match "missing file message" "$T_ERR" "cannot read '.*missing.cpol': No such file"
expect_exit "directory" 2 "$CPOLC" fmt "$T_TMP"
expect_exit "no files" 2 "$CPOLC" fmt
expect_exit "unknown option" 2 "$CPOLC" fmt --bogus "$T_TMP/a.cpol"
expect_exit "--help" 0 "$CPOLC" fmt --help
expect_match "--help text" "$T_OUT" "usage: cpolc fmt \[--check\|--diff\] FILE"
