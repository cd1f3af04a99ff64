#!/bin/sh
# seeds.sh OUTDIR - generate the seed corpora of the fuzz targets into
# OUTDIR/TARGET/ from the examples, the stdlib, the golden inputs and small
# catalogs, images and tars made here with the gcc-built cpolc ($CPOLC,
# default ./cpolc of the source tree). Nothing here is committed.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$src/tests/fuzz/out/seeds}
: "${CPOLC:=$src/cpolc}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cpolc-seeds.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out/fuzz_parse" "$out/fuzz_cpolb" "$out/fuzz_json" "$out/fuzz_tar" "$out/fuzz_lock" "$out/fuzz_registry" "$out/fuzz_deb" "$out/fuzz_from" "$out/fuzz_apt" "$out/fuzz_maint"

# fuzz_parse: every policy in the tree; fuzz_cpolb: each compiled
n=0
for f in $(find "$src/examples" "$src/stdlib" "$src/tests/golden" "$src/bench" -name '*.cpol' | sort); do
	n=$((n + 1))
	cp "$f" "$out/fuzz_parse/$n-$(basename "$f")"
	"$CPOLC" compile "$f" -o "$out/fuzz_cpolb/$n.cpolb" >/dev/null 2>&1 || true
	for p in $(sed -n 's/^policy "\([a-z0-9_-]*\)".*/\1/p' "$f"); do
		"$CPOLC" compile "$f" --policy "$p" -o "$out/fuzz_cpolb/$n-$p.cpolb" >/dev/null 2>&1 || true
	done
done

# fuzz_json: "MODE" byte + file (see fuzz_json.c)
seed() { { printf "\\$(printf %03o "$1")"; cat "$2"; } >"$out/fuzz_json/$3"; }
for f in "$src"/tests/golden/eval/*.json "$src"/examples/*/request.json; do
	[ -f "$f" ] && seed 0 "$f" "req-$(basename "$f")"
done
printf 'env=prod\na.b.c:=[1, {"x": null}]\nreplicas:=3\nroles:=["web"]\n' >"$tmp/defs"
seed 1 "$tmp/defs" defs
cd "$tmp"
"$CPOLC" catalog init cat >/dev/null
mkdir -p s/usr/bin s/etc && printf '#!/bin/sh\necho hi\n' >s/usr/bin/app && chmod 755 s/usr/bin/app
echo k=v >s/etc/app.conf
printf '{"license": "MIT", "labels": {"team": "web"}, "resources": {"cpu": 1}}' >meta.json
"$CPOLC" catalog add cat --name app --version 1:1.0-1 --depends 'lib (>= 1.0) | libc' \
	--provides 'web-server (= 1)' --conflicts nginx --platform linux/amd64 --meta meta.json s >/dev/null
