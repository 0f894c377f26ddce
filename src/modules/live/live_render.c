/* live_render.c — the stream report as an XLSX workbook, and the typed reads of the report
 * object that the XLSX and PDF renderers share (live_render_internal.h). */
#include "modules/live/live_render.h"

#include "core/mem.h"
#include "core/xlsx.h"
#include "modules/live/live_render_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *live_render_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

bool live_render_num(const json_t *o, const char *key, double *v)
{
	json_t *n = json_object_get(o, key);
	if (!json_is_number(n))
		return false;
	*v = json_number_value(n);
	return isfinite(*v);
}

long long live_render_int(const json_t *o, const char *key, long long dflt)
{
	double v;
	if (!live_render_num(o, key, &v) || v > 9e15 || v < -9e15)
		return dflt;
	return (long long)llround(v);
}

json_t *live_render_array(const json_t *o, const char *key)
{
	json_t *a = json_object_get(o, key);
	return json_is_array(a) ? a : NULL;
}

json_t *live_render_object(const json_t *o, const char *key)
{
	json_t *a = json_object_get(o, key);
	return json_is_object(a) ? a : NULL;
}

const char *live_render_status_zh(const char *status)
{
	if (!status)
		return "";
	if (strcmp(status, "answered") == 0)
		return "已答复";
	if (strcmp(status, "open") == 0)
		return "未答复";
	if (strcmp(status, "deferred") == 0)
		return "暂缓";
	return status;
}

const char *live_render_platform_zh(const char *platform)
{
	static const struct {
		const char *code, *name;
	} names[] = {
		{"douyin", "抖音"},       {"kuaishou", "快手"},        {"wechat", "微信视频号"},
		{"weixin", "微信视频号"}, {"channels", "微信视频号"},  {"wechat_channels", "微信视频号"},
		{"shipinhao", "微信视频号"}, {"bilibili", "哔哩哔哩"}, {"other", "其他"},
	};
	if (!platform)
		return "";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(platform, names[i].code) == 0)
			return names[i].name;
	return platform;
}

bool live_render_time(double ms, const char *fmt, char *buf, size_t n)
{
	buf[0] = '\0';
	/* years 1970..9999 */
	if (!isfinite(ms) || ms < 0 || ms > 253402300799000.0)
		return false;
	time_t t = (time_t)(ms / 1000.0) + 8 * 3600;
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		return false;
	if (strftime(buf, n, fmt, &tm) == 0) {
		buf[0] = '\0';
		return false;
	}
	return true;
}

void live_render_span(const json_t *stream, char *buf, size_t n)
{
	double start, end;
	buf[0] = '\0';
	if (!live_render_num(stream, "started_at", &start) &&
	    !live_render_num(stream, "scheduled_at", &start))
		return;
	char a[40], b[40], da[16], db[16];
	if (!live_render_time(start, "%Y-%m-%d %H:%M", a, sizeof(a)))
		return;
	if (!live_render_num(stream, "ended_at", &end) ||
	    !live_render_time(end, "%Y-%m-%d %H:%M", b, sizeof(b)) || end < start) {
		snprintf(buf, n, "%s", a);
		return;
	}
	live_render_time(start, "%Y-%m-%d", da, sizeof(da));
	live_render_time(end, "%Y-%m-%d", db, sizeof(db));
	snprintf(buf, n, "%s – %s", a, strcmp(da, db) == 0 ? b + 11 : b);
}

void live_render_minute(const json_t *row, char *buf, size_t n)
{
	double m;
	buf[0] = '\0';
	if (!live_render_num(row, "minute", &m))
		return;
	/* epoch ms from 2001 on, else minutes since the start */
	if (m >= 1e12) {
		live_render_time(m, "%H:%M", buf, n);
		return;
	}
	snprintf(buf, n, "%lld", (long long)llround(fmin(fmax(m, -1e15), 1e15)));
}

char *live_render_topics(const json_t *stream)
{
	json_t *topics = live_render_array(stream, "topics");
	size_t cap = 1, i;
	json_t *t;
	json_array_foreach(topics, i, t)
		if (json_is_string(t))
			cap += json_string_length(t) + 3;
	char *s = xmalloc(cap);
	size_t off = 0;
	s[0] = '\0';
	json_array_foreach(topics, i, t)
	{
		if (!json_is_string(t) || json_string_length(t) == 0)
			continue;
		off += (size_t)snprintf(s + off, cap - off, "%s%s", off ? "、" : "", json_string_value(t));
	}
	return s;
}

char *live_render_clip(const char *s, size_t max)
{
	if (!s)
		return xstrdup("");
	size_t n = strnlen(s, max + 1);
	if (n <= max)
		return xstrdup(s);
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	char *c = xmalloc(n + 4);
	memcpy(c, s, n);
	memcpy(c + n, "…", 4); /* three bytes and the NUL */
	return c;
}

