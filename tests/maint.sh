#!/bin/sh
# maint.sh - what maintainer scripts would have made, made without running
# them: update-alternatives links, the CA bundle and OpenSSL's hashed links
# (checked with the openssl command line), and a warning naming each
# package and command that is not reproduced (doc/cpolc.1, "Maintainer
# scripts"). Packages made here with dpkg-deb, certificates with openssl.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

W=$T_TMP
cd "$W" || exit 1
unset SOURCE_DATE_EPOCH CPOL_PATH
export CPOLC_CACHE="$W/cache"

need_tool python3 || exit 0
need_tool dpkg-deb || exit 0
need_tool openssl || exit 0

# rootfs LAYOUT DIR: the layers of LAYOUT's image applied in order into DIR.
rootfs() {
	rm -rf "$2" && mkdir -p "$2"
	python3 - "$1" "$2" <<'EOF'
import json, sys, tarfile
d, out = sys.argv[1], sys.argv[2]
m = [m for m in json.load(open(d + '/index.json'))['manifests'] if 'artifactType' not in m][0]
man = json.load(open(d + '/blobs/sha256/' + m['digest'][7:]))
for l in man['layers']:
    with tarfile.open(d + '/blobs/sha256/' + l['digest'][7:]) as t:
        t.extractall(out, filter='tar' if hasattr(tarfile, 'data_filter') else None)
EOF
}

# mkdeb NAME VERSION POSTINST [FILE=CONTENT]...: NAME_VERSION.deb with that
# postinst (a file of this directory, or "" for none) and files.
mkdeb() {
	n=$1 v=$2 post=$3
	shift 3
	rm -rf "pkg-$n" && mkdir -p "pkg-$n/DEBIAN"
	printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: test\n' \
		"$n" "$v" >"pkg-$n/DEBIAN/control"
	if [ -n "$post" ]; then cp "$post" "pkg-$n/DEBIAN/postinst" && chmod 755 "pkg-$n/DEBIAN/postinst"; fi
	for fc in "$@"; do
		f=${fc%%=*}
		mkdir -p "pkg-$n/$(dirname "$f")"
		if [ -f "${fc#*=}" ]; then cp "${fc#*=}" "pkg-$n/$f"; else printf '%s\n' "${fc#*=}" >"pkg-$n/$f"; fi
	done
	dpkg-deb --root-owner-group --build "pkg-$n" "${n}_$v.deb" >/dev/null
	"$CPOLC" catalog import-deb cat "${n}_$v.deb" >/dev/null
}

"$CPOLC" catalog init cat >/dev/null

# ---- update-alternatives: the highest priority wins, slaves follow ------------
cat >post-a <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
	update-alternatives --install /usr/bin/edit edit /usr/bin/edit-a 10 \
		--slave /usr/share/man/man1/edit.1 edit.1 /usr/share/man/man1/edit-a.1
fi
#DEBHELPER#
exit 0
EOF
sed 's/edit-a/edit-b/g; s/ 10 / 20 /' post-a >post-b
mkdeb edit-a 1 post-a usr/bin/edit-a=a usr/share/man/man1/edit-a.1=ma
mkdeb edit-b 1 post-b usr/bin/edit-b=b usr/share/man/man1/edit-b.1=mb
printf 'policy "alt" {\n  platform "linux/amd64";\n  include "edit-a";\n  include "edit-b";\n}\n' >alt.cpol
expect_exit "build two alternatives" 0 "$CPOLC" build -q alt.cpol -C cat -o alt.oci
expect_eq "no warning for update-alternatives --install" "$T_ERR" ""
rootfs alt.oci r
expect_eq "the link chain names the higher priority" \
	"$(readlink r/usr/bin/edit) $(readlink r/etc/alternatives/edit)" "/etc/alternatives/edit /usr/bin/edit-b"
expect_eq "its slave follows" "$(readlink r/usr/share/man/man1/edit.1) $(readlink r/etc/alternatives/edit.1)" \
	"/etc/alternatives/edit.1 /usr/share/man/man1/edit-b.1"
expect_eq "the alternatives database lists both choices, as update-alternatives keeps it" \
	"$(cat r/var/lib/dpkg/alternatives/edit)" "auto
/usr/bin/edit
edit.1
/usr/share/man/man1/edit.1

/usr/bin/edit-a
10
/usr/share/man/man1/edit-a.1
/usr/bin/edit-b
20
/usr/share/man/man1/edit-b.1"
if need_tool update-alternatives; then
	# the real tool reads it, with the rootfs as its root
	expect_exit "update-alternatives reads the database" 0 update-alternatives --root "$PWD/r" --query edit
	expect_match "as auto mode, the link and its slave" "$T_OUT" \
		"^Name: edit
