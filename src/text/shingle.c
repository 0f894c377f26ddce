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

/* A unigram counts this many times its table weight: single characters carry most of the
 * paraphrase signal (驾驶证 / 驾照, 生育保险 / 生育险 share characters, not bigrams). */
#define SHINGLE_UNI_SCALE 4.0f

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
	float w = text_w_value[q];
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

/* Ways of asking the same thing, folded to one form before shingling, and particles that
 * only pad a question (的, 了, 呢, 请问), dropped. Longest match first. */
static const struct {
	const char *from, *to;
} shingle_canon[] = {
	{"请问", ""}, {"请教", ""}, {"我想问", ""}, {"想问一下", ""}, {"想问", ""}, {"问一下", ""},
	{"一下", ""}, {"的", ""}, {"了", ""}, {"呢", ""}, {"吧", ""}, {"啊", ""}, {"呀", ""},
	{"嘛", ""}, {"哦", ""},
	{"如何", "怎么"}, {"怎样", "怎么"}, {"怎么样", "怎么"}, {"咋样", "怎么"}, {"咋", "怎么"},
	{"怎么办", "怎么办"}, {"如何处理", "怎么办"}, {"怎么处理", "怎么办"}, {"如何应对", "怎么办"},
	{"该怎么办", "怎么办"}, {"啥", "什么"}, {"何种", "什么"}, {"哪种", "什么"},
	{"多长时间", "多久"}, {"多少时间", "多久"}, {"多长期限", "多久"},
	{"哪儿", "哪里"}, {"何处", "哪里"}, {"什么地方", "哪里"}, {"哪个部门", "哪里"},
	{"什么部门", "哪里"}, {"哪些部门", "哪里"},
	{"是否", "吗"}, {"能否", "吗"}, {"可否", "吗"}, {"能不能", "吗"}, {"可不可以", "吗"},
	{"会不会", "吗"}, {"有没有", "吗"}, {"是不是", "吗"}, {"么", "吗"},
	{"为何", "为什么"}, {"多少钱", "多少钱"}, {"多少费用", "多少钱"},
};

#define SHINGLE_NCANON (sizeof(shingle_canon) / sizeof(shingle_canon[0]))

/* Folds in[0..n) through shingle_canon into out (room for n + 8); returns the length. */
static size_t shingle_fold(const uint32_t *in, size_t n, uint32_t *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		size_t best = 0, bi = 0;
		if (in[i] >= 0x4E00) {
			for (size_t k = 0; k < SHINGLE_NCANON; k++) {
				const unsigned char *f = (const unsigned char *)shingle_canon[k].from;
				size_t j = 0, fl = strlen((const char *)f), pos = 0;
				while (pos < fl && i + j < n) {
					uint32_t cp;
					size_t kk = utf8_decode(f + pos, fl - pos, &cp);
					if (kk == 0 || cp != in[i + j])
						break;
					pos += kk;
					j++;
				}
				if (pos == fl && j > best) {
					best = j;
					bi = k;
				}
			}
		}
		if (best == 0) {
			out[o++] = in[i++];
			continue;
		}
		const unsigned char *t = (const unsigned char *)shingle_canon[bi].to;
		size_t tl = strlen((const char *)t);
		for (size_t pos = 0; pos < tl && o < n + 8;) {
			uint32_t cp;
			size_t kk = utf8_decode(t + pos, tl - pos, &cp);
			if (kk == 0)
				break;
			out[o++] = cp;
			pos += kk;
		}
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
} shingle_intents[] = {
	{U"什么时候", INTENT_WHEN}, {U"何时", INTENT_WHEN}, {U"多久", INTENT_WHEN},
	{U"时间", INTENT_WHEN}, {U"期限", INTENT_WHEN}, {U"哪天", INTENT_WHEN},
	{U"几月", INTENT_WHEN}, {U"几号", INTENT_WHEN}, {U"时效", INTENT_WHEN},
	{U"几年", INTENT_WHEN}, {U"几天", INTENT_WHEN},
	{U"哪里", INTENT_WHERE}, {U"在哪", INTENT_WHERE}, {U"去哪", INTENT_WHERE},
	{U"地点", INTENT_WHERE}, {U"地址", INTENT_WHERE}, {U"管辖", INTENT_WHERE},
	{U"多少钱", INTENT_COST}, {U"费用", INTENT_COST}, {U"收费", INTENT_COST},
	{U"价格", INTENT_COST}, {U"多少费", INTENT_COST}, {U"标准", INTENT_COST},
	{U"怎么办理", INTENT_HOW}, {U"流程", INTENT_HOW}, {U"步骤", INTENT_HOW},
	{U"程序", INTENT_HOW}, {U"手续", INTENT_HOW}, {U"怎么申请", INTENT_HOW},
	{U"怎么操作", INTENT_HOW},
	{U"什么是", INTENT_WHAT}, {U"什么意思", INTENT_WHAT}, {U"定义", INTENT_WHAT},
	{U"概念", INTENT_WHAT}, {U"含义", INTENT_WHAT}, {U"指什么", INTENT_WHAT},
	{U"什么叫", INTENT_WHAT}, {U"是指", INTENT_WHAT}, {U"怎么理解", INTENT_WHAT},
	{U"情况", INTENT_COND}, {U"情形", INTENT_COND}, {U"条件", INTENT_COND},
	{U"材料", INTENT_DOCS}, {U"资料", INTENT_DOCS}, {U"证件", INTENT_DOCS},
	{U"带什么", INTENT_DOCS},
	{U"为什么", INTENT_WHY}, {U"原因", INTENT_WHY},
	{U"区别", INTENT_DIFF}, {U"不同", INTENT_DIFF}, {U"差别", INTENT_DIFF},
	{U"处罚", INTENT_PENALTY}, {U"责任", INTENT_PENALTY}, {U"判几年", INTENT_PENALTY},
	{U"判多少", INTENT_PENALTY}, {U"坐牢", INTENT_PENALTY}, {U"罚款", INTENT_PENALTY},
	{U"效力", INTENT_EFFECT}, {U"有效", INTENT_EFFECT}, {U"无效", INTENT_EFFECT},
	{U"后果", INTENT_EFFECT}, {U"影响", INTENT_EFFECT},
	{U"谁", INTENT_WHO}, {U"哪个部门", INTENT_WHERE}, {U"什么部门", INTENT_WHERE},
};
#define SHINGLE_NINTENTS (sizeof(shingle_intents) / sizeof(shingle_intents[0]))

static uint32_t shingle_intent(const uint32_t *cps, size_t n)
{
	uint32_t intent = 0;
	for (size_t i = 0; i < n; i++) {
		if (cps[i] < 0x4E00)
			continue;
		for (size_t k = 0; k < SHINGLE_NINTENTS; k++) {
			const uint32_t *p = shingle_intents[k].pat;
			if (p[0] != cps[i])
				continue;
			size_t j = 1;
			while (p[j] && i + j < n && p[j] == cps[i + j])
				j++;
			if (!p[j])
				intent |= shingle_intents[k].intent;
		}
	}
	return intent;
}

void shingle_build(const uint32_t *in, size_t n, struct text_shingles *s)
{
	uint32_t cps[TEXT_MAX_CPS + 8];
	if (n > TEXT_MAX_CPS)
		n = TEXT_MAX_CPS;
	n = shingle_fold(in, n, cps);
	if (n > TEXT_MAX_CPS)
		n = TEXT_MAX_CPS;
	s->intent = shingle_intent(cps, n);
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
	return shingle_score(a->total, b->total, a->intent, b->intent, shared);
}
