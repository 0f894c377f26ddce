/* Unit tests of modules/live/live_render.c and live_render_pdf.c: the stream report as XLSX
 * and PDF for a realistic stream, an empty one, a huge one (300 hot questions with long
 * answers) and one with fields of the wrong JSON types. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

#include "core/xlsx_read.h"
#include "modules/live/live_render.h"

#define TITLE "查干沐沦苏木政务服务直播第7期：医保缴费与不动产登记"
#define HOT1 "城乡居民医保今年的缴费标准是多少，在哪里可以交？"

/* 2026-05-12 09:30 China Standard Time, in epoch ms */
static const long long t0 = 1778549400000LL;

static json_t *report_sample(void)
{
	json_t *per_minute = json_array();
	for (int m = 0; m < 45; m++) {
		json_t *row = json_pack("{s:i, s:i, s:i, s:i, s:i}", "minute", m, "questions",
					(m * 7) % 11 + (m > 10 && m < 20 ? 6 : 0), "suggestions",
					m % 4 == 0 ? 2 : 0, "smalltalk", (m * 3) % 5, "upvotes",
					(m * 5) % 13);
		/* viewer samples every few minutes; the rest null */
		json_object_set_new(row, "viewers",
				    m % 3 == 0 ? json_integer(800 + m * 37 - (m > 30 ? (m - 30) * 60 : 0))
					       : json_null());
		json_array_append_new(per_minute, row);
	}
	return json_pack(
		"{s:{s:i, s:s, s:{s:i, s:s, s:s}, s:[s,s,s], s:I, s:s, s:s, s:s, s:s, s:I, s:I},"
		" s:{s:i, s:f, s:i},"
		" s:{s:i, s:o},"
		" s:{s:i, s:i, s:i, s:i, s:i, s:i},"
		" s:[{s:i, s:i, s:s, s:i, s:i, s:i, s:s, s:s},"
		"    {s:i, s:i, s:s, s:i, s:i, s:i, s:s, s:n},"
		"    {s:i, s:i, s:s, s:i, s:i, s:i, s:s, s:s},"
		"    {s:i, s:i, s:s, s:i, s:i, s:i, s:s, s:n}],"
		" s:{s:i, s:i, s:i, s:i, s:i},"
		" s:[{s:i, s:s, s:s, s:I}, {s:i, s:s, s:n, s:I}],"
		" s:[{s:s, s:f}, {s:s, s:f}, {s:s, s:f}, {s:s, s:f}]}",
		"stream", "id", 7, "title", TITLE, "node", "id", 3, "code", "150521101", "name",
		"查干沐沦苏木", "topics", "医保", "不动产登记", "社保卡", "scheduled_at", t0 - 600000,
		"platform", "douyin", "platform_url", "https://live.douyin.com/1", "host_name", "乌兰",
		"join_code", "7KQ3MX", "started_at", t0, "ended_at", t0 + 45 * 60000LL,
		"viewers", "peak", 1840, "average", 1312.4, "samples", 15,
		"interactions", "total", 612, "per_minute", per_minute,
		"questions", "total", 286, "askers", 173, "visible", 270, "pending", 4, "rejected", 12,
		"imported", 40,
		"hot",
		"rank", 1, "cluster_id", 31, "title", HOT1, "questions", 42, "askers", 37, "upvotes",
		88, "status", "answered", "answer",
		"2026年城乡居民医保个人缴费标准为每人每年400元，可在微信“蒙速办”、支付宝或苏木便民服务"
		"中心窗口缴纳，缴费截止到12月31日。",
		"rank", 2, "cluster_id", 35, "title", "不动产登记证补办需要带什么材料？", "questions",
		19, "askers", 17, "upvotes", 25, "status", "open", "answer",
		"rank", 3, "cluster_id", 40, "title", "社保卡丢了怎么挂失，能不能在手机上补办？",
		"questions", 11, "askers", 11, "upvotes", 9, "status", "deferred", "answer",
		"需与旗社保局核实后答复。",
		"rank", 4, "cluster_id", 44, "title", "老人高龄补贴什么时候发？", "questions", 6,
		"askers", 6, "upvotes", 3, "status", "open", "answer",
		"counts", "hot", 4, "answered", 1, "unanswered", 2, "deferred", 1, "suggestions", 2,
		"suggestions", "id", 501, "text", "建议在嘎查村委会设医保代缴点，方便不会用手机的老人。",
		"nickname", "牧民巴特尔", "created_at", t0 + 12 * 60000LL, "id", 502, "text",
		"希望每月固定一天直播，提前在群里通知。", "nickname", "created_at", t0 + 30 * 60000LL,
		"keywords", "word", "医保", "weight", 0.92, "word", "缴费", "weight", 0.71, "word",
		"不动产", "weight", 0.55, "word", "社保卡", "weight", 0.4);
}

