/* text_internal.h — what the files of the text engine share: UTF-8 helpers, the generated
 * tables (traditional → simplified, shingle weights) and the shingle set of a normalised
 * string. Not for use outside src/text/. */
#ifndef TALA_TEXT_INTERNAL_H
#define TALA_TEXT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- UTF-8 ------------------------------------------------------------------------- */

/* Decodes one code point at s[0..len) strictly (no overlong forms, no surrogates, nothing
 * past U+10FFFF). Returns the bytes used (1..4) with *cp set, or 0 when s starts with an
 * invalid sequence (the caller skips one byte). */
static inline size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xE1 && c <= 0xEF && c != 0xED && len >= 3) {
		/* three bytes (all of CJK) whose lead rules out overlong forms (E0) and
		 * surrogates (ED): only the continuation bytes need a test */
		unsigned c1 = s[1], c2 = s[2];
		if (((c1 ^ 0x80) | (c2 ^ 0x80)) & 0xC0)
			return 0;
		*cp = (uint32_t)(c & 0x0F) << 12 | (c1 & 0x3F) << 6 | (c2 & 0x3F);
		return 3;
	}
	size_t n;
	uint32_t v, min;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		v = c & 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		v = c & 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

/* The next code point of s[*i..len) into *cp, past it in *i; invalid sequences are dropped
 * a byte at a time. False at the end. */
static inline bool utf8_next(const unsigned char *s, size_t len, size_t *i, uint32_t *cp)
{
	while (*i < len) {
		size_t k = utf8_decode(s + *i, len - *i, cp);
		if (k) {
			*i += k;
			return true;
		}
		(*i)++;
	}
	return false;
}

