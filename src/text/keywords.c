/* keywords.c — the telling words of a set of texts (a stream's questions, for its report).
 *
 * Each normalised text is segmented into words with the dictionary word set the build
 * generates from jieba's dict.txt (gen_text_weights.py): the segmentation of least cost, a
 * word costing its IDF (so common words win over chains of rare pieces, as in jieba). A run
 * of two or three single characters the dictionary does not join (补奖: 补 + 奖) becomes one
 * word when none of them is a function character (的, 发, 吗 …). Candidates are the words of
 * two or more characters that are not stop or question words, and phrases of two adjacent
 * such words (草原生态, 农机购置, at most four characters). A candidate scores the number of
 * texts it occurs in × its rarity (the word's IDF; a phrase's is its words' mean, a little
 * raised); phrases and merged pieces must occur in two texts. Candidates are taken best first,
 * each word used once: a phrase taken keeps its words (and other phrases over them) out, a
 * word taken keeps phrases over it out, so a phrase and its parts are never both listed.
 * Not on a hot path: it allocates freely. */
#include "text/text.h"
#include "text/text_internal.h"

#include <stdlib.h>
#include <string.h>

enum { KW_CPS = 256, KW_MAXW = 4 };
#define KW_MIN_IDF 5.0  /* words more common than this (e^-5 of the corpus) never qualify */
#define KW_OOV_COST 14.0 /* the cost of a character the dictionary lacks as a word */
#define KW_PHRASE 1.15	 /* a phrase's rarity over its words' mean */

/* Words that say how something is asked, not what: never keywords. */
static const uint32_t *const kw_stop[] = {
	U"什么", U"怎么", U"怎么样", U"怎样", U"如何", U"为什么", U"为何", U"时候", U"什么时候",
	U"啥时候", U"请问", U"请教", U"问问", U"一下", U"可以", U"能否", U"是否", U"能不能",
	U"可不可以", U"有没有", U"是不是", U"能够", U"我们", U"你们", U"他们", U"她们", U"咱们",
	U"自己", U"这个", U"那个", U"哪个", U"哪些", U"这些", U"那些", U"哪里", U"那里", U"这里",
	U"多少", U"多久", U"一个", U"现在", U"已经", U"还是", U"就是", U"但是", U"因为", U"所以",
	U"如果", U"知道", U"需要", U"应该", U"应当", U"没有", U"不是", U"主播", U"老师", U"大家", U"谢谢",
	U"你好", U"您好", U"想问", U"问下", U"怎么办", U"问题", U"情况", U"东西", U"事情", U"这样",
	U"那样", U"什么样", U"一些", U"可能", U"还有", U"或者", U"然后", U"而且", U"以及", U"关于",
	U"今天", U"一直", U"到底", U"具体", U"有关", U"相关", U"麻烦", U"领导", U"各位", U"多少钱",
	U"怎么样", U"在哪", U"哪儿", U"几号", U"几月", U"吗",
};

/* Characters that never join a run of unknown single characters into a word. */
static const uint32_t kw_func[] = U"的了吗呢啊吧呀哦么嘛是在有和与或及把被让对从向为也都还就才又再很太最更没不别"
				   U"这那个些我你他她它们您咱谁啥几多少怎哪发交领办给到去来要能会用买卖"
				   U"说讲问请想看做上下里中前后年月日号天时元钱个次";

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool kw_is_func(uint32_t cp)
{
	for (size_t i = 0; kw_func[i]; i++)
		if (kw_func[i] == cp)
			return true;
	return false;
}

static bool kw_is_stop(const uint32_t *cps, size_t n)
{
	for (size_t j = 0; j < COUNT(kw_stop); j++) {
		size_t k = 0;
		while (kw_stop[j][k] && k < n && kw_stop[j][k] == cps[k])
			k++;
		if (k == n && !kw_stop[j][k])
			return true;
	}
	return false;
}

static bool kw_cjk(uint32_t cp)
{
	return cp >= TEXT_W_LO && cp < TEXT_W_HI;
}

/* A candidate: a word or a phrase of two words, up to four BMP characters packed in 16
 * bits each (the key); a phrase keeps its words' keys. */
struct kw_gram {
	uint64_t key; /* 0 = empty slot */
	uint64_t part[2]; /* a phrase's words; part[1] = 0 for a word */
	uint32_t count;
	uint32_t last; /* the last text counted, + 1 (each text counts once) */
	double idf;
	double score;
	bool needs2; /* a phrase or merged pieces: must occur in two texts */
};

struct kw_map {
	struct kw_gram *g;
	size_t mask, used;
};

static uint64_t kw_key(const uint32_t *cps, size_t n)
{
	uint64_t k = 0;
	for (size_t i = 0; i < n; i++)
		k = k << 16 | cps[i];
	return k;
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
	char *s = malloc(4 * 3 + 1);
	if (!s)
		return NULL;
	size_t o = 0;
	for (int i = 3; i >= 0; i--) {
		uint32_t cp = (uint32_t)(key >> (16 * i)) & 0xFFFF;
		if (cp)
			o += utf8_encode(cp, s + o);
	}
	s[o] = 0;
	return s;
}

/* A word of a segmented text. */
struct kw_tok {
	uint16_t at, len;
	bool dict; /* a dictionary word (not pieces joined) */
	double idf;
};

/* The character's rarity as a piece: its IDF over the dictionary's words. */
static double kw_char_idf(uint32_t cp)
{
	return text_w_uni[cp - TEXT_W_LO] / 16.0;
}

