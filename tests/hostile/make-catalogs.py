#!/usr/bin/env python3
"""make-catalogs.py - write the hand-made hostile catalogs of tests/hostile/catalog.

Each NAME.cat is a consistent catalog (catalog.json, index, metadata and
blob all agree) holding one primitive, "evil" 1.0, whose tar breaks a
member rule of cpolc(1). `catalog add` would refuse these tars; the
catalogs are written directly, as an attacker would. Run from anywhere:
    python3 tests/hostile/make-catalogs.py
The output is deterministic (mtime 0, owner 0:0, sorted keys).
"""
import hashlib, io, json, os, shutil, tarfile

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "catalog")
CANARY = "/tmp/cpolc-hostile-canary"
R, D, L, H, C = tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE

CASES = {
    # the example: a setuid file, an absolute path, a symlink out
    "issue-example": [("usr/bin/su", R, 0o4755, b"su"), (CANARY + "/abs", R, 0o644, b"x"),
                      ("etc/shadow-link", L, 0o777, None, "../../../../etc/shadow")],
    "setuid": [("usr/bin/su", R, 0o4755, b"su")],
    "setgid": [("usr/bin/sg", R, 0o2755, b"sg")],
    "absolute": [(CANARY + "/abs", R, 0o644, b"x")],
    "dotdot": [("usr/../../../../../.." + CANARY + "/dotdot", R, 0o644, b"x")],
    "symlink-climbs": [("etc/shadow-link", L, 0o777, None, "../../../../etc/shadow")],
    "chardev": [("dev/null", C, 0o666, None)],
    "hardlink-out": [("h", H, 0o644, None, "../../../../etc/shadow")],
    "through-symlink": [("esc", L, 0o777, None, CANARY), ("esc/pwned", R, 0o644, b"x")],
}


def tar_bytes(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for m in members:
            ti = tarfile.TarInfo(m[0])
            ti.type, ti.mode, ti.mtime, ti.uid, ti.gid = m[1], m[2], 0, 0, 0
            data = m[3] if len(m) > 3 and m[3] is not None else b""
            if len(m) > 4:
                ti.linkname = m[4]
            ti.size = len(data) if ti.type == R else 0
            tf.addfile(ti, io.BytesIO(data) if ti.type == R else None)
    return buf.getvalue()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def make(name, members, allow=None):
    root = os.path.join(HERE, name + ".cat")
    shutil.rmtree(root, ignore_errors=True)
    tar = tar_bytes(members)
    digest = "sha256:" + hashlib.sha256(tar).hexdigest()
    size = sum(len(m[3]) for m in members if m[1] == R)
    meta = {"content": digest, "kind": "executable", "name": "evil", "size": size, "version": "1.0"}
    if allow:
        meta["allow"] = allow
    mtext = (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode()
    mdigest = "sha256:" + hashlib.sha256(mtext).hexdigest()
    write(os.path.join(root, "catalog.json"), b'{"cpolCatalog": 1}\n')
    write(os.path.join(root, "blobs/sha256", digest[7:]), tar)
    write(os.path.join(root, "primitives/evil/1.0.json"), mtext)
    line = "\t".join(["evil", "1.0", "executable", digest, mdigest, str(size), "", "", "", "", ""])
    write(os.path.join(root, "index"), ("cpolc-index 1\n" + line + "\n").encode())


for n, m in CASES.items():
    make(n, m)
# the control: setuid allowed by the metadata passes verify and build
make("setuid-allowed", CASES["setuid"], allow=["setuid"])
