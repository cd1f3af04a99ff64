#!/bin/sh
# apt.sh - catalog import-apt end to end against a signed apt repository
# built here (dpkg-deb, dpkg-scanpackages, a throwaway gpg key), served
# over file:// and by an HTTP server on 127.0.0.1: import, resolve, build,
# content on demand (fetched once, resumed, --offline), refresh and
# --locked; then a tampered InRelease, Packages and .deb, an expired
# Valid-Until, a wrong key and a rebuilt version, each refused with its own
# message and nothing kept.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

W=$T_TMP
cd "$W" || exit 1
unset SOURCE_DATE_EPOCH CPOL_PATH http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
CPOLC_CACHE=$W/layer-cache
export CPOLC_CACHE

for t in gpg gpgv dpkg-deb dpkg-scanpackages python3 xz gzip; do
	need_tool "$t" || exit 0
done

# ---- keys: a good one and a wrong one -----------------------------------------------
mkkey() { # mkkey NAME: a signing key in $W/NAME.gnupg, its public keyring $W/NAME.gpg
	mkdir -m 700 "$W/$1.gnupg"
	GNUPGHOME=$W/$1.gnupg gpg --batch --quiet --passphrase '' --quick-gen-key "cpolc test $1" ed25519 sign never \
		2>/dev/null || return 1
	GNUPGHOME=$W/$1.gnupg gpg --batch --quiet --export >"$W/$1.gpg"
}
expect_exit "a throwaway signing key" 0 mkkey good
expect_exit "a second key" 0 mkkey wrong

# ---- packages -------------------------------------------------------------------------
# mkdeb DIR NAME VERSION ARCH DEPENDS PROVIDES: a .deb with /usr/share/NAME/version
mkdeb() {
	local root="$W/build/$2-$3"
	rm -rf "$root"
	mkdir -p "$root/DEBIAN" "$root/usr/share/$2"
	printf '%s %s\n' "$2" "$3" >"$root/usr/share/$2/version"
	{
		printf 'Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: t <t@example.invalid>\n' "$2" "$3" "$4"
		printf 'Installed-Size: 4\nPriority: optional\nSection: misc\n'
		[ -n "$5" ] && printf 'Depends: %s\n' "$5"
		[ -n "$6" ] && printf 'Provides: %s\n' "$6"
		printf 'Description: %s for the tests\n' "$2"
	} >"$root/DEBIAN/control"
	mkdir -p "$1/pool/main"
	dpkg-deb --root-owner-group -Zgzip --build "$root" "$1/pool/main/${2}_${3}_$4.deb" >/dev/null
}

# release REPO SUITE KEY [FIELD...]: index the pool and sign dists/SUITE
release() {
	local repo=$1 suite=$2 key=$3 d
	shift 3
	d=$repo/dists/$suite
	mkdir -p "$d/main/binary-amd64"
	(cd "$repo" && dpkg-scanpackages -m pool/main /dev/null 2>/dev/null) >"$d/main/binary-amd64/Packages"
	gzip -9nkf "$d/main/binary-amd64/Packages"
	xz -kf "$d/main/binary-amd64/Packages"
	{
		printf 'Origin: cpolc-test\nSuite: %s\nCodename: %s\nDate: %s\n' "$suite" "$suite" "${REL_DATE:-$(date -u -R)}"
		for f in "$@"; do printf '%s\n' "$f"; done
		printf 'Architectures: amd64\nComponents: main\nSHA256:\n'
		for f in Packages Packages.gz Packages.xz; do
			printf ' %s %s main/binary-amd64/%s\n' "$(sha256sum <"$d/main/binary-amd64/$f" | cut -d' ' -f1)" \
				"$(wc -c <"$d/main/binary-amd64/$f")" "$f"
		done
	} >"$d/Release"
	GNUPGHOME=$W/$key.gnupg gpg --batch --quiet --yes --clearsign -o "$d/InRelease" "$d/Release"
	GNUPGHOME=$W/$key.gnupg gpg --batch --quiet --yes -abs -o "$d/Release.gpg" "$d/Release"
}

