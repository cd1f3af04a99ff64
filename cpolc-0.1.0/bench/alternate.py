#!/usr/bin/env python3
"""bench/alternate.py - run several commands side by side, alternating.

    python3 bench/alternate.py SPEC.json RUNS OUT.json

SPEC.json is a list of {"name", "cmd", "prepare"?} objects. Each round runs
every command once, in turn (the first command of round i is command
i mod n, so no command always runs right after the same other one); each
command's "prepare" runs untimed just before it. hyperfine runs all runs of
one command before the next, which lets a change of machine load fall on
one tool only; alternating spreads it over all of them.

Per run it records the wall time (monotonic clock), the user and system CPU
time and the maximum resident set size of the command and every process it
waited for (wait4). OUT.json gets every sample and the medians; a table of
medians goes to standard output. A command that fails stops the benchmark.
"""
import json
import os
import statistics
import subprocess
import sys
import time


def run_one(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(['sh', '-c', cmd], stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit('alternate.py: command failed (%d): %s' % (p.returncode, cmd))
    return {'wall': wall, 'user': ru.ru_utime, 'sys': ru.ru_stime,
            'maxrss_kib': ru.ru_maxrss}


def main():
    spec = json.load(open(sys.argv[1]))
    runs = int(sys.argv[2])
    samples = {c['name']: [] for c in spec}
    n = len(spec)
    for r in range(runs):
        for k in range(n):
            c = spec[(r + k) % n]
            if c.get('prepare'):
                subprocess.run(['sh', '-c', c['prepare']], check=True,
                               stdout=subprocess.DEVNULL)
            samples[c['name']].append(run_one(c['cmd']))
        print('round %d/%d done' % (r + 1, runs), file=sys.stderr)
    out = []
    for c in spec:
        s = samples[c['name']]
        med = {k: statistics.median(x[k] for x in s)
               for k in ('wall', 'user', 'sys', 'maxrss_kib')}
        out.append({'name': c['name'], 'cmd': c['cmd'], 'runs': s,
                    'median': med,
                    'min_wall': min(x['wall'] for x in s),
                    'max_wall': max(x['wall'] for x in s)})
    json.dump(out, open(sys.argv[3], 'w'), indent=1)
    print('%-22s %9s %9s %9s %9s %9s' %
          ('command', 'median', 'min', 'max', 'user', 'sys'))
    for o in out:
        m = o['median']
        print('%-22s %8.3fs %8.3fs %8.3fs %8.3fs %8.3fs' %
              (o['name'], m['wall'], o['min_wall'], o['max_wall'],
               m['user'], m['sys']))


if __name__ == '__main__':
    main()
