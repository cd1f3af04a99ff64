#!/bin/sh
# catalog.sh DIR - the catalog recipe: import real Debian packages into DIR.
# The .deb files come from `apt-get download` (tests/fetch-fixtures.sh).
set -eu
dir=${1:-catalog}
: "${CPOLC:=cpolc}"
: "${DEBS:=../../tests/fixtures/debs}"
rm -rf "$dir.tmp"
$CPOLC catalog init "$dir.tmp"
$CPOLC catalog import-deb "$dir.tmp" "$DEBS"/hello_*.deb "$DEBS"/libc6_*.deb \
	"$DEBS"/libgcc-s1_*.deb "$DEBS"/gcc-12-base_*.deb
rm -rf "$dir"
mv "$dir.tmp" "$dir"