R=$W/repo
mkdeb "$R" app 1.0 amd64 'libfoo (>= 1.0), editor-a | editor' ''
mkdeb "$R" libfoo 1.0 amd64 '' ''
mkdeb "$R" nano-ish 1.0 amd64 '' 'editor'
mkdeb "$R" vi-ish 1.0 amd64 '' 'editor'
mkdeb "$R" docs 1.0 all '' ''
expect_exit "a signed repository" 0 release "$R" stable good

# what a catalog holds, to show that a failed import changed nothing
state() { (cd "$1" && find . -path ./.lock -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum); }

# ---- import over file:// ----------------------------------------------------------------
C=$W/cat
"$CPOLC" catalog init "$C" >/dev/null
expect_exit "import-apt file://" 0 "$CPOLC" catalog import-apt "$C" "file://$R" stable main --keyring "$W/good.gpg"
expect_eq "it says how many" "$T_OUT" "$C: 5 packages"
expect_match "the index names the pack" "$(cat "$C/index")" "^cpolc-index 2
@pack sha256:[0-9a-f]{64}$"
expect_eq "nothing staged is left" "$(ls "$C/tmp")" ""
expect_exit "list" 0 "$CPOLC" catalog list "$C"
expect_match "a package of all architectures" "$T_OUT" "docs	1.0	executable	any	4096	-"
expect_exit "show" 0 "$CPOLC" catalog show "$C" app
expect_match "its .deb is in its metadata" "$T_OUT" '"filename": "pool/main/app_1.0_amd64.deb"'
expect_match "its relationships" "$T_OUT" '"editor-a \| editor"'
expect_exit "verify a catalog with a pack" 0 "$CPOLC" catalog verify "$C"

# ---- resolve and build ------------------------------------------------------------------
expect_exit "resolve" 0 "$CPOLC" catalog resolve -C "$C" app
expect_eq "the selection: the virtual editor by apt's order" "$(printf '%s\n' "$T_OUT" | cut -f1,2 | tr '\t' ' ')" \
	"libfoo 1.0
vi-ish 1.0
app 1.0"
cat >app.cpol <<'EOF'
policy "app" { platform "linux/amd64"; include "app"; include "docs"; }
EOF
expect_exit "eval before any content is fetched" 0 "$CPOLC" eval app.cpol -C "$C" --format json
expect_match "digests are null" "$T_OUT" '"digest": null'
expect_exit "build --offline without content" 2 "$CPOLC" build app.cpol -C "$C" --offline -o app.oci
expect_match "offline names the package" "$T_ERR" "'app' version '1.0' was never fetched"
expect_exit "build fetches the content" 0 "$CPOLC" build app.cpol -C "$C" -o app.oci
expect_eq "one record per fetched .deb" "$(ls "$C/fetched/sha256" | wc -l)" 4
expect_eq "no .deb is left" "$(ls "$C/tmp/debs")" ""
expect_exit "build --offline now" 0 "$CPOLC" build app.cpol -C "$C" --offline -o app2.oci --lock app2.lock
expect_eq "the same image" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["image"])' app.lock)" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["image"])' app2.lock)"
"$CPOLC" catalog init "$W/debcat" >/dev/null
"$CPOLC" catalog import-deb "$W/debcat" "$R"/pool/main/app_1.0_amd64.deb "$R"/pool/main/libfoo_1.0_amd64.deb \
	"$R"/pool/main/vi-ish_1.0_amd64.deb "$R"/pool/main/docs_1.0_all.deb >/dev/null 2>&1
"$CPOLC" eval app.cpol -C "$C" --format json | grep '"digest"' >"$W/apt.digests"
"$CPOLC" eval app.cpol -C "$W/debcat" --format json | grep '"digest"' >"$W/deb.digests"
expect_eq "content equals import-deb's" "$(cat "$W/apt.digests")" "$(cat "$W/deb.digests")"
expect_eq "the package data equals import-deb's" \
	"$(awk 'FNR == 2' "$C"/fetched/sha256/* | sort | tr '\n' ' ')" \
	"$(cat "$W"/debcat/primitives/*/*.json | sed -n 's/.*"deb_info": "\(.*\)".*/\1/p' | sort | tr '\n' ' ')"
