#!/bin/sh
# verify_trust.sh - what build and verify must not take on a file's word: a
# compiled module swapped for another whose stored source digests were
# patched, locks with fields missing, of the wrong type or naming no module,
# digests that are paths, and layer cache entries rewritten to name another
# blob. Each check here failed before its fix (issue 12).
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
T=$T_TMP
cd "$T" || exit 1
unset SOURCE_DATE_EPOCH CPOL_PATH
need_tool python3 || exit 0

# exit status as the shell sees it (>= 128: killed by a signal)
status() { "$@" >"$T/out" 2>"$T/err" </dev/null; echo $?; }
# refused NAME CODE REGEX CMD...: exit CODE (no crash), stderr matches REGEX
refused() {
	local name=$1 code=$2 re=$3 rc
	shift 3
	rc=$(status "$@")
	expect_eq "$name: exit $code" "$rc" "$code"
	expect_match "$name: says why" "$(cat "$T/err")" "$re"
}
# mutate IN OUT PYTHON: OUT is the JSON of IN after the statement PYTHON on j
mutate() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(j, open(sys.argv[2], "w"), indent=2)
PY
}

"$CPOLC" catalog init cat >/dev/null || exit 1
mkdir -p src/usr/bin && printf '#!/bin/sh\necho app\n' >src/usr/bin/app && chmod 755 src/usr/bin/app
"$CPOLC" catalog add cat --name app --version 1.0 src >/dev/null || exit 1
mkdir -p src2/usr/share && printf 'other\n' >src2/usr/share/other
"$CPOLC" catalog add cat --name other --version 1.0 src2 >/dev/null || exit 1
cat >real.cpol <<'P'
policy "p" {
  include "app";
  admit p if (p.scan.critical ?? 0) == 0;
}
P

# ---- finding 2: a compiled module is run only if it is the one the lock names ----
mkdir evil && sed '/admit/d' real.cpol >evil/real.cpol
expect_exit "compile the real module" 0 "$CPOLC" compile real.cpol -o m.cpolb
expect_exit "build from it" 0 "$CPOLC" build m.cpolb -C cat -o img --lock img.lock --no-cache
expect_exit "verify passes" 0 "$CPOLC" verify --lock img.lock img
printf '{"critical": 1, "high": 0, "medium": 0, "low": 0, "cves": []}\n' >crit.json
expect_exit "a critical CVE on app" 0 "$CPOLC" catalog set-scan cat app 1.0 crit.json
refused "the real module refuses app now" 4 "no longer passes the admit filter" \
	"$CPOLC" verify --lock img.lock img
# the attacker's module: the policy without its admit filter, compiled from
# a file of the same name, its stored source digest patched to the real one
(cd evil && "$CPOLC" compile real.cpol -o ../evil.cpolb) || t_fail "compile the evil module"
python3 - <<'PY' || t_fail "patch the evil module"
import hashlib
real = hashlib.sha256(open("real.cpol", "rb").read()).hexdigest().encode()
fake = hashlib.sha256(open("evil/real.cpol", "rb").read()).hexdigest().encode()
data = open("evil.cpolb", "rb").read()
assert data.count(fake) == 1
open("evil.cpolb", "wb").write(data.replace(fake, real))
PY
cp m.cpolb m.cpolb.real && cp evil.cpolb m.cpolb
expect_exit "the patched module claims the real source" 0 sh -c \
	"'$CPOLC' disasm m.cpolb | grep -q \"real.cpol sha256:\$(sha256sum real.cpol | cut -c1-64)\""
refused "verify refuses a module other than the lock's" 4 \
	"compiled module '.*m\.cpolb' is not the one the lock names" "$CPOLC" verify --lock img.lock img
expect_eq "and did not run it" "$(grep -c 'admit filter' "$T/err")" "0"
cp m.cpolb.real m.cpolb

