#!/bin/sh
# bench/compose/memory.sh [CPOLC] [SIZES] - peak memory (maximum resident set
# size, /usr/bin/time -v) of a cold `cpolc build --no-cache` of the 40
# packages of run.sh (run that first), alone and with one more primitive of
# SIZE MiB of random data for each SIZE in SIZES (default "64 256 1024"),
# to show that memory does not grow with a primitive's size. The random
# files are generated under $BENCH_DIR (default /tmp/cpolc-bench) and added
# to a second catalog there; results go to $OUT/memory.json.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CPOLC=${1:-$TOP/cpolc}
SIZES=${2:-64 256 1024}
W=${BENCH_DIR:-/tmp/cpolc-bench}
OUT=${BENCH_OUT:-$W/results}

[ -f "$W/cat/.done" ] && [ -f "$W/all.cpol" ] || { echo "run bench/compose/run.sh first" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "missing /usr/bin/time (Debian package time)" >&2; exit 2; }
mkdir -p "$OUT"
[ -d "$W/catbig" ] || "$CPOLC" catalog init "$W/catbig"

# measure NAME POLICY: one cold build, its /usr/bin/time -v figures as JSON
measure() {
	rm -rf "$W/out-mem"
	/usr/bin/time -v -o "$W/time.txt" "$CPOLC" build "$2" -C "$W/cat" -C "$W/catbig" --no-cache \
		-o "$W/out-mem" --lock "$W/lock-mem" >/dev/null
	python3 - "$1" "$W/time.txt" "$W/out-mem" <<'EOF'
import json, os, sys
name, tf, out = sys.argv[1:4]
t = {}
for line in open(tf):
    k, _, v = line.strip().rpartition(': ')
    t[k] = v
def secs(s):
    p = [float(x) for x in s.split(':')]
    return p[-1] + 60 * p[-2] + (3600 * p[-3] if len(p) > 2 else 0)
idx = json.load(open(os.path.join(out, 'index.json')))
man = json.load(open(os.path.join(out, 'blobs/sha256', idx['manifests'][0]['digest'][7:])))
print(json.dumps({'name': name, 'maxrss_kib': int(t['Maximum resident set size (kbytes)']),
                  'wall': secs(t['Elapsed (wall clock) time (h:mm:ss or m:ss)']),
                  'user': float(t['User time (seconds)']), 'sys': float(t['System time (seconds)']),
                  'layers': len(man['layers']),
                  'layer_bytes': sum(l['size'] for l in man['layers'])}))
EOF
}

{
	echo '['
	measure "40 packages" "$W/all.cpol"
	for s in $SIZES; do
		if [ ! -f "$W/catbig/.done-$s" ]; then
			mkdir -p "$W/big"
			head -c "${s}M" /dev/urandom >"$W/big/random-$s.bin"
			"$CPOLC" catalog add "$W/catbig" --name big --version "$s" --kind data "$W/big/random-$s.bin"
			rm -f "$W/big/random-$s.bin"
			touch "$W/catbig/.done-$s"
		fi
		sed "s/^}\$/  include \"big\" == \"$s\";\n}/" "$W/all.cpol" >"$W/big-$s.cpol"
		echo ','
		measure "40 packages + $s MiB of random data" "$W/big-$s.cpol"
	done
	echo ']'
} >"$W/memory.json.tmp"
rm -rf "$W/out-mem"
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
json.dump(r, open(sys.argv[2], "w"), indent=1)
for x in r:
    print("%-40s max RSS %7.1f MiB  wall %6.2f s  user %6.2f s  sys %5.2f s  %d layers, %d bytes" %
          (x["name"], x["maxrss_kib"] / 1024, x["wall"], x["user"], x["sys"], x["layers"], x["layer_bytes"]))
' "$W/memory.json.tmp" "$OUT/memory.json"
