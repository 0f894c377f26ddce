#!/usr/bin/env python3
"""ab.py — an A/B of tala builds on the submission path, interleaved: for each round, each
build in turn gets a fresh demo database and `tala serve`, 60 warm-up questions, then wrk
posting questions as bench_http.py does (and, with --reads, the hot list). Prints per run:
req/s, p50/p99, the server's CPU per request (user + system from /proc, the steadier figure
on a shared machine) and that CPU split by thread name (MHD-worker, tala-commit, tala-ckpt);
then the medians per build.

  python3 bench/http/ab.py --rounds 3 base=/tmp/tala-base new=build/tala
  python3 bench/http/ab.py 't2=build/tala --threads 2' 't4=build/tala --threads 4'

A build is LABEL=BINARY [serve flags...]; '@THREAD:NICE' in it renices the named threads.
Wrap it in `flock /tmp/tala-bench.lock` on a shared machine.
"""
import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
import common  # noqa: E402
import bench_http as bh  # noqa: E402


def proc_cpu(pid, task=None):
    path = '/proc/%d/stat' % pid if task is None else '/proc/%d/task/%s/stat' % (pid, task)
    f = open(path).read().rsplit(')', 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf('SC_CLK_TCK')


def threads_cpu(pid):
    out = {}
    for t in os.listdir('/proc/%d/task' % pid):
        try:
            name = open('/proc/%d/task/%s/comm' % (pid, t)).read().strip()
            out[name] = out.get(name, 0) + proc_cpu(pid, t)
        except OSError:
            pass
    return out


def one(spec, args):
    label, rest = spec.split('=', 1)
    parts = rest.split()
    nices = [p[1:] for p in parts if p.startswith('@')]
    parts = [p for p in parts if not p.startswith('@')]
    srv = common.Server(parts[0], extra=parts[1:])
    tmp = tempfile.mkdtemp(prefix='tala-ab-')
    try:
        base = 'http://127.0.0.1:%d' % srv.port
        qpath = '/api/v1/streams/%d/questions' % srv.stream
        script = os.path.join(tmp, 'submit.lua')
        bodies = ', '.join(json.dumps(json.dumps({'text': q}, ensure_ascii=False),
                                      ensure_ascii=False) for q in bh.QUESTIONS)
        with open(script, 'w', encoding='utf-8') as f:
            f.write(bh.SUBMIT_LUA % {'bodies': bodies, 'path': qpath})
        for k in range(60):
            urllib.request.urlopen(urllib.request.Request(
                base + qpath, data=json.dumps({'text': '%s（%d）' % (
                    bh.QUESTIONS[k % len(bh.QUESTIONS)], k // len(bh.QUESTIONS))}).encode(),
                headers={'Content-Type': 'application/json',
                         'X-Tala-Device': 'benchhttpwarm%05d' % k}), timeout=10).read()
        for n in nices:
            name, val = n.split(':')
            for t in os.listdir('/proc/%d/task' % srv.pid):
                if open('/proc/%d/task/%s/comm' % (srv.pid, t)).read().strip() == name:
                    os.setpriority(os.PRIO_PROCESS, int(t), int(val))
        c0, t0 = proc_cpu(srv.pid), threads_cpu(srv.pid)
        s = bh.wrk(base + qpath, args, script)
        c1, t1 = proc_cpu(srv.pid), threads_cpu(srv.pid)
        n = max(1, s['requests'])
        s['cpu_us'] = (c1 - c0) / n * 1e6
        s['threads'] = ' '.join('%s=%.1f' % (k, (v - t0.get(k, 0)) / n * 1e6)
                                for k, v in sorted(t1.items()) if v - t0.get(k, 0) > 0.05)
        r = bh.wrk(base + '/api/v1/streams/%d/hot' % srv.stream, args) if args.reads else None
    finally:
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return label, s, r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('builds', nargs='+', help='LABEL=BINARY [serve flags] [@THREAD:NICE]')
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--duration', type=int, default=5, help='seconds per wrk run')
    ap.add_argument('--connections', type=int, default=256)
    ap.add_argument('--wrk-threads', type=int, default=2)
    ap.add_argument('--reads', action='store_true', help='also GET …/hot after each submit run')
    args = ap.parse_args()
    res = {}
    for rnd in range(args.rounds):
        for spec in args.builds:
            label, s, r = one(spec, args)
            res.setdefault(label, []).append((s, r))
            line = '%d %-8s submit %6.0f/s p50 %6.2f p99 %6.2f ms non-2xx %d cpu %5.1f us/req [%s]' % (
                rnd, label, s['rps'], s['p50'], s['p99'], s['non2xx'], s['cpu_us'], s['threads'])
            if r:
                line += ' | read %6.0f/s p99 %6.2f ms' % (r['rps'], r['p99'])
            print(line, flush=True)
    for label, v in res.items():
        med = lambda k, i=0: statistics.median(x[i][k] for x in v)  # noqa: E731
        line = 'median %-8s submit %6.0f/s p50 %6.2f p99 %6.2f ms cpu %5.1f us/req' % (
            label, med('rps'), med('p50'), med('p99'), med('cpu_us'))
        if args.reads:
            line += ' | read %6.0f/s p99 %6.2f ms' % (med('rps', 1), med('p99', 1))
        print(line)


if __name__ == '__main__':
    main()
