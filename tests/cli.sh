#!/bin/sh
# cli.sh - eval with catalogs, graph, cache prune and the top-level CLI.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

cat=$T_TMP/cat
mkdir -p "$T_TMP/files/bin" "$T_TMP/files/lib"
echo app >"$T_TMP/files/bin/app"
echo lib >"$T_TMP/files/lib/libz.so"
"$CPOLC" catalog init "$cat" >/dev/null
"$CPOLC" catalog add "$cat" --name libz --version 1.2 --kind library "$T_TMP/files/lib=/lib" >/dev/null
"$CPOLC" catalog add "$cat" --name libz --version 1.3 --kind library "$T_TMP/files/lib=/lib" >/dev/null
"$CPOLC" catalog add "$cat" --name app --version 2.0 --depends 'libz (>= 1.2)' "$T_TMP/files/bin=/bin" >/dev/null

cat >"$T_TMP/p.cpol" <<'P'
policy "p" {
  include "app";
  admit p if p.name != "libz" || p.version < "1.3";
  user "1000";
  deny "too many primitives" when len(selected) > 5;
  warn "libz is old" when any s in selected : s.name == "libz" && s.version < "1.3";
}
P

expect_exit "eval -C resolves" 0 "$CPOLC" eval "$T_TMP/p.cpol" -C "$cat"
sel=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(s["name"]+"="+s["version"]+"/"+s["reason"] for s in d["selected"]))')
expect_eq "admit filter picks libz 1.2, dependencies first" "$sel" "libz=1.2/dependency of app app=2.0/include at $T_TMP/p.cpol:2:3"
expect_match "warn over selected runs" "$T_OUT" '"message": "libz is old"'
expect_exit "eval without -C leaves selected checks pending" 0 "$CPOLC" eval "$T_TMP/p.cpol"
expect_match "pending lists the deny" "$(printf '%s' "$T_OUT" | tr -d '\n')" '"pending": \[[^]]*too many primitives'

expect_exit "graph dot" 0 "$CPOLC" graph "$T_TMP/p.cpol" -C "$cat"
expect_match "edge from dependent to dependency" "$T_OUT" '"app" -> "libz"|app.*->.*libz'
if command -v dot >/dev/null 2>&1; then
	printf '%s\n' "$T_OUT" >"$T_TMP/g.dot"
	expect_exit "dot renders the graph" 0 dot -Tsvg "$T_TMP/g.dot"
	expect_match "svg names both nodes" "$T_OUT" 'libz'
else
	need_tool dot
fi
expect_exit "graph json" 0 "$CPOLC" graph "$T_TMP/p.cpol" -C "$cat" --format json
expect_match "json edge" "$(printf '%s' "$T_OUT" | tr -d ' \n')" '"edges":\[\{"from":"app","to":"libz"\}\]'
expect_exit "graph needs a catalog" 2 "$CPOLC" graph "$T_TMP/p.cpol"
expect_exit "graph rejects an unknown format" 2 "$CPOLC" graph "$T_TMP/p.cpol" -C "$cat" --format png

cat >"$T_TMP/q.cpol" <<'P'
policy "q" {
  include "app";
  exclude "libz";
}
P
expect_exit "an excluded dependency fails resolution" 3 "$CPOLC" eval "$T_TMP/q.cpol" -C "$cat"
expect_match "the chain is named" "$T_ERR" 'app -> libz'

