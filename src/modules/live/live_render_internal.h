/* live_render_internal.h — what live_render.c (XLSX) and live_render_pdf.c share: typed
 * reads of the report object and its Chinese labels. */
#ifndef TALA_LIVE_RENDER_INTERNAL_H
#define TALA_LIVE_RENDER_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Longest text taken from one field; longer text is cut at a character boundary. */
enum { LIVE_RENDER_TEXT_MAX = 8000 };

/* The hot question counts: from report.counts where present, else counted from report.hot
 * and report.suggestions. */
struct live_render_counts {
	long long hot, answered, unanswered, deferred, suggestions;
};

/* o[key] if it is a string, else NULL (also when o is not an object). */
const char *live_render_str(const json_t *o, const char *key);
/* Sets *v to o[key] when it is a number and returns true; false otherwise. */
bool live_render_num(const json_t *o, const char *key, double *v);
/* o[key] as a whole number, or dflt when it is not a number. */
long long live_render_int(const json_t *o, const char *key, long long dflt);
/* o[key] if it is an array / object, else NULL. */
json_t *live_render_array(const json_t *o, const char *key);
json_t *live_render_object(const json_t *o, const char *key);

/* 已答复, 未答复 or 暂缓 for answered, open, deferred; the status itself when unknown, "" for
 * NULL. */
const char *live_render_status_zh(const char *status);
/* The platform's Chinese name for known codes (douyin → 抖音 …), else the code itself. */
const char *live_render_platform_zh(const char *platform);
/* Formats epoch milliseconds in China Standard Time (UTC+8) with strftime's fmt into buf.
 * Returns false (buf "") when ms is out of range. */
bool live_render_time(double ms, const char *fmt, char *buf, size_t n);
/* "2026-05-12 09:30 – 11:05" for the stream: started_at (else scheduled_at) to ended_at,
 * the end's date only when it differs. "" when the stream has no times. */
void live_render_span(const json_t *stream, char *buf, size_t n);
/* A label for a per-minute row's "minute": "HH:MM" when it is epoch ms, else the minute
 * number since the start. */
void live_render_minute(const json_t *row, char *buf, size_t n);
/* The topics joined by "、", malloc'd (possibly ""), the caller frees. */
char *live_render_topics(const json_t *stream);
/* A malloc'd copy of s cut to at most max bytes at a UTF-8 boundary, "…" appended when cut;
 * "" for NULL. The caller frees. */
char *live_render_clip(const char *s, size_t max);
void live_render_counts(const json_t *report, struct live_render_counts *c);

#endif
