#!/bin/sh
# fetch-fixtures.sh - download the real Debian packages that the import-deb
# tests and the examples use into tests/fixtures/debs/. Idempotent: does
# nothing when every package is already there. Needs apt-get and the
# network; tests never call it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=$here/fixtures/debs
pkgs="hello libc6 libgcc-s1 gcc-12-base busybox-static"
mkdir -p "$dir"
cd "$dir"
missing=
for p in $pkgs; do
	ls "${p}"_*.deb >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if ! apt-get download $missing; then
	apt-get update
	apt-get download $missing
fi