/* A stream that never started and nobody asked in: no hot questions, no samples, no counts
 * object, only the time it was scheduled for. */
static json_t *report_empty(void)
{
	return json_pack("{s:{s:s, s:n, s:[], s:n, s:I}, s:{s:i, s:i, s:i},"
			 " s:{s:i, s:[]}, s:{s:i, s:i}, s:[], s:[], s:[]}",
			 "stream", "title", "空直播", "node", "topics", "started_at", "scheduled_at",
			 t0, "viewers",
			 "peak", 0, "average", 0, "samples", 0, "interactions", "total", 0,
			 "per_minute", "questions", "total", 0, "askers", 0, "hot", "suggestions",
			 "keywords");
}

static char *repeat(const char *unit, size_t times)
{
	size_t n = strlen(unit);
	char *s = malloc(n * times + 1);
	assert_non_null(s);
	for (size_t i = 0; i < times; i++)
		memcpy(s + i * n, unit, n);
	s[n * times] = '\0';
	return s;
}

/* 300 hot questions with 500-character answers, 200 suggestions, a five-hour series. */
static json_t *report_huge(void)
{
	json_t *r = report_sample();
	json_t *hot = json_array();
	char *answer = repeat("答", 500);
	char title[200];
	static const char *const st[] = {"open", "answered", "deferred"};
	for (int i = 0; i < 300; i++) {
		snprintf(title, sizeof(title), "第%d个热点问题：低保、临时救助和残疾人两项补贴怎么申请？",
			 i + 1);
		json_array_append_new(hot, json_pack("{s:i, s:i, s:s, s:i, s:i, s:i, s:s, s:s}",
						     "rank", i + 1, "cluster_id", 1000 + i, "title",
						     title, "questions", 300 - i, "askers", 250 - i / 2,
						     "upvotes", i * 3, "status", st[i % 3], "answer",
						     answer));
	}
	json_object_set_new(r, "hot", hot);
	json_t *sug = json_array();
	for (int i = 0; i < 200; i++)
		json_array_append_new(sug, json_pack("{s:i, s:s, s:s, s:I}", "id", i, "text",
						     "希望把办事指南做成短视频，在直播后发到群里。",
						     "nickname", "群众", "created_at", t0 + i * 1000LL));
	json_object_set_new(r, "suggestions", sug);
	json_t *pm = json_array();
	for (int m = 0; m < 300; m++)
		json_array_append_new(pm, json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "minute", m,
						    "questions", m % 17, "suggestions", m % 3,
						    "smalltalk", m % 5, "upvotes", m % 7, "viewers",
						    5000 + m * 10));
	json_object_set_new(json_object_get(r, "interactions"), "per_minute", pm);
	/* a title far longer than a page */
	char *long_title = repeat("很长的标题", 2000);
	json_object_set_new(json_object_get(r, "stream"), "title", json_string(long_title));
	free(long_title);
	free(answer);
	return r;
}

/* Every field present with the wrong JSON type. */
static json_t *report_wrong_types(void)
{
	json_error_t e;
	json_t *r = json_loads(
		"{\"stream\": \"不是对象\", \"viewers\": [], \"interactions\": {\"total\": \"多\","
		" \"per_minute\": [1, \"x\", {\"minute\": [], \"questions\": \"3\"}, {\"minute\": -5,"
		" \"viewers\": 1e300, \"questions\": -2}]}, \"questions\": 7,"
		" \"hot\": [3, {\"title\": 5, \"status\": 9, \"rank\": \"1\"}, {\"status\": \"weird\"}],"
		" \"counts\": [\"hot\"], \"suggestions\": {\"text\": 1}, \"keywords\": [null, {\"word\": 1,"
		" \"weight\": \"x\"}]}",
		0, &e);
	assert_non_null(r);
	return r;
}

