#!/bin/sh
# examples.sh - build and check every example under examples/ from a copy
# in a temporary directory, with its own Makefile and catalog recipe.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

W=$T_TMP
cd "$W" || exit 1
unset SOURCE_DATE_EPOCH CPOL_PATH
CPOLC_CACHE=$W/cache
export CPOLC_CACHE
EX=$CPOLC_SRCDIR/examples

# every policy module of every example passes lint, warnings included
for f in "$EX"/*/*.cpol "$EX"/*/*/*.cpol; do
	[ -f "$f" ] || continue
	expect_exit "lint -Werror ${f#"$EX"/}" 0 "$CPOLC" lint -Werror "$f"
done

# every example's tests pass (selection only: no catalog here) and reach
# every statement of the policy they test
for f in "$EX"/*/*_test.cpol; do
	[ -f "$f" ] || continue
	expect_exit "test ${f#"$EX"/}" 0 "$CPOLC" test --coverage "$f"
	expect_match "test ${f#"$EX"/}: all passed" "$T_OUT" "^[1-9][0-9]* passed, 0 failed, 0 errors$"
	expect_eq "test ${f#"$EX"/}: every statement reached" \
		"$(printf '%s\n' "$T_OUT" | grep 'not reached by any test')" ""
done

need_tool python3 || exit 0
need_tool make || exit 0
need_debs hello libc6 libgcc-s1 gcc-12-base busybox-static || exit 0

# mk NAME EXAMPLE [TARGET...]: make in the copy of EXAMPLE
mk() {
	local name=$1 ex=$2
	shift 2
	expect_exit "$name" 0 make -C "$W/$ex" CPOLC="$CPOLC" DEBS="$CPOLC_DEBS" "$@"
}
# fresh EXAMPLE: a clean copy of the example
fresh() { rm -rf "${W:?}/$1" && cp -r "$EX/$1" "$W/$1" && make -s -C "$W/$1" clean >/dev/null 2>&1; }

# digests EXAMPLE LAYOUT...: "LAYOUT=DIGEST ..." for each layout's first manifest
digests() {
	local ex=$1 s=
	shift
	for l in "$@"; do s="$s $l=$(manifest_digest "$W/$ex/$l")"; done
	echo "$s"
}

# built_twice EXAMPLE LAYOUT...: build, then clean and build again with
# another, empty cache shared by parallel builds (make -j3); the digests
# must not change
built_twice() {
	local ex=$1 d1
	fresh "$ex"
	mk "$ex: make" "$ex"
	expect_exit "$ex: make -q after make" 0 make -q -C "$W/$ex" CPOLC="$CPOLC" DEBS="$CPOLC_DEBS"
	d1=$(digests "$@")
	expect_match "$ex: digests" "$d1" 'sha256:[0-9a-f]{64}'
	mk "$ex: make clean" "$ex" clean
	CPOLC_CACHE=$W/cache-$ex mk "$ex: make -j3 again" "$ex" -j3
	expect_eq "$ex: same digests across two builds" "$(digests "$@")" "$d1"
}

# runs EXAMPLE LAYOUT:TAG WANT: run the image with runc, its output is WANT
runs() {
	need_tool runc && need_tool umoci && need_root "runc run $1" || return 0
	expect_exit "$1: umoci unpack $2" 0 runc_bundle "$W/$1/$2" "$W/$1/bundle"
	local id=cpolc-ex-$1-$$
	expect_exit "$1: runc run $2" 0 runc run -b "$W/$1/bundle" "$id"
	expect_eq "$1: $2 prints" "$T_OUT" "$3"
	runc delete -f "$id" >/dev/null 2>&1
}

# ---- hello ------------------------------------------------------------------
built_twice hello hello.oci
expect_exit "hello: verify" 0 "$CPOLC" verify --lock "$W/hello/hello.lock" "$W/hello/hello.oci"
runs hello hello.oci:hello "hello from a composed image"
# the declared account: numbers in the config, names in the top layer
expect_eq "hello: the config's User is the account's numbers" "$(image_user "$W/hello/hello.oci")" "1000:1000"
top_layer "$W/hello/hello.oci" >"$W/hello-top.txt"
expect_match "hello: /etc/passwd has the account" "$(cat "$W/hello-top.txt")" \
	'passwd: hello:x:1000:1000::/home/hello:/usr/sbin/nologin'
