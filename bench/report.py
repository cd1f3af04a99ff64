#!/usr/bin/env python3
"""bench/report.py OUT_DIR NOTES.md - print bench/RESULTS.md from the
results bench/run.sh left in OUT_DIR (machine.json, compose-*.json,
push.json, push-info.json, memory.json, catalog.json, lint.json,
decision.txt, serve-*.json, apt-*.json), then NOTES.md."""
import json
import os
import re
import sys

out, notes = sys.argv[1], sys.argv[2]


def load(name):
    return json.load(open(os.path.join(out, name)))


def by_name(rows):
    return {r['name']: r for r in rows}


def yes(ok):
    return '**met**' if ok else '**missed**'


m = load('machine.json')
push = {r['command']: r for r in load('push.json')['results']} if os.path.exists(os.path.join(out, 'push.json')) else None
push_info = load('push-info.json') if push else None
cold = by_name(load('compose-cold.json'))
warm = by_name(load('compose-warm.json'))
info = load('compose-info.json')
mem = load('memory.json')
cat = load('catalog.json')['results']
lint = load('lint.json')['results'][0]
startup = load('lint.json')['results'][1]
dec = {}
for line in open(os.path.join(out, 'decision.txt')):
    r = re.match(r'(\w+)\s+median\s+(\d+) ns\s+p10\s+(\d+) ns\s+p90\s+(\d+) ns\s+'
                 r'allocations/decision ([\d.]+)', line)
    if r:
        dec[r.group(1)] = [int(r.group(2)), int(r.group(3)), int(r.group(4)), float(r.group(5))]

c, u, b = (cold[k]['median'] for k in ('cpolc-cold', 'umoci-insert', 'buildah'))
img = info['images']
size_ratio = img['cpolc']['layer_bytes'] / img['umoci']['layer_bytes']
w, ch, al = (warm[k]['median'] for k in ('cpolc-warm', 'cpolc-changed', 'cpolc-alone'))
nruns_cold = len(cold['cpolc-cold']['runs'])
nruns_warm = len(warm['cpolc-warm']['runs'])
mib = lambda kib: kib / 1024.0
big = [x for x in mem if '+' in x['name']]
peak = max(x['maxrss_kib'] for x in mem)
flat = mib(big[-1]['maxrss_kib']) <= 1.1 * mib(big[0]['maxrss_kib']) if big else False
res5 = [r for r in cat if 'resolve' in r['command']][0]
listr = [r for r in cat if ' list ' in r['command']][0]
aimp = by_name(load('apt-import.json'))['cpolc-import']
ares = by_name(load('apt-resolve.json'))
afet = by_name(load('apt-fetch.json'))
ainfo = load('apt-info.json')
ar, aa = ares['cpolc-resolve']['median']['wall'], ares['apt-get-s']['median']['wall']
afd, aad, afi = (afet[k]['median']['wall'] for k in ('cpolc-fetch-download', 'apt-get-download', 'cpolc-fetch'))
apeak = max(x['maxrss_kib'] for x in aimp['runs'])
scold = by_name(load('serve-cold.json'))
swarm = by_name(load('serve-warm.json'))
slat = load('serve-latency.json')
sc, sb = scold['serve-pull-cold']['median']['wall'], scold['cpolc-build-cold']['median']['wall']
sw, rw = swarm['serve-pull-warm']['median']['wall'], swarm['registry-pull']['median']['wall']

P = print
P('# Benchmark results')
P()
P('Written by `bench/run.sh` (%s). Every figure below comes from that one run.' % m['date'])
P()
P('| machine | |')
P('|:---|:---|')
P('| CPU | %s |' % m['cpu'])
P('| cores (nproc) | %s |' % m['nproc'])
P('| memory | %s |' % m['mem'])
P('| kernel | %s |' % m['kernel'])
P('| compiler | %s |' % m['cc'])
P('| load average (1, 5, 15 min) before | %s |' % m['load_before'])
P('| load average after | %s |' % m['load_after'])
P('| tools | %s; %s; %s; %s |' % (info['versions']['cpolc'], info['versions']['umoci'],
                                 info['versions']['buildah'], m['hyperfine']))
