#!/bin/sh
# explain.sh - cpolc explain (issue 15): why a primitive is in the image (the
# include, or the dependency chain with each Depends element and its file)
# or why not (excluded, met by another alternative, each version's
# constraint, platform or admit filter with the false part of it and its
# operands' values and its CVEs, no candidate), as the golden outputs of
# tests/golden/explain say, and as JSON; and eval --format text with each
# selected primitive's size and the total.
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

# The values behind an admit filter's verdict: the first conjunct that is
# false for the candidate (the filter's own order, over lines), with a
# comparison's operands (a literal that is its own value left out, bytes
# also for people), a name the filter captured at the value it captured,
# a call only named; a compiled module, which has no source, only where.
line() { printf '%s\n' "$T_OUT" | grep -F "$1"; }
mkdir f1 f2 && head -c 100 /dev/zero >f1/small && head -c 3000 /dev/zero >f2/large
printf '{"scan": {"critical": 2, "high": 0}}\n' >crit.json
printf '{"scan": {"critical": 0, "high": 3, "cves": [{"id": "CVE-2099-0002", "severity": "high"}]}}\n' >high.json
"$CPOLC" catalog add cat --name blob --version 1.0 f1 >/dev/null
"$CPOLC" catalog add cat --name blob --version 2.0 f2 >/dev/null
"$CPOLC" catalog add cat --name scanned --version 1 --meta crit.json f1 >/dev/null
"$CPOLC" catalog add cat --name scanned --version 2 --meta high.json f1 >/dev/null
cat >size.cpol <<'P'
policy "size" {
  let limit = input.limit ?? 1KiB;
  include "blob" >= "2.0";
  admit p if p.size <= limit;
}
P
printf 'policy "lit" { include "blob" >= "2.0"; admit p if p.size <= 1KiB; }\n' >lit.cpol
cat >scan.cpol <<'P'
policy "scan" {
  include "scanned";
  admit p if p.scan.critical == 0 &&
    p.scan.high == 0;
}
P
cat >call.cpol <<'P'
policy "call" {
  include "blob";
  admit p if p.size > 0 && startswith(p.name, "lib") && p.size < 0;
}
P
expect_exit "a size bound rejects" 3 "$CPOLC" explain lit.cpol blob -C cat
expect_eq "... with the operand's value, also for people, and the literal's" "$(line 'blob 2.0')" \
	"    blob 2.0: rejected by admit filter at lit.cpol:1:41: p.size <= 1KiB is false (p.size = 3000 (2.9 KiB), 1KiB = 1024)"
expect_exit "a bound the filter captured" 3 "$CPOLC" explain size.cpol blob -C cat
expect_eq "... at the value it captured" "$(line 'blob 2.0')" \
	"    blob 2.0: rejected by admit filter at size.cpol:4:3: p.size <= limit is false (p.size = 3000 (2.9 KiB), limit = 1024 (1.0 KiB))"
expect_exit "a bound from the request" 3 "$CPOLC" explain size.cpol blob -C cat -D limit:=2000
expect_eq "... at the request's value" "$(line 'blob 2.0')" \
	"    blob 2.0: rejected by admit filter at size.cpol:4:3: p.size <= limit is false (p.size = 3000 (2.9 KiB), limit = 2000 (2.0 KiB))"
expect_exit "a conjunction over scan counts" 3 "$CPOLC" explain scan.cpol scanned -C cat
expect_eq "... the first false conjunct of each candidate" "$(printf '%s\n' "$T_OUT" | sed -n '4,5p')" \
	"    scanned 2: rejected by admit filter at scan.cpol:3:3: p.scan.high == 0 is false (p.scan.high = 3); it has CVE-2099-0002 (high)
    scanned 1: rejected by admit filter at scan.cpol:3:3: p.scan.critical == 0 is false (p.scan.critical = 2)"
expect_exit "a call that is false" 3 "$CPOLC" explain call.cpol blob -C cat
expect_eq "... is named, not the conjunct after it" "$(line 'blob 1.0')" \
	"    blob 1.0: rejected by admit filter at call.cpol:3:3: startswith(p.name, \"lib\") is false"
expect_exit "a field a candidate lacks" 3 "$CPOLC" explain scan.cpol blob -C cat
expect_eq "... is null" "$(line 'blob 2.0')" \
	"    blob 2.0: rejected by admit filter at scan.cpol:3:3: p.scan.critical == 0 is false (p.scan.critical = null)"
printf 'fragment cap(n) {\n  admit p if p.size <= n;\n}\n\npolicy "twice" {\n  include "blob" >= "2.0";\n  use cap(10KiB);\n  use cap(1KiB);\n}\n' >twice.cpol
expect_exit "a fragment's filter used twice" 3 "$CPOLC" explain twice.cpol blob -C cat
expect_eq "... the use that rejects, at the value it was given" "$(line 'blob 2.0')" \
	"    blob 2.0: rejected by admit filter at twice.cpol:2:3: p.size <= n is false (p.size = 3000 (2.9 KiB), n = 1024 (1.0 KiB))"