expect_exit "catalog verify checks the fetched package data" 0 "$CPOLC" catalog verify "$C"
expect_match "the image has the stanza of a fetched package" \
	"$(python3 - app.oci <<'PYEOF'
import json, sys, tarfile
d = sys.argv[1]
m = json.load(open(d + '/index.json'))['manifests'][0]
man = json.load(open(d + '/blobs/sha256/' + m['digest'][7:]))
for l in man['layers']:
    with tarfile.open(d + '/blobs/sha256/' + l['digest'][7:]) as t:
        for e in t:
            if e.name.endswith('var/lib/dpkg/status.d/app'):
                print(t.extractfile(e).read().decode())
PYEOF
)" 'Status: install ok installed'

# ---- a tampered .deb is refused when fetched, and nothing of it is kept ---------------------
C2=$W/cat2
"$CPOLC" catalog init "$C2" >/dev/null
"$CPOLC" catalog import-apt "$C2" "file://$R" stable main --keyring "$W/good.gpg" >/dev/null
cp "$R/pool/main/libfoo_1.0_amd64.deb" "$W/libfoo.orig"
python3 - "$R/pool/main/libfoo_1.0_amd64.deb" <<'EOF'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[len(b) // 2] ^= 0xff; open(p, 'wb').write(b)
EOF
expect_exit "a tampered .deb is refused" 2 "$CPOLC" catalog fetch "$C2" libfoo
expect_match "its message names it and both digests" "$T_ERR" \
	"libfoo_1.0_amd64.deb' has sha256:[0-9a-f]{64}, but its Packages stanza lists sha256:[0-9a-f]{64}: the .deb was altered"
expect_eq "no record of it" "$(ls "$C2/fetched" 2>/dev/null)" ""
expect_eq "no blob of it" "$(ls "$C2/blobs/sha256")" ""
expect_eq "no .deb left" "$(ls "$C2/tmp/debs")" ""
cp "$W/libfoo.orig" "$R/pool/main/libfoo_1.0_amd64.deb"

# ---- over HTTP, with a fetch resumed ------------------------------------------------------
# A server that honours Range and logs each request with its Range header.
cat >"$W/serve.py" <<'EOF'
import http.server, os, sys
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):
        with open(sys.argv[3], 'a') as f:
            f.write('%s %s\n' % (self.path, self.headers.get('Range', '-')))
    def send_head(self):
        rng = self.headers.get('Range')
        path = self.translate_path(self.path)
        if not rng or not os.path.isfile(path):
            return super().send_head()
        start = int(rng.split('=')[1].split('-')[0])
        f = open(path, 'rb'); size = os.fstat(f.fileno()).st_size
        f.seek(start)
        self.send_response(206)
        self.send_header('Content-Range', 'bytes %d-%d/%d' % (start, size - 1, size))
        self.send_header('Content-Length', str(size - start))
        self.end_headers()
        return f
os.chdir(sys.argv[2])
http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
EOF
PORT=$(free_port)
python3 "$W/serve.py" "$PORT" "$R" "$W/http.log" &
HTTP_PID=$!
i=0
until python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/dists/stable/Release')" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 100 ] && break
	sleep 0.1
done
H=$W/hcat
"$CPOLC" catalog init "$H" >/dev/null
expect_exit "import-apt http://" 0 "$CPOLC" catalog import-apt "$H" "http://127.0.0.1:$PORT" stable main \
	--keyring "$W/good.gpg"
