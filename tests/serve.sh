#!/bin/bash
# serve.sh - cpolc serve against real clients: skopeo, curl and podman pull
# images that the server composes when they are asked for; denials,
# unknown names and failures come back as the distribution spec's errors;
# a pull is composed once, again only when what decides it changes; the
# logs, authentication, TLS, concurrency and faults.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

need_debs || exit 0
need_tool skopeo || exit 0
need_tool curl || exit 0

cat=$T_TMP/cat
"$CPOLC" catalog init "$cat" >/dev/null
"$CPOLC" catalog import-deb "$cat" "$CPOLC_DEBS"/{hello,libc6,libgcc-s1,gcc-12-base}_*.deb >/dev/null
mkdir -p "$T_TMP/f/etc"
echo 'motd 1' >"$T_TMP/f/etc/motd"
"$CPOLC" catalog add "$cat" --name motd --version 1 --kind config "$T_TMP/f/etc=/etc" >/dev/null

pol=$T_TMP/pol
mkdir -p "$pol/hello" "$pol/deny" "$pol/miss" "$pol/bad" "$pol/role" "$pol/team/web"
cat >"$pol/hello.cpol" <<'P'
import "security";
policy "hello" {
  include "hello";
  include "motd";
  use security.nonroot;
  entrypoint ["/usr/bin/hello"];
  cmd ["--greeting", input.greeting ?? "hello"];
}
P
echo '{"greeting": "hello from a pull"}' >"$pol/hello/prod.json"
echo '{"greeting": "hello, dev"}' >"$pol/hello/dev.json"
for i in $(seq -w 1 20); do echo "{\"greeting\": \"hello $i\"}" >"$pol/hello/r$i.json"; done
cat >"$pol/deny.cpol" <<'P'
policy "deny" {
  include "hello";
  deny "not in this cluster, sorry" when input.cluster == "edge";
}
P
echo '{"cluster": "edge"}' >"$pol/deny/edge.json"
echo '{"cluster": "core"}' >"$pol/deny/core.json"
cat >"$pol/miss.cpol" <<'P'
policy "miss" {
  include "no-such-thing";
}
P
echo '{}' >"$pol/miss/any.json"
cat >"$pol/bad.cpol" <<'P'
policy "bad" {
  include "hello";
  if input.replicas > 2 {
    include "motd";
  }
}
P
echo '{"replicas": "three"}' >"$pol/bad/x.json"
cp "$pol/hello.cpol" "$pol/team/web.cpol"
echo '{}' >"$pol/team/web/v1.json"
cat >"$pol/role.cpol" <<'P'
policy "role" {
  include "hello";
  if "admin" in (input.client.roles ?? []) {
    include "motd";
  }
  env WHO = input.client.name ?? "nobody";
  deny "guests may not pull" when "guest" in (input.client.roles ?? []);
}
P
echo '{}' >"$pol/role/latest.json"
# a policy on a base image: a new base is a new composition
mkdir -p "$pol/based"
cat >"$T_TMP/base.cpol" <<'P'
policy "base" {
  include "motd";
  label "base" = input.v ?? "1";
}
P
"$CPOLC" build "$T_TMP/base.cpol" -C "$cat" -o "$pol/base.oci" --tag b -q
printf 'policy "based" {\n  from "base.oci:b";\n  include "hello";\n}\n' >"$pol/based.cpol"
echo '{}' >"$pol/based/x.json"

STDLIB=$CPOLC_SRCDIR/stdlib
state=$T_TMP/state
SRV_PID=

# serve_start LOG ARGS...: start cpolc serve on a free port; sets PORT.
serve_start() {
	local log=$1
	shift
	cpolc_serve "$log" --policies "$pol" -C "$cat" --stdlib "$STDLIB" \
		--cache "$T_TMP/cache" "$@"
}
trap 'serve_stop; registry_stop; t_cleanup' EXIT

