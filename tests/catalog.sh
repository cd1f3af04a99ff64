#!/bin/sh
# catalog.sh - end-to-end: catalog init/add/list/show/verify/set-scan/import-deb
# through the real binary, hostile archives, immutability, several catalogs.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
T=$T_TMP
C=$T/cat

# ---- init, add, list, show --------------------------------------------------
expect_exit "init" 0 "$CPOLC" catalog init "$C"
expect_exit "init twice fails" 2 "$CPOLC" catalog init "$C"
expect_eq "catalog.json" "$(cat "$C/catalog.json")" '{"cpolCatalog": 1}'
for sub in add import-deb set-scan list show verify init resolve reindex; do
	expect_exit "$sub --help" 0 "$CPOLC" catalog "$sub" --help
done
expect_exit "import-deb help says scripts are not run" 0 "$CPOLC" catalog import-deb --help
expect_match "import-deb help text" "$T_OUT" "Maintainer scripts .* NOT run"
expect_exit "no subcommand" 2 "$CPOLC" catalog
expect_exit "unknown subcommand" 2 "$CPOLC" catalog frobnicate "$C"

mkdir -p "$T/src/bin" "$T/src/etc"
printf '#!/bin/sh\necho app\n' >"$T/src/bin/app"
chmod 755 "$T/src/bin/app"
printf 'k=v\n' >"$T/src/etc/app.conf"
chmod 640 "$T/src/etc/app.conf"
ln -s app "$T/src/bin/app-link"
printf 'extra\n' >"$T/extra.txt"
expect_exit "add a directory and SRC=DEST" 0 "$CPOLC" catalog add "$C" --name app --version 1:1.0-1 \
	--depends 'libc6 (>= 2.34)' --provides 'web-server' --license MIT --platform linux/amd64 \
	"$T/src" "$T/extra.txt=/usr/share/app/extra.txt"
expect_exit "list" 0 "$CPOLC" catalog list "$C"
expect_match "list shows the primitive" "$T_OUT" "^app	1:1\.0-1	executable	linux/amd64	29	sha256:[0-9a-f]{64}$"
expect_exit "list json" 0 "$CPOLC" catalog list "$C" --format json
expect_match "list json has the name" "$T_OUT" '"name": "app"'
expect_exit "show" 0 "$CPOLC" catalog show "$C" app
expect_match "show has depends" "$T_OUT" '"libc6 \(>= 2.34\)"'
expect_match "show has platform" "$T_OUT" '"architecture": "amd64"'
expect_exit "show NAME@VERSION" 0 "$CPOLC" catalog show "$C" app@1:1.0-1
expect_exit "show a missing version" 2 "$CPOLC" catalog show "$C" app@9
expect_eq "version file name escapes ':'" "$(ls "$C/primitives/app")" "1%3a1.0-1.json"

digest=$(sed -n 's/.*"content": "sha256:\([0-9a-f]*\)".*/\1/p' "$C/primitives/app/1%3a1.0-1.json")
blob=$C/blobs/sha256/$digest
expect_eq "blob named by its digest" "$(sha256sum "$blob" | cut -d' ' -f1)" "$digest"
listing=$(tar tvf "$blob" | awk '{print $1, $2, $4, $5, $6}')
expect_eq "canonical tar" "$listing" "drwxr-xr-x 0/0 1970-01-01 00:00 bin/
-rwxr-xr-x 0/0 1970-01-01 00:00 bin/app
lrwxrwxrwx 0/0 1970-01-01 00:00 bin/app-link
drwxr-xr-x 0/0 1970-01-01 00:00 etc/
-rw-r----- 0/0 1970-01-01 00:00 etc/app.conf
drwxr-xr-x 0/0 1970-01-01 00:00 usr/
drwxr-xr-x 0/0 1970-01-01 00:00 usr/share/
drwxr-xr-x 0/0 1970-01-01 00:00 usr/share/app/
-rw-r--r-- 0/0 1970-01-01 00:00 usr/share/app/extra.txt"

