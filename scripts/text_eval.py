#!/usr/bin/env python3
"""text_eval.py — measures the text engine on the evaluation data in ../shared/data.

Default mode: the DIAC2019 dev stream. The labelled paraphrase rows
(questions/diac2019_dev_clusters.tsv) are mixed with the hard negatives
(questions/diac2019_dev_distractors.tsv) in a fixed seeded shuffle, sent through
`tala text cluster`, and scored with ARI, BCubed precision/recall/F1 and the number of
clusters: on the full stream (each distractor its own gold singleton) and on the labelled
rows only. A single-pass character-bigram Jaccard clusterer (threshold 0.30) runs on the
same stream in Python as the baseline, printed beside it, in two variants: a question
compared with every earlier question, and with each cluster's first question (leader).

--pairs: pair accuracy of `tala text pairs` on pairs/*.tsv: the engine's own threshold, and
a threshold tuned on each file then applied to every other file.

--speed N: questions per CPU second of `tala text cluster` on the stream repeated N times.

Python 3 standard library only. Usage:
  python3 scripts/text_eval.py [--tala build/tala] [--data ../shared/data] [--threshold X]
  python3 scripts/text_eval.py --pairs
  python3 scripts/text_eval.py --speed 20 --tala build/tala
"""
import argparse
import math
import os
import random
import resource
import subprocess
import sys
import time
import unicodedata
from collections import Counter, defaultdict

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = 2019


def read_tsv(path):
    rows = []
    with open(path, encoding='utf-8') as f:
        next(f)  # header
        for line in f:
            parts = line.rstrip('\n').split('\t')
            if len(parts) >= 2:
                rows.append(parts)
    return rows


def build_stream(data):
    """[(gold, labelled, text)] in a fixed order: gold is a cluster label or a singleton."""
    items = []
    for cid, text in read_tsv(os.path.join(data, 'questions', 'diac2019_dev_clusters.tsv')):
        items.append(('c' + cid, True, text))
    for i, (near, text) in enumerate(
            read_tsv(os.path.join(data, 'questions', 'diac2019_dev_distractors.tsv'))):
        items.append(('d%d' % i, False, text))
    random.Random(SEED).shuffle(items)
    return items


def run_tala(tala, sub, lines, extra=()):
    proc = subprocess.run([tala, 'text', sub, *extra], input='\n'.join(lines) + '\n',
                          capture_output=True, text=True, encoding='utf-8')
    if proc.returncode not in (0, 1):
        sys.exit('text_eval: %s text %s failed: %s' % (tala, sub, proc.stderr))
    return proc.stdout.splitlines()


def cluster_with_tala(tala, items, threshold):
    extra = ['--threshold', str(threshold)] if threshold else []
    out = run_tala(tala, 'cluster', ['%d\t%s' % (i, t.replace('\t', ' ').replace('\n', ' '))
                                     for i, (_, _, t) in enumerate(items)], extra)
    pred = [None] * len(items)
    for line in out:
        i, c = line.split('\t')
        pred[int(i)] = int(c)
    # a text empty after normalisation (-1) is its own cluster
    return ['e%d' % i if p is None or p < 0 else p for i, p in enumerate(pred)]


# ---- baseline: single-pass character-bigram Jaccard ----------------------------------

def base_norm(text):
    text = unicodedata.normalize('NFKC', text).lower()
    return ''.join(ch for ch in text if unicodedata.category(ch)[0] in 'LN')


def bigrams(text):
    s = base_norm(text)
    if len(s) < 2:
        return {s} if s else set()
    return {s[i:i + 2] for i in range(len(s) - 1)}


