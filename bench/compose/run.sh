#!/bin/sh
# bench/compose/run.sh - a cold compose of ~40 real Debian packages (~143 MB
# installed, listed in packages.txt): cpolc's composer (tests/oci_driver, one
# layer per package, gzip, no cache) against `umoci insert` of the same
# unpacked trees, one layer per package. Prints hyperfine's table and the
# total layer bytes of both images.
#
#   make tests/oci_driver && sh bench/compose/run.sh [RUNS]
#
# The .deb files come from /var/cache/apt/archives when present, else
# `apt-get download`. Work files live in $BENCH_DIR (default
# /tmp/cpolc-bench-compose); nothing is written to the source tree.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
DRIVER=${CPOLC_BUILDDIR:-$TOP}/tests/oci_driver
W=${BENCH_DIR:-/tmp/cpolc-bench-compose}
RUNS=${1:-5}

[ -x "$DRIVER" ] || { echo "build tests/oci_driver first (make tests/oci_driver)" >&2; exit 2; }
for t in hyperfine umoci dpkg-deb; do
	command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 2; }
done
mkdir -p "$W/debs" "$W/tars" "$W/trees"

LAYERS=
while read -r p; do
	[ -n "$p" ] || continue
	deb=$(ls /var/cache/apt/archives/"${p}"_*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		deb=$(ls "$W/debs/${p}"_*.deb 2>/dev/null | head -n 1 || true)
		[ -n "$deb" ] || (cd "$W/debs" && apt-get download -q "$p" >/dev/null)
		deb=$(ls "$W/debs/${p}"_*.deb | head -n 1)
	fi
	if [ ! -f "$W/tars/$p.tar" ]; then
		dpkg-deb --fsys-tarfile "$deb" >"$W/tars/$p.tar"
		rm -rf "$W/trees/$p" && mkdir -p "$W/trees/$p" && dpkg-deb -x "$deb" "$W/trees/$p"
	fi
	LAYERS="$LAYERS --layer $p=$W/tars/$p.tar@sha256:$(sha256sum "$W/tars/$p.tar" | cut -c1-64)"
done <"$HERE/packages.txt"
printf 'input: %s packages, %s MB of tar\n' "$(wc -l <"$HERE/packages.txt")" \
	"$(du -cm "$W"/tars/*.tar | tail -n 1 | cut -f1)"

# umoci: one `umoci insert` per package into a fresh layout
{
	echo "set -e"
	echo "rm -rf '$W/out-umoci'"
	echo "umoci init --layout '$W/out-umoci' >/dev/null"
	echo "umoci new --image '$W/out-umoci:b' >/dev/null"
	while read -r p; do
		echo "umoci insert --image '$W/out-umoci:b' '$W/trees/$p' / >/dev/null"
	done <"$HERE/packages.txt"
} >"$W/umoci.sh"

hyperfine --style basic --runs "$RUNS" --export-markdown "$W/results.md" --export-json "$W/results.json" \
	-n cpolc --prepare "rm -rf '$W/out-cpolc'" "'$DRIVER' compose -o '$W/out-cpolc' --tag b $LAYERS" \
	-n cpolc-1job --prepare "rm -rf '$W/out-cpolc1'" "'$DRIVER' compose -o '$W/out-cpolc1' --tag b --jobs 1 $LAYERS" \
	-n umoci-insert --prepare "rm -rf '$W/out-umoci'" "sh '$W/umoci.sh'"

layer_bytes() { # sum of the gzip layer blobs of an image layout
	python3 - "$1" <<'EOF'
import json, os, sys
d = sys.argv[1]
idx = json.load(open(os.path.join(d, 'index.json')))
total = 0
for m in idx['manifests']:
    man = json.load(open(os.path.join(d, 'blobs/sha256', m['digest'][7:])))
    total += sum(l['size'] for l in man['layers'])
print(total)
EOF
}
C=$(layer_bytes "$W/out-cpolc")
U=$(layer_bytes "$W/out-umoci")
echo "layer bytes: cpolc $C, umoci $U, ratio $(python3 -c "print(round($C/$U, 4))")"
cat "$W/results.md"
# CPU time is what a loaded machine distorts least
python3 - "$W/results.json" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))['results']:
    print('%-13s wall mean %.3f s  min %.3f s  user %.3f s  sys %.3f s' %
          (r['command'], r['mean'], r['min'], r['user'], r['system']))
EOF
uptime
