#!/bin/sh
# apt_archive.sh - the real archive: bookworm main from the mirror this
# machine's apt configuration names (never a host written here), with the
# Debian archive keyring. Resolving python3 curl ca-certificates selects
# exactly what apt-get install -s selects from the same lists with an
# empty status; the image built from it, its 62 .debs fetched over HTTP on
# demand, runs python3 and curl under runc. Needs the network.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

W=$T_TMP
cd "$W" || exit 1
unset SOURCE_DATE_EPOCH CPOL_PATH
CPOLC_CACHE=$W/layer-cache
export CPOLC_CACHE
SUITE=bookworm

for t in apt-get curl xz python3 gpgv; do
	need_tool "$t" || exit 0
done
if [ ! -r /usr/share/keyrings/debian-archive-keyring.gpg ]; then
	need_tool debian-archive-keyring-missing
	exit 0
fi
URI=$(debian_mirror "$SUITE")
if [ -z "$URI" ]; then
	if [ "${CI:-}" = true ]; then t_fail "the apt configuration names a mirror for $SUITE"; else
		echo "ok # SKIP the apt configuration names no mirror for $SUITE main"; fi
	exit 0
fi
echo "# mirror $URI"
expect_exit "the lists of $SUITE main, for cpolc and for apt" 0 debian_lists "$URI" "$SUITE" "$W/lists"

# ---- the same lists: cpolc selects what apt selects ------------------------------------------
F=$W/file-cat
"$CPOLC" catalog init "$F" >/dev/null
expect_exit "import-apt from the lists, signature checked" 0 "$CPOLC" catalog import-apt "$F" \
	"file://$W/lists/mirror" "$SUITE" main
npkgs=$(grep -c '^Package: ' "$W/lists/mirror/dists/$SUITE/main/binary-amd64/Packages")
expect_eq "every package of the index" "$T_OUT" "$F: $npkgs packages"
expect_exit "resolve python3 curl ca-certificates" 0 "$CPOLC" catalog resolve -C "$F" python3 curl ca-certificates
printf '%s\n' "$T_OUT" | cut -f1,2 | tr '\t' ' ' | LC_ALL=C sort >"$W/cpolc.sel"
APT_CONFIG=$W/lists/apt.conf apt-get install -s --no-install-recommends python3 curl ca-certificates 2>/dev/null |
	awk '/^Inst / { print $2, substr($3, 2) }' | LC_ALL=C sort >"$W/apt.sel"
expect_eq "apt selects 62 packages" "$(wc -l <"$W/apt.sel")" 62
expect_eq "cpolc selects the same packages at the same versions" "$(cat "$W/cpolc.sel")" "$(cat "$W/apt.sel")"

# ---- from the mirror itself, content on demand ------------------------------------------------
N=$W/net-cat
"$CPOLC" catalog init "$N" >/dev/null
expect_exit "import-apt over HTTP" 0 "$CPOLC" catalog import-apt "$N" "$URI" "$SUITE" main
cat >py.cpol <<'EOF'
policy "py" {
  platform "linux/amd64";
  include "python3";
  include "curl";
  include "ca-certificates";
  entrypoint ["/usr/bin/python3"];
}
EOF
expect_exit "eval: nothing fetched yet" 0 "$CPOLC" eval py.cpol -C "$N" --format json
expect_eq "62 selected, no content yet" "$(printf '%s\n' "$T_OUT" | grep -c '"digest": null')" 62
expect_exit "build fetches only the selected .debs" 0 "$CPOLC" build py.cpol -C "$N" -o py.oci
expect_eq "62 fetched" "$(ls "$N/fetched/sha256" | wc -l)" 62
# a content blob and a package data blob each (src/cat_debinfo.c)
expect_eq "as many content and package data blobs" "$(ls "$N/blobs/sha256" | wc -l)" 124
expect_exit "build --offline --locked again" 0 "$CPOLC" build py.cpol -C "$N" -o py.oci --offline --locked
if need_tool runc && need_tool umoci && need_root "runc run python3"; then
	expect_exit "unpack the image" 0 runc_bundle "$W/py.oci:py" "$W/bundle"
	python3 - "$W/bundle/config.json" <<'EOF'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c['process']['args'] = ['/usr/bin/python3', '-c',
    'import ssl, sqlite3, sys; print("python", sys.version.split()[0], ssl.OPENSSL_VERSION.split()[0])']
json.dump(c, open(p, 'w'))
EOF
	id=cpolc-apt-$$
	expect_exit "runc run python3" 0 runc run -b "$W/bundle" "$id"
	expect_match "python3 runs, with ssl" "$T_OUT" "^python 3\.[0-9]+\.[0-9]+ OpenSSL$"
	runc delete -f "$id" >/dev/null 2>&1
	python3 - "$W/bundle/config.json" <<'EOF'
import json, sys
p = sys.argv[1]; c = json.load(open(p)); c['process']['args'] = ['/usr/bin/curl', '--version']
json.dump(c, open(p, 'w'))
EOF
	expect_exit "runc run curl" 0 runc run -b "$W/bundle" "$id"
	expect_match "curl runs" "$T_OUT" "^curl [0-9]"
	runc delete -f "$id" >/dev/null 2>&1
fi