P()
P('The machine is a shared VM: other work on it shows in the wall times.')
P('CPU times (user + sys) are given too, since load distorts them less.')
P()
P('## Targets')
P()
P('| target | measured | |')
P('|:---|:---|:---|')
P('| cold compose at most 0.5x umoci\'s wall time | %.3fx (%.2f s against %.2f s) | %s |'
  % (c['wall'] / u['wall'], c['wall'], u['wall'], yes(c['wall'] <= 0.5 * u['wall'])))
P('| gzip output at most 1.05x umoci\'s | %.4fx (%s against %s bytes) | %s |'
  % (size_ratio, format(img['cpolc']['layer_bytes'], ','), format(img['umoci']['layer_bytes'], ','),
     yes(size_ratio <= 1.05)))
P('| warm recompose at most 0.05x the cold time | %.3fx (%.3f s against %.2f s) | %s |'
  % (w['wall'] / c['wall'], w['wall'], c['wall'], yes(w['wall'] <= 0.05 * c['wall'])))
P('| one primitive changed: cost close to that primitive\'s layer alone '
  '(criterion: changed - warm <= 1.1x alone) | changed %.3f s = warm %.3f s + %.3f s; alone %.3f s '
  '(%.2fx) | %s |' % (ch['wall'], w['wall'], ch['wall'] - w['wall'], al['wall'],
                      (ch['wall'] - w['wall']) / al['wall'], yes(ch['wall'] - w['wall'] <= 1.1 * al['wall'])))
P('| peak memory of a cold compose at most 64 MiB | %.1f MiB (largest of %d builds) | %s |'
  % (mib(peak), len(mem), yes(mib(peak) <= 64)))
P('| ... and flat as one primitive grows to %s MiB (criterion: within 10%% of the %s MiB one) '
  '| %.1f MiB at %s MiB, %.1f MiB at %s MiB | %s |'
  % (big[-1]['name'].split('+ ')[1].split()[0], big[0]['name'].split('+ ')[1].split()[0],
     mib(big[0]['maxrss_kib']), big[0]['name'].split('+ ')[1].split()[0],
     mib(big[-1]['maxrss_kib']), big[-1]['name'].split('+ ')[1].split()[0], yes(flat)))
P('| policy decision (100 rules) at most 2 us median, zero allocations | %.2f us, %.0f allocations '
  '(`core`) | %s |' % (dec['core'][0] / 1000.0, dec['core'][3],
                        yes(dec['core'][0] <= 2000 and dec['core'][3] == 0)))
P('| lint of a 2,000-line policy, whole process, at most 5 ms | median %.2f ms | %s |'
  % (lint['median'] * 1000, yes(lint['median'] <= 0.005)))
P('| resolution against 10,000 primitives, whole process, at most 50 ms | median %.1f ms | %s |'
  % (res5['median'] * 1000, yes(res5['median'] <= 0.050)))
P('| resolution of python3 curl ca-certificates against bookworm main (%s packages), whole process, '
  'at most 50 ms | median %.1f ms | %s |' % (format(ainfo['packages'], ','), ar * 1000, yes(ar <= 0.050)))
P('| ... at least 30x faster than `apt-get install -s` | %.0fx (%.3f s against %.1f ms) | %s |'
  % (aa / ar, aa, ar * 1000, yes(aa >= 30 * ar)))
P('| import of the bookworm main index (metadata only) at most 3 s, peak memory at most 256 MiB '
  '| median %.2f s, peak %.0f MiB | %s |' % (aimp['median']['wall'], mib(apeak),
                                           yes(aimp['median']['wall'] <= 3 and mib(apeak) <= 256)))
P('| fetching the %d selected .debs, 2 connections, at least as fast as `apt-get download` '
  '| %.3f s against %.3f s (%.2fx); with the import into the catalog %.3f s | %s |'
  % (ainfo['selected'], afd, aad, afd / aad, afi, yes(afd <= aad)))
