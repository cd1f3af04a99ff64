#!/bin/sh
# depfile.sh - `cpolc build -M` with real GNU make: a file name cannot
# inject make syntax (a newline and a tab in a module's name used to add a
# recipe to the including Makefile), and names with spaces, '#', '$', ':'
# and glob characters reach make as exactly the files the build read.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"
T=$T_TMP
cd "$T" || exit 1
unset SOURCE_DATE_EPOCH CPOL_PATH
need_tool make || exit 0

"$CPOLC" catalog init cat >/dev/null || exit 1
mkdir -p src/usr/bin && printf '#!/bin/sh\necho app\n' >src/usr/bin/app
"$CPOLC" catalog add cat --name app --version 1.0 src >/dev/null || exit 1

# ---- a module whose name holds newlines and a tab ----------------------------------
# written as cpolc used to (space, '#' and '$' escaped), its name makes the
# rule "img.oci/index.json:" with the recipe "touch${IFS}PWNED", and ends in
# a variable assignment, so that the whole depfile stays valid make
mkdir inj
d=$(printf '\nimg.oci')
mkdir "inj/$d" && printf 'const x = 1;\n' >"inj/$d/$(printf 'index.json:\n\ttouch${IFS}PWNED\nz=.cpol')"
printf 'import "./\\nimg.oci/index.json:\\n\\ttouch${IFS}PWNED\\nz=.cpol" as e;\npolicy "p" { include "app"; }\n' \
	>inj/inj.cpol
cat >inj/Makefile <<EOF
img.oci/index.json: inj.cpol
	"$CPOLC" build inj.cpol -C ../cat -o img.oci --lock img.lock -M img.d --no-cache
-include img.d
EOF
expect_exit "build -M refuses a name make cannot hold" 2 sh -c \
	"cd inj && '$CPOLC' build inj.cpol -C ../cat -o img.oci --lock img.lock -M img.d --no-cache"
expect_match "naming the file, its control characters escaped" "$T_ERR" \
	"cannot write 'img\.d': make cannot name the file '(\./)?\\\\nimg\.oci/index\.json:\\\\n\\\\ttouch\\\$\{IFS\}PWNED\\\\nz=\.cpol': it holds a control character"
expect_eq "and writes nothing" "$(ls -d inj/img.d inj/img.lock inj/img.oci 2>/dev/null)" ""
# what the Makefile of the README does, twice, the policy edited between
make -C inj >/dev/null 2>&1
sleep 1 && touch inj/inj.cpol
make -C inj >/dev/null 2>&1
expect_eq "no command of the file name ran" "$(ls inj/PWNED PWNED 2>/dev/null)" ""
expect_exit "without -M the same build is fine" 0 sh -c \
	"cd inj && '$CPOLC' build inj.cpol -C ../cat -o img.oci --lock img.lock --no-cache"

# ---- names make has no quoting for ------------------------------------------------------
printf 'policy "p" { include "app"; }\n' >p.cpol
for bad in 'a=b' 'a;b' 'a|b' 'a\b'; do
	expect_exit "-MT '$bad' is refused" 2 "$CPOLC" build p.cpol -C cat -o img.oci --lock img.lock \
		-M img.d -MT "$bad" --no-cache
done
expect_match "saying why" "$T_ERR" "make cannot name the file 'a\\\\\\\\b': it holds one of = ; \| "
expect_exit "-MT 'lib(member)' is refused" 2 "$CPOLC" build p.cpol -C cat -o img.oci --lock img.lock \
	-M img.d -MT 'lib(member)' --no-cache
expect_exit "-MT 'trailing ' is refused" 2 "$CPOLC" build p.cpol -C cat -o img.oci --lock img.lock \
	-M img.d -MT 'trailing ' --no-cache
expect_eq "none wrote anything" "$(ls -d img.* 2>/dev/null)" ""

# ---- spaces, '#', '$', ':', '%' and globs round-trip through make ---------------------
# ('%' is in every catalog file name of a version with an epoch: 1%3a1.0)
mkdir rt && cp -r cat "rt/c at:#1"
M='we ird#$:x*?[1]%3a.cpol'
P='p o:l#$.cpol'
printf 'const x = 1;\n' >"rt/$M"
printf 'import "./we ird#$:x*?[1]%%3a.cpol" as m;\npolicy "p" { include "app"; }\n' >"rt/$P"
printf '{"k": 1}\n' >"rt/req #1:\$.json"
# a decoy for each glob and escape make might get wrong
printf 'x\n' >"rt/we irdx.cpol"
printf 'x\n' >"rt/we ird#\$:xab1%%3a.cpol"
printf 'x\n' >"rt/we ird#\$:x*?[1]3a.cpol"
cat >rt/run <<EOF
exec "$CPOLC" build "$P" -r 'req #1:\$.json' -C 'c at:#1' -o img.oci --lock img.lock -M img.d --no-cache
EOF
cat >rt/Makefile <<'EOF'
img.oci/index.json:
	sh ./run
-include img.d
EOF
settle() { find rt -exec touch -h -d @1000000000 {} + && touch -d @1000000100 rt/img.oci/index.json; }
expect_exit "make builds" 0 make -C rt
expect_match "the depfile escapes the module's name" "$(cat rt/img.d)" '^  we\\ ird\\#\$\$\\:x\\\*\\\?\\\[1\]%3a\.cpol$'
settle
expect_exit "make -q: every prerequisite is a file that exists" 0 make -q -C rt
for f in "$M" "$P" 'req #1:$.json' 'c at:#1/primitives/app'; do
	touch "rt/$f"
	expect_exit "touching '$f' makes the image out of date" 1 make -q -C rt
	settle
done
expect_match "and writes its empty rule with the '%' escaped" "$(cat rt/img.d)" '^we\\ ird\\#\$\$\\:x\\\*\\\?\\\[1\]\\%3a\.cpol:$'
for f in 'we irdx.cpol' 'we ird#$:xab1%3a.cpol' 'we ird#$:x*?[1]3a.cpol'; do
	touch "rt/$f"
	expect_exit "touching the decoy '$f' does not" 0 make -q -C rt
	settle
done
mv "rt/req #1:\$.json" rt/gone.json
expect_exit "a prerequisite deleted: make still runs (and the build says why it fails)" 2 make -C rt
expect_match "the build, not make, fails" "$T_ERR" "req #1:\\\$\\.json"
mv rt/gone.json "rt/req #1:\$.json" && make -C rt >/dev/null 2>&1
mv "rt/$M" rt/gone.cpol
expect_exit "the module with '%' deleted: make still runs the build" 2 make -C rt
expect_match "which says why it fails" "$T_ERR" "cannot read '.*we ird#\\\$:x\\*\\?\\[1\\]%3a\\.cpol'"