/* With TALA_RENDER_OUT=dir set, keeps a rendered file there to look at (pdftoppm, a
 * spreadsheet program). */
static void keep(const char *name, const void *data, size_t len)
{
	const char *dir = getenv("TALA_RENDER_OUT");
	if (!dir || !*dir)
		return;
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* The bytes of one member of the zip archive as a string, or NULL when it is absent. */
static char *zip_member(const void *data, size_t len, const char *name)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
	assert_non_null(src);
	zip_t *z = zip_open_from_source(src, ZIP_RDONLY, &ze);
	assert_non_null(z);
	char *out = NULL;
	zip_stat_t st;
	if (zip_stat(z, name, 0, &st) == 0) {
		zip_file_t *f = zip_fopen(z, name, 0);
		assert_non_null(f);
		out = malloc(st.size + 1);
		assert_non_null(out);
		assert_int_equal(zip_fread(f, out, st.size), (zip_int64_t)st.size);
		out[st.size] = '\0';
		zip_fclose(f);
	}
	zip_close(z);
	zip_error_fini(&ze);
	return out;
}

static void test_xlsx_sample_has_every_sheet(void **state)
{
	(void)state;
	json_t *r = report_sample();
	void *data = NULL;
	size_t len = 0;
	assert_int_equal(live_render_xlsx(r, &data, &len), 0);
	assert_true(len > 1000);
	assert_memory_equal(data, "PK\x03\x04", 4);
	keep("sample.xlsx", data, len);
	struct xlsx_sheet s;
	char err[200];
	assert_int_equal(xlsx_read(data, len, &s, err, sizeof(err)), 0);
	assert_string_equal(xlsx_cell(&s, 0, 0), "项目");
	assert_string_equal(xlsx_cell(&s, 1, 0), "直播标题");
	assert_string_equal(xlsx_cell(&s, 1, 1), TITLE);
	assert_string_equal(xlsx_cell(&s, 2, 1), "查干沐沦苏木");
	assert_string_equal(xlsx_cell(&s, 3, 1), "抖音");
	assert_string_equal(xlsx_cell(&s, 4, 1), "乌兰");
	assert_string_equal(xlsx_cell(&s, 5, 1), "医保、不动产登记、社保卡");
	assert_string_equal(xlsx_cell(&s, 6, 1), "2026-05-12 09:20");
	assert_string_equal(xlsx_cell(&s, 7, 1), "2026-05-12 09:30");
	assert_string_equal(xlsx_cell(&s, 8, 1), "2026-05-12 10:15");
	assert_string_equal(xlsx_cell(&s, 9, 1), "45");
	assert_string_equal(xlsx_cell(&s, 10, 0), "观看人数峰值");
	assert_string_equal(xlsx_cell(&s, 10, 1), "1840");
	assert_string_equal(xlsx_cell(&s, 12, 1), "286");
	assert_string_equal(xlsx_cell(&s, 13, 1), "173");
	assert_string_equal(xlsx_cell(&s, 14, 1), "612");
	assert_string_equal(xlsx_cell(&s, 15, 1), "4");
	assert_string_equal(xlsx_cell(&s, 16, 1), "1");
	assert_string_equal(xlsx_cell(&s, 17, 1), "2");
	assert_string_equal(xlsx_cell(&s, 18, 1), "1");
	assert_string_equal(xlsx_cell(&s, 19, 1), "2");
	assert_string_equal(xlsx_cell(&s, 24, 0), "观看人数采样次数");
	assert_string_equal(xlsx_cell(&s, 24, 1), "15");
	assert_int_equal(s.rows, 25);
	xlsx_sheet_free(&s);
	char *wb = zip_member(data, len, "xl/workbook.xml");
	assert_non_null(wb);
	const char *names[] = {"概况", "热点问题", "每分钟互动", "群众建议", "关键词"};
	const char *prev = wb;
	for (int i = 0; i < 5; i++) {
		char want[64];
		snprintf(want, sizeof(want), "name=\"%s\"", names[i]);
		const char *at = strstr(wb, want);
		assert_non_null(at);
		assert_true(at >= prev); /* in this order */
		prev = at;
	}
	free(wb);
	char *ss = zip_member(data, len, "xl/sharedStrings.xml");
	assert_non_null(ss);
	assert_non_null(strstr(ss, HOT1));
	assert_non_null(strstr(ss, "已答复"));
	assert_non_null(strstr(ss, "未答复"));
	assert_non_null(strstr(ss, "暂缓"));
	assert_non_null(strstr(ss, "牧民巴特尔"));
	assert_non_null(strstr(ss, "不动产"));
	free(ss);
	/* the stacked column chart of the counts and the line chart of the viewers */
	char *c1 = zip_member(data, len, "xl/charts/chart1.xml");
	char *c2 = zip_member(data, len, "xl/charts/chart2.xml");
	assert_non_null(c1);
	assert_non_null(c2);
	assert_non_null(strstr(c1, "<c:grouping val=\"stacked\"/>"));
	assert_non_null(strstr(c1, "'每分钟互动'!$B$2:$B$46"));
	assert_non_null(strstr(c2, "<c:lineChart>"));
	free(c1);
	free(c2);
	free(data);
	json_decref(r);
}