# the same tree added elsewhere, under another umask, gives the same digest
"$CPOLC" catalog init "$T/c2" >/dev/null 2>&1
(umask 077 && "$CPOLC" catalog add "$T/c2" --name app --version 1:1.0-1 --depends 'libc6 (>= 2.34)' \
	--provides web-server --license MIT --platform linux/amd64 \
	"$T/src" "$T/extra.txt=/usr/share/app/extra.txt")
expect_eq "reproducible content" "$(ls "$T/c2/blobs/sha256")" "$digest"
expect_eq "reproducible metadata" "$(sha256sum <"$T/c2/primitives/app/1%3a1.0-1.json")" \
	"$(sha256sum <"$C/primitives/app/1%3a1.0-1.json")"

# long and non-ASCII names, the same whatever the locale
long=$(python3 -c 'print("/".join(["d" * 60] * 4))')
mkdir -p "$T/names/$long" && echo x >"$T/names/$long/f" && echo y >"$T/names/héllo wörld.txt"
"$CPOLC" catalog init "$T/c3" >/dev/null 2>&1
expect_exit "long and UTF-8 names" 0 env LC_ALL=C "$CPOLC" catalog add "$T/c3" --name names --version 1 "$T/names"
expect_exit "verify them" 0 "$CPOLC" catalog verify "$T/c3"
names=$(python3 -c 'import sys,tarfile; print("|".join(m.name for m in tarfile.open(sys.argv[1]) if m.isfile()))' "$T/c3/blobs/sha256/"*)
expect_eq "names kept" "$names" "$long/f|héllo wörld.txt"
mkdir -p "$T/badname" && echo z >"$T/badname/$(printf 'bad\377')"
expect_exit "a name that is not UTF-8 is refused" 2 "$CPOLC" catalog add "$T/c3" --name bad --version 1 "$T/badname"
expect_match "the bad name is reported" "$T_ERR" "not valid UTF-8"

# ---- immutability ------------------------------------------------------------
before=$(cat "$C/index")
expect_exit "same content again is a no-op" 0 "$CPOLC" catalog add "$C" --name app --version 1:1.0-1 \
	--depends 'libc6 (>= 2.34)' --provides web-server --license MIT --platform linux/amd64 \
	"$T/src" "$T/extra.txt=/usr/share/app/extra.txt"
echo changed >>"$T/src/etc/app.conf"
expect_exit "other content for the same version fails" 2 "$CPOLC" catalog add "$C" --name app \
	--version 1:1.0-1 "$T/src"
expect_match "immutability message" "$T_ERR" "already in the catalog with other content"
expect_eq "index unchanged" "$(cat "$C/index")" "$before"
expect_eq "one metadata file" "$(ls "$C/primitives/app" | wc -l)" 1
expect_exit "bad name" 2 "$CPOLC" catalog add "$C" --name App --version 1 "$T/src"
expect_exit "bad version" 2 "$CPOLC" catalog add "$C" --name app --version v1 "$T/src"
expect_exit "bad depends" 2 "$CPOLC" catalog add "$C" --name app --version 2 --depends 'libc6 (>= )' "$T/src"
expect_exit "missing path" 2 "$CPOLC" catalog add "$C" --name app --version 2 "$T/nope"
expect_exit "add to a directory that is not a catalog" 2 "$CPOLC" catalog add "$T/src" --name app --version 3 "$T/src"
expect_match "not a catalog" "$T_ERR" "catalog.json: error: cannot read catalog"
expect_exit "missing --version" 2 "$CPOLC" catalog add "$C" --name app "$T/src"

