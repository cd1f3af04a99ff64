#!/bin/sh
# bench/serve/run.sh [CPOLC] [RUNS] - cpolc serve against docker-registry,
# with the 40-package image of bench/compose (run that first: it makes the
# catalog $BENCH_DIR/cat and the policy all.cpol).
#
#   cold     a first pull from a fresh cpolc serve (empty state and cache:
#            the manifest GET composes the image) against `cpolc build`
#            with an empty cache of the same policy and request
#   warm     `skopeo copy` of the composed image from cpolc serve, and of
#            the same image from docker-registry, to a fresh oci: directory
#   latency  warm manifest GETs with 16 connections for 10 s (wrk), from
#            cpolc serve and from docker-registry
#
# Results go to $OUT/serve-*.json. Both servers listen on 127.0.0.1 and are
# stopped at the end.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CPOLC=${1:-$TOP/cpolc}
RUNS=${2:-5}
W=${BENCH_DIR:-/tmp/cpolc-bench}
OUT=${BENCH_OUT:-$W/results}
S=$W/serve

for t in skopeo wrk curl docker-registry python3; do
	command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 2; }
done
[ -f "$W/all.cpol" ] || { echo "run bench/compose/run.sh first" >&2; exit 2; }
rm -rf "$S" && mkdir -p "$S/pol/bench" "$OUT"
cp "$W/all.cpol" "$S/pol/bench.cpol"
echo '{"env": "prod"}' >"$S/pol/bench/r.json"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {
	i=0
	until curl -s -o /dev/null "$1"; do
		i=$((i + 1))
		[ $i -lt 200 ] || { echo "no answer from $1" >&2; exit 1; }
		sleep 0.05
	done
}
SP=$(port)
RP=$(port)
REGPID=
stop_all() {
	[ -z "$REGPID" ] || kill "$REGPID" 2>/dev/null
	pkill -f "cpolc serve --listen 127.0.0.1:$SP" 2>/dev/null || true
}
trap stop_all EXIT

# --- cold: a first pull composes; against cpolc build ------------------------
{
	echo "pkill -f 'cpolc serve --listen 127.0.0.1:$SP' 2>/dev/null"
	echo "while pgrep -f 'cpolc serve --listen 127.0.0.1:$SP' >/dev/null; do sleep 0.02; done"
	echo "rm -rf '$S/state' '$S/cache-s'"
	echo "setsid '$CPOLC' serve --listen 127.0.0.1:$SP --policies '$S/pol' -C '$W/cat' --state '$S/state' \\"
	echo "	--cache '$S/cache-s' </dev/null >/dev/null 2>'$S/serve.log' &"
	echo "until curl -s -o /dev/null http://127.0.0.1:$SP/v2/; do sleep 0.02; done"
} >"$S/serve-fresh.sh"
BUILD="'$CPOLC' build '$S/pol/bench.cpol' -r '$S/pol/bench/r.json' -C '$W/cat'"
python3 - "$S/spec-cold.json" <<PYEOF
import json, sys
json.dump([
    {"name": "cpolc-build-cold", "prepare": "rm -rf '$S/out' '$S/cache-b'",
     "cmd": """$BUILD --cache '$S/cache-b' -o '$S/out' --lock '$S/lock'"""},
    {"name": "serve-pull-cold", "prepare": "sh '$S/serve-fresh.sh'",
     "cmd": "curl -sf -o /dev/null http://127.0.0.1:$SP/v2/bench/manifests/r"},
], open(sys.argv[1], 'w'), indent=1)
PYEOF
echo "== serve: cold pull against cold build, $RUNS rounds"
python3 "$TOP/bench/alternate.py" "$S/spec-cold.json" "$RUNS" "$OUT/serve-cold.json"

# --- warm: skopeo copy from cpolc serve and from docker-registry -------------
mkdir -p "$S/reg"
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
	"$S/reg" "$RP" >"$S/reg.yml"
docker-registry serve "$S/reg.yml" >"$S/reg.log" 2>&1 &
REGPID=$!
wait_http "http://127.0.0.1:$RP/v2/"
skopeo copy -q --dest-tls-verify=false "oci:$S/out" "docker://127.0.0.1:$RP/bench:r"
curl -sf -o /dev/null "http://127.0.0.1:$SP/v2/bench/manifests/r"
want=$(python3 -c "import json; print(json.load(open('$S/out/index.json'))['manifests'][0]['digest'])")
for r in "127.0.0.1:$SP" "127.0.0.1:$RP"; do
	got=$(skopeo inspect --tls-verify=false "docker://$r/bench:r" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])')
	[ "$got" = "$want" ] || { echo "$r serves $got, not $want" >&2; exit 1; }
done
python3 - "$S/spec-warm.json" <<PYEOF
import json, sys
json.dump([
    {"name": "serve-pull-warm", "prepare": "rm -rf '$S/copy'",
     "cmd": "skopeo copy -q --src-tls-verify=false docker://127.0.0.1:$SP/bench:r oci:$S/copy:r"},
    {"name": "registry-pull", "prepare": "rm -rf '$S/copy'",
     "cmd": "skopeo copy -q --src-tls-verify=false docker://127.0.0.1:$RP/bench:r oci:$S/copy:r"},
], open(sys.argv[1], 'w'), indent=1)
PYEOF
echo "== serve: warm skopeo copy from cpolc serve and from docker-registry, $((RUNS * 2)) rounds"
python3 "$TOP/bench/alternate.py" "$S/spec-warm.json" "$((RUNS * 2))" "$OUT/serve-warm.json"

# --- latency: manifest GETs, 16 connections ----------------------------------
echo "== serve: manifest GET latency, 16 connections, 10 s each"
for who in cpolc:$SP registry:$RP; do
	wrk -t 4 -c 16 -d 10s --latency -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		"http://127.0.0.1:${who#*:}/v2/bench/manifests/r" >"$S/wrk-${who%%:*}.txt"
	grep -A4 'Latency Distribution' "$S/wrk-${who%%:*}.txt" | sed "s/^/${who%%:*} /"
done
python3 - "$S" "$OUT/serve-latency.json" <<'PYEOF'
import json, re, sys
s, out = sys.argv[1], sys.argv[2]
def ms(v, unit):
    return float(v) * {'us': 0.001, 'ms': 1.0, 's': 1000.0}[unit]
res = {}
for who in ('cpolc', 'registry'):
    t = open('%s/wrk-%s.txt' % (s, who)).read()
    pct = {int(p): ms(v, u) for p, v, u in re.findall(r'^\s+(\d+)%\s+([\d.]+)(us|ms|s)$', t, re.M)}
    rps = float(re.search(r'Requests/sec:\s+([\d.]+)', t).group(1))
    bad = re.search(r'Non-2xx or 3xx responses: (\d+)', t)
    res[who] = {'p50_ms': pct[50], 'p99_ms': pct[99], 'rps': rps, 'non2xx': int(bad.group(1)) if bad else 0}
json.dump(res, open(out, 'w'), indent=1)
print(json.dumps(res))
PYEOF