void live_render_counts(const json_t *report, struct live_render_counts *c)
{
	memset(c, 0, sizeof(*c));
	json_t *hot = live_render_array(report, "hot");
	size_t i;
	json_t *h;
	json_array_foreach(hot, i, h)
	{
		const char *st = live_render_str(h, "status");
		if (!st)
			continue;
		if (strcmp(st, "answered") == 0)
			c->answered++;
		else if (strcmp(st, "deferred") == 0)
			c->deferred++;
		else if (strcmp(st, "open") == 0)
			c->unanswered++;
	}
	c->hot = (long long)json_array_size(hot);
	c->suggestions = (long long)json_array_size(live_render_array(report, "suggestions"));
	json_t *counts = live_render_object(report, "counts");
	c->hot = live_render_int(counts, "hot", c->hot);
	c->answered = live_render_int(counts, "answered", c->answered);
	c->unanswered = live_render_int(counts, "unanswered", c->unanswered);
	c->deferred = live_render_int(counts, "deferred", c->deferred);
	c->suggestions = live_render_int(counts, "suggestions", c->suggestions);
}

/* --- XLSX ------------------------------------------------------------------------------ */

struct xrender {
	struct xlsx x;
	lxw_format *wrap, *center;
};

/* Writes s (clipped to LIVE_RENDER_TEXT_MAX; Excel cells hold 32,767 characters) or leaves
 * the cell empty for NULL. */
static void xr_text(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s, lxw_format *f)
{
	if (!s || !*s) {
		if (f)
			worksheet_write_blank(ws, row, col, f);
		return;
	}
	char *c = live_render_clip(s, LIVE_RENDER_TEXT_MAX);
	worksheet_write_string(ws, row, col, c, f);
	free(c);
}

/* Writes o[key] as a number, or leaves the cell empty when it is missing or not a number. */
static void xr_num(struct xrender *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
		   const json_t *o, const char *key)
{
	double v;
	if (live_render_num(o, key, &v))
		worksheet_write_number(ws, row, col, v, x->x.number);
}

static void xr_pair(lxw_worksheet *ws, lxw_row_t *row, const char *label, const char *value)
{
	worksheet_write_string(ws, *row, 0, label, NULL);
	xr_text(ws, *row, 1, value, NULL);
	(*row)++;
}

static void xr_pair_num(struct xrender *x, lxw_worksheet *ws, lxw_row_t *row, const char *label,
			double v)
{
	worksheet_write_string(ws, *row, 0, label, NULL);
	worksheet_write_number(ws, *row, 1, v, x->x.number);
	(*row)++;
}

static void xr_pair_opt(struct xrender *x, lxw_worksheet *ws, lxw_row_t *row, const char *label,
			const json_t *o, const char *key)
{
	worksheet_write_string(ws, *row, 0, label, NULL);
	xr_num(x, ws, *row, 1, o, key);
	(*row)++;
}

static void xr_overview(struct xrender *x, json_t *report)
{
	lxw_worksheet *ws = workbook_add_worksheet(x->x.wb, "概况");
	static const char *const titles[] = {"项目", "内容"};
	xlsx_header(&x->x, ws, titles, 2);
	worksheet_set_column(ws, 0, 0, 22, NULL);
	worksheet_set_column(ws, 1, 1, 60, x->wrap);
	json_t *stream = live_render_object(report, "stream");
	json_t *viewers = live_render_object(report, "viewers");
	json_t *inter = live_render_object(report, "interactions");
	json_t *q = live_render_object(report, "questions");
	struct live_render_counts c;
	live_render_counts(report, &c);
	char buf[64];
	lxw_row_t row = 1;
	xr_pair(ws, &row, "直播标题", live_render_str(stream, "title"));
	xr_pair(ws, &row, "所属单位", live_render_str(live_render_object(stream, "node"), "name"));
	xr_pair(ws, &row, "直播平台", live_render_platform_zh(live_render_str(stream, "platform")));
	xr_pair(ws, &row, "主持人", live_render_str(stream, "host_name"));
	char *topics = live_render_topics(stream);
	xr_pair(ws, &row, "话题", topics);
	free(topics);
	double t;
	static const char *const time_keys[] = {"scheduled_at", "started_at", "ended_at"};
	static const char *const time_labels[] = {"计划时间（北京时间）", "开始时间（北京时间）",
						  "结束时间（北京时间）"};
	for (int i = 0; i < 3; i++) {
		buf[0] = '\0';
		if (live_render_num(stream, time_keys[i], &t))
			live_render_time(t, "%Y-%m-%d %H:%M", buf, sizeof(buf));
		xr_pair(ws, &row, time_labels[i], buf);
	}
	double s, e;
	worksheet_write_string(ws, row, 0, "直播时长（分钟）", NULL);
	if (live_render_num(stream, "started_at", &s) && live_render_num(stream, "ended_at", &e) &&
	    e >= s)
		worksheet_write_number(ws, row, 1, floor((e - s) / 60000.0), x->x.number);
	row++;
	xr_pair_opt(x, ws, &row, "观看人数峰值", viewers, "peak");
	xr_pair_opt(x, ws, &row, "平均观看人数", viewers, "average");
	xr_pair_opt(x, ws, &row, "提问总数", q, "total");
	xr_pair_opt(x, ws, &row, "提问人数", q, "askers");
	xr_pair_opt(x, ws, &row, "互动总数", inter, "total");
	xr_pair_num(x, ws, &row, "热点问题", (double)c.hot);
	xr_pair_num(x, ws, &row, "　已答复", (double)c.answered);
	xr_pair_num(x, ws, &row, "　未答复", (double)c.unanswered);
	xr_pair_num(x, ws, &row, "　暂缓", (double)c.deferred);
	xr_pair_num(x, ws, &row, "群众建议", (double)c.suggestions);
	xr_pair_opt(x, ws, &row, "公开显示的提问", q, "visible");
	xr_pair_opt(x, ws, &row, "待审核的提问", q, "pending");
	xr_pair_opt(x, ws, &row, "未通过审核的提问", q, "rejected");
	xr_pair_opt(x, ws, &row, "从平台导入的评论", q, "imported");
	xr_pair_opt(x, ws, &row, "观看人数采样次数", viewers, "samples");
}

