#!/bin/bash
# serve_state.sh - cpolc serve's referrers (the SBOM of a composition, by the
# distribution spec's referrers API) and --gc-after: a composition nobody
# pulled for that long goes (its tag, its SBOM, the blobs no other tag
# references, its record and its request; its lock and audit lines stay),
# one that is pulled stays, a pull of a collected one composes it again,
# and a restart collects what its records say was pulled too long ago.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

need_tool curl || exit 0
need_tool python3 || exit 0

cat=$T_TMP/cat
"$CPOLC" catalog init "$cat" >/dev/null
mkdir -p "$T_TMP/f/etc"
echo 'motd 1' >"$T_TMP/f/etc/motd"
"$CPOLC" catalog add "$cat" --name motd --version 1 --kind config "$T_TMP/f/etc=/etc" >/dev/null
pol=$T_TMP/pol
mkdir -p "$pol/app"
printf 'policy "app" {\n  include "motd";\n  label "who" = input.who;\n}\n' >"$pol/app.cpol"
echo '{"who": "a"}' >"$pol/app/a.json"
echo '{"who": "b"}' >"$pol/app/b.json"
state=$T_TMP/state
SRV_PID=

serve_start() {
	local log=$1
	shift
	cpolc_serve "$log" --policies "$pol" -C "$cat" --cache "$T_TMP/cache" \
		--state "$state" "$@"
}
trap 'serve_stop; t_cleanup' EXIT

# pull REF: the manifest's digest, or the HTTP status when not 200
pull() {
	local code
	code=$(curl -s -o "$T_TMP/m" -D "$T_TMP/h" -w '%{http_code}' \
		-H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://127.0.0.1:$PORT/v2/app/manifests/$1")
	if [ "$code" = 200 ]; then
		sed -n 's/^Docker-Content-Digest: *\([^[:space:]]*\).*/\1/Ip' "$T_TMP/h"
	else
		echo "$code"
	fi
}
# tags: the layout's tags, sorted; referrers: how many untagged entries (SBOMs)
tags() { python3 -c 'import json,sys; print(" ".join(sorted(m["annotations"]["org.opencontainers.image.ref.name"] for m in json.load(open(sys.argv[1]))["manifests"] if "artifactType" not in m)))' "$state/layout/index.json"; }
referrers() { python3 -c 'import json,sys; print(sum("artifactType" in m for m in json.load(open(sys.argv[1]))["manifests"]))' "$state/layout/index.json"; }
config_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["config"]["digest"])' "$state/layout/blobs/sha256/${1#sha256:}"; }
layer_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][0]["digest"])' "$state/layout/blobs/sha256/${1#sha256:}"; }
blob() { [ -f "$state/layout/blobs/sha256/${1#sha256:}" ] && echo yes || echo no; }
key_of() { sed -n "s/.*\"reference\":\"$1\",\"key\":\"\([0-9a-f]*\)\".*/\1/p" "$state/audit.log" | head -n 1; }

# compose a and b (without --gc-after: composing may take long on a busy
# machine, and nothing must go meanwhile)
serve_start "$T_TMP/s0.log" || exit 1
da=$(pull a)
db=$(pull b)
# the referrers API: the SBOM of a, as the layout holds it
R=http://127.0.0.1:$PORT/v2/app
curl -s -D "$T_TMP/rh" -o "$T_TMP/refs" "$R/referrers/$da"
expect_match "referrers answers an image index" "$(cat "$T_TMP/rh")" 'Content-Type: application/vnd.oci.image.index.v1\+json'
sbom=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["manifests"]; print(len(m), m[0]["artifactType"], m[0]["digest"])' "$T_TMP/refs")
expect_match "listing a's SBOM" "$sbom" '^1 application/spdx\+json sha256:'
sd=${sbom##* }
expect_eq "the SBOM manifest the layout lists for a" "$sd" "$(python3 -c '
import json,sys
idx=json.load(open(sys.argv[1]+"/index.json"))
for e in idx["manifests"]:
    if "artifactType" in e:
        m=json.load(open(sys.argv[1]+"/blobs/sha256/"+e["digest"][7:]))
        if m["subject"]["digest"]==sys.argv[2]: print(e["digest"])' "$state/layout" "$da")"
curl -s -o "$T_TMP/sm" -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$R/manifests/$sd"
expect_eq "its manifest by digest" "sha256:$(sha256sum <"$T_TMP/sm" | cut -d' ' -f1)" "$sd"
expect_eq "whose subject is a" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["subject"]["digest"])' "$T_TMP/sm")" "$da"
sl=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][0]["digest"])' "$T_TMP/sm")
curl -s -o "$T_TMP/spdx" "$R/blobs/$sl"
expect_eq "and the SPDX document, blob by blob" "sha256:$(sha256sum <"$T_TMP/spdx" | cut -d' ' -f1)" "$sl"
expect_eq "an SPDX 2.3 document" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["spdxVersion"])' "$T_TMP/spdx")" SPDX-2.3
curl -s -D "$T_TMP/rh" -o "$T_TMP/refs" "$R/referrers/$da?artifactType=text/plain"
expect_eq "filtered by artifactType" "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["manifests"]))' "$T_TMP/refs")" 0
expect_match "saying so" "$(cat "$T_TMP/rh")" 'OCI-Filters-Applied: artifactType'
expect_eq "an unknown subject: an empty index, not 404" \
	"$(curl -s -o "$T_TMP/refs" -w '%{http_code}' "$R/referrers/sha256:$(printf '%064d' 0)") $(cat "$T_TMP/refs" | head -c 200)" \
	'200 {"manifests":[],"mediaType":"application/vnd.oci.image.index.v1+json","schemaVersion":2}'