# ---- archives and hostile content ------------------------------------------
python3 - "$T" <<'PY'
import io, sys, tarfile
t = sys.argv[1]
def mk(name, members, fmt=tarfile.PAX_FORMAT, mode="w"):
    with tarfile.open(f"{t}/{name}", mode, format=fmt) as tf:
        for m in members:
            ti = tarfile.TarInfo(m[0]); ti.type = m[1]; ti.mode = m[2]
            data = m[3] if len(m) > 3 and m[3] is not None else b""
            if len(m) > 4: ti.linkname = m[4]
            ti.size = len(data) if ti.type == tarfile.REGTYPE else 0
            ti.mtime = 123456; ti.uid = 1000; ti.uname = "me"
            tf.addfile(ti, io.BytesIO(data) if ti.type == tarfile.REGTYPE else None)
R, D, L, H = tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE
mk("good.tar.gz", [("./usr/bin/tool", R, 0o755, b"tool\n"), ("./usr/lib/libt.so.1", R, 0o644, b"lib"),
                   ("./usr/lib/libt.so", L, 0o777, None, "libt.so.1"),
                   ("./usr/bin/tool2", H, 0o755, None, "./usr/bin/tool")], mode="w:gz")
mk("dotdot.tar", [("usr/../../etc/passwd", R, 0o644, b"x")])
mk("abs.tar", [("/etc/passwd", R, 0o644, b"x")])
mk("climb.tar", [("a/l", L, 0o777, None, "../../etc/shadow")])
mk("hard.tar", [("a", H, 0o644, None, "etc/passwd")])
mk("through.tar", [("lib", L, 0o777, None, "/usr/lib"), ("lib/evil.so", R, 0o644, b"x")])
mk("dev.tar", [("dev/sda", tarfile.BLKTYPE, 0o660)])
mk("fifo.tar", [("run/fifo", tarfile.FIFOTYPE, 0o644)])
mk("suid.tar", [("usr/bin/su", R, 0o4755, b"su")])
mk("abslink.tar", [("lib64/ld-linux-x86-64.so.2", L, 0o777, None, "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")])
PY
expect_exit "add a gzipped tar" 0 "$CPOLC" catalog add "$C" --name tool --version 1.0 "$T/good.tar.gz"
tdigest=$(sed -n 's/.*"content": "sha256:\([0-9a-f]*\)".*/\1/p' "$C/primitives/tool/1.0.json")
expect_eq "tar members normalised, owner and time reset" \
	"$(tar tvf "$C/blobs/sha256/$tdigest" | awk '{print $1, $2, $4, $6, $7, $8}')" \
	"drwxr-xr-x 0/0 1970-01-01 usr/  
drwxr-xr-x 0/0 1970-01-01 usr/bin/  
-rwxr-xr-x 0/0 1970-01-01 usr/bin/tool  
hrwxr-xr-x 0/0 1970-01-01 usr/bin/tool2 link to
drwxr-xr-x 0/0 1970-01-01 usr/lib/  
lrwxrwxrwx 0/0 1970-01-01 usr/lib/libt.so -> libt.so.1
-rw-r--r-- 0/0 1970-01-01 usr/lib/libt.so.1  "
printf '#mtree\n./etc/shadow type=file contents=/etc/passwd\n' >"$T/spec.mtree"
expect_exit "an mtree spec is a plain file" 0 "$CPOLC" catalog add "$C" --name spec --version 1 "$T/spec.mtree"
mdigest=$(sed -n 's/.*"content": "sha256:\([0-9a-f]*\)".*/\1/p' "$C/primitives/spec/1.json")
expect_eq "mtree not followed" "$(tar tf "$C/blobs/sha256/$mdigest")" "spec.mtree"
(cd "$T/src" && python3 -c 'import zipfile; z = zipfile.ZipFile("../app.zip", "w"); z.write("bin/app"); z.close()')
expect_exit "a zip archive is unpacked" 0 "$CPOLC" catalog add "$C" --name zipped --version 1 "$T/app.zip"
expect_exit "SRC=DEST keeps an archive as a file" 0 "$CPOLC" catalog add "$C" --name zipfile --version 1 "$T/app.zip=/opt/app.zip"
zd=$(sed -n 's/.*"content": "sha256:\([0-9a-f]*\)".*/\1/p' "$C/primitives/zipped/1.json")
zf=$(sed -n 's/.*"content": "sha256:\([0-9a-f]*\)".*/\1/p' "$C/primitives/zipfile/1.json")
expect_eq "zip members" "$(tar tf "$C/blobs/sha256/$zd")" "bin/
bin/app"
expect_eq "zip as a file" "$(tar tf "$C/blobs/sha256/$zf")" "opt/
opt/app.zip"
for case in "dotdot:usr/../../etc/passwd' climbs out" "abs:/etc/passwd' is an absolute path" \
	"climb:a/l' is a symlink whose target climbs above the root" \
	"hard:a' is a hardlink to a path the primitive does not hold" \
	"through:lib/evil.so' is written through a symlink" "dev:dev/sda' is a device node" \
	"fifo:run/fifo' is a device node, fifo or socket" "suid:usr/bin/su' is setuid or setgid"; do
	name=${case%%:*}
	expect_exit "hostile $name refused" 2 "$CPOLC" catalog add "$C" --name evil --version 1 "$T/$name.tar"
	expect_match "hostile $name names the member" "$T_ERR" "$name\.tar: error: refused: member '${case#*:}"
