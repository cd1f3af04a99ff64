#!/bin/sh
# build.sh - the end-to-end contract of `cpolc build` and `cpolc verify`:
# a catalog imported from real Debian packages (tests/fetch-fixtures.sh)
# plus small primitives made here, images checked with runc, umoci, skopeo
# and a real docker-registry on 127.0.0.1.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

W=$T_TMP
cd "$W" || exit 1
unset SOURCE_DATE_EPOCH CPOL_PATH
CPOLC_CACHE=$W/cache-default
export CPOLC_CACHE

need_tool python3 || exit 0
need_debs || exit 0

# ---- the catalog: four real packages and primitives made from files -----------
mkdir -p src/bin src/rootfs/etc src/rootfs/bin
printf '#!/bin/sh\necho tool 1.0\n' >src/bin/tool
printf 'one\n' >src/one
printf 'two\n' >src/two
printf 'ID=mini\n' >src/rootfs/etc/os-release
printf 'base\n' >src/rootfs/bin/marker
chmod 755 src/bin/tool
expect_exit "catalog init" 0 "$CPOLC" catalog init cat
expect_exit "catalog import-deb" 0 "$CPOLC" catalog import-deb cat "$CPOLC_DEBS"/hello_*.deb \
	"$CPOLC_DEBS"/libc6_*.deb "$CPOLC_DEBS"/libgcc-s1_*.deb "$CPOLC_DEBS"/gcc-12-base_*.deb
expect_exit "catalog add tool" 0 "$CPOLC" catalog add cat --name tool --version 1.0 src/bin/tool=/usr/bin/tool
expect_exit "catalog add conflicting" 0 "$CPOLC" catalog add cat --name ca --version 1 --conflicts cb \
	src/one=/etc/ca.conf
expect_exit "catalog add conflicted" 0 "$CPOLC" catalog add cat --name cb --version 1 src/two=/etc/cb.conf
expect_exit "catalog add col1" 0 "$CPOLC" catalog add cat --name col1 --version 1 src/one=/etc/same.conf
expect_exit "catalog add col2" 0 "$CPOLC" catalog add cat --name col2 --version 1 src/two=/etc/same.conf
expect_exit "catalog add col3" 0 "$CPOLC" catalog add cat --name col3 --version 1 src/one=/etc/same.conf
expect_exit "catalog add base" 0 "$CPOLC" catalog add cat --name mini-base --version 1 --kind base src/rootfs

# ---- the policies ------------------------------------------------------------------
cat >common.cpol <<'EOF'
# common.cpol - imported by app.cpol
const motto = "composed";
EOF
cat >app.cpol <<'EOF'
import "security";
import "./common.cpol" as common;

policy "app" {
  platform "linux/amd64";
  include "hello" >= "2.10";
  include "tool";
  use security.no_critical_cves;
  entrypoint ["/usr/bin/hello"];
  cmd ["--greeting", input.greeting ?? "no greeting"];
  env MOTTO = common.motto;
  file "/etc/app.conf" = "env=" + (input.env ?? "dev") + "\n" mode 0o600;
  user "1234:2345";
  workdir "/srv/app";
}
EOF
printf '{"env": "test", "greeting": "hello from build.sh"}\n' >req.json
cat >lean.cpol <<'EOF'
policy "lean" { platform "linux/amd64"; include "hello"; include "tool"; }
EOF
BUILD_APP="build app.cpol -r req.json -C cat"

# ---- a good build ---------------------------------------------------------------------
expect_exit "build" 0 "$CPOLC" $BUILD_APP -o app.oci --lock app.lock -M app.d
M1=$(manifest_digest app.oci app)
expect_match "index.json names a manifest tagged with the policy name" "$M1" '^sha256:[0-9a-f]{64}$'
# (libc6's maintainer scripts draw a warning of their own: tests/maint.sh)
expect_eq "build says what it wrote on one line of stderr" \
	"$(printf '%s\n' "$T_ERR" | grep -v '\[maint-script\]$' | grep -c .)" 1
expect_match "the line names the image, tag, digest, layers and size" "$T_ERR" \
	"^app\.oci:app $M1 6 layers, [0-9.]+ (B|KiB|MiB)\$"
expect_eq "nothing on stdout without --json" "$T_OUT" ""
expect_exit "build -q" 0 "$CPOLC" $BUILD_APP -o app-q.oci --lock app-q.lock -q
expect_eq "-q silences the line" "$(printf '%s\n' "$T_ERR" | grep -v '\[maint-script\]$')" ""
expect_exit "build --json -q" 0 "$CPOLC" $BUILD_APP -o app-j.oci --lock app-j.lock --json -q
printf '%s\n' "$T_OUT" >summary.json
expect_eq "--json: the summary on stdout" \
	"$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["image"], j["tag"], j["digest"], j["layers"], j["lock"], j["size"] > 0)' summary.json)" \
	"app-j.oci app $M1 6 app-j.lock True"
rm -rf app-q.oci app-q.lock app-j.oci app-j.lock summary.json
expect_exit "verify a fresh image" 0 "$CPOLC" verify --lock app.lock app.oci
expect_match "lock records the manifest" "$(cat app.lock)" "\"$M1\""
expect_match "lock records why libc6 is there" "$(tr -d ' \n' <app.lock)" '"name":"libc6".*"reason":"dependencyof'

