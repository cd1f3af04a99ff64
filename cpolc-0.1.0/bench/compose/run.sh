#!/bin/sh
# bench/compose/run.sh [CPOLC] [RUNS] - compose ~40 real Debian packages
# (packages.txt, ~150 MB unpacked) into an OCI image, one layer per package,
# with the cpolc command line, `umoci insert` and buildah, side by side.
#
#   cold     cpolc build --no-cache, gzip, fresh output directory
#            umoci init + new + one `umoci insert` per unpacked package
#            buildah (vfs) from scratch + one `buildah copy` per package +
#            commit to an oci: directory (gzip); one layer, not 40
#   warm     cpolc build with every layer in the cache, fresh output
#   changed  cpolc build with the cache of the 40, one package replaced by a
#            new version with other content, fresh output; the cache is
#            copied with hard links before each run (cp -al), so its blobs
#            keep the inode and mtime their stamps record, as in a real
#            cache that a build reuses
#   alone    cpolc build --no-cache of that one new version only
#
# Each package is unpacked with `dpkg-deb -x` and stored as one primitive
# with `cpolc catalog add`, with no dependencies, so all three tools get the
# same trees. The commands alternate within each round (bench/alternate.py);
# the medians go to $OUT/compose-*.json, the image sizes and tool versions
# to $OUT/compose-info.json. Work files live in $BENCH_DIR (default
# /tmp/cpolc-bench); nothing is written to the source tree. Runs as root
# (buildah's vfs storage). The .deb files come from /var/cache/apt/archives
# when present, else `apt-get download`.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CPOLC=${1:-$TOP/cpolc}
RUNS=${2:-5}
W=${BENCH_DIR:-/tmp/cpolc-bench}
OUT=${BENCH_OUT:-$W/results}
CHANGED=${BENCH_CHANGED:-libamdhip64-5}	# the largest package

for t in umoci buildah dpkg-deb python3; do
	command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 2; }
done
[ -x "$CPOLC" ] || { echo "build cpolc first: $CPOLC" >&2; exit 2; }
mkdir -p "$W/debs" "$W/trees" "$OUT"

# --- input: unpacked trees and a catalog of the 40 --------------------------
if [ ! -f "$W/cat/.done" ]; then
	rm -rf "$W/cat" "$W/trees" && mkdir -p "$W/trees"
	"$CPOLC" catalog init "$W/cat"
	while read -r p; do
		[ -n "$p" ] || continue
		deb=$(ls /var/cache/apt/archives/"${p}"_*.deb 2>/dev/null | head -n 1 || true)
		if [ -z "$deb" ]; then
			deb=$(ls "$W/debs/${p}"_*.deb 2>/dev/null | head -n 1 || true)
			[ -n "$deb" ] || (cd "$W/debs" && apt-get download -q "$p" >/dev/null)
			deb=$(ls "$W/debs/${p}"_*.deb | head -n 1)
		fi
		dpkg-deb -x "$deb" "$W/trees/$p"
		"$CPOLC" catalog add "$W/cat" --name "$p" --version "$(dpkg-deb -f "$deb" Version)" "$W/trees/$p"
	done <"$HERE/packages.txt"
	# cat2: the same plus a new version of $CHANGED with one more file. Hard
	# links, as a catalog that a new version is added to keeps its files
	# (catalog add replaces files by rename, so cat stays as it is).
	rm -rf "$W/cat2" "$W/tree-changed"
	cp -al "$W/cat" "$W/cat2"
	cp -a "$W/trees/$CHANGED" "$W/tree-changed"
	mkdir -p "$W/tree-changed/usr/share/doc/$CHANGED"
	echo "changed by bench/compose/run.sh" >"$W/tree-changed/usr/share/doc/$CHANGED/bench-changed"
	v=$("$CPOLC" catalog list "$W/cat" | awk -v p="$CHANGED" '$1 == p { print $2 }')
	"$CPOLC" catalog add "$W/cat2" --name "$CHANGED" --version "$v+bench1" "$W/tree-changed"
	touch "$W/cat/.done"
fi
NPKG=$(grep -c . "$HERE/packages.txt")
{
	echo 'policy "bench" {'
	echo '  platform "linux/amd64";'
	sed -n 's/^\(..*\)$/  include "\1";/p' "$HERE/packages.txt"
	echo '}'
} >"$W/all.cpol"
printf 'policy "one" {\n  platform "linux/amd64";\n  include "%s";\n}\n' "$CHANGED" >"$W/one.cpol"

