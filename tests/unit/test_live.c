/* Unit tests of the live module's pure helpers: join codes, device tokens, phone masks,
 * times, and the parsing of imported comments (JSON lines, CSV records). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "modules/live/live_internal.h"
#include "text/text.h"

#include <math.h>

static void test_live_join_codes_use_the_alphabet_and_differ(void **state)
{
	(void)state;
	char a[7], b[7];
	int same = 0;
	for (int i = 0; i < 200; i++) {
		live_join_code(a);
		live_join_code(b);
		assert_int_equal(strlen(a), 6);
		assert_true(live_join_code_valid(a));
		assert_null(strpbrk(a, "01OIL"));
		same += strcmp(a, b) == 0;
	}
	assert_int_equal(same, 0);
	assert_false(live_join_code_valid("ABC12"));
	assert_false(live_join_code_valid("ABCDE0"));
	assert_false(live_join_code_valid("abcdef"));
	assert_false(live_join_code_valid(NULL));
}

static void test_live_device_token_shape(void **state)
{
	(void)state;
	assert_true(live_device_token_valid("abcdefghijklmnop"));
	assert_true(live_device_token_valid("A-b_C0123456789xyz"));
	assert_false(live_device_token_valid("abcdefghijklmno")); /* 15 */
	char long65[66];
	memset(long65, 'a', 65);
	long65[65] = '\0';
	assert_false(live_device_token_valid(long65));
	long65[64] = '\0';
	assert_true(live_device_token_valid(long65));
	assert_false(live_device_token_valid("abcdefghijklmnop!"));
	assert_false(live_device_token_valid("abcdefgh ijklmnop"));
	assert_false(live_device_token_valid(NULL));
}

static void test_live_phone_mask_keeps_three_and_four_digits(void **state)
{
	(void)state;
	char out[24];
	live_phone_mask("13812345678", out);
	assert_string_equal(out, "138****5678");
	live_phone_mask("+86 139-1234-5678", out);
	assert_string_equal(out, "139****5678");
	live_phone_mask("12345", out);
	assert_string_equal(out, "");
	live_phone_mask("", out);
	assert_string_equal(out, "");
}

static void test_live_parse_time_forms(void **state)
{
	(void)state;
	int64_t t = 0;
	assert_int_equal(live_parse_time("1795700000000", &t), 0);
	assert_int_equal(t, 1795700000000LL);
	assert_int_equal(live_parse_time("1795700000", &t), 0); /* seconds */
	assert_int_equal(t, 1795700000000LL);
	/* 2026-11-26 08:00:00 China time = 00:00 UTC */
	assert_int_equal(live_parse_time("2026-11-26 08:00:00", &t), 0);
	assert_int_equal(t, 1795651200000LL);
	assert_int_equal(live_parse_time("2026-11-26T08:00", &t), 0);
	assert_int_equal(t, 1795651200000LL);
	assert_int_equal(live_parse_time("2026-13-01 00:00", &t), -1);
	assert_int_equal(live_parse_time("yesterday", &t), -1);
	assert_int_equal(live_parse_time("", &t), -1);
	assert_int_equal(live_parse_time("2026-11-26", &t), -1);
}

static void test_live_csv_records_quotes_and_newlines(void **state)
{
	(void)state;
	const char *in = "a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",x\n\nlast";
	const char *p = in, *end = in + strlen(in);
	char *f[8];
	int n = live_csv_record(&p, end, f, 8);
	assert_int_equal(n, 3);
	assert_string_equal(f[0], "a");
	assert_string_equal(f[1], "b,c");
	assert_string_equal(f[2], "say \"hi\"");
	for (int i = 0; i < n; i++)
		free(f[i]);
	n = live_csv_record(&p, end, f, 8);
	assert_int_equal(n, 2);
	assert_string_equal(f[0], "multi\nline");
	assert_string_equal(f[1], "x");
	for (int i = 0; i < n; i++)
		free(f[i]);
	n = live_csv_record(&p, end, f, 8); /* the blank line */
	assert_int_equal(n, 1);
	assert_string_equal(f[0], "");
	free(f[0]);
	n = live_csv_record(&p, end, f, 8);
	assert_int_equal(n, 1);
	assert_string_equal(f[0], "last");
	free(f[0]);
	assert_ptr_equal(p, end);
	const char *bad = "\"never closed,x";
	p = bad;
	assert_int_equal(live_csv_record(&p, bad + strlen(bad), f, 8), -1);
	/* more fields than room: the count is capped, nothing leaks */
	const char *wide = "1,2,3,4,5";
	p = wide;
	n = live_csv_record(&p, wide + strlen(wide), f, 2);
	assert_int_equal(n, 2);
	free(f[0]);
	free(f[1]);
}

