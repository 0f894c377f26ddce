/* Unit tests of the pure parts of src/http/: UTF-8 and JSON depth checks, JSON body and
 * field-spec parsing, and the router. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "http/ratelimit.h"
#include "http/server_internal.h"

static void test_utf8_accepts_chinese_and_counts_code_points(void **state)
{
	(void)state;
	size_t n = 0;
	const char *s = "查干沐沦苏木 abc 🐎";
	assert_true(http_utf8_valid(s, strlen(s), &n));
	assert_int_equal(n, 6 + 1 + 3 + 1 + 1);
}

static void test_utf8_rejects_bad_sequences(void **state)
{
	(void)state;
	const char *bad[] = {
		"\xff",             /* never valid */
		"\xc0\xaf",         /* overlong '/' */
		"\xe0\x80\xaf",     /* overlong */
		"\xed\xa0\x80",     /* surrogate */
		"\xf4\x90\x80\x80", /* beyond U+10FFFF */
		"\xe6\x9f",         /* truncated */
		"a\x01b",           /* control character */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(http_utf8_valid(bad[i], strlen(bad[i]), NULL));
	assert_true(http_utf8_valid("tab\tnewline\n", 12, NULL));
}

static void test_json_depth_ignores_brackets_in_strings(void **state)
{
	(void)state;
	assert_int_equal(http_json_depth("{}", 2), 1);
	assert_int_equal(http_json_depth("{\"a\":[[1]]}", 11), 3);
	const char *s = "{\"a\":\"[[[[\\\"{{{\"}";
	assert_int_equal(http_json_depth(s, strlen(s)), 1);
}

