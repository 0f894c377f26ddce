/* requests_rank.c — ranking volunteers for an order, with the reasons shown to the branch
 * secretary. Pure: no I/O. */
#include "modules/requests/requests.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *code, *zh;
} specialty_names[] = {
	{"medicine", "医疗"},   {"agriculture", "农牧"}, {"law", "法律"},   {"mediation", "调解"},
	{"education", "教育"},  {"daily", "生活帮办"},   {"repair", "水电暖"},
};

static const char *specialty_zh(const char *code)
{
	for (size_t i = 0; i < sizeof(specialty_names) / sizeof(specialty_names[0]); i++)
		if (strcmp(specialty_names[i].code, code) == 0)
			return specialty_names[i].zh;
	return code;
}

double requests_distance_km(double lat1, double lon1, double lat2, double lon2)
{
	const double r = 6371.0, rad = M_PI / 180.0;
	double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
	double a = sin(dlat / 2) * sin(dlat / 2) +
		   cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
	return 2 * r * atan2(sqrt(a), sqrt(1 - a));
}

/* True when the comma-separated list holds code. */
static bool has_specialty(const char *list, const char *code)
{
	size_t n = strlen(code);
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, code, n) == 0)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

static void reason(json_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reason(json_t *r, const char *fmt, ...)
{
	char buf[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(r, json_string(buf));
}

static int rank_cmp(const void *a, const void *b)
{
	const struct requests_candidate *x = a, *y = b;
	if (x->eligible != y->eligible)
		return x->eligible ? -1 : 1;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

void requests_rank(struct requests_candidate *c, int n, const struct requests_need *need)
{
	for (int i = 0; i < n; i++) {
		struct requests_candidate *v = &c[i];
		v->reasons = json_array();
		v->eligible = true;
		v->score = 0;
		v->distance_km = -1;
		if (!v->available) {
			v->eligible = false;
			reason(v->reasons, "暂不可接单");
		}
		if (!v->insurance_until || strcmp(v->insurance_until, need->today) < 0) {
			v->eligible = false;
			reason(v->reasons, "意外保险已过期或未登记");
		}
		if (v->active >= v->max_active) {
			v->eligible = false;
			reason(v->reasons, "在办 %lld 单，已达上限 %lld", (long long)v->active,
			       (long long)v->max_active);
		}
		if (need->night && v->no_night) {
			v->eligible = false;
			reason(v->reasons, "不接夜间服务");
		}
		if (v->avail_days && (!(v->avail_days & (1 << need->weekday)) ||
				      need->minute < v->avail_from || need->minute >= v->avail_to)) {
			v->eligible = false;
			reason(v->reasons, "不在服务时段（%02lld:%02lld–%02lld:%02lld%s）",
			       (long long)v->avail_from / 60, (long long)v->avail_from % 60,
			       (long long)v->avail_to / 60, (long long)v->avail_to % 60,
			       (v->avail_days & 127) == 127 ? "" : "，非每日");
		}
		bool match = need->specialty && has_specialty(v->specialties, need->specialty);
		if (match) {
			v->score += 40;
			reason(v->reasons, "专长对口：%s", specialty_zh(need->specialty));
		} else {
			reason(v->reasons, "专长不对口");
		}
		if (need->has_location && v->has_location) {
			v->distance_km = requests_distance_km(need->lat, need->lon, v->lat, v->lon);
			double near = 1.0 - v->distance_km / 30.0;
			v->score += 30 * (near > 0 ? near : 0);
			reason(v->reasons, "距离 %.1f 公里", v->distance_km);
		} else {
			v->score += 15; /* unknown distance: neither near nor far */
			reason(v->reasons, "距离未知");
		}
		if (v->max_active > 0 && v->active < v->max_active) {
			v->score += 15 * (1.0 - (double)v->active / (double)v->max_active);
			reason(v->reasons, "在办 %lld/%lld 单", (long long)v->active,
			       (long long)v->max_active);
		}
		double rating = v->ratings ? v->rating : 4.0;
		v->score += 15 * rating / 5.0;
		if (v->ratings)
			reason(v->reasons, "评分 %.1f（%lld 次）", v->rating, (long long)v->ratings);
		else
			reason(v->reasons, "暂无评分");
		if (v->eligible && v->insurance_until)
			reason(v->reasons, "保险有效至 %s", v->insurance_until);
		v->score = round(v->score * 10) / 10;
	}
	qsort(c, (size_t)n, sizeof(*c), rank_cmp);
}
