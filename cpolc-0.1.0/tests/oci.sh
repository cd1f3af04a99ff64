#!/bin/sh
# oci.sh - the composer against real tools: skopeo, umoci, docker-registry,
# runc. Layouts are built by tests/oci_driver from tars made here.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

DRIVER=${CPOLC_BUILDDIR:-$CPOLC_SRCDIR}/tests/oci_driver
W=$T_TMP
cd "$W" || exit 1

need_tool python3 || exit 0

# mktar OUT SPEC...: SPEC is path:f:text[:mode] | path:d | path:l:target | path:h:target | path:F:FILE[:mode]
mktar() {
	python3 - "$@" <<'EOF'
import io, sys, tarfile
out = sys.argv[1]
with tarfile.open(out, 'w', format=tarfile.PAX_FORMAT) as t:
    for spec in sys.argv[2:]:
        p = spec.split(':')
        ti = tarfile.TarInfo(p[0]); ti.mtime = 1700000000; ti.uname = 'build'; ti.gname = 'build'
        if p[1] == 'd': ti.type = tarfile.DIRTYPE; ti.mode = 0o755; t.addfile(ti); continue
        if p[1] == 'l': ti.type = tarfile.SYMTYPE; ti.linkname = p[2]; t.addfile(ti); continue
        if p[1] == 'h': ti.type = tarfile.LNKTYPE; ti.linkname = p[2]; t.addfile(ti); continue
        data = open(p[2], 'rb').read() if p[1] == 'F' else p[2].encode()
        ti.size = len(data); ti.mode = int(p[3], 8) if len(p) > 3 else 0o644
        t.addfile(ti, io.BytesIO(data))
EOF
}
dg() { echo "sha256:$(sha256sum "$1" | cut -c1-64)"; }
field() { sed -n "s/^$1 \([^ ]*\).*/\1/p"; }

mktar a.tar usr/bin/hello:f:hello:0755 etc/motd:f:hi usr/bin/alias:h:usr/bin/hello bin:l:usr/bin
mktar b.tar var/lib/b/data:f:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
LAYERS="--layer a=a.tar@$(dg a.tar) --layer b=b.tar@$(dg b.tar)"
CONFIG='{"Entrypoint":["/usr/bin/hello"],"Env":["PATH=/usr/bin"],"WorkingDir":"/srv","Labels":{"team":"x"}}'

# --- the same inputs give the same digest whatever the environment ---------
expect_exit "compose" 0 "$DRIVER" compose -o "$W/img1" --tag v1 $LAYERS --file /etc/app.conf=on:0600 --config "$CONFIG"
M1=$(echo "$T_OUT" | field manifest)
expect_match "manifest digest printed" "$M1" '^sha256:[0-9a-f]{64}$'
mkdir -p other
touch -d '2001-02-03 04:05:06' a.tar b.tar
expect_exit "compose elsewhere" 0 env TZ=Asia/Tokyo LC_ALL=C.UTF-8 sh -c \
	"umask 077 && cd other && '$DRIVER' compose -o '$W/other/img2' --tag v1 --cache '$W/cache2' --jobs 1 \
	--layer a=../a.tar@$(dg a.tar) --layer b=../b.tar@$(dg b.tar) --file /etc/app.conf=on:0600 --config '$CONFIG'"
expect_eq "same digest: other dir, cache, umask, TZ, locale, mtimes, jobs" "$(echo "$T_OUT" | field manifest)" "$M1"
expect_exit "warm cache" 0 "$DRIVER" compose -o "$W/img3" --tag v1 --cache "$W/cache2" $LAYERS --file /etc/app.conf=on:0600 --config "$CONFIG"
expect_eq "same digest from the cache" "$(echo "$T_OUT" | field manifest)" "$M1"
expect_match "layers came from the cache" "$T_OUT" 'cached a'
expect_eq "oci-layout" "$(cat img1/oci-layout)" '{"imageLayoutVersion":"1.0.0"}'
expect_exit "verify" 0 "$DRIVER" verify "$W/img1" --tag v1 --manifest "$M1"