# build twice into a private cache, then prune it
expect_exit "build with a cache" 0 "$CPOLC" build "$T_TMP/p.cpol" -C "$cat" -o "$T_TMP/img" --lock "$T_TMP/p.lock" --cache "$T_TMP/cache"
n=$(find "$T_TMP/cache" -type f | wc -l)
if [ "$n" -gt 0 ]; then t_ok "the cache holds layers"; else t_fail "the cache holds layers"; fi
expect_eq "the checked set of sources is remembered" "$(ls "$T_TMP/cache/checks" | wc -l)" 1
expect_eq "and the member table of each" "$(ls "$T_TMP/cache/scans" | wc -l)" 2
expect_exit "a rebuild from the cache" 0 "$CPOLC" build "$T_TMP/p.cpol" -C "$cat" -o "$T_TMP/img2" --lock "$T_TMP/p.lock" --cache "$T_TMP/cache"
expect_eq "same image from the cache" "$(cat "$T_TMP/img2/index.json")" "$(cat "$T_TMP/img/index.json")"
mkdir -p "$T_TMP/notes" && echo keep >"$T_TMP/notes/todo.txt"
expect_exit "a directory of other files is no output" 2 "$CPOLC" build "$T_TMP/p.cpol" -C "$cat" -o "$T_TMP/notes" \
	--lock "$T_TMP/notes.lock"
expect_match "says why" "$T_ERR" "is a directory of other files, not an OCI image layout"
expect_eq "and leaves it as it was" "$(ls "$T_TMP/notes")" "todo.txt"
expect_eq "and writes no lock" "$(ls "$T_TMP/notes.lock" 2>/dev/null)" ""
mkdir -p "$T_TMP/empty"
expect_exit "an empty directory is fine" 0 "$CPOLC" build "$T_TMP/p.cpol" -C "$cat" -o "$T_TMP/empty" \
	--lock "$T_TMP/empty.lock"
expect_exit "cache list" 0 "$CPOLC" cache list --cache "$T_TMP/cache"
expect_eq "lists every layer entry" "$(printf '%s\n' "$T_OUT" | grep -c .)" "$(ls "$T_TMP/cache/layers" | grep -c '\.json$')"
expect_match "with key, digest, size and the day of last use" "$(printf '%s\n' "$T_OUT" | head -n 1)" \
	'^[0-9a-f]{64}	sha256:[0-9a-f]{64}	[0-9]+	[0-9]{4}-[0-9]{2}-[0-9]{2}$'
expect_match "and the total" "$T_ERR" '^[0-9]+ layers?, [0-9]+ bytes$'
expect_exit "cache list --format json" 0 "$CPOLC" cache list --cache "$T_TMP/cache" --format json
expect_eq "as JSON" "$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)[0]))')" \
	"['diffId', 'digest', 'key', 'size', 'used']"
expect_exit "cache prune" 0 "$CPOLC" cache prune --cache "$T_TMP/cache" --max-size 0
expect_match "prune reports bytes" "$T_OUT" 'removed [1-9][0-9]* bytes'
expect_exit "cache list after pruning" 0 "$CPOLC" cache list --cache "$T_TMP/cache"
expect_eq "shows an empty cache" "$T_OUT" ""
expect_eq "prune drops the collision check's memos" \
	"$(find "$T_TMP/cache/checks" "$T_TMP/cache/scans" -type f | wc -l)" 0
expect_exit "cache prune rejects a bad size" 2 "$CPOLC" cache prune --cache "$T_TMP/cache" --max-size lots

expect_exit "--help" 0 "$CPOLC" --help
expect_match "--help lists build" "$T_OUT" 'build'
expect_exit "unknown command" 2 "$CPOLC" frobnicate
expect_match "unknown command named" "$T_ERR" "'frobnicate' is not a cpolc command"
expect_exit "no command" 2 "$CPOLC"
for c in build eval lint compile disasm graph verify catalog cache; do
	expect_exit "$c --help" 0 "$CPOLC" $c --help
done

