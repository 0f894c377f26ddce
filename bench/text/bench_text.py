#!/usr/bin/env python3
"""bench_text.py — the text engine (`tala text cluster`) against its peer (bench/text/peer.py:
jieba + scikit-learn TF-IDF + online nearest centroid) in one run.

Quality: the DIAC2019 dev stream with its distractors (scripts/text_eval.py builds it and
scores it: ARI, BCubed F1 — imported, not copied). The peer's threshold is tuned on the same
stream for its best ARI; the engine runs at its default threshold.
Throughput: a stream of --n questions made from it with light perturbation (prefixes such as
请问/主播, suffixes such as 谢谢/？), in a fixed seeded order. The engine clusters all of it
(median of --runs runs); the peer, being ~100× slower, runs on its first --peer-n questions.
Both are timed in CPU seconds (user + system of the child, from GNU time) with peak RSS.

Writes a markdown fragment to --md and prints it. Exit 0 unless something broke (a bar
missed is reported, not an error).
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, 'scripts'))
import text_eval  # noqa: E402  (build_stream, ari, bcubed, scores)

PEER_PY = '/usr/bin/python3'
TIME = '/usr/bin/time'  # GNU time (Debian package time, bench/run.sh installs it)
PREFIXES = ['', '', '', '请问', '主播', '请问主播', '主播你好，', '老师，', '您好，请问']
SUFFIXES = ['', '', '', '谢谢', '？', '?', '，谢谢！', '呢', '啊？', '。']
THRESHOLDS = [0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8]


def run_child(argv, stdin_path, stdout_path):
    """Runs argv with stdin/stdout files; returns (cpu seconds, peak RSS in MB, wall).

    The child is started by GNU time, not by this process: a child forked from here starts
    with this interpreter's pages (a million strings, ~170 MB), and Linux carries that high
    water mark through exec into the child's ru_maxrss. time's own child starts small."""
    fd, tpath = tempfile.mkstemp(prefix='tala-bench-time-')
    os.close(fd)
    with open(stdin_path, 'rb') as fin, open(stdout_path, 'wb') as fout:
        t0 = time.time()
        p = subprocess.run([TIME, '-q', '-o', tpath, '-f', '%U %S %M'] + argv,
                           stdin=fin, stdout=fout, stderr=subprocess.PIPE)
        wall = time.time() - t0
    with open(tpath) as f:
        fields = f.read().split()
    os.unlink(tpath)
    err = p.stderr.decode('utf-8', 'replace')
    # time exits with the child's status, or 128 + the signal that ended it
    if p.returncode not in (0, 1) or len(fields) != 3:
        sys.exit('bench_text: %s failed (%d): %s' % (argv[0], p.returncode, err[-2000:]))
    user, system, rss_kb = float(fields[0]), float(fields[1]), int(fields[2])
    # GNU time counts in hundredths: a smoke run's few thousand questions may take 0.00
    return max(user + system, 0.01), rss_kb / 1024.0, wall


def write_lines(path, texts):
    with open(path, 'w', encoding='utf-8') as f:
        for i, t in enumerate(texts):
            f.write('%d\t%s\n' % (i, t.replace('\t', ' ').replace('\n', ' ')))


def read_pred(path, n):
    pred = ['e%d' % i for i in range(n)]
    with open(path, encoding='utf-8') as f:
        for line in f:
            i, c = line.rstrip('\n').split('\t')[-2:]
            if int(c) >= 0:
                pred[int(i)] = int(c)
    return pred


def perturbed(items, n, seed=7):
    rnd = random.Random(seed)
    base = [t for _, _, t in items]
    out = []
    while len(out) < n:
        for t in base:
            out.append(rnd.choice(PREFIXES) + t + rnd.choice(SUFFIXES))
            if len(out) == n:
                break
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tala', default=os.path.join(TOP, 'build', 'tala'))
    ap.add_argument('--data', default=os.path.join(TOP, '..', 'shared', 'data'))
    ap.add_argument('--n', type=int, default=1000000, help='questions in the throughput stream')
    ap.add_argument('--peer-n', type=int, default=100000, help='of them, for the peer')
    ap.add_argument('--quality-n', type=int, default=0, help='first N of the quality stream (0: all)')
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--md', help='write the markdown fragment here')
    args = ap.parse_args()
    if not os.access(args.tala, os.X_OK):
        sys.exit('bench_text: no %s' % args.tala)
    tmp = tempfile.mkdtemp(prefix='tala-bench-text-')
    peer = [PEER_PY, os.path.join(HERE, 'peer.py')]

    # ---- quality: the DIAC2019 stream with distractors ----
    items = text_eval.build_stream(args.data)
    if args.quality_n:
        items = items[:args.quality_n]
    qin, qout = os.path.join(tmp, 'q.tsv'), os.path.join(tmp, 'q.out')
    write_lines(qin, [t for _, _, t in items])
    run_child([args.tala, 'text', 'cluster'], qin, qout)
    tala_q = text_eval.scores(items, read_pred(qout, len(items)), False)
    run_child(peer + ['--fit', str(len(items)), '--sweep'] + [str(t) for t in THRESHOLDS],
              qin, qout)
    by_t = {}
    with open(qout, encoding='utf-8') as f:
        for line in f:
            t, i, c = line.rstrip('\n').split('\t')
            by_t.setdefault(float(t), {})[int(i)] = int(c)
    sweep = {}
    for t, m in by_t.items():
        pred = [m[i] if m.get(i, -1) >= 0 else 'e%d' % i for i in range(len(items))]
        sweep[t] = text_eval.scores(items, pred, False)
    peer_t = max(sweep, key=lambda t: sweep[t]['ari'])
    peer_q = sweep[peer_t]
    base_q = text_eval.scores(items, text_eval.baseline(items), False)

    # ---- throughput: the perturbed stream ----
    texts = perturbed(items, args.n)
    tin, tout = os.path.join(tmp, 't.tsv'), os.path.join(tmp, 't.out')
    write_lines(tin, texts)
    tala_runs = [run_child([args.tala, 'text', 'cluster'], tin, tout) for _ in range(args.runs)]
    tala_cpu = statistics.median(r[0] for r in tala_runs)
    tala_rss = max(r[1] for r in tala_runs)
    pn = min(args.peer_n, args.n)
    pin = os.path.join(tmp, 'p.tsv')
    write_lines(pin, texts[:pn])
    peer_runs = [run_child(peer + ['--fit', str(min(10000, pn)), '--threshold', str(peer_t)],
                           pin, tout) for _ in range(1 if pn > 20000 else args.runs)]
    peer_cpu = statistics.median(r[0] for r in peer_runs)
    peer_rss = max(r[1] for r in peer_runs)
    tala_rate = args.n / tala_cpu
    peer_rate = pn / peer_cpu

    rows = [
        ('questions per CPU-second', '%.0f' % tala_rate, '%.0f' % peer_rate,
         '%.1f×' % (tala_rate / peer_rate)),
        ('questions timed', '%d (median of %d)' % (args.n, len(tala_runs)),
         '%d (%d run%s)' % (pn, len(peer_runs), 's' if len(peer_runs) > 1 else ''), ''),
        ('CPU seconds', '%.2f' % tala_cpu, '%.2f' % peer_cpu, ''),
        ('peak RSS (MB)', '%.1f' % tala_rss, '%.1f' % peer_rss,
         '%.2f×' % (tala_rss / peer_rss)),
        ('ARI (DIAC2019 + distractors, %d q)' % len(items), '%.4f' % tala_q['ari'],
         '%.4f' % peer_q['ari'], '%+.4f' % (tala_q['ari'] - peer_q['ari'])),
        ('BCubed F1', '%.4f' % tala_q['f1'], '%.4f' % peer_q['f1'],
         '%+.4f' % (tala_q['f1'] - peer_q['f1'])),
        ('clusters predicted (gold %d)' % tala_q['gold'], '%d' % tala_q['clusters'],
         '%d' % peer_q['clusters'], ''),
        ('threshold', 'engine default', '%.2f (best ARI of %s)' % (
            peer_t, ', '.join('%g' % t for t in THRESHOLDS)), ''),
    ]
    bars = [
        ('≥ 300k questions per CPU-second', tala_rate >= 300000, '%.0f' % tala_rate),
        ('≥ 50× the peer', tala_rate >= 50 * peer_rate, '%.1f×' % (tala_rate / peer_rate)),
        ('ARI not below the peer', tala_q['ari'] >= peer_q['ari'],
         '%.4f vs %.4f' % (tala_q['ari'], peer_q['ari'])),
        ('BCubed F1 not below the peer', tala_q['f1'] >= peer_q['f1'],
         '%.4f vs %.4f' % (tala_q['f1'], peer_q['f1'])),
        ('above the lexical baseline (bigram Jaccard 0.30: DESIGN §9 quotes ARI 0.50, '
         'F1 0.77; the same run here)',
         tala_q['ari'] > max(0.50, base_q['ari']) and tala_q['f1'] > max(0.77, base_q['f1']),
         'in this run ARI %.4f, F1 %.4f' % (base_q['ari'], base_q['f1'])),
    ]
    md = ['### Text engine (bench/text)', '',
          '| | tala text cluster | peer (jieba + sklearn TF-IDF + nearest centroid) | tala/peer |',
          '|---|---:|---:|---:|']
    md += ['| %s | %s | %s | %s |' % r for r in rows]
    md += ['', '| bar | holds | measured |', '|---|---|---|']
    md += ['| %s | %s | %s |' % (b, 'yes' if ok else '**no**', v) for b, ok, v in bars]
    md += ['', 'Peer sweep (ARI / BCubed F1): ' + ', '.join(
        '%g: %.4f / %.4f' % (t, sweep[t]['ari'], sweep[t]['f1']) for t in sorted(sweep)), '']
    text = '\n'.join(md)
    print(text)
    if args.md:
        with open(args.md, 'w', encoding='utf-8') as f:
            f.write(text + '\n')
    for p in os.listdir(tmp):
        os.unlink(os.path.join(tmp, p))
    os.rmdir(tmp)


if __name__ == '__main__':
    main()