# --- skopeo --------------------------------------------------------------------
if need_tool skopeo; then
	expect_exit "skopeo inspect" 0 skopeo inspect "oci:$W/img1:v1"
	expect_match "skopeo sees the digest" "$T_OUT" "\"Digest\": \"$M1\""
	expect_match "skopeo sees the created time" "$T_OUT" '"Created": "1970-01-01T00:00:00Z"'
	expect_exit "skopeo inspect --config" 0 skopeo inspect --config "oci:$W/img1:v1"
	expect_match "config has the entrypoint" "$T_OUT" '"/usr/bin/hello"'
	expect_match "history names the primitive" "$T_OUT" '"created_by": "cpolc: a"'
fi

# --- umoci ---------------------------------------------------------------------
if need_tool umoci; then
	expect_exit "umoci unpack" 0 umoci unpack --rootless --image "$W/img1:v1" "$W/bundle"
	expect_eq "file content" "$(cat bundle/rootfs/usr/bin/hello 2>/dev/null)" "hello"
	expect_eq "file mode" "$(stat -c %a bundle/rootfs/usr/bin/hello 2>/dev/null)" "755"
	expect_eq "generated file mode" "$(stat -c %a bundle/rootfs/etc/app.conf 2>/dev/null)" "600"
	expect_eq "hardlink kept" "$(stat -c %h bundle/rootfs/usr/bin/alias 2>/dev/null)" "2"
	expect_eq "symlink kept" "$(readlink bundle/rootfs/bin)" "usr/bin"
	expect_eq "mtime is the epoch" "$(stat -c %Y bundle/rootfs/etc/motd 2>/dev/null)" "0"
fi

# --- oci-archive ----------------------------------------------------------------
expect_exit "compose an archive" 0 "$DRIVER" compose -o "$W/img.tar" --archive --tag v1 $LAYERS \
	--file /etc/app.conf=on:0600 --config "$CONFIG"
expect_eq "archive has the same manifest" "$(echo "$T_OUT" | field manifest)" "$M1"
if need_tool skopeo; then
	expect_exit "skopeo reads the archive" 0 skopeo inspect "oci-archive:$W/img.tar:v1"
	expect_match "archive digest" "$T_OUT" "\"Digest\": \"$M1\""
fi
cp img.tar img-first.tar
"$DRIVER" compose -o "$W/img.tar" --archive --tag v1 $LAYERS --file /etc/app.conf=on:0600 --config "$CONFIG" >/dev/null
expect_eq "archive bytes are reproducible" "$(dg img.tar)" "$(dg img-first.tar)"
expect_eq "no temporary left" "$(ls -d img.tar.tmp-* 2>/dev/null)" ""

# --- a sparse member: its data is read through libarchive, not by offset -------------
python3 -c "f = open('sparse.bin', 'wb'); f.seek(1000); f.write(b'start'); f.seek(3 << 20); f.write(b'end')"
if tar --sparse --format=pax --owner=0 --group=0 -cf sparse.tar sparse.bin 2>/dev/null; then
	expect_match "the input is a sparse tar" "$(strings sparse.tar | head -n 20)" 'GNU.sparse'
	expect_exit "compose a sparse member" 0 "$DRIVER" compose -o "$W/sparse" --tag s --compression none \
		--layer "s=sparse.tar@$(dg sparse.tar)" --file /after=x
	if need_tool umoci; then
		umoci unpack --rootless --image "$W/sparse:s" "$W/sb" >/dev/null 2>&1
		expect_eq "sparse content intact" "$(cmp sparse.bin sb/rootfs/sparse.bin 2>&1 && echo same)" "same"
	fi
fi

# --- a tampered input never reaches an image ---------------------------------------
cp -r img1 keep
mktar evil.tar usr/bin/hello:f:evil:0755
expect_exit "tampered tar refused" 1 "$DRIVER" compose -o "$W/img1" --tag v1 --layer "a=evil.tar@$(dg a.tar)"
expect_match "tamper reported" "$T_ERR" 'does not match its digest'
expect_eq "previous index kept" "$(cat img1/index.json)" "$(cat keep/index.json)"
expect_exit "previous image still verifies" 0 "$DRIVER" verify "$W/img1" --tag v1 --manifest "$M1"