if need_tool skopeo; then
	expect_exit "skopeo inspect oci:DIR:TAG" 0 skopeo inspect "oci:$W/app.oci:app"
	expect_match "skopeo reads the manifest digest" "$T_OUT" "\"Digest\": \"$M1\""
	expect_match "created is the epoch" "$T_OUT" '"Created": "1970-01-01T00:00:00Z"'
	skopeo inspect --config "oci:$W/app.oci:app" >cfg.json 2>&1
	expect_match "config entrypoint and env" "$(tr -d ' \n' <cfg.json)" \
		'"Env":\["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","MOTTO=composed"\],"Entrypoint":\["/usr/bin/hello"\]'
	expect_match "history names a primitive" "$(cat cfg.json)" '"created_by": "cpolc: hello 2.10-3"'
	expect_eq "one layer per primitive plus files" "$(layer_count app.oci app)" 6
fi

if need_tool umoci; then
	expect_exit "umoci unpack" 0 umoci unpack --rootless --image "$W/app.oci:app" "$W/unpacked"
	expect_eq "generated file content" "$(cat unpacked/rootfs/etc/app.conf 2>/dev/null)" "env=test"
	expect_eq "generated file mode" "$(stat -c %a unpacked/rootfs/etc/app.conf 2>/dev/null)" "600"
	expect_eq "every image has /tmp, mode 1777" "$(stat -c %a unpacked/rootfs/tmp 2>/dev/null)" "1777"
	python3 - app.oci "$(manifest_digest app.oci app)" >top.txt 2>&1 <<'PYEOF'
import json, sys, tarfile
blob = lambda d: sys.argv[1] + '/blobs/sha256/' + d[7:]
top = json.load(open(blob(sys.argv[2])))['layers'][-1]['digest']
for m in tarfile.open(blob(top)):
    print(m.name, m.type.decode(), oct(m.mode), m.uid, m.gid)
PYEOF
	expect_match "/tmp is root's and sticky" "$(cat top.txt)" 'tmp 5 0o1777 0 0'
	expect_match "the workdir is the user's" "$(cat top.txt)" 'srv/app 5 0o755 1234 2345'
	expect_eq "primitive file from catalog add" "$(cat unpacked/rootfs/usr/bin/tool 2>/dev/null | tail -n 1)" \
		"echo tool 1.0"
	expect_eq "mtime is the epoch" "$(stat -c %Y unpacked/rootfs/usr/bin/hello 2>/dev/null)" 0
fi

if need_tool runc && need_tool umoci && need_root "runc run"; then
	expect_exit "umoci unpack a runc bundle" 0 runc_bundle "$W/app.oci:app" "$W/bundle"
	ID=cpolc-build-$$
	expect_exit "runc run the hello image" 0 runc run -b "$W/bundle" "$ID"
	expect_eq "the container printed the greeting" "$T_OUT" "hello from build.sh"
	runc delete -f "$ID" >/dev/null 2>&1
fi

if need_tool skopeo && need_tool docker-registry; then
	if registry_start "$W/registry"; then
		expect_exit "skopeo copy to the registry" 0 skopeo copy --dest-tls-verify=false \
			"oci:$W/app.oci:app" "docker://127.0.0.1:$REG_PORT/cpolc/app:v1"
		expect_exit "skopeo inspect the registry" 0 skopeo inspect --tls-verify=false --format '{{.Digest}}' \
			"docker://127.0.0.1:$REG_PORT/cpolc/app:v1"
		expect_eq "registry digest equals the layout's" "$T_OUT" "$M1"
	else
		t_fail "docker-registry answers" "$(cat "$W/registry/reg.log")"
	fi
	registry_stop
fi

# ---- reproducible ---------------------------------------------------------------------------
# another cache, output dir, umask, TZ, locale, and source mtimes: the same digest and lock
same_build() { # NAME CMD-PREFIX...
	local name=$1 out=$W/rep-$2
	shift 2
	expect_exit "build: $name" 0 "$@" "$CPOLC" $BUILD_APP -o "$out.oci" --lock "$out.lock"
	expect_eq "same digest: $name" "$(manifest_digest "$out.oci" app)" "$M1"
	if cmp -s "$out.lock" app.lock; then t_ok "same lock: $name"; else t_fail "same lock: $name" "$(diff app.lock "$out.lock" | head -20)"; fi
}
same_build "other cache" cache env CPOLC_CACHE="$W/cache-other"
if [ -n "$(find "$W/cache-other" -type f 2>/dev/null)" ]; then t_ok "CPOLC_CACHE names the cache"; else t_fail "CPOLC_CACHE names the cache"; fi
same_build "umask 077" umask sh -c 'umask 077 && exec "$@"' sh
same_build "TZ and LC_ALL" tz env TZ=Asia/Tokyo LC_ALL=C.UTF-8 LANG=de_DE.UTF-8
touch -d '2001-02-03 04:05:06' app.cpol common.cpol req.json
find cat -exec touch -h -d '2002-03-04 05:06:07' {} +
same_build "touched sources and catalog" touch env
same_build "all at once" all sh -c 'umask 027 && exec "$@"' sh env TZ=America/Lima LC_ALL=C \
	CPOLC_CACHE="$W/cache-all"

