#!/bin/sh
# run.sh [CPOLC [RUNS]] - Debian's bookworm main as a catalog, against apt.
#
# The mirror is the one this machine's apt configuration names (never a
# host written here); its InRelease and main Packages go once into a
# file:// repository and an apt configuration of their own (empty status),
# as tests/apt_archive.sh does (tests/lib.sh: debian_lists). Then, side by
# side in alternating rounds (bench/alternate.py):
#
#   import   `cpolc catalog import-apt` of the whole index from the file://
#            repository into a new catalog: metadata only
#   resolve  `cpolc catalog resolve python3 curl ca-certificates` (warm
#            catalog) against `apt-get install -s` of the same names (apt's
#            binary cache warm)
#   fetch    the 62 selected .debs from the mirror into a catalog with no
#            content yet, 2 connections: `cpolc catalog fetch --download-only`
#            (each .deb checked against its SHA256, as apt checks it) against
#            `apt-get download` of the same list into an empty directory; and
#            `cpolc catalog fetch`, which also imports each .deb (xz
#            decompression, the canonical tar), as a build does
#
# Needs the network. With BENCH_OUT set, the results go to
# $BENCH_OUT/apt-{import,resolve,fetch}.json and apt-info.json.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$here/../.." && pwd)
CPOLC=${1:-$TOP/cpolc}
RUNS=${2:-10}
OUT=${BENCH_OUT:-}
W=$(mktemp -d "${TMPDIR:-/tmp}/cpolc-bench-apt.XXXXXX")
trap 'rm -rf "$W"' EXIT

URI=$(sh "$TOP/tests/debian-lists.sh" mirror bookworm)
[ -n "$URI" ] || { echo "bench/apt: the apt configuration names no mirror for bookworm main" >&2; exit 2; }
sh "$TOP/tests/debian-lists.sh" lists "$URI" bookworm "$W/lists" ||
	{ echo "bench/apt: cannot fetch the lists from $URI" >&2; exit 2; }
export APT_CONFIG="$W/lists/apt.conf"
apt-get install -s hello >/dev/null # apt's binary cache, built once

"$CPOLC" catalog init "$W/cat" >/dev/null
"$CPOLC" catalog import-apt "$W/cat" "file://$W/lists/mirror" bookworm main
"$CPOLC" catalog resolve -C "$W/cat" python3 curl ca-certificates | cut -f1 >"$W/names"
echo "selected: $(wc -l <"$W/names") packages for python3 curl ca-certificates"
"$CPOLC" catalog init "$W/net" >/dev/null
"$CPOLC" catalog import-apt "$W/net" "$URI" bookworm main >/dev/null
rm -rf "$W/net/tmp"
mkdir -p "$W/net/tmp"
names=$(tr '\n' ' ' <"$W/names")

cat >"$W/import.json" <<EOF
[{"name": "cpolc-import", "prepare": "rm -rf $W/imp && $CPOLC catalog init $W/imp >/dev/null",
  "cmd": "$CPOLC catalog import-apt $W/imp file://$W/lists/mirror bookworm main"}]
EOF
cat >"$W/resolve.json" <<EOF
[{"name": "cpolc-resolve", "cmd": "$CPOLC catalog resolve -C $W/cat python3 curl ca-certificates"},
 {"name": "apt-get-s", "cmd": "apt-get install -s --no-install-recommends python3 curl ca-certificates"}]
EOF
cat >"$W/fetch.json" <<EOF
[{"name": "cpolc-fetch-download", "prepare": "rm -rf $W/f && cp -r $W/net $W/f",
  "cmd": "$CPOLC catalog fetch --download-only $W/f $names"},
 {"name": "apt-get-download", "prepare": "rm -rf $W/d && mkdir $W/d",
  "cmd": "cd $W/d && apt-get download $names 2>/dev/null"},
 {"name": "cpolc-fetch", "prepare": "rm -rf $W/g && cp -r $W/net $W/g",
  "cmd": "$CPOLC catalog fetch $W/g $names"}]
EOF
echo "== import-apt of bookworm main (metadata only)"
python3 "$TOP/bench/alternate.py" "$W/import.json" "$RUNS" "${OUT:-$W}/apt-import.json"
echo "== resolve python3 curl ca-certificates"
python3 "$TOP/bench/alternate.py" "$W/resolve.json" "$((RUNS * 3))" "${OUT:-$W}/apt-resolve.json"
echo "== fetch the selected .debs"
python3 "$TOP/bench/alternate.py" "$W/fetch.json" "$RUNS" "${OUT:-$W}/apt-fetch.json"
python3 - "${OUT:-$W}/apt-info.json" "$W" <<EOF
import json, os, sys
w = sys.argv[2]
packs = os.path.join(w, 'cat', 'packs', 'sha256')
table = [l.split(':')[1].strip() for l in open(os.path.join(w, 'cat', 'index')) if l.startswith('@pack ')][0]
records = [f for f in os.listdir(packs) if '.' not in f and f != table][0]
debs = sum(os.path.getsize(os.path.join(w, 'd', f)) for f in os.listdir(os.path.join(w, 'd')))
json.dump({'packages': sum(1 for l in open(os.path.join(w, 'lists', 'mirror', 'dists', 'bookworm', 'main',
                                                    'binary-amd64', 'Packages')) if l.startswith('Package: ')),
           'index_bytes': os.path.getsize(os.path.join(w, 'lists', 'mirror', 'dists', 'bookworm', 'main',
                                                       'binary-amd64', 'Packages')),
           'table_bytes': os.path.getsize(os.path.join(packs, table)),
           'records_bytes': os.path.getsize(os.path.join(packs, records)),
           'selected': sum(1 for _ in open(os.path.join(w, 'names'))), 'deb_bytes': debs},
          open(sys.argv[1], 'w'), indent=1)
EOF
