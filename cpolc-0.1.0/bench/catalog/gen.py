#!/usr/bin/env python3
"""gen.py CPOLC DIR [NAMES] [VERSIONS] - generate a synthetic catalog of
NAMES x VERSIONS primitives (default 1000 x 10 = 10,000) for the benchmark.

One real primitive is added with 'cpolc catalog add' to get a real content
blob; the other metadata files are written directly (sharing that content,
which the catalog allows) and 'cpolc catalog reindex' builds the index.
Dependencies point to lower-numbered names (plus the libc <-> libgcc cycle),
with version constraints, alternatives and virtual names, from a fixed seed.
"""
import json, os, random, subprocess, sys

cpolc, root = sys.argv[1], sys.argv[2]
names = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
versions = int(sys.argv[4]) if len(sys.argv) > 4 else 10
rng = random.Random(42)

subprocess.run([cpolc, "catalog", "init", root], check=True)
seed_dir = os.path.join(root, ".seed")
os.makedirs(os.path.join(seed_dir, "usr/bin"), exist_ok=True)
with open(os.path.join(seed_dir, "usr/bin/tool"), "w") as f:
    f.write("#!/bin/sh\necho tool\n")
subprocess.run([cpolc, "catalog", "add", root, "--name", "seed", "--version", "1", seed_dir], check=True)
with open(os.path.join(root, "primitives/seed/1.json")) as f:
    seed = json.load(f)
content, size = seed["content"], seed["size"]

def name(i):
    return "libc6" if i == 0 else "libgcc-s1" if i == 1 else f"pkg-{i:04d}"

for i in range(names):
    d = os.path.join(root, "primitives", name(i))
    os.makedirs(d, exist_ok=True)
    for v in range(versions):
        ver = f"{v // 3}.{v % 3}.{rng.randrange(10)}-{v + 1}"
        if v == versions - 1:
            ver = f"1:{ver}"
        deps = []
        if i == 0:
            deps = ["libgcc-s1"]
        elif i == 1:
            deps = ["libc6 (>= 0.1)"]
        else:
            for _ in range(rng.randrange(1, 5)):
                j = rng.randrange(0, i)
                if rng.random() < 0.3:
                    deps.append(f"{name(j)} (>= 0.{rng.randrange(3)})")
                elif rng.random() < 0.2:
                    deps.append(f"virt-{j % 50} | {name(j)}")
                else:
                    deps.append(name(j))
        m = {"name": name(i), "version": ver, "kind": "library" if i < 100 else "executable",
             "content": content, "size": size, "depends": deps,
             "platform": {"os": "linux", "architecture": "amd64" if v % 5 else "arm64"},
             "license": "MIT",
             "scan": {"scanner": "grype", "critical": rng.randrange(2), "high": rng.randrange(5),
                      "medium": 0, "low": 0, "cves": []}}
        if i % 20 == 0 and i > 1:
            m["provides"] = [f"virt-{(i // 20) % 50} (= {ver})"]
        fn = ver.replace(":", "%3a") + ".json"
        with open(os.path.join(d, fn), "w") as f:
            f.write(json.dumps(m, sort_keys=True, indent=2) + "\n")
subprocess.run([cpolc, "catalog", "reindex", root], check=True)
