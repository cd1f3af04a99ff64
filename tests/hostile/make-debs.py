#!/usr/bin/env python3
"""make-debs.py - write the hostile Debian packages of tests/hostile/deb.

    python3 tests/hostile/make-debs.py     (needs the zstd command)

bomb.deb           data.tar.zst of a few KB that expands to 300 MiB
control-bomb.deb   control.tar.zst whose first member (skipped, so
                   decompressed) is 300 MiB of zeros
folded.deb         a control file of 100,000 continuation lines (folding
                   them took 57 s when each line copied the field so far)
setuid.deb         data.tar holding a setuid file
The output is deterministic (mtime 0, owner 0:0).
"""
import io, os, subprocess, tarfile

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "deb")
BIG = 300 << 20
def control(name):
    return b"Package: %s\nVersion: 1.0\nArchitecture: all\nMaintainer: x <x@example.org>\nDescription: x\n" % name


class Zeros(io.RawIOBase):
    def __init__(self, n):
        self.left = n

    def readable(self):
        return True

    def readinto(self, b):
        n = min(len(b), self.left)
        b[:n] = bytes(n)
        self.left -= n
        return n


def tar(members):
    """members: (name, mode, data bytes or a size of zeros)"""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for name, mode, data in members:
            ti = tarfile.TarInfo(name)
            ti.mode, ti.mtime, ti.uid, ti.gid = mode, 0, 0, 0
            if isinstance(data, int):
                ti.size = data
                tf.addfile(ti, io.BufferedReader(Zeros(data), 1 << 20))
            else:
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def zstd(data):
    return subprocess.run(["zstd", "-q", "-19", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout


def ar(members):
    out = b"!<arch>\n"
    for name, data in members:
        hdr = b"%-16s%-12d%-6d%-6d%-8s%-10d`\n" % (name.encode(), 0, 0, 0, b"100644", len(data))
        out += hdr + data + (b"\n" if len(data) % 2 else b"")
    return out


def deb(name, control_tar, data_tar):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(ar([("debian-binary", b"2.0\n"), ("control.tar.zst", zstd(control_tar)),
                    ("data.tar.zst", zstd(data_tar))]))


small_data = tar([("./usr/bin/x", 0o755, b"x\n")])
deb("bomb.deb", tar([("./control", 0o644, control(b"bomb"))]), tar([("./usr/share/zeros", 0o644, BIG)]))
deb("control-bomb.deb", tar([("./junk", 0o644, BIG), ("./control", 0o644, control(b"cbomb"))]), small_data)
folded = control(b"folded") + b"Depends: a,\n" + b" b,\n" * 100000 + b" c\n"
deb("folded.deb", tar([("./control", 0o644, folded)]), small_data)
deb("setuid.deb", tar([("./control", 0o644, control(b"suid"))]), tar([("./usr/bin/su", 0o4755, b"su\n")]))

# tests/hostile/tar: archives given to `catalog add`
TAR = os.path.join(os.path.dirname(HERE), "tar")
os.makedirs(TAR, exist_ok=True)
with open(os.path.join(TAR, "bomb.tar.zst"), "wb") as f:
    f.write(zstd(tar([("usr/share/zeros", 0o644, BIG)])))
with open(os.path.join(TAR, "setuid.tar"), "wb") as f:
    f.write(tar([("usr/bin/su", 0o4755, b"su\n")]))
with open(os.path.join(TAR, "absolute.tar"), "wb") as f:
    f.write(tar([("/tmp/cpolc-hostile-canary/abs", 0o644, b"x\n")]))
