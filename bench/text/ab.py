#!/usr/bin/env python3
"""ab.py — `tala text cluster` of two or more builds on the bench's perturbed stream,
interleaved (A B A B …) so that the host's changes of speed fall on both alike: the median
CPU seconds of each (user + system, from GNU time), its ratio to the first, and whether each
build's assignments are the first's byte for byte.

  python3 bench/text/ab.py --rounds 7 base=/tmp/tala-base new=build/tala

The stream is bench_text.py's (--n questions made from the DIAC2019 stream with light
perturbation). On this shared machine only differences of more than ~5 % show in 7 rounds;
`valgrind --tool=callgrind` counts instructions exactly when they are smaller.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_text  # noqa: E402  (perturbed, write_lines, text_eval)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('builds', nargs='+', help='NAME=path/to/tala, the first is the base')
    ap.add_argument('--rounds', type=int, default=7)
    ap.add_argument('--n', type=int, default=1000000)
    ap.add_argument('--data', default=os.path.join(bench_text.TOP, '..', 'shared', 'data'))
    args = ap.parse_args()
    builds = []
    for b in args.builds:
        name, sep, path = b.partition('=')
        if not sep or not os.access(path, os.X_OK):
            sys.exit('ab.py: %r is not NAME=path/to/an/executable' % b)
        builds.append((name, path))
    if args.rounds < 1 or args.n < 1:
        sys.exit('ab.py: --rounds and --n must be at least 1')
    tmp = tempfile.mkdtemp(prefix='tala-ab-text-')
    stream = os.path.join(tmp, 'stream.tsv')
    items = bench_text.text_eval.build_stream(args.data)
    bench_text.write_lines(stream, bench_text.perturbed(items, args.n))
    cpu = {name: [] for name, _ in builds}
    outs = {}
    for r in range(args.rounds):
        for name, path in builds:
            out = os.path.join(tmp, name + '.out')
            c, _, _ = bench_text.run_child([path, 'text', 'cluster'], stream, out)
            cpu[name].append(c)
            if r == 0:
                with open(out, 'rb') as f:
                    outs[name] = f.read()
        print('round %d: %s' % (r + 1, ', '.join('%s %.2f s' % (n, cpu[n][-1]) for n, _ in builds)),
              flush=True)
    base = builds[0][0]
    m0 = statistics.median(cpu[base])
    for name, _ in builds:
        m = statistics.median(cpu[name])
        print('%-12s median %.2f CPU-s  %.3f× %s  %.0f questions per CPU-second  %s' % (
            name, m, m / m0, base, args.n / m,
            'same assignments' if outs[name] == outs[base] else 'assignments DIFFER'))
    for p in os.listdir(tmp):
        os.unlink(os.path.join(tmp, p))
    os.rmdir(tmp)


if __name__ == '__main__':
    main()
