/* redact.c — masks mainland mobile numbers and ID-card numbers in public text. Digits may
 * be ASCII or full-width; a mobile number may have spaces or dashes between its digits. A
 * number glued to more digits (a 12-digit order number, say) is left alone. Bytes that are
 * not part of a masked number are copied unchanged, except invalid UTF-8, which is dropped. */
#include "text/text.h"
#include "text/text_internal.h"

#include <stdlib.h>
#include <string.h>

enum { PHONE_DIGITS = 11, ID_CHARS = 18 };

/* The value 0..9 of a digit (ASCII or full-width), 10 for X or x, -1 for anything else. */
static int redact_digit(uint32_t cp)
{
	if (cp >= '0' && cp <= '9')
		return (int)(cp - '0');
	if (cp >= 0xFF10 && cp <= 0xFF19)
		return (int)(cp - 0xFF10);
	if (cp == 'X' || cp == 'x' || cp == 0xFF38 || cp == 0xFF58)
		return 10;
	return -1;
}

static bool redact_sep(uint32_t cp)
{
	return cp == ' ' || cp == '-' || cp == 0x3000 || cp == 0xFF0D || cp == 0x2010 ||
	       cp == 0x2013 || cp == 0x2014 || cp == 0x00A0;
}

/* The code point at s[i..len) (0 with *k = 1 for an invalid byte). */
static uint32_t redact_at(const unsigned char *s, size_t len, size_t i, size_t *k)
{
	uint32_t cp = 0;
	*k = i < len ? utf8_decode(s + i, len - i, &cp) : 0;
	if (*k == 0) {
		*k = 1;
		return 0;
	}
	return cp;
}

/* Reads a run of digits at s+i; returns their count (X counts as a digit only in the 18th
 * place), their values in d and the end in *end. Separators are allowed between digits
 * when allow_sep. */
static size_t redact_run(const unsigned char *s, size_t len, size_t i, bool allow_sep,
			 size_t max, int *d, size_t *end)
{
	size_t n = 0, k;
	while (i < len && n < max) {
		uint32_t cp = redact_at(s, len, i, &k);
		int v = redact_digit(cp);
		if (v == 10 && n != ID_CHARS - 1)
			v = -1;
		if (v >= 0) {
			d[n++] = v;
			i += k;
			*end = i;
			continue;
		}
		if (allow_sep && n > 0 && redact_sep(cp)) {
			size_t k2;
			uint32_t nx = redact_at(s, len, i + k, &k2);
			int v2 = redact_digit(nx);
			if (v2 >= 0 && v2 < 10) {
				i += k;
				continue;
			}
		}
		break;
	}
	return n;
}

/* Whether the code point at s+i is a digit (the number goes on). */
static bool redact_digit_at(const unsigned char *s, size_t len, size_t i)
{
	size_t k;
	if (i >= len)
		return false;
	int v = redact_digit(redact_at(s, len, i, &k));
	return v >= 0 && v < 10;
}

static size_t redact_put(char *o, const int *d, size_t n, size_t keep_head, size_t keep_tail)
{
	for (size_t j = 0; j < n; j++) {
		if (j < keep_head || j >= n - keep_tail)
			o[j] = d[j] == 10 ? 'X' : (char)('0' + d[j]);
		else
			o[j] = '*';
	}
	return n;
}

char *text_redact(const char *in, size_t len, int *found)
{
	const unsigned char *s = (const unsigned char *)in;
	int count = 0;
	if (!in)
		len = 0;
	len = text_cut(in, len);
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	bool prev_digit = false;
	for (size_t i = 0; i < len;) {
		size_t k;
		uint32_t cp = redact_at(s, len, i, &k);
		if (cp == 0 && (i >= len || s[i] != 0)) { /* invalid UTF-8 */
			i += k;
			continue;
		}
		int v = redact_digit(cp);
		if (v >= 0 && v < 10 && !prev_digit) {
			int d[ID_CHARS + 1];
			size_t end = i;
			size_t n = redact_run(s, len, i, false, ID_CHARS + 1, d, &end);
			if (n == ID_CHARS && d[0] > 0 && !redact_digit_at(s, len, end)) {
				o += redact_put(out + o, d, n, 4, 4);
				count++;
				i = end;
				prev_digit = true;
				continue;
			}
			size_t end2 = i;
			n = redact_run(s, len, i, true, PHONE_DIGITS, d, &end2);
			if (n == PHONE_DIGITS && d[0] == 1 && d[1] >= 3 &&
			    !redact_digit_at(s, len, end2)) {
				o += redact_put(out + o, d, n, 3, 4);
				count++;
				i = end2;
				prev_digit = true;
				continue;
			}
		}
		prev_digit = v >= 0 && v < 10;
		memcpy(out + o, s + i, k);
		o += k;
		i += k;
	}
	out[o] = 0;
	if (found)
		*found = count;
	return out;
}
