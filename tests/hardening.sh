#!/bin/sh
# hardening.sh - hostile and broken input through the real binary: hostile
# tars, malformed JSON everywhere JSON is read, builds killed mid-way,
# concurrent builds on one cache, a corrupted cache, a full disk, and
# mutated .cpolb modules. Images come from small primitives made here.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
T=$T_TMP
C=$T/cat
cd "$T" || exit 1

# exit status of a command, as the shell sees it (>= 128: killed by a signal)
status() { "$@" >"$T/out" 2>"$T/err" </dev/null; echo $?; }
# the manifest digest an OCI layout's index.json points at
manifest_of() { sed -n 's/.*"digest": *"\(sha256:[0-9a-f]*\)".*/\1/p' "$1/index.json" | head -n 1; }
# every blob a layout references (manifest, config, layers) exists and hashes to its name
blobs_ok() {
	python3 - "$1" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
def blob(dg):
    alg, hx = dg.split(":")
    p = os.path.join(d, "blobs", alg, hx)
    data = open(p, "rb").read()
    if hashlib.sha256(data).hexdigest() != hx:
        sys.exit(f"blob {dg} does not match its digest")
    return data
idx = json.load(open(os.path.join(d, "index.json")))
for m in idx["manifests"]:
    man = json.loads(blob(m["digest"]))
    blob(man["config"]["digest"])
    for l in man["layers"]:
        blob(l["digest"])
PY
}

"$CPOLC" catalog init "$C" >/dev/null || exit 1
mkdir -p src/usr/bin && printf '#!/bin/sh\necho app\n' >src/usr/bin/app && chmod 755 src/usr/bin/app
"$CPOLC" catalog add "$C" --name app --version 1.0 src >/dev/null || exit 1
# a bigger primitive, so that a build takes long enough to be killed mid-way
mkdir -p big/usr/share/big
head -c 3000000 /dev/urandom >big/usr/share/big/data
"$CPOLC" catalog add "$C" --name big --version 1.0 big >/dev/null || exit 1
cat >p.cpol <<'P'
policy "p" {
  include "app";
  if input.big ?? false { include "big"; }
  entrypoint ["/usr/bin/app"];
  env GREETING = input.greeting ?? "hi";
}
P

# ---- hostile tars -----------------------------------------------------------
mkdir canary
python3 - "$T" <<'PY'
import io, sys, tarfile
t = sys.argv[1]
def mk(name, members):
    with tarfile.open(f"{t}/{name}.tar", "w", format=tarfile.PAX_FORMAT) as tf:
        for m in members:
            ti = tarfile.TarInfo(m[0]); ti.type = m[1]; ti.mode = m[2]
            data = m[3] if len(m) > 3 and m[3] is not None else b""
            if len(m) > 4: ti.linkname = m[4]
            ti.size = len(data) if ti.type == tarfile.REGTYPE else 0
            tf.addfile(ti, io.BytesIO(data) if ti.type == tarfile.REGTYPE else None)
R, D, L, H = tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE
c = f"{t}/canary"
mk("abs", [(f"{c}/abs", R, 0o644, b"x")])
mk("dotdot", [("usr/" + "../" * 12 + c.lstrip("/") + "/dotdot", R, 0o644, b"x")])
mk("symdir", [("esc", L, 0o777, None, "../../../../../../../../.." + c), ("esc/pwned", R, 0o644, b"x")])
mk("symabs", [("esc", L, 0o777, None, c), ("esc/pwned", R, 0o644, b"x")])
mk("symclimb", [("a/l", L, 0o777, None, "../../x")])
mk("hardabs", [("h", H, 0o644, None, c + "/target")])
mk("hardclimb", [("h", H, 0o644, None, "../../../../../../../.." + c + "/target")])
mk("chardev", [("dev/null", tarfile.CHRTYPE, 0o666)])
mk("blockdev", [("dev/sda", tarfile.BLKTYPE, 0o660)])
mk("setuid", [("usr/bin/su", R, 0o4755, b"su")])
mk("setgid", [("usr/bin/sg", R, 0o2755, b"sg")])
PY
echo target >canary/target
index_before=$(cat "$C/index")
for name in abs dotdot symdir symabs symclimb hardabs hardclimb chardev blockdev setuid setgid; do
	expect_exit "hostile $name.tar refused with exit 2" 2 "$CPOLC" catalog add "$C" --name evil --version 1 "$T/$name.tar"
	expect_match "hostile $name.tar: the message names the member" "$T_ERR" "$name\.tar: error: refused: member '"
