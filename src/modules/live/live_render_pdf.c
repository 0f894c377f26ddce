/* live_render_pdf.c — the stream report as an A4 PDF: cairo's PDF surface into memory, text
 * laid out by Pango in Noto Sans CJK SC. The document is drawn twice, the first time only to
 * count the pages for the "第 N 页 / 共 M 页" footer. */
#include "modules/live/live_render.h"

#include "core/mem.h"
#include "modules/live/live_render_internal.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A4 portrait in points, and the margins */
#define PDF_W 595.276
#define PDF_H 841.89
#define PDF_ML 56.0
#define PDF_MT 54.0
#define PDF_MB 62.0
#define PDF_CW (PDF_W - 2 * PDF_ML)
#define PDF_BOTTOM (PDF_H - PDF_MB)

#define PDF_FONT "Noto Sans CJK SC,Sans"

enum {
	PDF_MAX_HOT = 1000,         /* rows of the hot table; the XLSX has them all */
	PDF_MAX_SUGGESTIONS = 1000,
	PDF_MAX_KEYWORDS = 60,
	PDF_MAX_BARS = 180,         /* longer series are summed into buckets of minutes */
	PDF_CELL_LINES = 36,        /* a table cell is cut with "…" after this many lines */
};

/* colours, 0xRRGGBB */
enum {
	C_TEXT = 0x1F2933,
	C_MUTED = 0x616E7C,
	C_RULE = 0xA61B1B, /* the red rule of an official document */
	C_GRID = 0xD5DBE1,
	C_HEAD_BG = 0xE8F3EE,
	C_ZEBRA = 0xF6F8FA,
	C_BOX_BG = 0xF3F5F7,
	C_QUESTIONS = 0x2F6DB5,
	C_SUGGESTIONS = 0xE39B2D,
	C_SMALLTALK = 0xA9B4BF,
	C_VIEWERS = 0xB83227,
	C_ANSWERED = 0x1E7A4C,
	C_OPEN = 0xB83227,
	C_DEFERRED = 0x9A6B00,
};

struct pdf {
	cairo_t *cr;
	PangoLayout *layout;
	PangoFontDescription *font;
	double y;       /* where the next block starts */
	int page;       /* 1-based */
	int pages;      /* from the first pass; 0 during it */
	char *footer;   /* the stream title, short */
};

/* The output: in the counting pass no data is kept and only m.len grows. */
struct pdf_buf {
	struct membuf m;
	bool count;
};

static cairo_status_t pdf_write(void *closure, const unsigned char *data, unsigned int length)
{
	struct pdf_buf *b = closure;
	if (b->count)
		b->m.len += length;
	else
		membuf_append(&b->m, data, length);
	return CAIRO_STATUS_SUCCESS;
}

static void pdf_rgb(cairo_t *cr, uint32_t c)
{
	cairo_set_source_rgb(cr, ((c >> 16) & 0xff) / 255.0, ((c >> 8) & 0xff) / 255.0,
			     (c & 0xff) / 255.0);
}

/* A copy of s for one block of text: clipped to LIVE_RENDER_TEXT_MAX, control characters
 * (line breaks too) turned into spaces so that a cell's line limit holds. The caller frees. */
