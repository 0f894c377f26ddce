#!/usr/bin/python3
"""peer.py — the text engine's peer for bench/text: jieba segmentation, scikit-learn TF-IDF,
online nearest-centroid assignment with a threshold. Debian's python3-jieba and
python3-sklearn, run with /usr/bin/python3.

Reads id<TAB>text lines on stdin, writes id<TAB>cluster in input order (the same contract as
`tala text cluster`). The TF-IDF vocabulary and IDF are fitted on the first --fit lines (the
stream's first part); every line is then segmented, vectorised and assigned in input order:
each question joins the cluster whose centroid (normalised sum of its members' vectors) has
the highest cosine with it when that reaches --threshold, or opens a new cluster. Centroids
are kept in an inverted index (term → {cluster: summed weight}) so a question is compared
only with clusters that share a term with it; terms in more than --max-df of the fitted lines
(吗, 怎么, 请问 …) are dropped, as a TF-IDF pipeline would, else every question would walk
nearly every cluster.

With --sweep T1 T2 …, runs the assignment once per threshold over the same vectors and
writes `threshold<TAB>id<TAB>cluster` lines (the bench picks the threshold with the best ARI).
"""
import argparse
import logging
import math
import sys

import jieba
from sklearn.feature_extraction.text import TfidfVectorizer

jieba.setLogLevel(logging.WARNING)


def tokens(text):
    return [w for w in jieba.lcut(text) if w.strip()]


def assign(rows, threshold):
    """rows: [(term indices, weights)] of unit vectors. Returns cluster numbers."""
    index = {}       # term → {cluster: summed weight}
    sqnorm = []      # |sum of member vectors|² per cluster
    out = []
    for idx, w in rows:
        if len(idx) == 0:
            out.append(-1)
            continue
        dots = {}
        for t, x in zip(idx, w):
            post = index.get(t)
            if post:
                for c, y in post.items():
                    dots[c] = dots.get(c, 0.0) + x * y
        best, best_c = 0.0, -1
        for c, d in dots.items():
            s = d / math.sqrt(sqnorm[c])
            if s > best:
                best, best_c = s, c
        if best_c >= 0 and best >= threshold:
            c = best_c
            sqnorm[c] += 2.0 * dots[c] + 1.0
        else:
            c = len(sqnorm)
            sqnorm.append(1.0)
        for t, x in zip(idx, w):
            post = index.get(t)
            if post is None:
                index[t] = {c: x}
            else:
                post[c] = post.get(c, 0.0) + x
        out.append(c)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threshold', type=float, default=0.5)
    ap.add_argument('--fit', type=int, default=10000, help='lines the TF-IDF is fitted on')
    ap.add_argument('--max-df', type=float, default=0.05,
                    help='terms in more of the fitted lines are dropped (stop words: 吗, 怎么 …)')
    ap.add_argument('--sweep', type=float, nargs='+')
    args = ap.parse_args()

    ids, texts = [], []
    for line in sys.stdin.buffer:
        parts = line.decode('utf-8', 'replace').rstrip('\n').split('\t', 1)
        if len(parts) == 2:
            ids.append(parts[0])
            texts.append(parts[1])
    segmented = [tokens(t) for t in texts]
    vec = TfidfVectorizer(analyzer=lambda toks: toks, sublinear_tf=True, max_df=args.max_df)
    vec.fit(segmented[:max(1, args.fit)])
    m = vec.transform(segmented).tocsr()  # rows are L2-normalised
    rows = [(m.indices[m.indptr[i]:m.indptr[i + 1]].tolist(),
             m.data[m.indptr[i]:m.indptr[i + 1]].tolist()) for i in range(m.shape[0])]
    w = sys.stdout.write
    for t in (args.sweep or [args.threshold]):
        pred = assign(rows, t)
        for i, c in zip(ids, pred):
            w(('%g\t' % t if args.sweep else '') + '%s\t%d\n' % (i, c))


if __name__ == '__main__':
    main()