static void test_xlsx_empty_report_has_no_chart(void **state)
{
	(void)state;
	json_t *r = report_empty();
	void *data = NULL;
	size_t len = 0;
	assert_int_equal(live_render_xlsx(r, &data, &len), 0);
	struct xlsx_sheet s;
	char err[200];
	assert_int_equal(xlsx_read(data, len, &s, err, sizeof(err)), 0);
	assert_string_equal(xlsx_cell(&s, 1, 1), "空直播");
	assert_string_equal(xlsx_cell(&s, 7, 1), ""); /* started_at null */
	assert_string_equal(xlsx_cell(&s, 15, 0), "热点问题");
	assert_string_equal(xlsx_cell(&s, 15, 1), "0"); /* counted, no counts object */
	xlsx_sheet_free(&s);
	char *c1 = zip_member(data, len, "xl/charts/chart1.xml");
	assert_null(c1);
	free(data);
	json_decref(r);
}

static void test_xlsx_huge_and_wrong_types(void **state)
{
	(void)state;
	json_t *r = report_huge();
	void *data = NULL;
	size_t len = 0;
	assert_int_equal(live_render_xlsx(r, &data, &len), 0);
	char *ss = zip_member(data, len, "xl/sharedStrings.xml");
	assert_non_null(strstr(ss, "第300个热点问题"));
	free(ss);
	char *sheet2 = zip_member(data, len, "xl/worksheets/sheet2.xml");
	assert_non_null(strstr(sheet2, "<dimension ref=\"A1:G301\"/>"));
	free(sheet2);
	free(data);
	json_decref(r);

	r = report_wrong_types();
	assert_int_equal(live_render_xlsx(r, &data, &len), 0);
	assert_memory_equal(data, "PK", 2);
	free(data);
	json_decref(r);

	json_t *arr = json_array();
	data = (void *)1;
	assert_int_equal(live_render_xlsx(arr, &data, &len), -1);
	assert_null(data);
	assert_int_equal(len, 0);
	assert_int_equal(live_render_xlsx(NULL, &data, &len), -1);
	json_decref(arr);
}

/* The PDF's text by pdftotext with all white space removed (lines wrap anywhere in
 * Chinese), and its page count; NULL when pdftotext is not installed. */