Link: /usr/bin/edit
Slaves:
 edit.1 /usr/share/man/man1/edit.1
Status: auto"
	expect_match "both choices with their priorities and slaves" "$(printf '%s\n' "$T_OUT" | grep -A4 '^Alternative:' | tr '\n' ' ')" \
		"Alternative: /usr/bin/edit-a Priority: 10 Slaves:  edit.1 /usr/share/man/man1/edit-a.1 .*Alternative: /usr/bin/edit-b Priority: 20 Slaves:  edit.1 /usr/share/man/man1/edit-b.1"
fi
printf 'policy "alt1" {\n  platform "linux/amd64";\n  include "edit-a";\n}\n' >alt1.cpol
expect_exit "build one alternative" 0 "$CPOLC" build alt1.cpol -C cat -o alt1.oci
rootfs alt1.oci r1
expect_eq "alone, the lower priority is the choice" "$(readlink r1/etc/alternatives/edit)" /usr/bin/edit-a

# ---- warnings: the commands of the branches that run at install ---------------
cat >post-w <<'EOF'
#!/bin/sh
set -e
case "$1" in
    configure)
	mkdir -p /var/lib/w
	chown nobody /var/lib/w # a comment; rm -rf /
	echo "x" > /etc/w.conf
	adduser --system --group --home /var/lib/w wuser >/dev/null
	if [ -x /usr/bin/foo ] && command -v foo >/dev/null 2>&1; then foo --init; fi
	cat >/dev/null <<-EOF
	rm -rf / (a here-document is data)
	EOF
	;;
    abort-upgrade|abort-remove)
	rm -rf /var/lib/w
	;;
esac
deb-systemd-helper enable w.service >/dev/null || true
ldconfig
exit 0
EOF
mkdeb wpkg 1 post-w usr/bin/w=w
printf 'policy "w" {\n  platform "linux/amd64";\n  include "wpkg";\n}\n' >w.cpol
expect_exit "build with a script that does more" 0 "$CPOLC" build -q w.cpol -C cat -o w.oci
expect_eq "one warning naming the package and each command not reproduced" "$T_ERR" \
	"cpolc: warning: the maintainer scripts of 'wpkg' would run what cpolc does not reproduce: mkdir, chown, output to /etc/w.conf, foo [maint-script]"
expect_exit "lint -C reports it too" 0 "$CPOLC" lint w.cpol -C cat
expect_eq "... at the include that selects the package" "$(printf '%s\n' "$T_ERR" | grep maint-script)" \
	"w.cpol:3:3: warning: the maintainer scripts of 'wpkg' would run what cpolc does not reproduce: mkdir, chown, output to /etc/w.conf, foo [maint-script]"
rootfs w.oci wr
expect_eq "adduser --system --group: a system user and its group" \
	"$(grep '^wuser:' wr/etc/passwd) $(grep '^wuser:' wr/etc/group)" \
	"wuser:x:100:100::/var/lib/w:/usr/sbin/nologin wuser:x:100:"
printf '#!/bin/sh\nset -e\nif [ "$1" = configure ]; then\n\taddgroup --system --quiet wgroup\n\tadduser --system --no-create-home wd\n\tuseradd -r -s /bin/false -d /srv/u ru\nfi\n' >post-w2
mkdeb wpkg2 1 post-w2 usr/bin/w2=w
printf 'policy "w2" {\n  platform "linux/amd64";\n  include "wpkg";\n  include "wpkg2";\n}\n' >w2.cpol
expect_exit "build two packages that add accounts" 0 "$CPOLC" build -q w2.cpol -C cat -o w2.oci
rootfs w2.oci w2r
expect_eq "the next free ids, nogroup for a user without a group, useradd's own group" \
	"$(grep -v '^root:' w2r/etc/passwd | tr '\n' ' ')|$(grep -v '^root:' w2r/etc/group | tr '\n' ' ')" \
	"wuser:x:100:100::/var/lib/w:/usr/sbin/nologin wd:x:101:65534::/nonexistent:/usr/sbin/nologin ru:x:102:102::/srv/u:/bin/false |wuser:x:100: wgroup:x:101: ru:x:102: nogroup:x:65534: "

# ---- the CA bundle: ca-certificates.conf's choice, then local certificates ----
mkca() { # mkca NAME: a self-signed CA NAME.crt and its key
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.crt" -days 3650 \
		-subj "/CN=$1 test CA" >/dev/null 2>&1
}
for c in alpha beta gamma local; do mkca "$c"; done
printf '#!/bin/sh\nset -e\nif [ "$1" = configure ]; then\n\tupdate-ca-certificates\nfi\n' >post-ca
printf '# comment\nmozilla/beta.crt\n!mozilla/gamma.crt\nmozilla/alpha.crt\nmozilla/beta.crt\n' >ca.conf
mkdeb ca-certificates 1 post-ca usr/share/ca-certificates/mozilla/alpha.crt=alpha.crt \
	usr/share/ca-certificates/mozilla/beta.crt=beta.crt usr/share/ca-certificates/mozilla/gamma.crt=gamma.crt
