#!/bin/sh
# maint_e2e.sh - an image that works as a real system, end to end: the
# closure of python3, curl and ca-certificates (62 real Debian packages,
# tests/fetch-fixtures.sh py, as apt resolves it for an empty system without
# recommends) with a local CA added as a primitive under
# /usr/local/share/ca-certificates/, composed with `use security.nonroot`,
# run with runc as 65532 in the host's network namespace. Inside: the user
# has a passwd entry, tempfile works, Python's default SSL context holds the
# Debian CA set, and curl and urllib fetch https://127.0.0.1:PORT/ from a TLS
# server run here whose certificate the local CA signed. Outside: every
# package's status stanza matches its control file, and the SBOM lists
# exactly the selected set. Skipped (77) without root, runc or the archive.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

W=$T_TMP
cd "$W" || exit 1
unset SOURCE_DATE_EPOCH CPOL_PATH
export CPOLC_CACHE="$W/cache"

skip() { echo "ok # SKIP $1"; t_cleanup; exit 77; }
command -v runc >/dev/null && command -v umoci >/dev/null || skip "runc or umoci missing"
[ "$(id -u)" = 0 ] || skip "runc run needs root"
for t in python3 openssl dpkg-deb; do command -v $t >/dev/null || skip "$t missing"; done
DEBS=${CPOLC_DEBS_PY:-$CPOLC_SRCDIR/tests/fixtures/debs-py}
if ! ls "$DEBS"/python3_*.deb >/dev/null 2>&1; then
	sh "$CPOLC_SRCDIR/tests/fetch-fixtures.sh" py >/dev/null 2>&1 || skip "the archive is unavailable"
fi
ls "$DEBS"/python3_*.deb "$DEBS"/curl_*.deb "$DEBS"/ca-certificates_*.deb >/dev/null 2>&1 ||
	skip "no python3 closure in $DEBS"

# ---- a CA and a server certificate for 127.0.0.1 --------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 -subj "/CN=cpolc test CA" \
	>/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1\n' >san.ext
openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt -days 30 \
	-extfile san.ext >/dev/null 2>&1

