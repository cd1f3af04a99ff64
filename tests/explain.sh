#!/bin/sh
# explain.sh - cpolc explain (issue 15): why a primitive is in the image (the
# include, or the dependency chain with each Depends element and its file)
# or why not (excluded, met by another alternative, each version's
# constraint, platform or admit filter with its CVEs, no candidate), as the
# golden outputs of tests/golden/explain say; and eval --format text with
# each selected primitive's size and the total.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
G=$CPOLC_SRCDIR/tests/golden/explain
cd "$T_TMP" || exit 1
unset CPOL_PATH
. "$G/setup.sh" >/dev/null || { t_fail "setup" "the catalog of $G/setup.sh"; exit 1; }

grep -v '^#' "$G/cases" | while read -r name pol prim want c; do
	expect_exit "explain $pol $prim ($name)" "$want" "$CPOLC" explain "$pol" "$prim" ${c:+-C cat}
	expect_eq "... prints $name.out" "$T_OUT" "$(cat "$G/$name.out")"
	[ "$T_FAILED" -eq 0 ] || echo "$T_FAILED" >failed
done
[ -f failed ] && T_FAILED=$(cat failed)

expect_exit "a resolution failure is also reported" 3 "$CPOLC" explain broken.cpol curl -C cat
expect_match "... as diagnostics" "$T_ERR" "error: no eligible version of 'curl'"
expect_exit "a policy that does not compile" 2 "$CPOLC" explain /dev/null app -C cat
expect_exit "no name" 2 "$CPOLC" explain web.cpol
expect_match "... is a usage error" "$T_ERR" "a policy and a primitive's name are needed"

# eval --format text: sizes
printf 'twelve bytes' >s/usr/bin/big
"$CPOLC" catalog add cat --name big --version 1 s >/dev/null
printf 'policy "sized" { include "big"; include "zlib"; }\n' >sized.cpol
expect_exit "eval --format text with a catalog" 0 "$CPOLC" eval sized.cpol -C cat --format text
expect_match "each primitive's size" "$T_OUT" "^  big 1  16 B  \(include at sized\.cpol:1:18\)$"
expect_match "... zlib's" "$T_OUT" "^  zlib 1\.3  5 B  \(include at sized\.cpol:1:33\)$"
expect_match "and the total" "$T_OUT" "^  total: 21 B in 2 primitives$"

t_cleanup