# build_digest POLICY REQUEST: the manifest digest cpolc build gives.
build_digest() {
	rm -rf "$T_TMP/b.oci"
	"$CPOLC" build "$1" -r "$2" -C "$cat" --stdlib "$STDLIB" --cache "$T_TMP/cache" \
		-o "$T_TMP/b.oci" --lock "$T_TMP/b.lock" 2>/dev/null && manifest_digest "$T_TMP/b.oci"
}
audits() { wc -l <"$state/audit.log"; }
# http URL [CURL-ARGS...]: status, then the body, in $T_OUT
http() {
	local url=$1
	shift
	T_OUT=$(curl -s -o "$T_TMP/body" -w '%{http_code}' "$@" "$url")
	T_BODY=$(cat "$T_TMP/body")
}

serve_start "$T_TMP/serve.log" --state "$state" || exit 1
R=127.0.0.1:$PORT

# --- the API -------------------------------------------------------------------
http "http://$R/v2/" -D "$T_TMP/h"
expect_eq "GET /v2/" "$T_OUT" 200
expect_match "says it is a registry" "$(cat "$T_TMP/h")" 'Docker-Distribution-API-Version: registry/2.0'

want=$(build_digest "$pol/hello.cpol" "$pol/hello/prod.json")
expect_exit "skopeo inspect composes hello:prod" 0 skopeo inspect --tls-verify=false "docker://$R/hello:prod"
got=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])')
expect_eq "the digest is cpolc build's" "$got" "$want"
expect_eq "one composition" "$(audits)" 1
expect_exit "skopeo copy" 0 skopeo copy --src-tls-verify=false "docker://$R/hello:prod" "oci:$T_TMP/copy.oci:prod"
expect_eq "copies the same image" "$(manifest_digest "$T_TMP/copy.oci")" "$want"
expect_exit "a second pull" 0 skopeo inspect --tls-verify=false "docker://$R/hello:prod"
expect_eq "is a lookup: still one composition" "$(audits)" 1
expect_exit "pull by digest" 0 skopeo inspect --raw --tls-verify=false "docker://$R/hello@$want"
expect_eq "gives the manifest of that digest" "sha256:$(printf '%s' "$T_OUT" | sha256sum | cut -d' ' -f1)" "$want"

http "http://$R/v2/hello/manifests/prod" -I -H 'Accept: application/vnd.oci.image.manifest.v1+json'
expect_eq "HEAD a manifest" "$T_OUT" 200
curl -s -I "http://$R/v2/hello/manifests/prod" >"$T_TMP/h"
expect_match "HEAD names the digest" "$(cat "$T_TMP/h")" "Docker-Content-Digest: $want"
expect_match "and the media type" "$(cat "$T_TMP/h")" 'Content-Type: application/vnd.oci.image.manifest.v1\+json'
http "http://$R/v2/hello/manifests/prod" -H 'Accept: application/vnd.docker.distribution.manifest.v2+json'
expect_eq "a manifest the client does not accept" "$T_OUT" 404