"$CPOLC" catalog add cat --name lib --version 2.0 --kind library s/etc >/dev/null
printf '{"critical": 0, "high": 2, "medium": 1, "low": 0, "cves": [{"id": "CVE-2024-1", "severity": "high", "fixed": null}]}' >scan.json
"$CPOLC" catalog set-scan cat app 1:1.0-1 scan.json >/dev/null
seed 6 scan.json scan
for m in cat/primitives/*/*.json; do seed 2 "$m" "meta-$(basename "$(dirname "$m")")"; done
seed 3 cat/index index
seed 4 cat/catalog.json catalog
cat >p.cpol <<'P'
policy "p" {
  include "app";
  entrypoint ["/usr/bin/app"];
  env GREETING = input.greeting ?? "hi";
}
P
"$CPOLC" build p.cpol -C cat -o img --no-cache -D greeting=yo >/dev/null
seed 5 p.lock lock
# fuzz_lock: locks of a plain build, one from a compiled module and one with
# a `from` image, and the hostile locks of tests/hostile/lock
cp p.lock "$out/fuzz_lock/plain.lock"
"$CPOLC" compile p.cpol -o p.cpolb >/dev/null
"$CPOLC" build p.cpolb -C cat -o img2 --lock m.lock --no-cache >/dev/null
cp m.lock "$out/fuzz_lock/module.lock"
printf 'policy "f" { from "./img:p"; include "lib"; }\n' >f.cpol
"$CPOLC" build f.cpol -C cat -o img3 --lock f.lock --no-cache >/dev/null && cp f.lock "$out/fuzz_lock/from.lock"
for f in "$src"/tests/hostile/lock/*.lock; do
	[ -f "$f" ] && cp "$f" "$out/fuzz_lock/hostile-$(basename "$f")"
done
seed 0 img/index.json oci-index

# fuzz_tar: the catalog's canonical blobs, and a few archives of every kind
cp cat/blobs/sha256/* "$out/fuzz_tar/" 2>/dev/null || true
python3 - "$out/fuzz_tar" <<'PY'
import io, sys, tarfile
t = sys.argv[1]
def mk(name, members, fmt=tarfile.PAX_FORMAT, mode="w"):
    with tarfile.open(f"{t}/{name}", mode, format=fmt) as tf:
        for m in members:
            ti = tarfile.TarInfo(m[0]); ti.type = m[1]; ti.mode = m[2]
            data = m[3] if len(m) > 3 and m[3] is not None else b""
            if len(m) > 4: ti.linkname = m[4]
            ti.size = len(data) if ti.type == tarfile.REGTYPE else 0
            tf.addfile(ti, io.BytesIO(data) if ti.type == tarfile.REGTYPE else None)
R, D, L, H = tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE
good = [("./usr", D, 0o755), ("./usr/bin/tool", R, 0o755, b"tool\n"), ("./usr/lib/libt.so.1", R, 0o644, b"lib"),
        ("./usr/lib/libt.so", L, 0o777, None, "libt.so.1"), ("./usr/bin/t2", H, 0o755, None, "usr/bin/tool")]
mk("good.tar", good)
mk("good.tar.gz", good, mode="w:gz")
mk("good.tar.xz", good, mode="w:xz")
mk("gnu.tar", good, fmt=tarfile.GNU_FORMAT)
mk("ustar.tar", good, fmt=tarfile.USTAR_FORMAT)
mk("dotdot.tar", [("usr/../../etc/passwd", R, 0o644, b"x")])
mk("climb.tar", [("a/l", L, 0o777, None, "../../etc/shadow")])
mk("through.tar", [("lib", L, 0o777, None, "/usr/lib"), ("lib/evil.so", R, 0o644, b"x")])
mk("suid.tar", [("usr/bin/su", R, 0o4755, b"su")])
mk("long.tar", [("d/" + "x" * 200 + "/f", R, 0o644, b"y")])
PY
# fuzz_registry: MODE byte + text (see fuzz_registry.c)
rseed() { printf "\\$(printf %03o "$1")%s" "$2" >"$out/fuzz_registry/$3"; }
rseed 0 'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"' bearer
rseed 0 'Basic realm="x\"y", Bearer REALM=https://a/t , service=s, error="insufficient_scope"' two
rseed 1 '127.0.0.1:5000/team/web:prod' ref
rseed 1 'localhost/a.b_c__d-e--f/g:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' ref-digest
rseed 1 '[::1]:5000/a' ref-v6
rseed 2 'Ym9iOnBhOnNz' b64
rseed 3 '/v2/a/blobs/uploads/x?_state=abc' loc
rseed 3 'https://s3.example/b?sig=1' loc-abs
rseed 4 '{"auths": {"https://index.docker.io/v1/": {"auth": "YW5uOng="}, "127.0.0.1:5000": {"auth": "Ym9iOnBhOnNz"}}}' auth
rseed 5 'application/vnd.oci.image.manifest.v1+json' mt
# fuzz_deb: "MODE" byte (even: a control file, odd: a whole .deb) + bytes
printf '\000Package: app\nVersion: 1:1.0-1\nArchitecture: amd64\nDepends: libc6 (>= 2.34),\n hello | bye,\n\tz\nPre-Depends: dpkg (>= 1.19)\nProvides: www (= 1)\nConflicts: x\nBreaks: y (<< 2)\nInstalled-Size: 12\n\nPackage: second\n' >"$out/fuzz_deb/control"
printf '\000package: lib\nversion: 2\narchitecture: all\n' >"$out/fuzz_deb/control-lower"
# (not folded.deb: 100,000 continuation lines are a timing test, slow under ASan)
for f in "$src"/tests/hostile/deb/*bomb.deb "$src"/tests/hostile/deb/setuid.deb "$src"/tests/fixtures/debs/hello_*.deb; do
	[ -f "$f" ] && [ "$(wc -c <"$f")" -lt 1000000 ] && { printf '\001'; cat "$f"; } >"$out/fuzz_deb/deb-$(basename "$f")"
done

# fuzz_from: index, manifest, config, layer, separated by "\n--\n", with
# the placeholders of fuzz_from.c for digests and sizes
python3 - "$out/fuzz_from" <<'PY'
import io, sys, tarfile
t = sys.argv[1]
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
    ti = tarfile.TarInfo("etc/os-release"); ti.size = 3; ti.mtime = 0
    tf.addfile(ti, io.BytesIO(b"x=1"))
layer = buf.getvalue()
M = "application/vnd.oci.image.manifest.v1+json"
index = '{"schemaVersion":2,"manifests":[{"mediaType":"%s","digest":"@MANIFEST","size":@MSIZE,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' % M
def manifest(mt):
    return '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"@CONFIG","size":@CSIZE},"layers":[{"mediaType":"%s","digest":"@LAYER","size":@LSIZE}]}' % (M, mt)
config = '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":["@DIFFID"]},"history":[{"created_by":"x"}]}'
for name, mt in [("tar", "application/vnd.oci.image.layer.v1.tar"), ("gzip", "application/vnd.oci.image.layer.v1.tar+gzip"),
                 ("evil", "text/evil+zstd")]:
    with open(f"{t}/{name}", "wb") as f:
        f.write("\n--\n".join([index, manifest(mt), config]).encode() + b"\n--\n" + layer)
PY

# fuzz_apt: MODE byte (fuzz_apt.c) + deb822 text, a Release, a .sources, feeds
a=$out/fuzz_apt
printf '\000Package: app\nVersion: 1:1.0-1\nArchitecture: amd64\nSource: app-src (1.0-1)\nDepends: libc6 (>= 2.34),\n hello | bye\nPre-Depends: dpkg\nProvides: www (= 1)\nPriority: optional\nEssential: yes\nFilename: pool/main/a/app.deb\nSize: 10\nSHA256: 0000000000000000000000000000000000000000000000000000000000000000\nDescription: x\n y\n .\n\nPackage: b\n' >"$a/packages"
printf '\002Origin: Debian\nSuite: stable\nCodename: bookworm\nDate: Sat, 11 Jul 2026 10:16:37 UTC\nValid-Until: Sat, 18 Jul 2026 10:16:37 +0200\nAcquire-By-Hash: yes\nSHA256:\n 0ed6d4c8891eb86358b94bb35d9e4da4a0ed6d4c8891eb86358b94bb35d9e4da 1484322 main/binary-amd64/Packages.xz\n 1ed6d4c8891eb86358b94bb35d9e4da4a0ed6d4c8891eb86358b94bb35d9e4da 9 main/binary-amd64/Packages\n' >"$a/release"
printf '\005# a comment\nTypes: deb deb-src\nURIs: http://deb.example/debian file:///srv/mirror\nSuites: bookworm bookworm-updates\nComponents: main contrib\nArchitectures: amd64 arm64\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\nTypes: deb\nEnabled: no\nURIs: x\nSuites: y\nComponents: z\n' >"$a/sources"
printf '\004\000[{"id": "DEBIAN-CVE-2099-1", "upstream": ["CVE-2099-1"], "affected": [{"package": {"ecosystem": "Debian:12", "name": "foo"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.1"}, {"introduced": "2"}, {"last_affected": "2.5"}]}], "versions": ["1.0"]}], "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}]}]' >"$a/osv"
printf '\004\001{"matches": [{"vulnerability": {"id": "CVE-1", "severity": "High", "fix": {"versions": ["2"]}}, "relatedVulnerabilities": [{"id": "CVE-2"}], "artifact": {"name": "libfoo", "version": "1.0-1"}}]}' >"$a/grype"

# fuzz_maint: BYTE (odd: preinst) + script; the real scripts of the .deb
# fixtures when they are there (tests/fetch-fixtures.sh), and a few made here
m=$out/fuzz_maint
for d in "$src"/tests/fixtures/debs/*.deb "$src"/tests/fixtures/debs-py/*.deb; do
	[ -f "$d" ] || continue
	rm -rf "$tmp/ctl" && mkdir "$tmp/ctl" && dpkg-deb -e "$d" "$tmp/ctl" 2>/dev/null || continue
	b=$(basename "$d" .deb)
	[ -f "$tmp/ctl/preinst" ] && { printf '\001'; cat "$tmp/ctl/preinst"; } >"$m/$b.preinst"
	[ -f "$tmp/ctl/postinst" ] && { printf '\000'; cat "$tmp/ctl/postinst"; } >"$m/$b.postinst"
done
printf '\000#!/bin/sh\nset -e\nold=$2\ncase "$1" in\n  configure)\n    if [ -z "$old" ] && [ ! -e /etc/pkg.conf ]; then\n      cp /usr/share/pkg/conf /etc/pkg.conf\n    elif dpkg --compare-versions "$old" lt-nl 1.0; then\n      rm -f /etc/old\n    fi\n    adduser --system --group --home /var/lib/pkg pkg\n    update-alternatives --install /usr/bin/p p /usr/bin/pkg 10\n    ;;\n  abort-upgrade|\\\n  remove) : ;;\nesac\nf() { v=$(( $(cat /x) + 1 )); [ "${DPKG_ROOT:-}" = "" -a -n "$v" ] && touch /y; }\nf\n' >"$m/made"

echo "seeds: $(ls "$out/fuzz_parse" | wc -l) parse, $(ls "$out/fuzz_cpolb" | wc -l) cpolb," \
	"$(ls "$out/fuzz_json" | wc -l) json, $(ls "$out/fuzz_tar" | wc -l) tar, $(ls "$out/fuzz_lock" | wc -l) lock," \
	"$(ls "$out/fuzz_registry" | wc -l) registry, $(ls "$out/fuzz_deb" | wc -l) deb, $(ls "$out/fuzz_from" | wc -l) from," \
	"$(ls "$out/fuzz_apt" | wc -l) apt, $(ls "$out/fuzz_maint" | wc -l) maint"
