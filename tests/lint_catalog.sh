#!/bin/sh
# lint_catalog.sh - `cpolc lint -C CATALOG`: unknown primitives, version
# constraints no catalog version meets, and admit filters that reject every
# version of an included name, against a small catalog made with
# `cpolc catalog add`.
. "$CPOLC_SRCDIR/tests/lib.sh"

STDLIB=$CPOLC_SRCDIR/stdlib
CAT=$T_TMP/cat
mkdir -p "$T_TMP/files"
echo content >"$T_TMP/files/a"
"$CPOLC" catalog init "$CAT" >/dev/null || t_fail "catalog init"
add() { "$CPOLC" catalog add "$CAT" "$@" "$T_TMP/files/a" >/dev/null || t_fail "catalog add $*"; }
add --name busybox --version 1.35.0-1
add --name busybox --version 1.36.1-1
add --name openssl --version 3.0.11-1 --provides libssl
add --name app --version 2.0 --license MIT
echo '{"critical": 2, "high": 0}' >"$T_TMP/scan.json"
"$CPOLC" catalog set-scan "$CAT" openssl 3.0.11-1 "$T_TMP/scan.json" || t_fail "catalog set-scan"

cat >"$T_TMP/clean.cpol" <<'CPOL'
import "security";

policy "clean" {
  use security.nonroot;
  include "busybox" >= "1.36";
  include "libssl";
  exclude "app";
  admit p if p.name != "busybox" || p.version >= "1.36";
}
CPOL
expect_exit "a clean policy" 0 "$CPOLC" lint --stdlib "$STDLIB" -C "$CAT" "$T_TMP/clean.cpol"
expect_eq "a clean policy has no diagnostics" "$T_ERR" ""

cat >"$T_TMP/p.cpol" <<'CPOL'
import "security";

const floor = "9.0";

fragment tls(min) {
  include "openssl" >= min;
}

policy "p" {
  use security.nonroot;
  include "busybox" >= "2.0";
  include "nosuch";
  exclude "ghost";
  include "busybox" >= floor;
  use tls("4.0");
  use security.no_critical_cves;
  admit p if p.name != "busybox" || p.version < "1.0";
  if input.env == "x" {
    base "nobase";
  }
  include "app";
  admit p if p.name != "app" || p.version == input.app_version;
  let lic = "GPL";
  admit p if p.license == lic;
}
CPOL
expect_exit "catalog errors" 1 "$CPOLC" lint --stdlib "$STDLIB" -C "$CAT" "$T_TMP/p.cpol"
cat >"$T_TMP/want" <<EOF2
$T_TMP/p.cpol:6:3: error: the admit filter at <stdlib>/security.cpol:22:3 rejects every catalog version of 'openssl' [admit-rejects-all]
$T_TMP/p.cpol:6:24: error: no catalog version of 'openssl' satisfies >= 4.0 (the highest is 3.0.11-1) [unsatisfiable-constraint]
$T_TMP/p.cpol:11:24: error: no catalog version of 'busybox' satisfies >= 2.0 (the highest is 1.36.1-1) [unsatisfiable-constraint]
$T_TMP/p.cpol:12:11: error: no catalog has or provides a primitive named 'nosuch' [unknown-primitive]
$T_TMP/p.cpol:13:11: warning: no catalog has or provides a primitive named 'ghost' [unknown-primitive]
$T_TMP/p.cpol:14:24: error: no catalog version of 'busybox' satisfies >= 9.0 (the highest is 1.36.1-1) [unsatisfiable-constraint]
$T_TMP/p.cpol:17:3: error: this admit filter rejects every catalog version of 'busybox' [admit-rejects-all]
$T_TMP/p.cpol:19:10: error: no catalog has or provides a primitive named 'nobase' [unknown-primitive]
EOF2
if [ "$T_ERR" = "$(cat "$T_TMP/want")" ]; then t_ok "catalog diagnostics"; else
	t_fail "catalog diagnostics" "$(printf '%s\n' "$T_ERR" | diff -u "$T_TMP/want" - | head -c 2000)"; fi
# filters that read input or a let are not judged (lines 22 and 24)
expect_eq "input and let filters not judged" "$(printf '%s\n' "$T_ERR" | grep -c 'p.cpol:2[24]:')" 0

# the same rules can be suppressed where they are reported
sed -e 's|include "nosuch";|include "nosuch"; # cpolc:ignore unknown-primitive|' \
    -e 's|  admit p if p.name != "busybox" \|\| p.version < "1.0";|  # cpolc:ignore admit-rejects-all\n&|' \
    "$T_TMP/p.cpol" >"$T_TMP/q.cpol"
expect_exit "suppressed catalog errors" 1 "$CPOLC" lint --stdlib "$STDLIB" -C "$CAT" "$T_TMP/q.cpol"
expect_eq "two fewer diagnostics" "$(printf '%s\n' "$T_ERR" | wc -l)" 6
case $T_ERR in *nosuch*|*"version of 'busybox' [admit"*) t_fail "suppressed ones are gone" "$T_ERR" ;; *) t_ok "suppressed ones are gone" ;; esac

# without -C none of this is checked; a bad catalog is bad input
expect_exit "without catalogs" 0 "$CPOLC" lint --stdlib "$STDLIB" "$T_TMP/p.cpol"
expect_exit "missing catalog" 2 "$CPOLC" lint --stdlib "$STDLIB" -C "$T_TMP/nocat" "$T_TMP/clean.cpol"
# files with errors are not checked against the catalog
printf 'policy "x" {\n  include "nosuch" >= ;\n}\n' >"$T_TMP/bad.cpol"
expect_exit "syntax errors" 1 "$CPOLC" lint -C "$CAT" "$T_TMP/bad.cpol"
case $T_ERR in *unknown-primitive*) t_fail "no catalog checks after errors" ;; *) t_ok "no catalog checks after errors" ;; esac

# a name spelt an edit or two from one in the catalogs, a virtual one too
printf 'policy "t" {\n  user "1000";\n  include "busybx";\n  include "libsl";\n  include "zzzzzz";\n}\n' >"$T_TMP/typo.cpol"
expect_exit "misspelt primitives" 1 "$CPOLC" lint -C "$CAT" "$T_TMP/typo.cpol"
expect_eq "are named, with what they are near" "$T_ERR" \
	"$T_TMP/typo.cpol:3:11: error: no catalog has or provides a primitive named 'busybx'; did you mean 'busybox'? [unknown-primitive]
$T_TMP/typo.cpol:4:11: error: no catalog has or provides a primitive named 'libsl'; did you mean 'libssl'? [unknown-primitive]
$T_TMP/typo.cpol:5:11: error: no catalog has or provides a primitive named 'zzzzzz' [unknown-primitive]"
expect_exit "and a build says so too" 3 "$CPOLC" build -C "$CAT" -o "$T_TMP/typo.oci" "$T_TMP/typo.cpol"
expect_match "... at the include" "$T_ERR" "no primitive 'busybx' in the catalogs \(t -> busybx\); did you mean 'busybox'\?"
