#!/bin/sh
# push.sh - `cpolc push` and `cpolc build --push` against a real
# docker-registry on 127.0.0.1, read back with skopeo: plain http, htpasswd
# auth (--creds and an auth file), TLS with a test CA, chunked uploads, the
# SBOM referrer at its referrers tag (distribution 2.8 has no referrers API:
# the fallback), read back with curl, and through tests/registry_proxy.py:
# retries on 500 and dropped connections, no retry on 403, Docker token
# auth, a registry that answers OCI-Subject. Everything runs on free ports
# of 127.0.0.1 and is stopped on exit.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

W=$T_TMP
cd "$W" || exit 1
unset SOURCE_DATE_EPOCH CPOL_PATH REGISTRY_AUTH_FILE XDG_RUNTIME_DIR XDG_CONFIG_HOME
# everything here is on 127.0.0.1: no proxy in between
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
HOME=$W/home
CPOLC_CACHE=$W/cache
export HOME CPOLC_CACHE
mkdir -p "$HOME"
need_tool python3 || exit 0
need_tool docker-registry || exit 0
need_tool skopeo || exit 0
need_tool curl || exit 0

PIDS=
stop_all() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	PIDS=
}
trap 'stop_all; t_cleanup' EXIT

# listening PORT: something accepts connections on 127.0.0.1:PORT.
listening() {
	python3 -c "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 0.5)" "$1" \
		2>/dev/null
}

# start_registry NAME [CONFIG-LINES]: docker-registry with storage in NAME/;
# sets PORT. The extra lines go under http: (tls) or at the top (auth).
start_registry() {
	local dir=$W/$1 http_extra=${2:-} top_extra=${3:-} i=0
	mkdir -p "$dir"
	PORT=$(free_port)
	cat >"$dir/reg.yml" <<EOF
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $dir/data
http:
  addr: 127.0.0.1:$PORT
$http_extra
$top_extra
EOF
	docker-registry serve "$dir/reg.yml" >"$dir/reg.log" 2>&1 &
	PIDS="$PIDS $!"
	until listening "$PORT"; do
		i=$((i + 1))
		[ $i -gt 100 ] && { t_fail "docker-registry $1 starts" "$(cat "$dir/reg.log")"; return 1; }
		sleep 0.1
	done
}

# start_proxy UPSTREAM LOG MODE...: tests/registry_proxy.py; sets PPORT.
start_proxy() {
	local up=$1 log=$2 i=0
	shift 2
	PPORT=$(free_port)
	python3 "$CPOLC_SRCDIR/tests/registry_proxy.py" "$PPORT" "$up" "$log" "$@" >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	until listening "$PPORT"; do
		i=$((i + 1))
		[ $i -gt 100 ] && { t_fail "proxy starts"; return 1; }
		sleep 0.1
	done
}

