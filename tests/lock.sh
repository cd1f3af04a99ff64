#!/bin/sh
# lock.sh - locks that travel and --locked that tells a change of the
# resolution or of the image from one of the inputs alone (issue 15): the
# same inputs give the same lock bytes from any working directory, verify
# works on a moved checkout, each tag of a policy keeps its lock, a scan
# update is a note for --locked and a failure for --locked-strict, and a
# changed image is reported by what changed in it.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
T=$T_TMP
cd "$T" || exit 1
unset SOURCE_DATE_EPOCH CPOL_PATH
CPOLC_CACHE=$T/cache
export CPOLC_CACHE

mkdir -p tree/src/usr/bin tree/src2/usr/share tree/out tree/policies elsewhere/deeper
printf '#!/bin/sh\necho app\n' >tree/src/usr/bin/app && chmod 755 tree/src/usr/bin/app
printf 'other\n' >tree/src2/usr/share/other
"$CPOLC" catalog init tree/cat >/dev/null || exit 1
"$CPOLC" catalog add tree/cat --name app --version 1.0 tree/src >/dev/null || exit 1
"$CPOLC" catalog add tree/cat --name other --version 1.0 tree/src2 >/dev/null || exit 1
cat >tree/policies/p.cpol <<'EOF'
policy "p" {
  include "app";
  include "other";
  entrypoint ["/usr/bin/app"];
}
EOF

# ---- one lock, from any working directory -------------------------------------
expect_exit "build from the tree's top" 0 sh -c "cd tree && '$CPOLC' build policies/p.cpol -C cat \
	-o out/p.oci --lock out/p.lock"
cp tree/out/p.lock top.lock
expect_exit "build from elsewhere" 0 sh -c "cd elsewhere/deeper && '$CPOLC' build ../../tree/policies/p.cpol \
	-C ../../tree/cat -o ../../tree/out/p.oci --lock ../../tree/out/p.lock"
if cmp -s top.lock tree/out/p.lock; then t_ok "the same lock, byte for byte"; else
	t_fail "the same lock, byte for byte" "$(diff top.lock tree/out/p.lock)"; fi
expect_exit "build with absolute paths" 0 "$CPOLC" build "$T/tree/policies/p.cpol" -C "$T/tree/cat" \
	-o "$T/tree/out/p.oci" --lock "$T/tree/out/p.lock"
if cmp -s top.lock tree/out/p.lock; then t_ok "... absolute paths too"; else
	t_fail "... absolute paths too" "$(diff top.lock tree/out/p.lock)"; fi
expect_match "paths are from the lock's directory" "$(cat top.lock)" '"path": "\.\./policies/p\.cpol"'
expect_match "... the catalog's" "$(cat top.lock)" '"path": "\.\./cat"'
expect_match "... and the reason's file" "$(cat top.lock)" '"reason": "include at \.\./policies/p\.cpol:2:3"'
expect_match "version 3" "$(cat top.lock)" '"lockVersion": 3'

# ---- verify on a moved checkout --------------------------------------------------
mv tree moved
expect_exit "verify the moved tree from elsewhere" 0 sh -c "cd elsewhere && '$CPOLC' verify \
	--lock ../moved/out/p.lock ../moved/out/p.oci"
expect_exit "... and from the lock's directory" 0 sh -c "cd moved/out && '$CPOLC' verify --lock p.lock p.oci"
printf '# edited\n' >>moved/policies/p.cpol
expect_exit "the moved policy is the one checked" 4 "$CPOLC" verify --lock moved/out/p.lock moved/out/p.oci
expect_match "... named as the lock names it" "$T_ERR" \
	"policy module '\.\./policies/p\.cpol' changed since the build"
sed -i '$d' moved/policies/p.cpol
mv moved tree

# a version 2 lock: its paths are from where the build ran (here the tree's top)
python3 - tree/out/p.lock v2.lock <<'PY' || exit 1
import json, sys
j = json.load(open(sys.argv[1]))
j["lockVersion"] = 2
j["modules"][0]["path"] = "policies/p.cpol"
j["catalogs"][0]["path"] = "cat"
json.dump(j, open(sys.argv[2], "w"), indent=2)
PY
cp v2.lock tree/out/v2.lock
expect_exit "verify still reads a version 2 lock" 0 sh -c "cd tree && '$CPOLC' verify --lock out/v2.lock out/p.oci"
expect_exit "... from the lock's directory too, as before" 0 sh -c "cd tree/out && '$CPOLC' verify --lock v2.lock p.oci"