expect_match "hello: /etc/group has its group" "$(cat "$W/hello-top.txt")" 'group: hello:x:1000:'
expect_match "hello: its home is its own" "$(cat "$W/hello-top.txt")" 'home/hello 5 755 1000 1000'

# ---- web: one policy, three requests ------------------------------------------
built_twice web web-dev.oci web-staging.oci web-prod.oci
mk "web: make verify" web verify
dev=$(manifest_digest "$W/web/web-dev.oci")
staging=$(manifest_digest "$W/web/web-staging.oci")
prod=$(manifest_digest "$W/web/web-prod.oci")
n=$(printf '%s\n' "$dev" "$staging" "$prod" | sort -u | wc -l)
expect_eq "web: three requests give three images" "$n" 3
sel() { python3 -c 'import json,sys; print(" ".join(p["name"] + "=" + p["version"] for p in json.load(open(sys.argv[1]))["primitives"]))' "$1"; }
expect_match "web: dev has the debug toolbox" "$(sel "$W/web/web-dev.lock")" 'busybox-static='
expect_match "web: staging has the debug toolbox" "$(sel "$W/web/web-staging.lock")" 'busybox-static='
if sel "$W/web/web-prod.lock" | grep -q busybox; then t_fail "web: prod lacks the debug toolbox"; else t_ok "web: prod lacks the debug toolbox"; fi
expect_match "web: dev gets the newest site" "$(sel "$W/web/web-dev.lock")" 'site=1\.1'
expect_match "web: dev gets the theme site 1.1 needs" "$(sel "$W/web/web-dev.lock")" 'theme=2'
expect_match "web: prod admits no critical CVE, keeps site 1.0" "$(sel "$W/web/web-prod.lock")" 'site=1\.0'
expect_match "web: ... with theme 1, as theme 2 has the CVE" "$(sel "$W/web/web-prod.lock")" 'theme=1'
if need_tool umoci; then
	umoci unpack --rootless --image "$W/web/web-prod.oci:prod" "$W/web-prod" >/dev/null 2>&1
	umoci unpack --rootless --image "$W/web/web-dev.oci:dev" "$W/web-dev" >/dev/null 2>&1
	expect_eq "web: dev image holds /bin/busybox" "$(test -x "$W/web-dev/rootfs/bin/busybox" && echo yes)" yes
	expect_eq "web: prod image has no /bin/busybox" "$(test -e "$W/web-prod/rootfs/bin/busybox" && echo yes)" ""
	expect_eq "web: prod env file" "$(cat "$W/web-prod/rootfs/etc/web/env" 2>/dev/null)" "APP_ENV=prod"
	expect_match "web: prod serves site 1.0" "$(cat "$W/web-prod/rootfs/srv/www/index.html" 2>/dev/null)" 'site 1\.0'
fi
expect_exit "web: the size budget denies" 1 "$CPOLC" build "$W/web/web.cpol" -r "$W/web/requests/prod.json" \
	-D size_budget:=1000000 -C "$W/web/catalog" -o "$W/web/small.oci" --lock "$W/web/small.lock"