def baseline(items, threshold=0.30, leader=False):
    """Single pass: each question joins the cluster of its most similar earlier question
    (Jaccard of character bigrams) when that reaches the threshold, or opens a new cluster.
    With leader, a question is compared with each cluster's first question only."""
    index = defaultdict(list)  # bigram → earlier question numbers (leaders only)
    sets, pred = {}, []
    for i, (_, _, text) in enumerate(items):
        b = bigrams(text)
        counts = Counter()
        for g in b:
            for j in index[g]:
                counts[j] += 1
        best, best_j = 0.0, -1
        for j, inter in counts.items():
            sim = inter / (len(b) + len(sets[j]) - inter)
            if sim > best or (sim == best and j < best_j):
                best, best_j = sim, j
        joined = best_j >= 0 and best >= threshold
        pred.append(pred[best_j] if joined else i)
        if leader and joined:
            continue
        sets[i] = b
        for g in b:
            index[g].append(i)
    return pred


# ---- metrics -------------------------------------------------------------------------

def comb2(n):
    return n * (n - 1) / 2


def ari(gold, pred):
    n = len(gold)
    cont = Counter(zip(gold, pred))
    a = Counter(gold)
    b = Counter(pred)
    s_ij = sum(comb2(v) for v in cont.values())
    s_a = sum(comb2(v) for v in a.values())
    s_b = sum(comb2(v) for v in b.values())
    expected = s_a * s_b / comb2(n)
    top = (s_a + s_b) / 2
    return (s_ij - expected) / (top - expected) if top != expected else 1.0


def bcubed(gold, pred):
    cont = Counter(zip(gold, pred))
    a = Counter(gold)
    b = Counter(pred)
    p = sum(cont[(g, c)] / b[c] for g, c in zip(gold, pred)) / len(gold)
    r = sum(cont[(g, c)] / a[g] for g, c in zip(gold, pred)) / len(gold)
    return p, r, 2 * p * r / (p + r)


def scores(items, pred, labelled_only):
    rows = [(g, p) for (g, lab, _), p in zip(items, pred) if lab or not labelled_only]
    gold = [g for g, _ in rows]
    pr = [p for _, p in rows]
    p, r, f = bcubed(gold, pr)
    return {'ari': ari(gold, pr), 'p': p, 'r': r, 'f1': f, 'clusters': len(set(pr)),
            'gold': len(set(gold)), 'rows': len(rows)}


def print_table(results):
    print('%-34s %7s %7s %7s %7s %9s' % ('', 'ARI', 'B3 P', 'B3 R', 'B3 F1', 'clusters'))
    print('-' * 74)
    for name, s in results:
        print('%-34s %7.4f %7.4f %7.4f %7.4f %9d' % (name, s['ari'], s['p'], s['r'], s['f1'],
                                                     s['clusters']))


def cmd_stream(args):
    items = build_stream(args.data)
    t0 = time.time()
    pred = cluster_with_tala(args.tala, items, args.threshold)
    t1 = time.time()
    base = baseline(items)
    lead = baseline(items, leader=True)
    labelled = sum(1 for _, lab, _ in items if lab)
    print('stream: %d questions (%d labelled in %d gold clusters, %d distractors), seed %d'
          % (len(items), labelled, len({g for g, lab, _ in items if lab}),
             len(items) - labelled, SEED))
    print('tala text cluster: %.2f s wall for the stream (threshold %s)\n'
          % (t1 - t0, args.threshold or 'default'))
    for only, title in ((False, 'full stream (distractors are gold singletons)'),
                        (True, 'labelled rows only')):
        print(title)
        print_table([('tala (weighted shingles)', scores(items, pred, only)),
                     ('baseline: bigram Jaccard 0.30', scores(items, base, only)),
                     ('  same, cluster leader only', scores(items, lead, only))])
        print()


def cmd_sweep(args):
    items = build_stream(args.data)
    for t in args.sweep:
        pred = cluster_with_tala(args.tala, items, t)
        s, sl = scores(items, pred, False), scores(items, pred, True)
        print('threshold %.3f  full ARI %.4f F1 %.4f P %.4f R %.4f clusters %d | labelled ARI '
              '%.4f F1 %.4f' % (t, s['ari'], s['f1'], s['p'], s['r'], s['clusters'],
                                sl['ari'], sl['f1']))