# ---- finding 12 (lock part) and 13: every lock field checked -----------------------
printf '{}\n' >empty.json
"$CPOLC" catalog set-scan cat app 1.0 empty.json >/dev/null 2>&1
expect_exit "verify passes again" 0 "$CPOLC" verify --lock img.lock img
# bad_lock NAME REGEX PYTHON: the lock mutated so is refused (exit 2) saying REGEX
bad_lock() {
	mutate img.lock bad.lock "$3"
	refused "$1" 2 "$2" "$CPOLC" verify --lock bad.lock img
}
bad_lock "a primitive without a digest" "primitives\[0\]\.digest is missing" \
	'del j["primitives"][0]["digest"]'
bad_lock "a primitive without a layer" "primitives\[0\]\.layer is missing" 'del j["primitives"][0]["layer"]'
bad_lock "a layer size that is a string" "primitives\[0\]\.layer\.size must be an integer" \
	'j["primitives"][0]["layer"]["size"] = "161"'
bad_lock "a module digest that is a number" "modules\[0\]\.digest must be a digest" \
	'j["modules"][0]["digest"] = 5'
bad_lock "no modules: nothing to re-check" "modules is empty" 'j["modules"] = []'
bad_lock "no modules key" "modules is missing" 'del j["modules"]'
bad_lock "a layer digest that is a path" "primitives\[0\]\.layer\.digest must be a digest" \
	'j["primitives"][0]["layer"]["digest"] = "sha256:" + "/" * 47 + "../../../etc/shadow"'
bad_lock "a manifest digest in capitals" "image\.manifest must be a digest" \
	'j["image"]["manifest"] = j["image"]["manifest"].upper().replace("SHA256", "sha256")'
bad_lock "a program without its digest" "program\.digest is missing" 'del j["program"]["digest"]'
bad_lock "a request that is a list" "request must be an object" 'j["request"] = []'
bad_lock "a version 1 lock" "is not a version 3 or 2 lock file" 'j["lockVersion"] = 1'

# ---- finding 13: a layer digest that is a path is never opened ---------------------
# a layout whose manifest names the layer "sha256:////...//../../../SECRET",
# and a lock that names that manifest: verify must refuse the digest, not
# read the file it names
printf 'top secret\n' >"$T/SECRET"
python3 - "$T" <<'PY' || t_fail "make the traversal layout"
import hashlib, json, os, shutil, sys
t = sys.argv[1]
shutil.copytree(f"{t}/img", f"{t}/trav")
def put(obj):
    data = json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()
    dg = hashlib.sha256(data).hexdigest()
    open(f"{t}/trav/blobs/sha256/{dg}", "wb").write(data)
    return "sha256:" + dg, len(data)
idx = json.load(open(f"{t}/trav/index.json"))
mdg = idx["manifests"][0]["digest"]
man = json.load(open(f"{t}/trav/blobs/sha256/{mdg[7:]}"))
rel = "../../../SECRET"  # from trav/blobs/sha256: the test directory
bad = "sha256:" + "/" * (64 - len(rel)) + rel
assert len(bad) == 71, len(bad)
man["layers"][0]["digest"] = bad
dg, size = put(man)
idx["manifests"][0]["digest"] = dg
idx["manifests"][0]["size"] = size
json.dump(idx, open(f"{t}/trav/index.json", "w"))
lock = json.load(open(f"{t}/img.lock"))
lock["image"]["manifest"] = dg
json.dump(lock, open(f"{t}/trav.lock", "w"))
PY
refused "verify refuses a layer digest that is a path" 4 "layer with a malformed digest" \
	"$CPOLC" verify --lock trav.lock trav
expect_eq "and never hashed the file it names" "$(grep -c 'does not match' "$T/err")" "0"

