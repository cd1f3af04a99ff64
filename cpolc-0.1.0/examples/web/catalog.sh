#!/bin/sh
# catalog.sh DIR - the catalog recipe of the web example.
#
# Real Debian packages (hello and its dependencies, busybox-static as the
# debug toolbox) from `apt-get download` (tests/fetch-fixtures.sh), plus
# two versions of the site content and of its stylesheet (the theme) made
# from the files in site/. Site 1.1 needs theme 2, whose scan results carry
# a (made-up) critical CVE: prod, which admits no critical CVE, gets site
# 1.0 with theme 1, while dev and staging get site 1.1 with theme 2.
set -eu
dir=${1:-catalog}
: "${CPOLC:=cpolc}"
: "${DEBS:=../../tests/fixtures/debs}"
rm -rf "$dir.tmp"
$CPOLC catalog init "$dir.tmp"
$CPOLC catalog import-deb "$dir.tmp" "$DEBS"/hello_*.deb "$DEBS"/libc6_*.deb \
	"$DEBS"/libgcc-s1_*.deb "$DEBS"/gcc-12-base_*.deb "$DEBS"/busybox-static_*.deb
for v in 1 2; do
	$CPOLC catalog add "$dir.tmp" --name theme --version "$v" --kind data --license CC0-1.0 \
		site/theme-"$v".css=/srv/www/theme.css
	$CPOLC catalog set-scan "$dir.tmp" theme "$v" scans/theme-"$v".json
done
for v in 1.0 1.1; do
	case $v in 1.0) theme=1 ;; 1.1) theme=2 ;; esac
	$CPOLC catalog add "$dir.tmp" --name site --version "$v" --kind data --license CC0-1.0 \
		--depends "theme (>= $theme)" site/index-"$v".html=/srv/www/index.html
	$CPOLC catalog set-scan "$dir.tmp" site "$v" scans/site-"$v".json
done
rm -rf "$dir"
mv "$dir.tmp" "$dir"