static char *pdf_text(const void *data, size_t len, int *pages)
{
	*pages = 0;
	if (access("/usr/bin/pdftotext", X_OK) != 0)
		return NULL;
	char path[] = "/tmp/tala-test-pdf-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "/usr/bin/pdftotext -enc UTF-8 %s - 2>/dev/null", path);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	size_t cap = 1 << 16, n = 0;
	char *out = malloc(cap);
	assert_non_null(out);
	int c;
	while ((c = fgetc(f)) != EOF) {
		if (c == '\f')
			(*pages)++;
		if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f')
			continue;
		if (n + 1 >= cap) {
			cap *= 2;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		out[n++] = (char)c;
	}
	out[n] = '\0';
	assert_int_equal(pclose(f), 0);
	unlink(path);
	return out;
}

static void check_pdf_shape(const void *data, size_t len)
{
	assert_true(len > 1000);
	assert_memory_equal(data, "%PDF-", 5);
	/* a complete file: the trailer's end marker within the last bytes */
	const char *tail = (const char *)data + len - 16;
	assert_non_null(memmem(tail, 16, "%%EOF", 5));
}

static void test_pdf_sample_reads_as_text(void **state)
{
	(void)state;
	json_t *r = report_sample();
	void *data = NULL;
	size_t len = 0;
	assert_int_equal(live_render_pdf(r, &data, &len), 0);
	check_pdf_shape(data, len);
	keep("sample.pdf", data, len);
	int pages;
	char *text = pdf_text(data, len, &pages);
	if (text) {
		assert_non_null(strstr(text, TITLE));
		assert_non_null(strstr(text, "城乡居民医保今年的缴费标准是多少，在哪里可以交？"));
		assert_non_null(strstr(text, "2026-05-1209:30–10:15（北京时间，45分钟）"));
		assert_non_null(strstr(text, "抖音"));
		assert_non_null(strstr(text, "已答复"));
		assert_non_null(strstr(text, "暂缓"));
		assert_non_null(strstr(text, "1,840")); /* peak viewers */
		assert_non_null(strstr(text, "牧民巴特尔"));
		assert_non_null(strstr(text, "社保卡"));
		assert_non_null(strstr(text, "第1页/共"));
		assert_true(pages >= 1 && pages <= 3);
		free(text);
	}
	free(data);
	json_decref(r);
}

static void test_pdf_empty_report_is_one_page(void **state)
{
	(void)state;
	json_t *r = report_empty();
	void *data = NULL;
	size_t len = 0;
	assert_int_equal(live_render_pdf(r, &data, &len), 0);
	check_pdf_shape(data, len);
	keep("empty.pdf", data, len);
	int pages;
	char *text = pdf_text(data, len, &pages);
	if (text) {
		assert_int_equal(pages, 1);
		assert_non_null(strstr(text, "空直播"));
		assert_non_null(strstr(text, "2026-05-1209:30（计划，北京时间）"));
		assert_non_null(strstr(text, "本场直播没有逐分钟的互动记录"));
		assert_non_null(strstr(text, "本场直播没有归集出热点问题"));
		assert_non_null(strstr(text, "第1页/共1页"));
		free(text);
	}
	free(data);
	json_decref(r);
}

static void test_pdf_huge_report_runs_over_pages(void **state)
{
	(void)state;
	json_t *r = report_huge();
	void *data = NULL;
	size_t len = 0;
	assert_int_equal(live_render_pdf(r, &data, &len), 0);
	check_pdf_shape(data, len);
	keep("huge.pdf", data, len);
	int pages;
	char *text = pdf_text(data, len, &pages);
	if (text) {
		assert_true(pages > 20);
		assert_non_null(strstr(text, "第1个热点问题"));
		assert_non_null(strstr(text, "第300个热点问题"));
		assert_non_null(strstr(text, "热点问题（续）"));
		char last[64];
		snprintf(last, sizeof(last), "第%d页/共%d页", pages, pages);
		assert_non_null(strstr(text, last));
		free(text);
	}
	free(data);
	json_decref(r);
}

static void test_pdf_wrong_types_and_bad_input(void **state)
{
	(void)state;
	json_t *r = report_wrong_types();
	void *data = NULL;
	size_t len = 0;
	assert_int_equal(live_render_pdf(r, &data, &len), 0);
	check_pdf_shape(data, len);
	keep("wrong.pdf", data, len);
	free(data);
	json_decref(r);
	r = json_object();
	assert_int_equal(live_render_pdf(r, &data, &len), 0);
	check_pdf_shape(data, len);
	free(data);
	json_decref(r);
	r = json_string("report");
	data = (void *)1;
	assert_int_equal(live_render_pdf(r, &data, &len), -1);
	assert_null(data);
	assert_int_equal(len, 0);
	assert_int_equal(live_render_pdf(NULL, &data, &len), -1);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xlsx_sample_has_every_sheet),
		cmocka_unit_test(test_xlsx_empty_report_has_no_chart),
		cmocka_unit_test(test_xlsx_huge_and_wrong_types),
		cmocka_unit_test(test_pdf_sample_reads_as_text),
		cmocka_unit_test(test_pdf_empty_report_is_one_page),
		cmocka_unit_test(test_pdf_huge_report_runs_over_pages),
		cmocka_unit_test(test_pdf_wrong_types_and_bad_input),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	/* Pango, cairo and fontconfig keep their font caches for the life of the process; let
	 * them go so that LeakSanitizer sees only what the renderers leave behind. */
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	FcFini();
	return failed;
}
