#!/bin/sh
# debian-lists.sh - the Debian archive as this machine's apt configuration
# names it, for the tests and benchmarks that compare cpolc with apt.
#
#   sh tests/debian-lists.sh mirror SUITE
#       the URI of the mirror the configuration uses for SUITE's main
#       component (/etc/apt/sources.list.d/*.sources, then
#       /etc/apt/sources.list), on stdout; nothing when it names none
#   sh tests/debian-lists.sh lists URI SUITE DIR
#       SUITE's InRelease and main/binary-amd64 Packages from URI into
#       DIR/mirror (a file:// repository of metadata only), and DIR/apt.conf:
#       an apt configuration that reads those very lists with an empty
#       status and no other source. Fails without the network.
set -u
# mirror SUITE: the URI of the mirror this machine's apt configuration
# uses for SUITE's main component (/etc/apt/sources.list.d/*.sources, then
# /etc/apt/sources.list), on stdout; nothing when it names none.
mirror() {
	python3 - "$1" <<'PYEOF'
import glob, re, sys
suite = sys.argv[1]
def paras(text):
    cur = {}
    key = None
    for line in text.splitlines() + ['']:
        if line.startswith('#'):
            continue
        if not line.strip():
            if cur:
                yield cur
            cur, key = {}, None
        elif line[0] in ' \t' and key:
            cur[key] += ' ' + line.strip()
        elif ':' in line:
            key, _, v = line.partition(':')
            key = key.strip().lower()
            cur[key] = v.strip()
for f in sorted(glob.glob('/etc/apt/sources.list.d/*.sources')):
    for p in paras(open(f).read()):
        if p.get('enabled', 'yes').lower() == 'no' or 'deb' not in p.get('types', '').split():
            continue
        if suite in p.get('suites', '').split() and 'main' in p.get('components', '').split():
            print(p['uris'].split()[0]); sys.exit()
try:
    for line in open('/etc/apt/sources.list'):
        line = re.sub(r'\[[^]]*\]', '', line.split('#')[0]).split()
        if len(line) >= 4 and line[0] == 'deb' and line[2] == suite and 'main' in line[3:]:
            print(line[1]); sys.exit()
except OSError:
    pass
PYEOF
}

# lists URI SUITE DIR: SUITE's InRelease and main/binary-amd64
# Packages from URI into DIR/mirror (a file:// repository of metadata only),
# and DIR/apt.conf: an apt configuration that reads those very lists with
# an empty status and no other source. Fails without the network.
lists() {
	local uri=$1 suite=$2 dir=$3 names
	mkdir -p "$dir/mirror/dists/$suite/main/binary-amd64" "$dir/apt/lists/partial" \
		"$dir/apt/cache/archives/partial" "$dir/apt/etc/sources.list.d" "$dir/apt/etc/preferences.d" \
		"$dir/apt/etc/apt.conf.d" || return 1
	printf 'deb %s %s main\n' "$uri" "$suite" >"$dir/apt/etc/sources.list"
	cat >"$dir/apt.conf" <<APTEOF
Dir::State::Lists "$dir/apt/lists";
Dir::State::status "/dev/null";
Dir::Etc::SourceList "$dir/apt/etc/sources.list";
Dir::Etc::SourceParts "$dir/apt/etc/sources.list.d";
Dir::Etc::Preferences "$dir/apt/etc/preferences";
Dir::Etc::PreferencesParts "$dir/apt/etc/preferences.d";
Dir::Etc::Parts "$dir/apt/etc/apt.conf.d";
Dir::Cache "$dir/apt/cache";
Dir::Cache::pkgcache "$dir/apt/cache/pkgcache.bin";
Dir::Cache::srcpkgcache "$dir/apt/cache/srcpkgcache.bin";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
APT::Install-Recommends "false";
APTEOF
	names=$(APT_CONFIG=$dir/apt.conf apt-get update --print-uris 2>/dev/null) || return 1
	curl -fsS -o "$dir/mirror/dists/$suite/InRelease" "$uri/dists/$suite/InRelease" || return 1
	curl -fsS "$uri/dists/$suite/main/binary-amd64/Packages.xz" |
		xz -d >"$dir/mirror/dists/$suite/main/binary-amd64/Packages" || return 1
	cp "$dir/mirror/dists/$suite/InRelease" \
		"$dir/apt/lists/$(printf '%s\n' "$names" | awk '/\/InRelease'"'"'/ { print $2 }')" || return 1
	cp "$dir/mirror/dists/$suite/main/binary-amd64/Packages" \
		"$dir/apt/lists/$(printf '%s\n' "$names" | awk '/binary-amd64\/Packages/ { print $2 }')"
}

cmd=$1
shift
case $cmd in
mirror | lists) "$cmd" "$@" ;;
*)
	echo "usage: debian-lists.sh mirror SUITE | lists URI SUITE DIR" >&2
	exit 2
	;;
esac
