#!/bin/sh
# sbom.sh - the SPDX 2.3 document of an image: `build --sbom FILE` and the
# same bytes attached to the image in its layout as an OCI 1.1 referrer
# (artifactType application/spdx+json, subject the image manifest). Checked
# field by field against what SPDX 2.3 requires of what cpolc emits, the
# selected set of `eval`, and the bytes of a rebuild.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

W=$T_TMP
cd "$W" || exit 1
unset SOURCE_DATE_EPOCH CPOL_PATH
export CPOLC_CACHE="$W/cache"

need_tool python3 || exit 0
need_tool dpkg-deb || exit 0
need_debs || exit 0

"$CPOLC" catalog init cat
"$CPOLC" catalog import-deb cat "$CPOLC_DEBS"/hello_*.deb "$CPOLC_DEBS"/libc6_*.deb \
	"$CPOLC_DEBS"/libgcc-s1_*.deb "$CPOLC_DEBS"/gcc-12-base_*.deb >/dev/null
# a package with a machine-readable copyright, and a primitive not from a .deb
mkdir -p lic/DEBIAN lic/usr/share/doc/lic
printf 'Package: lic\nVersion: 1:1.0+b1\nArchitecture: all\nMaintainer: A Person <a@example.org>\nDepends: hello\nDescription: x\n' \
	>lic/DEBIAN/control