done
expect_eq "nothing of the hostile archives was added" "$(ls "$C/primitives" | grep -v '^ord$')" "app
spec
tool
zipfile
zipped"
expect_exit "setuid allowed by --allow" 0 "$CPOLC" catalog add "$C" --name su --version 1 --allow setuid "$T/suid.tar"
printf '{"allow": ["setuid"], "labels": {"team": "base"}, "resources": {"memory": 1024}}' >"$T/meta.json"
expect_exit "setuid allowed by metadata" 0 "$CPOLC" catalog add "$C" --name su2 --version 1 --meta "$T/meta.json" "$T/suid.tar"
expect_exit "absolute symlink targets are fine" 0 "$CPOLC" catalog add "$C" --name ld --version 1 "$T/abslink.tar"
printf '{"colour": "red"}' >"$T/bad-meta.json"
expect_exit "unknown metadata key refused" 2 "$CPOLC" catalog add "$C" --name x --version 1 --meta "$T/bad-meta.json" "$T/src"
expect_match "unknown key named" "$T_ERR" "unknown metadata key 'colour'"

for v in 1.9 1.10 1:0.1 2.0~rc1; do
	mkdir -p "$T/ord$v" && echo "$v" >"$T/ord$v/f"
	"$CPOLC" catalog add "$C" --name ord --version "$v" "$T/ord$v"
done
expect_exit "list in version order" 0 "$CPOLC" catalog list "$C"
expect_eq "highest version first" "$(echo "$T_OUT" | grep '^ord' | cut -f2 | tr '\n' ' ')" "1:0.1 2.0~rc1 1.10 1.9 "
expect_exit "show picks the highest version" 0 "$CPOLC" catalog show "$C" ord
expect_match "1:0.1 shown" "$T_OUT" '"version": "1:0.1"'

# ---- set-scan ----------------------------------------------------------------
printf '{"scanner": "grype", "date": "2026-11-01", "critical": 0, "high": 1, "cves": [{"id": "CVE-2024-0001", "severity": "high", "fixed": "1.1"}]}' >"$T/scan.json"
expect_exit "set-scan" 0 "$CPOLC" catalog set-scan "$C" tool 1.0 "$T/scan.json"
expect_exit "show after set-scan" 0 "$CPOLC" catalog show "$C" tool
expect_match "scan recorded" "$T_OUT" '"CVE-2024-0001"'
expect_exit "set-scan on a missing primitive" 2 "$CPOLC" catalog set-scan "$C" tool 9.9 "$T/scan.json"
printf '{"critical": "many"}' >"$T/bad-scan.json"
expect_exit "bad scan refused" 2 "$CPOLC" catalog set-scan "$C" tool 1.0 "$T/bad-scan.json"
expect_eq "content unchanged by set-scan" \
	"$(sed -n 's/.*"content": "sha256:\([0-9a-f]*\)".*/\1/p' "$C/primitives/tool/1.0.json")" "$tdigest"

