#!/bin/sh
# apt_diff.sh - a differential test against apt: for 200 packages of
# bookworm main drawn at random (fixed seed), cpolc's selection from an
# import of the lists equals what apt-get install -s --no-install-recommends
# selects from the same lists with an empty status. Every difference is a
# failure unless it is in EXCEPTIONS below, with its reason. Needs the
# network (the lists come from the mirror this machine's apt configuration
# names) and takes a few minutes: apt-get needs about a second a package.
. "${CPOLC_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

W=$T_TMP
cd "$W" || exit 1
SUITE=bookworm
SEED=20261203
COUNT=${CPOLC_APT_DIFF_COUNT:-200}

# Packages where cpolc deliberately differs from apt, one a line:
# "NAME: reason". (None so far: doc/cpolc.1, "catalog import-apt", says
# where the two may part.)
EXCEPTIONS=''

for t in apt-get curl xz python3 gpgv; do
	need_tool "$t" || exit 0
done
URI=$(debian_mirror "$SUITE")
if [ -z "$URI" ]; then
	if [ "${CI:-}" = true ]; then t_fail "the apt configuration names a mirror for $SUITE"; else
		echo "ok # SKIP the apt configuration names no mirror for $SUITE main"; fi
	exit 0
fi
expect_exit "the lists of $SUITE main" 0 debian_lists "$URI" "$SUITE" "$W/lists"
"$CPOLC" catalog init "$W/cat" >/dev/null
expect_exit "import-apt the lists" 0 "$CPOLC" catalog import-apt "$W/cat" "file://$W/lists/mirror" "$SUITE" main
APT_CONFIG=$W/lists/apt.conf apt-get install -s hello >/dev/null 2>&1 # builds apt's cache once

python3 - "$CPOLC" "$W/cat" "$W/lists/apt.conf" "$W/lists/mirror/dists/$SUITE/main/binary-amd64/Packages" \
	"$SEED" "$COUNT" "$EXCEPTIONS" <<'EOF'
import concurrent.futures, os, random, subprocess, sys
cpolc, cat, aptconf, packages, seed, count, exceptions = sys.argv[1:8]
excepted = dict(l.split(':', 1) for l in exceptions.splitlines() if ':' in l)
names = sorted({l[9:].strip() for l in open(packages) if l.startswith('Package: ')})
picks = random.Random(int(seed)).sample(names, int(count))
env = dict(os.environ, APT_CONFIG=aptconf, LC_ALL='C')

def apt(p):
    r = subprocess.run(['apt-get', 'install', '-s', '--no-install-recommends', p], env=env,
                       capture_output=True, text=True)
    sel = {tuple(l.split()[1:3]) for l in r.stdout.splitlines() if l.startswith('Inst ')}
    return r.returncode, {(n, v.lstrip('(')) for n, v in sel}

def cp(p):
    r = subprocess.run([cpolc, 'catalog', 'resolve', '-C', cat, p], capture_output=True, text=True)
    return r.returncode, {tuple(l.split('\t')[:2]) for l in r.stdout.splitlines()}, r.stderr

with concurrent.futures.ThreadPoolExecutor(max(2, os.cpu_count() or 2)) as ex:
    apts = list(ex.map(apt, picks))
failed = 0
for p, (arc, aset) in zip(picks, apts):
    crc, cset, err = cp(p)
    if arc != 0 and crc != 0:
        verdict = 'both fail'
    elif arc != 0 or crc != 0:
        verdict = 'apt fails' if arc != 0 else 'cpolc fails: ' + err.strip().splitlines()[0]
    elif aset != cset:
        verdict = 'apt only %s; cpolc only %s' % (sorted(aset - cset)[:6], sorted(cset - aset)[:6])
    else:
        verdict = None
    if verdict and verdict != 'both fail' and p not in excepted:
        failed += 1
        print('not ok %s selects what apt selects' % p)
        print('#   ' + verdict)
    elif verdict and p in excepted:
        print('ok %s differs, as documented:%s' % (p, excepted[p]))
    else:
        print('ok %s selects what apt selects (%d packages)' % (p, len(aset)))
sys.exit(1 if failed else 0)
EOF
[ $? -eq 0 ] || T_FAILED=$((T_FAILED + 1))
