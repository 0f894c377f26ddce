/* keywords.c — the telling words of a set of texts (a stream's questions, for its report):
 * character bigrams and trigrams of the normalised texts, scored by the number of texts
 * they occur in times their built-in weight, so that 医保缴费 outranks 怎么 and 请问. A
 * trigram that nearly always carries its bigram replaces it. Not on a hot path: it
 * allocates freely. */
#include "text/text.h"
#include "text/text_internal.h"

#include <stdlib.h>
#include <string.h>

enum { KW_CPS = 256 };
#define KW_MIN_WEIGHT 4.0f /* n-grams lighter than this (filler) are never keywords */

struct kw_gram {
	uint64_t key; /* up to three 21-bit code points; 0 = empty */
	uint32_t count;
	uint32_t last; /* the last text counted, + 1 (each text counts once) */
	float weight;
	double score;
};

struct kw_map {
	struct kw_gram *g;
	size_t mask, used;
};

static uint64_t kw_key(const uint32_t *cps, unsigned n)
{
	uint64_t k = 0;
	for (unsigned i = 0; i < n; i++)
		k = k << 21 | cps[i];
	return n == 3 ? k | 1ULL << 63 : k; /* the top bit tells a trigram from a bigram */
}

static size_t kw_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k;
}

static int kw_grow(struct kw_map *m)
{
	size_t cap = (m->mask + 1) * 2;
	struct kw_gram *g = calloc(cap, sizeof(*g));
	if (!g)
		return -1;
	for (size_t i = 0; i <= m->mask; i++) {
		if (!m->g[i].key)
			continue;
		size_t j = kw_hash(m->g[i].key) & (cap - 1);
		while (g[j].key)
			j = (j + 1) & (cap - 1);
		g[j] = m->g[i];
	}
	free(m->g);
	m->g = g;
	m->mask = cap - 1;
	return 0;
}

static struct kw_gram *kw_get(struct kw_map *m, uint64_t key)
{
	if ((m->used + 1) * 2 > m->mask + 1 && kw_grow(m) < 0)
		return NULL;
	size_t j = kw_hash(key) & m->mask;
	while (m->g[j].key && m->g[j].key != key)
		j = (j + 1) & m->mask;
	if (!m->g[j].key) {
		m->g[j].key = key;
		m->used++;
	}
	return &m->g[j];
}

static struct kw_gram *kw_find(const struct kw_map *m, uint64_t key)
{
	size_t j = kw_hash(key) & m->mask;
	while (m->g[j].key && m->g[j].key != key)
		j = (j + 1) & m->mask;
	return m->g[j].key ? &m->g[j] : NULL;
}

static bool kw_content(uint32_t cp)
{
	return cp >= 0x3400; /* CJK: Latin letters and digits make poor keywords alone */
}

static int kw_cmp(const void *a, const void *b)
{
	const struct kw_gram *x = *(const struct kw_gram *const *)a;
	const struct kw_gram *y = *(const struct kw_gram *const *)b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static char *kw_string(uint64_t key)
{
	unsigned n = key >> 63 ? 3 : 2;
	char *s = malloc(4 * 3 + 1);
	if (!s)
		return NULL;
	size_t o = 0;
	for (unsigned i = 0; i < n; i++) {
		uint32_t cp = (uint32_t)(key >> (21 * (n - 1 - i))) & 0x1FFFFF;
		o += utf8_encode(cp, s + o);
	}
	s[o] = 0;
	return s;
}

size_t text_keywords(const char *const *texts, size_t ntexts, size_t n, char **out,
		     double *weights)
{
	struct kw_map m = {calloc(1024, sizeof(struct kw_gram)), 1023, 0};
	struct kw_gram **list = NULL;
	size_t got = 0;
	if (!m.g || n == 0 || !out)
		goto done;
	uint32_t cps[KW_CPS];
	for (size_t t = 0; t < ntexts; t++) {
		if (!texts[t])
			continue;
		size_t k = text_normalize_cps(texts[t], strlen(texts[t]), cps, KW_CPS);
		for (size_t i = 0; i + 1 < k; i++) {
			for (unsigned len = 2; len <= 3 && i + len <= k; len++) {
				bool ok = true;
				for (unsigned j = 0; j < len; j++)
					ok = ok && kw_content(cps[i + j]);
				if (!ok)
					break;
				struct kw_gram *g = kw_get(&m, kw_key(cps + i, len));
				if (!g)
					goto done;
				if (g->last == t + 1)
					continue;
				g->last = (uint32_t)(t + 1);
				g->count++;
				float w = shingle_weight(cps[i], cps[i + 1]);
				if (len == 3) {
					float w2 = shingle_weight(cps[i + 1], cps[i + 2]);
					w = (w < w2 ? w : w2) * 1.2f;
				}
				g->weight = w;
			}
		}
	}
	list = malloc((m.used ? m.used : 1) * sizeof(*list));
	if (!list)
		goto done;
	size_t nl = 0;
	for (size_t i = 0; i <= m.mask; i++) {
		struct kw_gram *g = &m.g[i];
		if (!g->key || g->weight < KW_MIN_WEIGHT)
			continue;
		g->score = (double)g->count * g->weight;
		list[nl++] = g;
	}
	/* a trigram found (almost) wherever its bigrams are stands in for them */
	for (size_t i = 0; i < nl; i++) {
		struct kw_gram *g = list[i];
		if (!(g->key >> 63))
			continue;
		uint64_t k3 = g->key & ~(1ULL << 63);
		uint64_t a = (k3 >> 21), b = k3 & ((1ULL << 42) - 1);
		struct kw_gram *ga = kw_find(&m, a), *gb = kw_find(&m, b);
		if (ga && g->count * 10 >= ga->count * 7)
			ga->score = 0;
		if (gb && g->count * 10 >= gb->count * 7)
			gb->score = 0;
		if (g->count < 2 && ntexts > 1)
			g->score = 0;
	}
	qsort(list, nl, sizeof(*list), kw_cmp);
	for (size_t i = 0; i < nl && got < n; i++) {
		if (list[i]->score <= 0)
			break;
		out[got] = kw_string(list[i]->key);
		if (!out[got])
			break;
		if (weights)
			weights[got] = list[i]->score;
		got++;
	}
done:
	free(list);
	free(m.g);
	return got;
}