done
expect_eq "nothing written outside (canary dir)" "$(ls -A canary)" "target"
expect_eq "the canary file is untouched" "$(cat canary/target)" "target"
expect_eq "nothing added to the index" "$(cat "$C/index")" "$index_before"
expect_eq "no primitive directory for the refused archives" "$(ls "$C/primitives")" "app
big"
expect_exit "catalog still verifies" 0 "$CPOLC" catalog verify "$C"

# ---- malformed JSON everywhere ------------------------------------------------
printf '{"env": "prod",' >bad.json
printf '[1, 2]' >array.json
printf '{"a": 1, "a": 2}' >dup.json
# no crash, non-zero exit, a message naming the file and saying what is wrong
bad_json() { # NAME WANT_REGEX CMD...
	local name=$1 re=$2 rc
	shift 2
	rc=$(status "$@")
	[ -z "${HARDENING_SHOW:-}" ] || echo "# $name: $(head -n 2 "$T/err")"
	if [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ]; then t_ok "$name: non-zero exit, no crash"; else t_fail "$name: non-zero exit, no crash" "exit $rc"; fi
	expect_match "$name: clear error" "$(cat "$T/err")" "$re"
}
bad_json "request -r truncated" "bad\.json.*error" "$CPOLC" eval p.cpol -r bad.json
bad_json "request -r not an object" "array\.json.*error" "$CPOLC" eval p.cpol -r array.json
bad_json "request -r duplicate key" "dup\.json.*error" "$CPOLC" eval p.cpol -r dup.json
bad_json "request on stdin" "error" sh -c "\"$CPOLC\" eval p.cpol -r - <bad.json"
bad_json "-D k:=JSON truncated" "error.*(JSON|json)" "$CPOLC" eval p.cpol -D 'x:={"a":'
bad_json "-D k:=JSON garbage" "error" "$CPOLC" eval p.cpol -D 'x:=[1,,2]'
bad_json "catalog add --meta truncated" "bad\.json.*error" "$CPOLC" catalog add "$C" --name m --version 1 --meta bad.json src
bad_json "catalog add --meta not an object" "array\.json.*error" "$CPOLC" catalog add "$C" --name m --version 1 --meta array.json src
bad_json "set-scan file truncated" "bad\.json.*error" "$CPOLC" catalog set-scan "$C" app 1.0 bad.json
printf '{"critical": "lots"}' >scan.json
bad_json "set-scan file of the wrong shape" "scan\.json.*error" "$CPOLC" catalog set-scan "$C" app 1.0 scan.json
expect_eq "nothing changed in the catalog" "$(cat "$C/index")" "$index_before"

corrupt_cat() { rm -rf c2 && cp -r "$C" c2; }
corrupt_cat && printf '{"cpolCatalog": ' >c2/catalog.json
bad_json "corrupted catalog.json" "catalog\.json.*error" "$CPOLC" eval p.cpol -C c2
corrupt_cat && printf '{"cpolCatalog": 7}' >c2/catalog.json
bad_json "catalog.json of an unknown version" "catalog\.json.*error" "$CPOLC" eval p.cpol -C c2
corrupt_cat && sed -i '2s/\t/\tx\t/' c2/index
bad_json "corrupted index" "index.*error.*malformed|error.*index" "$CPOLC" eval p.cpol -C c2
corrupt_cat && head -c 40 "$C/index" >c2/index
bad_json "truncated index" "index.*error|error.*index" "$CPOLC" eval p.cpol -C c2
corrupt_cat && printf '{"name": "app",' >c2/primitives/app/1.0.json
bad_json "corrupted VERSION.json" "1\.0\.json.*error|error.*metadata" "$CPOLC" build p.cpol -C c2 -o o2 --lock o2.lock --no-cache
bad_json "catalog verify of a corrupted VERSION.json" "error" "$CPOLC" catalog verify c2
rm c2/index
bad_json "corrupted VERSION.json, no index (scan)" "1\.0\.json.*error" "$CPOLC" eval p.cpol -C c2