expect_eq "a bad digest: 400" "$(curl -s -o /dev/null -w '%{http_code}' "$R/referrers/sha256:xyz")" 400
serve_stop
expect_match "a is composed" "$da" '^sha256:'
expect_match "b is composed" "$db" '^sha256:'
expect_ne "a and b differ" "$da" "$db"
ka=$(key_of a)
kb=$(key_of b)
ca=$(config_of "$da")
cb=$(config_of "$db")
lb=$(layer_of "$db")
both=$(printf '%s\n' "$ka" "$kb" | sort | tr '\n' ' ' | sed 's/ $//')
expect_eq "their layer is shared" "$(layer_of "$da")" "$lb"
expect_eq "the layout tags both" "$(tags)" "$both"
expect_eq "each with its SBOM" "$(referrers)" 2

# a restart: b's record says it was pulled two hours ago, a's just now;
# the pass at start collects b before the first pull
touch -d '2 hours ago' "$state/compositions/$kb.json"
touch "$state/compositions/$ka.json"
serve_start "$T_TMP/s1.log" --gc-after 3600 || exit 1
expect_eq "at start, the stale b went, a stays" "$(tags)" "$ka"
expect_eq "b's SBOM went with it" "$(referrers)" 1
expect_eq "b's record is gone" "$(ls "$state/compositions")" "$ka.json"
expect_eq "b's request copy is gone" "$(ls "$state/requests" | grep -c "$kb")" 0
expect_eq "b's lock stays" "$(ls "$state/locks" | grep -c "$kb")" 1
expect_eq "b's manifest blob is gone" "$(blob "$db")" no
expect_eq "b's config blob is gone" "$(blob "$cb")" no
expect_eq "the layer a shares stays" "$(blob "$lb")" yes
expect_eq "a's blobs stay" "$(blob "$da") $(blob "$ca")" "yes yes"
expect_match "the audit log says b went" "$(grep '"event":"collected"' "$state/audit.log")" "\"key\":\"$kb\""
expect_eq "nothing else went" "$(grep -c '"event":"collected"' "$state/audit.log")" 1
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v2/app/manifests/$db")
expect_eq "b's manifest by digest is unknown" "$code" 404
expect_eq "a is served without composing" "$(pull a)" "$da"
expect_eq "no new composition" "$(grep -c '"selected"' "$state/audit.log")" 2
expect_eq "a pull of b composes it again, the same" "$(pull b)" "$db"
expect_eq "b is tagged again" "$(tags)" "$both"
expect_eq "and served blob by blob" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v2/app/blobs/$cb")" 200
expect_exit "the index is whole" 0 python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$state/layout/index.json"
serve_stop

# while it runs: with --gc-after 3, a pulled every half second stays and b,
# left alone, goes within a few seconds
serve_start "$T_TMP/s2.log" --gc-after 3 || exit 1
i=0
while [ "$(tags)" != "$ka" ] && [ $i -lt 60 ]; do
	pull a >/dev/null
	sleep 0.5
	i=$((i + 1))
done
for i in 1 2 3 4 5 6 7 8; do pull a >/dev/null; sleep 0.5; done
expect_eq "a, still pulled, stays; b went" "$(tags)" "$ka"
expect_eq "the audit log says so" "$(grep -c "\"event\":\"collected\".*\"key\":\"$kb\"" "$state/audit.log")" 2
serve_stop

# a forged record whose key climbs out of the state: not loaded, so the
# collection never names a file outside it
evil="../../$(printf 'a%.0s' $(seq 1 58))"
echo victim >"$T_TMP/$(printf 'a%.0s' $(seq 1 58)).json"
sed "s|\"key\": \"$ka\"|\"key\": \"$evil\"|" "$state/compositions/$ka.json" >"$state/compositions/$(printf 'b%.0s' $(seq 1 64)).json"
touch -d '2 hours ago' "$state/compositions/$(printf 'b%.0s' $(seq 1 64)).json"
expect_match "(the forged record names the climbing key)" "$(cat "$state/compositions/$(printf 'b%.0s' $(seq 1 64)).json")" '"key": "\.\./\.\./a'
serve_start "$T_TMP/s4.log" --gc-after 3600 || exit 1
serve_stop
expect_eq "a record whose key is no digest is not followed out of the state" \
	"$(cat "$T_TMP/$(printf 'a%.0s' $(seq 1 58)).json" 2>/dev/null)" victim
rm -f "$state/compositions/$(printf 'b%.0s' $(seq 1 64)).json"

# without --gc-after nothing goes
touch -d '2 hours ago' "$state/compositions/$ka.json"
serve_start "$T_TMP/s3.log" || exit 1
sleep 1.5
expect_eq "no --gc-after: a stays" "$(tags)" "$ka"
serve_stop
exit "$T_FAILED"
