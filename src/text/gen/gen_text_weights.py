#!/usr/bin/env python3
"""gen_text_weights.py — build-time generator of the shingle weight tables.

Reads jieba's dict.txt (Debian python3-jieba: words with corpus frequencies) and writes a C
file of IDF-like weights, log(total / frequency), for single characters and character
bigrams: a character's or bigram's frequency is the summed frequency of the dictionary words
it occurs in. Question and filler words (请问, 什么, 怎么, 吗 …), which every question has,
get a low fixed weight. Weights are stored in 1/16 units (uint8).

It also marks the characters that start a phrase of shingle.c's tables (shingle_canon,
shingle_intents), read from that file, so the runtime tries those tables only there, and
gives for each such character the index of its first phrase (the tables are sorted by first
character), so that the runtime does not search for it.

And a word set for segmenting (keywords.c): the dictionary's words of one to four
characters of U+3400..U+9FFF with frequency >= MIN_WORD_FREQ, in an open-addressing table of
32-bit fingerprints of a 64-bit FNV-1a hash over the code points (slot = hash & mask,
fingerprint = hash >> 32 | 1; 0 = empty), each with its IDF, log(total / frequency), in
1/16 units.

usage: gen_text_weights.py DICT.txt SHINGLE.c OUT.c
"""
import math
import re
import sys
from collections import Counter

MIN_BIGRAM_FREQ = 100      # rarer bigrams are not stored: they get the default weight
SLOTS = 1 << 16            # bigram hash table slots (power of two)
LOW = 2.0                  # weight of question and filler words
LO, HI = 0x3400, 0xA000
MIN_WORD_FREQ = 5          # rarer dictionary words are left out of the word set
WORD_SLOTS = 1 << 18       # word set slots (power of two; about half full)

# Words that carry the asking, not the asked: low weight for the word and its characters.
FILLER = """请问 请教 想问 问下 问一下 问问 什么 怎么 怎样 怎么样 如何 哪些 哪个 是否 可以 能否
能不能 可不可以 吗 呢 吧 啊 呀 哦 的 了 是 有 没有 我 你 您 他 她 们 这 那 个 在 和 与 及 或
要 会 能 需要 应该 应当 一下 还 都 就 也 该 被 对 把 给 之 么 么样 一个 这个 那个 现在 如果
想 知道 请 问 谢谢 老师 主播 麻烦 下 呢 吗 嘛 就是 还是 已经 应 怎 何 哪 啥 为 么办""".split()


