/* Unit tests of the pure parts of the requests module: working days and time limits on the
 * Chinese calendar, and volunteer ranking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "modules/requests/requests.h"

/* 2026's National Day: 10-01..07 off, Sunday 09-20 and Saturday 10-10 worked. */
static void national_day(struct requests_calendar *cal)
{
	memset(cal, 0, sizeof(*cal));
	int days[] = {20260920, 20261001, 20261002, 20261003, 20261004,
		      20261005, 20261006, 20261007, 20261010};
	for (int i = 0; i < 9; i++) {
		cal->day[i] = days[i];
		cal->kind[i] = days[i] == 20260920 || days[i] == 20261010 ? 'w' : 'h';
	}
	cal->n = 9;
}

/* Epoch ms of a China Standard Time wall-clock moment. */
static int64_t cst(int y, int mo, int d, int h, int mi)
{
	/* days from 1970-01-01 (civil) */
	int yy = y - (mo <= 2);
	int era = yy / 400;
	int yoe = yy - era * 400;
	int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = (int64_t)era * 146097 + doe - 719468;
	return (days * 86400 + h * 3600 + mi * 60 - 8 * 3600) * 1000LL;
}

static void test_working_days_follow_holidays_and_makeup_days(void **state)
{
	(void)state;
	struct requests_calendar cal;
	national_day(&cal);
	assert_true(requests_working_day(&cal, 20260930));  /* Wednesday */
	assert_false(requests_working_day(&cal, 20261001)); /* National Day */
	assert_false(requests_working_day(&cal, 20261003)); /* a Saturday inside the holiday */
	assert_true(requests_working_day(&cal, 20261010));  /* make-up Saturday */
	assert_false(requests_working_day(&cal, 20261011)); /* an ordinary Sunday */
	assert_true(requests_working_day(&cal, 20260920));  /* make-up Sunday */
	/* every weekday of an ordinary week, Monday 2026-11-23 to Sunday 11-29 */
	for (int d = 23; d <= 29; d++)
		assert_int_equal(requests_working_day(&cal, 20261100 + d), d <= 27);
	assert_int_equal(requests_cst_day(cst(2026, 9, 30, 23, 30)), 20260930);
	assert_int_equal(requests_cst_day(cst(2026, 10, 1, 0, 10)), 20261001);
}

static void test_seven_working_days_across_national_day(void **state)
{
	(void)state;
	struct requests_calendar cal;
	national_day(&cal);
	/* Placed Wednesday 09-30: 10-08, 09, 10 (make-up Saturday), 12, 13, 14, 15. */
	int64_t placed = cst(2026, 9, 30, 10, 0);
	assert_int_equal(requests_due_at(&cal, "general", placed), cst(2026, 10, 16, 0, 0) - 1);
	/* 15 working days: … 10-15 is the 7th, then 16, 19, 20, 21, 22, 23, 26, 27 → 10-27. */
	assert_int_equal(requests_due_at(&cal, "complex", placed), cst(2026, 10, 28, 0, 0) - 1);
	assert_int_equal(requests_due_at(&cal, "urgent", placed), placed + 2 * 3600000LL);
	assert_int_equal(requests_due_at(&cal, "utility", placed), placed + 24 * 3600000LL);
}

static void test_ranking_prefers_specialty_then_distance_and_explains(void **state)
{
	(void)state;
	struct requests_candidate c[4] = {
		{.id = 1, .name = "远的农牧", .specialties = "agriculture", .insurance_until = "2027-06-30",
		 .lat = 44.2, .lon = 119.0, .has_location = true, .available = true, .max_active = 2},
		{.id = 2, .name = "近的农牧", .specialties = "daily,agriculture",
		 .insurance_until = "2027-06-30", .lat = 43.91, .lon = 118.80, .has_location = true,
		 .available = true, .max_active = 2},
		{.id = 3, .name = "近的医生", .specialties = "medicine", .insurance_until = "2027-06-30",
		 .lat = 43.91, .lon = 118.79, .has_location = true, .available = true, .max_active = 2},
		{.id = 4, .name = "保险过期", .specialties = "agriculture", .insurance_until = "2026-01-01",
		 .lat = 43.91, .lon = 118.79, .has_location = true, .available = true, .max_active = 2},
	};
	struct requests_need need = {.specialty = "agriculture", .lat = 43.91, .lon = 118.79,
				     .has_location = true, .today = "2026-11-26"};
	requests_rank(c, 4, &need);
	assert_int_equal(c[0].id, 2);
	assert_int_equal(c[1].id, 1);
	assert_int_equal(c[2].id, 3);
	assert_int_equal(c[3].id, 4);
	assert_false(c[3].eligible);
	assert_string_equal(json_string_value(json_array_get(c[0].reasons, 0)), "专长对口：农牧");
	bool said = false;
	for (size_t i = 0; i < json_array_size(c[3].reasons); i++)
		said = said || strcmp(json_string_value(json_array_get(c[3].reasons, i)),
				      "意外保险已过期或未登记") == 0;
	assert_true(said);
	for (int i = 0; i < 4; i++)
		json_decref(c[i].reasons);
}

static void test_night_and_load_limits(void **state)
{
	(void)state;
	struct requests_candidate c[2] = {
		{.id = 1, .name = "不接夜间", .specialties = "medicine", .insurance_until = "2027-01-01",
		 .available = true, .no_night = true, .max_active = 2},
		{.id = 2, .name = "满负荷", .specialties = "medicine", .insurance_until = "2027-01-01",
		 .available = true, .active = 2, .max_active = 2},
	};
	struct requests_need need = {.specialty = "medicine", .night = true, .today = "2026-11-26"};
	requests_rank(c, 2, &need);
	assert_false(c[0].eligible);
	assert_false(c[1].eligible);
	json_decref(c[0].reasons);
	json_decref(c[1].reasons);
	assert_true(requests_distance_km(43.9, 118.8, 43.9, 118.8) < 1e-9);
	double d = requests_distance_km(43.53, 118.66, 43.91, 118.79); /* 大板 → 查干沐沦, ~43 km */
	assert_true(d > 40 && d < 46);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_working_days_follow_holidays_and_makeup_days),
		cmocka_unit_test(test_seven_working_days_across_national_day),
		cmocka_unit_test(test_ranking_prefers_specialty_then_distance_and_explains),
		cmocka_unit_test(test_night_and_load_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
