/* form.c — application/x-www-form-urlencoded bodies (Open311 posts its requests so): '+' is
 * a space, %XX a byte, and what they decode to must be UTF-8 without control characters. */
#include "http/http.h"

#include "core/mem.h"

#include <string.h>

static int form_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..len) into the arena; NULL on a broken %-escape or text that is not UTF-8. */
static const char *form_decode(struct arena *a, const char *s, size_t len, const char **why)
{
	char *out = arena_alloc(a, len + 1);
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			int hi = i + 2 < len ? form_hex(s[i + 1]) : -1;
			int lo = i + 2 < len ? form_hex(s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				*why = "a broken %-escape";
				return NULL;
			}
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	if (!http_utf8_valid(out, o, NULL)) {
		*why = "text that is not UTF-8, or control characters";
		return NULL;
	}
	return out;
}

int http_form_parse(const char *body, size_t len, struct arena *a, struct http_form *f,
		    const char **why)
{
	memset(f, 0, sizeof(*f));
	size_t i = 0;
	while (i < len) {
		const char *pair = body + i;
		const char *amp = memchr(pair, '&', len - i);
		size_t plen = amp ? (size_t)(amp - pair) : len - i;
		i += plen + 1;
		if (plen == 0)
			continue;
		const char *eq = memchr(pair, '=', plen);
		size_t nlen = eq ? (size_t)(eq - pair) : plen;
		const char *name = form_decode(a, pair, nlen, why);
		if (!name)
			return -1;
		const char *value = eq ? form_decode(a, eq + 1, plen - nlen - 1, why) : "";
		if (!value)
			return -1;
		if (!*name || strlen(name) > HTTP_FORM_NAME_MAX) {
			*why = "a field without a name, or with a name too long";
			return -1;
		}
		if (http_form_get(f, name)) {
			*why = arena_printf(a, "%s: given twice", name);
			return -1;
		}
		if (f->n == HTTP_FORM_MAX) {
			*why = "too many fields";
			return -1;
		}
		f->name[f->n] = name;
		f->value[f->n] = value;
		f->n++;
	}
	return 0;
}

const char *http_form_get(const struct http_form *f, const char *name)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->name[i], name) == 0)
			return f->value[i];
	return NULL;
}
