/* requests_calendar.c — time limits on the Chinese working-day calendar. */
#include "modules/requests/requests.h"

#include "store/db.h"

#include <string.h>
#include <time.h>

static const char SQL_HOLIDAYS[] = "SELECT day, kind FROM holidays ORDER BY day";

enum { CST_OFFSET_MS = 8 * 3600 * 1000 };

int requests_calendar_load(struct db_conn *c, struct requests_calendar *cal)
{
	cal->n = 0;
	struct db_stmt *s = db_prepare(c, SQL_HOLIDAYS);
	if (!s)
		return DB_HARD_ERROR;
	int rc;
	while ((rc = db_step(s)) == DB_ROW && cal->n < REQUESTS_CAL_MAX) {
		const char *d = db_col_text(s, 0);
		if (strlen(d) != 10)
			continue;
		int v = 0;
		for (int i = 0; i < 10; i++)
			if (d[i] >= '0' && d[i] <= '9')
				v = v * 10 + (d[i] - '0');
		cal->day[cal->n] = v;
		cal->kind[cal->n] = db_col_text(s, 1)[0] == 'w' ? 'w' : 'h';
		cal->n++;
	}
	return rc < 0 ? rc : 0;
}

static char requests_calendar_kind(const struct requests_calendar *cal, int day)
{
	int lo = 0, hi = cal->n;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (cal->day[mid] == day)
			return cal->kind[mid];
		if (cal->day[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Days since 1970-01-01 for a civil date, and back (Howard Hinnant's algorithms). */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int civil_from_days(int64_t z)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
	return (int)(y * 10000 + m * 100 + d);
}

bool requests_working_day(const struct requests_calendar *cal, int yyyymmdd)
{
	char k = requests_calendar_kind(cal, yyyymmdd);
	if (k)
		return k == 'w';
	int64_t days = days_from_civil(yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
	int weekday = (int)(((days % 7) + 7 + 3) % 7); /* 0 = Monday; 1970-01-01 was a Thursday */
	return weekday < 5;
}

int requests_cst_day(int64_t ms)
{
	int64_t days = (ms + CST_OFFSET_MS) / 86400000;
	if ((ms + CST_OFFSET_MS) % 86400000 < 0)
		days--;
	return civil_from_days(days);
}

int64_t requests_due_at(const struct requests_calendar *cal, const char *tier, int64_t created_ms)
{
	if (strcmp(tier, "urgent") == 0)
		return created_ms + 2 * 3600000LL;
	if (strcmp(tier, "utility") == 0)
		return created_ms + 24 * 3600000LL;
	int need = strcmp(tier, "complex") == 0 ? 15 : 7;
	int64_t day = (created_ms + CST_OFFSET_MS) / 86400000;
	for (int counted = 0; counted < need;) {
		day++;
		if (requests_working_day(cal, civil_from_days(day)))
			counted++;
	}
	/* the end of that day in China: the start of the next, less a millisecond */
	return (day + 1) * 86400000LL - CST_OFFSET_MS - 1;
}