def accuracy(scored, t):
    return sum(1 for s, y in scored if (s >= t) == (y == 1)) / len(scored)


def best_threshold(scored):
    cands = sorted({round(s, 4) for s, _ in scored})
    best = (0.0, 0.5)
    # every distinct score is a candidate cut (sampled when there are many)
    step = max(1, len(cands) // 2000)
    for t in cands[::step]:
        acc = accuracy(scored, t)
        if acc > best[0]:
            best = (acc, t)
    return best


def cmd_pairs(args):
    files = sorted(f for f in os.listdir(os.path.join(args.data, 'pairs')) if f.endswith('.tsv'))
    scored = {}
    for f in files:
        rows = read_tsv(os.path.join(args.data, 'pairs', f))
        rows = [r for r in rows if len(r) >= 3 and r[2] in ('0', '1')]
        out = run_tala(args.tala, 'pairs', ['%s\t%s' % (r[0], r[1]) for r in rows])
        scored[f] = [(float(line.split('\t')[0]), int(r[2])) for line, r in zip(out, rows)]
    names = [f.replace('_dev.tsv', '') for f in files]
    print('pair accuracy (rows: threshold tuned on; columns: reported on)')
    print('%-16s %9s' % ('tuned on', 'threshold') + ''.join('%12s' % n for n in names))
    for f, n in zip(files, names):
        acc, t = best_threshold(scored[f])
        print('%-16s %9.4f' % (n, t) + ''.join('%12.4f' % accuracy(scored[g], t) for g in files))
    engine = args.threshold if args.threshold else engine_threshold(args.tala)
    print('%-16s %9.4f' % ('engine default', engine) +
          ''.join('%12.4f' % accuracy(scored[g], engine) for g in files))
    print('%-26s' % 'majority class' + ''.join(
        '%12.4f' % (max(c.values()) / len(scored[g]))
        for g in files for c in [Counter(y for _, y in scored[g])]))


def engine_threshold(tala):
    """The pair threshold `tala text --help` prints (the first number in (0, 1))."""
    out = subprocess.run([tala, 'text', '--help'], capture_output=True, text=True).stdout
    for word in out.replace(')', ' ').split():
        try:
            v = float(word)
            if 0 < v < 1:
                return v
        except ValueError:
            pass
    return 0.5


def cmd_speed(args):
    items = build_stream(args.data)
    lines = ['%d\t%s' % (i, t) for i, (_, _, t) in enumerate(items)]
    payload = ('\n'.join(lines) + '\n') * args.speed
    n = len(lines) * args.speed
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    subprocess.run([args.tala, 'text', 'cluster'], input=payload.encode(), check=True,
                   stdout=subprocess.DEVNULL)
    wall = time.time() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print('%d questions (the stream × %d): %.3f s CPU, %.3f s wall: %.0f questions per CPU '
          'second (parse, normalise, assign, print)' % (n, args.speed, cpu, wall, n / cpu))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tala', default=os.path.join(TOP, 'build', 'tala'))
    ap.add_argument('--data', default=os.path.join(TOP, '..', 'shared', 'data'))
    ap.add_argument('--threshold', type=float, default=0.0)
    ap.add_argument('--pairs', action='store_true', help='pair accuracy on pairs/*.tsv')
    ap.add_argument('--sweep', type=float, nargs='+', help='stream scores at these thresholds')
    ap.add_argument('--speed', type=int, default=0, help='throughput on the stream × N')
    args = ap.parse_args()
    if not os.path.exists(args.tala):
        sys.exit('text_eval: no %s (build it: meson setup build --buildtype=release && '
                 'ninja -C build)' % args.tala)
    if args.pairs:
        cmd_pairs(args)
    elif args.sweep:
        cmd_sweep(args)
    elif args.speed:
        cmd_speed(args)
    else:
        cmd_stream(args)


if __name__ == '__main__':
    main()