static void test_live_import_json_lines(void **state)
{
	(void)state;
	struct live_import_line l;
	const char *why = NULL;
	const char *ok = "{\"platform\":\"douyin\",\"comment_id\":42,\"user\":\"牧民\","
			 "\"time\":\"2026-11-26 08:00:00\",\"text\":\"草原补奖什么时候发？\"}";
	assert_int_equal(live_import_parse_json(ok, strlen(ok), &l, &why), 0);
	assert_string_equal(l.platform, "douyin");
	assert_string_equal(l.comment_id, "42");
	assert_string_equal(l.user, "牧民");
	assert_int_equal(l.time_ms, 1795651200000LL);
	assert_string_equal(l.text, "草原补奖什么时候发？");
	free(l.text);
	const char *secs = "{\"platform\":\"x\",\"comment_id\":\"a\",\"time\":1795700000,\"text\":\"t\"}";
	assert_int_equal(live_import_parse_json(secs, strlen(secs), &l, &why), 0);
	assert_int_equal(l.time_ms, 1795700000000LL);
	free(l.text);
	static const char *const bad[] = {
		"[1]", "{\"comment_id\":\"a\",\"text\":\"t\"}", "{\"platform\":\"x\",\"text\":\"t\"}",
		"{\"platform\":\"x\",\"comment_id\":\"a\"}",
		"{\"platform\":\"x\",\"comment_id\":\"a\",\"text\":5}",
		"{\"platform\":\"x\",\"comment_id\":\"a\",\"text\":\"t\",\"time\":\"soon\"}",
		"{\"platform\":\"x\",\"comment_id\":\"a\",\"text\":\"t\",\"time\":true}",
		"{\"platform\":\"x\",\"platform\":\"y\",\"comment_id\":\"a\",\"text\":\"t\"}", "{oops",
		"{\"platform\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",\"comment_id\":\"a\",\"text\":\"t\"}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(live_import_parse_json(bad[i], strlen(bad[i]), &l, &why), -1);
		assert_non_null(why);
		assert_null(l.text);
	}
}

static void test_live_hot_order_pinned_then_heat_then_id(void **state)
{
	(void)state;
	assert_true(live_hot_order(true, 0.1, 9, false, 50.0, 1) < 0);
	assert_true(live_hot_order(false, 50.0, 1, true, 0.1, 9) > 0);
	assert_true(live_hot_order(false, 3.0, 9, false, 2.5, 1) < 0);
	assert_true(live_hot_order(false, 2.5, 1, false, 3.0, 9) > 0);
	assert_true(live_hot_order(false, 2.0, 1, false, 2.0, 9) < 0);
	assert_true(live_hot_order(false, 2.0, 9, false, 2.0, 1) > 0);
	assert_int_equal(live_hot_order(false, 2.0, 5, false, 2.0, 5), 0);
	/* Heat decays alike for every hot question: time alone never reorders the list. */
	double a = text_heat_add(0, 0, 1000, 1.0), b = text_heat_add(0, 0, 61000, 0.8);
	for (int64_t t = 61000; t < 3600000; t += 600000)
		assert_true(live_hot_order(false, text_heat_at(a, 1000, t), 1, false,
					   text_heat_at(b, 61000, t), 2) < 0); /* 0.93 > 0.8 */
	/* An upvote weighs half a question. */
	double q = text_heat_add(0, 0, 0, 1.0);
	double up = text_heat_add(text_heat_add(0, 0, 0, 0.5), 0, 0, 0.5);
	assert_true(fabs(q - up) < 1e-9);
	/* Half-life 10 minutes. */
	assert_true(fabs(text_heat_at(2.0, 0, TEXT_HEAT_HALF_LIFE_MS) - 1.0) < 1e-9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_join_codes_use_the_alphabet_and_differ),
		cmocka_unit_test(test_live_device_token_shape),
		cmocka_unit_test(test_live_phone_mask_keeps_three_and_four_digits),
		cmocka_unit_test(test_live_parse_time_forms),
		cmocka_unit_test(test_live_csv_records_quotes_and_newlines),
		cmocka_unit_test(test_live_import_json_lines),
		cmocka_unit_test(test_live_hot_order_pinned_then_heat_then_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
