#!/bin/sh
# accounts.sh - account, group and directory statements end to end: the
# /etc/passwd and /etc/group of the image's top layer, merged with those a
# primitive or the `from` image ships (and base-passwd's master files), the
# directories' modes and owners in the layer tar, the config's User as
# numbers, clashes and unknown names as located errors, reproducible bytes
# and `cpolc verify`, and (as root) busybox's `id` under runc.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

W=$T_TMP
cd "$W" || exit 1
unset SOURCE_DATE_EPOCH CPOL_PATH
CPOLC_CACHE=$W/cache
export CPOLC_CACHE
STDLIB=$CPOLC_SRCDIR/stdlib

need_tool python3 || exit 0
need_debs busybox-static || exit 0

# ---- the catalog: busybox, a primitive with /etc/passwd and /etc/group, and
# a stand-in for base-passwd, which ships only its master files ---------------
mkdir -p sys/etc bp
printf 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >sys/etc/passwd
printf 'root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n' >sys/etc/group
printf 'root:*:0:0:root:/root:/bin/bash\nbin:*:2:2:bin:/bin:/usr/sbin/nologin\n' >bp/passwd.master
printf 'root:*:0:\nbin:*:2:\n' >bp/group.master
expect_exit "catalog init" 0 "$CPOLC" catalog init cat
expect_exit "import busybox-static" 0 "$CPOLC" catalog import-deb cat "$CPOLC_DEBS"/busybox-static_*.deb
expect_exit "catalog add sysfiles" 0 "$CPOLC" catalog add cat --name sysfiles --version 1 \
	sys/etc/passwd=/etc/passwd sys/etc/group=/etc/group
expect_exit "catalog add base-passwd" 0 "$CPOLC" catalog add cat --name base-passwd --version 3.6.1 \
	bp/passwd.master=/usr/share/base-passwd/passwd.master bp/group.master=/usr/share/base-passwd/group.master

cat >img.cpol <<'EOF'
import "security";

policy "img" {
  include "busybox-static";
  include "sysfiles";
  use security.nonroot;
  group "app" gid 1000;
  account "app" uid 1000 home "/home/app" shell "/bin/sh" comment "the app";
  account "daemon" uid 1 shell "/bin/false";
  directory "/var/lib/app" mode 0o750 owner "app";
  directory "/srv/data" owner "1234:2345";
  directory "/srv/shared" mode 0o1777 special owner "nobody:nogroup";
  entrypoint ["/bin/busybox", "sh", "-c", "id; echo $HOME; touch $HOME/x && echo wrote"];
  workdir "/srv/app";
}
EOF
expect_exit "build" 0 "$CPOLC" build img.cpol --stdlib "$STDLIB" -C cat -o img.oci --lock img.lock
top_layer img.oci img >top.txt
expect_eq "/etc/passwd: the primitive's, merged with the policy's, sorted by uid" \
	"$(sed -n 's/^passwd: //p' top.txt)" "root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
app:x:1000:1000:the app:/home/app:/bin/sh
nonroot:x:65532:65532::/home/nonroot:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin"
expect_eq "/etc/group: nonroot's group made from its account" "$(sed -n 's/^group: //p' top.txt)" "root:x:0:
daemon:x:1:
app:x:1000:
nonroot:x:65532:
nogroup:x:65534:"
expect_match "passwd and group are root's, 0644" "$(cat top.txt)" 'etc/passwd 0 644 0 0'
expect_match "... both" "$(cat top.txt)" 'etc/group 0 644 0 0'
expect_match "a directory owned by a declared name" "$(cat top.txt)" 'var/lib/app 5 750 1000 1000'
expect_match "a directory owned by numbers" "$(cat top.txt)" 'srv/data 5 755 1234 2345'
expect_match "a sticky directory owned by the primitive's names" "$(cat top.txt)" 'srv/shared 5 1777 65534 65534'
expect_match "nonroot's home is its own" "$(cat top.txt)" 'home/nonroot 5 755 65532 65532'
expect_match "app's home is its own" "$(cat top.txt)" 'home/app 5 755 1000 1000'
expect_match "the workdir is the user's" "$(cat top.txt)" 'srv/app 5 755 65532 65532'
expect_match "/tmp as before" "$(cat top.txt)" 'tmp 5 1777 0 0'
expect_eq "the config's User" "$(image_user img.oci img)" "65532:65532"
expect_exit "verify" 0 "$CPOLC" verify --lock img.lock img.oci
expect_exit "build again with another cache" 0 env CPOLC_CACHE="$W/cache2" "$CPOLC" build img.cpol \
	--stdlib "$STDLIB" -C cat -o img2.oci --lock img2.lock
expect_eq "the same bytes" "$(manifest_digest img2.oci img)" "$(manifest_digest img.oci img)"