static void xr_hot(struct xrender *x, json_t *report)
{
	lxw_worksheet *ws = workbook_add_worksheet(x->x.wb, "热点问题");
	static const char *const titles[] = {"排名", "热点问题", "提问数", "提问人数",
					     "点赞数", "状态", "答复"};
	xlsx_header(&x->x, ws, titles, 7);
	worksheet_set_column(ws, 0, 0, 6, x->center);
	worksheet_set_column(ws, 1, 1, 40, x->wrap);
	worksheet_set_column(ws, 2, 4, 9, NULL);
	worksheet_set_column(ws, 5, 5, 8, x->center);
	worksheet_set_column(ws, 6, 6, 60, x->wrap);
	size_t i;
	json_t *h;
	json_array_foreach(live_render_array(report, "hot"), i, h)
	{
		if (i + 1 >= LXW_ROW_MAX)
			break;
		lxw_row_t row = (lxw_row_t)i + 1;
		double rank;
		worksheet_write_number(ws, row, 0,
				       live_render_num(h, "rank", &rank) ? rank : (double)(i + 1),
				       x->center);
		xr_text(ws, row, 1, live_render_str(h, "title"), x->wrap);
		xr_num(x, ws, row, 2, h, "questions");
		xr_num(x, ws, row, 3, h, "askers");
		xr_num(x, ws, row, 4, h, "upvotes");
		xr_text(ws, row, 5, live_render_status_zh(live_render_str(h, "status")), x->center);
		xr_text(ws, row, 6, live_render_str(h, "answer"), x->wrap);
	}
	if (i > 0)
		worksheet_autofilter(ws, 0, 0, (lxw_row_t)i, 6);
}

static void xr_minutes(struct xrender *x, json_t *report)
{
	const char *name = "每分钟互动";
	lxw_worksheet *ws = workbook_add_worksheet(x->x.wb, name);
	static const char *const titles[] = {"分钟", "提问", "建议", "闲聊", "点赞", "观看人数"};
	static const char *const keys[] = {"questions", "suggestions", "smalltalk", "upvotes",
					   "viewers"};
	xlsx_header(&x->x, ws, titles, 6);
	worksheet_set_column(ws, 0, 5, 10, NULL);
	json_t *rows = live_render_array(live_render_object(report, "interactions"), "per_minute");
	size_t i;
	json_t *m;
	bool viewers = false;
	char label[32];
	json_array_foreach(rows, i, m)
	{
		if (i + 1 >= LXW_ROW_MAX)
			break;
		lxw_row_t row = (lxw_row_t)i + 1;
		live_render_minute(m, label, sizeof(label));
		double v;
		if (live_render_num(m, "minute", &v) && v < 1e12)
			worksheet_write_number(ws, row, 0, v, NULL);
		else
			xr_text(ws, row, 0, label, NULL);
		for (int k = 0; k < 5; k++)
			xr_num(x, ws, row, (lxw_col_t)(k + 1), m, keys[k]);
		viewers = viewers || live_render_num(m, "viewers", &v);
	}
	if (i == 0)
		return;
	lxw_row_t last = (lxw_row_t)i;
	/* libxlsxwriter 1.1 has no combined charts or second axes: the counts and the viewers
	 * get a chart each */
	lxw_chart *chart = workbook_add_chart(x->x.wb, LXW_CHART_COLUMN_STACKED);
	chart_title_set_name(chart, "每分钟互动");
	for (int k = 0; k < 3; k++) {
		lxw_chart_series *s = chart_add_series(chart, NULL, NULL);
		chart_series_set_categories(s, name, 1, 0, last, 0);
		chart_series_set_values(s, name, 1, (lxw_col_t)(k + 1), last, (lxw_col_t)(k + 1));
		chart_series_set_name_range(s, name, 0, (lxw_col_t)(k + 1));
	}
	chart_axis_set_name(chart->x_axis, "分钟");
	chart_axis_set_name(chart->y_axis, "条数");
	chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
	lxw_chart_options opt = {.x_scale = 1.6, .y_scale = 1.2};
	worksheet_insert_chart_opt(ws, 1, 7, chart, &opt);
	if (!viewers)
		return;
	lxw_chart *line = workbook_add_chart(x->x.wb, LXW_CHART_LINE);
	chart_title_set_name(line, "观看人数");
	lxw_chart_series *s = chart_add_series(line, NULL, NULL);
	chart_series_set_categories(s, name, 1, 0, last, 0);
	chart_series_set_values(s, name, 1, 5, last, 5);
	chart_series_set_name_range(s, name, 0, 5);
	chart_axis_set_name(line->x_axis, "分钟");
	chart_axis_set_name(line->y_axis, "人数");
	chart_legend_set_position(line, LXW_CHART_LEGEND_NONE);
	worksheet_insert_chart_opt(ws, 20, 7, line, &opt);
}