# ---- verify and tampering -------------------------------------------------------
expect_exit "verify a good catalog" 0 "$CPOLC" catalog verify "$C"
expect_exit "verify a directory that is not a catalog" 2 "$CPOLC" catalog verify "$T/src"
cp -r "$C" "$T/tampered"
chmod u+w "$T/tampered/blobs/sha256/$digest"
printf 'X' | dd of="$T/tampered/blobs/sha256/$digest" bs=1 seek=700 conv=notrunc 2>/dev/null
expect_exit "verify finds a changed blob" 4 "$CPOLC" catalog verify "$T/tampered"
expect_match "the blob mismatch is reported" "$T_ERR" "blob of 'app@1:1.0-1' has digest sha256:[0-9a-f]{64}, expected sha256:$digest"
expect_exit "resolving still works on metadata" 0 "$CPOLC" catalog resolve -C "$T/tampered" tool
sed -i 's/"MIT"/"GPL-3.0-only"/' "$T/tampered/primitives/app/1%3a1.0-1.json"
expect_exit "verify finds edited metadata" 4 "$CPOLC" catalog verify "$T/tampered"
expect_match "the index mismatch is reported" "$T_ERR" "index entry of 'app@1:1.0-1' does not match its metadata file"
expect_exit "show refuses edited metadata" 2 "$CPOLC" catalog show "$T/tampered" app
expect_match "show names the digest mismatch" "$T_ERR" "does not match the index"
rm "$T/tampered/primitives/su/1.json"
expect_exit "verify finds a missing metadata file" 4 "$CPOLC" catalog verify "$T/tampered"
expect_match "the missing file is reported" "$T_ERR" "'su@1' is in the index but has no metadata file"
expect_exit "reindex" 0 "$CPOLC" catalog reindex "$T/tampered"
rm "$T/tampered/blobs/sha256/$digest"
expect_exit "verify finds a missing blob" 4 "$CPOLC" catalog verify "$T/tampered"

# ---- several catalogs ------------------------------------------------------------
A=$T/ca B=$T/cb
"$CPOLC" catalog init "$A" && "$CPOLC" catalog init "$B"
mkdir -p "$T/v1" "$T/v2" && echo one >"$T/v1/f" && echo two >"$T/v2/f"
"$CPOLC" catalog add "$A" --name lib --version 1 "$T/v1"
"$CPOLC" catalog add "$B" --name lib --version 2 "$T/v2"
"$CPOLC" catalog add "$B" --name lib --version 1 "$T/v1"
"$CPOLC" catalog add "$B" --name top --version 1 --depends 'lib (<< 2)' "$T/v2"
expect_exit "resolve across catalogs" 0 "$CPOLC" catalog resolve -C "$A" -C "$B" top
expect_eq "the constraint picks lib 1" "$T_OUT" "lib	1	dependency of top
top	1	include at <command line>:top"
expect_exit "highest version from any catalog" 0 "$CPOLC" catalog resolve -C "$A" -C "$B" lib
expect_eq "lib 2 from the second catalog" "$(echo "$T_OUT" | cut -f1,2)" "lib	2"
"$CPOLC" catalog add "$A" --name dup --version 1 "$T/v1"
"$CPOLC" catalog add "$B" --name dup --version 1 "$T/v2"
expect_exit "same version with two digests" 2 "$CPOLC" catalog resolve -C "$A" -C "$B" lib
expect_match "the error names both catalogs" "$T_ERR" "'dup' version '1' has content sha256:[0-9a-f]+ in catalog '$A' but sha256:[0-9a-f]+ in catalog '$B'"

# ---- concurrent adds keep the index whole ------------------------------------
P=$T/par
"$CPOLC" catalog init "$P"
for i in 1 2 3 4 5 6 7 8; do
	mkdir -p "$T/p$i" && echo "$i" >"$T/p$i/f"
	"$CPOLC" catalog add "$P" --name "p$i" --version 1 "$T/p$i" &