layer=$(skopeo inspect --raw "oci:$T_TMP/copy.oci:prod" | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][-1]["digest"])')
blobfile=$T_TMP/copy.oci/blobs/sha256/${layer#sha256:}
http "http://$R/v2/hello/blobs/$layer" -r 10-19
expect_eq "a Range of a blob" "$T_OUT" 206
expect_eq "is those bytes" "$(printf '%s' "$T_BODY" | od -An -tx1)" "$(dd if="$blobfile" bs=1 skip=10 count=10 2>/dev/null | od -An -tx1)"
http "http://$R/v2/hello/blobs/$layer" -r 99999999-
expect_eq "an unsatisfiable Range" "$T_OUT" 416
http "http://$R/v2/hello/blobs/$layer"
expect_eq "a whole blob" "$T_OUT" 200
expect_eq "is the blob" "$(sha256sum <"$T_TMP/body" | cut -d' ' -f1)" "${layer#sha256:}"
http "http://$R/v2/deny/blobs/$layer"
expect_eq "a blob is served only for a repository that holds it" "$T_OUT" 404
expect_match "BLOB_UNKNOWN" "$T_BODY" '"code":"BLOB_UNKNOWN"'
http "http://$R/v2/hello/blobs/sha256:..%2f..%2fetc%2fpasswd"
expect_eq "a digest that is not one" "$T_OUT" 400

http "http://$R/v2/hello/tags/list"
expect_eq "tags/list" "$T_BODY" '{"name":"hello","tags":["dev","prod","r01","r02","r03","r04","r05","r06","r07","r08","r09","r10","r11","r12","r13","r14","r15","r16","r17","r18","r19","r20"]}'
http "http://$R/v2/hello/tags/list?n=2&last=prod"
expect_eq "tags/list pages" "$T_BODY" '{"name":"hello","tags":["r01","r02"]}'
expect_exit "a nested repository" 0 skopeo inspect --tls-verify=false "docker://$R/team/web:v1"

# --- errors ----------------------------------------------------------------------
expect_exit "a denied pull fails" 1 skopeo inspect --tls-verify=false "docker://$R/deny:edge"
expect_match "and skopeo says why" "$T_ERR" 'not in this cluster, sorry'
http "http://$R/v2/deny/manifests/edge"
expect_eq "403" "$T_OUT" 403
expect_match "DENIED with the deny message and its line" "$T_BODY" '"code":"DENIED","message":"[^"]*deny.cpol:3:3: denied: not in this cluster, sorry"'
expect_exit "the same policy with another request" 0 skopeo inspect --tls-verify=false "docker://$R/deny:core"
http "http://$R/v2/nope/manifests/x"
expect_eq "an unknown policy: 404" "$T_OUT" 404
expect_match "NAME_UNKNOWN" "$T_BODY" '"code":"NAME_UNKNOWN"'
http "http://$R/v2/hello/manifests/nope"
expect_eq "an unknown request: 404" "$T_OUT" 404
expect_match "MANIFEST_UNKNOWN" "$T_BODY" '"code":"MANIFEST_UNKNOWN","message":"no request .nope. for .hello."'
http "http://$R/v2/miss/manifests/any"
expect_eq "a resolution failure: 404" "$T_OUT" 404
expect_match "MANIFEST_UNKNOWN with the resolver's message" "$T_BODY" "MANIFEST_UNKNOWN.*no primitive 'no-such-thing'"
http "http://$R/v2/bad/manifests/x"
expect_eq "a runtime error: 500" "$T_OUT" 500
expect_match "with the located error" "$T_BODY" 'bad.cpol:3:6: .*cannot order'
http "http://$R/v2/..%2f..%2fetc/manifests/passwd"
expect_eq "a name that is not one" "$T_OUT" 404
http "http://$R/v2/hello/manifests/prod" -X PUT -d '{}'
expect_eq "no pushes" "$T_OUT" 405
http "http://$R/v2/" -H "X-Big: $(head -c 100000 /dev/zero | tr '\0' a)"
expect_match "a header past the memory limit is refused" "$T_OUT" '^4[0-9][0-9]$'
expect_exit "and the server is still up" 0 skopeo inspect --tls-verify=false "docker://$R/hello:prod"

# --- memo, recomposition, logs, verify ---------------------------------------------
n=$(audits)
echo '{"scanner": "test", "critical": 0, "high": 1}' >"$T_TMP/scan.json"
"$CPOLC" catalog set-scan "$cat" motd 1 "$T_TMP/scan.json" >/dev/null
expect_exit "a pull after a catalog change" 0 skopeo inspect --tls-verify=false "docker://$R/hello:prod"
expect_eq "recomposes" "$(audits)" "$((n + 1))"
mkdir -p "$T_TMP/f2/etc" && echo 'motd 2' >"$T_TMP/f2/etc/motd"
"$CPOLC" catalog add "$cat" --name motd --version 2 --kind config "$T_TMP/f2/etc=/etc" >/dev/null
expect_exit "a new version in the catalog" 0 skopeo inspect --tls-verify=false "docker://$R/hello:prod"
got=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])')
expect_eq "is in the next pull, as in a build" "$got" "$(build_digest "$pol/hello.cpol" "$pol/hello/prod.json")"
expect_match "which selected motd 2" "$(tail -n 1 "$state/audit.log")" '"motd 2 sha256:'
echo '{"greeting": "hello from a changed request"}' >"$pol/hello/prod.json"
expect_exit "a changed request" 0 skopeo inspect --tls-verify=false "docker://$R/hello:prod"
expect_eq "is composed anew" "$(audits)" "$((n + 3))"
touch "$pol/hello.cpol"
expect_exit "a touched but unchanged policy" 0 skopeo inspect --tls-verify=false "docker://$R/hello:prod"
expect_eq "is a lookup by content" "$(audits)" "$((n + 3))"
last=$(tail -n 1 "$state/audit.log")
key=$(printf '%s' "$last" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
expect_match "the audit names the client, policy, request and manifest" "$last" \
	'"client":"127.0.0.1".*"name":"hello","reference":"prod".*"request":"sha256:[0-9a-f]{64}".*"manifest":"sha256:'
expect_match "each manifest served is in the access log" "$(tail -n 1 "$state/access.log")" \
	'"client":"127.0.0.1","identity":"","name":"hello","reference":"prod","manifest":"sha256:'
expect_exit "cpolc verify checks a served image with its lock" 0 \
	"$CPOLC" verify --lock "$state/locks/$key.lock" "$state/layout:$key"

n=$(audits)
expect_exit "a policy on a base image" 0 skopeo inspect --tls-verify=false "docker://$R/based:x"
d1=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])')
expect_eq "is served as it builds" "$d1" "$(build_digest "$pol/based.cpol" "$pol/based/x.json")"
"$CPOLC" build "$T_TMP/base.cpol" -C "$cat" -o "$pol/base.oci" --tag b -D v=2 -q
expect_exit "a pull after the base image changed" 0 skopeo inspect --tls-verify=false "docker://$R/based:x"
d2=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])')
expect_ne "is composed on the new base" "$d2" "$d1"
expect_eq "as a build on it is" "$d2" "$(build_digest "$pol/based.cpol" "$pol/based/x.json")"
expect_eq "both compositions are audited" "$(audits)" "$((n + 2))"

