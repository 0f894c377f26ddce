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
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

/* A unigram counts this many times its table weight: single characters carry most of the
 * paraphrase signal (驾驶证 / 驾照, 生育保险 / 生育险 share characters, not bigrams). */
#define SHINGLE_UNI_SCALE 4.0f

static inline float shingle_weight_in(uint32_t a, uint32_t b)
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
	float w = text_w_value[q];
	return b == 0 ? w * SHINGLE_UNI_SCALE : w;
}

float shingle_weight(uint32_t a, uint32_t b)
{
	return shingle_weight_in(a, b);
}

static inline uint32_t shingle_hash(const uint32_t *cps, unsigned n)
{
	return ((uint32_t)XXH3_64bits(cps, n * sizeof(uint32_t)) & ~3U) | n;
}

/* Where key is, or would go, in t. */
static inline uint32_t shingle_tab_slot(const struct shingle_tab *t, uint32_t key)
{
	uint32_t j = (key * 2654435761U) >> (32 - t->bits);
	while (t->slot[j].key && t->slot[j].key != key)
		j = (j + 1) & ((1U << t->bits) - 1);
	return j;
}

/* Ways of asking the same thing, folded to one form before shingling, and particles that
 * only pad a question (的, 了, 呢, 请问), dropped. Longest match first. */
static const struct {
	const uint32_t *from, *to;
} shingle_canon[] = { /* sorted by first character, longer first */
	{U"一下", U""}, {U"为何", U"为什么"}, {U"么", U"吗"}, {U"了", U""}, {U"什么地方", U"哪里"},
	{U"什么部门", U"哪里"}, {U"什么叫", U"什么是"}, {U"企业", U"公司"}, {U"会不会", U"吗"}, {U"何处", U"哪里"},
	{U"何种", U"什么"}, {U"单位", U"公司"}, {U"可不可以", U"吗"}, {U"可以", U"能"}, {U"可否", U"吗"},
	{U"吧", U""}, {U"含义", U"定义"}, {U"呀", U""}, {U"呢", U""}, {U"咋样", U"怎么"}, {U"咋", U"怎么"},
	{U"咨询", U"问"}, {U"哦", U""}, {U"哪个部门", U"哪里"}, {U"哪些部门", U"哪里"}, {U"哪儿", U"哪里"},
	{U"哪种", U"什么"}, {U"啊", U""}, {U"啥", U"什么"}, {U"嘛", U""}, {U"坐牢", U"判刑"},
	{U"多少时间", U"多久"}, {U"多少费用", U"多少钱"}, {U"多长时间", U"多久"}, {U"多长期限", U"多久"},
	{U"多少年", U"几年"}, {U"多少钱", U"多少钱"}, {U"如何处理", U"怎么办"}, {U"如何应对", U"怎么办"}, {U"如何", U"怎么"},
	{U"妈妈", U"母亲"}, {U"媳妇", U"妻子"}, {U"孩子", U"子女"}, {U"小孩", U"子女"}, {U"应当", U"要"},
	{U"应该", U"要"}, {U"得到", U"获得"}, {U"必须", U"要"}, {U"怎么处理", U"怎么办"}, {U"怎么办", U"怎么办"},
	{U"怎么样", U"怎么"}, {U"怎样", U"怎么"}, {U"想问一下", U""}, {U"想问", U""}, {U"意思", U"定义"},
	{U"我想问", U""}, {U"报销", U"报"}, {U"是不是", U"吗"}, {U"是否", U"吗"}, {U"有没有", U"吗"},
	{U"概念", U"定义"}, {U"欠账", U"欠款"}, {U"欠钱", U"欠款"}, {U"爸爸", U"父亲"}, {U"状告", U"告"},
	{U"的", U""}, {U"老公", U"丈夫"}, {U"老婆", U"妻子"}, {U"能不能", U"吗"}, {U"能否", U"吗"},
	{U"能够", U"能"}, {U"补偿", U"赔偿"}, {U"该怎么办", U"怎么办"}, {U"请教", U""}, {U"请问", U""},
	{U"赔付", U"赔偿"}, {U"起诉", U"告"}, {U"辞职", U"离职"}, {U"问一下", U""}, {U"需要", U"要"},
	{U"驾照", U"驾驶证"},
};

#define SHINGLE_NCANON (sizeof(shingle_canon) / sizeof(shingle_canon[0]))

/* How many code points of pat (0-terminated) in[i..n) starts with, or 0. */
static inline size_t shingle_at(const uint32_t *in, size_t n, size_t i, const uint32_t *pat)
{
	size_t j = 0;
	while (pat[j] && i + j < n && pat[j] == in[i + j])
		j++;
	return pat[j] ? 0 : j;
}