/* Segments the CJK run cps[0..n) at least cost; writes its words to tok, returns how many. */
static size_t kw_segment(const uint32_t *cps, size_t n, struct kw_tok *tok)
{
	double cost[KW_CPS + 1];
	uint8_t step[KW_CPS + 1];
	uint8_t idf[KW_CPS][KW_MAXW + 1];
	cost[n] = 0;
	for (size_t i = n; i-- > 0;) {
		cost[i] = 1e30;
		step[i] = 1;
		for (size_t k = 1; k <= KW_MAXW && i + k <= n; k++) {
			unsigned v = text_word_lookup(cps + i, k);
			idf[i][k] = (uint8_t)v;
			double c;
			if (v)
				c = v / 16.0;
			else if (k == 1)
				c = KW_OOV_COST;
			else
				continue;
			if (c + cost[i + k] < cost[i]) {
				cost[i] = c + cost[i + k];
				step[i] = (uint8_t)k;
			}
		}
	}
	size_t nt = 0;
	for (size_t i = 0; i < n; i += step[i]) {
		unsigned v = idf[i][step[i]];
		tok[nt++] = (struct kw_tok){(uint16_t)i, step[i], v != 0, v ? v / 16.0 : KW_OOV_COST};
	}
	/* join runs of two or three unknown-to-join single characters (补 奖 → 补奖) */
	size_t out = 0;
	for (size_t t = 0; t < nt;) {
		size_t r = t;
		while (r < nt && tok[r].len == 1 && !kw_is_func(cps[tok[r].at]))
			r++;
		if (r - t >= 2 && r - t <= 3) {
			double sum = 0;
			for (size_t j = t; j < r; j++)
				sum += kw_char_idf(cps[tok[j].at]);
			tok[out++] = (struct kw_tok){tok[t].at, (uint16_t)(r - t), false,
						     sum / (double)(r - t)};
			t = r;
			continue;
		}
		tok[out++] = tok[t++];
	}
	return out;
}

static bool kw_candidate(const uint32_t *cps, const struct kw_tok *t)
{
	return t->len >= 2 && t->idf >= KW_MIN_IDF && !kw_is_stop(cps + t->at, t->len);
}

static int kw_count(struct kw_map *m, uint64_t key, size_t t, double idf, bool needs2,
		    uint64_t a, uint64_t b)
{
	struct kw_gram *g = kw_get(m, key);
	if (!g)
		return -1;
	if (g->last == t + 1)
		return 0;
	g->last = (uint32_t)(t + 1);
	g->count++;
	g->idf = idf;
	g->needs2 = needs2;
	g->part[0] = a;
	g->part[1] = b;
	return 0;
}

static bool kw_used(const uint64_t *used, size_t n, uint64_t k)
{
	for (size_t i = 0; i < n; i++)
		if (used[i] == k)
			return true;
	return false;
}

size_t text_keywords(const char *const *texts, size_t ntexts, size_t n, char **out,
		     double *weights)
{
	struct kw_map m = {calloc(1024, sizeof(struct kw_gram)), 1023, 0};
	struct kw_gram **list = NULL;
	uint64_t *used = NULL;
	size_t got = 0, nused = 0;
	if (!m.g || n == 0 || !out)
		goto done;
	uint32_t cps[KW_CPS];
	struct kw_tok tok[KW_CPS];
	for (size_t t = 0; t < ntexts; t++) {
		if (!texts[t])
			continue;
		size_t k = text_normalize_cps(texts[t], strlen(texts[t]), cps, KW_CPS);
		for (size_t i = 0; i < k;) {
			if (!kw_cjk(cps[i])) {
				i++;
				continue;
			}
			size_t e = i;
			while (e < k && kw_cjk(cps[e]))
				e++;
			size_t nt = kw_segment(cps + i, e - i, tok);
			const uint32_t *run = cps + i;
			for (size_t j = 0; j < nt; j++) {
				if (!kw_candidate(run, &tok[j]))
					continue;
				uint64_t ka = kw_key(run + tok[j].at, tok[j].len);
				if (kw_count(&m, ka, t, tok[j].idf, !tok[j].dict, ka, 0) < 0)
					goto done;
				if (j + 1 < nt && kw_candidate(run, &tok[j + 1]) &&
				    tok[j].len + tok[j + 1].len <= KW_MAXW) {
					uint64_t kb = kw_key(run + tok[j + 1].at, tok[j + 1].len);
					double idf = (tok[j].idf + tok[j + 1].idf) / 2 * KW_PHRASE;
					uint64_t kp = kw_key(run + tok[j].at, tok[j].len + tok[j + 1].len);
					if (kw_count(&m, kp, t, idf, true, ka, kb) < 0)
						goto done;
				}
			}
			i = e;
		}
	}
	list = malloc((m.used ? m.used : 1) * sizeof(*list));
	used = malloc(2 * (n + 1) * sizeof(*used));
	if (!list || !used)
		goto done;
	size_t nl = 0;
	for (size_t i = 0; i <= m.mask; i++) {
		struct kw_gram *g = &m.g[i];
		if (!g->key || (g->needs2 && g->count < 2 && ntexts > 1))
			continue;
		g->score = (double)g->count * g->idf;
		list[nl++] = g;
	}
	qsort(list, nl, sizeof(*list), kw_cmp);
	for (size_t i = 0; i < nl && got < n; i++) {
		struct kw_gram *g = list[i];
		if (kw_used(used, nused, g->key) || kw_used(used, nused, g->part[0]) ||
		    (g->part[1] && kw_used(used, nused, g->part[1])))
			continue; /* a phrase and its words are not both listed */
		out[got] = kw_string(g->key);
		if (!out[got])
			break;
		if (weights)
			weights[got] = g->score;
		got++;
		used[nused++] = g->part[0];
		if (g->part[1])
			used[nused++] = g->part[1];
	}
done:
	free(used);
	free(list);
	free(m.g);
	return got;
}
