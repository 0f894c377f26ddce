/* live.c — the module's pure helpers: join codes, device keys, phone masks, hot-question
 * titles, and the parsing of imported comment lines (JSON lines and CSV records). */
#include "modules/live/live_internal.h"

#include "core/config.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "text/text.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char JOIN_ALPHABET[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

void live_join_code(char out[7])
{
	size_t n = sizeof(JOIN_ALPHABET) - 1; /* 31 */
	for (int i = 0; i < 6; i++)
		out[i] = JOIN_ALPHABET[randombytes_uniform((uint32_t)n)];
	out[6] = '\0';
}

bool live_join_code_valid(const char *code)
{
	return code && strlen(code) == 6 && strspn(code, JOIN_ALPHABET) == 6;
}

bool live_device_token_valid(const char *t)
{
	if (!t)
		return false;
	size_t n = strlen(t);
	if (n < 16 || n > 64)
		return false;
	return strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

void live_device_key(const char *token, const char *ip, char out[LIVE_DEVICE_MAX])
{
	char in[128], mac[CRYPTO_SM3_HEX];
	snprintf(in, sizeof(in), "live-device:%s:%s", token ? "d" : "ip", token ? token : ip);
	crypto_blind_index(in, mac);
	snprintf(out, LIVE_DEVICE_MAX, "%s:%s", token ? "d" : "ip", mac);
}

void live_phone_mask(const char *phone, char out[24])
{
	char digits[24];
	size_t n = 0;
	for (const char *p = phone; p && *p && n < sizeof(digits) - 1; p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	digits[n] = '\0';
	const char *d = digits;
	if (n == 13 && strncmp(digits, "86", 2) == 0) {
		d += 2; /* +86, China's country code */
		n -= 2;
	}
	if (n < 7) {
		out[0] = '\0';
		return;
	}
	snprintf(out, 24, "%.3s****%s", d, d + n - 4);
}

/* Days from 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int digits_at(const char *s, int n, int64_t *out)
{
	int64_t v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int live_parse_time(const char *s, int64_t *out)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0)
		return -1;
	if (strspn(s, "0123456789") == n) {
		if (n > 15)
			return -1;
		int64_t v = strtoll(s, NULL, 10);
		if (n <= 10)
			v *= 1000; /* epoch seconds */
		*out = v;
		return 0;
	}
	/* YYYY-MM-DD[ T]HH:MM[:SS], China time */
	int64_t y, mo, d, h, mi, sec = 0;
	if (n < 16 || digits_at(s, 4, &y) || s[4] != '-' || digits_at(s + 5, 2, &mo) ||
	    s[7] != '-' || digits_at(s + 8, 2, &d) || (s[10] != ' ' && s[10] != 'T') ||
	    digits_at(s + 11, 2, &h) || s[13] != ':' || digits_at(s + 14, 2, &mi))
		return -1;
	if (n >= 19 && s[16] == ':' && digits_at(s + 17, 2, &sec))
		return -1;
	if (y < 2000 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 59)
		return -1;
	*out = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) - 8 * 3600) * 1000;
	return 0;
}

static int copy_field(char *dst, size_t cap, json_t *v, bool required, const char **why,
		      const char *name)
{
	dst[0] = '\0';
	if (!v || json_is_null(v)) {
		if (required) {
			*why = name;
			return -1;
		}
		return 0;
	}
	if (json_is_integer(v)) {
		snprintf(dst, cap, "%lld", (long long)json_integer_value(v));
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) >= cap ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		*why = name;
		return -1;
	}
	if (required && json_string_length(v) == 0) {
		*why = name;
		return -1;
	}
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

int live_import_parse_json(const char *line, size_t len, struct live_import_line *out,
			   const char **why)
{
	memset(out, 0, sizeof(*out));
	json_error_t err;
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
	if (!o || !json_is_object(o)) {
		json_decref(o);
		*why = "not a JSON object";
		return -1;
	}
	int rc = -1;
	if (copy_field(out->platform, sizeof(out->platform), json_object_get(o, "platform"), true,
		       why, "platform: required, at most 32 characters") < 0 ||
	    copy_field(out->comment_id, sizeof(out->comment_id), json_object_get(o, "comment_id"),
		       true, why, "comment_id: required, at most 128 characters") < 0 ||
	    copy_field(out->user, sizeof(out->user), json_object_get(o, "user"), false, why,
		       "user: at most 64 characters") < 0)
		goto done;
	json_t *t = json_object_get(o, "time");
	if (json_is_integer(t)) {
		out->time_ms = json_integer_value(t);
		if (out->time_ms < 10000000000LL)
			out->time_ms *= 1000;
	} else if (json_is_string(t)) {
		if (live_parse_time(json_string_value(t), &out->time_ms) < 0) {
			*why = "time: epoch ms or YYYY-MM-DD HH:MM:SS";
			goto done;
		}
	} else if (t && !json_is_null(t)) {
		*why = "time: epoch ms or YYYY-MM-DD HH:MM:SS";
		goto done;
	}
	json_t *text = json_object_get(o, "text");
	if (!json_is_string(text) || json_string_length(text) == 0 ||
	    strlen(json_string_value(text)) != json_string_length(text)) {
		*why = "text: required";
		goto done;
	}
	out->text = xstrdup(json_string_value(text));
	rc = 0;
done:
	json_decref(o);
	return rc;
}

int live_csv_record(const char **p, const char *end, char **fields, int max)
{
	const char *s = *p;
	int n = 0;
	for (;;) {
		size_t cap = 64, len = 0;
		char *f = xmalloc(cap);
		if (s < end && *s == '"') {
			s++;
			for (;;) {
				if (s >= end) {
					free(f);
					for (int i = 0; i < n; i++)
						free(fields[i]);
					return -1;
				}
				if (*s == '"') {
					if (s + 1 < end && s[1] == '"') {
						s += 2;
						if (len + 2 > cap)
							f = xrealloc(f, cap *= 2);
						f[len++] = '"';
						continue;
					}
					s++;
					break;
				}
				if (len + 2 > cap)
					f = xrealloc(f, cap *= 2);
				f[len++] = *s++;
			}
			/* anything between the closing quote and the separator is kept */
		}
		while (s < end && *s != ',' && *s != '\n' && *s != '\r') {
			if (len + 2 > cap)
				f = xrealloc(f, cap *= 2);
			f[len++] = *s++;
		}
		f[len] = '\0';
		if (n < max)
			fields[n++] = f;
		else
			free(f);
		if (s < end && *s == ',') {
			s++;
			continue;
		}
		if (s < end && *s == '\r')
			s++;
		if (s < end && *s == '\n')
			s++;
		break;
	}
	*p = s;
	return n;
}

void live_join_url(const char *code, char out[LIVE_URL_MAX])
{
	const char *base = cfg.public_url ? cfg.public_url : "";
	size_t bl = strlen(base);
	while (bl > 0 && base[bl - 1] == '/')
		bl--;
	if (bl > LIVE_URL_MAX - 32)
		bl = LIVE_URL_MAX - 32;
	snprintf(out, LIVE_URL_MAX, "%.*s/m/#/live/%s", (int)bl, base, code);
}

char *live_cluster_title(const char *text)
{
	size_t len = strlen(text);
	if (len > TEXT_MAX_INPUT)
		len = TEXT_MAX_INPUT;
	char *out = xmalloc(3 * len + 1);
	if (text_display(text, len, out, 3 * len + 1) == 0) {
		free(out);
		return xstrdup(text);
	}
	return out;
}