# --- one option parser: every command spells and checks options alike --------
expect_exit "graph refuses --format yaml" 2 "$CPOLC" graph "$T_TMP/p.cpol" -C "$cat" --format yaml
expect_match "naming the choices" "$T_ERR" "option '--format': 'yaml' is not dot or json"
expect_exit "catalog resolve refuses --format yaml too" 2 "$CPOLC" catalog resolve -C "$cat" --format yaml app
expect_match "in the same words" "$T_ERR" "option '--format': 'yaml' is not text or json"
expect_exit "catalog resolve --format=json" 0 "$CPOLC" catalog resolve --catalog="$cat" --format=json app
expect_match "prints the graph" "$T_OUT" '"edges"'
expect_exit "cache prune --max-size=10M" 0 "$CPOLC" cache prune --cache "$T_TMP/cache" --max-size=10M
expect_exit "cache prune --max-size 10MiB" 0 "$CPOLC" cache prune --cache="$T_TMP/cache" --max-size 10MiB
expect_exit "cache prune --max-size 10X" 2 "$CPOLC" cache prune --cache "$T_TMP/cache" --max-size 10X
expect_match "says what a size is" "$T_ERR" "'10X' is not a size .*KiB"
expect_exit "build --max-layers 0" 2 "$CPOLC" build "$T_TMP/p.cpol" -C "$cat" --max-layers 0
expect_match "gives the range" "$T_ERR" "'0' is not a whole number from 1 to 1000000"
expect_exit "a value missing at the end" 2 "$CPOLC" eval "$T_TMP/p.cpol" -r
expect_match "names the option" "$T_ERR" "option '-r' needs a value"
expect_exit "an unknown option" 2 "$CPOLC" eval "$T_TMP/p.cpol" --frobnicate
expect_match "is named, with the usage" "$T_ERR" "cpolc eval: unknown option '--frobnicate'.*
usage: cpolc eval"
expect_exit "no abbreviations" 2 "$CPOLC" eval "$T_TMP/p.cpol" --form json
echo '{"env": "dev"}' >"$T_TMP/req.json"
expect_exit "long spellings: --request, --define, --catalog" 0 "$CPOLC" eval "$T_TMP/p.cpol" \
	--request="$T_TMP/req.json" --define env=prod --catalog "$cat" --format=text
expect_match "and they take effect" "$T_OUT" 'libz 1.2'
expect_exit "options after operands" 0 "$CPOLC" eval "$T_TMP/p.cpol" --format text -C "$cat"
expect_exit "after --, only operands" 2 "$CPOLC" eval -C "$cat" -- "$T_TMP/p.cpol" --format
expect_match "so --format is a second policy" "$T_ERR" "more than one policy given"
for sub in init add import-deb set-scan list show verify reindex resolve; do
	expect_exit "catalog $sub --help" 0 "$CPOLC" catalog "$sub" --help
	expect_match "prints the help of catalog $sub" "$T_OUT" "^usage: cpolc catalog $sub "
done
expect_exit "cache --help" 0 "$CPOLC" cache --help
expect_eq "lists what cache can do" "$(printf '%s\n' "$T_OUT" | sed -n 's/^  \([a-z]*\) .*/\1/p' | tr '\n' ' ')" \
	"$("$CPOLC" cache --completion-helper | tr '\n' ' ')"
expect_exit "cache prune without a cache" 2 env -u CPOLC_CACHE -u XDG_CACHE_HOME -u HOME "$CPOLC" cache prune
expect_match "says so" "$T_ERR" "no cache"

expect_exit "disasm --opcodes" 0 "$CPOLC" disasm --opcodes
expect_eq "lists every opcode, numbered from 0" "$(printf '%s\n' "$T_OUT" | awk '$1 ~ /^[0-9]+$/ { n++; if ($1 != n - 1) bad = 1 } END { print n, bad + 0 }')" \
	"$(printf '%s\n' "$T_OUT" | sed -n 's/^; cpolc bytecode, format [0-9]*: \([0-9]*\) opcodes$/\1/p') 0"
expect_exit "disasm --opcodes takes no policy" 2 "$CPOLC" disasm --opcodes "$T_TMP/p.cpol"

# --- diagnostics: one channel, every format ------------------------------------
cat >"$T_TMP/deny.cpol" <<'P'
policy "deny" {
  include "app";
  warn "app is included" when true;
  deny "no, 100% no" when true;
}
P
expect_exit "a denied build" 1 "$CPOLC" build "$T_TMP/deny.cpol" -C "$cat" -o "$T_TMP/deny.oci" --diag-format github
expect_match "annotates the deny statement for GitHub" "$T_ERR" \
	"^::error file=$T_TMP/deny.cpol,line=4,col=3,title=deny::denied: no, 100%25 no$"
