#!/bin/sh
# catalog.sh DIR - the catalog recipe of the web example.
#
# Real Debian packages (hello and its dependencies, busybox-static as the
# debug toolbox) from `apt-get download` (tests/fetch-fixtures.sh), plus
# two versions of the site content made from the files in site/. Version
# 1.1 of the site carries a (made-up) critical CVE in its scan results, so
# prod keeps 1.0 while dev and staging get 1.1.
set -eu
dir=${1:-catalog}
: "${CPOLC:=cpolc}"
: "${DEBS:=../../tests/fixtures/debs}"
rm -rf "$dir.tmp"
$CPOLC catalog init "$dir.tmp"
$CPOLC catalog import-deb "$dir.tmp" "$DEBS"/hello_*.deb "$DEBS"/libc6_*.deb \
	"$DEBS"/libgcc-s1_*.deb "$DEBS"/gcc-12-base_*.deb "$DEBS"/busybox-static_*.deb
for v in 1.0 1.1; do
	$CPOLC catalog add "$dir.tmp" --name site --version "$v" --kind data --license CC0-1.0 \
		site/index-"$v".html=/srv/www/index.html
	$CPOLC catalog set-scan "$dir.tmp" site "$v" scans/site-"$v".json
done
rm -rf "$dir"
mv "$dir.tmp" "$dir"
