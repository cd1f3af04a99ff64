#!/bin/sh
# catalog.sh DIR - the catalog recipe of the ci example: GNU hello and its
# dependencies from real Debian packages (tests/fetch-fixtures.sh).
set -eu
dir=${1:-catalog}
: "${CPOLC:=cpolc}"
: "${DEBS:=../../tests/fixtures/debs}"
rm -rf "$dir.tmp"
$CPOLC catalog init "$dir.tmp"
$CPOLC catalog import-deb "$dir.tmp" "$DEBS"/hello_*.deb "$DEBS"/libc6_*.deb \
	"$DEBS"/libgcc-s1_*.deb "$DEBS"/gcc-12-base_*.deb
$CPOLC catalog verify "$dir.tmp"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
