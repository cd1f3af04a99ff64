hello.oci/index.json: \
  /work/main/stdlib/security.cpol \
  catalog/blobs/sha256/0e06b96deab78a41dd7b4586f81cca48439be3f26a545742366236c0b6b14a37 \
  catalog/blobs/sha256/0e4fc0d94988fa4356577cd0929256538672b9fdb8d1a8b08bdc17d1ea9f37ef \
  catalog/blobs/sha256/60d5777ccde00f0240976f8c7282e830628378a0f04fc41ad946b8605234bc02 \
  catalog/blobs/sha256/712726cb064703d2420baa43aa38b3ea0bbb46ef05c68214764ef2d954209817 \
  catalog/primitives/gcc-12-base \
  catalog/primitives/gcc-12-base/12.2.0-14+deb12u1.json \
  catalog/primitives/hello \
  catalog/primitives/hello/2.10-3.json \
  catalog/primitives/libc6 \
  catalog/primitives/libc6/2.36-9+deb12u14.json \
  catalog/primitives/libgcc-s1 \
  catalog/primitives/libgcc-s1/12.2.0-14+deb12u1.json \
  hello.cpol \
  request.json

/work/main/stdlib/security.cpol:

catalog/blobs/sha256/0e06b96deab78a41dd7b4586f81cca48439be3f26a545742366236c0b6b14a37:

catalog/blobs/sha256/0e4fc0d94988fa4356577cd0929256538672b9fdb8d1a8b08bdc17d1ea9f37ef:

catalog/blobs/sha256/60d5777ccde00f0240976f8c7282e830628378a0f04fc41ad946b8605234bc02:

catalog/blobs/sha256/712726cb064703d2420baa43aa38b3ea0bbb46ef05c68214764ef2d954209817:

catalog/primitives/gcc-12-base:

catalog/primitives/gcc-12-base/12.2.0-14+deb12u1.json:

catalog/primitives/hello:

catalog/primitives/hello/2.10-3.json:

catalog/primitives/libc6:

catalog/primitives/libc6/2.36-9+deb12u14.json:

catalog/primitives/libgcc-s1:

catalog/primitives/libgcc-s1/12.2.0-14+deb12u1.json:

hello.cpol:

request.json:
