#!/bin/sh
# fuzz-regress.sh - every input the fuzzers ever crashed on (tests/fuzz/regress/
# TARGET/) through the normal binary, as the command line would get it: no
# crash (exit < 128) and, when refused, a clean "error:" message.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
T=$T_TMP
R=$CPOLC_SRCDIR/tests/fuzz/regress

# check NAME CMD...: exit < 128, and an error message when the exit is not 0
check() {
	local name=$1 rc
	shift
	"$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	if [ "$rc" -ge 128 ]; then
		t_fail "$name: no crash" "exit $rc: $(head -c 400 "$T/err")"
	elif [ "$rc" -ne 0 ] && ! grep -q 'error' "$T/err"; then
		t_fail "$name: clean error" "exit $rc without an error message: $(head -c 400 "$T/err")"
	else
		t_ok "$name (exit $rc)"
	fi
}

"$CPOLC" catalog init "$T/cat" >/dev/null || exit 1
mkdir -p "$T/src/usr/bin" && echo x >"$T/src/usr/bin/app"
"$CPOLC" catalog add "$T/cat" --name app --version 1.0 "$T/src" >/dev/null || exit 1
printf 'policy "p" { include "app"; }\n' >"$T/p.cpol"
n=0
for f in "$R"/fuzz_parse/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	cp "$f" "$T/in.cpol"
	check "fuzz_parse/${f##*/}: lint" "$CPOLC" lint "$T/in.cpol"
	check "fuzz_parse/${f##*/}: eval" "$CPOLC" eval "$T/in.cpol"
done
for f in "$R"/fuzz_cpolb/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	check "fuzz_cpolb/${f##*/}: eval" "$CPOLC" eval "$f" -D env=prod -D version=1.2.3
	check "fuzz_cpolb/${f##*/}: disasm" "$CPOLC" disasm "$f"
	# each policy of a module of several (the fuzzer runs them all)
	for p in $("$CPOLC" disasm "$f" 2>/dev/null | sed -n 's/^policy "\([^"]*\)" block.*/\1/p'); do
		check "fuzz_cpolb/${f##*/}: eval --policy $p" "$CPOLC" eval "$f" --policy "$p" -D env=prod \
			-D version=1.2.3
	done
done
# a deny check that returns a bool instead of its message is refused there
expect_exit "a forged deny check returning a bool" 2 "$CPOLC" eval "$R/fuzz_cpolb/denym-returns-bool.cpolb" \
	--policy web -D env=prod -D version=1.2.3
expect_match "is a located runtime error" "$T_ERR" "error: a deny message must be a string, not a bool \[runtime\]"
for f in "$R"/fuzz_json/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	mode=$(($(od -An -N1 -tu1 "$f") % 7))
	tail -c +2 "$f" >"$T/in.json"
	rm -rf "$T/c2" && cp -r "$T/cat" "$T/c2"
	case $mode in
	0) check "fuzz_json/${f##*/}: request" "$CPOLC" eval "$T/p.cpol" -r "$T/in.json" ;;
	1) check "fuzz_json/${f##*/}: -D" "$CPOLC" eval "$T/p.cpol" -D "$(head -n 1 "$T/in.json" | tr -d '\000')" ;;
	2) check "fuzz_json/${f##*/}: --meta" "$CPOLC" catalog add "$T/c2" --name m --version 1 --meta "$T/in.json" "$T/src"
	   mkdir -p "$T/c2/primitives/m" && cp "$T/in.json" "$T/c2/primitives/m/1.json" && rm -f "$T/c2/index"
	   check "fuzz_json/${f##*/}: scanned metadata" "$CPOLC" eval "$T/p.cpol" -C "$T/c2" ;;
	3) cp "$T/in.json" "$T/c2/index" && check "fuzz_json/${f##*/}: index" "$CPOLC" eval "$T/p.cpol" -C "$T/c2" ;;
	4) cp "$T/in.json" "$T/c2/catalog.json" && check "fuzz_json/${f##*/}: catalog.json" "$CPOLC" eval "$T/p.cpol" -C "$T/c2" ;;
	5) check "fuzz_json/${f##*/}: lock" "$CPOLC" verify --lock "$T/in.json" "$T/c2" ;;
	6) check "fuzz_json/${f##*/}: set-scan" "$CPOLC" catalog set-scan "$T/c2" app 1.0 "$T/in.json" ;;
	esac
done
for f in "$R"/fuzz_lock/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	check "fuzz_lock/${f##*/}: verify" "$CPOLC" verify --lock "$f" "$T/cat"
done
for f in "$R"/fuzz_tar/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	rm -rf "$T/c2" && cp -r "$T/cat" "$T/c2"
	check "fuzz_tar/${f##*/}: catalog add" "$CPOLC" catalog add "$T/c2" --name t --version 1 "$f"
	check "fuzz_tar/${f##*/}: the catalog verifies" "$CPOLC" catalog verify "$T/c2"
