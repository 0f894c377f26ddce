/* Unit tests of src/people/people.c: ID-card number checks and masking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "people/people.h"

static void test_id_number_check_digit(void **state)
{
	(void)state;
	assert_true(people_id_number_valid("11010519491231002X"));
	assert_true(people_id_number_valid("11010519491231002x"));
	assert_true(people_id_number_valid("440524188001010014"));
	assert_false(people_id_number_valid("110105194912310021")); /* wrong check digit */
	assert_false(people_id_number_valid("11010519491331002X")); /* month 13 */
	assert_false(people_id_number_valid("1101051949123100"));   /* short */
	assert_false(people_id_number_valid("11010519491231002XX"));
	assert_false(people_id_number_valid("A1010519491231002X"));
	assert_false(people_id_number_valid(""));
	assert_false(people_id_number_valid("110105194902300012")); /* 30 February */
}

static void test_dates_must_exist(void **state)
{
	(void)state;
	assert_true(people_birth_date_valid("2024-02-29"));
	assert_false(people_birth_date_valid("2023-02-29"));
	assert_false(people_birth_date_valid("1900-02-29")); /* not a leap year */
	assert_true(people_birth_date_valid("2000-02-29"));
	assert_false(people_birth_date_valid("2024-04-31"));
	assert_false(people_birth_date_valid("yesterday"));
	assert_false(people_birth_date_valid("2024-1-01"));
}

static void test_masks(void **state)
{
	(void)state;
	char out[32];
	people_id_number_mask("150423198001011234", out);
	assert_string_equal(out, "1504**********1234");
	people_phone_mask("13812345678", out, sizeof(out));
	assert_string_equal(out, "138****5678");
	people_phone_mask("12345", out, sizeof(out));
	assert_string_equal(out, "****");
	assert_true(people_phone_valid("0476-1234567"));
	assert_false(people_phone_valid("138abc"));
	assert_false(people_phone_valid("1234"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_number_check_digit),
		cmocka_unit_test(test_masks),
		cmocka_unit_test(test_dates_must_exist),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