touch -d @1000000000 app.lock
expect_exit "rebuild unchanged" 0 "$CPOLC" $BUILD_APP -o app.oci --lock app.lock
expect_eq "unchanged lock is not rewritten" "$(stat -c %Y app.lock)" 1000000000
expect_eq "rebuild gives the same digest" "$(manifest_digest app.oci app)" "$M1"

expect_exit "build with SOURCE_DATE_EPOCH" 0 env SOURCE_DATE_EPOCH=1700000000 "$CPOLC" $BUILD_APP \
	-o sde.oci --lock sde.lock
if [ "$(manifest_digest sde.oci app)" != "$M1" ]; then t_ok "SOURCE_DATE_EPOCH changes the digest"; else t_fail "SOURCE_DATE_EPOCH changes the digest"; fi
if need_tool skopeo; then
	skopeo inspect --config "oci:$W/sde.oci:app" >sde.json 2>&1
	expect_match "created is SOURCE_DATE_EPOCH" "$(cat sde.json)" '"created": "2023-11-14T22:13:20Z"'
fi
if need_tool umoci; then
	umoci unpack --rootless --image "$W/sde.oci:app" "$W/sde-unpacked" >/dev/null 2>&1
	expect_eq "file mtimes are SOURCE_DATE_EPOCH" "$(stat -c %Y sde-unpacked/rootfs/etc/app.conf 2>/dev/null)" 1700000000
fi

# ---- failures write nothing ----------------------------------------------------------------------
# fails NAME CODE REGEX ARGS...: exit CODE, stderr matches REGEX, no output, lock or depfile
fails() {
	local name=$1 code=$2 re=$3
	shift 3
	rm -rf "$W/f.oci" "$W/f.lock" "$W/f.d"
	expect_exit "$name: exit $code" "$code" "$CPOLC" build "$@" -o "$W/f.oci" --lock "$W/f.lock" -M "$W/f.d"
	expect_match "$name: message" "$T_ERR" "$re"
	expect_eq "$name: nothing written" "$(ls -d "$W/f.oci" "$W/f.lock" "$W/f.d" 2>/dev/null)" ""
}
cat >deny.cpol <<'EOF'
policy "deny" { include "hello"; deny "image exceeds 1000 bytes" when sum([p.size ?? 0 for p in selected]) > 1000; }
EOF
cat >unknown.cpol <<'EOF'
policy "unknown" { include "hello"; include "nosuch"; }
EOF
cat >noversion.cpol <<'EOF'
policy "noversion" { include "hello" >= "3.0"; }
EOF
cat >excluded.cpol <<'EOF'
policy "excluded" { include "hello"; exclude "libc6"; }
EOF
cat >conflict.cpol <<'EOF'
policy "conflict" { include "ca"; include "cb"; }
EOF
cat >collide.cpol <<'EOF'
policy "collide" { include "col1"; include "col2"; include "tool"; }
EOF
printf '{"env": "test",\n' >bad.json
fails "deny holds" 1 'denied: image exceeds 1000 bytes' deny.cpol -C cat
fails "unknown primitive" 3 "no primitive 'nosuch'" unknown.cpol -C cat
fails "no eligible version" 3 "no eligible version of 'hello'" noversion.cpol -C cat
fails "excluded dependency" 3 "'libc6' is excluded but 'hello' depends on it" excluded.cpol -C cat
fails "conflict" 3 "'ca' version 1 conflicts with 'cb'" conflict.cpol -C cat
fails "file collision" 3 "'/etc/same.conf' differs between col1 1 and col2 1" collide.cpol -C cat
cat >same.cpol <<'EOF'
policy "same" { include "col1"; include "col3"; }
EOF
expect_exit "identical content at one path is fine" 0 "$CPOLC" build same.cpol -C cat -o same.oci --lock same.lock
fails "malformed request" 2 'bad.json:[0-9]+(:[0-9]+)?: error: malformed request' app.cpol -r bad.json -C cat
fails "missing catalog" 2 'nocat' app.cpol -r req.json -C nocat

# a failed build leaves the previous image and lock intact
cp app.oci/index.json index.before
cp app.lock lock.before
expect_exit "collision over a good image" 3 "$CPOLC" build collide.cpol -C cat -o app.oci --lock app.lock
cp -r cat cat-bad
BLOB=$(sed -n 's/.*"content": *"sha256:\([0-9a-f]*\)".*/\1/p' cat-bad/primitives/tool/1.0.json)
chmod u+w "cat-bad/blobs/sha256/$BLOB" && printf 'tampered' >>"cat-bad/blobs/sha256/$BLOB"
expect_exit "tampered catalog blob refused while composing" 2 "$CPOLC" build app.cpol -r req.json -C cat-bad \
	--no-cache -o app.oci --lock app.lock