static void xr_suggestions(struct xrender *x, json_t *report)
{
	lxw_worksheet *ws = workbook_add_worksheet(x->x.wb, "群众建议");
	static const char *const titles[] = {"序号", "建议内容", "昵称", "时间（北京时间）"};
	xlsx_header(&x->x, ws, titles, 4);
	worksheet_set_column(ws, 0, 0, 6, x->center);
	worksheet_set_column(ws, 1, 1, 70, x->wrap);
	worksheet_set_column(ws, 2, 2, 14, NULL);
	worksheet_set_column(ws, 3, 3, 18, NULL);
	size_t i;
	json_t *s;
	char when[40];
	json_array_foreach(live_render_array(report, "suggestions"), i, s)
	{
		if (i + 1 >= LXW_ROW_MAX)
			break;
		lxw_row_t row = (lxw_row_t)i + 1;
		worksheet_write_number(ws, row, 0, (double)(i + 1), x->center);
		xr_text(ws, row, 1, live_render_str(s, "text"), x->wrap);
		xr_text(ws, row, 2, live_render_str(s, "nickname"), NULL);
		double t;
		when[0] = '\0';
		if (live_render_num(s, "created_at", &t))
			live_render_time(t, "%Y-%m-%d %H:%M", when, sizeof(when));
		xr_text(ws, row, 3, when, NULL);
	}
}

static void xr_keywords(struct xrender *x, json_t *report)
{
	lxw_worksheet *ws = workbook_add_worksheet(x->x.wb, "关键词");
	static const char *const titles[] = {"关键词", "权重"};
	xlsx_header(&x->x, ws, titles, 2);
	worksheet_set_column(ws, 0, 0, 24, NULL);
	worksheet_set_column(ws, 1, 1, 10, NULL);
	lxw_format *weight = workbook_add_format(x->x.wb);
	format_set_num_format(weight, "0.###");
	size_t i;
	json_t *k;
	json_array_foreach(live_render_array(report, "keywords"), i, k)
	{
		if (i + 1 >= LXW_ROW_MAX)
			break;
		lxw_row_t row = (lxw_row_t)i + 1;
		xr_text(ws, row, 0, live_render_str(k, "word"), NULL);
		double w;
		if (live_render_num(k, "weight", &w))
			worksheet_write_number(ws, row, 1, w, weight);
	}
}

int live_render_xlsx(json_t *report, void **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (!json_is_object(report))
		return -1;
	struct xrender x;
	if (xlsx_open(&x.x) < 0)
		return -1;
	x.wrap = workbook_add_format(x.x.wb);
	format_set_text_wrap(x.wrap);
	format_set_align(x.wrap, LXW_ALIGN_VERTICAL_TOP);
	x.center = workbook_add_format(x.x.wb);
	format_set_align(x.center, LXW_ALIGN_CENTER);
	format_set_align(x.center, LXW_ALIGN_VERTICAL_TOP);
	xr_overview(&x, report);
	xr_hot(&x, report);
	xr_minutes(&x, report);
	xr_suggestions(&x, report);
	xr_keywords(&x, report);
	char *data = NULL;
	if (xlsx_finish(&x.x, &data, len) < 0)
		return -1;
	*out = data;
	return 0;
}