static char *pdf_clean(const char *s)
{
	char *c = live_render_clip(s, LIVE_RENDER_TEXT_MAX);
	for (char *p = c; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return c;
}

/* Lays text out in p->layout: width w points (0: one unwrapped line), size points, cut with
 * "…" after max_lines lines (0: no limit). */
static void pdf_layout(struct pdf *p, const char *text, double w, double size, bool bold,
		       int max_lines, PangoAlignment align)
{
	pango_font_description_set_absolute_size(p->font, size * PANGO_SCALE);
	pango_font_description_set_weight(p->font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(p->layout, p->font);
	pango_layout_set_width(p->layout, w > 0 ? (int)(w * PANGO_SCALE) : -1);
	pango_layout_set_wrap(p->layout, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_ellipsize(p->layout,
				   max_lines > 0 ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
	pango_layout_set_height(p->layout, max_lines > 0 ? -max_lines : -1);
	pango_layout_set_alignment(p->layout, align);
	pango_layout_set_text(p->layout, text ? text : "", -1);
}

static double pdf_height(struct pdf *p)
{
	int w, h;
	pango_layout_get_size(p->layout, &w, &h);
	return h / (double)PANGO_SCALE;
}

static double pdf_width(struct pdf *p)
{
	int w, h;
	pango_layout_get_size(p->layout, &w, &h);
	return w / (double)PANGO_SCALE;
}

static void pdf_show(struct pdf *p, double x, double y, uint32_t color)
{
	pdf_rgb(p->cr, color);
	cairo_move_to(p->cr, x, y);
	pango_cairo_show_layout(p->cr, p->layout);
}

/* One block of text at (x, p->y) and width w; returns its height. */
static double pdf_para(struct pdf *p, double x, double w, const char *text, double size, bool bold,
		       uint32_t color, int max_lines)
{
	pdf_layout(p, text, w, size, bold, max_lines, PANGO_ALIGN_LEFT);
	double h = pdf_height(p);
	pdf_show(p, x, p->y, color);
	return h;
}

static void pdf_hline(struct pdf *p, double x0, double x1, double y, double width, uint32_t color)
{
	pdf_rgb(p->cr, color);
	cairo_set_line_width(p->cr, width);
	cairo_move_to(p->cr, x0, y);
	cairo_line_to(p->cr, x1, y);
	cairo_stroke(p->cr);
}

static void pdf_fill(struct pdf *p, double x, double y, double w, double h, uint32_t color)
{
	pdf_rgb(p->cr, color);
	cairo_rectangle(p->cr, x, y, w, h);
	cairo_fill(p->cr);
}

static void pdf_footer(struct pdf *p)
{
	double y = PDF_H - PDF_MB + 22;
	pdf_hline(p, PDF_ML, PDF_W - PDF_ML, y - 6, 0.5, C_GRID);
	pdf_layout(p, p->footer, PDF_CW * 0.7, 8, false, 1, PANGO_ALIGN_LEFT);
	pdf_show(p, PDF_ML, y, C_MUTED);
	char n[64];
	if (p->pages > 0)
		snprintf(n, sizeof(n), "第 %d 页 / 共 %d 页", p->page, p->pages);
	else
		snprintf(n, sizeof(n), "第 %d 页", p->page);
	pdf_layout(p, n, PDF_CW * 0.3, 8, false, 1, PANGO_ALIGN_RIGHT);
	pdf_show(p, PDF_ML + PDF_CW * 0.7, y, C_MUTED);
}

static void pdf_break(struct pdf *p)
{
	pdf_footer(p);
	cairo_show_page(p->cr);
	p->page++;
	p->y = PDF_MT;
}

/* Starts a new page unless h more points fit on this one (or it is still empty). */
static void pdf_need(struct pdf *p, double h)
{
	if (p->y + h > PDF_BOTTOM && p->y > PDF_MT)
		pdf_break(p);
}

/* A section title with a red mark, kept with the first need points of what follows. */
static void pdf_heading(struct pdf *p, const char *title, double need)
{
	pdf_layout(p, title, PDF_CW - 10, 13, true, 1, PANGO_ALIGN_LEFT);
	double h = pdf_height(p);
	pdf_need(p, 14 + h + 8 + need);
	/* a page break has used the layout for the footer */
	pdf_layout(p, title, PDF_CW - 10, 13, true, 1, PANGO_ALIGN_LEFT);
	p->y += 14;
	pdf_fill(p, PDF_ML, p->y + h * 0.18, 3, h * 0.64, C_RULE);
	pdf_show(p, PDF_ML + 10, p->y, C_TEXT);
	p->y += h + 8;
}

/* --- title block and key figures --------------------------------------------------------- */

static void pdf_title_block(struct pdf *p, const json_t *report)
{
	json_t *stream = live_render_object(report, "stream");
	const char *node = live_render_str(live_render_object(stream, "node"), "name");
	char *short_node = live_render_clip(node, 150); /* whole characters, "" for NULL */
	char *kicker = xasprintf("%s%s政务直播问答报告", short_node, *short_node ? " · " : "");
	free(short_node);
	char *clean = pdf_clean(kicker);
	free(kicker);
	p->y += pdf_para(p, PDF_ML, PDF_CW, clean, 10, false, C_MUTED, 1) + 4;
	free(clean);
	const char *title = live_render_str(stream, "title");
	clean = pdf_clean(title && *title ? title : "（未命名直播）");
	p->y += pdf_para(p, PDF_ML, PDF_CW, clean, 20, true, C_TEXT, 3) + 8;
	free(clean);
	pdf_hline(p, PDF_ML, PDF_W - PDF_ML, p->y, 1.6, C_RULE);
	p->y += 10;

	/* label: value lines in two columns */
	char when[160], span[80];
	live_render_span(stream, span, sizeof(span));
	double s, e;
	if (span[0] && live_render_num(stream, "started_at", &s) &&
	    live_render_num(stream, "ended_at", &e) && e >= s)
		snprintf(when, sizeof(when), "%s（北京时间，%lld 分钟）", span,
			 (long long)floor((e - s) / 60000.0));
	else if (span[0])
		snprintf(when, sizeof(when), "%s（%s北京时间）", span,
			 live_render_num(stream, "started_at", &s) ? "" : "计划，");
	else
		snprintf(when, sizeof(when), "—");
	char *topics = live_render_topics(stream);
	const char *platform = live_render_platform_zh(live_render_str(stream, "platform"));
	const char *host = live_render_str(stream, "host_name");
	const struct {
		const char *label, *value;
	} rows[] = {
		{"直播时间", when},
		{"直播平台", *platform ? platform : "—"},
		{"主持人", host && *host ? host : "—"},
		{"直播话题", *topics ? topics : "—"},
	};
	/* 时间 and 话题 take the whole width; 平台 and 主持人 share a line */
	double colw = PDF_CW / 2, hmax = 0;
	for (int i = 0; i < 4; i++) {
		double x = PDF_ML + (i == 2 ? colw : 0), w = i == 1 || i == 2 ? colw : PDF_CW;
		pdf_layout(p, rows[i].label, 0, 9.5, false, 1, PANGO_ALIGN_LEFT);
		pdf_show(p, x, p->y, C_MUTED);
		clean = pdf_clean(rows[i].value);
		pdf_layout(p, clean, w - 60, 9.5, false, 2, PANGO_ALIGN_LEFT);
		free(clean);
		hmax = fmax(hmax, pdf_height(p));
		pdf_show(p, x + 56, p->y, C_TEXT);
		if (i != 1) {
			p->y += hmax + 3;
			hmax = 0;
		}
	}
	free(topics);
	p->y += 2;
}

/* "1,840", or "—" when the field is missing */
static void pdf_count(const json_t *o, const char *key, char *buf, size_t n)
{
	double v;
	if (!live_render_num(o, key, &v)) {
		snprintf(buf, n, "—");
		return;
	}
	long long x = llround(fmin(fmax(v, -1e15), 1e15));
	char digits[32];
	snprintf(digits, sizeof(digits), "%lld", x < 0 ? -x : x);
	size_t len = strlen(digits), off = 0;
	if (x < 0 && off + 1 < n)
		buf[off++] = '-';
	for (size_t i = 0; i < len && off + 2 < n; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[off++] = ',';
		buf[off++] = digits[i];
	}
	buf[off] = '\0';
}

static void pdf_figures(struct pdf *p, const json_t *report)
{
	json_t *viewers = live_render_object(report, "viewers");
	json_t *q = live_render_object(report, "questions");
	json_t *inter = live_render_object(report, "interactions");
	struct live_render_counts c;
	live_render_counts(report, &c);
	json_t *counts = json_pack("{s:I, s:I, s:I, s:I, s:I}", "hot", c.hot, "answered",
				   c.answered, "unanswered", c.unanswered, "deferred", c.deferred,
				   "suggestions", c.suggestions);
	const struct {
		const char *label;
		const json_t *o;
		const char *key;
		uint32_t color;
	} boxes[] = {
		{"观看人数峰值", viewers, "peak", C_TEXT},
		{"平均观看人数", viewers, "average", C_TEXT},
		{"提问总数", q, "total", C_TEXT},
		{"提问群众", q, "askers", C_TEXT},
		{"互动总数", inter, "total", C_TEXT},
		{"热点问题", counts, "hot", C_TEXT},
		{"已答复", counts, "answered", C_ANSWERED},
		{"未答复", counts, "unanswered", C_OPEN},
		{"暂缓答复", counts, "deferred", C_DEFERRED},
		{"群众建议", counts, "suggestions", C_TEXT},
	};
	pdf_heading(p, "一、主要数据", 120);
	double gap = 8, bw = (PDF_CW - 4 * gap) / 5, bh = 50;
	char num[40];
	for (int i = 0; i < 10; i++) {
		double x = PDF_ML + (i % 5) * (bw + gap), y = p->y + (i / 5) * (bh + gap);
		pdf_fill(p, x, y, bw, bh, C_BOX_BG);
		pdf_count(boxes[i].o, boxes[i].key, num, sizeof(num));
		pdf_layout(p, num, bw - 8, 17, true, 1, PANGO_ALIGN_CENTER);
		pdf_show(p, x + 4, y + 6, strcmp(num, "0") == 0 ? C_MUTED : boxes[i].color);
		pdf_layout(p, boxes[i].label, bw - 8, 8.5, false, 1, PANGO_ALIGN_CENTER);
		pdf_show(p, x + 4, y + 32, C_MUTED);
	}
	p->y += 2 * bh + gap + 10;

	/* the same in one sentence, as a county office writes it up */
	char a[40], b[40], t[40], line[512];
	pdf_count(q, "total", a, sizeof(a));
	pdf_count(q, "askers", b, sizeof(b));
	pdf_count(inter, "total", t, sizeof(t));
	snprintf(line, sizeof(line),
		 "本场直播共收到群众提问 %s 条，提问群众 %s 人，互动 %s 次；归集热点问题 %lld 个，"
		 "其中现场答复 %lld 个、未答复 %lld 个、暂缓答复 %lld 个；收到群众建议 %lld 条。",
		 a, b, t, c.hot, c.answered, c.unanswered, c.deferred, c.suggestions);
	p->y += pdf_para(p, PDF_ML, PDF_CW, line, 10, false, C_TEXT, 0) + 4;
	json_decref(counts);
}

/* --- per-minute chart --------------------------------------------------------------------- */

/* The smallest of 1, 2, 2.5, 5 × 10^k at or above v (v > 0). */
static double pdf_nice(double v)
{
	double e = pow(10, floor(log10(v))), f = v / e;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * e;
}

/* An axis 0..top in four steps for values up to max; whole steps when whole is set. */
static double pdf_axis_top(double max, bool whole)
{
	double step = max > 0 ? pdf_nice(max / 4) : 1;
	if (whole && step < 1)
		step = 1;
	return step * 4;
}

static void pdf_axis_label(double v, char *buf, size_t n)
{
	if (v >= 10000 && fmod(v, 1000) == 0)
		snprintf(buf, n, "%g万", v / 10000);
	else
		snprintf(buf, n, "%g", v);
}

struct pdf_bar {
	double q, s, t, viewers;
	int samples;
	char label[16];
};

static void pdf_chart(struct pdf *p, const json_t *report)
{
	json_t *rows = live_render_array(live_render_object(report, "interactions"), "per_minute");
	size_t n = json_array_size(rows);
	pdf_heading(p, "二、每分钟互动", 200);
	if (n == 0) {
		p->y += pdf_para(p, PDF_ML, PDF_CW, "本场直播没有逐分钟的互动记录。", 10, false,
				 C_MUTED, 0) + 4;
		return;
	}
	size_t per = (n + PDF_MAX_BARS - 1) / PDF_MAX_BARS, nb = (n + per - 1) / per;
	struct pdf_bar *bars = xcalloc(nb, sizeof(*bars));
	bool any_viewers = false, epoch = false;
	size_t i;
	json_t *m;
	json_array_foreach(rows, i, m)
	{
		struct pdf_bar *b = &bars[i / per];
		double v;
		if (i % per == 0) {
			live_render_minute(m, b->label, sizeof(b->label));
			epoch = epoch || strchr(b->label, ':');
		}
		if (live_render_num(m, "questions", &v) && v > 0)
			b->q += v;
		if (live_render_num(m, "suggestions", &v) && v > 0)
			b->s += v;
		if (live_render_num(m, "smalltalk", &v) && v > 0)
			b->t += v;
		if (live_render_num(m, "viewers", &v) && v >= 0) {
			b->viewers += v;
			b->samples++;
			any_viewers = true;
		}
	}
	double ymax = 0, vmax = 0;
	for (i = 0; i < nb; i++) {
		ymax = fmax(ymax, bars[i].q + bars[i].s + bars[i].t);
		if (bars[i].samples)
			vmax = fmax(vmax, bars[i].viewers / bars[i].samples);
	}
	double ytop = pdf_axis_top(ymax, true), vtop = pdf_axis_top(vmax, true);

	/* legend */
	const struct {
		const char *label;
		uint32_t color;
	} legend[] = {{"提问", C_QUESTIONS}, {"建议", C_SUGGESTIONS}, {"闲聊", C_SMALLTALK},
		      {"观看人数（右轴）", C_VIEWERS}};
	double lx = PDF_ML;
	for (int k = 0; k < (any_viewers ? 4 : 3); k++) {
		if (k == 3) {
			pdf_rgb(p->cr, C_VIEWERS);
			cairo_set_line_width(p->cr, 1.6);
			cairo_move_to(p->cr, lx, p->y + 7);
			cairo_line_to(p->cr, lx + 14, p->y + 7);
			cairo_stroke(p->cr);
		} else {
			pdf_fill(p, lx + 2, p->y + 2, 10, 10, legend[k].color);
		}
		pdf_layout(p, legend[k].label, 0, 9, false, 0, PANGO_ALIGN_LEFT);
		pdf_show(p, lx + 18, p->y - 1, C_TEXT);
		lx += 18 + pdf_width(p) + 16;
	}
	if (per > 1) {
		char note[64];
		snprintf(note, sizeof(note), "每根柱为 %zu 分钟合计", per);
		pdf_layout(p, note, 0, 8.5, false, 0, PANGO_ALIGN_LEFT);
		pdf_show(p, PDF_W - PDF_ML - pdf_width(p), p->y, C_MUTED);
	}
	p->y += 20;

	/* plot area */
	double left = PDF_ML + 34, right = PDF_W - PDF_ML - (any_viewers ? 40 : 6);
	double top = p->y + 14, height = 150, bottom = top + height, pw = right - left;
	char lab[32];
	pdf_layout(p, "条数", 0, 8, false, 0, PANGO_ALIGN_LEFT);
	pdf_show(p, left - 30, top - 14, C_MUTED);
	if (any_viewers) {
		pdf_layout(p, "人数", 0, 8, false, 0, PANGO_ALIGN_LEFT);
		pdf_show(p, right + 6, top - 14, C_VIEWERS);
	}
	for (int k = 0; k <= 4; k++) {
		double y = bottom - height * k / 4;
		pdf_hline(p, left, right, y, k == 0 ? 0.8 : 0.4, k == 0 ? C_MUTED : C_GRID);
		pdf_axis_label(ytop * k / 4, lab, sizeof(lab));
		pdf_layout(p, lab, 28, 8, false, 1, PANGO_ALIGN_RIGHT);
		pdf_show(p, left - 32, y - pdf_height(p) / 2, C_MUTED);
		if (any_viewers) {
			pdf_axis_label(vtop * k / 4, lab, sizeof(lab));
			pdf_layout(p, lab, 36, 8, false, 1, PANGO_ALIGN_LEFT);
			pdf_show(p, right + 4, y - pdf_height(p) / 2, C_VIEWERS);
		}
	}
	double slot = pw / (double)nb, bw = slot > 3 ? slot * 0.72 : slot;
	for (i = 0; i < nb; i++) {
		double x = left + slot * (double)i + (slot - bw) / 2, y = bottom;
		const double vals[3] = {bars[i].q, bars[i].s, bars[i].t};
		const uint32_t cols[3] = {C_QUESTIONS, C_SUGGESTIONS, C_SMALLTALK};
		for (int k = 0; k < 3; k++) {
			double h = height * vals[k] / ytop;
			if (h <= 0)
				continue;
			pdf_fill(p, x, y - h, bw, h, cols[k]);
			y -= h;
		}
	}
	/* x labels: about ten, on whole steps */
	size_t every = (nb + 9) / 10;
	static const size_t steps[] = {1, 2, 5, 10, 15, 20, 30, 60, 120};
	for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++)
		if (steps[k] >= every) {
			every = steps[k];
			break;
		}
	for (i = 0; i < nb; i += every) {
		double cx = left + slot * ((double)i + 0.5);
		pdf_rgb(p->cr, C_MUTED);
		cairo_set_line_width(p->cr, 0.6);
		cairo_move_to(p->cr, cx, bottom);
		cairo_line_to(p->cr, cx, bottom + 3);
		cairo_stroke(p->cr);
		pdf_layout(p, bars[i].label, 40, 8, false, 1, PANGO_ALIGN_CENTER);
		pdf_show(p, cx - 20, bottom + 4, C_MUTED);
	}
	if (any_viewers) {
		pdf_rgb(p->cr, C_VIEWERS);
		cairo_set_line_width(p->cr, 1.4);
		cairo_set_line_join(p->cr, CAIRO_LINE_JOIN_ROUND);
		bool started = false;
		size_t points = 0;
		for (i = 0; i < nb; i++) {
			if (!bars[i].samples)
				continue;
			double x = left + slot * ((double)i + 0.5);
			double y = bottom - height * (bars[i].viewers / bars[i].samples) / vtop;
			if (started)
				cairo_line_to(p->cr, x, y);
			else
				cairo_move_to(p->cr, x, y);
			started = true;
			points++;
		}
		cairo_stroke(p->cr);
		/* dots where the samples are few enough to tell apart */
		if (points <= 60)
			for (i = 0; i < nb; i++) {
				if (!bars[i].samples)
					continue;
				double x = left + slot * ((double)i + 0.5);
				double y = bottom - height * (bars[i].viewers / bars[i].samples) / vtop;
				cairo_arc(p->cr, x, y, 1.8, 0, 2 * M_PI);
				cairo_fill(p->cr);
			}
	}
	pdf_layout(p, epoch ? "时间（北京时间）" : "开播后分钟", 0, 8, false, 0, PANGO_ALIGN_LEFT);
	pdf_show(p, right - pdf_width(p), bottom + 17, C_MUTED);
	p->y = bottom + 34;
	free(bars);
}

/* --- hot questions table ------------------------------------------------------------------- */

/* Each hot question is a row of rank, title, counts and status, its answer (when there is
 * one) on a line of its own below, under the title and across the counts: answers run long
 * and a narrow column would spend a page on one. */
enum { HOT_COLS = 6 };
static const struct {
	const char *title;
	double w; /* 0: what is left */
	PangoAlignment align;
} hot_cols[HOT_COLS] = {
	{"排名", 30, PANGO_ALIGN_CENTER}, {"热点问题", 0, PANGO_ALIGN_LEFT},
	{"提问", 40, PANGO_ALIGN_CENTER}, {"人数", 40, PANGO_ALIGN_CENTER},
	{"点赞", 40, PANGO_ALIGN_CENTER}, {"状态", 44, PANGO_ALIGN_CENTER},
};

static double hot_col_w(int k)
{
	if (hot_cols[k].w > 0)
		return hot_cols[k].w;
	double used = 0;
	for (int i = 0; i < HOT_COLS; i++)
		used += hot_cols[i].w;
	return PDF_CW - used;
}

#define CELL_PAD 4.0
#define ANSWER_LABEL "答复："

static double pdf_hot_header(struct pdf *p, bool draw)
{
	double h = 20, x = PDF_ML;
	if (!draw)
		return h;
	pdf_fill(p, PDF_ML, p->y, PDF_CW, h, C_HEAD_BG);
	for (int k = 0; k < HOT_COLS; k++) {
		double w = hot_col_w(k);
		pdf_layout(p, hot_cols[k].title, w - 2 * CELL_PAD, 9, true, 1, hot_cols[k].align);
		pdf_show(p, x + CELL_PAD, p->y + (h - pdf_height(p)) / 2, C_TEXT);
		x += w;
	}
	pdf_hline(p, PDF_ML, PDF_W - PDF_ML, p->y + h, 0.8, C_MUTED);
	p->y += h;
	return h;
}

static uint32_t status_color(const char *status)
{
	if (!status)
		return C_TEXT;
	if (strcmp(status, "answered") == 0)
		return C_ANSWERED;
	if (strcmp(status, "open") == 0)
		return C_OPEN;
	if (strcmp(status, "deferred") == 0)
		return C_DEFERRED;
	return C_TEXT;
}

/* Measures the row of hot question h (the i-th), and draws it at p->y when draw is set.
 * Returns its height. */
static double pdf_hot_row(struct pdf *p, const json_t *h, size_t i, bool draw)
{
	char cells[HOT_COLS][48];
	double rank;
	if (live_render_num(h, "rank", &rank))
		pdf_count(h, "rank", cells[0], sizeof(cells[0]));
	else
		snprintf(cells[0], sizeof(cells[0]), "%zu", i + 1);
	char *title = pdf_clean(live_render_str(h, "title"));
	pdf_count(h, "questions", cells[2], sizeof(cells[2]));
	pdf_count(h, "askers", cells[3], sizeof(cells[3]));
	pdf_count(h, "upvotes", cells[4], sizeof(cells[4]));
	const char *status = live_render_str(h, "status");
	char *st = live_render_clip(live_render_status_zh(status), sizeof(cells[5]) - 4);
	snprintf(cells[5], sizeof(cells[5]), "%s", st);
	free(st);
	const char *answer = live_render_str(h, "answer");
	char *atext = NULL;
	if (answer && *answer) {
		char *clean = pdf_clean(answer);
		atext = xasprintf("%s%s", ANSWER_LABEL, clean);
		free(clean);
	}
	double top = 0, ah = 0, aw = PDF_CW - hot_col_w(0) - 2 * CELL_PAD;
	for (int k = 0; k < HOT_COLS; k++) {
		pdf_layout(p, k == 1 ? title : cells[k], hot_col_w(k) - 2 * CELL_PAD, 9.5, k == 1,
			   PDF_CELL_LINES / 3, hot_cols[k].align);
		top = fmax(top, pdf_height(p));
	}
	if (atext) {
		pdf_layout(p, atext, aw, 9, false, PDF_CELL_LINES, PANGO_ALIGN_LEFT);
		ah = pdf_height(p) + 3;
	}
	double rh = top + ah + 2 * CELL_PAD;
	if (draw) {
		if (i % 2 == 1)
			pdf_fill(p, PDF_ML, p->y, PDF_CW, rh, C_ZEBRA);
		double x = PDF_ML;
		for (int k = 0; k < HOT_COLS; k++) {
			pdf_layout(p, k == 1 ? title : cells[k], hot_col_w(k) - 2 * CELL_PAD, 9.5,
				   k == 1 || k == 5, PDF_CELL_LINES / 3, hot_cols[k].align);
			pdf_show(p, x + CELL_PAD, p->y + CELL_PAD, k == 5 ? status_color(status) : C_TEXT);
			x += hot_col_w(k);
		}
		if (atext) {
			pdf_layout(p, atext, aw, 9, false, PDF_CELL_LINES, PANGO_ALIGN_LEFT);
			/* the label in the answered colour */
			PangoAttrList *attrs = pango_attr_list_new();
			PangoAttribute *a = pango_attr_foreground_new(0x1e * 257, 0x7a * 257, 0x4c * 257);
			a->start_index = 0;
			a->end_index = sizeof(ANSWER_LABEL) - 1;
			pango_attr_list_insert(attrs, a);
			pango_layout_set_attributes(p->layout, attrs);
			pango_attr_list_unref(attrs);
			pdf_show(p, PDF_ML + hot_col_w(0) + CELL_PAD, p->y + CELL_PAD + top + 3,
				 0x3E4C59);
			pango_layout_set_attributes(p->layout, NULL);
		}
		p->y += rh;
		pdf_hline(p, PDF_ML, PDF_W - PDF_ML, p->y, 0.4, C_GRID);
	}
	free(title);
	free(atext);
	return rh;
}

static const char hot_note[] = "按热度排名。提问：归入该问题的提问条数；人数：提出该问题的群众"
			       "人数；点赞：群众点赞总数。";

static void pdf_hot(struct pdf *p, const json_t *report)
{
	json_t *hot = live_render_array(report, "hot");
	size_t n = json_array_size(hot);
	char head[96];
	snprintf(head, sizeof(head), "三、热点问题（%zu 个）", n);
	if (n == 0) {
		pdf_heading(p, head, 20);
		p->y += pdf_para(p, PDF_ML, PDF_CW, "本场直播没有归集出热点问题。", 10, false,
				 C_MUTED, 0) + 4;
		return;
	}
	/* the heading, the note and the table header stay with the first row */
	pdf_layout(p, hot_note, PDF_CW, 8.5, false, 0, PANGO_ALIGN_LEFT);
	double keep = pdf_height(p) + 4 + pdf_hot_header(p, false) +
		      pdf_hot_row(p, json_array_get(hot, 0), 0, false);
	pdf_heading(p, head, keep);
	p->y += pdf_para(p, PDF_ML, PDF_CW, hot_note, 8.5, false, C_MUTED, 0) + 4;
	pdf_hot_header(p, true);
	size_t i;
	json_t *h;
	json_array_foreach(hot, i, h)
	{
		if (i >= PDF_MAX_HOT)
			break;
		double rh = pdf_hot_row(p, h, i, false);
		if (p->y + rh > PDF_BOTTOM) {
			pdf_break(p);
			pdf_layout(p, "热点问题（续）", PDF_CW, 9, false, 1, PANGO_ALIGN_LEFT);
			pdf_show(p, PDF_ML, p->y, C_MUTED);
			p->y += pdf_height(p) + 4;
			pdf_hot_header(p, true);
		}
		pdf_hot_row(p, h, i, true);
	}
	if (n > PDF_MAX_HOT) {
		char more[128];
		snprintf(more, sizeof(more), "另有 %zu 个热点问题未列出，见 XLSX 报表。",
			 n - PDF_MAX_HOT);
		p->y += 4;
		p->y += pdf_para(p, PDF_ML, PDF_CW, more, 9, false, C_MUTED, 0);
	}
	p->y += 6;
}

/* --- suggestions and keywords ---------------------------------------------------------- */

static void pdf_suggestions(struct pdf *p, const json_t *report)
{
	json_t *list = live_render_array(report, "suggestions");
	size_t n = json_array_size(list);
	char head[96];
	snprintf(head, sizeof(head), "四、群众建议（%zu 条）", n);
	pdf_heading(p, head, 40);
	if (n == 0) {
		p->y += pdf_para(p, PDF_ML, PDF_CW, "本场直播没有收到群众建议。", 10, false,
				 C_MUTED, 0) + 4;
		return;
	}
	size_t i;
	json_t *s;
	json_array_foreach(list, i, s)
	{
		if (i >= PDF_MAX_SUGGESTIONS)
			break;
		char *text = pdf_clean(live_render_str(s, "text"));
		const char *nick = live_render_str(s, "nickname");
		char when[32] = "", meta[160];
		double t;
		if (live_render_num(s, "created_at", &t))
			live_render_time(t, "%m-%d %H:%M", when, sizeof(when));
		char *nshort = live_render_clip(nick && *nick ? nick : "匿名", 90);
		char *nclean = pdf_clean(nshort);
		free(nshort);
		snprintf(meta, sizeof(meta), "%s%s%s", nclean, when[0] ? " · " : "", when);
		free(nclean);
		pdf_layout(p, text, PDF_CW - 26, 10, false, 20, PANGO_ALIGN_LEFT);
		double th = pdf_height(p);
		pdf_layout(p, meta, PDF_CW - 26, 8, false, 1, PANGO_ALIGN_LEFT);
		double mh = pdf_height(p);
		pdf_need(p, th + mh + 6);
		char num[24];
		snprintf(num, sizeof(num), "%zu.", i + 1);
		pdf_layout(p, num, 22, 10, false, 1, PANGO_ALIGN_RIGHT);
		pdf_show(p, PDF_ML, p->y, C_MUTED);
		pdf_layout(p, text, PDF_CW - 26, 10, false, 20, PANGO_ALIGN_LEFT);
		pdf_show(p, PDF_ML + 26, p->y, C_TEXT);
		pdf_layout(p, meta, PDF_CW - 26, 8, false, 1, PANGO_ALIGN_LEFT);
		pdf_show(p, PDF_ML + 26, p->y + th, C_MUTED);
		p->y += th + mh + 6;
		free(text);
	}
	if (n > PDF_MAX_SUGGESTIONS) {
		char more[128];
		snprintf(more, sizeof(more), "另有 %zu 条建议未列出，见 XLSX 报表。",
			 n - PDF_MAX_SUGGESTIONS);
		p->y += pdf_para(p, PDF_ML, PDF_CW, more, 9, false, C_MUTED, 0) + 4;
	}
}

/* Keywords as chips flowing across the page, the type larger for a heavier word. */
static void pdf_keywords(struct pdf *p, const json_t *report)
{
	json_t *list = live_render_array(report, "keywords");
	pdf_heading(p, "五、关键词", 30);
	double wmax = 0, w;
	size_t i, shown = 0;
	json_t *k;
	json_array_foreach(list, i, k)
		if (live_render_str(k, "word") && live_render_num(k, "weight", &w))
			wmax = fmax(wmax, w);
	double x = PDF_ML, line_h = 0;
	json_array_foreach(list, i, k)
	{
		const char *word = live_render_str(k, "word");
		if (!word || !*word)
			continue;
		if (shown++ >= PDF_MAX_KEYWORDS)
			break;
		double size = 10;
		if (wmax > 0 && live_render_num(k, "weight", &w) && w > 0)
			size = 9 + 5 * fmin(w / wmax, 1);
		char *clean = live_render_clip(word, 120);
		for (char *c = clean; *c; c++)
			if ((unsigned char)*c < 0x20)
				*c = ' ';
		pdf_layout(p, clean, PDF_CW - 16, size, false, 1, PANGO_ALIGN_LEFT);
		double tw = pdf_width(p), th = pdf_height(p), cw = tw + 16, ch = th + 6;
		if (x + cw > PDF_W - PDF_ML && x > PDF_ML) {
			x = PDF_ML;
			p->y += line_h + 6;
			line_h = 0;
		}
		if (p->y + ch > PDF_BOTTOM) {
			pdf_break(p);
			pdf_layout(p, clean, PDF_CW - 16, size, false, 1, PANGO_ALIGN_LEFT);
			line_h = 0;
		}
		pdf_rgb(p->cr, C_BOX_BG);
		double r = 4;
		cairo_new_sub_path(p->cr);
		cairo_arc(p->cr, x + cw - r, p->y + r, r, -M_PI / 2, 0);
		cairo_arc(p->cr, x + cw - r, p->y + ch - r, r, 0, M_PI / 2);
		cairo_arc(p->cr, x + r, p->y + ch - r, r, M_PI / 2, M_PI);
		cairo_arc(p->cr, x + r, p->y + r, r, M_PI, 1.5 * M_PI);
		cairo_close_path(p->cr);
		cairo_fill(p->cr);
		pdf_show(p, x + 8, p->y + 3, size >= 12 ? C_QUESTIONS : C_TEXT);
		free(clean);
		x += cw + 6;
		line_h = fmax(line_h, ch);
	}
	if (shown == 0) {
		p->y += pdf_para(p, PDF_ML, PDF_CW, "无。", 10, false, C_MUTED, 0) + 4;
		return;
	}
	p->y += line_h + 6;
}

/* Draws the whole report on a fresh PDF surface writing to b. Returns the number of pages,
 * or -1 when cairo fails. */
static int pdf_draw(const json_t *report, struct pdf_buf *b, int pages)
{
	cairo_surface_t *s = cairo_pdf_surface_create_for_stream(pdf_write, b, PDF_W, PDF_H);
	cairo_t *cr = cairo_create(s);
	struct pdf p = {.cr = cr, .y = PDF_MT, .page = 1, .pages = pages};
	json_t *stream = live_render_object(report, "stream");
	const char *title = live_render_str(stream, "title");
	char *short_title = live_render_clip(title && *title ? title : "政务直播问答报告", 90);
	p.footer = pdf_clean(short_title);
	free(short_title);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, p.footer);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "Tala 政务直播问答");

	p.layout = pango_cairo_create_layout(cr);
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	PangoContext *ctx = pango_layout_get_context(p.layout);
	pango_cairo_context_set_font_options(ctx, fo);
	pango_layout_context_changed(p.layout);
	cairo_font_options_destroy(fo);
	p.font = pango_font_description_from_string(PDF_FONT);

	pdf_title_block(&p, report);
	pdf_figures(&p, report);
	pdf_chart(&p, report);
	pdf_hot(&p, report);
	pdf_suggestions(&p, report);
	pdf_keywords(&p, report);
	pdf_footer(&p);
	cairo_show_page(cr);

	pango_font_description_free(p.font);
	g_object_unref(p.layout);
	free(p.footer);
	cairo_status_t st = cairo_status(cr);
	cairo_destroy(cr);
	cairo_surface_finish(s);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(s);
	cairo_surface_destroy(s);
	return st == CAIRO_STATUS_SUCCESS ? p.page : -1;
}

int live_render_pdf(json_t *report, void **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (!json_is_object(report))
		return -1;
	struct pdf_buf count = {.count = true};
	int pages = pdf_draw(report, &count, 0);
	if (pages < 0)
		return -1;
	/* The second pass differs only in the footers' "/ 共 M 页", so the buffer is sized once,
	 * here, from the first: no reallocation in the common case, and no allocation of ours
	 * made from inside cairo (see tests/lsan.supp). */
	struct pdf_buf b = {.m.cap = count.m.len + count.m.len / 4 + 65536};
	b.m.data = xmalloc(b.m.cap);
	if (pdf_draw(report, &b, pages) != pages) {
		free(b.m.data);
		return -1;
	}
	*out = b.m.data;
	*len = b.m.len;
	return 0;
}