/* Bytes the UTF-8 form of cp takes. */
static inline size_t utf8_len(uint32_t cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/* Writes cp as UTF-8 to o (room for 4 bytes); returns the bytes written. */
static inline size_t utf8_encode(uint32_t cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The byte length of in cut to TEXT_MAX_INPUT at a character boundary. */
size_t text_cut(const char *in, size_t len);

/* Normalises in into code points (cps, at most cap); returns how many. The same rules as
 * text_normalize(), which encodes this result as UTF-8. */
size_t text_normalize_cps(const char *in, size_t len, uint32_t *cps, size_t cap);

/* ---- generated tables ------------------------------------------------------------- */

/* gen_t2s.c (OpenCC t2s.json): simplified form of U+3400..U+9FFF (0 = unchanged), and
 * sorted {traditional, simplified} pairs for the other code points. */
enum { TEXT_T2S_LO = 0x3400, TEXT_T2S_HI = 0xA000 };
extern const uint16_t text_t2s_bmp[TEXT_T2S_HI - TEXT_T2S_LO];
extern const uint32_t text_t2s_pairs[][2];
extern const size_t text_t2s_npairs;

/* gen_text_weights.py (jieba dict.txt): IDF-like weights in 1/16 units (text_w_value maps
 * them to the weight used: sqrt(max(idf - 1.5, 0.1))). Unigrams of
 * U+3400..U+9FFF directly; bigrams of two BMP characters in an open-addressing table keyed
 * (a << 16 | b), key 0 = empty slot; a missing key has the default weight. */
enum { TEXT_W_LO = 0x3400, TEXT_W_HI = 0xA000 };
extern const uint8_t text_w_uni[TEXT_W_HI - TEXT_W_LO];
/* Bit 1: the character starts a phrase of shingle_canon; bit 2: of shingle_intents. */
extern const uint8_t text_w_flags[TEXT_W_HI - TEXT_W_LO];
/* The index of the first phrase of shingle_canon / shingle_intents starting with the
 * character (read where its flag is set). */
extern const uint8_t text_w_canon_at[TEXT_W_HI - TEXT_W_LO];
extern const uint8_t text_w_intent_at[TEXT_W_HI - TEXT_W_LO];
extern const float text_w_value[256]; /* weight of a table entry */
extern const uint8_t text_w_uni_default;
extern const uint8_t text_w_bi_default;
extern const uint32_t text_w_bi_mask;
extern const uint32_t text_w_bi_keys[];
extern const uint8_t text_w_bi_vals[];

/* gen_text_weights.py: the dictionary's words of 1-4 characters (U+3400..U+9FFF, frequency
 * >= 5) as 32-bit fingerprints of text_word_hash in an open-addressing table (slot =
 * hash & text_word_mask, key = hash >> 32 | 1, 0 = empty), with IDFs in 1/16 units. */
extern const uint32_t text_word_mask;
extern const uint32_t text_word_keys[];
extern const uint8_t text_word_idf[];

/* 64-bit FNV-1a over code points: the word set's hash. */
static inline uint64_t text_word_hash(const uint32_t *cps, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ cps[i]) * 1099511628211ULL;
	return h;
}

/* The IDF (1/16 units) of the dictionary word cps[0..n), 0 when it is not one. */
static inline unsigned text_word_lookup(const uint32_t *cps, size_t n)
{
	uint64_t h = text_word_hash(cps, n);
	uint32_t key = (uint32_t)(h >> 32) | 1, i = (uint32_t)h & text_word_mask;
	while (text_word_keys[i]) {
		if (text_word_keys[i] == key)
			return text_word_idf[i];
		i = (i + 1) & text_word_mask;
	}
	return 0;
}

/* ---- shingles (shingle.c) --------------------------------------------------------- */

enum { TEXT_MAX_CPS = 256, TEXT_MAX_SHINGLES = 2 * TEXT_MAX_CPS };

/* An open-addressing table of a shingle set: hash → the shingle's weight. An empty slot
 * has key 0 (a shingle hash never is 0) and weight 0, so that a lookup that ends on it
 * adds nothing without a test of found or not (shingle_shared). */
struct shingle_slot {
	uint32_t key;
	float w;
};
struct shingle_tab {
	unsigned bits; /* 1 << bits slots */
	struct shingle_slot slot[4 * TEXT_MAX_SHINGLES]; /* 8 slots per code point (shingle_build) */
};

/* A normalised question as a set of weighted character n-grams (unigrams and bigrams), no
 * repeats, with a table to look its shingles up. The hash carries the n-gram's length in
 * its low two bits. */
struct text_shingles {
	uint32_t n;
	uint32_t intent; /* what it asks about (shingle.c), a bit set */
	float total;	 /* sum of w */
	uint32_t hash[TEXT_MAX_SHINGLES];
	float w[TEXT_MAX_SHINGLES];
	uint16_t at[TEXT_MAX_SHINGLES]; /* the table slot of each */
	struct shingle_tab tab;
};

/* Sets the weight of shingle i of s (in the set and in its table). */
static inline void shingle_set_w(struct text_shingles *s, uint32_t i, float w)
{
	s->w[i] = w;
	s->tab.slot[s->at[i]].w = w;
}

/* Builds the shingle set of normalised code points (only the first TEXT_MAX_CPS count). */
void shingle_build(const uint32_t *cps, size_t n, struct text_shingles *s);
/* Normalises text and builds its shingles; returns the number of code points kept. */
size_t shingle_text(const char *in, size_t len, struct text_shingles *s);
/* The similarity of two sets from their total weights, what they ask about and the weight
 * they share: weighted Jaccard, the shared weight over the union's, with the shared weight
 * halved when both say what they ask about and it differs (when vs where vs how much). */
static inline double shingle_score(float ta, float tb, uint32_t ia, uint32_t ib, float shared)
{
	if (ia && ib && !(ia & ib))
		shared *= 0.5f;
	float uni = ta + tb - shared;
	return uni > 0 ? (double)(shared / uni) : 0.0;
}

/* The weight set a shares with the shingles hash[0..n) weighing w: the sum of the smaller
 * weight of each shingle in both. */
float shingle_shared(const struct text_shingles *a, const uint32_t *hash, const float *w,
		     uint32_t n);
/* Weighted Jaccard of two shingle sets (shingle_score). */
double shingle_jaccard(const struct text_shingles *a, const struct text_shingles *b);
/* The built-in weight of a unigram or bigram (b = 0 for a unigram). */
float shingle_weight(uint32_t a, uint32_t b);

#endif
