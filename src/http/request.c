/* request.c — the request body as JSON (with UTF-8 and depth checks), declarative field
 * specs, query arguments and headers. */
#include "http/http.h"
#include "http/server_internal.h"

#include "core/config.h"
#include "core/mem.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t http_utf8_char(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	if (len == 0)
		return 0;
	unsigned c = p[0], cp;
	size_t k;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		k = 1;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		k = 2;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		k = 3;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len <= k)
		return 0;
	for (size_t i = 1; i <= k; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return k + 1;
}

bool http_utf8_valid(const char *s, size_t len, size_t *codepoints)
{
	size_t n = 0;
	for (size_t i = 0; i < len; n++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			return false;
		size_t k = http_utf8_char(s + i, len - i);
		if (k == 0)
			return false;
		i += k;
	}
	if (codepoints)
		*codepoints = n;
	return true;
}

int http_json_depth(const char *s, size_t len)
{
	int depth = 0, max = 0;
	bool in_str = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max)
				max = depth;
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return max;
}

static void request_json_free(void *p)
{
	json_decref(p);
}

json_t *http_json_parse(const char *body, size_t len, int max_depth, const char **code,
			char *detail, size_t detail_len)
{
	detail[0] = '\0';
	if (len == 0) {
		*code = "request.malformed_json";
		snprintf(detail, detail_len, "the request needs a JSON body");
		return NULL;
	}
	if (http_json_depth(body, len) > max_depth) {
		*code = "request.too_deep";
		snprintf(detail, detail_len, "at most %d levels of nesting", max_depth);
		return NULL;
	}
	json_error_t err;
	json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
	if (!j) {
		*code = json_error_code(&err) == json_error_invalid_utf8 ? "request.invalid_utf8"
									 : "request.malformed_json";
		snprintf(detail, detail_len, "%s (line %d, column %d)", err.text, err.line, err.column);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		*code = "request.malformed_json";
		snprintf(detail, detail_len, "the body must be a JSON object");
		return NULL;
	}
	return j;
}

int http_body_json(struct http_req *r)
{
	if (r->json)
		return 0;
	const char *ct = http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (r->body_len > 0 && ct && strncmp(ct, "application/json", 16) != 0) {
		http_reply_problem(r, "request.unsupported_media_type", ct, NULL);
		return -1;
	}
	const char *code = NULL;
	char detail[256];
	json_t *j = http_json_parse(r->body, r->body_len, (int)cfg.json_depth, &code, detail,
				    sizeof(detail));
	if (!j) {
		http_reply_problem(r, code, detail, NULL);
		return -1;
	}
	arena_defer(r->arena, request_json_free, j);
	r->json = j;
	return 0;
}

static int request_bad(struct arena *a, const char *name, const char *why, const char **field,
		       const char **reason)
{
	*field = name;
	*reason = arena_printf(a, "%s: %s", name, why);
	return -1;
}

int http_json_spec(json_t *obj, const struct json_field *spec, struct arena *a,
		   const char **field, const char **reason)
{
	for (const struct json_field *f = spec; f->name; f++) {
		json_t *v = json_object_get(obj, f->name);
		bool given = v && !json_is_null(v);
		if (f->present)
			*f->present = given;
		if (!given) {
			if (f->required)
				return request_bad(a, f->name, "required", field, reason);
			continue;
		}
		switch (f->type) {
		case JF_STRING: {
			if (!json_is_string(v))
				return request_bad(a, f->name, "must be a string", field, reason);
			const char *s = json_string_value(v);
			size_t len = json_string_length(v), cps = 0;
			if (strlen(s) != len || !http_utf8_valid(s, len, &cps))
				return request_bad(a, f->name, "contains control characters", field,
						   reason);
			size_t max = f->max_len ? f->max_len : 200;
			if (cps > max)
				return request_bad(a, f->name,
						   arena_printf(a, "longer than %zu characters", max),
						   field, reason);
			*(const char **)f->out = s;
			break;
		}
		case JF_INT:
			if (!json_is_integer(v))
				return request_bad(a, f->name, "must be an integer", field, reason);
			*(int64_t *)f->out = json_integer_value(v);
			break;
		case JF_BOOL:
			if (!json_is_boolean(v))
				return request_bad(a, f->name, "must be true or false", field, reason);
			*(bool *)f->out = json_is_true(v);
			break;
		case JF_REF:
			if (json_is_integer(v) && json_integer_value(v) > 0) {
				*(const char **)f->out =
					arena_printf(a, "%lld", (long long)json_integer_value(v));
			} else if (json_is_string(v) && json_string_length(v) > 0 &&
				   json_string_length(v) <= 64 &&
				   strlen(json_string_value(v)) == json_string_length(v)) {
				*(const char **)f->out = json_string_value(v);
			} else {
				return request_bad(a, f->name, "must be a code or a positive id", field,
						   reason);
			}
			break;
		case JF_JSON:
			*(json_t **)f->out = v;
			break;
		}
	}
	return 0;
}

int http_json_fields(struct http_req *r, const struct json_field *spec)
{
	if (http_body_json(r) < 0)
		return -1;
	const char *field = NULL, *reason = NULL;
	if (http_json_spec(r->json, spec, r->arena, &field, &reason) < 0) {
		http_reply_problem(r, "request.bad_field", reason, field);
		return -1;
	}
	return 0;
}

const char *http_query(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int http_query_int(struct http_req *r, const char *name, int64_t def, int64_t lo, int64_t hi,
		   int64_t *out)
{
	const char *v = http_query(r, name);
	if (!v || !*v) {
		*out = def;
		return 0;
	}
	char *end = NULL;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno || *end || n < lo || n > hi) {
		http_reply_problem(r, "request.bad_query",
				   arena_printf(r->arena, "%s must be a number from %lld to %lld", name,
						(long long)lo, (long long)hi),
				   name);
		return -1;
	}
	*out = n;
	return 0;
}

const char *http_header(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

int http_parse_id(const char *s, int64_t *out)
{
	if (!s || !*s || strlen(s) > 18)
		return -1;
	int64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v <= 0)
		return -1;
	*out = v;
	return 0;
}

bool http_text_blank(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			p++;
		} else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
			p += 3; /* U+3000 ideographic space */
		} else {
			return false;
		}
	}
	return true;
}