mkdeb ca-conf 1 "" etc/ca-certificates.conf=ca.conf
mkdir -p lsrc && cp local.crt lsrc/
"$CPOLC" catalog add cat --name local-ca --version 1 lsrc/local.crt=/usr/local/share/ca-certificates/local.crt >/dev/null
printf 'policy "ca" {\n  platform "linux/amd64";\n  include "ca-certificates";\n  include "ca-conf";\n  include "local-ca";\n}\n' >ca.cpol
expect_exit "build ca-certificates and a local CA" 0 "$CPOLC" build -q ca.cpol -C cat -o ca.oci
expect_eq "update-ca-certificates is reproduced" "$T_ERR" ""
rootfs ca.oci c
cat beta.crt alpha.crt local.crt >want.crt
expect_exit "the bundle: the conf's certificates in its order, then the local one" 0 \
	cmp c/etc/ssl/certs/ca-certificates.crt want.crt
expect_exit "the shipped conf is kept" 0 cmp c/etc/ca-certificates.conf ca.conf
expect_eq "a deselected certificate gets no links" \
	"$(ls c/etc/ssl/certs | grep -c "gamma\|$(openssl x509 -noout -subject_hash -in gamma.crt)")" 0
for c in alpha beta; do
	h=$(openssl x509 -noout -subject_hash -in $c.crt)
	expect_eq "$c: HASH.0 -> $c.pem -> the shipped file" \
		"$(readlink "c/etc/ssl/certs/$h.0") $(readlink "c/etc/ssl/certs/$c.pem")" \
		"$c.pem /usr/share/ca-certificates/mozilla/$c.crt"
done
h=$(openssl x509 -noout -subject_hash -in local.crt)
expect_eq "the local CA's links" "$(readlink "c/etc/ssl/certs/$h.0") $(readlink c/etc/ssl/certs/local.pem)" \
	"local.pem /usr/local/share/ca-certificates/local.crt"
# OpenSSL finds a leaf's issuer through the hashed links (CApath), inside the root
openssl req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj /CN=leaf >/dev/null 2>&1
openssl x509 -req -in leaf.csr -CA local.crt -CAkey local.key -CAcreateserial -out leaf.crt -days 30 >/dev/null 2>&1
python3 - c <<'EOF'
import os, sys
root = sys.argv[1]
d = os.path.join(root, 'etc/ssl/certs')
os.makedirs('capath', exist_ok=True)
for n in os.listdir(d):  # copy each link's final target, resolved inside the root
    p = os.path.join(d, n)
    while os.path.islink(p):
        t = os.readlink(p)
        p = os.path.join(root, t.lstrip('/')) if t.startswith('/') else os.path.join(os.path.dirname(p), t)
    open(os.path.join('capath', n), 'wb').write(open(p, 'rb').read())
EOF
expect_exit "openssl verify -CApath the image's links" 0 openssl verify -CApath capath -no-CAfile leaf.crt
expect_exit "openssl verify -CAfile the image's bundle" 0 openssl verify -CAfile c/etc/ssl/certs/ca-certificates.crt leaf.crt

# Without a conf, every certificate is enabled, and the conf is written.
printf 'policy "ca2" {\n  platform "linux/amd64";\n  include "ca-certificates";\n}\n' >ca2.cpol
expect_exit "build ca-certificates alone" 0 "$CPOLC" build ca2.cpol -C cat -o ca2.oci
rootfs ca2.oci c2
cat alpha.crt beta.crt gamma.crt >want2.crt
expect_exit "all three, in name order" 0 cmp c2/etc/ssl/certs/ca-certificates.crt want2.crt
expect_eq "the conf enables them all" "$(grep -v '^#' c2/etc/ca-certificates.conf | tr '\n' ' ')" \
	"mozilla/alpha.crt mozilla/beta.crt mozilla/gamma.crt "
d1=$(manifest_digest ca2.oci)
rm -rf "$W/cache"
"$CPOLC" build ca2.cpol -C cat -o ca3.oci --lock ca3.lock 2>/dev/null
expect_eq "reproducible" "$(manifest_digest ca3.oci)" "$d1"
expect_exit "verify derives the generated layer" 0 "$CPOLC" verify --lock ca3.lock ca3.oci

t_cleanup