P('| serve: warm pull (`skopeo copy`) at most docker-registry\'s | %.3f s against %.3f s (%.2fx) | %s |'
  % (sw, rw, sw / rw, yes(sw <= rw)))
P('| serve: manifest GET with 16 clients, p50 at most 2 ms, p99 at most 10 ms | p50 %.2f ms, p99 %.2f ms '
  '(docker-registry: %.2f ms, %.2f ms) | %s |'
  % (slat['cpolc']['p50_ms'], slat['cpolc']['p99_ms'], slat['registry']['p50_ms'], slat['registry']['p99_ms'],
     yes(slat['cpolc']['p50_ms'] <= 2 and slat['cpolc']['p99_ms'] <= 10)))
P('| serve: cold pull at most the cold build + 50 ms | %.3f s against %.3f s (%+.0f ms) | %s |'
  % (sc, sb, (sc - sb) * 1000, yes(sc <= sb + 0.050)))
if push:
    cp, sk = push['cpolc-push']['median'], push['skopeo-copy']['median']
    P('| `cpolc push` of the %d-package image to a local registry at most as long as `skopeo copy` '
      '| %.3fx (%.2f s against %.2f s, medians) | %s |'
      % (int(info['packages']), cp / sk, cp, sk, yes(cp <= sk)))
P()
P('## Compose: %s Debian packages, one primitive and one layer each' % info['packages'])
P()
P('`bench/compose/run.sh`. Input: the packages of `bench/compose/packages.txt`, unpacked with '
  '`dpkg-deb -x` (%s MB of files), each stored with `cpolc catalog add` of its tree, no '
  'dependencies; the policy includes all of them. umoci and buildah get the same trees.'
  % format(round(info['tree_bytes'] / 1e6), ','))
P()
P('- `cpolc-cold`: `cpolc build --no-cache` into a new directory (gzip, a worker per CPU).')
P('- `umoci-insert`: `umoci init`, `umoci new`, then one `umoci insert` per package tree.')
P('- `buildah`: vfs driver, new `--root`/`--runroot` per run: `buildah from scratch`, one '
  '`buildah copy` per tree, `buildah commit` to an `oci:` directory with gzip. buildah commits '
  'one layer, not one per package.')
P()
P('The three commands alternate within each round (`bench/alternate.py`), %d rounds; each run\'s '
  'preparation (removing the previous output) is untimed. Medians:' % nruns_cold)
P()
P('| command | wall median | min | max | CPU user | CPU sys | layers | layer bytes | wall vs umoci |')
P('|:---|---:|---:|---:|---:|---:|---:|---:|---:|')
for name, key in (('cpolc-cold', 'cpolc'), ('umoci-insert', 'umoci'), ('buildah', 'buildah')):
    r = cold[name]
    P('| %s | %.3f s | %.3f s | %.3f s | %.3f s | %.3f s | %d | %s | %.3fx |'
      % (name, r['median']['wall'], r['min_wall'], r['max_wall'], r['median']['user'],
         r['median']['sys'], img[key]['layers'], format(img[key]['layer_bytes'], ','),
         r['median']['wall'] / u['wall']))
P()
P('cpolc against buildah: %.3fx the wall time, %.4fx the bytes.'
  % (c['wall'] / b['wall'], img['cpolc']['layer_bytes'] / img['buildah']['layer_bytes']))
P()
P('### Warm recompose and one changed primitive')
P()
P('Alternating, %d rounds. `cpolc-warm`: `cpolc build` with every layer in the cache, into a new '
  'output directory. `cpolc-changed`: the same cache (copied fresh, untimed, before each run) and a '
  'catalog holding a new version of `%s` (the largest package, one file added), so that one layer '
  'is composed and %d come from the cache. `cpolc-alone`: `cpolc build --no-cache` of a policy '
  'that includes only that new version (%s bytes of gzip).'
  % (nruns_warm, info['changed'], int(info['packages']) - 1,
     format(img['cpolc-alone']['layer_bytes'], ',')))
