#!/bin/bash
# serve_gc.sh - cpolc serve --gc-after: a composition nobody pulled for that
# long goes (its tag, the blobs no other tag references, its record and its
# request; its lock and audit lines stay), one that is pulled stays, a pull
# of a collected one composes it again, and a restart collects what its
# records say was pulled too long ago.
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
	local log=$1 i=0
	shift
	"$CPOLC" serve --listen 127.0.0.1:0 --policies "$pol" -C "$cat" --cache "$T_TMP/cache" \
		--state "$state" "$@" 2>"$log" &
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
serve_stop() {
	[ -n "$SRV_PID" ] || return 0
	kill "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
	SRV_PID=
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

serve_start "$T_TMP/s1.log" --gc-after 3 || exit 1
da=$(pull a)
db=$(pull b)
expect_match "a is composed" "$da" '^sha256:'
expect_match "b is composed" "$db" '^sha256:'
expect_ne "a and b differ" "$da" "$db"
ka=$(key_of a)
kb=$(key_of b)
cb=$(config_of "$db")
lb=$(layer_of "$db")
expect_eq "their layer is shared" "$(layer_of "$da")" "$lb"
expect_eq "the layout tags both" "$(tags)" "$(printf '%s\n' "$ka" "$kb" | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "each with its SBOM" "$(referrers)" 2

# a is pulled every half second; b is left alone for longer than 3 s
for i in $(seq 1 11); do pull a >/dev/null; sleep 0.5; done
expect_eq "a, still pulled, stays" "$(tags)" "$ka"
expect_eq "b's SBOM went with it" "$(referrers)" 1
expect_eq "b's record is gone" "$(ls "$state/compositions")" "$ka.json"
expect_eq "b's request copy is gone" "$(ls "$state/requests" | grep -c "$kb")" 0
expect_eq "b's lock stays" "$(ls "$state/locks" | grep -c "$kb")" 1
expect_eq "b's manifest blob is gone" "$(blob "$db")" no
expect_eq "b's config blob is gone" "$(blob "$cb")" no
expect_eq "the layer a shares stays" "$(blob "$lb")" yes
expect_match "the audit log says b went" "$(grep '"event":"collected"' "$state/audit.log")" "\"key\":\"$kb\""
expect_eq "nothing else went" "$(grep -c '"event":"collected"' "$state/audit.log")" 1
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v2/app/manifests/$db")
expect_eq "b's manifest by digest is unknown" "$code" 404
expect_eq "a pull of b composes it again, the same" "$(pull b)" "$db"
expect_eq "b is tagged again" "$(tags)" "$(printf '%s\n' "$ka" "$kb" | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "and served blob by blob" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v2/app/blobs/$cb")" 200
expect_exit "the index is whole" 0 python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$state/layout/index.json"
serve_stop

# a restart: a record whose mtime says it was pulled two hours ago goes
# before the first pull; a recent one stays
touch -d '2 hours ago' "$state/compositions/$ka.json"
serve_start "$T_TMP/s2.log" --gc-after 3600 || exit 1
expect_eq "at start, the stale a went" "$(tags)" "$kb"
expect_eq "its manifest blob too" "$(blob "$da")" no
expect_eq "b is served without composing" "$(pull b)" "$db"
expect_eq "no new composition" "$(grep -c '"selected"' "$state/audit.log")" 3
serve_stop

# without --gc-after nothing goes
touch -d '2 hours ago' "$state/compositions/$kb.json"
serve_start "$T_TMP/s3.log" || exit 1
sleep 1.5
expect_eq "no --gc-after: b stays" "$(tags)" "$kb"
serve_stop
exit "$T_FAILED"