expect_match "web: the size budget message" "$T_ERR" 'exceeds its size budget'
expect_exit "web: the schema refuses an unknown env" 2 "$CPOLC" eval "$W/web/web.cpol" -D env=qa -C "$W/web/catalog"
expect_match "web: the schema names the key" "$T_ERR" "key 'env': 'qa' is not one of"
touch -d '2001-01-01' "$W/web/requests/prod.json"
expect_exit "web: an older request does not rebuild" 0 make -q -C "$W/web" CPOLC="$CPOLC" DEBS="$CPOLC_DEBS"
printf '{"env": "prod", "version": "1.3.3", "greeting": "hello from prod"}\n' >"$W/web/requests/prod.json"
make -s -C "$W/web" CPOLC="$CPOLC" DEBS="$CPOLC_DEBS" -n >"$W/web-n.txt" 2>&1
expect_eq "web: editing prod.json rebuilds only prod" "$(grep -c 'cpolc build' "$W/web-n.txt")" 1
expect_match "web: ... the prod image" "$(cat "$W/web-n.txt")" 'requests/prod\.json'
runs web web-prod.oci:prod "hello from prod"
top_layer "$W/web/web-prod.oci" >"$W/web-top.txt"
expect_match "web: the cache directory is nonroot's and the group web's" "$(cat "$W/web-top.txt")" \
	'var/cache/web 5 750 65532 2000'
expect_match "web: /etc/group has web and nonroot" "$(grep '^group: ' "$W/web-top.txt" | tr '\n' ' ')" \
	'group: web:x:2000: group: nonroot:x:65532:'

# ---- from-base: layers appended to a base image ----------------------------------
built_twice from-base base.oci app.oci
mk "from-base: make verify" from-base verify
python3 - "$W/from-base" >"$W/fb.txt" <<'EOF'
import json, sys
d = sys.argv[1]
def man(l):
    m = json.load(open(d + '/' + l + '/index.json'))['manifests'][0]
    return json.load(open(d + '/' + l + '/blobs/sha256/' + m['digest'][7:]))
b, a = [x['digest'] for x in man('base.oci')['layers']], [x['digest'] for x in man('app.oci')['layers']]
print(len(b), len(a), 'prefix' if a[:len(b)] == b else 'not-prefix')
EOF
# the base: the base primitive, four packages, and the accounts
# (security.nonroot) and package database in the generated layer
expect_eq "from-base: base layers first, two appended" "$(cat "$W/fb.txt")" "6 8 prefix"
if need_tool skopeo; then
	skopeo inspect --config "oci:$W/from-base/app.oci:app" >"$W/fb.json" 2>&1
	expect_match "from-base: entrypoint and user inherited" "$(tr -d ' \n' <"$W/fb.json")" \
		'"User":"65532:65532".*"Entrypoint":\["/usr/bin/hello"\]'
	expect_match "from-base: the base primitive is the bottom layer" \
		"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["history"][0]["created_by"])' "$W/fb.json")" \
		'^cpolc: example-rootfs 1\.0$'
fi
touch "$W/from-base/base.cpol"
make -s -C "$W/from-base" CPOLC="$CPOLC" DEBS="$CPOLC_DEBS" -n >"$W/fb-n.txt" 2>&1
expect_eq "from-base: a changed base rebuilds both images" "$(grep -c 'cpolc build' "$W/fb-n.txt")" 2
runs from-base app.oci:app "hello from an app layered on a base image"

# ---- ci: the pipeline target -----------------------------------------------------------
fresh ci
mk "ci: make pipeline" ci pipeline
expect_match "ci: pipeline prints the digest" "$T_OUT" 'pipeline: service\.oci sha256:[0-9a-f]{64}'
mk "ci: make pipeline again" ci pipeline
expect_exit "ci: make -q build after the pipeline" 0 make -q -C "$W/ci" CPOLC="$CPOLC" DEBS="$CPOLC_DEBS" build
printf '{}\n' >"$W/ci/request.json"
expect_exit "ci: the pipeline fails on a request without a revision" 2 \
	make -s -C "$W/ci" CPOLC="$CPOLC" DEBS="$CPOLC_DEBS" pipeline
expect_match "ci: ... with the deny" "$T_ERR" 'must name a revision'
printf 'const unused_limit = 1;\n' >>"$W/ci/service.cpol"
expect_exit "ci: the pipeline fails on a lint warning" 2 \
	make -s -C "$W/ci" CPOLC="$CPOLC" DEBS="$CPOLC_DEBS" pipeline
expect_match "ci: ... at lint" "$T_ERR" 'unused'

echo "$T_FAILED failed"
[ "$T_FAILED" -eq 0 ]