P()
P('| command | wall median | min | max | CPU user | CPU sys | vs cold |')
P('|:---|---:|---:|---:|---:|---:|---:|')
for name in ('cpolc-warm', 'cpolc-changed', 'cpolc-alone'):
    r = warm[name]
    P('| %s | %.3f s | %.3f s | %.3f s | %.3f s | %.3f s | %.3fx |'
      % (name, r['median']['wall'], r['min_wall'], r['max_wall'], r['median']['user'],
         r['median']['sys'], r['median']['wall'] / c['wall']))
P()
P('### Peak memory of a cold compose')
P()
P('`bench/compose/memory.sh`: `/usr/bin/time -v cpolc build --no-cache` of the %s packages, then '
  'of the same plus one primitive of random data (`head -c SIZE /dev/urandom`, generated under '
  '/tmp, added with `cpolc catalog add`; random data is the worst case for deflate). One run each.'
  % info['packages'])
P()
P('| build | max RSS | wall | CPU user | CPU sys | layers | layer bytes |')
P('|:---|---:|---:|---:|---:|---:|---:|')
for x in mem:
    P('| %s | %.1f MiB | %.2f s | %.2f s | %.2f s | %d | %s |'
      % (x['name'], mib(x['maxrss_kib']), x['wall'], x['user'], x['sys'], x['layers'],
         format(x['layer_bytes'], ',')))
P()
if push:
    P('## Push to a registry')
    P()
    P('`bench/push/run.sh`: the image of the %s packages (%d blobs, %s bytes; `cpolc build` into a '
      'layout) pushed to a `docker-registry` on 127.0.0.1 over plain http. Before each run '
      '(untimed, hyperfine `--prepare`) the registry is stopped, its storage removed and a new one '
      'started, so every blob is uploaded every time. %s; %s.'
      % (info['packages'], push_info['blobs'], format(push_info['bytes'], ','),
         push_info['versions']['cpolc'], push_info['versions']['skopeo']))
    P()
    P('- `cpolc-push`: `cpolc push --tls-verify=false LAYOUT:bench 127.0.0.1:PORT/bench/img:v1`.')
    P('- `skopeo-copy`: `skopeo copy --dest-tls-verify=false oci:LAYOUT:bench '
      'docker://127.0.0.1:PORT/bench/img:v1`.')
    P()
    P('| command | median | mean | min | max | CPU user | CPU sys | runs | vs skopeo |')
    P('|:---|---:|---:|---:|---:|---:|---:|---:|---:|')
    for name in ('cpolc-push', 'skopeo-copy'):
        r = push[name]
        P('| %s | %.3f s | %.3f s | %.3f s | %.3f s | %.3f s | %.3f s | %d | %.3fx |'
          % (name, r['median'], r['mean'], r['min'], r['max'], r['user'], r['system'], len(r['times']),
             r['median'] / push['skopeo-copy']['median']))
    P()
P('## Policy decision (`make bench-decision`)')
P()
P('In process, 100-rule policy (`bench/decision/README`), 20,000 decisions timed one by one:')
P()
P('| measure | median | p10 | p90 | allocations per decision |')
P('|:---|---:|---:|---:|---:|')
for k in ('core', 'selection', 'decision'):
    if k in dec:
        P('| %s | %.2f us | %.2f us | %.2f us | %g |'
          % (k, dec[k][0] / 1000.0, dec[k][1] / 1000.0, dec[k][2] / 1000.0, dec[k][3]))
P()
P('## Serve: composing on pull (`bench/serve/run.sh`)')
P()
P('The %s-package policy of the compose benchmark as a repository of `cpolc serve`, its request a tag. '
  '`serve-pull-cold`: the manifest GET of a first pull from a server started with an empty state and cache '
  '(it composes), against `cpolc-build-cold`, `cpolc build` with an empty cache of the same policy and '
  'request, alternating. `serve-pull-warm` and `registry-pull`: `skopeo copy` of the composed image to a new '
  '`oci:` directory from cpolc serve and from docker-registry holding the same image (pushed with skopeo); '
  'both digests are checked equal first.' % info['packages'])