expect_match "tamper reported" "$T_ERR" 'digest'
expect_exit "deny over a good image" 1 "$CPOLC" build deny.cpol -C cat -o app.oci --lock app.lock
if cmp -s app.oci/index.json index.before; then t_ok "previous index.json kept"; else t_fail "previous index.json kept"; fi
if cmp -s app.lock lock.before; then t_ok "previous lock kept"; else t_fail "previous lock kept"; fi
expect_exit "previous image still verifies" 0 "$CPOLC" verify --lock app.lock app.oci

# ---- --locked ------------------------------------------------------------------------------------
expect_exit "--locked on unchanged inputs" 0 "$CPOLC" $BUILD_APP -o app.oci --lock app.lock --locked
# paths are incidental: another working directory and another stdlib location
mkdir elsewhere && cp -r "$CPOLC_SRCDIR/stdlib" other-stdlib && cp app.lock else.lock
expect_exit "--locked from another directory and stdlib" 0 sh -c "cd elsewhere && exec '$CPOLC' build \
	'$W/app.cpol' -r '$W/req.json' -C '$W/cat' --stdlib '$W/other-stdlib' -o '$W/else.oci' --lock '$W/else.lock' --locked"
expect_eq "... gives the same image" "$(manifest_digest else.oci app)" "$M1"
printf '# a change\n' >>other-stdlib/security.cpol
cp else.lock strict.lock
expect_exit "--locked-strict with a changed stdlib module" 4 sh -c "cd elsewhere && exec '$CPOLC' build \
	'$W/app.cpol' -r '$W/req.json' -C '$W/cat' --stdlib '$W/other-stdlib' -o '$W/else.oci' --lock '$W/strict.lock' --locked-strict"
expect_match "... says the inputs differ" "$T_ERR" "strict\.lock: error: the inputs differ from the lock:"
expect_match "... and names the module" "$T_ERR" "^module '<stdlib>/security\.cpol' changed"
expect_exit "--locked with a changed stdlib module that changes neither resolution nor image" 0 sh -c "cd elsewhere && \
	exec '$CPOLC' build '$W/app.cpol' -r '$W/req.json' -C '$W/cat' --stdlib '$W/other-stdlib' -o '$W/else.oci' \
	--lock '$W/else.lock' --locked"
expect_match "... is a note" "$T_ERR" "else\.lock: note: inputs changed, the resolution did not:"
expect_match "... naming the module" "$T_ERR" "^module '<stdlib>/security\.cpol' changed"
cp -r cat cat-new
printf '#!/bin/sh\necho tool 1.1\n' >src/tool11
expect_exit "add a newer tool" 0 "$CPOLC" catalog add cat-new --name tool --version 1.1 src/tool11=/usr/bin/tool
cp app.lock newer.lock
expect_exit "--locked takes the locked version while it is there" 0 "$CPOLC" build app.cpol -r req.json \
	-C cat-new -o new.oci --lock newer.lock --locked
expect_eq "... the locked image" "$(manifest_digest new.oci app)" "$M1"
rm -rf new.oci new.d cat-new/primitives/tool/1.0.json
"$CPOLC" catalog reindex cat-new
expect_exit "--locked once the locked version is gone" 4 "$CPOLC" build app.cpol -r req.json -C cat-new -o new.oci \
	--lock app.lock --locked -M new.d
expect_match "diff names the primitive and both versions" "$T_ERR" "'tool'.*1\\.0 -> 1\\.1"
expect_eq "--locked mismatch writes nothing" "$(ls -d new.oci new.d 2>/dev/null)" ""
if cmp -s app.lock lock.before; then t_ok "--locked mismatch keeps the lock"; else t_fail "--locked mismatch keeps the lock"; fi

rm -rf none.oci
expect_exit "--locked without a lock file" 4 "$CPOLC" $BUILD_APP -o none.oci --lock none.lock --locked
expect_match "... says so without a bogus position" "$T_ERR" "^none\.lock: error: cannot read lock file 'none\.lock'"
expect_eq "... and writes nothing" "$(ls -d none.oci none.lock 2>/dev/null)" ""

# ---- verify ----------------------------------------------------------------------------------------
cp -r app.oci broken.oci
BIG=$(ls -S broken.oci/blobs/sha256 | head -n 1)
chmod u+w "broken.oci/blobs/sha256/$BIG" && printf 'x' >>"broken.oci/blobs/sha256/$BIG"
expect_exit "verify after corrupting a blob" 4 "$CPOLC" verify --lock app.lock broken.oci
expect_match "verify names the blob" "$T_ERR" "$BIG"
cp -r cat cat-scan
expect_exit "build against cat-scan" 0 "$CPOLC" build app.cpol -r req.json -C cat-scan -o scan.oci --lock scan.lock
printf '{"scanner": "grype", "date": "2026-11-01", "critical": 0, "high": 2, "medium": 0, "low": 0, "cves": []}\n' >scan0.json
printf '{"scanner": "grype", "date": "2026-11-20", "critical": 1, "high": 0, "medium": 0, "low": 0,
  "cves": [{"id": "CVE-2026-0001", "severity": "critical", "fixed": "2.12-1"}]}\n' >scan1.json