expect_match "the signed Release was fetched" "$(cat "$W/http.log")" "^/dists/stable/InRelease -$"
expect_match "the xz index was fetched" "$(cat "$W/http.log")" "^/dists/stable/main/binary-amd64/Packages.xz -$"
deb_sha=$(sha256sum <"$R/pool/main/libfoo_1.0_amd64.deb" | cut -d' ' -f1)
mkdir -p "$H/tmp/debs"
head -c 300 "$R/pool/main/libfoo_1.0_amd64.deb" >"$H/tmp/debs/$deb_sha.deb.part"
expect_exit "build over http" 0 "$CPOLC" build app.cpol -C "$H" -o happ.oci --lock happ.lock
expect_match "the interrupted fetch was resumed" "$(cat "$W/http.log")" "/pool/main/libfoo_1.0_amd64.deb bytes=300-"
expect_eq "the same image as over file://" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["image"])' happ.lock)" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["image"])' app.lock)"
kill "$HTTP_PID" 2>/dev/null
wait "$HTTP_PID" 2>/dev/null

# ---- refresh: new versions come, old ones stay, an old lock still resolves -----------------
mkdeb "$R" libfoo 1.1 amd64 '' ''
mkdeb "$R" app 1.1 amd64 'libfoo (>= 1.1), editor-a | editor' ''
release "$R" stable good
expect_exit "import again" 0 "$CPOLC" catalog import-apt "$C" "file://$R" stable main --keyring "$W/good.gpg"
expect_eq "old and new versions" "$T_OUT" "$C: 7 packages"
expect_exit "the newest is selected" 0 "$CPOLC" catalog resolve -C "$C" app
expect_match "app 1.1" "$T_OUT" "app	1.1	"
expect_exit "build --locked with the old lock" 0 "$CPOLC" build app.cpol -C "$C" -o app3.oci --lock app.lock --locked
expect_eq "the old lock's image" "$(manifest_digest app3.oci app)" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["image"]["manifest"])' app2.lock)"
expect_exit "without --locked the build moves on" 0 "$CPOLC" build app.cpol -C "$C" -o app4.oci --lock app4.lock
expect_match "to app 1.1" "$(cat app4.lock)" '"name": "app",
      "version": "1.1"'