expect_match "and the warn statement" "$T_ERR" "^::warning file=$T_TMP/deny.cpol,line=3,col=3,title=warn::app is included$"
expect_exit "a denied build, as SARIF" 1 "$CPOLC" build "$T_TMP/deny.cpol" -C "$cat" -o "$T_TMP/deny.oci" --diag-format sarif
printf '%s' "$T_ERR" >"$T_TMP/deny.sarif"
expect_eq "a SARIF result for the deny at its line" \
	"$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]["results"]; print(" ".join("%s:%s:%d" % (x["ruleId"], x["level"], x["locations"][0]["physicalLocation"]["region"]["startLine"]) for x in r))' "$T_TMP/deny.sarif")" \
	"deny:error:4 warn:warning:3"
expect_exit "eval reports the denial as JSON" 1 "$CPOLC" eval "$T_TMP/deny.cpol" --diag-format json
expect_eq "with file, line and rule" \
	"$(printf '%s' "$T_ERR" | python3 -c 'import json,sys; print(" ".join("%s:%d:%s" % (x["file"].rsplit("/",1)[1], x["line"], x["rule"]) for x in json.load(sys.stdin)))')" \
	"deny.cpol:4:deny deny.cpol:3:warn"
expect_exit "nothing was written by the denied build" 0 test ! -e "$T_TMP/deny.oci"

# libarchive and libcrypto are loaded on first use (src/dynlib.c): lint
# loads neither; a command that writes an archive loads both.
if grep -q '^#define CPOLC_LAZY_LIBS' "$CPOLC_BUILDDIR/config.h"; then
	loaded() { LD_DEBUG=files "$@" 2>&1 >/dev/null | grep -o 'file=lib\(archive\|crypto\)\.so[.0-9]*' | sort -u | tr '\n' ' '; }
	expect_eq "lint loads neither libarchive nor libcrypto" "$(loaded "$CPOLC" lint "$T_TMP/p.cpol")" ""
	expect_match "eval loads only libcrypto, for the policy's digest" \
		"$(loaded "$CPOLC" eval "$T_TMP/p.cpol")" '^file=libcrypto\.so[.0-9]* $'
	"$CPOLC" catalog init "$T_TMP/cat2" >/dev/null
	expect_match "catalog add loads both" \
		"$(loaded "$CPOLC" catalog add "$T_TMP/cat2" --name app --version 1 "$T_TMP/files/bin=/bin")" \
		'^file=libarchive\.so[.0-9]* file=libcrypto\.so[.0-9]* $'
	expect_eq "and the primitive was added" "$("$CPOLC" catalog list "$T_TMP/cat2" | grep -c app)" 1
	# a copy whose libarchive soname names no library
	so=$(sed -n 's/^#define CPOLC_LIBARCHIVE_SONAME "\(.*\)"$/\1/p' "$CPOLC_BUILDDIR/config.h")
	sed "s/$so/$(printf '%s' "$so" | sed 's/.$/X/')/" "$CPOLC" >"$T_TMP/cpolc-nolib"
	chmod +x "$T_TMP/cpolc-nolib"
	expect_exit "without libarchive, catalog init fails" 127 "$T_TMP/cpolc-nolib" catalog init "$T_TMP/cat3"
	expect_match "naming the library" "$T_ERR" "^cpolc: cannot load libarchive\.so.*X, needed to read and write archives"
	expect_eq "before it writes anything" "$(ls -d "$T_TMP/cat3" 2>/dev/null)" ""
	expect_exit "lint needs no libarchive" 0 "$T_TMP/cpolc-nolib" lint --stdlib "$CPOLC_SRCDIR/stdlib" "$T_TMP/p.cpol"
fi
