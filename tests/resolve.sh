#!/bin/sh
# resolve.sh - end-to-end resolution through 'cpolc catalog resolve': versions,
# virtual names, alternatives, exclusions, conflicts and error chains.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
C=$T_TMP/cat
"$CPOLC" catalog init "$C"
n=0
# prim NAME VERSION [catalog add options...]
prim() {
	n=$((n + 1))
	mkdir -p "$T_TMP/src$n"
	echo "$1 $2" >"$T_TMP/src$n/$1"
	name=$1 version=$2
	shift 2
	"$CPOLC" catalog add "$C" --name "$name" --version "$version" "$@" "$T_TMP/src$n" ||
		t_fail "add $name $version"
}
prim web 1.0 --depends 'app (>= 2)' --depends 'default-mta | mail-transport-agent'
prim app 1.0 --depends libssl3
prim app 2.0 --depends 'libssl3 (>= 3.0)' --depends 'libc6 (>= 2.34)'
prim app 2.1~rc1 --depends 'libssl3 (>= 9)'
prim libssl3 3.0.11 --depends 'libc6 (>= 2.36)'
prim libssl3 3.2 --platform linux/arm64
prim libc6 2.36 --depends libgcc-s1 --platform linux/amd64
prim libgcc-s1 12.2.0 --depends 'libc6 (>= 2.35)' --provides 'libgcc1 (= 1:12.2.0)'
prim postfix 3.7 --provides mail-transport-agent --conflicts mail-transport-agent
prim exim4 4.96 --provides mail-transport-agent --conflicts mail-transport-agent
prim strace 6.1
prim legacy 1 --depends 'libgcc1 (>= 1:13)'

# the highest app (2.1~rc1) needs a libssl3 there is none of: the search
# backs off to app 2.0
expect_exit "the search backs off to the next version" 0 "$CPOLC" catalog resolve -C "$C" web
expect_match "app 2.0 for web" "$T_OUT" "^app	2.0	dependency of web"
# when no version works, the error is that of the highest and explains each candidate
expect_exit "no version of app works" 3 "$CPOLC" catalog resolve -C "$C" web 'app>2.0'
expect_match "chain in the error" "$T_ERR" "^<command line>:app: error: no eligible version for 'libssl3 \(>= 9\)', needed by 'app' \(resolve -> app -> libssl3\) \[no-eligible-version\]"
expect_match "constraint note" "$T_ERR" "note: candidate libssl3: version 3.0.11 does not satisfy '>= 9' \(app\)"
expect_match "constraint note for the other platform's version" "$T_ERR" "note: candidate libssl3: version 3.2 does not satisfy"

expect_exit "resolve web with app <= 2.0" 0 "$CPOLC" catalog resolve -C "$C" web 'app<=2.0'
expect_eq "selection, dependencies first, ties by name" "$T_OUT" "exim4	4.96	dependency of web
libc6	2.36	dependency of app
libgcc-s1	12.2.0	dependency of libc6
libssl3	3.0.11	dependency of app
app	2.0	include at <command line>:app
web	1.0	include at <command line>:web"
expect_exit "json" 0 "$CPOLC" catalog resolve -C "$C" --format json web 'app <= 2.0'
edges=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; print(" ".join(e["from"]+">"+e["to"] for e in json.load(sys.stdin)["edges"]))')
expect_eq "edges sorted, the cycle kept" "$edges" "app>libc6 app>libssl3 libc6>libgcc-s1 libgcc-s1>libc6 libssl3>libc6 web>app web>exim4"

expect_exit "exclude picks the next provider" 0 "$CPOLC" catalog resolve -C "$C" --exclude exim4 web 'app<=2.0'
expect_match "postfix instead of exim4" "$T_OUT" "^postfix	3.7	dependency of web"
expect_exit "two providers of a conflicting virtual name" 3 "$CPOLC" catalog resolve -C "$C" exim4 postfix
expect_match "conflict reported" "$T_ERR" "'exim4' version 4.96 conflicts with 'postfix' version 3.7 \(resolve -> exim4; resolve -> postfix\) \[conflict\]"

expect_exit "excluded dependency" 3 "$CPOLC" catalog resolve -C "$C" --exclude libssl3 web 'app<=2.0'
expect_match "excluded dependency chain" "$T_ERR" "'libssl3' is excluded but 'app' depends on it \(resolve -> app -> libssl3\) \[excluded-dependency\]"
expect_exit "exclusion overrides inclusion" 0 "$CPOLC" catalog resolve -C "$C" --exclude strace strace exim4
expect_eq "only exim4" "$T_OUT" "exim4	4.96	include at <command line>:exim4"

expect_exit "platform" 3 "$CPOLC" catalog resolve -C "$C" --platform linux/arm64 'app==2.0'
expect_match "platform note" "$T_ERR" "candidate libc6: version 2.36 is for linux/amd64, not linux/arm64"
expect_exit "on arm64, app 1.0 works" 0 "$CPOLC" catalog resolve -C "$C" --platform linux/arm64 'app<=2.0'
expect_eq "app 1.0 with the arm64 libssl3" "$T_OUT" "libssl3	3.2	dependency of app
app	1.0	include at <command line>:app"
expect_exit "arm64 picks the arm64 libssl3" 0 "$CPOLC" catalog resolve -C "$C" --platform linux/arm64 libssl3
expect_eq "libssl3 3.2" "$T_OUT" "libssl3	3.2	include at <command line>:libssl3"

expect_exit "versioned provides too low" 3 "$CPOLC" catalog resolve -C "$C" legacy
expect_match "provider note" "$T_ERR" "provider libgcc-s1 12.2.0: provides 'libgcc1 = 1:12.2.0' only"
expect_exit "missing primitive" 3 "$CPOLC" catalog resolve -C "$C" nothere
expect_match "missing primitive message" "$T_ERR" "no primitive 'nothere' in the catalogs \(resolve -> nothere\) \[missing-primitive\]"
expect_exit "every error is reported" 3 "$CPOLC" catalog resolve -C "$C" nothere legacy
expect_eq "two errors" "$(printf '%s\n' "$T_ERR" | grep -c ': error: ')" 2
# a name many dependents need and none can have: one error, one note naming the rest
prim d1 1 --depends 'gone (>= 1)'
prim d2 1 --depends 'gone (>= 2)'
prim d3 1 --depends gone
expect_exit "a name three need" 3 "$CPOLC" catalog resolve -C "$C" d1 d2 d3
expect_eq "is one error" "$(printf '%s\n' "$T_ERR" | grep -c ': error: ')" 1
expect_match "at the first that needs it" "$T_ERR" "no primitive 'gone' in the catalogs, needed by 'd1'"
expect_match "and a note names the others" "$T_ERR" "note: 2 more primitives need 'gone' too: 'd2': gone \(>= 2\), 'd3': gone$"
expect_exit "include constraint" 3 "$CPOLC" catalog resolve -C "$C" 'strace>=7'
expect_match "include constraint note" "$T_ERR" "version 6.1 does not satisfy '>= 7' \(include at <command line>:strace\)"
expect_exit "bad request" 2 "$CPOLC" catalog resolve -C "$C" 'strace>='
expect_exit "no catalog" 2 "$CPOLC" catalog resolve strace
exit "$T_FAILED"
