#!/bin/sh
# install.sh - `make install` puts the binary, stdlib, man pages and bash
# completion under the prefix, and an installed cpolc finds its stdlib.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

inst=$T_TMP/inst
make -C "$CPOLC_BUILDDIR" install DESTDIR="$inst" >"$T_TMP/log" 2>&1
expect_eq "make install succeeds" "$?" 0
prefix=$inst$(sed -n 's/^prefix = //p' "$CPOLC_BUILDDIR/Makefile")
for f in bin/cpolc share/cpolc/stdlib/security.cpol share/cpolc/stdlib/oci.cpol \
	share/man/man1/cpolc.1 share/man/man5/cpol.5 share/bash-completion/completions/cpolc; do
	if [ -f "$prefix/$f" ]; then t_ok "installed $f"; else t_fail "installed $f"; fi
done

# A module that exists only in the installed stdlib proves that the installed
# binary searches it (found beside the binary, wherever the tree was staged).
cat >"$prefix/share/cpolc/stdlib/only_installed.cpol" <<'P'
# only_installed.cpol - a test module
fragment marker {
  label "marker" = "installed";
}
P
cat >"$T_TMP/p.cpol" <<'P'
import "only_installed";
import "security";

policy "p" {
  use only_installed.marker;
  use security.nonroot;
}
P
expect_exit "installed cpolc finds its stdlib" 0 "$prefix/bin/cpolc" eval "$T_TMP/p.cpol"
expect_match "stdlib fragment applied" "$T_OUT" '"marker": "installed"'
expect_exit "the build tree's cpolc does not see it" 2 "$CPOLC" eval "$T_TMP/p.cpol"
expect_match "missing module named" "$T_ERR" "cannot find stdlib module 'only_installed'"