static void test_json_parse_reports_the_right_problem(void **state)
{
	(void)state;
	const char *code = NULL;
	char detail[256];
	json_t *j = http_json_parse("{\"a\":1}", 7, 16, &code, detail, sizeof(detail));
	assert_non_null(j);
	json_decref(j);
	struct {
		const char *body, *code;
	} cases[] = {
		{"", "request.malformed_json"},
		{"{", "request.malformed_json"},
		{"[1,2]", "request.malformed_json"},
		{"{\"a\":1,\"a\":2}", "request.malformed_json"},
		{"{\"a\":\"\xff\"}", "request.invalid_utf8"},
		{"[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]", "request.too_deep"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		code = NULL;
		assert_null(http_json_parse(cases[i].body, strlen(cases[i].body), 16, &code, detail,
					    sizeof(detail)));
		assert_string_equal(code, cases[i].code);
	}
}

static void test_json_spec_names_the_bad_field(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	const char *name = NULL, *node = NULL, *field = NULL, *why = NULL;
	int64_t n = 0;
	bool flag = false;
	struct json_field spec[] = {
		{"name", JF_STRING, true, 4, &name, NULL},
		{"node", JF_REF, true, 0, &node, NULL},
		{"n", JF_INT, false, 0, &n, NULL},
		{"flag", JF_BOOL, false, 0, &flag, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	json_t *ok = json_loads("{\"name\":\"嘎查四字\",\"node\":12,\"n\":5,\"flag\":true}", 0, NULL);
	assert_int_equal(http_json_spec(ok, spec, a, &field, &why), 0);
	assert_string_equal(name, "嘎查四字");
	assert_string_equal(node, "12");
	assert_int_equal(n, 5);
	assert_true(flag);
	json_decref(ok);
	struct {
		const char *body, *field;
	} bad[] = {
		{"{\"node\":1}", "name"},
		{"{\"name\":5,\"node\":1}", "name"},
		{"{\"name\":\"toolong\",\"node\":1}", "name"},
		{"{\"name\":\"a\\u0000b\",\"node\":1}", "name"},
		{"{\"name\":\"ab\",\"node\":-3}", "node"},
		{"{\"name\":\"ab\",\"node\":[]}", "node"},
		{"{\"name\":\"ab\",\"node\":\"x\",\"n\":\"5\"}", "n"},
		{"{\"name\":\"ab\",\"node\":\"x\",\"flag\":1}", "flag"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *j = json_loads(bad[i].body, JSON_ALLOW_NUL, NULL);
		assert_non_null(j);
		field = NULL;
		assert_int_equal(http_json_spec(j, spec, a, &field, &why), -1);
		assert_string_equal(field, bad[i].field);
		json_decref(j);
	}
	arena_free(a);
}

static int h_a(struct http_req *r)
{
	(void)r;
	return 1;
}

static int h_b(struct http_req *r)
{
	(void)r;
	return 2;
}

static const struct route test_routes[] = {
	{HTTP_GET, "/api/v1/things", h_a, 0},
	{HTTP_POST, "/api/v1/things", h_b, 0},
	{HTTP_GET, "/api/v1/things/{}", h_a, 0},
	{HTTP_DELETE, "/api/v1/things/{}/parts/{}", h_b, 0},
	{HTTP_POST, "/api/v1/test/clock", h_a, ROUTE_TEST},
};

static enum router_result match(struct http_req *r, enum http_method m, const char *path,
				unsigned *allowed)
{
	r->method = m;
	r->path = path;
	r->route = NULL;
	r->nparams = 0;
	struct router *rt = router_new(test_routes, sizeof(test_routes) / sizeof(test_routes[0]));
	enum router_result res = router_match(rt, r, false, allowed);
	router_free(rt);
	return res;
}

static void test_router_matches_params_and_tells_404_from_405(void **state)
{
	(void)state;
	struct http_req r = {.arena = arena_new()};
	unsigned allowed = 0;
	assert_int_equal(match(&r, HTTP_GET, "/api/v1/things", &allowed), ROUTER_FOUND);
	assert_ptr_equal(r.route, &test_routes[0]);
	assert_int_equal(match(&r, HTTP_POST, "/api/v1/things", &allowed), ROUTER_FOUND);
	assert_ptr_equal(r.route, &test_routes[1]);
	assert_int_equal(match(&r, HTTP_DELETE, "/api/v1/things/7/parts/abc", &allowed),
			 ROUTER_FOUND);
	assert_int_equal(r.nparams, 2);
	assert_string_equal(r.params[0], "7");
	assert_string_equal(r.params[1], "abc");
	assert_int_equal(match(&r, HTTP_PUT, "/api/v1/things", &allowed), ROUTER_NO_METHOD);
	assert_int_equal(allowed, HTTP_GET | HTTP_POST);
	assert_int_equal(match(&r, HTTP_GET, "/api/v1/things/", &allowed), ROUTER_NO_PATH);
	assert_int_equal(match(&r, HTTP_GET, "/api/v1/things/1/2", &allowed), ROUTER_NO_PATH);
	assert_int_equal(match(&r, HTTP_GET, "/api/v1/thing", &allowed), ROUTER_NO_PATH);
	/* test-only routes are invisible outside test mode */
	assert_int_equal(match(&r, HTTP_POST, "/api/v1/test/clock", &allowed), ROUTER_NO_PATH);
	arena_free(r.arena);
}

/* The index by first three segments keeps table order: a route with a parameter in its key
 * is tried with every path, before later routes of the path's own key. */
static const struct route order_routes[] = {
	{HTTP_GET, "/api/{}/ping", h_a, 0},
	{HTTP_GET, "/api/v1/ping", h_b, 0},
	{HTTP_POST, "/api/v1/ping", h_b, 0},
	{HTTP_GET, "/healthz", h_a, 0},
};

static void test_router_index_keeps_table_order(void **state)
{
	(void)state;
	struct router *rt = router_new(order_routes, sizeof(order_routes) / sizeof(order_routes[0]));
	struct http_req r = {.arena = arena_new()};
	unsigned allowed = 0;
	struct {
		enum http_method m;
		const char *path;
		enum router_result want;
		int route;
	} cases[] = {
		{HTTP_GET, "/api/v1/ping", ROUTER_FOUND, 0},  {HTTP_POST, "/api/v1/ping", ROUTER_FOUND, 2},
		{HTTP_GET, "/api/v2/ping", ROUTER_FOUND, 0},  {HTTP_GET, "/healthz", ROUTER_FOUND, 3},
		{HTTP_PUT, "/api/v1/ping", ROUTER_NO_METHOD, -1}, {HTTP_GET, "/api/v2/pong", ROUTER_NO_PATH, -1},
		{HTTP_GET, "/healthz/", ROUTER_NO_PATH, -1},   {HTTP_GET, "", ROUTER_NO_PATH, -1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r.method = cases[i].m;
		r.path = cases[i].path;
		r.route = NULL;
		assert_int_equal(router_match(rt, &r, false, &allowed), cases[i].want);
		if (cases[i].route >= 0)
			assert_ptr_equal(r.route, &order_routes[cases[i].route]);
	}
	r.method = HTTP_PUT;
	r.path = "/api/v1/ping";
	router_match(rt, &r, false, &allowed);
	assert_int_equal(allowed, HTTP_GET | HTTP_POST);
	router_free(rt);
	arena_free(r.arena);
}

static void test_parse_id_accepts_only_positive_decimals(void **state)
{
	(void)state;
	int64_t v = 0;
	assert_int_equal(http_parse_id("42", &v), 0);
	assert_int_equal(v, 42);
	const char *bad[] = {"", "0", "-1", "1e3", "abc", "12a", "9999999999999999999", " 1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(http_parse_id(bad[i], &v), -1);
}

static void test_ratelimit_refills_at_its_rate_per_key(void **state)
{
	(void)state;
	int64_t t = 1000000;
	for (int i = 0; i < 5; i++)
		assert_true(ratelimit_take("t", "10.0.0.1", 5, 5, t));
	assert_false(ratelimit_take("t", "10.0.0.1", 5, 5, t));
	assert_true(ratelimit_take("t", "10.0.0.2", 5, 5, t)); /* another client */
	assert_true(ratelimit_take("u", "10.0.0.1", 5, 5, t)); /* another class */
	assert_false(ratelimit_take("t", "10.0.0.1", 5, 5, t + 11000));
	assert_true(ratelimit_take("t", "10.0.0.1", 5, 5, t + 12000)); /* 5/min: one per 12 s */
	assert_false(ratelimit_take("t", "10.0.0.1", 5, 5, t + 12000));
	/* a flood of other keys does not reset a limited client */
	char key[32];
	for (int i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "flood-%d", i);
		ratelimit_take("t", key, 5, 5, t + 12000);
	}
	int allowed = 0;
	for (int i = 0; i < 5; i++)
		allowed += ratelimit_take("t", "10.0.0.1", 5, 5, t + 12001);
	assert_true(allowed <= 1);
}

static void test_form_decodes_plus_and_escapes_and_refuses_bad_text(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	struct http_form f;
	const char *why = NULL;
	const char *body = "api_key=k1&description=%E7%BE%8A+a%2Bb&&flag&attribute%5Burgency%5D=urgent";
	assert_int_equal(http_form_parse(body, strlen(body), a, &f, &why), 0);
	assert_int_equal(f.n, 4);
	assert_string_equal(http_form_get(&f, "description"), "羊 a+b");
	assert_string_equal(http_form_get(&f, "flag"), "");
	assert_string_equal(http_form_get(&f, "attribute[urgency]"), "urgent");
	assert_null(http_form_get(&f, "lat"));
	const char *bad[] = {"a=%FF", "a=%4", "a=%G1", "a=%", "a=x%00y", "a=%01", "a=1&a=2", "=v",
			     "a=\xe6\x9f"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(http_form_parse(bad[i], strlen(bad[i]), a, &f, &why), -1);
		assert_non_null(why);
	}
	assert_int_equal(http_form_parse("", 0, a, &f, &why), 0);
	assert_int_equal(f.n, 0);
	arena_free(a);
}

static char *json_string_of(const char *s)
{
	struct membuf b = {0};
	http_json_string(&b, s);
	membuf_append(&b, "", 1);
	return (char *)b.data;
}

static void test_json_string_escapes_and_keeps_chinese(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"", "\"\""},
		{"草原补奖什么时候发？", "\"草原补奖什么时候发？\""},
		{"a\"b\\c/d", "\"a\\\"b\\\\c/d\""},
		{"line\nnext\ttab\x01\x1f", "\"line\\u000anext\\u0009tab\\u0001\\u001f\""},
		{"🐎 ok", "\"🐎 ok\""},
		{"bad\xff\xc0\xaf" "end", "\"bad\\ufffd\\ufffd\\ufffdend\""},
		{"cut\xe8\x8d", "\"cut\\ufffd\\ufffd\""},
		{"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""}, /* a surrogate */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = json_string_of(cases[i].in);
		assert_string_equal(got, cases[i].out);
		free(got);
	}
	char *null = json_string_of(NULL);
	assert_string_equal(null, "null");
	free(null);
}

/* Any bytes give a JSON string jansson reads back; valid UTF-8 reads back unchanged. */
static void test_json_string_always_parses(void **state)
{
	(void)state;
	static const unsigned char alphabet[] = {'a', '"', '\\', '\n', 0x01, 0x7f, 0x80, 0xbf,
						 0xc2, 0xe8, 0x8d, 0x89, 0xf0, 0x9f, 0xed, 0xff};
	unsigned seed = 12345;
	for (int round = 0; round < 20000; round++) {
		char in[24];
		size_t n = (size_t)(round % 23);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			in[i] = (char)alphabet[(seed >> 16) % sizeof(alphabet)];
		}
		in[n] = '\0';
		char *out = json_string_of(in);
		json_error_t err;
		json_t *v = json_loads(out, JSON_DECODE_ANY, &err);
		assert_non_null(v);
		assert_true(json_is_string(v));
		bool valid = true;
		for (size_t i = 0; i < n;) {
			size_t k = http_utf8_char(in + i, n - i);
			if (!k) {
				valid = false;
				break;
			}
			i += k;
		}
		if (valid)
			assert_string_equal(json_string_value(v), in);
		json_decref(v);
		free(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_accepts_chinese_and_counts_code_points),
		cmocka_unit_test(test_utf8_rejects_bad_sequences),
		cmocka_unit_test(test_json_depth_ignores_brackets_in_strings),
		cmocka_unit_test(test_json_parse_reports_the_right_problem),
		cmocka_unit_test(test_json_spec_names_the_bad_field),
		cmocka_unit_test(test_router_matches_params_and_tells_404_from_405),
		cmocka_unit_test(test_router_index_keeps_table_order),
		cmocka_unit_test(test_parse_id_accepts_only_positive_decimals),
		cmocka_unit_test(test_ratelimit_refills_at_its_rate_per_key),
		cmocka_unit_test(test_form_decodes_plus_and_escapes_and_refuses_bad_text),
		cmocka_unit_test(test_json_string_escapes_and_keeps_chinese),
		cmocka_unit_test(test_json_string_always_parses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