# ---- the catalog and the image ---------------------------------------------------
"$CPOLC" catalog init cat >/dev/null
t0=$(date +%s.%N)
expect_exit "import the closure" 0 "$CPOLC" catalog import-deb cat "$DEBS"/*.deb
t1=$(date +%s.%N)
mkdir -p lca && cp ca.crt lca/
expect_exit "add the local CA" 0 "$CPOLC" catalog add cat --name local-ca --version 1 --kind config \
	lca/ca.crt=/usr/local/share/ca-certificates/cpolc-test.crt
cat >py.cpol <<'EOF'
import "security";

policy "py" {
  platform "linux/amd64";
  include "python3";
  include "curl";
  include "ca-certificates";
  include "local-ca";
  use security.nonroot;
  entrypoint ["/usr/bin/python3"];
}
EOF
t2=$(date +%s.%N)
expect_exit "build the image (cold cache)" 0 "$CPOLC" build py.cpol -C cat -o py.oci --sbom py.spdx.json
t3=$(date +%s.%N)
expect_exit "build again (warm cache)" 0 "$CPOLC" build py.cpol -C cat -o py.oci --sbom py2.spdx.json
t4=$(date +%s.%N)
printf '# import-deb of %s packages %.1f s; build cold %.1f s, warm %.1f s\n' "$(ls "$DEBS"/*.deb | wc -l)" \
	"$(echo "$t1 - $t0" | bc)" "$(echo "$t3 - $t2" | bc)" "$(echo "$t4 - $t3" | bc)"
expect_exit "the SBOM is the same bytes" 0 cmp py.spdx.json py2.spdx.json
expect_exit "verify" 0 "$CPOLC" verify --lock py.lock py.oci
"$CPOLC" eval py.cpol -C cat --format json >eval.json

# ---- outside: the status stanzas and the SBOM -----------------------------------
runc_bundle "$W/py.oci:py" "$W/bundle" || t_fail "umoci unpack"
R=$W/bundle/rootfs
for deb in "$DEBS"/*.deb; do
	p=$(dpkg-deb -f "$deb" Package)
	dpkg-deb -f "$deb" >"ctl-$p"
done
expect_eq "each stanza is its package's control file, installed" "$(python3 - "$R" eval.json <<'PYEOF'
import json, os, sys
root, ev = sys.argv[1], json.load(open(sys.argv[2]))
def parse(text):
    f, cur = {}, None
    for line in text.splitlines():
        if line[:1] in ' \t':
            f[cur] += '\n' + line
        else:
            cur, _, v = line.partition(':')
            assert cur and _ and cur not in f, line
            f[cur] = v.strip()
    return f
bad = []
debs = [s['name'] for s in ev['selected'] if s['name'] != 'local-ca']
for n in debs:
    st = parse(open(os.path.join(root, 'var/lib/dpkg/status.d', n)).read())
    if st.pop('Status') != 'install ok installed' or st != parse(open('ctl-' + n).read()):
        bad.append(n)
have = sorted(f for f in os.listdir(os.path.join(root, 'var/lib/dpkg/status.d')) if not f.endswith('.md5sums'))
print(len(debs), 'packages', 'bad: %s' % bad, 'extra: %s' % sorted(set(have) - set(debs)))
PYEOF
)" "62 packages bad: [] extra: []"
expect_eq "the SBOM lists exactly the selected set" "$(python3 - py.spdx.json eval.json <<'PYEOF'
import json, sys
doc, ev = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
got = sorted((p['name'], p['versionInfo']) for p in doc['packages'] if p['SPDXID'] != 'SPDXRef-Image')
want = sorted((s['name'], s['version']) for s in ev['selected'])
print('same' if got == want else 'differ')
PYEOF
)" same

# ---- inside, as 65532, on the host's network ------------------------------------
PORT=$(free_port)
mkdir -p www && echo "hello over tls" >www/index.html
python3 - "$PORT" srv.crt srv.key www >server.log 2>&1 <<'PYEOF' &
import functools, http.server, ssl, sys
port, crt, key, root = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
s = http.server.ThreadingHTTPServer(('127.0.0.1', port), h)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(crt, key)
s.socket = ctx.wrap_socket(s.socket, server_side=True)
s.serve_forever()
PYEOF
SRV=$!
for i in 1 2 3 4 5 6 7 8 9 10; do
	python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null && break
	sleep 0.3
done
python3 - "$W/bundle/config.json" "$PORT" <<'PYEOF'
import json, sys
p, port = sys.argv[1], sys.argv[2]
c = json.load(open(p))
c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'network']
c['process']['args'] = ['/usr/bin/python3', '-c', '''
import os, pwd, ssl, subprocess, tempfile, urllib.request
u = pwd.getpwuid(os.getuid())
print('user', u.pw_name, os.getuid(), os.getgid(), u.pw_dir)
fd, path = tempfile.mkstemp()
os.write(fd, b'x'); os.close(fd)
print('mkstemp', os.path.dirname(path))
print('cas', ssl.create_default_context().cert_store_stats()['x509_ca'] > 100)
url = 'https://127.0.0.1:%s/index.html'
print('urllib', urllib.request.urlopen(url, timeout=10).read().decode().strip())
r = subprocess.run(['curl', '-sS', '--max-time', '10', url], capture_output=True, text=True)
print('curl', r.stdout.strip() or r.stderr.strip())
''' % port]
json.dump(c, open(p, 'w'))
PYEOF
ID=cpolc-e2e-$$
expect_exit "runc run the python3 image" 0 runc run -b "$W/bundle" "$ID"
runc delete -f "$ID" >/dev/null 2>&1
kill "$SRV" 2>/dev/null
wait "$SRV" 2>/dev/null
expect_match "pwd.getpwuid: nonroot, 65532:65532" "$T_OUT" '^user nonroot 65532 65532 /home/nonroot$'
expect_match "tempfile.mkstemp in /tmp" "$T_OUT" '^mkstemp /tmp$'
expect_match "Python's default SSL context holds the Debian CA set" "$T_OUT" '^cas True$'
expect_match "urllib fetches over TLS from the local CA's server" "$T_OUT" '^urllib hello over tls$'
expect_match "curl too" "$T_OUT" '^curl hello over tls$'

t_cleanup