# ---- finding 3: a cache entry rewritten to name another blob -----------------------
cat >two.cpol <<'P'
policy "two" { include "app"; include "other"; }
P
cat >one.cpol <<'P'
policy "one" { include "app"; }
P
expect_exit "fill a cache" 0 "$CPOLC" build two.cpol -C cat -o two.oci --lock two.lock --cache cache
# the attacker copies the entry of other's layer over app's, keeping app's
# recipe (the entry of a key says what it was made of): every digest stays
# right, only the binding of app's content to its layer is a lie
python3 - "$T" <<'PY' || t_fail "poison the cache"
import json, os, sys
t = sys.argv[1]
lock = json.load(open(f"{t}/two.lock"))
layer = {p["name"]: p["layer"]["digest"] for p in lock["primitives"]}
d = f"{t}/cache/layers"
entries = {n: json.load(open(f"{d}/{n}")) for n in os.listdir(d)}
app = [n for n, e in entries.items() if e["digest"] == layer["app"]][0]
other = [n for n, e in entries.items() if e["digest"] == layer["other"]][0]
for k in ("digest", "diffId", "size", "stamp"):
    entries[app][k] = entries[other][k]
json.dump(entries[app], open(f"{d}/{app}", "w"))
PY
expect_exit "a build takes the poisoned entry (the cache trusts its writer)" 0 \
	"$CPOLC" build one.cpol -C cat -o one.oci --lock one.lock --cache cache
refused "verify derives app's layer from the catalog and refuses it" 4 \
	"layer 0 of the image is not the one cpolc makes of app 1\.0" "$CPOLC" verify --lock one.lock one.oci
expect_exit "a build without the cache" 0 "$CPOLC" build one.cpol -C cat -o one.oci --lock one.lock --no-cache
expect_exit "verifies" 0 "$CPOLC" verify --lock one.lock one.oci

# ---- verify accounts for every layer ------------------------------------------------
# a layer added to the image and the lock's manifest digest updated to match
python3 - "$T" <<'PY' || t_fail "add a layer"
import hashlib, json, shutil, sys
t = sys.argv[1]
shutil.copytree(f"{t}/two.oci", f"{t}/extra.oci")
b = f"{t}/extra.oci/blobs/sha256"
def blob(dg): return json.load(open(f"{b}/{dg[7:]}"))
def put(obj):
    data = json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()
    dg = hashlib.sha256(data).hexdigest()
    open(f"{b}/{dg}", "wb").write(data)
    return "sha256:" + dg, len(data)
idx = json.load(open(f"{t}/extra.oci/index.json"))
man = blob(idx["manifests"][0]["digest"])
cfg = blob(man["config"]["digest"])
man["layers"].append(man["layers"][1])
cfg["rootfs"]["diff_ids"].append(cfg["rootfs"]["diff_ids"][1])
man["config"]["digest"], man["config"]["size"] = put(cfg)
idx["manifests"][0]["digest"], idx["manifests"][0]["size"] = put(man)
json.dump(idx, open(f"{t}/extra.oci/index.json", "w"))
lock = json.load(open(f"{t}/two.lock"))
lock["image"]["manifest"] = idx["manifests"][0]["digest"]
lock["image"]["config"] = man["config"]["digest"]
json.dump(lock, open(f"{t}/extra.lock", "w"))
PY
expect_exit "the real image verifies" 0 "$CPOLC" verify --lock two.lock two.oci
refused "a layer no primitive accounts for" 4 "layer 2 of the image \(sha256:[0-9a-f]*\) comes from no primitive" \
	"$CPOLC" verify --lock extra.lock extra.oci
# layers derived at the build's SOURCE_DATE_EPOCH, which the lock records
expect_exit "a build at an epoch" 0 env SOURCE_DATE_EPOCH=1700000000 "$CPOLC" build two.cpol -C cat -o ep.oci \
	--lock ep.lock --no-cache
expect_exit "verifies" 0 "$CPOLC" verify --lock ep.lock ep.oci
mutate ep.lock ep2.lock 'j["image"]["epoch"] = 0'
refused "a lock that lies about the epoch" 4 "layer [01] of the image is not the one cpolc makes" \
	"$CPOLC" verify --lock ep2.lock ep.oci