# packs an import replaced are removed once they are a day old
npacks=$(ls "$C/packs/sha256" | grep -vc '\.hashed$')
expect_eq "the replaced packs are kept for now" "$((npacks > 2))" 1
touch -d '2 days ago' "$C"/packs/sha256/*
expect_exit "import once more" 0 "$CPOLC" catalog import-apt "$C" "file://$R" stable main --keyring "$W/good.gpg"
expect_eq "then only the pack's two files are left" "$(ls "$C/packs/sha256" | grep -vc '\.hashed$')" 2
expect_exit "which resolve" 0 "$CPOLC" catalog resolve -C "$C" app

# ---- .sources ---------------------------------------------------------------------------
cat >"$W/test.sources" <<EOF
# a comment
Types: deb deb-src
URIs: file://$R
Suites: stable
Components: main
Signed-By: $W/good.gpg

Types: deb
Enabled: no
URIs: file:///nonexistent
Suites: nowhere
Components: main
EOF
"$CPOLC" catalog init "$W/scat" >/dev/null
expect_exit "import-apt --sources" 0 "$CPOLC" catalog import-apt "$W/scat" --sources "$W/test.sources"
expect_eq "its packages" "$T_OUT" "$W/scat: 7 packages"

# ---- what is refused, with nothing kept -------------------------------------------------------
# refused NAME CATALOG PATTERN ARGS...: import-apt fails (exit 2) saying PATTERN, catalog unchanged
refused() {
	local name=$1 cat=$2 pat=$3 before
	shift 3
	before=$(state "$cat")
	expect_exit "$name is refused" 2 "$CPOLC" catalog import-apt "$cat" "$@"
	expect_match "$name: its message" "$T_ERR" "$pat"
	expect_eq "$name: nothing kept" "$(state "$cat")" "$before"
}

cp -r "$R" "$W/t1"
sed -i 's/^Suite: stable/Suite: evil/' "$W/t1/dists/stable/InRelease"
refused "a tampered InRelease" "$C" "bad signature on '.*InRelease' \(key [0-9A-F]+\): it was altered after it was signed" \
	"file://$W/t1" stable main --keyring "$W/good.gpg"

cp -r "$R" "$W/t2"
rm "$W/t2/dists/stable/main/binary-amd64/Packages.xz" "$W/t2/dists/stable/main/binary-amd64/Packages.gz"
sed -i 's/^Version: 1.1$/Version: 9.9/' "$W/t2/dists/stable/main/binary-amd64/Packages"
refused "a tampered Packages" "$C" \
	"Packages' has sha256:[0-9a-f]{64}, but its Release lists sha256:[0-9a-f]{64}: the index was altered" \
	"file://$W/t2" stable main --keyring "$W/good.gpg"

cp -r "$R" "$W/t3"
release "$W/t3" stable good "Valid-Until: Thu, 01 Jan 2015 00:00:00 UTC"
refused "an expired Release" "$C" "InRelease' expired on 2015-01-01 00:00:00 UTC \(Valid-Until\)" \
	"file://$W/t3" stable main --keyring "$W/good.gpg"

cp -r "$R" "$W/t4"
release "$W/t4" stable wrong
refused "a Release signed by another key" "$C" "InRelease' is not signed by a key of the keyring '.*good.gpg' \(signed by [0-9A-F]+\)" \
	"file://$W/t4" stable main --keyring "$W/good.gpg"

cp -r "$R" "$W/t5"
rm "$W/t5/dists/stable/InRelease"
GNUPGHOME=$W/wrong.gnupg gpg --batch --quiet --yes -abs -o "$W/t5/dists/stable/Release.gpg" "$W/t5/dists/stable/Release"
refused "a Release.gpg by another key" "$C" "Release' is not signed by a key of the keyring" \
	"file://$W/t5" stable main --keyring "$W/good.gpg"

# a replayed (older) Release from the same repository: a rollback or freeze attack
cp -r "$R" "$W/t7"
REL_DATE="Mon, 01 Jun 2026 00:00:00 UTC" release "$W/t7" stable good
C7=$W/cat7
"$CPOLC" catalog init "$C7" >/dev/null
expect_exit "an import records the Release's date" 0 "$CPOLC" catalog import-apt "$C7" "file://$W/t7/" stable main \
	--keyring "$W/good.gpg"
expect_eq "by URI and suite" "$(cat "$C7/apt-releases")" "1780272000 file://$W/t7 stable"
REL_DATE="Fri, 01 May 2026 00:00:00 UTC" release "$W/t7" stable good
refused "an older Release than the last one imported" "$C7" \
	"InRelease' is dated 2026-05-01 00:00:00 UTC, before the Release of 2026-06-01 00:00:00 UTC this catalog imported: the repository was rolled back" \
	"file://$W/t7" stable main --keyring "$W/good.gpg"
expect_exit "--allow-rollback accepts it" 0 "$CPOLC" catalog import-apt "$C7" "file://$W/t7" stable main \
	--keyring "$W/good.gpg" --allow-rollback
expect_eq "and keeps the later date" "$(cat "$C7/apt-releases")" "1780272000 file://$W/t7 stable"
REL_DATE="Wed, 01 Jul 2026 00:00:00 UTC" release "$W/t7" stable good
expect_exit "a newer Release" 0 "$CPOLC" catalog import-apt "$C7" "file://$W/t7" stable main --keyring "$W/good.gpg"
expect_eq "moves the date on" "$(cat "$C7/apt-releases")" "1782864000 file://$W/t7 stable"
refused "a URI with a newline (a forged record of dates)" "$C7" "URI and suite hold no spaces or control characters" \
	"file://$W/t7
1 file://x" stable main --keyring "$W/good.gpg"
echo "1782864000 file://$W/t7" >"$C7/apt-releases"
refused "an altered record of dates" "$C7" "apt-releases:1: error: not a line 'DATE URI SUITE' \(the catalog was altered\)" \
	"file://$W/t7" stable main --keyring "$W/good.gpg"

cp -r "$R" "$W/t6"
mkdir -p "$W/t6/dists/testing" && cp "$W/t6/dists/stable/InRelease" "$W/t6/dists/testing/"
refused "a Release for another suite" "$C" "is for suite 'stable' \(codename 'stable'\), not 'testing'" \
	"file://$W/t6" testing main --keyring "$W/good.gpg"

cp -r "$R" "$W/t7"
rm "$W/t7/pool/main/libfoo_1.0_amd64.deb"
mkdeb "$W/t7" libfoo 1.0 amd64 'docs' ''
release "$W/t7" stable good
refused "a version rebuilt with other content" "$C" \
	"'libfoo' version '1.0' \(amd64\) has two .deb digests, sha256:[0-9a-f]{64} and sha256:[0-9a-f]{64}" \
	"file://$W/t7" stable main --keyring "$W/good.gpg"

# a table changed in place is caught, though it was hashed and marked before
"$CPOLC" catalog init "$W/mark" >/dev/null
"$CPOLC" catalog import-apt "$W/mark" "file://$R" stable main --keyring "$W/good.gpg" >/dev/null
expect_exit "a resolution hashes the table and marks it" 0 "$CPOLC" catalog resolve -C "$W/mark" app
table=$W/mark/packs/sha256/$(sed -n 's/^@pack sha256://p' "$W/mark/index")
expect_eq "the marker" "$(ls "$table.hashed" 2>/dev/null)" "$table.hashed"
python3 - "$table" <<'EOF'
import sys
f = open(sys.argv[1], 'r+b'); f.seek(-2, 2); b = f.read(1); f.seek(-2, 2); f.write(bytes([b[0] ^ 1]))
EOF
expect_exit "then a changed table is refused" 2 "$CPOLC" catalog resolve -C "$W/mark" app
expect_match "by its digest" "$T_ERR" "pack digest sha256:[0-9a-f]{64} does not match the index"

# fetch first, import later, offline
"$CPOLC" catalog init "$W/pre" >/dev/null
"$CPOLC" catalog import-apt "$W/pre" "file://$R" stable main --keyring "$W/good.gpg" >/dev/null
expect_exit "fetch --download-only" 0 "$CPOLC" catalog fetch "$W/pre" --download-only app libfoo vi-ish docs
expect_eq "the .debs are kept" "$(ls "$W/pre/tmp/debs" | wc -l)" 4
expect_exit "not imported yet" 2 "$CPOLC" build app.cpol -C "$W/pre" --offline -o pre.oci
mv "$R" "$R.away"
expect_exit "imported with the repository gone" 0 "$CPOLC" catalog fetch "$W/pre" app libfoo vi-ish docs
mv "$R.away" "$R"
expect_exit "then the build runs offline" 0 "$CPOLC" build app.cpol -C "$W/pre" --offline -o pre.oci --lock pre.lock

expect_exit "the catalog still verifies" 0 "$CPOLC" catalog verify "$C"
expect_exit "and still builds offline" 0 "$CPOLC" build app.cpol -C "$C" --offline -o app5.oci --lock app5.lock

# ---- scan feeds: OSV and grype, in bulk --------------------------------------------------------
cat >"$W/osv.json" <<'EOF'
[{"id": "DEBIAN-CVE-2099-0001", "upstream": ["CVE-2099-0001"],
  "affected": [{"package": {"ecosystem": "Debian:12", "name": "libfoo"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.1"}]}]}],
  "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]},
 {"id": "CVE-2099-0002",
  "affected": [{"package": {"ecosystem": "Debian:12", "name": "app"}, "versions": ["1.1"]}],
  "database_specific": {"severity": "LOW"}},
 {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-0003"],
  "affected": [{"package": {"ecosystem": "PyPI", "name": "app"}, "versions": ["1.0", "1.1"]}]}]
EOF
expect_exit "import-scan osv" 0 "$CPOLC" catalog import-scan "$C" "$W/osv.json" --format osv
expect_eq "two primitives with findings" "$T_OUT" "$C: 2 primitives with findings"
scan_of() { "$CPOLC" catalog show "$C" "$1" | python3 -c 'import json,sys; s=json.load(sys.stdin)["scan"]; print(s["critical"], s["high"], s["medium"], s["low"], " ".join(c["id"] + ":" + c["severity"] + ":" + str(c["fixed"]) for c in s["cves"]))'; }
expect_eq "libfoo 1.0: critical by its CVSS vector, fixed in 1.1" "$(scan_of libfoo@1.0)" "1 0 0 0 CVE-2099-0001:critical:1.1"
expect_eq "libfoo 1.1 is out of the range" "$(scan_of libfoo@1.1)" "0 0 0 0 "
expect_eq "app 1.1: by version" "$(scan_of app@1.1)" "0 0 0 1 CVE-2099-0002:low:None"
expect_eq "another ecosystem does not count" "$(scan_of app@1.0)" "0 0 0 0 "
expect_exit "the catalog verifies after the scan" 0 "$CPOLC" catalog verify "$C"
cat >scan.cpol <<'EOF'
import "security";
policy "scan" { platform "linux/amd64"; include "libfoo" < "1.1"; use security.no_critical_cves; }
EOF
expect_exit "an admit filter rejects the vulnerable version" 3 "$CPOLC" eval scan.cpol -C "$C"
expect_match "and names its CVE" "$T_ERR" "version 1.0 rejected by admit filter at .*; it has CVE-2099-0001 \(critical\)"
cat >deny.cpol <<'EOF'
policy "deny" { platform "linux/amd64"; include "app";
  deny "a selected package has a known CVE" when any p in selected : len(p.scan.cves ?? []) > 0; }
EOF
expect_exit "a deny on scan results" 1 "$CPOLC" eval deny.cpol -C "$C"
expect_match "names the CVE behind it" "$T_ERR" "note: 'app' 1.1 has CVE-2099-0002 \(low\)"
expect_exit "import again keeps the scan results" 0 "$CPOLC" catalog import-apt "$C" "file://$R" stable main \
	--keyring "$W/good.gpg"
expect_eq "still there" "$(scan_of libfoo@1.0)" "1 0 0 0 CVE-2099-0001:critical:1.1"
mkdir "$W/osvdir"
python3 -c 'import json,sys; [json.dump(a, open("%s/%d.json" % (sys.argv[2], i), "w")) for i, a in enumerate(json.load(open(sys.argv[1])))]' \
	"$W/osv.json" "$W/osvdir"
"$CPOLC" catalog init "$W/dircat" >/dev/null
"$CPOLC" catalog import-deb "$W/dircat" "$R"/pool/main/libfoo_1.0_amd64.deb >/dev/null 2>&1
expect_exit "a directory of OSV files, on import-deb's primitives" 0 "$CPOLC" catalog import-scan "$W/dircat" "$W/osvdir"
expect_match "libfoo found" "$("$CPOLC" catalog show "$W/dircat" libfoo)" '"id": "CVE-2099-0001"'
expect_exit "and the catalog verifies" 0 "$CPOLC" catalog verify "$W/dircat"
cat >"$W/grype.json" <<'EOF'
{"matches": [{"vulnerability": {"id": "CVE-2099-0100", "severity": "High",
                                "fix": {"versions": ["1.2"], "state": "fixed"}},
              "relatedVulnerabilities": [],
              "artifact": {"name": "libfoo", "version": "1.1", "type": "deb"}}],
 "source": {"type": "image"}}
EOF
expect_exit "import-scan grype" 0 "$CPOLC" catalog import-scan "$C" "$W/grype.json" --format grype
expect_eq "the version it names" "$(scan_of libfoo@1.1)" "0 1 0 0 CVE-2099-0100:high:1.2"
expect_exit "grype names only what it found" 0 "$CPOLC" catalog show "$C" libfoo@1.0
expect_match "the rest keep their records" "$T_OUT" '"scanner": "osv"'
expect_exit "a feed that is not JSON" 2 "$CPOLC" catalog import-scan "$C" "$W/test.sources"
expect_exit "grype JSON without matches" 2 "$CPOLC" catalog import-scan "$C" "$W/osv.json" --format grype
expect_match "is refused" "$T_ERR" "not grype's JSON output"