def word_hash(w):
    """64-bit FNV-1a over the code points (text_word_hash in text_internal.h)."""
    h = 14695981039346656037
    for c in w:
        h = ((h ^ ord(c)) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def main():
    dict_path, shingle_c, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
    flags = [0] * (HI - LO)
    first_at = {1: [255] * (HI - LO), 2: [255] * (HI - LO)}
    src = open(shingle_c, encoding='utf-8').read()
    for bit, table in ((1, 'shingle_canon'), (2, 'shingle_intents')):
        start = src.index(table + '[] = {')
        body = src[start:src.index('};', start)]
        firsts = re.findall(r'\{U"(.)', body)
        if len(firsts) > 255 or firsts != sorted(firsts, key=ord):
            sys.exit('gen_text_weights: %s must be sorted by first character, < 256 rows' % table)
        for k, first in enumerate(firsts):
            if LO <= ord(first) < HI:
                flags[ord(first) - LO] |= bit
                if first_at[bit][ord(first) - LO] == 255:
                    first_at[bit][ord(first) - LO] = k
    uni, bi, total = Counter(), Counter(), 0
    words = {}
    with open(dict_path, encoding='utf-8') as f:
        for line in f:
            p = line.split()
            if len(p) < 2 or not p[1].isdigit():
                continue
            w, n = p[0], int(p[1])
            total += n
            if (n >= MIN_WORD_FREQ and 1 <= len(w) <= 4 and
                    all(LO <= ord(c) < HI for c in w)):
                words[w] = words.get(w, 0) + n
            for c in w:
                uni[c] += n
            for i in range(len(w) - 1):
                bi[w[i:i + 2]] += n

    def q(x):
        return max(1, min(255, int(round(x * 16))))

    def idf(n):
        return math.log(total / (n + 1))

    uni_default = idf(1)
    bi_default = idf(MIN_BIGRAM_FREQ)
    unitab = [q(uni_default)] * (HI - LO)
    for c, n in uni.items():
        cp = ord(c)
        if LO <= cp < HI:
            unitab[cp - LO] = q(idf(n))
    bigrams = {}
    for b, n in bi.items():
        if n >= MIN_BIGRAM_FREQ and all(0 < ord(c) < 0x10000 for c in b):
            bigrams[b] = q(idf(n))
    for w in FILLER:
        for c in w:
            if LO <= ord(c) < HI:
                unitab[ord(c) - LO] = min(unitab[ord(c) - LO], q(LOW))
        for i in range(len(w) - 1):
            bigrams[w[i:i + 2]] = q(LOW)
    keys = [0] * SLOTS
    vals = [0] * SLOTS
    for b, v in sorted(bigrams.items()):
        key = (ord(b[0]) << 16) | ord(b[1])
        i = ((key * 2654435761) & 0xFFFFFFFF) >> 16
        while keys[i]:
            i = (i + 1) & (SLOTS - 1)
        keys[i], vals[i] = key, v
    wkeys = [0] * WORD_SLOTS
    wvals = [0] * WORD_SLOTS
    for w, n in sorted(words.items()):
        h = word_hash(w)
        i = h & (WORD_SLOTS - 1)
        while wkeys[i]:
            i = (i + 1) & (WORD_SLOTS - 1)
        wkeys[i], wvals[i] = (h >> 32) | 1, q(idf(n))
    with open(out_path, 'w', encoding='utf-8') as o:
        o.write('/* Generated by gen_text_weights.py from jieba dict.txt: %d characters, '
                '%d bigrams. */\n#include "text/text_internal.h"\n\n' % (len(uni), len(bigrams)))
        # the weight of a table entry: IDF above a floor, square-rooted (tuned on the DIAC2019
        # stream: rare characters count, but not so much that one rare character decides)
        o.write('const float text_w_value[256] = {\n')
        vals_f = [math.sqrt(max(i / 16.0 - 1.5, 0.1)) for i in range(256)]
        for i in range(0, 256, 8):
            o.write(', '.join('%.6ff' % v for v in vals_f[i:i + 8]) + ',\n')
        o.write('};\n')
        o.write('const uint8_t text_w_uni_default = %d;\n' % q(uni_default))
        o.write('const uint8_t text_w_bi_default = %d;\n' % q(bi_default))
        o.write('const uint32_t text_w_bi_mask = %d;\n' % (SLOTS - 1))
        o.write('const uint8_t text_w_uni[%d] = {\n' % (HI - LO))
        for i in range(0, len(unitab), 32):
            o.write(','.join(map(str, unitab[i:i + 32])) + ',\n')
        o.write('};\nconst uint8_t text_w_flags[%d] = {\n' % (HI - LO))
        for i in range(0, len(flags), 32):
            o.write(','.join(map(str, flags[i:i + 32])) + ',\n')
        for name, bit in (('text_w_canon_at', 1), ('text_w_intent_at', 2)):
            o.write('};\nconst uint8_t %s[%d] = {\n' % (name, HI - LO))
            for i in range(0, HI - LO, 32):
                o.write(','.join(map(str, first_at[bit][i:i + 32])) + ',\n')
        o.write('};\nconst uint32_t text_w_bi_keys[%d] = {\n' % SLOTS)
        for i in range(0, SLOTS, 16):
            o.write(','.join('0x%X' % k for k in keys[i:i + 16]) + ',\n')
        o.write('};\nconst uint8_t text_w_bi_vals[%d] = {\n' % SLOTS)
        for i in range(0, SLOTS, 32):
            o.write(','.join(map(str, vals[i:i + 32])) + ',\n')
        o.write('};\n')
        o.write('const uint32_t text_word_mask = %d; /* %d words */\n' % (WORD_SLOTS - 1, len(words)))
        o.write('const uint32_t text_word_keys[%d] = {\n' % WORD_SLOTS)
        for i in range(0, WORD_SLOTS, 16):
            o.write(','.join('0x%X' % k for k in wkeys[i:i + 16]) + ',\n')
        o.write('};\nconst uint8_t text_word_idf[%d] = {\n' % WORD_SLOTS)
        for i in range(0, WORD_SLOTS, 32):
            o.write(','.join(map(str, wvals[i:i + 32])) + ',\n')
        o.write('};\n')


if __name__ == '__main__':
    main()