# --- concurrency: 200 pulls of 20 requests, each composed once ----------------------
n=$(audits)
seq 1 200 | sed 's/.*/r&/' | awk '{ printf "r%02d\n", (NR - 1) % 20 + 1 }' |
	xargs -P 40 -I{} sh -c "curl -s -o /dev/null -w '{} %{http_code} ' -D - http://$R/v2/hello/manifests/{} |
		sed -n 's/^Docker-Content-Digest: \(.*\)\r$/\1/p' | sed 's/^/{} /'" >"$T_TMP/pulls" 2>&1
expect_eq "200 concurrent pulls all succeed" "$(grep -c ' sha256:' "$T_TMP/pulls")" 200
expect_eq "each of the 20 composed once" "$(($(audits) - n))" 20
expect_eq "every pull of one request got one digest" "$(sort -u "$T_TMP/pulls" | wc -l)" 20
for r in r03 r17; do
	expect_eq "$r has the digest cpolc build gives" "$(grep "^$r " "$T_TMP/pulls" | sort -u | cut -d' ' -f2)" \
		"$(build_digest "$pol/hello.cpol" "$pol/hello/$r.json")"
done

# --- two instances, one store -------------------------------------------------------
serve_stop
if need_tool docker-registry && registry_start "$T_TMP/reg"; then
	STORE=127.0.0.1:$REG_PORT/cpolc
	serve_start "$T_TMP/serveA.log" --state "$T_TMP/stateA" --store "$STORE" --store-tls-verify=false || exit 1
	A=127.0.0.1:$PORT
	APID=$SRV_PID
	serve_start "$T_TMP/serveB.log" --state "$T_TMP/stateB" --store "$STORE" --store-tls-verify=false || exit 1
	B=127.0.0.1:$PORT
	expect_exit "instance A composes" 0 skopeo inspect --tls-verify=false "docker://$A/hello:dev"
	want=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])')
	key=$(tail -n 1 "$T_TMP/stateA/audit.log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
	expect_exit "and pushes the composition to the store under its key" 0 \
		skopeo inspect --tls-verify=false "docker://$STORE:cpolc-$key"
	expect_exit "instance B serves it" 0 skopeo copy --src-tls-verify=false "docker://$B/hello:dev" "oci:$T_TMP/fromB.oci:dev"
	expect_eq "with the same digest" "$(manifest_digest "$T_TMP/fromB.oci")" "$want"
	expect_match "B took it from the store" "$(cat "$T_TMP/stateB/audit.log")" "\"key\":\"$key\".*\"source\":\"store\""
	expect_eq "and composed nothing" "$(ls "$T_TMP/stateB/locks" | wc -l)" 0
	lb=$(skopeo inspect --raw "oci:$T_TMP/fromB.oci:dev" | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"])')
	curl -s -o /dev/null -D "$T_TMP/h" "http://$B/v2/hello/blobs/$lb"
	expect_match "B sends blob requests to the store" "$(cat "$T_TMP/h")" "^HTTP/1.1 307"
	expect_match "at the blob's URL there" "$(cat "$T_TMP/h")" "Location: http://127.0.0.1:$REG_PORT/v2/cpolc/blobs/$lb"
	serve_stop
	SRV_PID=$APID
	serve_stop
	registry_stop
fi
serve_start "$T_TMP/serve1b.log" --state "$state" || exit 1
R=127.0.0.1:$PORT

# --- faults ----------------------------------------------------------------------
curl -s "http://$R/v2/hello/blobs/$layer" --limit-rate 1K -o /dev/null &
cpid=$!
sleep 0.3
kill "$cpid" 2>/dev/null
wait "$cpid" 2>/dev/null
expect_exit "after a client dropped mid-blob, the server serves" 0 \
	skopeo inspect --tls-verify=false "docker://$R/hello:dev"
serve_stop
expect_eq "SIGTERM stops it" "$(kill -0 "$SRV_PID" 2>/dev/null; echo $?)" 1

# a composition killed with the server: the next start serves or recomposes
mkdir -p "$T_TMP/big"
head -c 48000000 /dev/urandom >"$T_TMP/big/blob"
"$CPOLC" catalog add "$cat" --name big --version 1 --kind data "$T_TMP/big=/srv" >/dev/null
cat >"$pol/slow.cpol" <<'P'
policy "slow" {
  include "hello";
  include "big";
}
P
mkdir -p "$pol/slow" && echo '{}' >"$pol/slow/a.json"
serve_start "$T_TMP/serve2.log" --state "$state" || exit 1
R=127.0.0.1:$PORT
expect_exit "a pull with big in the catalog" 0 skopeo inspect --tls-verify=false "docker://$R/hello:r05"
curl -s -o /dev/null "http://$R/v2/slow/manifests/a" &
i=0
until pgrep -f "cpolc build .*-- $pol/slow.cpol" >/dev/null || [ $i -gt 100 ]; do sleep 0.02; i=$((i + 1)); done
expect_eq "a composition is running" "$(pgrep -f "cpolc build .*-- $pol/slow.cpol" | wc -l)" 1
kill -9 "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
wait
sleep 0.2
expect_eq "no composition outlives a killed server" "$(pgrep -f "cpolc build .*-- $pol/slow.cpol" | wc -l)" 0
expect_exit "the layout is whole after the kill" 0 python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$state/layout/index.json"
serve_start "$T_TMP/serve3.log" --state "$state" || exit 1
R=127.0.0.1:$PORT
n=$(audits)
expect_exit "a restarted server serves what it composed before" 0 skopeo inspect --tls-verify=false "docker://$R/hello:r05"
expect_eq "without composing" "$(audits)" "$n"
expect_exit "and composes what was cut short" 0 skopeo inspect --tls-verify=false "docker://$R/slow:a"
serve_stop

# --- clients: htpasswd with roles, TLS -------------------------------------------
if need_tool htpasswd && need_tool openssl; then
	{
		htpasswd -Bbn ana secret-a | sed '/^$/d; s/$/:admin,dev/'
		htpasswd -Bbn bo secret-b | sed '/^$/d'
		htpasswd -Bbn gus secret-g | sed '/^$/d; s/$/:guest/'
	} >"$T_TMP/htpasswd"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T_TMP/key.pem" -out "$T_TMP/cert.pem" -days 2 \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
	serve_start "$T_TMP/serve4.log" --state "$T_TMP/state2" --auth "$T_TMP/htpasswd" \
		--tls-cert "$T_TMP/cert.pem" --tls-key "$T_TMP/key.pem" || exit 1
	R=127.0.0.1:$PORT
	http "https://$R/v2/" --cacert "$T_TMP/cert.pem"
	expect_eq "without credentials: 401" "$T_OUT" 401
	http "https://$R/v2/" --cacert "$T_TMP/cert.pem" -u ana:wrong
	expect_eq "a wrong password: 401" "$T_OUT" 401
	http "https://$R/v2/" --cacert "$T_TMP/cert.pem" -u ana:secret-a
	expect_eq "over TLS with the right password: 200" "$T_OUT" 200
	http "https://$R/v2/" -u ana:secret-a
	expect_eq "a client that does not trust the certificate fails" "$T_OUT" 000
	mkdir -p "$T_TMP/certs" && cp "$T_TMP/cert.pem" "$T_TMP/certs/ca.crt"
	expect_exit "skopeo with credentials and the CA" 0 skopeo inspect --cert-dir "$T_TMP/certs" \
		--creds ana:secret-a "docker://$R/role:latest"
	a=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["Layers"]))')
	expect_exit "another user" 0 skopeo inspect --cert-dir "$T_TMP/certs" --creds bo:secret-b "docker://$R/role:latest"
	b=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["Layers"]))')
	expect_eq "the admin's image holds one more primitive" "$a" "$((b + 1))"
	expect_exit "a guest is denied by the policy" 1 skopeo inspect --cert-dir "$T_TMP/certs" \
		--creds gus:secret-g "docker://$R/role:latest"
	expect_match "and told why" "$T_ERR" 'guests may not pull'
	expect_match "the identity is in the access log" "$(cat "$T_TMP/state2/access.log")" '"identity":"ana"'
	expect_match "and in the audit" "$(cat "$T_TMP/state2/audit.log")" '"identity":"bo","roles":""'
	d=$(grep '"identity":"ana"' "$T_TMP/state2/access.log" | head -n 1 | sed 's/.*"manifest":"\([^"]*\)".*/\1/')
	http "https://$R/v2/role/manifests/$d" --cacert "$T_TMP/cert.pem" -u bo:secret-b
	expect_eq "another user cannot fetch ana's manifest by digest" "$T_OUT" 404
	serve_stop
fi

# --- podman --------------------------------------------------------------------
if need_tool podman && need_root "podman run"; then
	serve_start "$T_TMP/serve5.log" --state "$state" || exit 1
	R=127.0.0.1:$PORT
	expect_exit "podman pull" 0 timeout 120 podman pull --tls-verify=false "$R/hello:dev"
	expect_exit "podman run" 0 timeout 120 podman run --rm --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 \
		"$R/hello:dev"
	expect_eq "runs the composed image" "$T_OUT" "hello, dev"
	podman rmi -f "$R/hello:dev" >/dev/null 2>&1
	serve_stop
fi
exit "$T_FAILED"