expect_exit "a good build" 0 "$CPOLC" build p.cpol -C "$C" -o good --lock good.lock --no-cache
cp good.lock broken.lock && printf '{"lockVersion": 1, "policy": ' >broken.lock
bad_json "corrupted lock with --locked" "broken\.lock.*error" "$CPOLC" build p.cpol -C "$C" -o o3 --lock broken.lock --locked --no-cache
bad_json "corrupted lock with verify" "broken\.lock.*error" "$CPOLC" verify --lock broken.lock good
printf '{"lockVersion": 2, "policy": 5}' >shape.lock
bad_json "lock of the wrong shape with verify" "shape\.lock.*error" "$CPOLC" verify --lock shape.lock good

mkdir -p images && cp -r good images/base
printf '{"schemaVersion": 2, "manifests": [' >images/base/index.json
cat >f.cpol <<'P'
policy "f" {
  from "./images/base:p";
  include "app";
}
P
bad_json "corrupted index.json of a from layout" "index\.json.*error|error.*index\.json" "$CPOLC" build f.cpol -C "$C" -o o4 --lock o4.lock --no-cache
printf '{"schemaVersion": 2, "manifests": [{"digest": 7}]}' >images/base/index.json
bad_json "index.json of a from layout of the wrong shape" "error" "$CPOLC" build f.cpol -C "$C" -o o4 --lock o4.lock --no-cache
expect_eq "no image written by the failed from builds" "$(ls -d o4 2>/dev/null)" ""

# ---- builds killed with SIGKILL over a previous good image --------------------
rand() { echo $(($(od -An -N2 -tu2 /dev/urandom) % ($1 + 1))); }
B="-C $C --no-cache -D big:=true"
expect_exit "the first image" 0 "$CPOLC" build p.cpol $B -o img --lock img.lock -D greeting=g0
bad=0 killed=0 old=0
for i in $(seq 1 20); do
	"$CPOLC" build p.cpol $B -o img --lock img.lock -D greeting="g$i" >/dev/null 2>&1 &
	pid=$!
	sleep "0.$(printf %03d "$(rand 300)")" 2>/dev/null || sleep 1
	kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
	wait "$pid" 2>/dev/null
	m=$(manifest_of img)
	if ! blobs_ok img >"$T/why" 2>&1; then
		bad=$((bad + 1)); echo "# run $i: $(cat "$T/why")"; continue
	fi
	if command -v skopeo >/dev/null 2>&1 && ! skopeo inspect "oci:img:p" >/dev/null 2>"$T/why"; then
		bad=$((bad + 1)); echo "# run $i: skopeo: $(head -c 300 "$T/why")"; continue
	fi
	if grep -q "\"manifest\": \"$m\"" img.lock; then
		# the lock matches the image: it must verify
		if ! "$CPOLC" verify --lock img.lock img >/dev/null 2>"$T/why"; then
			bad=$((bad + 1)); echo "# run $i: verify: $(head -c 300 "$T/why")"
		fi
	else
		old=$((old + 1)) # killed between the image and the lock: the new image, the old lock
	fi
done
echo "# $killed of 20 builds killed, $old left a new image with the old lock"
expect_eq "every killed build left a whole image, old or new" "$bad" 0
expect_exit "a build after the kills" 0 "$CPOLC" build p.cpol $B -o img --lock img.lock -D greeting=after
expect_exit "and it verifies" 0 "$CPOLC" verify --lock img.lock img

# ---- four concurrent builds sharing one cache ----------------------------------
for i in 1 2 3 4; do
	"$CPOLC" build p.cpol -C "$C" -D big:=true --cache shared -o "con$i" --lock "con$i.lock" >"con$i.log" 2>&1 &
	eval "pid$i=\$!"
