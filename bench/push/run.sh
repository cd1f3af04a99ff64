#!/bin/sh
# bench/push/run.sh [CPOLC] [RUNS] - push the 40-package benchmark image
# (bench/compose/run.sh makes its catalog) to a docker-registry on
# 127.0.0.1 with `cpolc push` and with `skopeo copy oci:... docker://...`,
# side by side under hyperfine.
#
# Cold: before every run (untimed, hyperfine --prepare) the registry is
# stopped, its storage removed and a new one started, so every blob is
# uploaded each time. Both tools speak plain http to it
# (--tls-verify=false, --dest-tls-verify=false). hyperfine's JSON goes to
# $OUT/push.json, the image's blob count and bytes and the tool versions to
# $OUT/push-info.json. Needs hyperfine, skopeo, docker-registry, python3.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CPOLC=${1:-$TOP/cpolc}
RUNS=${2:-10}
W=${BENCH_DIR:-/tmp/cpolc-bench}
OUT=${BENCH_OUT:-$W/results}
P=$W/push
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY # the registry is on 127.0.0.1

for t in hyperfine skopeo docker-registry python3; do
	command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 2; }
done
[ -f "$W/cat/.done" ] || { echo "no catalog in $W/cat: run bench/compose/run.sh first" >&2; exit 2; }
rm -rf "$P" && mkdir -p "$P" "$OUT"
"$CPOLC" build "$W/all.cpol" -C "$W/cat" -o "$P/img" --tag bench --lock "$P/lock" --cache "$P/cache"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$P/reg.yml" <<EOC
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $P/data
http:
  addr: 127.0.0.1:$PORT
EOC
# restart.sh: a new registry on empty storage, answering before it returns
cat >"$P/restart.sh" <<EOC
[ -f '$P/pid' ] && kill \$(cat '$P/pid') 2>/dev/null && while kill -0 \$(cat '$P/pid') 2>/dev/null; do sleep 0.01; done
rm -rf '$P/data'
docker-registry serve '$P/reg.yml' >>'$P/reg.log' 2>&1 </dev/null &
echo \$! >'$P/pid'
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null; do sleep 0.02; done
EOC
trap '[ -f "$P/pid" ] && kill $(cat "$P/pid") 2>/dev/null; true' EXIT
DEST=127.0.0.1:$PORT/bench/img:v1
sh "$P/restart.sh"
"$CPOLC" push --tls-verify=false "$P/img:bench" "$DEST" # a check: it works, and reads back
want=$(python3 -c "import json; print(json.load(open('$P/img/index.json'))['manifests'][0]['digest'])")
got=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$DEST")
[ "$want" = "$got" ] || { echo "the registry has $got, not $want" >&2; exit 1; }
echo "== push: cpolc push against skopeo copy, cold registry, $RUNS runs each"
hyperfine --runs "$RUNS" --prepare "sh '$P/restart.sh'" --export-json "$OUT/push.json" \
	-n cpolc-push "'$CPOLC' push --tls-verify=false '$P/img:bench' '$DEST'" \
	-n skopeo-copy "skopeo copy -q --dest-tls-verify=false 'oci:$P/img:bench' 'docker://$DEST'"
python3 - "$P/img" "$OUT/push-info.json" "$("$CPOLC" --version)" "$(skopeo --version)" <<'EOC'
import json, os, sys
d = sys.argv[1]
idx = json.load(open(os.path.join(d, 'index.json')))
man = json.load(open(os.path.join(d, 'blobs/sha256', idx['manifests'][0]['digest'][7:])))
blobs = man['layers'] + [man['config']]
info = {'blobs': len(blobs), 'bytes': sum(b['size'] for b in blobs),
        'versions': {'cpolc': sys.argv[3], 'skopeo': sys.argv[4]}}
json.dump(info, open(sys.argv[2], 'w'), indent=1)
print('%d blobs, %d bytes' % (info['blobs'], info['bytes']))
EOC
