/* normalize.c — the normal form questions are compared in: NFKC with case folding (which
 * also folds full-width forms to half width), traditional → simplified by the generated
 * OpenCC table, only letters and digits kept (emoji, symbols, punctuation, spaces and
 * controls dropped), runs of one character folded. No allocation, no I/O. */
#include "text/text.h"
#include "text/text_internal.h"

#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

/* How much of a decomposed string normalisation keeps in its work buffer (code points). */
enum { NORM_BUF = TEXT_MAX_INPUT + 64 };
/* The longest run of one digit kept (666666 → 666) and of any other character (哈哈哈 → 哈哈). */
enum { RUN_DIGIT = 3, RUN_OTHER = 2 };

size_t text_cut(const char *in, size_t len)
{
	if (len <= TEXT_MAX_INPUT)
		return len;
	len = TEXT_MAX_INPUT;
	/* back up over continuation bytes to the start of the character cut in two */
	size_t i = len;
	while (i > 0 && i > len - 4 && ((unsigned char)in[i] & 0xC0) == 0x80)
		i--;
	return i;
}

static inline bool norm_fast(uint32_t cp)
{
	return cp < 0x80 || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF);
}

/* Fast paths, each checked against utf8proc by tests/unit/test_text.c. CJK ideographs
 * assigned since Unicode 8 (any utf8proc knows them): letters (Lo), kept. */
static inline bool norm_cjk_letter(uint32_t cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FD5) || (cp >= 0x3400 && cp <= 0x4DB5);
}

/* The CJK and curly-quote punctuation of questions (、。《》「」【】 ‘’ “”): no decomposition,
 * no case, combining class 0, dropped. */
static inline bool norm_punct(uint32_t cp)
{
	return (cp >= 0x3001 && cp <= 0x3002) || (cp >= 0x3008 && cp <= 0x3011) ||
	       (cp >= 0x2018 && cp <= 0x2019) || (cp >= 0x201C && cp <= 0x201D);
}

/* Full-width ASCII (！ ， ？ Ａ ０): NFKC is the ASCII character, U+FF01..FF5E − 0xFEE0. */
static inline bool norm_fullwidth(uint32_t cp)
{
	return cp >= 0xFF01 && cp <= 0xFF5E;
}

static uint32_t norm_t2s(uint32_t cp)
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

/* Whether a code point (after NFKC and case folding) is kept: letters and digits. */
static bool norm_keep(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9');
	if (norm_cjk_letter(cp))
		return true;
	if (norm_punct(cp))
		return false;
	switch (utf8proc_category((utf8proc_int32_t)cp)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return true;
	default:
		return false;
	}
}

static inline bool norm_digit(uint32_t cp)
{
	return cp >= '0' && cp <= '9';
}

/* Puts the canonical order on combining marks (NFKC needs it before composing). */
static void norm_sort_marks(utf8proc_int32_t *b, size_t n)
{
	for (size_t i = 1; i < n;) {
		int c1 = utf8proc_get_property(b[i - 1])->combining_class;
		int c2 = utf8proc_get_property(b[i])->combining_class;
		if (c1 > c2 && c2 > 0) {
			utf8proc_int32_t t = b[i];
			b[i] = b[i - 1];
			b[i - 1] = t;
			if (i > 1)
				i--;
		} else {
			i++;
		}
	}
}

/* Appends cp unless that would make a run of one character longer than RUN_DIGIT (a digit)
 * or RUN_OTHER (any other character); both passes below end in it. */
static inline void norm_emit(uint32_t *cps, size_t *n, uint32_t cp, uint32_t *prev, size_t *run)
{
	if (cp == *prev) {
		if (++*run >= (norm_digit(cp) ? RUN_DIGIT : RUN_OTHER))
			return;
	} else {
		*run = 0;
		*prev = cp;
	}
	cps[(*n)++] = cp;
}