# ---- an image: a catalog of two primitives, one of 300 KB of random data ----------
printf 'hello\n' >hello.txt
python3 -c 'import random; random.seed(7); open("big.bin","wb").write(random.randbytes(300000))'
"$CPOLC" catalog init cat >/dev/null
"$CPOLC" catalog add cat --name hello --version 1 hello.txt=/etc/hello >/dev/null
"$CPOLC" catalog add cat --name big --version 1 big.bin=/opt/big.bin >/dev/null
printf 'policy "app" { platform "linux/amd64"; include "hello"; include "big"; }\n' >app.cpol
expect_exit "build the image" 0 "$CPOLC" build app.cpol -C cat -o app.oci --no-cache
M=$(manifest_digest app.oci app)
NBLOBS=$(python3 -c "
import json; m = json.load(open('app.oci/blobs/sha256/${M#sha256:}'))
print(len(m['layers']) + 1)")
# the SBOM referrer build attaches: its manifest, its blob, and its empty config
REF=$(python3 -c "
import json; print([m['digest'] for m in json.load(open('app.oci/index.json'))['manifests'] if 'artifactType' in m][0])")
SBOM=$(python3 -c "import json; print(json.load(open('app.oci/blobs/sha256/${REF#sha256:}'))['layers'][0]['digest'])")
NALL=$((NBLOBS + 2))
RTAG=sha256-${M#sha256:}
IDXMT=application/vnd.oci.image.index.v1+json
REFLINE="$REF application/spdx+json $(wc -c <"app.oci/blobs/sha256/${REF#sha256:}") 1970-01-01T00:00:00Z"

# referrers URL [CURL-ARGS...]: what the referrers tag at URL (.../manifests/
# sha256-HEX) holds: "none", or the index's media type and a line "DIGEST
# ARTIFACT-TYPE SIZE CREATED" for each entry, in its order
referrers() {
	local url=$1
	shift
	curl -s "$@" -H "Accept: $IDXMT" "$url" | python3 -c '
import json, sys
j = json.load(sys.stdin)
if "errors" in j:
    print("none")
    sys.exit()
print(j.get("mediaType"))
for m in j["manifests"]:
    print(m["digest"], m.get("artifactType"), m.get("size"), m.get("annotations", {}).get("org.opencontainers.image.created"))'
}

start_registry plain || exit 1
R=127.0.0.1:$PORT

# ---- push, read back, push again ---------------------------------------------------
expect_exit "push over plain http" 0 "$CPOLC" push --tls-verify=false app.oci "$R/team/app:v1"
expect_eq "the output line" "$T_OUT" "$R/team/app:v1 $M $NALL blobs pushed, 0 skipped, 1 referrer"
expect_exit "skopeo inspect the pushed image" 0 skopeo inspect --tls-verify=false --format '{{.Digest}}' \
	"docker://$R/team/app:v1"
expect_eq "the registry has the layout's manifest digest" "$T_OUT" "$M"
expect_exit "skopeo copy it back" 0 skopeo copy -q --src-tls-verify=false "docker://$R/team/app:v1" "oci:$W/back:b"
expect_eq "the copy has the same manifest digest" "$(manifest_digest back b)" "$M"
expect_exit "push again" 0 "$CPOLC" push --tls-verify=false app.oci "$R/team/app:v1"
expect_eq "a second push uploads no blob" "$T_OUT" "$R/team/app:v1 $M 0 blobs pushed, $NALL skipped, 1 referrer"
expect_eq "the registry saw no upload the second time" \
	"$(grep -c '"PUT /v2/team/app/blobs/uploads/' "$W/plain/reg.log")" "$NALL"

# ---- the SBOM referrer: docker-registry 2.8 has no referrers API, so the tag ------
expect_eq "the referrers tag is an index listing the SBOM manifest once, as the layout does" \
	"$(referrers "http://$R/v2/team/app/manifests/$RTAG")" "$IDXMT
$REFLINE"
expect_eq "... written once: the second push found it listed" \
	"$(grep -c '"PUT /v2/team/app/manifests/sha256-' "$W/plain/reg.log")" 1
expect_exit "the SBOM manifest by digest" 0 curl -sf -o ref.got -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
	"http://$R/v2/team/app/manifests/$REF"
expect_exit "... is the layout's, byte for byte" 0 cmp ref.got "app.oci/blobs/sha256/${REF#sha256:}"
expect_exit "the SBOM blob" 0 curl -sf -o sbom.got "http://$R/v2/team/app/blobs/$SBOM"
expect_exit "... is the layout's, byte for byte" 0 cmp sbom.got "app.oci/blobs/sha256/${SBOM#sha256:}"
expect_eq "... an SPDX document of the image" \
	"$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["spdxVersion"])' sbom.got)" SPDX-2.3

# a second image in the repository: its own tag, where an entry found is kept
printf 'policy "two" { platform "linux/amd64"; include "hello"; }\n' >two.cpol
expect_exit "build a second image" 0 "$CPOLC" build two.cpol -C cat -o two.oci --no-cache
M2=$(manifest_digest two.oci two)
REF2=$(python3 -c "
import json; print([m['digest'] for m in json.load(open('two.oci/index.json'))['manifests'] if 'artifactType' in m][0])")
python3 -c '
import json, sys
print(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                  "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sys.argv[1],
                                 "size": int(sys.argv[2]), "artifactType": "application/x-other"}]}))' \
	"$REF" "$(wc -c <"app.oci/blobs/sha256/${REF#sha256:}")" >foreign.json
DRV=${CPOLC_BUILDDIR:-$CPOLC_SRCDIR}/tests/registry_driver
expect_exit "another tool's entry at the second image's referrers tag" 0 "$DRV" -k put "$R" team/app \
	"sha256-${M2#sha256:}" foreign.json "$IDXMT"
expect_exit "push the second image to the same repository" 0 "$CPOLC" push --tls-verify=false two.oci \
	"$R/team/app:v2"
expect_match "... with its referrer" "$T_OUT" ", 1 referrer$"
expect_eq "its tag lists its SBOM and keeps the entry there, in the order of their digests" \
	"$(referrers "http://$R/v2/team/app/manifests/sha256-${M2#sha256:}" | cut -d' ' -f1,2)" \
	"$IDXMT
$(printf '%s application/x-other\n%s application/spdx+json\n' "$REF" "$REF2" | sort)"
expect_eq "the first image's tag is as it was" "$(referrers "http://$R/v2/team/app/manifests/$RTAG")" "$IDXMT
$REFLINE"
expect_exit "skopeo inspect still reads the first image" 0 skopeo inspect --tls-verify=false --format '{{.Digest}}' \
	"docker://$R/team/app:v1"
expect_eq "... its digest" "$T_OUT" "$M"

# something that is no index at the referrers tag is an error, and left alone
expect_exit "push with --no-referrers" 0 "$CPOLC" push --tls-verify=false --no-referrers app.oci "$R/clash/app:v1"
expect_eq "... says nothing of referrers" "$T_OUT" "$R/clash/app:v1 $M $NBLOBS blobs pushed, 0 skipped"
expect_exit "the image manifest put at its own referrers tag" 0 "$DRV" -k put "$R" clash/app "$RTAG" \
	"app.oci/blobs/sha256/${M#sha256:}" application/vnd.oci.image.manifest.v1+json
expect_exit "a referrers tag holding a manifest: exit 5" 5 "$CPOLC" push --tls-verify=false app.oci "$R/clash/app:v1"
expect_match "... named" "$T_ERR" \
	"the tag '$RTAG' of 'clash/app' holds a manifest of type 'application/vnd.oci.image.manifest.v1\\+json', not an image index of referrers: it is left as it is"
expect_match "... the image itself went" "$T_ERR" "note: the image $M is in 'clash/app' under 'v1', without its referrers"
expect_eq "... the tag still holds the manifest" \
	"$(curl -s -o /dev/null -w '%header{docker-content-digest}' -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		"http://$R/v2/clash/app/manifests/$RTAG")" "$M"

# --no-referrers sends nothing of the SBOM
expect_exit "push --no-referrers" 0 "$CPOLC" push --tls-verify=false --no-referrers app.oci "$R/bare/app:v1"
expect_eq "... no request about the referrers tag, the referrer's manifest or blobs" \
	"$(grep -E '"[A-Z]+ /v2/bare/app/(manifests/(sha256-|'"$REF"')|blobs/('"$SBOM"'|sha256:44136fa))' \
		"$W/plain/reg.log" | head -n 3)" ""
expect_eq "... no referrers tag" "$(referrers "http://$R/v2/bare/app/manifests/$RTAG")" none

expect_exit "push without a destination tag: the layout's" 0 "$CPOLC" push --tls-verify=false app.oci:app "$R/team/app"
expect_match "tagged as in the layout" "$T_OUT" "^$R/team/app:app $M "
expect_exit "push by digest" 0 "$CPOLC" push --tls-verify=false app.oci "$R/team/bydigest@$M"
expect_match "by digest: no tag" "$T_OUT" "^$R/team/bydigest $M "
expect_exit "skopeo finds it by digest" 0 skopeo inspect --tls-verify=false --no-tags --format '{{.Digest}}' \
	"docker://$R/team/bydigest@$M"
expect_eq "... the same" "$T_OUT" "$M"
expect_exit "push by a digest that is not the image's" 2 "$CPOLC" push --tls-verify=false app.oci \
	"$R/team/x@sha256:$(printf '%064d' 0)"
expect_match "... says so" "$T_ERR" "is $M, not sha256:0"
expect_exit "mount from another repository" 0 "$CPOLC" push --tls-verify=false --mount-from team/app app.oci \
	"$R/other/app:v1"
expect_eq "every blob mounted, the referrer's too" "$T_OUT" \
	"$R/other/app:v1 $M $NALL blobs pushed ($NALL mounted), 0 skipped, 1 referrer"

# an image index (in a copy of the layout): its manifest first, then the index
cp -a app.oci multi.oci
python3 - multi.oci "$M" <<'EOF'
import hashlib, json, os, sys
d, m = sys.argv[1], sys.argv[2]
size = os.path.getsize(os.path.join(d, 'blobs/sha256', m[7:]))
idx = json.dumps({'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.index.v1+json',
                  'manifests': [{'mediaType': 'application/vnd.oci.image.manifest.v1+json', 'digest': m,
                                 'size': size, 'platform': {'os': 'linux', 'architecture': 'amd64'}}]},
                 sort_keys=True).encode()
dg = 'sha256:' + hashlib.sha256(idx).hexdigest()
open(os.path.join(d, 'blobs/sha256', dg[7:]), 'wb').write(idx)
top = json.load(open(os.path.join(d, 'index.json')))
top['manifests'].append({'mediaType': 'application/vnd.oci.image.index.v1+json', 'digest': dg, 'size': len(idx),
                         'annotations': {'org.opencontainers.image.ref.name': 'multi'}})
json.dump(top, open(os.path.join(d, 'index.json'), 'w'))
EOF
IDX=$(manifest_digest multi.oci multi)
expect_exit "push an image index" 0 "$CPOLC" push --tls-verify=false multi.oci:multi "$R/multi/app"
expect_eq "... its manifest's blobs with it" "$T_OUT" "$R/multi/app:multi $IDX $NBLOBS blobs pushed, 0 skipped"
expect_exit "skopeo reads the index" 0 skopeo inspect --tls-verify=false --raw "docker://$R/multi/app:multi"
expect_match "... the index names the manifest" "$T_OUT" "\"digest\": *\"$M\""
expect_exit "... and the manifest by digest" 0 skopeo inspect --tls-verify=false --no-tags --format '{{.Digest}}' \
	"docker://$R/multi/app@$M"

# ---- bad input: exit 2; an unreachable registry: exit 5 ----------------------------
expect_exit "a bad reference" 2 "$CPOLC" push app.oci "$R/Team/app"
expect_match "... is named" "$T_ERR" "'$R/Team/app' is no image reference.*bad repository name"
expect_exit "no registry host" 2 "$CPOLC" push app.oci team/app
expect_exit "no layout" 2 "$CPOLC" push nothere.oci "$R/team/app"
expect_exit "no such tag in the layout" 2 "$CPOLC" push app.oci:nope "$R/team/app"
expect_exit "one operand" 2 "$CPOLC" push app.oci
cp -a app.oci huge.oci
python3 - huge.oci <<'EOF'
import hashlib, json, os, sys
d = sys.argv[1]
blob = b'{"schemaVersion": 2' + b' ' * (5 << 20) + b'}'
dg = hashlib.sha256(blob).hexdigest()
open(os.path.join(d, 'blobs/sha256', dg), 'wb').write(blob)
j = json.load(open(os.path.join(d, 'index.json')))
j['manifests'][0]['digest'] = 'sha256:' + dg
j['manifests'][0]['size'] = len(blob)
json.dump(j, open(os.path.join(d, 'index.json'), 'w'))
EOF
expect_exit "a manifest over 4 MiB in the layout is bad input" 2 "$CPOLC" push --tls-verify=false huge.oci \
	"$R/team/huge"
expect_match "... it is refused" "$T_ERR" "is larger than a manifest may be \(4 MiB\)"
cp -a app.oci evil.oci
python3 - evil.oci <<'EOF'
import json, sys
p = sys.argv[1] + '/index.json'
j = json.load(open(p))
j['manifests'][0]['mediaType'] = 'application/x\r\nX-Injected: 1'
json.dump(j, open(p, 'w'))
EOF
expect_exit "a media type with a line break goes into no header" 2 "$CPOLC" push --tls-verify=false evil.oci \
	"$R/team/evil"
expect_match "... it is refused" "$T_ERR" "'application/x\?\?X-Injected: 1' is no media type"
expect_exit "https to a plain registry is refused" 5 "$CPOLC" push app.oci "$R/team/app"
expect_match "... with the TLS error" "$T_ERR" "cannot reach '$R'"
DEAD=$(free_port)
expect_exit "nothing listens: exit 5 after retries" 5 "$CPOLC" push --tls-verify=false app.oci "127.0.0.1:$DEAD/a"
expect_match "... tried 5 times" "$T_ERR" "tried 5 times"

# ---- the pull side of the client (tests/registry_driver), for serve --store ----------
CFG=$(python3 -c "import json; print(json.load(open('app.oci/blobs/sha256/${M#sha256:}'))['config']['digest'])")
CFGSIZE=$(python3 -c "import json; print(json.load(open('app.oci/blobs/sha256/${M#sha256:}'))['config']['size'])")
MSIZE=$(wc -c <"app.oci/blobs/sha256/${M#sha256:}")
OCIMT=application/vnd.oci.image.manifest.v1+json
expect_exit "GET and HEAD a manifest by tag" 0 "$DRV" -k manifest "$R" team/app v1
expect_eq "... digest, media type and size" "$T_OUT" "get $M $OCIMT $MSIZE head $M $OCIMT $MSIZE"
expect_exit "GET and HEAD a manifest by digest" 0 "$DRV" -k manifest "$R" team/app "$M"
expect_eq "... the same" "$T_OUT" "get $M $OCIMT $MSIZE head $M $OCIMT $MSIZE"
expect_exit "an unknown tag is not found" 0 "$DRV" -k manifest "$R" team/app nope
expect_eq "... 0 for both" "$T_OUT" "get 0 head 0"
expect_exit "HEAD a blob" 0 "$DRV" -k blob "$R" team/app "$CFG"
expect_eq "... its size and URL" "$T_OUT" "exists 1 size $CFGSIZE url http://$R/v2/team/app/blobs/$CFG"
expect_exit "HEAD a blob another repository has" 0 "$DRV" -k blob "$R" nobody/here "$CFG"
expect_match "... not found" "$T_OUT" "^exists 0 "
expect_exit "PUT a manifest under a new tag" 0 "$DRV" -k put "$R" team/app v9 "app.oci/blobs/sha256/${M#sha256:}" \
	"$OCIMT"
expect_eq "... its digest" "$T_OUT" "put $M"
expect_exit "a bad repository name goes nowhere" 1 "$DRV" -k manifest "$R" 'team/../x' v1
expect_match "... refused before any request" "$T_ERR" "is no repository name"

start_proxy "$PORT" keep.log || exit 1
expect_exit "registry_push_image twice through one client" 0 "$DRV" -k push2 "127.0.0.1:$PPORT" kept/app v1 app.oci
expect_eq "... the second uploads nothing" "$T_OUT" "$M $NALL pushed 0 skipped, $M 0 pushed $NALL skipped"
expect_eq "... and pings once" "$(grep -c '^GET /v2/ ' keep.log)" 1

# ---- a hostile registry: everything it sends is bounded ---------------------------
start_proxy "$PORT" big.log hostile=big || exit 1
expect_exit "a manifest over 4 MiB is refused" 1 "$DRV" -k manifest "127.0.0.1:$PPORT" team/app v1
expect_match "... as larger than the limit" "$T_ERR" "larger than the limit"
start_proxy "$PORT" headers.log hostile=headers || exit 1
expect_exit "200 header lines are refused" 5 "$CPOLC" push --tls-verify=false app.oci "127.0.0.1:$PPORT/h/app"
expect_match "... as too many headers" "$T_ERR" "too many headers"
start_proxy "$PORT" loop.log hostile=loop || exit 1
expect_exit "a redirect loop stops" 5 "$CPOLC" push --tls-verify=false app.oci "127.0.0.1:$PPORT/l/app"
expect_eq "... after 5 redirects and no retry" "$(grep -c '^GET /v2/ 302' loop.log)" 6

# ---- chunked upload ------------------------------------------------------------------
start_proxy "$PORT" chunk.log || exit 1
expect_exit "push in chunks of 64 KiB" 0 "$CPOLC" push --tls-verify=false --chunk-size 64K app.oci \
	"127.0.0.1:$PPORT/chunked/app:v1"
# the 300,000-byte layer compresses to about as much: five chunks at least
expect_match "the large layer went in PATCH chunks" "$(grep -c '^PATCH .* 202$' chunk.log)" '^([5-9]|[1-9][0-9])$'
expect_eq "one closing PUT per blob" "$(grep -c '^PUT .*/blobs/uploads/.* 201$' chunk.log)" "$NALL"
expect_exit "skopeo reads the chunked image" 0 skopeo inspect --tls-verify=false --format '{{.Digest}}' \
	"docker://$R/chunked/app:v1"
expect_eq "... with the same digest" "$T_OUT" "$M"

# ---- retries ---------------------------------------------------------------------------
start_proxy "$PORT" fail.log fail=2 || exit 1
expect_exit "push through 500, 500, then success" 0 "$CPOLC" push --tls-verify=false --jobs 1 app.oci \
	"127.0.0.1:$PPORT/retry/app:v1"
expect_eq "the ping was tried three times" "$(grep -c '^GET /v2/ ' fail.log)" 3
expect_eq "the first blob upload was tried again from a new session" \
	"$(grep '^PUT .*/blobs/uploads/' fail.log | head -n 3 | cut -d' ' -f3 | tr '\n' ' ')" "500 500 201 "
expect_exit "the retried push reads back" 0 skopeo inspect --tls-verify=false --format '{{.Digest}}' \
	"docker://$R/retry/app:v1"
expect_eq "... with the same digest" "$T_OUT" "$M"

start_proxy "$PORT" slow.log throttle=1:1 || exit 1
t0=$(date +%s%N)
expect_exit "a 429 with Retry-After: 1" 0 "$CPOLC" push --tls-verify=false app.oci "127.0.0.1:$PPORT/slow/app:v1"
expect_match "... waited a second" "$(( ($(date +%s%N) - t0) / 1000000 ))" '^([1-9][0-9]{3}|[0-9]{5,})$'
expect_eq "... then tried again" "$(head -n 2 slow.log | cut -d' ' -f3 | tr '\n' ' ')" "429 200 "
start_proxy "$PORT" slower.log throttle=9:9223372036854775807 || exit 1
expect_exit "a 429 with a Retry-After of 2^63 s fails at once (no overflow)" 5 "$CPOLC" push --tls-verify=false app.oci \
	"127.0.0.1:$PPORT/slower/app:v1"
expect_eq "... after one try" "$(grep -c ' 429$' slower.log)" 1
expect_match "... and says why" "$T_ERR" "429 \(TOOMANYREQUESTS: slow down\)"

start_proxy "$PORT" drop.log drop=1 || exit 1
expect_exit "push after a dropped connection" 0 "$CPOLC" push --tls-verify=false app.oci \
	"127.0.0.1:$PPORT/drop/app:v1"
expect_match "the dropped request was sent again" "$(head -n 2 drop.log | tr '\n' ' ')" \
	'^GET /v2/ dropped GET /v2/ 200 $'

start_proxy "$PORT" deny.log deny=POST || exit 1
expect_exit "a 403 fails the push" 5 "$CPOLC" push --tls-verify=false --jobs 1 app.oci "127.0.0.1:$PPORT/deny/app:v1"
expect_eq "a 4xx is not tried again" "$(grep -c '^POST ' deny.log)" 1
expect_match "the registry's error is quoted" "$T_ERR" "answered 403 \(DENIED: not you\)"

# ---- referrers through a registry with the referrers API, and a hostile one ----------
start_proxy "$PORT" subject.log subject=1 || exit 1
expect_exit "a registry that answers OCI-Subject" 0 "$CPOLC" push --tls-verify=false app.oci \
	"127.0.0.1:$PPORT/subj/app:v1"
expect_match "... has the referrer" "$T_OUT" ", 1 referrer$"
expect_eq "... pushed by digest" "$(grep -c "^PUT /v2/subj/app/manifests/$REF 201" subject.log)" 1
expect_eq "... and indexed by the registry: the tag is not touched" "$(grep -c '/manifests/sha256-' subject.log)" 0
start_proxy "$PORT" hreferrers.log hostile=referrers || exit 1
expect_exit "a referrers tag of a million values" 5 "$CPOLC" push --tls-verify=false app.oci \
	"127.0.0.1:$PPORT/hostile/app:v1"
expect_match "... is refused unparsed" "$T_ERR" "the tag '$RTAG' of 'hostile/app' holds a referrers list of more than 262144 values"
expect_eq "... and not overwritten" "$(grep -c '^PUT /v2/hostile/app/manifests/sha256-' hreferrers.log)" 0

# ---- Docker token auth ----------------------------------------------------------------
start_proxy "$PORT" token.log bearer=alice:s3cret || exit 1
expect_exit "token auth without credentials" 5 "$CPOLC" push --tls-verify=false app.oci \
	"127.0.0.1:$PPORT/tok/app:v1"
expect_match "... the token server refused" "$T_ERR" "cannot get a token.*401"
expect_exit "token auth with --creds" 0 "$CPOLC" push --tls-verify=false --creds alice:s3cret app.oci \
	"127.0.0.1:$PPORT/tok/app:v1"
expect_eq "one token, for pull and push" "$(grep -c '^TOKEN' token.log)" 1
expect_match "... scoped to the repository" "$(grep '^TOKEN' token.log | tail -n 1)" \
	'scope=repository%3Atok%2Fapp%3Apull%2Cpush$'
expect_eq "... which serves the referrers tag too" "$(grep -c "^PUT /v2/tok/app/manifests/$RTAG 201" token.log)" 1

# ---- htpasswd auth ------------------------------------------------------------------
if need_tool htpasswd; then
	htpasswd -Bbn bob 'pa:ss w0rd' >"$W/htpasswd"
	start_registry auth "" "auth:
  htpasswd:
    realm: test
    path: $W/htpasswd" || exit 1
	A=127.0.0.1:$PORT
	expect_exit "htpasswd: no credentials" 5 "$CPOLC" push --tls-verify=false app.oci "$A/sec/app:v1"
	expect_match "... 401" "$T_ERR" "answered 401"
	expect_match "... and a hint" "$T_ERR" "note: give credentials with --creds"
	expect_exit "htpasswd: wrong password" 5 "$CPOLC" push --tls-verify=false --creds bob:nope app.oci \
		"$A/sec/app:v1"
	expect_match "... refused" "$T_ERR" "refused the credentials of 'bob'"
	expect_exit "htpasswd: --creds" 0 "$CPOLC" push --tls-verify=false --creds 'bob:pa:ss w0rd' app.oci \
		"$A/sec/app:v1"
	expect_exit "skopeo reads it with the credentials" 0 skopeo inspect --tls-verify=false \
		--creds 'bob:pa:ss w0rd' --format '{{.Digest}}' "docker://$A/sec/app:v1"
	expect_eq "... the same digest" "$T_OUT" "$M"
	printf '{"auths": {"http://%s/v1/": {"auth": "%s"}}}\n' "$A" \
		"$(printf 'bob:pa:ss w0rd' | base64)" >"$W/auth.json"
	REGISTRY_AUTH_FILE=$W/auth.json
	export REGISTRY_AUTH_FILE
	expect_exit "htpasswd: REGISTRY_AUTH_FILE" 0 "$CPOLC" push --tls-verify=false app.oci "$A/sec/app:v2"
	expect_match "... pushed" "$T_OUT" "^$A/sec/app:v2 $M 0 blobs pushed, $NALL skipped, 1 referrer$"
	expect_eq "... its referrers tag too, through the same credentials" \
		"$(referrers "http://$A/v2/sec/app/manifests/$RTAG" -u 'bob:pa:ss w0rd')" "$IDXMT
$REFLINE"
	unset REGISTRY_AUTH_FILE
	mkdir -p "$HOME/.docker"
	cp "$W/auth.json" "$HOME/.docker/config.json"
	expect_exit "htpasswd: ~/.docker/config.json" 0 "$CPOLC" push --tls-verify=false app.oci "$A/sec/app:v3"
	# credential helpers, as docker and podman run them: NAME get, the server on stdin
	mkdir -p "$W/bin"
	cat >"$W/bin/docker-credential-fake" <<'H'
#!/bin/sh
[ "$1" = get ] || exit 3
read -r server
printf '%s\n' "$server" >>"$HELPER_LOG"
case $server in
"$HELPER_HOST") printf '{"ServerURL": "%s", "Username": "bob", "Secret": "pa:ss w0rd"}\n' "$server" ;;
*) echo "credentials not found in native keychain"; exit 1 ;;
esac
H
	printf '#!/bin/sh\necho "{\\"Username\\": \\"<token>\\", \\"Secret\\": \\"x\\"}"\n' \
		>"$W/bin/docker-credential-idtoken"
	chmod +x "$W/bin/docker-credential-fake" "$W/bin/docker-credential-idtoken"
	export HELPER_LOG=$W/helper.log HELPER_HOST=$A
	printf '{"credHelpers": {"%s": "fake"}}\n' "$A" >"$W/helpers.json"
	expect_exit "credHelpers: a helper for the registry" 0 env PATH="$W/bin:$PATH" "$CPOLC" push \
		--tls-verify=false --authfile "$W/helpers.json" app.oci "$A/sec/app:v5"
	expect_eq "... asked with the registry's host" "$(cat "$W/helper.log")" "$A"
	printf '{"auths": {"%s": {}}, "credsStore": "fake"}\n' "$A" >"$W/store.json"
	expect_exit "credsStore: the store for every registry" 0 env PATH="$W/bin:$PATH" "$CPOLC" push \
		--tls-verify=false --authfile "$W/store.json" app.oci "$A/sec/app:v6"
	HELPER_HOST=elsewhere expect_exit "a helper without credentials for it" 5 env PATH="$W/bin:$PATH" \
		"$CPOLC" push --tls-verify=false --authfile "$W/store.json" app.oci "$A/sec/app:v7"
	expect_match "... is no credentials: 401" "$T_ERR" "answered 401"
	printf '{"credHelpers": {"%s": "missing"}}\n' "$A" >"$W/missing.json"
	expect_exit "a helper that is not installed" 2 "$CPOLC" push --tls-verify=false --authfile "$W/missing.json" \
		app.oci "$A/sec/app:v7"
	expect_match "... is named" "$T_ERR" "missing.json: error: the credential helper 'docker-credential-missing' cannot be run"
	printf '{"credHelpers": {"%s": "../../bin/sh"}}\n' "$A" >"$W/evil.json"
	expect_exit "a helper name that is a path" 2 "$CPOLC" push --tls-verify=false --authfile "$W/evil.json" \
		app.oci "$A/sec/app:v7"
	expect_match "... is refused" "$T_ERR" "bad credential helper name '../../bin/sh'"
	printf '{"credHelpers": {"%s": "idtoken"}}\n' "$A" >"$W/idtoken.json"
	expect_exit "an identity token" 2 env PATH="$W/bin:$PATH" "$CPOLC" push --tls-verify=false \
		--authfile "$W/idtoken.json" app.oci "$A/sec/app:v7"
	expect_match "... is said to be unusable" "$T_ERR" "gave an identity token, which cpolc cannot use"
	printf '{"auths": {"%s": {"auth": "!!"}}}\n' "$A" >"$W/bad.json"
	expect_exit "a malformed auth entry is bad input" 2 "$CPOLC" push --tls-verify=false --authfile "$W/bad.json" \
		app.oci "$A/sec/app:v4"
