#!/bin/sh
# catalog.sh DIR - the catalog recipe of the from-base example.
#
# A base primitive made from rootfs/ (os-release, passwd, group), GNU hello
# and its dependencies from real Debian packages (tests/fetch-fixtures.sh),
# and the application's configuration made from config/app.conf.
set -eu
dir=${1:-catalog}
: "${CPOLC:=cpolc}"
: "${DEBS:=../../tests/fixtures/debs}"
rm -rf "$dir.tmp"
$CPOLC catalog init "$dir.tmp"
$CPOLC catalog add "$dir.tmp" --name example-rootfs --version 1.0 --kind base --license CC0-1.0 rootfs
$CPOLC catalog import-deb "$dir.tmp" "$DEBS"/hello_*.deb "$DEBS"/libc6_*.deb \
	"$DEBS"/libgcc-s1_*.deb "$DEBS"/gcc-12-base_*.deb
$CPOLC catalog add "$dir.tmp" --name app-config --version 2.1 --kind config --license CC0-1.0 \
	config/app.conf=/etc/app/app.conf
rm -rf "$dir"
mv "$dir.tmp" "$dir"
