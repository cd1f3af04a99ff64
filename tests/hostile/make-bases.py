#!/usr/bin/env python3
"""make-bases.py - write the lying `from` images of tests/hostile/base.

    python3 tests/hostile/make-bases.py     (needs the zstd command)

Each NAME.oci is an OCI image layout (linux/amd64, tag "latest") with one
layer, changed to lie in one way; good.oci is the control. Deterministic.
"""
import gzip, hashlib, io, json, os, shutil, subprocess, tarfile

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "base")
GZ = "application/vnd.oci.image.layer.v1.tar+gzip"
ZS = "application/vnd.oci.image.layer.v1.tar+zstd"


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def layer_tar(zeros=0):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        ti = tarfile.TarInfo("etc/base-release")
        ti.mode, ti.mtime, data = 0o644, 0, b"base 1\n"
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))
        if zeros:
            ti = tarfile.TarInfo("usr/share/zeros")
            ti.mode, ti.mtime, ti.size = 0o644, 0, zeros
            tf.addfile(ti, io.BytesIO(bytes(zeros)))
    return buf.getvalue()


def blob(root, data):
    dg = sha(data)
    with open(os.path.join(root, "blobs/sha256", dg[7:]), "wb") as f:
        f.write(data)
    return dg


def jdump(o):
    return json.dumps(o, sort_keys=True, separators=(",", ":")).encode()


def image(name, mt=GZ, size=None, diff_id=None, zeros=0, fix=None):
    root = os.path.join(HERE, name + ".oci")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, "blobs/sha256"))
    tar = layer_tar(zeros)
    if mt == GZ:
        comp = gzip.compress(tar, mtime=0)
    else:
        comp = subprocess.run(["zstd", "-q", "-19", "-c"], input=tar, stdout=subprocess.PIPE, check=True).stdout
    ldg = blob(root, comp)
    size = len(comp) if size is None else size
    cfg = {"architecture": "amd64", "os": "linux", "config": {"Env": ["PATH=/usr/bin:/bin"]},
           "rootfs": {"type": "layers", "diff_ids": [diff_id or sha(tar)]},
           "history": [{"created_by": "make-bases.py"}]}
    cbytes = jdump(cfg)
    cdg = blob(root, cbytes)
    man = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cdg, "size": len(cbytes)},
           "layers": [{"mediaType": mt, "digest": ldg, "size": size}]}
    mbytes = jdump(man)
    mdg = blob(root, mbytes)
    idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
           "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mdg,
                          "size": len(mbytes), "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}
    with open(os.path.join(root, "index.json"), "wb") as f:
        f.write(jdump(idx))
    with open(os.path.join(root, "oci-layout"), "wb") as f:
        f.write(b'{"imageLayoutVersion":"1.0.0"}')
    if fix:
        fix(root, ldg, cdg)


def blob_path(root, dg):
    return os.path.join(root, "blobs/sha256", dg[7:])


def layer_symlink(root, ldg, cdg):
    """the layer blob becomes a symlink to the same bytes outside blobs/"""
    os.rename(blob_path(root, ldg), os.path.join(root, "layer.bin"))
    os.symlink("../../layer.bin", blob_path(root, ldg))


def config_dev_zero(root, ldg, cdg):
    os.remove(blob_path(root, cdg))
    os.symlink("/dev/zero", blob_path(root, cdg))


def layer_fifo(root, ldg, cdg):
    """the layer blob is to be a FIFO: git cannot hold one, the test's setup makes it"""
    os.remove(blob_path(root, ldg))
    with open(os.path.join(root, "fifo-name"), "w") as f:
        f.write(ldg[7:] + "\n")


def layer_dev_zero(root, ldg, cdg):
    os.remove(blob_path(root, ldg))
    os.symlink("/dev/zero", blob_path(root, ldg))


image("good")
image("size-negative", size=-5)
image("size-wrong", size=1)
image("diff-id-wrong", diff_id="sha256:" + "0" * 64)
image("media-type-evil", mt="text/evil+zstd")
image("layer-symlink", fix=layer_symlink)
image("config-dev-zero", fix=config_dev_zero)
image("layer-dev-zero", fix=layer_dev_zero)
image("layer-fifo", fix=layer_fifo)
image("layer-bomb", mt=ZS, zeros=300 << 20)