fi

# ---- TLS with a test CA --------------------------------------------------------------
if need_tool openssl; then
	mkdir -p tls certs
	(
		cd tls || exit 1
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 \
			-subj /CN=cpolc-test-ca
		openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1
		printf 'subjectAltName=IP:127.0.0.1\n' >ext
		openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt -days 2 \
			-extfile ext
	) >tls.log 2>&1 || t_fail "make a test CA" "$(cat tls.log)"
	cp tls/ca.crt certs/ca.crt
	start_registry tls "  tls:
    certificate: $W/tls/srv.crt
    key: $W/tls/srv.key" || exit 1
	S=127.0.0.1:$PORT
	expect_exit "TLS: refused without the CA" 5 "$CPOLC" push app.oci "$S/tls/app:v1"
	expect_match "... a certificate error" "$T_ERR" "cannot reach '$S'.*(certificate|issuer)"
	expect_exit "TLS: --ca-file" 0 "$CPOLC" push --ca-file tls/ca.crt app.oci "$S/tls/app:v1"
	expect_exit "TLS: --cert-dir" 0 "$CPOLC" push --cert-dir certs app.oci "$S/tls/app:v2"
	expect_match "... nothing uploaded twice" "$T_OUT" "0 blobs pushed, $NALL skipped, 1 referrer$"
	expect_eq "... the referrers tag over TLS" \
		"$(referrers "https://$S/v2/tls/app/manifests/$RTAG" --cacert tls/ca.crt)" "$IDXMT