/* The common case in one pass: text of ASCII, CJK ideographs, full-width ASCII and CJK
 * punctuation only, where NFKC and case folding change a character on its own and nothing
 * composes. Returns the code points (as text_normalize_cps), or SIZE_MAX at the first
 * other character: the general path then starts over. */
static size_t norm_simple(const unsigned char *s, size_t len, uint32_t *cps, size_t cap)
{
	size_t n = 0, run = 0;
	uint32_t prev = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		if (!utf8_next(s, len, &i, &cp))
			break;
		if (norm_fullwidth(cp))
			cp -= 0xFEE0;
		bool keep;
		if (cp < 0x80) {
			if (cp >= 'A' && cp <= 'Z')
				cp += 'a' - 'A';
			keep = (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9');
		} else if (norm_cjk_letter(cp)) {
			keep = true;
		} else if (norm_punct(cp)) {
			keep = false;
		} else if (norm_fast(cp)) {
			keep = norm_keep(cp);
		} else {
			return SIZE_MAX;
		}
		if (!keep || n == cap)
			continue; /* past cap: only looking for a character that needs the rest */
		norm_emit(cps, &n, norm_t2s(cp), &prev, &run);
	}
	return n;
}

size_t text_normalize_cps(const char *in, size_t len, uint32_t *cps, size_t cap)
{
	utf8proc_int32_t buf[NORM_BUF];
	size_t nb = 0;
	bool compose = false;
	const unsigned char *s = (const unsigned char *)in;
	if (!in)
		len = 0;
	len = text_cut(in, len);
	size_t simple = norm_simple(s, len, cps, cap);
	if (simple != SIZE_MAX)
		return simple;
	for (size_t i = 0; i < len && nb < NORM_BUF;) {
		uint32_t cp;
		if (!utf8_next(s, len, &i, &cp))
			break;
		if (norm_fullwidth(cp))
			cp -= 0xFEE0;
		if (norm_fast(cp) || norm_punct(cp)) {
			if (cp >= 'A' && cp <= 'Z')
				cp += 'a' - 'A';
			buf[nb++] = (utf8proc_int32_t)cp;
			continue;
		}
		int last = 0;
		utf8proc_ssize_t m = utf8proc_decompose_char(
			(utf8proc_int32_t)cp, buf + nb, (utf8proc_ssize_t)(NORM_BUF - nb),
			UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE,
			&last);
		if (m < 0 || (size_t)m > NORM_BUF - nb)
			break; /* the buffer is full: the rest is cut */
		for (utf8proc_ssize_t j = 0; j < m; j++)
			if (utf8proc_get_property(buf[nb + j])->combining_class > 0 ||
			    (buf[nb + j] >= 0x1100 && buf[nb + j] <= 0x11FF))
				compose = true;
		nb += (size_t)m;
	}
	if (compose) {
		norm_sort_marks(buf, nb);
		utf8proc_ssize_t m = utf8proc_normalize_utf32(buf, (utf8proc_ssize_t)nb,
							      UTF8PROC_COMPOSE | UTF8PROC_STABLE);
		if (m >= 0)
			nb = (size_t)m;
	}
	size_t n = 0, run = 0;
	uint32_t prev = 0;
	for (size_t i = 0; i < nb && n < cap; i++) {
		uint32_t cp = (uint32_t)buf[i];
		if (!norm_keep(cp))
			continue;
		norm_emit(cps, &n, norm_t2s(cp), &prev, &run);
	}
	return n;
}

size_t text_normalize(const char *in, size_t len, char *out, size_t cap)
{
	uint32_t cps[NORM_BUF];
	if (!out || cap == 0)
		return 0;
	size_t n = text_normalize_cps(in, len, cps, NORM_BUF);
	size_t limit = cap - 1, o = 0;
	if (in && len < limit / 3)
		limit = 3 * len;
	for (size_t i = 0; i < n; i++) {
		size_t k = utf8_len(cps[i]);
		if (o + k > limit)
			break;
		o += utf8_encode(cps[i], out + o);
	}
	out[o] = 0;
	return o;
}
