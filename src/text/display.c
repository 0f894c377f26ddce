/* display.c — the display form of a viewer's text (a hot question's title, other public
 * text): what a host or viewer reads, not what the engine compares. Traditional →
 * simplified (the generated table), full-width ASCII letters and digits to half width,
 * emoji and symbols dropped, runs of one punctuation mark folded (？？？ → ？), spaces folded
 * and trimmed, and greetings and words of address at the start dropped (主播好，… / 老师，…
 * / 主播主播 …). Chinese punctuation is kept so the text reads as a sentence. No allocation. */
#include "text/text.h"
#include "text/text_internal.h"

#include <string.h>
#include <utf8proc.h>

enum { DISP_CPS = TEXT_MAX_INPUT };

static uint32_t disp_t2s(uint32_t cp)
{
	if (cp >= TEXT_T2S_LO && cp < TEXT_T2S_HI) {
		uint16_t s = text_t2s_bmp[cp - TEXT_T2S_LO];
		return s ? s : cp;
	}
	if (cp < 0x3400)
		return cp;
	size_t lo = 0, hi = text_t2s_npairs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (text_t2s_pairs[mid][0] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < text_t2s_npairs && text_t2s_pairs[lo][0] == cp ? text_t2s_pairs[lo][1] : cp;
}

enum disp_class { DISP_DROP, DISP_SPACE, DISP_PUNCT, DISP_WORD };

static enum disp_class disp_class(uint32_t cp)
{
	if (cp < 0x80) {
		if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r')
			return DISP_SPACE;
		if (cp < 0x20 || cp == 0x7F)
			return DISP_DROP;
		if ((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z'))
			return DISP_WORD;
		return DISP_PUNCT; /* ASCII punctuation and the symbols + - = $ % … read as text */
	}
	if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF))
		return DISP_WORD; /* most of a Chinese comment: no table lookup */
	if ((cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF) || cp == 0x200D)
		return DISP_DROP; /* variation selectors, the emoji joiner */
	switch (utf8proc_category((utf8proc_int32_t)cp)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
		return DISP_WORD;
	case UTF8PROC_CATEGORY_PC:
	case UTF8PROC_CATEGORY_PD:
	case UTF8PROC_CATEGORY_PS:
	case UTF8PROC_CATEGORY_PE:
	case UTF8PROC_CATEGORY_PI:
	case UTF8PROC_CATEGORY_PF:
	case UTF8PROC_CATEGORY_PO:
	case UTF8PROC_CATEGORY_SC: /* ￥ */
		return DISP_PUNCT;
	case UTF8PROC_CATEGORY_ZS:
	case UTF8PROC_CATEGORY_ZL:
	case UTF8PROC_CATEGORY_ZP:
		return DISP_SPACE;
	default: /* emoji and other symbols (So, Sk, Sm), marks like the keycap, controls */
		return DISP_DROP;
	}
}

/* Greetings dropped at the start wherever they stand, and words of address (vocatives)
 * dropped when what follows is a break (punctuation, a space, the end), another greeting
 * or a way of asking — so 老师，医保… and 主播主播 草原… lose them, 老师证怎么办 does not. */
static const uint32_t *const disp_greetings[] = {
	U"主播好", U"主播您好", U"主播你好", U"主播们好", U"老师好", U"老师您好", U"老师你好", U"老师们好",
	U"领导好", U"领导们好", U"领导您好", U"各位好", U"各位领导好", U"各位老师好", U"大家好", U"你好",
	U"您好", U"你们好", U"早上好", U"上午好", U"中午好", U"下午好", U"晚上好", U"早安", U"哈喽",
	U"嗨",
};
static const uint32_t *const disp_vocatives[] = {
	U"主播", U"老师", U"领导", U"各位领导", U"各位老师", U"各位", U"大家", U"家人们", U"朋友们",
	U"亲们", U"亲", U"书记", U"主任", U"专家", U"hello", U"Hello", U"HELLO", U"hi", U"Hi", U"HI",
};
static const uint32_t *const disp_asking[] = {
	U"请问", U"请教", U"问一下", U"问下", U"想问", U"我想问", U"咨询", U"麻烦问",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static size_t u32len(const uint32_t *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

/* The length of the longest word of list at cps[i..n) (0: none). */
static size_t disp_prefix(const uint32_t *cps, size_t n, size_t i, const uint32_t *const *list,
			  size_t count)
{
	size_t best = 0;
	if (i >= n)
		return 0;
	for (size_t j = 0; j < count; j++) {
		if (list[j][0] != cps[i])
			continue;
		size_t k = u32len(list[j]);
		if (k > best && k <= n - i) {
			size_t m = 0;
			while (m < k && cps[i + m] == list[j][m])
				m++;
			if (m == k)
				best = k;
		}
	}
	return best;
}

static bool disp_is_break(uint32_t cp)
{
	enum disp_class k = disp_class(cp);
	return k == DISP_SPACE || k == DISP_PUNCT;
}

/* Where the text starts once leading greetings, vocatives and breaks are dropped. */
static size_t disp_skip_greetings(const uint32_t *cps, size_t n)
{
	size_t i = 0;
	for (;;) {
		while (i < n && disp_is_break(cps[i]))
			i++;
		size_t g = disp_prefix(cps, n, i, disp_greetings, COUNT(disp_greetings));
		size_t v = disp_prefix(cps, n, i, disp_vocatives, COUNT(disp_vocatives));
		if (g >= v && g > 0) {
			i += g;
			continue;
		}
		if (v == 0)
			break;
		size_t j = i + v;
		if (j == n || disp_is_break(cps[j]) ||
		    disp_prefix(cps, n, j, disp_greetings, COUNT(disp_greetings)) ||
		    disp_prefix(cps, n, j, disp_vocatives, COUNT(disp_vocatives)) ||
		    disp_prefix(cps, n, j, disp_asking, COUNT(disp_asking))) {
			i = j;
			continue;
		}
		break;
	}
	while (i < n && disp_is_break(cps[i]))
		i++;
	return i;
}

/* Punctuation a text may end with (a dangling comma or opening bracket is dropped). */
static bool disp_ending(uint32_t cp)
{
	return !(cp == U'，' || cp == ',' || cp == U'、' || cp == U'；' || cp == ';' ||
		 cp == U'：' || cp == ':' || cp == '(' || cp == U'（' || cp == U'【' ||
		 cp == U'《' || cp == '[' || cp == U'“' || cp == U'‘' || cp == '-' || cp == U'—');
}

size_t text_display(const char *in, size_t len, char *out, size_t cap)
{
	_Static_assert((int)DISP_CPS >= (int)TEXT_MAX_INPUT, "one code point per input byte at most");
	uint32_t cps[DISP_CPS];
	size_t n = 0;
	if (!out || cap == 0)
		return 0;
	if (!in)
		len = 0;
	len = text_cut(in, len);
	const unsigned char *s = (const unsigned char *)in;
	bool space = false; /* a space is pending (written only before a word that follows) */
	for (size_t i = 0; i < len && n < DISP_CPS;) {
		uint32_t cp;
		if (!utf8_next(s, len, &i, &cp))
			break;
		if (cp >= 0xFF01 && cp <= 0xFF5E) {
			uint32_t a = cp - 0xFEE0; /* full-width ASCII: letters and digits to half width */
			if ((a >= '0' && a <= '9') || (a >= 'A' && a <= 'Z') || (a >= 'a' && a <= 'z'))
				cp = a;
		} else if (cp == 0x3000) {
			cp = ' ';
		}
		enum disp_class kc = disp_class(cp);
		if (kc == DISP_DROP)
			continue;
		if (kc == DISP_SPACE) {
			space = n > 0;
			continue;
		}
		if (kc == DISP_PUNCT) {
			space = space && cp != U'，' && cp != U'。' && cp != U'？' && cp != U'！';
			if (n > 0 && cps[n - 1] == cp) { /* ？？？ → ？ */
				space = false;
				continue;
			}
			/* a run of mixed ending marks (？！？, ?？) keeps its first */
			uint32_t prev = n ? cps[n - 1] : 0;
			bool end = cp == '?' || cp == '!' || cp == U'？' || cp == U'！';
			bool pend = prev == '?' || prev == '!' || prev == U'？' || prev == U'！';
			if (end && pend && !space)
				continue;
		} else {
			cp = disp_t2s(cp);
		}
		if (space && n < DISP_CPS) {
			/* a space between two Chinese characters is a pause: kept as one space */
			cps[n++] = ' ';
		}
		space = false;
		if (n < DISP_CPS)
			cps[n++] = cp;
	}
	size_t start = disp_skip_greetings(cps, n);
	bool words = false;
	for (size_t i = start; i < n && !words; i++)
		words = disp_class(cps[i]) == DISP_WORD;
	if (!words) /* only a greeting: keep it as it is */
		start = 0;
	while (start < n && disp_is_break(cps[start]))
		start++;
	while (n > start && (cps[n - 1] == ' ' || !disp_ending(cps[n - 1])))
		n--;
	size_t o = 0;
	for (size_t i = start; i < n; i++) {
		size_t k = utf8_len(cps[i]);
		if (o + k > cap - 1)
			break;
		o += utf8_encode(cps[i], out + o);
	}
	out[o] = 0;
	return o;
}