$REFLINE"
	expect_exit "TLS: --tls-verify=false" 0 "$CPOLC" push --tls-verify=false app.oci "$S/tls/app:v3"
	expect_exit "skopeo reads it over TLS" 0 skopeo inspect --cert-dir certs --format '{{.Digest}}' \
		"docker://$S/tls/app:v1"
	expect_eq "... the same digest" "$T_OUT" "$M"
fi

# ---- build --push -----------------------------------------------------------------
expect_exit "build --push" 0 "$CPOLC" build app.cpol -C cat -o built.oci --push "$R/built/app" --tls-verify=false
expect_eq "build --push pushes what it built, under the policy's tag" "$T_OUT" \
	"$R/built/app:app $M $NALL blobs pushed, 0 skipped, 1 referrer"
expect_eq "... with the SBOM at its referrers tag" "$(referrers "http://$R/v2/built/app/manifests/$RTAG")" "$IDXMT
$REFLINE"
expect_exit "build --push --no-referrers" 0 "$CPOLC" build app.cpol -C cat -o built2.oci --push "$R/built2/app" \
	--tls-verify=false --no-referrers
expect_eq "... pushes the image alone" "$T_OUT" "$R/built2/app:app $M $NBLOBS blobs pushed, 0 skipped"
expect_eq "... no referrers tag" "$(referrers "http://$R/v2/built2/app/manifests/$RTAG")" none
expect_exit "build --push to a bad reference writes nothing" 2 "$CPOLC" build app.cpol -C cat -o none.oci \
	--push "$R/Bad"
expect_eq "... no output" "$(ls -d none.oci 2>/dev/null)" ""
expect_exit "build --push of an archive is a usage error" 2 "$CPOLC" build app.cpol -C cat --format oci-archive \
	-o a.tar --push "$R/built/app"
expect_exit "build --push to a refusing registry: exit 5" 5 "$CPOLC" build app.cpol -C cat -o b5.oci \
	--push "127.0.0.1:$DEAD/x" --tls-verify=false
expect_exit "... the image was built all the same" 0 "$CPOLC" verify --lock app.lock b5.oci

stop_all
exit "$T_FAILED"
