#!/bin/sh
# style.sh - every C source and header is formatted as .clang-format says,
# and the sizes doc/STYLE.md sets hold: src/main.c under 200 lines, no
# command file over 400, no function over 80 lines but the VM's dispatch loop.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

if need_tool clang-format; then
	expect_exit "make check-style" 0 make -C "$CPOLC_BUILDDIR" --no-print-directory check-style
fi

cd "$CPOLC_SRCDIR" || exit 1
n=$(wc -l <src/main.c)
if [ "$n" -lt 200 ]; then t_ok "src/main.c is under 200 lines"; else t_fail "src/main.c is under 200 lines" "$n"; fi
for f in src/cmd/*.c; do
	n=$(wc -l <"$f")
	if [ "$n" -le 400 ]; then t_ok "$f is at most 400 lines"; else t_fail "$f is at most 400 lines" "$n"; fi
done

# A function starts at a line '{' after its signature at column 0 and ends
# at the next '}' at column 0 (the layout clang-format gives).
long=$(awk '
	FNR == 1 { infn = 0 }
	/^[a-z_].*\(/ { sig = $0; at = FNR }
	/^\{/ { start = FNR; infn = 1 }
	/^\}/ && infn {
		if (FNR - start - 1 > 80 && !(FILENAME == "src/vm.c" && sig ~ /^run\(/))
			printf "%s:%d: %d lines: %s\n", FILENAME, at, FNR - start - 1, sig
		infn = 0
	}' src/*.c src/cmd/*.c)
expect_eq "no function is over 80 lines but the VM's dispatch loop" "$long" ""
exit "$T_FAILED"