# ---- a user named by the policy becomes numbers; a primitive's name works too -----
cat >named.cpol <<'EOF'
policy "named" {
  include "sysfiles";
  account "svc" uid 200 gid 1;
  user "svc";
}
EOF
expect_exit "build with a named user" 0 "$CPOLC" build named.cpol -C cat -o named.oci --lock named.lock
expect_eq "the name becomes uid:gid" "$(image_user named.oci named)" "200:1"
expect_eq "no group made: gid 1 is daemon" "$(top_layer named.oci named | sed -n 's/^group: //p' | grep -c ':1:')" 1
cat >prim.cpol <<'EOF'
policy "prim" {
  include "sysfiles";
  user "nobody:daemon";
  workdir "/w";
}
EOF
expect_exit "build as a primitive's account" 0 "$CPOLC" build prim.cpol -C cat -o prim.oci --lock prim.lock
expect_eq "its numbers" "$(image_user prim.oci prim)" "65534:1"
top_layer prim.oci prim >prim.txt
expect_match "the workdir is that user's" "$(cat prim.txt)" 'w 5 755 65534 1'
expect_eq "no account declared: /etc/passwd is the primitive's, not rewritten" \
	"$(grep -c '^passwd: ' prim.txt)" 0

cat >root.cpol <<'EOF'
policy "root" {
  include "busybox-static";
  user "root";
}
EOF
expect_exit "root needs no /etc/passwd" 0 "$CPOLC" build root.cpol -C cat -o root.oci --lock root.lock
expect_eq "... and is 0:0" "$(image_user root.oci root)" "0:0"

# ---- base-passwd's master files stand in for /etc/passwd ---------------------------
cat >bp.cpol <<'EOF'
policy "bp" {
  include "base-passwd";
  account "app" uid 1000;
  user "app";
}
EOF
expect_exit "build with base-passwd" 0 "$CPOLC" build bp.cpol -C cat -o bp.oci --lock bp.lock
expect_eq "base-passwd's accounts, then the policy's" "$(top_layer bp.oci bp | sed -n 's/^passwd: //p')" \
	"root:*:0:0:root:/root:/bin/bash
bin:*:2:2:bin:/bin:/usr/sbin/nologin
app:x:1000:1000::/nonexistent:/usr/sbin/nologin"

# ---- clashes and unknown names: located errors, nothing written -----------------
cat >clash.cpol <<'EOF'
policy "clash" {
  include "sysfiles";
  account "daemon" uid 2;
  account "demon" uid 1;
  group "staff" gid 65534;
}
EOF
expect_exit "clashing accounts fail the build" 2 "$CPOLC" build clash.cpol -C cat -o clash.oci --lock clash.lock
expect_eq "each clash at its statement, naming the primitive's line" "$T_ERR" \
	"clash.cpol:5:3: error: group 'staff' has gid 65534, which group 'nogroup' already has (at sysfiles 1:/etc/group:3) [account-clash]
clash.cpol:3:3: error: user 'daemon' has uid 2 here but 1 at sysfiles 1:/etc/passwd:2 [account-clash]
clash.cpol:4:3: error: user 'demon' has uid 1, which user 'daemon' already has (at sysfiles 1:/etc/passwd:2) [account-clash]"
expect_eq "nothing written" "$(ls -d clash.oci clash.lock 2>/dev/null)" ""
cat >ghost.cpol <<'EOF'
policy "ghost" {
  include "sysfiles";
  directory "/srv" owner "app:ghosts";
  account "app" uid 1000;
}
EOF
expect_exit "an owner naming no group fails" 2 "$CPOLC" build ghost.cpol -C cat -o ghost.oci --lock ghost.lock
expect_eq "the error is at the directory statement" "$T_ERR" \
	"ghost.cpol:3:3: error: the owner 'app:ghosts' names group 'ghosts', which the image does not have (declare it with 'group') [account]"
cat >nouser.cpol <<'EOF'
policy "nouser" {
  include "sysfiles";
  user "www-data";
}
EOF
expect_exit "a user naming no account fails" 2 "$CPOLC" build nouser.cpol -C cat -o nouser.oci --lock nouser.lock
expect_match "... and says so" "$T_ERR" "the image's user 'www-data' is not an account of the image"

# ---- the from image's accounts count: its layers stacked -------------------------
cat >fbase.cpol <<'EOF'
policy "fbase" {
  include "sysfiles";
  account "web" uid 33;
  user "web";
}
EOF
cat >fapp.cpol <<'EOF'
policy "fapp" {
  from "fbase.oci:fbase";
  account "app" uid 1000;
  account "web" uid 33 home "/srv/web";
}
EOF
cat >fclash.cpol <<'EOF'
policy "fclash" {
  from "fbase.oci:fbase";
  account "www" uid 33;
}
EOF
expect_exit "build the from image" 0 "$CPOLC" build fbase.cpol -C cat -o fbase.oci --lock fbase.lock
expect_exit "build on it" 0 "$CPOLC" build fapp.cpol -C cat -o fapp.oci --lock fapp.lock
expect_eq "the from image's accounts (its top layer's passwd) merged" \
	"$(top_layer fapp.oci fapp | sed -n 's/^passwd: //p')" "root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
