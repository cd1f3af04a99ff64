#!/bin/sh
# lint_ignore.sh - `# cpolc:ignore RULE[,RULE...]` comments: at the end of
# the line of a diagnostic, or alone on the line(s) above it; only the rules
# named, only lint rules (never syntax, name or type errors).
. "$CPOLC_SRCDIR/tests/lib.sh"

cat >"$T_TMP/w.cpol" <<'CPOL'
policy "p" {
  user "1000";
  let a = 1; # cpolc:ignore unused-let
  let b = 2; # cpolc:ignore config-override, unused-let -- with a reason
  # cpolc:ignore unused-let
  # a second comment line
  let c = 3;
  let d = 4; # cpolc:ignore user-root
  let e = 5; # cpolc:ignore
  let f = 6; #cpolc:ignore unused-let
  let g = "# cpolc:ignore unused-let";
  let h = 8; # cpolc:ignoreunused-let
}
CPOL
expect_exit "suppressed warnings" 0 "$CPOLC" lint "$T_TMP/w.cpol"
printf '%s\n' "$T_ERR" | sed 's/:[0-9]*: warning.*//; s/.*://' | tr '\n' ' ' >"$T_TMP/lines"
expect_eq "only unsuppressed lines warn" "$(cat "$T_TMP/lines")" "8 9 11 12 "
expect_exit "-Werror counts only what is left" 1 "$CPOLC" lint -Werror "$T_TMP/w.cpol"
sed -e '/let [deg]/d' -e '/let h/d' "$T_TMP/w.cpol" >"$T_TMP/w2.cpol"
expect_exit "all suppressed passes -Werror" 0 "$CPOLC" lint -Werror "$T_TMP/w2.cpol"
expect_eq "all suppressed prints nothing" "$T_ERR" ""
# a note goes with its warning
printf 'policy "p" {\n  user "1";\n  user "2"; # cpolc:ignore config-override\n}\n' >"$T_TMP/n.cpol"
expect_exit "suppressed override" 0 "$CPOLC" lint "$T_TMP/n.cpol"
expect_eq "no note left behind" "$T_ERR" ""

# errors cannot be suppressed
printf 'policy "p" {\n  user "1";\n  include "a" >= x; # cpolc:ignore unknown-name\n}\n' >"$T_TMP/e.cpol"
expect_exit "name errors are not suppressed" 1 "$CPOLC" lint "$T_TMP/e.cpol"
expect_match "name error reported" "$T_ERR" "e.cpol:3:18: error: .*\[unknown-name\]"
printf 'policy "p" {\n  user "1";\n  include ; # cpolc:ignore syntax\n}\n' >"$T_TMP/s.cpol"
expect_exit "syntax errors are not suppressed" 1 "$CPOLC" lint "$T_TMP/s.cpol"
expect_match "syntax error reported" "$T_ERR" "s.cpol:3:11: error: .*\[syntax\]"