X=$(printf '%0400d' 0 | tr 0 x)
printf 'policy "long" {\n  include "blob" >= "2.0";\n  admit p if p.name + "%s" == "x";\n}\n' "$X" >long.cpol
expect_exit "long expressions and values" 3 "$CPOLC" explain long.cpol blob -C cat
expect_eq "... are cut at 300 bytes" "$(line 'blob 2.0' | sed -E 's/x{280,300}/X/g')" \
	"    blob 2.0: rejected by admit filter at long.cpol:3:3: p.name + \"X... is false ((p.name + \"X...) = \"blobX...)"
"$CPOLC" compile size.cpol -o size.cpolb
expect_exit "a compiled module" 3 "$CPOLC" explain size.cpolb blob -C cat
expect_eq "... says only where" "$(line 'blob 2.0')" \
	"    blob 2.0: rejected by admit filter at size.cpol:4:3"

# --format json: one object, keys sorted
json() { printf '%s\n' "$T_OUT" | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
expect_exit "explain --format json" 3 "$CPOLC" explain scan.cpol scanned -C cat --format json
expect_eq "... the name, whether it is in, why not" "$(json 'd["name"], d["in_image"], d["reason"], d["resolved"]')" \
	"scanned False rejected False"
expect_eq "... the include" "$(json 'd["includes"]')" \
	"[{'at': 'scan.cpol:2:3', 'constraint': None, 'op': None, 'statement': 'include'}]"
expect_eq "... each candidate's admit filter, its false conjunct and operands" \
	"$(json '[(c["version"], c["eligible"], c["admit"]) for c in d["candidates"]]')" \
	"[('2', False, {'at': 'scan.cpol:3:3', 'expr': 'p.scan.high == 0', 'expr_at': 'scan.cpol:4:5', 'operands': [{'expr': 'p.scan.high', 'value': '3'}, {'expr': '0', 'value': '0'}]}), ('1', False, {'at': 'scan.cpol:3:3', 'expr': 'p.scan.critical == 0', 'expr_at': 'scan.cpol:3:14', 'operands': [{'expr': 'p.scan.critical', 'value': '2'}, {'expr': '0', 'value': '0'}]})]"
expect_eq "... its CVEs and the text's why" "$(json 'd["candidates"][0]["cves"], d["candidates"][0]["why"]')" \
	"[{'id': 'CVE-2099-0002', 'severity': 'high'}] rejected by admit filter at scan.cpol:3:3: p.scan.high == 0 is false (p.scan.high = 3); it has CVE-2099-0002 (high)"
expect_eq "... keys sorted" "$(printf '%s\n' "$T_OUT" | sed -n 2p)" '  "candidates": ['
expect_exit "json for a dependency" 0 "$CPOLC" explain deep.cpol zlib -C cat --format json
expect_eq "... its chain from the included root" \
	"$(json 'd["reason"], d["version"], d["root"]["name"], d["root"]["includes"][0]["at"], [(l["from"], l["to"], l["depends"]) for l in d["chain"]]')" \
	"dependency 1.3 app deep.cpol:2:3 [('app', 'libmid', 'libmid (>= 1.0)'), ('libmid', 'zlib', 'zlib (>= 1.2) | libz-alt')]"
expect_exit "json for an excluded name" 1 "$CPOLC" explain web.cpol libz-alt -C cat --format json
expect_eq "... where and who depends on it" \
	"$(json 'd["reason"], d["excluded_at"], [x["name"] for x in d["dependents"]], [(c["version"], c["eligible"], c["why"]) for c in d["candidates"]]')" \
	"excluded ['web.cpol:6:3'] ['libmid'] [('1', True, None)]"
expect_exit "json for an unknown name" 1 "$CPOLC" explain web.cpol nosuch -C cat --format json
expect_eq "... absent" "$(json 'd["reason"], d["candidates"]')" "absent []"
expect_exit "json without catalogs" 0 "$CPOLC" explain web.cpol zlib --format json
expect_eq "... included, not resolved" "$(json 'd["reason"], d["in_image"], d["resolved"], "candidates" in d')" \
	"included True False False"
expect_exit "a bad --format" 2 "$CPOLC" explain web.cpol zlib --format yaml

# eval --format text: sizes
printf 'twelve bytes' >s/usr/bin/big
"$CPOLC" catalog add cat --name big --version 1 s >/dev/null
printf 'policy "sized" { include "big"; include "zlib"; }\n' >sized.cpol
expect_exit "eval --format text with a catalog" 0 "$CPOLC" eval sized.cpol -C cat --format text
expect_match "each primitive's size" "$T_OUT" "^  big 1  16 B  \(include at sized\.cpol:1:18\)$"
expect_match "... zlib's" "$T_OUT" "^  zlib 1\.3  5 B  \(include at sized\.cpol:1:33\)$"
expect_match "and the total" "$T_OUT" "^  total: 21 B in 2 primitives$"

t_cleanup