expect_exit "set-scan from a missing file" 2 "$CPOLC" catalog set-scan cat-scan hello 2.10-3 nosuch.json
expect_match "... names the file without a bogus position" "$T_ERR" "^nosuch\.json: error: cannot read 'nosuch\.json': No such file"
expect_exit "set-scan without critical CVEs" 0 "$CPOLC" catalog set-scan cat-scan hello 2.10-3 scan0.json
expect_exit "verify passes with a harmless scan" 0 "$CPOLC" verify --lock scan.lock scan.oci
expect_exit "set-scan with a critical CVE" 0 "$CPOLC" catalog set-scan cat-scan hello 2.10-3 scan1.json
expect_exit "verify fails on a new critical CVE" 4 "$CPOLC" verify --lock scan.lock scan.oci
expect_match "verify names the primitive" "$T_ERR" "'hello' 2\\.10-3 no longer passes the admit filter"

# ---- -M DEPFILE drives make ---------------------------------------------------------------------------
if need_tool make; then
	# a copy of the stdlib, so that every input can be made older than the image
	mkdir mk && cp -r cat app.cpol common.cpol req.json "$CPOLC_SRCDIR/stdlib" mk/
	cat >mk/Makefile <<EOF
img.oci/index.json: app.cpol req.json
	"$CPOLC" build app.cpol -r req.json -C cat --stdlib stdlib -o img.oci --lock img.lock -M img.d
-include img.d
EOF
	# settle: every input older than the image, so that any change is newer
	settle() { find mk -exec touch -h -d @1000000000 {} + && touch -d @1000000100 mk/img.oci/index.json; }
	# rebuilds NAME: make wants to rebuild, rebuilds, and a second make is a no-op
	rebuilds() {
		expect_exit "make -q after $1: out of date" 1 make -q -C mk
		expect_exit "make after $1" 0 make -C mk
		expect_exit "make -q after rebuilding for $1: up to date" 0 make -q -C mk
		settle
	}
	expect_exit "make" 0 make -C mk
	expect_exit "second make is a no-op" 0 make -q -C mk
	expect_match "depfile names the catalog directory of an included primitive" "$(cat mk/img.d)" \
		'cat/primitives/tool \\'
	settle
	expect_exit "make -q on settled inputs" 0 make -q -C mk
	printf '# edited\n' >>mk/app.cpol
	rebuilds "editing the policy"
	printf 'const unused = 1;\n' >>mk/common.cpol
	rebuilds "editing an imported module"
	printf '{"env": "test", "greeting": "changed"}\n' >mk/req.json
	rebuilds "editing the request"
	"$CPOLC" catalog set-scan mk/cat libc6 2.36-9+deb12u14 "$W/scan0.json" >/dev/null 2>&1
	rebuilds "set-scan on a used catalog entry"
	D1=$(manifest_digest mk/img.oci app)
	"$CPOLC" catalog add mk/cat --name tool --version 1.1 src/tool11=/usr/bin/tool >/dev/null 2>&1
	rebuilds "a new version of an included primitive"
	if [ "$(manifest_digest mk/img.oci app)" != "$D1" ]; then t_ok "the new version is in the image"; else t_fail "the new version is in the image"; fi
	"$CPOLC" catalog add mk/cat --name unrelated --version 1 src/one=/etc/unrelated >/dev/null 2>&1
	expect_exit "an unrelated primitive does not rebuild" 0 make -q -C mk
fi

# ---- options -------------------------------------------------------------------------------------------
expect_exit "--format oci-archive" 0 "$CPOLC" $BUILD_APP --format oci-archive -o app.tar --lock ar.lock -M ar.d
expect_match "archive depfile target is the archive" "$(head -n 1 ar.d)" '^app\.tar:'
expect_exit "--format oci-archive again" 0 "$CPOLC" $BUILD_APP --format oci-archive -o app2.tar --lock ar.lock
if cmp -s app.tar app2.tar; then t_ok "archive bytes are reproducible"; else t_fail "archive bytes are reproducible"; fi
rm -f f.tar
expect_exit "a deny writes no archive" 1 "$CPOLC" build deny.cpol -C cat --format oci-archive -o f.tar --lock f.lock
expect_eq "... no archive, no lock" "$(ls f.tar f.lock 2>/dev/null)" ""
if need_tool skopeo; then
	expect_exit "skopeo inspect oci-archive" 0 skopeo inspect "oci-archive:$W/app.tar:app"
	expect_match "archive holds the same manifest" "$T_OUT" "\"Digest\": \"$M1\""
fi

# first_layer LAYOUT TAG: the path of the first layer blob
first_layer() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
d, tag = sys.argv[1], sys.argv[2]
for m in json.load(open(d + '/index.json'))['manifests']:
    if m['annotations']['org.opencontainers.image.ref.name'] == tag:
        man = json.load(open(d + '/blobs/sha256/' + m['digest'][7:]))
        print(d + '/blobs/sha256/' + man['layers'][0]['digest'][7:], man['layers'][0]['mediaType'])
EOF
}
for c in zstd none gzip; do
	expect_exit "--compression $c" 0 "$CPOLC" $BUILD_APP --compression "$c" -o "c-$c.oci" --lock "c-$c.lock"
	expect_exit "verify --compression $c" 0 "$CPOLC" verify --lock "c-$c.lock" "c-$c.oci"