done
for i in 1 2 3 4; do
	eval "wait \$pid$i"
	expect_eq "concurrent build $i succeeded" "$?" 0
done
expect_eq "concurrent builds: identical manifests" \
	"$(for i in 1 2 3 4; do manifest_of "con$i"; done | sort -u | wc -l)" 1
expect_exit "a concurrent build verifies" 0 "$CPOLC" verify --lock con3.lock con3

# ---- a corrupted cache entry -------------------------------------------------------
want=$(manifest_of con1)
for blob in shared/blobs/sha256/*; do
	python3 -c 'import sys; p=sys.argv[1]; d=bytearray(open(p,"rb").read()); d[len(d)//2]^=0x40; open(p,"wb").write(d)' "$blob"
done
expect_exit "build over a corrupted cache" 0 "$CPOLC" build p.cpol -C "$C" -D big:=true --cache shared -o recache --lock recache.lock
expect_eq "the corrupted entries were rebuilt: same image" "$(manifest_of recache)" "$want"
expect_exit "the image is correct" 0 "$CPOLC" verify --lock recache.lock recache
ok=0
for blob in shared/blobs/sha256/*; do [ "$(sha256sum <"$blob" | cut -c1-64)" = "${blob##*/}" ] || ok=1; done
expect_eq "the cache holds good blobs again" "$ok" 0

# ---- a full disk ------------------------------------------------------------------
mkdir full
if mount -t tmpfs -o size=2m tmpfs full 2>/dev/null; then
	trap 'umount "$T/full" 2>/dev/null; t_cleanup' EXIT
	expect_exit "a small image fits" 0 "$CPOLC" build p.cpol -C "$C" --no-cache -o full/img --lock full/img.lock
	small=$(manifest_of full/img)
	rc=$(status "$CPOLC" build p.cpol $B -o full/img --lock full/img.lock)
	if [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ]; then t_ok "full disk: non-zero exit, no crash"; else t_fail "full disk: non-zero exit, no crash" "exit $rc"; fi
	expect_match "full disk: a clear error" "$(cat "$T/err")" "error: .*(No space left|space)"
	expect_eq "full disk: the previous image is still there" "$(manifest_of full/img)" "$small"
	expect_exit "full disk: the previous image still verifies" 0 "$CPOLC" verify --lock full/img.lock full/img
	umount full
elif [ "${CI:-}" = true ]; then
	t_fail "mount a tmpfs for the full-disk test" "mount failed under CI"
else
	echo "ok # SKIP full disk: cannot mount a tmpfs"
fi

# ---- truncated and mutated .cpolb modules -------------------------------------------
expect_exit "compile a module" 0 "$CPOLC" compile "$CPOLC_SRCDIR/tests/golden/eval/basics.cpol" --policy web -o m.cpolb
python3 - m.cpolb mut <<'PY'
import os, random, sys
data = open(sys.argv[1], "rb").read()
os.makedirs(sys.argv[2])
r = random.Random(7)
for i in range(300):
    d = bytearray(data)
    k = i % 3
    if k == 0:
        d = d[:r.randrange(len(d))]
    elif k == 1:
        for _ in range(r.randint(1, 8)):
            d[r.randrange(len(d))] = r.randrange(256)
    else:
        p = r.randrange(8, len(d) - 4)
        d[p:p + 4] = r.choice([b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\xff\xff\xff\x7f", b"\x01\x00\x00\x80"])
    open(f"{sys.argv[2]}/{i:03d}.cpolb", "wb").write(d)
PY
sig=0 codes=
for f in mut/*.cpolb; do
	rc=$(status "$CPOLC" eval "$f" -D env=prod)
	case $rc in 0 | 1 | 2) ;; *) sig=$((sig + 1)); echo "# $f: exit $rc" ;; esac
	codes="$codes $rc"
done
expect_eq "300 mutated modules: exit 0, 1 or 2 only" "$sig" 0
expect_match "most mutations are refused with exit 2" "$codes" " 2 .* 2 "