# --- a build killed half-way leaves the previous image whole -------------------------
# The input is a FIFO nobody writes to: the build blocks reading it, is killed.
mkfifo stuck.tar
"$DRIVER" compose -o "$W/img1" --tag v1 $LAYERS --layer "stuck=$W/stuck.tar" >/dev/null 2>&1 &
KILLME=$!
exec 3>stuck.tar   # let the open(2) of the reader return, then starve it
kill -9 "$KILLME" 2>/dev/null
wait "$KILLME" 2>/dev/null
exec 3>&-
expect_eq "index untouched by a killed build" "$(cat img1/index.json)" "$(cat keep/index.json)"
expect_exit "image whole after a killed build" 0 "$DRIVER" verify "$W/img1" --tag v1 --manifest "$M1"

# --- collisions ------------------------------------------------------------------
mktar c1.tar etc/conf:f:one etc:d
mktar c2.tar etc/conf:f:two
mktar c3.tar etc/conf:f:one
expect_exit "collision found" 3 "$DRIVER" collisions --layer p1=c1.tar --layer p2=c2.tar --layer p3=c3.tar
expect_match "collision names path and both" "$T_ERR" "'/etc/conf' differs between p1 and p2"
expect_exit "identical content is fine" 0 "$DRIVER" collisions --layer p1=c1.tar --layer p3=c3.tar

# --- the from image --------------------------------------------------------------------
expect_exit "compose on a from image" 0 "$DRIVER" compose -o "$W/derived" --tag d --from "$W/img1:v1" \
	--layer c=c1.tar --config '{"Env":["PATH=/bin","X=1"],"Cmd":["-v"]}'
if need_tool skopeo; then
	skopeo inspect --config "oci:$W/derived:d" >cfg.json 2>&1
	expect_match "inherits the entrypoint" "$(cat cfg.json)" '"/usr/bin/hello"'
	expect_match "overrides env by name" "$(tr -d ' \n' <cfg.json)" '"Env":\["PATH=/bin","X=1"\]'
	expect_match "keeps base history" "$(cat cfg.json)" 'cpolc: files'
	expect_eq "four layers" "$(skopeo inspect "oci:$W/derived:d" | grep -c '"sha256:')" "5"
fi

# --- a real registry ---------------------------------------------------------------
if need_tool docker-registry && need_tool skopeo; then
	PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	cat >reg.yml <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $W/registry
http:
  addr: 127.0.0.1:$PORT
EOF
	docker-registry serve reg.yml >reg.log 2>&1 &
	REG=$!
	i=0
	until python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/v2/')" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.1
	done
	expect_exit "skopeo copy to the registry" 0 skopeo copy --dest-tls-verify=false "oci:$W/img1:v1" \
		"docker://127.0.0.1:$PORT/cpolc/test:v1"
	expect_exit "skopeo inspect the registry" 0 skopeo inspect --tls-verify=false "docker://127.0.0.1:$PORT/cpolc/test:v1"
	expect_match "registry has the same digest" "$T_OUT" "\"Digest\": \"$M1\""
	kill "$REG" 2>/dev/null
	wait "$REG" 2>/dev/null
fi

# --- runc runs a static binary from a layer ------------------------------------------
if need_tool gcc && need_tool runc && need_tool umoci; then
	if [ "$(id -u)" != 0 ]; then
		if [ "${CI:-}" = true ]; then t_fail "runc needs root"; else echo "ok # SKIP runc needs root"; fi
	else
		printf '#include <stdio.h>\nint main(void){puts("hello from cpolc");return 0;}\n' >hello.c
		if gcc -static -O2 -o hello hello.c 2>gcc.log; then
			mktar run.tar bin/hello:F:hello:0755
			expect_exit "compose runnable image" 0 "$DRIVER" compose -o "$W/run" --tag r \
				--layer hello=run.tar@"$(dg run.tar)" --config '{"Entrypoint":["/bin/hello"]}'
			expect_exit "umoci unpack as root" 0 umoci unpack --image "$W/run:r" "$W/rb"
			python3 - "$W/rb/config.json" <<'EOF'
import json, sys
p = sys.argv[1]; c = json.load(open(p)); c['process']['terminal'] = False
json.dump(c, open(p, 'w'))
EOF
			ID=cpolc-test-$$
			expect_exit "runc run" 0 runc run -b "$W/rb" "$ID"
			expect_eq "the container printed" "$T_OUT" "hello from cpolc"
			runc delete -f "$ID" >/dev/null 2>&1
		else
			t_fail "gcc -static" "$(cat gcc.log)"
		fi
	fi
fi

echo "$T_FAILED failed"
[ "$T_FAILED" -eq 0 ]
