#!/bin/sh
# dpkgdb.sh - the package database every image of .deb primitives carries:
# /var/lib/dpkg/status.d/NAME (the control stanza, installed) and NAME.md5sums
# as distroless lays them out, and with dpkg selected a status file and
# info/NAME.list that the host's dpkg-query reads. Real Debian packages
# (tests/fetch-fixtures.sh) and a dpkg made here with dpkg-deb.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

W=$T_TMP
cd "$W" || exit 1
unset SOURCE_DATE_EPOCH CPOL_PATH
export CPOLC_CACHE="$W/cache"

need_tool python3 || exit 0
need_tool dpkg-deb || exit 0
need_debs || exit 0

# rootfs LAYOUT DIR: the layers of LAYOUT's image applied in order into DIR.
rootfs() {
	rm -rf "$2" && mkdir -p "$2"
	python3 - "$1" "$2" <<'EOF'
import json, sys, tarfile
d, out = sys.argv[1], sys.argv[2]
m = json.load(open(d + '/index.json'))['manifests'][0]
man = json.load(open(d + '/blobs/sha256/' + m['digest'][7:]))
for l in man['layers']:
    with tarfile.open(d + '/blobs/sha256/' + l['digest'][7:]) as t:
        t.extractall(out, filter='tar' if hasattr(tarfile, 'data_filter') else None)
EOF
}

"$CPOLC" catalog init cat
expect_exit "import the hello closure" 0 "$CPOLC" catalog import-deb cat "$CPOLC_DEBS"/hello_*.deb \
	"$CPOLC_DEBS"/libc6_*.deb "$CPOLC_DEBS"/libgcc-s1_*.deb "$CPOLC_DEBS"/gcc-12-base_*.deb
printf 'policy "h" {\n  platform "linux/amd64";\n  include "hello";\n}\n' >h.cpol
expect_exit "build hello" 0 "$CPOLC" build h.cpol -C cat -o h.oci
rootfs h.oci r
expect_eq "a stanza and md5sums per package, no status without dpkg" \
	"$(cd r/var/lib/dpkg && find . -type f | sort | tr '\n' ' ')" \
	"./status.d/gcc-12-base ./status.d/gcc-12-base.md5sums ./status.d/hello ./status.d/hello.md5sums ./status.d/libc6 ./status.d/libc6.md5sums ./status.d/libgcc-s1 ./status.d/libgcc-s1.md5sums "

# Each stanza parses as Debian control data: Package first, Status second,
# and every other field is the .deb's control field, value for value.
for deb in "$CPOLC_DEBS"/hello_*.deb "$CPOLC_DEBS"/libc6_*.deb "$CPOLC_DEBS"/libgcc-s1_*.deb \
	"$CPOLC_DEBS"/gcc-12-base_*.deb; do
	p=$(dpkg-deb -f "$deb" Package)
	dpkg-deb -f "$deb" >"ctl-$p"
	expect_eq "$p: the stanza is the control file, installed" "$(python3 - "r/var/lib/dpkg/status.d/$p" "ctl-$p" <<'EOF'
import sys
def parse(path):
    fields, order, cur = {}, [], None
    text = open(path, encoding='utf-8').read()
    assert text.endswith('\n') and '\n\n' not in text, 'one paragraph'
    for line in text.splitlines():
        if line[:1] in (' ', '\t'):
            fields[cur] += '\n' + line
        else:
            cur, _, v = line.partition(':')
            assert cur and _ and cur not in fields, line
            fields[cur] = v.strip()
            order.append(cur)
    return fields, order
st, order = parse(sys.argv[1])
ctl, _ = parse(sys.argv[2])
assert order[:2] == ['Package', 'Status'], order
assert st.pop('Status') == 'install ok installed'
print('same' if st == ctl else 'differ: %r' % set(st.items()) ^ set(ctl.items()))
EOF
)" same
	dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./md5sums >"md5-$p"
	expect_exit "$p: md5sums as the .deb has them" 0 cmp "md5-$p" "r/var/lib/dpkg/status.d/$p.md5sums"
done
(cd r && md5sum -c --quiet ../md5-hello) >/dev/null 2>&1
expect_eq "the md5sums match the image's files" $? 0

# Reproducible: another build elsewhere, cold cache, same digest; verify passes.
d1=$(manifest_digest h.oci)
rm -rf "$W/cache"
expect_exit "build again" 0 "$CPOLC" build h.cpol -C cat -o h2.oci --lock h2.lock
expect_eq "same image digest" "$(manifest_digest h2.oci)" "$d1"
expect_exit "verify" 0 "$CPOLC" verify --lock h.lock h.oci

# A policy's own file at a database path wins.
printf 'policy "h" {\n  platform "linux/amd64";\n  include "hello";\n  file "/var/lib/dpkg/status.d/hello" = "mine\\n";\n}\n' >own.cpol
expect_exit "build with a file of its own" 0 "$CPOLC" build own.cpol -C cat -o own.oci
rootfs own.oci o
expect_eq "the policy's file is kept" "$(cat o/var/lib/dpkg/status.d/hello)" mine

# Primitives not from a .deb have no stanza.
mkdir -p src && echo hi >src/f
"$CPOLC" catalog add cat --name plain --version 1 src/f=/etc/plain >/dev/null
printf 'policy "p" {\n  platform "linux/amd64";\n  include "plain";\n}\n' >p.cpol
expect_exit "build a plain primitive" 0 "$CPOLC" build p.cpol -C cat -o p.oci
rootfs p.oci pr
expect_eq "no database for no .deb" "$(ls pr/var 2>&1 | head -1)" "ls: cannot access 'pr/var': No such file or directory"

# ---- with dpkg selected: status and info/NAME.list, read by dpkg-query ---------
if need_tool dpkg-query; then
	mkdir -p dpkg/DEBIAN dpkg/usr/bin
	printf 'Package: dpkg\nVersion: 1.21.22\nArchitecture: amd64\nMaintainer: x <x@example.org>\nDescription: stand-in\n' \
		>dpkg/DEBIAN/control
	printf '#!/bin/sh\n' >dpkg/usr/bin/dpkg && chmod 755 dpkg/usr/bin/dpkg
	dpkg-deb --root-owner-group --build dpkg dpkg.deb >/dev/null
	"$CPOLC" catalog import-deb cat dpkg.deb >/dev/null
	printf 'policy "d" {\n  platform "linux/amd64";\n  include "hello";\n  include "dpkg";\n}\n' >d.cpol
	expect_exit "build hello and dpkg" 0 "$CPOLC" build d.cpol -C cat -o d.oci
	rootfs d.oci dr
	expect_eq "dpkg-query lists the selected set, installed" \
		"$(dpkg-query --admindir=dr/var/lib/dpkg -W -f '${Package} ${Status}\n' | sort | tr '\n' ',')" \
		"dpkg install ok installed,gcc-12-base install ok installed,hello install ok installed,libc6 install ok installed,libgcc-s1 install ok installed,"
	expect_match "dpkg-query -L reads info/hello.list" \
		"$(dpkg-query --admindir=dr/var/lib/dpkg -L hello)" '^/usr/bin/hello$'
	expect_eq "status is sorted by name" "$(grep '^Package:' dr/var/lib/dpkg/status | tr '\n' ' ')" \
		"Package: dpkg Package: gcc-12-base Package: hello Package: libc6 Package: libgcc-s1 "
fi

t_cleanup
