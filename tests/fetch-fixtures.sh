#!/bin/sh
# fetch-fixtures.sh - download the real Debian packages that the import-deb
# tests and the examples use into tests/fixtures/debs/ (with "py", also the
# python3 + curl closure into tests/fixtures/debs-py/, which tests/maint_e2e.sh
# fetches itself when it is missing). Idempotent: does
# nothing when every package is already there. Needs apt-get and the
# network; no other test calls it.
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
if [ -n "$missing" ] && ! apt-get download $missing; then
	apt-get update
	apt-get download $missing
fi

# With "py": also the closure of python3, curl and ca-certificates (about 60
# packages, tests/maint_e2e.sh), as apt resolves it for an empty system
# without recommends, into fixtures/debs-py/. Idempotent too.
[ "${1:-}" = py ] || exit 0
pdir=$here/fixtures/debs-py
mkdir -p "$pdir"
cd "$pdir"
closure=$(apt-get install -s --no-install-recommends -o Dir::State::status=/dev/null \
	python3 curl ca-certificates | sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1=\2/p')
[ -n "$closure" ] || exit 1
missing=
for pv in $closure; do
	p=${pv%%=*} v=${pv#*=}
	ls "${p}_$(echo "$v" | sed 's/:/%3a/')_"*.deb >/dev/null 2>&1 || missing="$missing $pv"
done
[ -z "$missing" ] || apt-get download $missing