# --- the other tools' scripts ----------------------------------------------
{
	echo "set -e"
	echo "umoci init --layout '$W/out-umoci' >/dev/null"
	echo "umoci new --image '$W/out-umoci:b' >/dev/null"
	while read -r p; do
		echo "umoci insert --image '$W/out-umoci:b' '$W/trees/$p' / >/dev/null"
	done <"$HERE/packages.txt"
} >"$W/umoci.sh"
B="buildah --storage-driver vfs --root '$W/buildah-root' --runroot '$W/buildah-runroot'"
{
	echo "set -e"
	echo "c=\$($B from --quiet scratch)"
	while read -r p; do
		echo "$B copy --quiet \"\$c\" '$W/trees/$p' / >/dev/null"
	done <"$HERE/packages.txt"
	echo "$B commit --quiet --disable-compression=false \"\$c\" 'oci:$W/out-buildah:b' >/dev/null"
	echo "$B rm \"\$c\" >/dev/null"
} >"$W/buildah.sh"
RMB="rm -rf '$W/buildah-root' '$W/buildah-runroot' '$W/out-buildah'"

# --- cold: the three tools, alternating -------------------------------------
BUILD="'$CPOLC' build '$W/all.cpol' -C '$W/cat'"
cat >"$W/spec-cold.json" <<EOF
[
 {"name": "cpolc-cold", "prepare": "rm -rf '$W/out-cpolc' '$W/lock'",
  "cmd": "$BUILD --no-cache -o '$W/out-cpolc' --lock '$W/lock'"},
 {"name": "umoci-insert", "prepare": "rm -rf '$W/out-umoci'", "cmd": "sh '$W/umoci.sh'"},
 {"name": "buildah", "prepare": "$RMB", "cmd": "sh '$W/buildah.sh'"}
]
EOF
echo "== cold compose: $NPKG packages, $(du -sm "$W/trees" | cut -f1) MB unpacked, $RUNS rounds"
python3 "$TOP/bench/alternate.py" "$W/spec-cold.json" "$RUNS" "$OUT/compose-cold.json"

# --- warm, one changed, that one alone --------------------------------------
rm -rf "$W/cache" "$W/out-warm"
eval "$BUILD --cache '$W/cache' -o '$W/out-warm' --lock '$W/lock'"
cat >"$W/spec-warm.json" <<EOF
[
 {"name": "cpolc-warm", "prepare": "rm -rf '$W/out-warm'",
  "cmd": "$BUILD --cache '$W/cache' -o '$W/out-warm' --lock '$W/lock'"},
 {"name": "cpolc-changed", "prepare": "rm -rf '$W/out-changed' '$W/cache-c' && cp -al '$W/cache' '$W/cache-c'",
  "cmd": "'$CPOLC' build '$W/all.cpol' -C '$W/cat2' --cache '$W/cache-c' -o '$W/out-changed' --lock '$W/lock'"},
 {"name": "cpolc-alone", "prepare": "rm -rf '$W/out-alone'",
  "cmd": "'$CPOLC' build '$W/one.cpol' -C '$W/cat2' --no-cache -o '$W/out-alone' --lock '$W/lock'"}
]
EOF
echo "== warm recompose, one primitive changed ($CHANGED), that primitive alone; $((RUNS * 2)) rounds"
python3 "$TOP/bench/alternate.py" "$W/spec-warm.json" "$((RUNS * 2))" "$OUT/compose-warm.json"

# --- sizes and versions -----------------------------------------------------
python3 - "$W" "$OUT/compose-info.json" "$NPKG" "$CHANGED" \
	"$("$CPOLC" --version | head -n 1)" "$(umoci --version)" "$(buildah --version)" <<'EOF'
import json, os, sys
w, out, npkg, changed = sys.argv[1:5]
def layers(d):
    idx = json.load(open(os.path.join(d, 'index.json')))
    blob = lambda dg: os.path.join(d, 'blobs/sha256', dg[7:])
    man = json.load(open(blob(idx['manifests'][0]['digest'])))
    return len(man['layers']), sum(l['size'] for l in man['layers']), \
        sorted({l['mediaType'] for l in man['layers']})
info = {'packages': npkg, 'changed': changed,
        'versions': {'cpolc': sys.argv[5], 'umoci': sys.argv[6], 'buildah': sys.argv[7]},
        'tree_bytes': sum(os.lstat(os.path.join(r, f)).st_size
                          for r, _, fs in os.walk(os.path.join(w, 'trees')) for f in fs),
        'images': {}}
for name, d in (('cpolc', 'out-cpolc'), ('umoci', 'out-umoci'), ('buildah', 'out-buildah'),
                ('cpolc-alone', 'out-alone')):
    n, size, types = layers(os.path.join(w, d))
    info['images'][name] = {'layers': n, 'layer_bytes': size, 'media_types': types}
json.dump(info, open(out, 'w'), indent=1)
for k, v in info['images'].items():
    print('%-12s %3d layers %12d bytes  %s' % (k, v['layers'], v['layer_bytes'], ' '.join(v['media_types'])))
EOF
