/* shingle.c — a normalised question as a set of weighted character n-grams: every character
 * (unigram) and every pair of neighbours (bigram), weighted by the generated IDF-like
 * tables so that rare content characters count and the words every question has (请问, 什么,
 * 吗) barely do. Hashes are xxHash32 of the code points with the n-gram length in the low
 * two bits; the set is sorted by hash for merging. */
#include "text/text.h"
#include "text/text_internal.h"

#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

/* Weights: max(idf - FLOOR, MIN); unigrams count UNI_SCALE of that. */
#define SHINGLE_FLOOR 1.5f
#define SHINGLE_MIN 0.1f
#define SHINGLE_UNI_SCALE 0.5f

float shingle_weight(uint32_t a, uint32_t b)
{
	unsigned q;
	if (b == 0) {
		q = a >= TEXT_W_LO && a < TEXT_W_HI ? text_w_uni[a - TEXT_W_LO]
		    : a < 0x80			    ? 128 /* a Latin letter or digit */
						    : text_w_uni_default;
	} else if (a < 0x10000 && b < 0x10000) {
		uint32_t key = a << 16 | b;
		q = text_w_bi_default;
		for (uint32_t i = (key * 2654435761U) >> 16;; i = (i + 1) & text_w_bi_mask) {
			if (text_w_bi_keys[i] == key) {
				q = text_w_bi_vals[i];
				break;
			}
			if (text_w_bi_keys[i] == 0)
				break;
		}
	} else {
		q = text_w_bi_default;
	}
	float w = (float)q / 16.0f - SHINGLE_FLOOR;
	if (w < SHINGLE_MIN)
		w = SHINGLE_MIN;
	return b == 0 ? w * SHINGLE_UNI_SCALE : w;
}

static inline uint32_t shingle_hash(const uint32_t *cps, unsigned n)
{
	return (XXH32(cps, n * sizeof(uint32_t), 0x7A1A) & ~3U) | n;
}

static void shingle_sort(struct text_shingles *s)
{
	/* insertion sort: sets are small (a short question has a few dozen shingles) */
	for (uint32_t i = 1; i < s->n; i++) {
		uint32_t h = s->hash[i];
		float w = s->w[i];
		uint32_t j = i;
		while (j > 0 && s->hash[j - 1] > h) {
			s->hash[j] = s->hash[j - 1];
			s->w[j] = s->w[j - 1];
			j--;
		}
		s->hash[j] = h;
		s->w[j] = w;
	}
}

void shingle_build(const uint32_t *cps, size_t n, struct text_shingles *s)
{
	if (n > TEXT_MAX_CPS)
		n = TEXT_MAX_CPS;
	s->n = 0;
	for (size_t i = 0; i < n; i++) {
		s->hash[s->n] = shingle_hash(cps + i, 1);
		s->w[s->n++] = shingle_weight(cps[i], 0);
		if (i + 1 < n) {
			s->hash[s->n] = shingle_hash(cps + i, 2);
			s->w[s->n++] = shingle_weight(cps[i], cps[i + 1]);
		}
	}
	shingle_sort(s);
	/* a set: one entry per distinct n-gram */
	uint32_t m = 0;
	float total = 0;
	for (uint32_t i = 0; i < s->n; i++) {
		if (m > 0 && s->hash[m - 1] == s->hash[i])
			continue;
		s->hash[m] = s->hash[i];
		s->w[m] = s->w[i];
		total += s->w[i];
		m++;
	}
	s->n = m;
	s->total = total;
}

size_t shingle_text(const char *in, size_t len, struct text_shingles *s)
{
	uint32_t cps[TEXT_MAX_CPS];
	size_t n = text_normalize_cps(in, len, cps, TEXT_MAX_CPS);
	shingle_build(cps, n, s);
	return n;
}

double shingle_jaccard(const struct text_shingles *a, const struct text_shingles *b)
{
	float shared = 0;
	uint32_t i = 0, j = 0;
	while (i < a->n && j < b->n) {
		if (a->hash[i] < b->hash[j]) {
			i++;
		} else if (a->hash[i] > b->hash[j]) {
			j++;
		} else {
			shared += a->w[i] < b->w[j] ? a->w[i] : b->w[j];
			i++;
			j++;
		}
	}
	float uni = a->total + b->total - shared;
	return uni > 0 ? (double)(shared / uni) : 0.0;
}