/* Folds in[0..n) through shingle_canon into out (room for 2n); returns the length. */
static size_t shingle_fold(const uint32_t *in, size_t n, uint32_t *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp = in[i];
		size_t best = 0, bi = 0;
		if (cp >= TEXT_W_LO && cp < TEXT_W_HI && (text_w_flags[cp - TEXT_W_LO] & 1)) {
			for (size_t k = text_w_canon_at[cp - TEXT_W_LO]; /* generated */
			     k < SHINGLE_NCANON && shingle_canon[k].from[0] == cp; k++) {
				size_t j = shingle_at(in, n, i, shingle_canon[k].from);
				if (j > best) {
					best = j;
					bi = k;
				}
			}
		}
		if (best == 0) {
			out[o++] = in[i++];
			continue;
		}
		for (const uint32_t *t = shingle_canon[bi].to; *t; t++)
			out[o++] = *t;
		i += best;
	}
	return o;
}

/* What a question asks about, when it says so: two questions on one topic that ask
 * different things (when vs where vs how much) are different questions. */
enum {
	INTENT_WHEN = 1 << 0,
	INTENT_WHERE = 1 << 1,
	INTENT_COST = 1 << 2,
	INTENT_HOW = 1 << 3,
	INTENT_WHAT = 1 << 4,
	INTENT_COND = 1 << 5,
	INTENT_DOCS = 1 << 6,
	INTENT_WHY = 1 << 7,
	INTENT_DIFF = 1 << 8,
	INTENT_PENALTY = 1 << 9,
	INTENT_EFFECT = 1 << 10,
	INTENT_WHO = 1 << 11,
};
static const struct {
	const uint32_t *pat;
	uint32_t intent;
} shingle_intents[] = { /* sorted by first character */
	{U"不同", INTENT_DIFF}, {U"为什么", INTENT_WHY}, {U"什么意思", INTENT_WHAT},
	{U"什么时候", INTENT_WHEN}, {U"什么部门", INTENT_WHERE}, {U"什么叫", INTENT_WHAT},
	{U"什么是", INTENT_WHAT}, {U"价格", INTENT_COST}, {U"何时", INTENT_WHEN}, {U"几号", INTENT_WHEN},
	{U"几天", INTENT_WHEN}, {U"几年", INTENT_WHEN}, {U"几月", INTENT_WHEN},
	{U"判几年", INTENT_PENALTY}, {U"判多少", INTENT_PENALTY}, {U"区别", INTENT_DIFF},
	{U"原因", INTENT_WHY}, {U"去哪", INTENT_WHERE}, {U"后果", INTENT_EFFECT},
	{U"含义", INTENT_WHAT}, {U"哪个部门", INTENT_WHERE}, {U"哪天", INTENT_WHEN},
	{U"哪里", INTENT_WHERE}, {U"在哪", INTENT_WHERE}, {U"地址", INTENT_WHERE},
	{U"地点", INTENT_WHERE}, {U"坐牢", INTENT_PENALTY}, {U"处罚", INTENT_PENALTY},
	{U"多少费", INTENT_COST}, {U"多少钱", INTENT_COST}, {U"多久", INTENT_WHEN},
	{U"定义", INTENT_WHAT}, {U"差别", INTENT_DIFF}, {U"带什么", INTENT_DOCS},
	{U"影响", INTENT_EFFECT}, {U"怎么办理", INTENT_HOW}, {U"怎么操作", INTENT_HOW},
	{U"怎么理解", INTENT_WHAT}, {U"怎么申请", INTENT_HOW}, {U"情况", INTENT_COND},
	{U"情形", INTENT_COND}, {U"手续", INTENT_HOW}, {U"指什么", INTENT_WHAT}, {U"收费", INTENT_COST},
	{U"效力", INTENT_EFFECT}, {U"无效", INTENT_EFFECT}, {U"时效", INTENT_WHEN},
	{U"时间", INTENT_WHEN}, {U"是指", INTENT_WHAT}, {U"有效", INTENT_EFFECT},
	{U"期限", INTENT_WHEN}, {U"材料", INTENT_DOCS}, {U"条件", INTENT_COND}, {U"标准", INTENT_COST},
	{U"概念", INTENT_WHAT}, {U"步骤", INTENT_HOW}, {U"流程", INTENT_HOW}, {U"程序", INTENT_HOW},
	{U"管辖", INTENT_WHERE}, {U"罚款", INTENT_PENALTY}, {U"证件", INTENT_DOCS},
	{U"谁", INTENT_WHO}, {U"责任", INTENT_PENALTY}, {U"费用", INTENT_COST}, {U"资料", INTENT_DOCS},
};
#define SHINGLE_NINTENTS (sizeof(shingle_intents) / sizeof(shingle_intents[0]))