# ---- the default lock path holds the tag ------------------------------------------
cp tree/policies/p.cpol tp.cpol
expect_exit "build tag one" 0 "$CPOLC" build tp.cpol -C tree/cat -o tags.oci --tag one
expect_exit "build tag two" 0 "$CPOLC" build tp.cpol -C tree/cat -D x=1 -o tags.oci --tag two
expect_eq "two locks" "$(ls tp*.lock)" "tp@one.lock
tp@two.lock"
expect_exit "each verifies" 0 "$CPOLC" verify --lock tp@one.lock tags.oci:one
expect_exit "... the other" 0 "$CPOLC" verify --lock tp@two.lock tags.oci:two
expect_exit "--locked finds the tag's lock" 0 "$CPOLC" build tp.cpol -C tree/cat -D x=1 -o tags.oci --tag two --locked
expect_exit "without --tag, POLICY.lock" 0 "$CPOLC" build tp.cpol -C tree/cat -o tags.oci
expect_eq "... beside them" "$(ls tp*.lock | wc -l)" 3
expect_exit "a tag that cannot be a file name" 2 "$CPOLC" build tp.cpol -C tree/cat -o bad.oci --tag 'a/../../x'
expect_match "... is refused" "$T_ERR" "the tag cannot be part of the lock file's name.*--lock FILE"
expect_eq "... before anything is written" "$(ls -d bad.oci x* 2>/dev/null)" ""
expect_exit "... unless --lock names the file" 0 "$CPOLC" build tp.cpol -C tree/cat -o bad.oci --tag 'a/b' \
	--lock bad.lock

# ---- --locked: the resolution and the image, not the metadata -----------------------
cd tree || exit 1
cp out/p.lock out/before.lock
cp out/p.lock out/prescan.lock
cat >osv.json <<'EOF'
[{"id": "CVE-2099-0042", "affected": [{"package": {"name": "other"}, "versions": ["1.0"]}],
  "database_specific": {"severity": "LOW"}}]
EOF
expect_exit "a scan update" 0 "$CPOLC" catalog import-scan cat osv.json --format osv
expect_exit "--locked-strict fails on it" 4 "$CPOLC" build policies/p.cpol -C cat -o out/p.oci --lock out/p.lock \
	--locked-strict
expect_match "... naming the metadata" "$T_ERR" "^primitive 'other': metadata digest sha256:[0-9a-f]{64} -> sha256:"
expect_exit "--locked accepts it" 0 "$CPOLC" build policies/p.cpol -C cat -o out/p.oci --lock out/p.lock --locked
expect_match "... with a note" "$T_ERR" "out/p\.lock: note: inputs changed, the resolution did not:"
expect_match "... naming the metadata" "$T_ERR" "^primitive 'other' 1\.0: metadata sha256:[0-9a-f]{64} -> sha256:"
expect_eq "the same image" "$(manifest_digest out/p.oci p)" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["image"]["manifest"])' out/before.lock)"
expect_exit "and the lock records the new metadata" 1 cmp -s out/p.lock out/before.lock
expect_exit "which verifies" 0 "$CPOLC" verify --lock out/p.lock out/p.oci

cp out/p.lock out/before.lock
cp out/p.oci/index.json index.before
sed -i 's|entrypoint \["/usr/bin/app"\]|entrypoint ["/usr/bin/app", "--x"]|' policies/p.cpol
expect_exit "--locked fails when the image would change" 4 "$CPOLC" build policies/p.cpol -C cat -o out/p.oci \
	--lock out/p.lock --locked
expect_match "... saying so" "$T_ERR" "out/p\.lock: error: the image differs from the lock:"
expect_match "... with the config key" "$T_ERR" '^config Entrypoint changed: \["/usr/bin/app"\] -> \["/usr/bin/app","--x"\]'
expect_match "... and the manifests" "$T_ERR" "^manifest: sha256:[0-9a-f]{64} -> sha256:[0-9a-f]{64}"
if cmp -s out/p.lock out/before.lock; then t_ok "... the lock is kept"; else t_fail "... the lock is kept"; fi
if cmp -s out/p.oci/index.json index.before; then t_ok "... and the index"; else t_fail "... and the index"; fi
sed -i 's|entrypoint \["/usr/bin/app", "--x"\]|entrypoint ["/usr/bin/app"]|' policies/p.cpol
expect_exit "the old image still verifies" 0 "$CPOLC" verify --lock out/p.lock out/p.oci

"$CPOLC" catalog add cat --name other --version 1.1 src2 >/dev/null || exit 1
sed -i 's|include "other";|include "other" >= "1.1";|' policies/p.cpol
expect_exit "--locked fails when the resolution would change" 4 "$CPOLC" build policies/p.cpol -C cat \
	-o out/p.oci --lock out/p.lock --locked
expect_match "... saying so" "$T_ERR" "out/p\.lock: error: the resolution differs from the lock:"
expect_match "... with both versions and digests" "$T_ERR" \
	"^primitive 'other': version 1\.0 -> 1\.1 \(sha256:[0-9a-f]{64} -> sha256:[0-9a-f]{64}\)"
if cmp -s out/p.lock out/before.lock; then t_ok "... the lock is kept"; else t_fail "... the lock is kept"; fi
cd "$T" || exit 1