done
wait
expect_eq "eight primitives indexed" "$(($(wc -l <"$P/index") - 1))" 8
expect_exit "verify after concurrent adds" 0 "$CPOLC" catalog verify "$P"
expect_eq "no temporary files left" "$(ls -A "$P/blobs/sha256" | grep -c '^\.')" 0

# ---- packages built here with dpkg-deb: every compression, folded fields ------
if need_tool dpkg-deb; then
	Z=$T/zdeb
	mkdir -p "$Z/pkg/DEBIAN" "$Z/pkg/usr/bin"
	printf 'Package: ztest\nVersion: 1:1.0-1\nArchitecture: all\nMaintainer: x <x@example.org>\nDescription: test\n more\nDepends: libc6 (>= 2.34),\n hello\nPre-Depends: dpkg (>= 1.19)\nInstalled-Size: 12\n' >"$Z/pkg/DEBIAN/control"
	printf '#!/bin/sh\nexit 1\n' >"$Z/pkg/DEBIAN/postinst"
	chmod 755 "$Z/pkg/DEBIAN/postinst"
	echo hi >"$Z/pkg/usr/bin/z" && chmod 755 "$Z/pkg/usr/bin/z"
	"$CPOLC" catalog init "$Z/cat"
	for comp in zstd xz gzip none; do
		dpkg-deb --root-owner-group -Z"$comp" --build "$Z/pkg" "$Z/$comp.deb" >/dev/null
		expect_exit "import a $comp deb" 0 "$CPOLC" catalog import-deb "$Z/cat" "$Z/$comp.deb"
	done
	# one content blob and one package data blob (control file, scripts, md5sums)
	expect_eq "one primitive for four compressions" "$(ls "$Z/cat/blobs/sha256" | wc -l)" 2
	expect_exit "show ztest" 0 "$CPOLC" catalog show "$Z/cat" ztest
	expect_match "Pre-Depends first, folded Depends merged" "$(printf '%s' "$T_OUT" | tr -d ' \n')" \
		'"depends":\["dpkg\(>=1.19\)","libc6\(>=2.34\)","hello"\]'
	expect_eq "no platform for Architecture: all" "$(printf '%s' "$T_OUT" | grep -c platform)" 0
	expect_eq "the version file name" "$(ls "$Z/cat/primitives/ztest")" "1%3a1.0-1.json"
fi

# ---- real Debian packages --------------------------------------------------------
DEBS=$CPOLC_SRCDIR/tests/fixtures/debs
if ! ls "$DEBS"/hello_*.deb "$DEBS"/libc6_*.deb "$DEBS"/libgcc-s1_*.deb "$DEBS"/gcc-12-base_*.deb >/dev/null 2>&1; then
	if [ "${CI:-}" = true ]; then
		t_fail "debian fixtures present" "run tests/fetch-fixtures.sh"
	else
		echo "ok # SKIP debian fixtures missing (run tests/fetch-fixtures.sh)"
	fi
	exit "$T_FAILED"
fi
D=$T/debs
"$CPOLC" catalog init "$D"
expect_exit "import-deb" 0 "$CPOLC" catalog import-deb "$D" "$DEBS"/hello_*.deb "$DEBS"/libc6_*.deb \
	"$DEBS"/libgcc-s1_*.deb "$DEBS"/gcc-12-base_*.deb