done
set -- $(first_layer c-zstd.oci app)
expect_eq "zstd media type" "$2" "application/vnd.oci.image.layer.v1.tar+zstd"
expect_eq "zstd magic" "$(od -An -tx1 -N4 "$1" | tr -d ' ')" "28b52ffd"
set -- $(first_layer c-none.oci app)
expect_eq "uncompressed media type" "$2" "application/vnd.oci.image.layer.v1.tar"
expect_eq "uncompressed layer is a tar" "$(dd if="$1" bs=1 skip=257 count=5 2>/dev/null)" "ustar"
expect_eq "gzip is the default" "$(manifest_digest c-gzip.oci app)" "$M1"
if [ "$(manifest_digest c-zstd.oci app)" != "$M1" ]; then t_ok "zstd differs from gzip"; else t_fail "zstd differs from gzip"; fi

if need_tool skopeo; then
	expect_exit "lean build" 0 "$CPOLC" build lean.cpol -C cat -o lean.oci --lock lean.lock
	expect_eq "five primitives, five layers and /tmp" "$(layer_count lean.oci lean)" 6
	expect_exit "--max-layers 2" 0 "$CPOLC" build lean.cpol -C cat -o lean2.oci --lock lean2.lock --max-layers 2
	expect_eq "--max-layers 2 gives two layers and /tmp" "$(layer_count lean2.oci lean)" 3
	expect_exit "verify --max-layers 2" 0 "$CPOLC" verify --lock lean2.lock lean2.oci
	skopeo inspect --config "oci:$W/lean2.oci:lean" >ml.json 2>&1
	expect_match "libc6, the largest, keeps its own layer" "$(cat ml.json)" '"created_by": "cpolc: libc6 [^,"]*"'
fi

expect_exit "--tag" 0 "$CPOLC" $BUILD_APP --tag v9 -o tag.oci --lock tag.lock
expect_eq "--tag names the manifest" "$(manifest_digest tag.oci v9)" "$M1"
expect_eq "--tag replaces the policy name" "$(manifest_digest tag.oci app)" ""
if need_tool skopeo; then
	expect_exit "skopeo inspect oci:DIR:v9" 0 skopeo inspect "oci:$W/tag.oci:v9"
fi

expect_exit "--no-cache" 0 env CPOLC_CACHE="$W/cache-none" "$CPOLC" $BUILD_APP --no-cache -o nc.oci --lock nc.lock
expect_eq "--no-cache writes no cache" "$(ls -A "$W/cache-none" 2>/dev/null | wc -l | tr -d ' ')" 0
expect_eq "--no-cache gives the same digest" "$(manifest_digest nc.oci app)" "$M1"

expect_exit "--cache DIR (cold)" 0 "$CPOLC" $BUILD_APP --cache "$W/mycache" -o cold.oci --lock cold.lock
N1=$(find mycache -type f | wc -l)
if [ "$N1" -gt 0 ]; then t_ok "--cache DIR is filled"; else t_fail "--cache DIR is filled"; fi
find mycache -type f | sort >cache1.txt
expect_exit "--cache DIR (warm)" 0 "$CPOLC" $BUILD_APP --cache "$W/mycache" -o warm.oci --lock warm.lock
find mycache -type f | sort >cache2.txt
if cmp -s cache1.txt cache2.txt; then t_ok "warm build adds nothing to the cache"; else t_fail "warm build adds nothing to the cache"; fi
expect_eq "warm build, same digest" "$(manifest_digest warm.oci app)" "$M1"
expect_eq "cold build, same digest" "$(manifest_digest cold.oci app)" "$M1"
for f in $(find mycache -type f); do chmod u+w "$f" && printf 'garbage' >>"$f"; done
expect_exit "--cache DIR with corrupted entries" 0 "$CPOLC" $BUILD_APP --cache "$W/mycache" -o bad-cache.oci \
	--lock bad-cache.lock
expect_eq "corrupted cache entries are not used" "$(manifest_digest bad-cache.oci app)" "$M1"
expect_exit "verify the image built past a corrupted cache" 0 "$CPOLC" verify --lock bad-cache.lock bad-cache.oci

# ---- from "PATH:TAG" and base "P" -------------------------------------------------------------------
mkdir -p sub
cat >sub/base.cpol <<'EOF'
policy "base" {
  platform "linux/amd64";
  include "hello";
  entrypoint ["/usr/bin/hello"];
  cmd ["--greeting", "hello from the base"];
}
EOF
cat >sub/derived.cpol <<'EOF'
policy "derived" {
  platform "linux/amd64";
  from "base.oci:b1";
  include "tool";
  env DERIVED = "yes";
  file "/etc/derived" = "derived\n" mode 0o640;
}
EOF
expect_exit "build the base image" 0 "$CPOLC" build sub/base.cpol -C cat -o sub/base.oci --tag b1 --lock sub/base.lock
expect_exit "build on top of it (from is relative to the policy)" 0 "$CPOLC" build sub/derived.cpol -C cat \
	-o derived.oci --lock derived.lock -M derived.d
