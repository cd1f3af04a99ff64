#!/bin/sh
# build.sh [OUTDIR] - build the libFuzzer targets with clang, straight from
# the sources (no configure needed): flex/bison output and a minimal
# config.h go to OUTDIR (default tests/fuzz/out), then every library source
# is compiled with -fsanitize=fuzzer-no-link,address,undefined and linked
# into fuzz_parse, fuzz_cpolb, fuzz_json, fuzz_tar, fuzz_lock, fuzz_registry,
# fuzz_deb, fuzz_from, fuzz_apt and fuzz_maint.
#
# Needs clang and libclang-rt-14-dev (or the clang version's runtime).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$src/tests/fuzz/out}
mkdir -p "$out" && out=$(cd "$out" && pwd)
CC=${CC:-clang}
JOBS=${JOBS:-2}
mkdir -p "$out/obj" "$out/grammar"

cat >"$out/config.h" <<'H'
/* config.h for the fuzz build (tests/fuzz/build.sh) */
#define _GNU_SOURCE 1
#define _FILE_OFFSET_BITS 64
#define PACKAGE "cpolc"
#define PACKAGE_VERSION "0.1.0"
#define VERSION "0.1.0"
H
printf '#define CPOLC_STDLIBDIR "%s/stdlib"\n#define CPOLC_SRC_STDLIBDIR "%s/stdlib"\n' "$src" "$src" >>"$out/config.h"
bison -d -Wall -Wno-yacc -o "$out/grammar/parser.c" "$src/grammar/parser.y"
flex -o "$out/grammar/lexer.c" "$src/grammar/lexer.l"

pkgs="libarchive libcrypto libcurl jansson zlib libdeflate libzstd libmicrohttpd libcrypt"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-std=c11 -g -O1 $SAN -I$out -I$out/grammar -I$src/include -I$src/grammar -I$src/src \
 -include $out/config.h $(pkg-config --cflags $pkgs)"
LIBS="$(pkg-config --libs $pkgs) -pthread"

newest_h=$(ls -t "$src"/include/*.h "$src"/src/*.h | head -n 1)
objs=
for f in "$src"/src/*.c "$out/grammar/parser.c" "$out/grammar/lexer.c"; do
	case $f in */main.c) continue ;; esac
	objs="$objs $out/obj/$(basename "$f" .c).o"
done
for f in "$src"/src/*.c "$out/grammar/parser.c" "$out/grammar/lexer.c"; do
	case $f in */main.c) continue ;; esac
	o=$out/obj/$(basename "$f" .c).o
	# recompile what changed, everything when a header changed
	[ "$o" -nt "$f" ] && [ "$o" -nt "$newest_h" ] || echo "$CC $CFLAGS -fsanitize=fuzzer-no-link -c $f -o $o"
done | xargs -r -P "$JOBS" -I{} sh -c '{}'
for t in fuzz_parse fuzz_cpolb fuzz_json fuzz_tar fuzz_lock fuzz_registry fuzz_deb fuzz_from fuzz_apt fuzz_maint; do
	$CC $CFLAGS -fsanitize=fuzzer "$src/tests/fuzz/$t.c" $objs $LIBS -o "$out/$t"
	echo "built $out/$t"
done