done
# fuzz_deb: MODE byte, then a .deb (odd) or a control file (even), made
# into a .deb here as dpkg-deb would lay it out
for f in "$R"/fuzz_deb/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	python3 - "$f" "$T/in.deb" <<'PY'
import io, sys, tarfile
data = open(sys.argv[1], "rb").read()
if data[:1] and data[0] & 1:
    open(sys.argv[2], "wb").write(data[1:])
    sys.exit(0)
def tar(name, body):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        ti = tarfile.TarInfo(name); ti.size = len(body)
        tf.addfile(ti, io.BytesIO(body))
    return buf.getvalue()
out = b"!<arch>\n"
for name, body in [("debian-binary", b"2.0\n"), ("control.tar", tar("./control", data[1:])),
                   ("data.tar", tar("./x", b"x"))]:
    out += b"%-16s%-12d%-6d%-6d%-8s%-10d`\n" % (name.encode(), 0, 0, 0, b"100644", len(body)) + body
    out += b"\n" if len(body) % 2 else b""
open(sys.argv[2], "wb").write(out)
PY
	rm -rf "$T/c2" && cp -r "$T/cat" "$T/c2"
	check "fuzz_deb/${f##*/}: import-deb" timeout 60 "$CPOLC" catalog import-deb "$T/c2" "$T/in.deb"
	check "fuzz_deb/${f##*/}: the catalog verifies" "$CPOLC" catalog verify "$T/c2"
done
# fuzz_from: index, manifest, config and layer (fuzz_from.c), as an image
# layout that a policy builds from
for f in "$R"/fuzz_from/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	rm -rf "$T/base" "$T/out.oci"
	python3 - "$f" "$T/base" <<'PY'
import hashlib, os, sys
data = open(sys.argv[1], "rb").read()
root = sys.argv[2]
parts = data.split(b"\n--\n", 3) + [b""] * 3
os.makedirs(os.path.join(root, "blobs/sha256"))
def blob(b):
    h = hashlib.sha256(b).hexdigest()
    open(os.path.join(root, "blobs/sha256", h), "wb").write(b)
    return b"sha256:" + h.encode()
def fill(t, subst):
    for k, v in subst:
        t = t.replace(k, v)
    return t
layer = parts[3]
l = blob(layer)
ls = str(len(layer)).encode()
config = fill(parts[2], [(b"@LAYER", l), (b"@LSIZE", ls), (b"@DIFFID", l)])
c = blob(config)
manifest = fill(parts[1], [(b"@LAYER", l), (b"@LSIZE", ls), (b"@CONFIG", c), (b"@CSIZE", str(len(config)).encode())])
m = blob(manifest)
index = fill(parts[0], [(b"@MANIFEST", m), (b"@MSIZE", str(len(manifest)).encode())])
open(os.path.join(root, "index.json"), "wb").write(index)
PY
	printf 'policy "p" {\n  from "%s";\n  include "app";\n}\n' "$T/base" >"$T/from.cpol"
	check "fuzz_from/${f##*/}: build from it" timeout 60 "$CPOLC" build "$T/from.cpol" -C "$T/cat" -o "$T/out.oci" \
		--lock "$T/out.lock" --no-cache
done
# fuzz_apt: MODE byte (fuzz_apt.c); what the command line can be given of it
for f in "$R"/fuzz_apt/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	mode=$(($(od -An -N1 -tu1 "$f") % 6))
	case $mode in
	4) tail -c +3 "$f" >"$T/feed.json"
	   check "fuzz_apt/${f##*/}: import-scan" "$CPOLC" catalog import-scan "$T/cat" "$T/feed.json" ;;
	5) tail -c +2 "$f" >"$T/in.sources"
	   check "fuzz_apt/${f##*/}: import-apt --sources" timeout 60 "$CPOLC" catalog import-apt "$T/cat" \
		--sources "$T/in.sources" ;;
	esac
done
[ "$n" -gt 0 ] && t_ok "$n regression inputs" || t_fail "regression inputs present" "none under $R"

# forged endless loops stop on the VM's budget, with a runtime error
for f in "$R"/fuzz_cpolb/jmp-self-loop.cpolb "$R"/fuzz_cpolb/jt-self-loop.cpolb; do
	expect_exit "${f##*/} stops" 2 "$CPOLC" eval "$f"
	expect_match "${f##*/}: budget error" "$T_ERR" "error: evaluation took more than [0-9]+ steps"
done