expect_match "depfile names the from image" "$(cat derived.d)" 'sub/base\.oci/index\.json'
expect_exit "verify the derived image" 0 "$CPOLC" verify --lock derived.lock derived.oci
expect_match "the lock records the from image" "$(tr -d ' \n' <derived.lock)" '"from":\{"image":"base.oci:b1","manifest":"sha256:[0-9a-f]{64}"\}'
expect_exit "--locked holds while the base is unchanged" 0 "$CPOLC" build sub/derived.cpol -C cat \
	-o derived.oci --lock derived.lock --locked
python3 - sub/base.oci b1 derived.oci derived >from.txt <<'EOF'
import json, sys
def layers(d, tag):
    for m in json.load(open(d + '/index.json'))['manifests']:
        if m['annotations']['org.opencontainers.image.ref.name'] == tag:
            return [l['digest'] for l in json.load(open(d + '/blobs/sha256/' + m['digest'][7:]))['layers']]
b, d = layers(sys.argv[1], sys.argv[2]), layers(sys.argv[3], sys.argv[4])
print(len(b), len(d), 'prefix' if d[:len(b)] == b else 'not-prefix')
for x in b:
    print(x[7:])
EOF
expect_eq "base layers come first, two layers added" "$(head -n 1 from.txt)" "5 7 prefix"
same=0
for h in $(tail -n +2 from.txt); do cmp -s "sub/base.oci/blobs/sha256/$h" "derived.oci/blobs/sha256/$h" && same=$((same + 1)); done
expect_eq "base layers kept byte for byte" "$same" 5
if need_tool skopeo; then
	skopeo inspect --config "oci:$W/derived.oci:derived" >dcfg.json 2>&1
	expect_match "entrypoint inherited" "$(tr -d ' \n' <dcfg.json)" '"Entrypoint":\["/usr/bin/hello"\]'
	expect_match "derived env set" "$(tr -d ' \n' <dcfg.json)" '"Env":\["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","DERIVED=yes"\]'
fi
if need_tool umoci; then
	expect_exit "umoci unpack the derived image" 0 umoci unpack --rootless --image "$W/derived.oci:derived" "$W/du"
	expect_eq "derived generated file" "$(cat du/rootfs/etc/derived 2>/dev/null)" "derived"
	expect_eq "derived generated file mode" "$(stat -c %a du/rootfs/etc/derived 2>/dev/null)" "640"
	expect_eq "base file present" "$(test -x du/rootfs/usr/bin/hello && echo yes)" "yes"
fi
if need_tool runc && need_tool umoci && need_root "runc run derived"; then
	expect_exit "bundle of the derived image" 0 runc_bundle "$W/derived.oci:derived" "$W/dbundle"
	ID=cpolc-derived-$$
	expect_exit "runc run the derived image" 0 runc run -b "$W/dbundle" "$ID"
	expect_eq "derived image runs the inherited entrypoint and cmd" "$T_OUT" "hello from the base"
	runc delete -f "$ID" >/dev/null 2>&1
fi

cp -r sub/base.oci sub/base.keep
sed -i 's/hello from the base/hello from a new base/' sub/base.cpol
expect_exit "rebuild the base with another config" 0 "$CPOLC" build sub/base.cpol -C cat -o sub/base.oci --tag b1 \
	--lock sub/base.lock
expect_exit "--locked fails once the from image changed" 4 "$CPOLC" build sub/derived.cpol -C cat \
	-o derived.oci --lock derived.lock --locked
expect_match "the diff names the from image" "$T_ERR" 'from image manifest: sha256:[0-9a-f]+ -> sha256:'
rm -rf sub/base.oci && mv sub/base.keep sub/base.oci

cat >withbase.cpol <<'EOF'
policy "withbase" { platform "linux/amd64"; base "mini-base"; include "tool"; }
EOF
expect_exit "build on a base primitive" 0 "$CPOLC" build withbase.cpol -C cat -o wb.oci --lock wb.lock
if need_tool skopeo; then
	skopeo inspect --config "oci:$W/wb.oci:withbase" >wb.json 2>&1
	expect_eq "base primitive is the bottom layer" \
		"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["history"][0]["created_by"])' wb.json)" \
		"cpolc: mini-base 1"
fi
if need_tool umoci; then
	expect_exit "umoci unpack the based image" 0 umoci unpack --rootless --image "$W/wb.oci:withbase" "$W/wbu"
	expect_eq "base files present" "$(cat wbu/rootfs/etc/os-release 2>/dev/null)" "ID=mini"
fi

# ---- several tags in one layout: a build replaces its own tag, keeps the others ------
cat >tagged.cpol <<'EOF'
policy "tagged" { platform "linux/amd64"; include "tool"; file "/etc/env" = input.env; }
EOF
# tags LAYOUT: the tags of its index.json in order, then "orphans:" and every
# blob that no manifest of the index references; fails unless each image
# has one SBOM referrer and no referrer's image is gone
tags() {
	python3 - "$1" <<'PY'
import json, os, sys
root = sys.argv[1]
idx = json.load(open(os.path.join(root, "index.json")))
refs = set()
for d in idx["manifests"]:
    refs.add(d["digest"])
    m = json.load(open(os.path.join(root, "blobs", *d["digest"].split(":"))))
    refs.update([m["config"]["digest"]] + [l["digest"] for l in m["layers"]])
blobs = set("sha256:" + f for f in os.listdir(os.path.join(root, "blobs", "sha256")))
imgs = [d for d in idx["manifests"] if "artifactType" not in d]
# the SBOM referrers (doc/cpolc.1, "The SBOM"): each names a listed image
subj = [json.load(open(os.path.join(root, "blobs", *d["digest"].split(":"))))["subject"]["digest"]
        for d in idx["manifests"] if "artifactType" in d]
assert sorted(subj) == sorted(set(d["digest"] for d in imgs)), "one referrer per image"
print(" ".join(d["annotations"]["org.opencontainers.image.ref.name"] for d in imgs),
      "orphans:", " ".join(sorted(blobs - refs)))
PY
}
expect_exit "build tag prod" 0 "$CPOLC" build tagged.cpol -C cat -D env=prod -o tags.oci --tag prod --lock prod.lock
expect_exit "build tag dev into the same layout" 0 "$CPOLC" build tagged.cpol -C cat -D env=dev -o tags.oci \
	--tag dev --lock dev.lock