P()
P('| command | wall median | min | max | CPU user | CPU sys |')
P('|:---|---:|---:|---:|---:|---:|')
for group in (scold, swarm):
    for name, r in sorted(group.items()):
        P('| %s | %.3f s | %.3f s | %.3f s | %.3f s | %.3f s |'
          % (name, r['median']['wall'], r['min_wall'], r['max_wall'], r['median']['user'], r['median']['sys']))
P()
P('Warm manifest GETs (`wrk -t 4 -c 16 -d 10s`, Accept: the OCI manifest type):')
P()
P('| server | p50 | p99 | requests/s | non-2xx |')
P('|:---|---:|---:|---:|---:|')
for who in ('cpolc', 'registry'):
    x = slat[who]
    P('| %s | %.2f ms | %.2f ms | %.0f | %d |' % ('cpolc serve' if who == 'cpolc' else 'docker-registry',
                                                 x['p50_ms'], x['p99_ms'], x['rps'], x['non2xx']))
P()
P('## Debian\'s bookworm main as a catalog (`bench/apt/run.sh`)')
P()
P('The mirror of this machine\'s apt configuration; its InRelease and main Packages (%s packages, '
  '%s MB) fetched once into a file:// repository and an apt configuration of their own with an empty '
  'status. The catalog\'s pack: a table of %s bytes (mapped and, the first time, hashed when a catalog '
  'opens) and records of %s bytes (read per package as needed). Alternating rounds (bench/alternate.py):'
  % (format(ainfo['packages'], ','), format(round(ainfo['index_bytes'] / 1e6), ','),
     format(ainfo['table_bytes'], ','), format(ainfo['records_bytes'], ',')))
P()
P('- `cpolc-import`: `cpolc catalog import-apt` of the index from the file:// repository into a new catalog.')
P('- `cpolc-resolve`: `cpolc catalog resolve python3 curl ca-certificates`, warm (the table hashed '
  'before); `apt-get-s`: `apt-get install -s --no-install-recommends` of the same names, apt\'s binary '
  'cache warm. Both select the same %d packages.' % ainfo['selected'])
P('- `cpolc-fetch-download`: `cpolc catalog fetch --download-only` of the selected packages from the mirror '
  '(2 connections, each .deb checked against its SHA256), into a catalog without content; '
  '`apt-get-download`: `apt-get download` of the same list (%s MB) into an empty directory; '
  '`cpolc-fetch`: `cpolc catalog fetch`, which also imports each .deb as a build does.'
  % format(round(ainfo['deb_bytes'] / 1e6, 1), ','))
P()
P('| command | wall median | min | max | CPU user | CPU sys | max RSS |')
P('|:---|---:|---:|---:|---:|---:|---:|')
for r in [aimp] + list(ares.values()) + list(afet.values()):
    P('| %s | %.3f s | %.3f s | %.3f s | %.3f s | %.3f s | %.0f MiB |'
      % (r['name'], r['median']['wall'], r['min_wall'], r['max_wall'], r['median']['user'], r['median']['sys'],
         mib(max(x['maxrss_kib'] for x in r['runs']))))
P()
P('## Lint and catalog, whole process (hyperfine -N)')
P()
P('| command | median | mean | min | max | CPU user | CPU sys | runs |')
P('|:---|---:|---:|---:|---:|---:|---:|---:|')
for r, label in ((lint, '`cpolc lint` of a 2,000-line policy (`bench/lint/run.sh`)'),
                 (listr, '`cpolc catalog list` of 10,001 primitives (`bench/catalog/run.sh`)'),
                 (res5, '`cpolc catalog resolve` of 5 names against 10,001 primitives'),
                 (startup, '`cpolc --version` (process start: the dynamic loader and main)')):
    P('| %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %d |'
      % (label, r['median'] * 1e3, r['mean'] * 1e3, r['min'] * 1e3, r['max'] * 1e3,
         r['user'] * 1e3, r['system'] * 1e3, len(r['times'])))
P()
sys.stdout.write(open(notes).read())