printf 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: lic\n\nFiles: debian/*\nLicense: MIT\n\nFiles: src/* *\nCopyright: 2020 A Person\nLicense: GPL-2+ or Artistic\n Some text.\n\nLicense: GPL-2+\n Text.\n' \
	>lic/usr/share/doc/lic/copyright
dpkg-deb --root-owner-group --build lic lic.deb >/dev/null
"$CPOLC" catalog import-deb cat lic.deb >/dev/null
mkdir -p src && echo x >src/f
"$CPOLC" catalog add cat --name plain --version 2.0 --license Expat src/f=/etc/plain >/dev/null
printf 'policy "s" {\n  platform "linux/amd64";\n  include "lic";\n  include "plain";\n}\n' >s.cpol

expect_exit "build --sbom" 0 "$CPOLC" build s.cpol -C cat -o s.oci --lock s.lock --sbom s.spdx.json
"$CPOLC" eval s.cpol -C cat --format json >eval.json

# What SPDX 2.3 requires of the document and of each package, and the
# types, for every field cpolc writes; then the content.
expect_eq "the document is valid SPDX 2.3 and describes the selected set" "$(python3 - s.spdx.json eval.json "$(manifest_digest s.oci)" <<'EOF'
import json, re, sys
doc = json.load(open(sys.argv[1]))
ev = json.load(open(sys.argv[2]))
mdigest = sys.argv[3]
def need(o, k, t, where):
    assert k in o, '%s: %s is missing' % (where, k)
    assert isinstance(o[k], t), '%s: %s is not %s' % (where, k, t)
    return o[k]
assert need(doc, 'spdxVersion', str, 'doc') == 'SPDX-2.3'
assert need(doc, 'dataLicense', str, 'doc') == 'CC0-1.0'
assert need(doc, 'SPDXID', str, 'doc') == 'SPDXRef-DOCUMENT'
need(doc, 'name', str, 'doc')
ns = need(doc, 'documentNamespace', str, 'doc')
assert re.match(r'^[a-z]+://[^#]+$', ns), ns
ci = need(doc, 'creationInfo', dict, 'doc')
assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', need(ci, 'created', str, 'creationInfo'))
creators = need(ci, 'creators', list, 'creationInfo')
assert creators and all(re.match(r'^(Tool|Person|Organization): .+', c) for c in creators)
ids = set()
idre = re.compile(r'^SPDXRef-[A-Za-z0-9.-]+$')
for p in need(doc, 'packages', list, 'doc'):
    w = p.get('name')
    for k in ('name', 'SPDXID', 'downloadLocation', 'versionInfo', 'licenseConcluded', 'licenseDeclared', 'copyrightText'):
        need(p, k, str, w)
    assert idre.match(p['SPDXID']) and p['SPDXID'] not in ids, p['SPDXID']
    ids.add(p['SPDXID'])
    assert need(p, 'filesAnalyzed', bool, w) is False  # no packageVerificationCode needed
    sup = p.get('supplier', 'NOASSERTION')
    assert sup == 'NOASSERTION' or re.match(r'^(Person|Organization): ', sup), sup
    for c in need(p, 'checksums', list, w):
        assert c['algorithm'] == 'SHA256' and re.match(r'^[0-9a-f]{64}$', c['checksumValue'])
    for r in need(p, 'externalRefs', list, w):
        assert r['referenceCategory'] == 'PACKAGE-MANAGER' and r['referenceType'] == 'purl'
        assert re.match(r'^pkg:[a-z]+/', r['referenceLocator'])
    assert p.get('primaryPackagePurpose') in ('CONTAINER', 'OPERATING-SYSTEM', 'LIBRARY')
rels = need(doc, 'relationships', list, 'doc')
for r in rels:
    for k in ('spdxElementId', 'relationshipType', 'relatedSpdxElement'):
        need(r, k, str, 'relationship')
    assert r['spdxElementId'] in ids | {'SPDXRef-DOCUMENT'} and r['relatedSpdxElement'] in ids, r
# the content: the image, then exactly the selected set
pk = {p['SPDXID']: p for p in doc['packages']}
img = pk['SPDXRef-Image']
assert img['checksums'][0]['checksumValue'] == mdigest[7:], 'the image package names its manifest'
sel = sorted((s['name'], s['version'], s['digest'][7:]) for s in ev['selected'])
got = sorted((p['name'], p['versionInfo'], p['checksums'][0]['checksumValue']) for p in doc['packages'] if p['SPDXID'] != 'SPDXRef-Image')
assert got == sel, (got, sel)
byname = {p['name']: p for p in doc['packages']}
name = {p['SPDXID']: p['name'] for p in doc['packages']}
deps = sorted((name[r['spdxElementId']], name[r['relatedSpdxElement']]) for r in rels if r['relationshipType'] == 'DEPENDS_ON')
assert deps == sorted((e['from'], e['to']) for e in ev['edges']), deps
assert [r for r in rels if r['relationshipType'] == 'DESCRIBES'] == [{'spdxElementId': 'SPDXRef-DOCUMENT', 'relationshipType': 'DESCRIBES', 'relatedSpdxElement': 'SPDXRef-Image'}]
assert sorted(name[r['relatedSpdxElement']] for r in rels if r['relationshipType'] == 'CONTAINS') == sorted(s[0] for s in sel)
purl = lambda n: byname[n]['externalRefs'][0]['referenceLocator']
assert purl('lic') == 'pkg:deb/debian/lic@1%3A1.0%2Bb1?arch=all', purl('lic')
assert purl('libc6').startswith('pkg:deb/debian/libc6@2.36-') and purl('libc6').endswith('?arch=amd64')
assert purl('plain') == 'pkg:generic/plain@2.0'
assert byname['lic']['supplier'] == 'Person: A Person (a@example.org)'
assert byname['lic']['licenseDeclared'] == 'GPL-2.0-or-later OR Artistic-1.0', byname['lic']['licenseDeclared']
assert byname['plain']['licenseDeclared'] == 'MIT' and byname['plain']['supplier'] == 'NOASSERTION'
assert byname['hello']['licenseDeclared'] == 'NOASSERTION'  # its copyright is not machine-readable
print('valid')
EOF
)" valid

# Attached to the image: an untagged index entry with the artifactType, whose
# manifest's subject is the image and whose one blob is the same document.
expect_eq "the referrer carries the document, subject the image" "$(python3 - s.oci s.spdx.json <<'EOF'
import json, sys
d = sys.argv[1]
blob = lambda dg: open(d + '/blobs/sha256/' + dg[7:], 'rb').read()
ms = json.load(open(d + '/index.json'))['manifests']
imgs = [m for m in ms if 'artifactType' not in m]
arts = [m for m in ms if m.get('artifactType') == 'application/spdx+json']
assert len(imgs) == 1 and len(arts) == 1 and ms[-1] is arts[0], ms
a = json.loads(blob(arts[0]['digest']))
assert a['artifactType'] == 'application/spdx+json' and a['mediaType'] == 'application/vnd.oci.image.manifest.v1+json'
assert a['subject'] == {'mediaType': imgs[0]['mediaType'], 'digest': imgs[0]['digest'], 'size': imgs[0]['size']}, a['subject']
assert a['config']['mediaType'] == 'application/vnd.oci.empty.v1+json' and blob(a['config']['digest']) == b'{}'
assert [l['mediaType'] for l in a['layers']] == ['application/spdx+json']
assert blob(a['layers'][0]['digest']) == open(sys.argv[2], 'rb').read()
print('attached')
EOF
)" attached
expect_exit "verify still passes" 0 "$CPOLC" verify --lock s.lock s.oci
if need_tool skopeo; then
	expect_exit "skopeo reads the tagged image" 0 skopeo inspect --raw oci:s.oci:s
fi

# Byte-identical across rebuilds: cold cache, another layout; the lock does
# not depend on --sbom.
rm -rf "$W/cache"
expect_exit "build again" 0 "$CPOLC" build s.cpol -C cat -o s2.oci --lock s2.lock --sbom s2.spdx.json
expect_exit "the same document" 0 cmp s.spdx.json s2.spdx.json
expect_exit "the same index" 0 cmp s.oci/index.json s2.oci/index.json
expect_exit "build without --sbom" 0 "$CPOLC" build s.cpol -C cat -o s3.oci --lock s3.lock
expect_exit "the same lock" 0 cmp s.lock s3.lock
expect_exit "the same index without --sbom" 0 cmp s.oci/index.json s3.oci/index.json
SOURCE_DATE_EPOCH=1700000000 "$CPOLC" build s.cpol -C cat -o s4.oci --lock s4.lock --sbom s4.spdx.json
expect_match "created is SOURCE_DATE_EPOCH" "$(grep '"created"' s4.spdx.json)" '2023-11-14T22:13:20Z'

# Rebuilding a tag replaces its referrer; other tags keep theirs.
expect_exit "another tag" 0 "$CPOLC" build s.cpol -C cat -o s.oci --tag keep --lock k.lock -D x=1
printf 'policy "s" {\n  platform "linux/amd64";\n  include "lic";\n}\n' >s.cpol
expect_exit "the tag rebuilt with another set" 0 "$CPOLC" build s.cpol -C cat -o s.oci --lock s.lock --sbom s5.spdx.json
expect_eq "one referrer per image, the old one gone" "$(python3 - s.oci <<'EOF'
import json, os, sys
d = sys.argv[1]
ms = json.load(open(d + '/index.json'))['manifests']
imgs = {m['digest'] for m in ms if 'artifactType' not in m}
subj = sorted(json.load(open(d + '/blobs/sha256/' + m['digest'][7:]))['subject']['digest'] for m in ms if 'artifactType' in m)
print(len(imgs), len(subj), subj == sorted(imgs))
EOF
)" "2 2 True"
expect_exit "verify the rebuilt tag" 0 "$CPOLC" verify --lock s.lock s.oci:s

t_cleanup
