/* Unit tests of the pure parts of the points module. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "modules/points/points.h"

static void test_public_names_are_masked(void **state)
{
	(void)state;
	char out[64];
	points_mask_name("巴特尔", out, sizeof(out));
	assert_string_equal(out, "巴*尔");
	points_mask_name("乌云其木格", out, sizeof(out));
	assert_string_equal(out, "乌*格");
	points_mask_name("托娅", out, sizeof(out));
	assert_string_equal(out, "托*");
	points_mask_name("王", out, sizeof(out));
	assert_string_equal(out, "王*");
	points_mask_name("", out, sizeof(out));
	assert_string_equal(out, "*");
}

static void test_account_names(void **state)
{
	(void)state;
	char out[32];
	points_account(out, "hh", 12);
	assert_string_equal(out, "hh:12");
	points_account(out, "store", 7);
	assert_string_equal(out, "store:7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_public_names_are_masked),
		cmocka_unit_test(test_account_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