expect_eq "the layout holds both tags, sorted" "$(tags tags.oci)" "dev prod orphans: "
expect_exit "verify tag dev" 0 "$CPOLC" verify --lock dev.lock tags.oci:dev
expect_exit "verify tag prod" 0 "$CPOLC" verify --lock prod.lock tags.oci:prod
expect_exit "verify without a tag finds the image the lock names" 0 "$CPOLC" verify --lock prod.lock tags.oci
expect_exit "rebuild tag dev with other content" 0 "$CPOLC" build tagged.cpol -C cat -D env=dev2 -o tags.oci \
	--tag dev --lock dev.lock
expect_eq "still two tags, and the old dev blobs are gone" "$(tags tags.oci)" "dev prod orphans: "
expect_exit "the new dev verifies" 0 "$CPOLC" verify --lock dev.lock tags.oci:dev
expect_exit "prod is untouched" 0 "$CPOLC" verify --lock prod.lock tags.oci:prod
if need_tool skopeo; then
	expect_exit "skopeo reads tag prod" 0 skopeo inspect "oci:$W/tags.oci:prod"
	expect_exit "skopeo reads tag dev" 0 skopeo inspect "oci:$W/tags.oci:dev"
fi
# ---- a build from a compiled module, verified where its source is gone ----------
mkdir -p shipped
expect_exit "compile the policy" 0 "$CPOLC" compile tagged.cpol -o shipped/tagged.cpolb
expect_exit "build from the .cpolb" 0 "$CPOLC" build shipped/tagged.cpolb -C cat -D env=ship -o shipped/img \
	--lock shipped/img.lock
expect_match "the lock names the module run, from its directory" "$(cat shipped/img.lock)" '"path": "tagged.cpolb"'
expect_match "and its digest" "$(cat shipped/img.lock)" "\"digest\": \"sha256:$(sha256sum shipped/tagged.cpolb | cut -c1-64)\""
expect_match "and the source's digest" "$(cat shipped/img.lock)" '"path": "../tagged.cpol"'
expect_exit "a lock of an image the layout does not hold" 4 "$CPOLC" verify --lock shipped/img.lock tags.oci
expect_match "says so" "$T_ERR" "no image in 'tags.oci/index.json' has the manifest sha256:"
mv tagged.cpol tagged.cpol.away
expect_exit "verify with only the .cpolb" 0 "$CPOLC" verify --lock shipped/img.lock shipped/img
expect_exit "verify from the lock's directory" 0 sh -c "cd shipped && '$CPOLC' verify --lock img.lock img"
expect_exit "verify from elsewhere" 0 sh -c "cd / && '$CPOLC' verify --lock '$W/shipped/img.lock' '$W/shipped/img'"
rm shipped/tagged.cpolb
expect_exit "verify with neither" 2 "$CPOLC" verify --lock shipped/img.lock shipped/img
expect_match "names the missing source" "$T_ERR" "tagged.cpol"
mv tagged.cpol.away tagged.cpol
expect_exit "the source serves once it is back" 0 "$CPOLC" verify --lock shipped/img.lock shipped/img

# four builds of different tags at once: none is lost
for t in t1 t2 t3 t4; do
	"$CPOLC" build tagged.cpol -C cat -D env=$t -o tags.oci --tag $t --lock $t.lock >/dev/null 2>&1 &
done
wait
expect_eq "concurrent builds keep every tag" "$(tags tags.oci)" "dev prod t1 t2 t3 t4 orphans: "
# a build places its blobs and writes the index under the layout's lock
if need_tool flock; then
	mkdir -p held.oci
	flock held.oci sh -c 'touch held.flag; sleep 3' &
	holder=$!
	while [ ! -e held.flag ]; do sleep 0.1; done
	"$CPOLC" build tagged.cpol -C cat -D env=held -o held.oci --tag h --lock held.lock >/dev/null 2>&1 &
	builder=$!
	sleep 1
	expect_eq "a build waits while the layout is locked" "$(ls held.oci/index.json 2>/dev/null)" ""
	wait $holder
	wait $builder
	expect_eq "and then finishes" "$?" 0
	expect_eq "with its image" "$(tags held.oci)" "h orphans: "
fi

echo "$T_FAILED failed"
[ "$T_FAILED" -eq 0 ]