expect_exit "import-deb again is a no-op" 0 "$CPOLC" catalog import-deb "$D" "$DEBS"/hello_*.deb
expect_exit "list debs" 0 "$CPOLC" catalog list "$D"
expect_eq "names, kinds and platforms" "$(echo "$T_OUT" | cut -f1,3,4)" "gcc-12-base	executable	linux/amd64
hello	executable	linux/amd64
libc6	library	linux/amd64
libgcc-s1	library	linux/amd64"
expect_exit "show libgcc-s1" 0 "$CPOLC" catalog show "$D" libgcc-s1
expect_match "versioned provides" "$T_OUT" '"libgcc1 \(= 1:12\.2\.0-14(\+deb12u[0-9]+)?\)"'
expect_match "installed size kept" "$T_OUT" '"installed_size": [0-9]+'
expect_exit "show hello" 0 "$CPOLC" catalog show "$D" hello
expect_match "conflicts kept" "$T_OUT" '"hello-traditional"'
expect_match "breaks kept" "$T_OUT" '"hello-debhelper \(<< 2\.9\)"'
hd=$(sed -n 's/.*"content": "sha256:\([0-9a-f]*\)".*/\1/p' "$D/primitives/hello/"*.json)
expect_match "data.tar paths normalised" "$(tar tf "$D/blobs/sha256/$hd")" "^usr/bin/hello$"
want=$(dpkg-deb --fsys-tarfile "$DEBS"/hello_*.deb 2>/dev/null | tar xO ./usr/bin/hello 2>/dev/null | sha256sum)
if [ -n "$want" ] && command -v dpkg-deb >/dev/null; then
	expect_eq "file content kept" "$(tar xOf "$D/blobs/sha256/$hd" usr/bin/hello | sha256sum)" "$want"
fi
ld=$(sed -n 's/.*"content": "sha256:\([0-9a-f]*\)".*/\1/p' "$D/primitives/libc6/"*.json)
expect_match "libc6 keeps its absolute symlink" "$(tar tvf "$D/blobs/sha256/$ld")" "lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
expect_exit "resolve hello" 0 "$CPOLC" catalog resolve -C "$D" hello
expect_eq "hello pulls in libc6, libgcc-s1 and gcc-12-base, dependencies first" "$(echo "$T_OUT" | cut -f1,3)" \
	"gcc-12-base	dependency of libgcc-s1
libc6	dependency of hello
libgcc-s1	dependency of libc6
hello	include at <command line>:hello"
expect_exit "resolve hello as json" 0 "$CPOLC" catalog resolve -C "$D" --format json hello
edges=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; print(" ".join(e["from"]+">"+e["to"] for e in json.load(sys.stdin)["edges"]))')
expect_eq "the libc6 <-> libgcc-s1 cycle" "$edges" "hello>libc6 libc6>libgcc-s1 libgcc-s1>gcc-12-base libgcc-s1>libc6"
expect_exit "verify the deb catalog" 0 "$CPOLC" catalog verify "$D"
expect_exit "resolve for arm64 fails" 3 "$CPOLC" catalog resolve -C "$D" --platform linux/arm64 hello
expect_match "platform rejection noted" "$T_ERR" "is for linux/amd64, not linux/arm64"
printf 'not a deb' >"$T/bad.deb"
expect_exit "a non-deb is refused" 2 "$CPOLC" catalog import-deb "$D" "$T/bad.deb"
# --- the bounds of an import, from the command line ----------------------------
bomb=$CPOLC_SRCDIR/tests/hostile/deb/bomb.deb
"$CPOLC" catalog init "$T_TMP/bombcat" >/dev/null
expect_exit "a .deb that expands 30,000 times is refused" 2 "$CPOLC" catalog import-deb "$T_TMP/bombcat" "$bomb"
expect_match "at the ratio bound" "$T_ERR" 'ratio limit'
expect_exit "with --max-ratio raised, --max-size stops it" 2 "$CPOLC" catalog import-deb "$T_TMP/bombcat" \
	--max-ratio 1000000 --max-size 100MiB "$bomb"
expect_match "at the size bound" "$T_ERR" 'size limit|more than'
expect_eq "nothing was added" "$("$CPOLC" catalog list "$T_TMP/bombcat")" ""
expect_exit "--max-ratio 0 is no ratio" 2 "$CPOLC" catalog import-deb "$T_TMP/bombcat" --max-ratio 0 "$bomb"

exit "$T_FAILED"