static uint32_t shingle_intent(const uint32_t *cps, size_t n)
{
	uint32_t intent = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t cp = cps[i];
		if (cp < TEXT_W_LO || cp >= TEXT_W_HI || !(text_w_flags[cp - TEXT_W_LO] & 2))
			continue;
		for (size_t k = text_w_intent_at[cp - TEXT_W_LO]; /* generated */
		     k < SHINGLE_NINTENTS && shingle_intents[k].pat[0] == cp; k++)
			if (shingle_at(cps, n, i, shingle_intents[k].pat))
				intent |= shingle_intents[k].intent;
	}
	return intent;
}

void shingle_build(const uint32_t *in, size_t n, struct text_shingles *s)
{
	uint32_t cps[2 * TEXT_MAX_CPS];
	if (n > TEXT_MAX_CPS)
		n = TEXT_MAX_CPS;
	n = shingle_fold(in, n, cps);
	if (n > TEXT_MAX_CPS)
		n = TEXT_MAX_CPS;
	s->intent = shingle_intent(cps, n);
	s->n = 0;
	s->total = 0;
	/* the table is kept at most a quarter full, 2n shingles in 8n slots or more: a
	 * lookup (shingle_shared, mostly misses) then rarely walks past its first slot */
	unsigned bits = 6;
	while ((1U << bits) < 8 * n)
		bits++;
	struct shingle_tab *t = &s->tab;
	t->bits = bits;
	memset(t->slot, 0, sizeof(t->slot[0]) << bits);
	/* the bigram weight table (320 KB) misses the cache: start every probe's load first,
	 * so that the misses overlap instead of stalling one after another */
	for (size_t i = 0; i + 1 < n; i++) {
		if (cps[i] < 0x10000 && cps[i + 1] < 0x10000) {
			uint32_t h = ((cps[i] << 16 | cps[i + 1]) * 2654435761U) >> 16;
			__builtin_prefetch(&text_w_bi_keys[h]);
			__builtin_prefetch(&text_w_bi_vals[h]);
		}
	}
	for (size_t i = 0; i < n; i++) {
		/* the unigram, then the bigram starting here: each hashed with a constant length
		 * so that XXH3 takes its short path without a dispatch on the length */
		uint32_t h = shingle_hash(cps + i, 1);
		uint32_t j = shingle_tab_slot(t, h);
		if (!t->slot[j].key) { /* a set: one entry per distinct n-gram */
			float w = shingle_weight_in(cps[i], 0);
			t->slot[j] = (struct shingle_slot){h, w};
			s->at[s->n] = (uint16_t)j;
			s->hash[s->n] = h;
			s->w[s->n++] = w;
			s->total += w;
		}
		if (i + 1 >= n)
			break;
		h = shingle_hash(cps + i, 2);
		j = shingle_tab_slot(t, h);
		if (!t->slot[j].key) {
			float w = shingle_weight_in(cps[i], cps[i + 1]);
			t->slot[j] = (struct shingle_slot){h, w};
			s->at[s->n] = (uint16_t)j;
			s->hash[s->n] = h;
			s->w[s->n++] = w;
			s->total += w;
		}
	}
}

size_t shingle_text(const char *in, size_t len, struct text_shingles *s)
{
	uint32_t cps[TEXT_MAX_CPS];
	size_t n = text_normalize_cps(in, len, cps, TEXT_MAX_CPS);
	shingle_build(cps, n, s);
	return n;
}

float shingle_shared(const struct text_shingles *a, const uint32_t *hash, const float *w,
		     uint32_t n)
{
	const struct shingle_tab *t = &a->tab;
	uint32_t mask = (1U << t->bits) - 1, shift = 32 - t->bits;
	float shared = 0;
	if (a->n == 0)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t h = hash[i];
		uint32_t j = (h * 2654435761U) >> shift;
		uint32_t k = t->slot[j].key;
		/* rarely loops (the table is sparse); one test, so that the compiler does not
		 * split found and empty into paths a predictor must guess between */
		for (;;) {
			/* k is neither h nor 0: a 64-bit product of two 32-bit numbers is 0 only
			 * when one is, so one test and not two branches (found or not is a coin
			 * toss no predictor guesses) */
			uint64_t more = (uint64_t)(k ^ h) * k;
			if (__builtin_expect(!more, 1))
				break;
			j = (j + 1) & mask;
			k = t->slot[j].key;
		}
		/* found, or an empty slot whose weight 0 adds +0.0f: no branch on which */
		float wa = t->slot[j].w;
		shared += wa < w[i] ? wa : w[i];
	}
	return shared;
}

double shingle_jaccard(const struct text_shingles *a, const struct text_shingles *b)
{
	float shared = shingle_shared(a, b->hash, b->w, b->n);
	return shingle_score(a->total, b->total, a->intent, b->intent, shared);
}