mutate ep.lock ep3.lock 'j["image"]["layerFormat"] = 3'
refused "a lock of another layer format" 4 "the lock's layers are of layer format 3" \
	"$CPOLC" verify --lock ep3.lock ep.oci

# ---- finding 13: the text of a file that is not a policy source is never shown -----
# stderr_on_tty CMD...: run CMD with its stderr on a terminal (so that
# diagnostics come with caret lines), print what it wrote there
stderr_on_tty() {
	python3 - "$@" <<'PY'
import os, pty, subprocess, sys
m, s = pty.openpty()
p = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=s)
os.close(s)
out = b""
while True:
    try:
        d = os.read(m, 65536)
    except OSError:
        break
    if not d:
        break
    out += d
sys.stdout.buffer.write(out)
PY
}
printf 'root:$6$TOPSECRETHASH:19000:0:99999:7:::\n' >"$T/shadow"
printf 'import "%s/shadow" as s;\npolicy "d" { }\n' "$T" >imp.cpol
ln -s shadow link.cpol
printf 'import "./link.cpol" as s;\npolicy "d" { }\n' >lnk.cpol
printf 'x\377 TOPSECRETHASH\n' >bin.cpol
printf 'import "./bin.cpol" as s;\npolicy "d" { }\n' >bin-imp.cpol
for p in imp lnk bin-imp; do
	expect_exit "lint --caret $p.cpol fails" 1 "$CPOLC" lint --caret $p.cpol
	expect_eq "and shows nothing of the file" "$(printf '%s' "$T_ERR" | grep -ac TOPSECRET)" "0"
done
expect_match "import of a file that is not a policy source" "$(stderr_on_tty "$CPOLC" lint imp.cpol)" \
	"'$T/shadow' is not a policy source"
expect_match "a link to one" "$(stderr_on_tty "$CPOLC" lint lnk.cpol)" "'link\.cpol' is not a policy source"
mutate img.lock shadow.lock "j['modules'][0]['path'] = '$T/shadow'; del j['program']"
out=$(stderr_on_tty "$CPOLC" verify --lock shadow.lock img)
expect_match "verify of a lock naming it as a module says so" "$out" "is not a policy source"
expect_eq "and shows nothing of it" "$(printf '%s' "$out" | grep -ac TOPSECRET)" "0"
mutate img.lock shadow.lock "j['program']['path'] = '$T/shadow'"
out=$(stderr_on_tty "$CPOLC" verify --lock shadow.lock img)
expect_match "nor as a compiled module" "$out" "is not a compiled module"
expect_eq "and shows nothing of it" "$(printf '%s' "$out" | grep -ac TOPSECRET)" "0"

# ---- finding 6: cache prune and build never follow a link out of the cache -----------
mkdir victims && printf 'keep\n' >victims/passwd && printf 'keep\n' >"victims/$(printf x | sha256sum | cut -c1-64)"
mkdir -p lc/blobs && ln -s "$T/victims" lc/checks && ln -s "$T/victims" lc/scans && ln -s "$T/victims" lc/tmp
ln -s "$T/victims" lc/blobs/sha256
expect_exit "cache prune of a cache with links in it fails" 2 "$CPOLC" cache prune --cache lc --max-size 0
expect_match "naming the link" "$T_ERR" "cache directory 'lc/[a-z/0-9]*' is a symbolic link"
expect_eq "and removes nothing outside" "$(ls victims | wc -l)" "2"
refused "a build with such a cache" 2 "is a symbolic link" "$CPOLC" build one.cpol -C cat -o lc.oci --lock lc.lock \
	--cache lc
expect_eq "writes nothing there" "$(ls victims | wc -l)" "2"
mkdir -p wc && chmod 777 wc
refused "a cache every user may write" 2 "refusing to use cache directory 'wc': every user may write to it" \
	"$CPOLC" build one.cpol -C cat -o wc.oci --lock wc.lock --cache wc
