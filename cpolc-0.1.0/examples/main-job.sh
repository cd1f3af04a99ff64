#!/bin/sh
# main-job.sh - the quick start's main job: compose the hello example from
# real Debian packages and run it.
#
# Downloads hello, libc6, libgcc-s1 and gcc-12-base with apt-get download
# (once), imports them into a catalog, builds examples/hello/hello.oci with
# its lock file, then unpacks it with umoci and runs it with runc (as root;
# as another user the run step is skipped with a message).
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
sh tests/fetch-fixtures.sh
make -C examples/hello --no-print-directory CPOLC="$top/cpolc"
echo "main-job: built examples/hello/hello.oci"
if [ "$(id -u)" -eq 0 ]; then
	make -C examples/hello --no-print-directory run CPOLC="$top/cpolc"
else
	echo "main-job: run 'make -C examples/hello run' as root to start it with runc"
fi