web:x:33:33::/srv/web:/usr/sbin/nologin
app:x:1000:1000::/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin"
expect_exit "verify the derived image" 0 "$CPOLC" verify --lock fapp.lock fapp.oci
expect_exit "a clash with the from image fails" 2 "$CPOLC" build fclash.cpol -C cat -o fclash.oci --lock fclash.lock
expect_match "... located, naming the from image's file" "$T_ERR" \
	"^fclash.cpol:3:3: error: user 'www' has uid 33, which user 'web' already has \\(at fbase.oci:fbase:/etc/passwd:3\\)"

# A from image whose upper layer deletes the lower layer's /etc/passwd (a
# whiteout) or empties /etc (an opaque directory): those entries are gone.
python3 - <<'PYEOF'
import hashlib, io, json, os, tarfile
def layout(name, layers):
    os.makedirs(name + '/blobs/sha256', exist_ok=True)
    def put(b):
        h = hashlib.sha256(b).hexdigest()
        open(name + '/blobs/sha256/' + h, 'wb').write(b)
        return 'sha256:' + h, len(b)
    descs, diffs = [], []
    for members in layers:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode='w', format=tarfile.PAX_FORMAT) as t:
            for path, data in members:
                ti = tarfile.TarInfo(path); ti.size = len(data); ti.mtime = 0
                t.addfile(ti, io.BytesIO(data))
        d, n = put(buf.getvalue())
        descs.append({'mediaType': 'application/vnd.oci.image.layer.v1.tar', 'digest': d, 'size': n})
        diffs.append(d)
    cfg = {'architecture': 'amd64', 'os': 'linux', 'config': {}, 'rootfs': {'type': 'layers', 'diff_ids': diffs}}
    cd, cn = put(json.dumps(cfg).encode())
    man = {'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.manifest.v1+json',
           'config': {'mediaType': 'application/vnd.oci.image.config.v1+json', 'digest': cd, 'size': cn},
           'layers': descs}
    md, mn = put(json.dumps(man).encode())
    json.dump({'schemaVersion': 2, 'manifests': [{'mediaType': 'application/vnd.oci.image.manifest.v1+json',
               'digest': md, 'size': mn, 'annotations': {'org.opencontainers.image.ref.name': 'x'}}]},
              open(name + '/index.json', 'w'))
    open(name + '/oci-layout', 'w').write('{"imageLayoutVersion": "1.0.0"}')
old = [('etc/passwd', b'old:x:7:7::/:/bin/sh\n'), ('etc/group', b'old:x:7:\n')]
layout('wh.oci', [old, [('etc/.wh.passwd', b''), ('etc/group', b'new:x:8:\n')]])
layout('opq.oci', [old, [('etc/.wh..wh..opq', b'')]])
layout('keep.oci', [old, [('etc/.wh.passwd.bak', b''), ('etc/other', b'x')]])
PYEOF
for l in wh opq keep; do
	printf 'policy "%s" {\n  from "%s.oci:x";\n  account "app" uid 1000;\n}\n' "$l" "$l" >"$l.cpol"
	expect_exit "build from the $l image" 0 "$CPOLC" build "$l.cpol" -o "$l-app.oci" --lock "$l.lock"
	top_layer "$l-app.oci" "$l" | sed -n 's/^\(passwd\|group\): //p' | tr '\n' ' ' >"$l.txt"
done
expect_eq "a whiteout deletes the lower /etc/passwd; the upper /etc/group counts" "$(cat wh.txt)" \
	"app:x:1000:1000::/nonexistent:/usr/sbin/nologin new:x:8: app:x:1000: "
expect_eq "an opaque /etc deletes both" "$(cat opq.txt)" \
	"app:x:1000:1000::/nonexistent:/usr/sbin/nologin app:x:1000: "
expect_eq "a whiteout of another name deletes nothing" "$(cat keep.txt)" \
	"old:x:7:7::/:/bin/sh app:x:1000:1000::/nonexistent:/usr/sbin/nologin old:x:7: app:x:1000: "

# ---- the container sees its account ------------------------------------------------
if need_tool runc && need_tool umoci && need_root "runc run as the declared account"; then
	expect_exit "bundle" 0 runc_bundle "$W/img.oci:img" "$W/bundle"
	ID=cpolc-accounts-$$
	expect_exit "runc run" 0 runc run -b "$W/bundle" "$ID"
	expect_eq "id names the account and its group; HOME from /etc/passwd; the home is writable" "$T_OUT" \
		"uid=65532(nonroot) gid=65532(nonroot)
/home/nonroot
wrote"
	runc delete -f "$ID" >/dev/null 2>&1
fi

echo "$T_FAILED failed"
[ "$T_FAILED" -eq 0 ]
