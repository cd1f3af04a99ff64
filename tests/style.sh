#!/bin/sh
# style.sh - every C source and header is formatted as .clang-format says.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

if need_tool clang-format; then
	expect_exit "make check-style" 0 make -C "$CPOLC_BUILDDIR" --no-print-directory check-style
fi