# ---- verify --digests-only: the image against the lock, nothing else ---------------
mkdir shipped && cp -r tree/out/p.oci tree/out/p.lock shipped/
expect_exit "verify needs the policy and catalogs" 2 "$CPOLC" verify --lock shipped/p.lock shipped/p.oci
expect_exit "--digests-only does not" 0 "$CPOLC" verify --digests-only --lock shipped/p.lock shipped/p.oci
expect_exit "... with a tag" 0 "$CPOLC" verify --digests-only --lock shipped/p.lock shipped/p.oci:p
python3 - shipped/p.lock other.lock <<'PY' || exit 1
import json, sys
j = json.load(open(sys.argv[1]))
j["image"]["manifest"] = "sha256:" + "0" * 64
json.dump(j, open(sys.argv[2], "w"), indent=2)
PY
expect_exit "... not the lock's image" 4 "$CPOLC" verify --digests-only --lock other.lock shipped/p.oci
expect_match "... says so" "$T_ERR" "manifest is sha256:[0-9a-f]{64}, expected sha256:0{64}"
# a layer blob changed in place (its digest no longer holds)
L=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["primitives"][0]["layer"]["digest"][7:])' shipped/p.lock)
cp -r shipped tampered
chmod u+w "tampered/p.oci/blobs/sha256/$L" && printf 'x' >>"tampered/p.oci/blobs/sha256/$L"
expect_exit "a tampered layer blob" 4 "$CPOLC" verify --digests-only --lock tampered/p.lock tampered/p.oci
expect_match "... is named" "$T_ERR" "layer sha256:$L"
# a lock whose layer digest is another's
python3 - shipped/p.lock tampered/swap.lock <<'PY' || exit 1
import json, sys
j = json.load(open(sys.argv[1]))
a, b = j["primitives"][0]["layer"], j["primitives"][1]["layer"]
a["digest"], b["digest"] = b["digest"], a["digest"]
json.dump(j, open(sys.argv[2], "w"), indent=2)
PY
expect_exit "a lock with two layers swapped" 4 "$CPOLC" verify --digests-only --lock tampered/swap.lock shipped/p.oci
expect_match "... is refused" "$T_ERR" "the layer of '(app|other)' 1\.0 .* is not layer [0-9]+ of the image"
expect_exit "a hostile lock is refused as by verify" 2 "$CPOLC" verify --digests-only \
	--lock "$CPOLC_SRCDIR/tests/hostile/lock/prim-layer-digest-traversal.lock" shipped/p.oci

# ---- cpolc diff A.lock B.lock --------------------------------------------------------
G=$CPOLC_SRCDIR/tests/golden/diff
expect_exit "diff of two locks that differ" 1 "$CPOLC" diff "$G/a.lock" "$G/b.lock"
expect_eq "... as text (golden)" "$T_OUT" "$(cat "$G/a-b.txt")"
expect_exit "... as JSON" 1 "$CPOLC" diff --format json "$G/a.lock" "$G/b.lock"
expect_eq "... (golden)" "$T_OUT" "$(cat "$G/a-b.json")"
expect_exit "the other way round" 1 "$CPOLC" diff "$G/b.lock" "$G/a.lock"
expect_match "... zlib was removed" "$T_OUT" "^primitive removed: zlib 1\.3 "
expect_match "... curl added" "$T_OUT" "^primitive added: curl 8\.0 "
expect_exit "a lock and itself" 0 "$CPOLC" diff "$G/a.lock" "$G/a.lock"
expect_eq "... print nothing" "$T_OUT" ""
expect_exit "... as JSON" 0 "$CPOLC" diff --format json "$G/a.lock" "$G/a.lock"
expect_match "... the same" "$T_OUT" '"same": true'
expect_exit "a scan update, between two builds' locks" 1 "$CPOLC" diff tree/out/prescan.lock tree/out/p.lock
expect_match "... a metadata change" "$T_OUT" "^primitive changed: other 1\.0: metadata sha256:[0-9a-f]{64} -> sha256:[0-9a-f]{64}$"
expect_eq "... and nothing but metadata (the scan records every primitive)" "$(printf "%s\n" "$T_OUT" | grep -vc ": metadata sha256:")" 0
expect_exit "a lock that cannot be read" 2 "$CPOLC" diff "$G/a.lock" nosuch.lock
expect_match "... says which" "$T_ERR" "cannot read lock file 'nosuch\.lock'"
expect_exit "a hostile lock" 2 "$CPOLC" diff "$G/a.lock" "$CPOLC_SRCDIR/tests/hostile/lock/prim-duplicate.lock"
expect_match "... is refused as verify refuses it" "$T_ERR" "names a primitive listed before"
expect_exit "one lock only" 2 "$CPOLC" diff "$G/a.lock"

t_cleanup
