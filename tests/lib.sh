# lib.sh - helpers for the end-to-end shell tests. Source it first.
#
# Each check prints "ok NAME" or "not ok NAME"; tests/summary.sh counts them.
# The script exits non-zero when any check failed.
set -u
: "${CPOLC:=cpolc}"
: "${CPOLC_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
T_FAILED=0
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cpolc-test.XXXXXX")
trap 't_cleanup' EXIT
t_cleanup() { rm -rf "$T_TMP"; [ "$T_FAILED" -eq 0 ] || exit 1; }

t_ok()   { echo "ok $1"; }
t_fail() { echo "not ok $1"; [ $# -gt 1 ] && printf '#   %s\n' "$2"; T_FAILED=$((T_FAILED + 1)); }

# expect_exit NAME CODE CMD...: run CMD (stdout in $T_OUT, stderr in $T_ERR).
expect_exit() {
	local name=$1 want=$2 got
	shift 2
	"$@" >"$T_TMP/out" 2>"$T_TMP/err" </dev/null
	got=$?
	T_OUT=$(cat "$T_TMP/out")
	T_ERR=$(cat "$T_TMP/err")
	if [ "$got" -eq "$want" ]; then
		t_ok "$name"
	else
		t_fail "$name" "exit $got, wanted $want; stderr: $(head -c 600 "$T_TMP/err")"
	fi
}

# expect_match NAME TEXT REGEX: TEXT matches the extended regex.
expect_match() {
	if printf '%s' "$2" | grep -Eq -- "$3"; then t_ok "$1"; else t_fail "$1" "no match for /$3/ in: $(printf '%s' "$2" | head -c 600)"; fi
}

# expect_eq NAME GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then t_ok "$1"; else t_fail "$1" "got '$2', wanted '$3'"; fi
}

# expect_ne NAME GOT UNWANTED
expect_ne() {
	if [ "$2" != "$3" ]; then t_ok "$1"; else t_fail "$1" "got '$2' again"; fi
}

# A required tool: a skip is a failure under CI=true.
need_tool() {
	if command -v "$1" >/dev/null 2>&1; then return 0; fi
	if [ "${CI:-}" = true ]; then t_fail "tool $1 present" "missing under CI"; else echo "ok # SKIP $1 missing"; fi
	return 1
}

# need_root WHAT: true as root; otherwise a skip (a failure under CI=true).
need_root() {
	[ "$(id -u)" = 0 ] && return 0
	if [ "${CI:-}" = true ]; then t_fail "$1 as root" "not root under CI"; else echo "ok # SKIP $1 needs root"; fi
	return 1
}

# need_debs [PKG...]: the .deb files of tests/fetch-fixtures.sh are there
# (in $CPOLC_DEBS, default tests/fixtures/debs; by default hello and its
# dependencies); a skip, or a failure under CI=true.
need_debs() {
	: "${CPOLC_DEBS:=$CPOLC_SRCDIR/tests/fixtures/debs}"
	[ $# -gt 0 ] || set -- hello libc6 libgcc-s1 gcc-12-base
	for p in "$@"; do
		if ! ls "$CPOLC_DEBS/${p}"_*.deb >/dev/null 2>&1; then
			if [ "${CI:-}" = true ]; then
				t_fail "fixture $p.deb present" "run tests/fetch-fixtures.sh"
			else
				echo "ok # SKIP no $p.deb in $CPOLC_DEBS (run tests/fetch-fixtures.sh)"
			fi
			return 1
		fi
	done
}

# free_port: a free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# registry_start DIR: run docker-registry on 127.0.0.1 with its storage and
# log in DIR; sets REG_PORT and REG_PID. Fails when it does not answer.
registry_start() {
	mkdir -p "$1"
	REG_PORT=$(free_port)
	cat >"$1/reg.yml" <<REGEOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $1/data
http:
  addr: 127.0.0.1:$REG_PORT
REGEOF
	docker-registry serve "$1/reg.yml" >"$1/reg.log" 2>&1 &
	REG_PID=$!
	local i=0
	until python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$REG_PORT/v2/')" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.1
	done
}

# registry_stop: stop the registry that registry_start started.
registry_stop() {
	[ -n "${REG_PID:-}" ] || return 0
	kill "$REG_PID" 2>/dev/null
	wait "$REG_PID" 2>/dev/null
	REG_PID=
}

# cpolc_serve LOG ARGS...: start `cpolc serve --listen 127.0.0.1:0 ARGS...`
# (stderr to LOG) and wait until it says its port; sets SRV_PID and PORT.
cpolc_serve() {
	local log=$1 i=0
	shift
	"$CPOLC" serve --listen 127.0.0.1:0 "$@" 2>"$log" &
	SRV_PID=$!
	until PORT=$(sed -n 's/.*listening on .* (port \([0-9]*\)).*/\1/p' "$log" 2>/dev/null) && [ -n "$PORT" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$SRV_PID" 2>/dev/null; then
			t_fail "serve starts" "$(cat "$log")"
			return 1
		fi
		sleep 0.05
	done
}

# serve_stop: stop the server cpolc_serve started (SIGTERM, then wait).
serve_stop() {
	[ -n "${SRV_PID:-}" ] || return 0
	kill "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
	SRV_PID=
}

# runc_bundle IMAGE:TAG BUNDLE: unpack with umoci (as root) and make the
# container's process run without a terminal.
runc_bundle() {
	rm -rf "$2"
	umoci unpack --image "$1" "$2" >/dev/null || return 1
	python3 - "$2/config.json" <<'PYEOF'
import json, sys
p = sys.argv[1]; c = json.load(open(p)); c['process']['terminal'] = False
json.dump(c, open(p, 'w'))
PYEOF
}

# manifest_digest LAYOUT [TAG]: the digest of the manifest that index.json
# names (the one tagged TAG, else the first).
manifest_digest() {
	python3 - "$1/index.json" "${2:-}" <<'PYEOF'
import json, sys
ms = json.load(open(sys.argv[1]))['manifests']
tag = sys.argv[2]
for m in ms:
    if not tag or m.get('annotations', {}).get('org.opencontainers.image.ref.name') == tag:
        print(m['digest']); break
PYEOF
}

# layer_count LAYOUT TAG: the number of layers of the tagged manifest.
layer_count() {
	skopeo inspect --raw "oci:$1:$2" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["layers"]))'
}

# debian_mirror SUITE, debian_lists URI SUITE DIR: see tests/debian-lists.sh.
debian_mirror() { sh "$CPOLC_SRCDIR/tests/debian-lists.sh" mirror "$@"; }
debian_lists() { sh "$CPOLC_SRCDIR/tests/debian-lists.sh" lists "$@"; }

# top_layer LAYOUT [TAG]: the entries of the top layer of the tagged image,
# one "NAME TYPE MODE UID GID" line each (TYPE as tar has it: 0 a file, 5 a
# directory; MODE in octal), then the content of etc/passwd and etc/group
# when the layer has them, each line prefixed with "passwd: " or "group: ".
top_layer() {
	python3 - "$1" "$(manifest_digest "$1" "${2:-}")" <<'PYEOF'
import json, sys, tarfile
blob = lambda d: sys.argv[1] + '/blobs/sha256/' + d[7:]
top = json.load(open(blob(sys.argv[2])))['layers'][-1]['digest']
t = tarfile.open(blob(top))
files = {}
for m in t:
    print(m.name, m.type.decode(), oct(m.mode)[2:], m.uid, m.gid)
    if m.name in ('etc/passwd', 'etc/group'):
        files[m.name[4:]] = t.extractfile(m).read().decode()
for k in ('passwd', 'group'):
    for line in files.get(k, '').splitlines():
        print(k + ': ' + line)
PYEOF
}

# image_user LAYOUT [TAG]: the config's User of the tagged image.
image_user() {
	python3 - "$1" "$(manifest_digest "$1" "${2:-}")" <<'PYEOF'
import json, sys
blob = lambda d: sys.argv[1] + '/blobs/sha256/' + d[7:]
cfg = json.load(open(blob(json.load(open(blob(sys.argv[2])))['config']['digest'])))
print(cfg['config'].get('User', ''))
PYEOF
}
