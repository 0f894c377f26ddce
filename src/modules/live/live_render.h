/* live_render.h — the live Q&A stream report (docs/live.md, "Report") as downloads: an XLSX
 * workbook and a printable A4 PDF. Both read the report object defensively: a missing field
 * or one of another JSON type is left blank, never trusted. */
#ifndef TALA_LIVE_RENDER_H
#define TALA_LIVE_RENDER_H

#include <jansson.h>
#include <stddef.h>

/* The report as a workbook with the sheets 概况 (overview), 热点问题 (hot questions),
 * 每分钟互动 (per-minute interaction, with charts), 群众建议 (suggestions) and 关键词
 * (keywords). Returns 0 with *out a malloc'd buffer of *len bytes the caller frees, or -1
 * (*out NULL, *len 0) when report is not an object or the workbook cannot be written. */
int live_render_xlsx(json_t *report, void **out, size_t *len);

/* The report as an A4 portrait PDF, text in Noto Sans CJK SC: title block, key figures, the
 * per-minute chart, the hot questions table (over as many pages as needed), suggestions and
 * keywords; times in China Standard Time. Returns 0 with *out a malloc'd buffer of *len
 * bytes the caller frees, or -1 (*out NULL, *len 0) when report is not an object or cairo
 * fails. */
int live_render_pdf(json_t *report, void **out, size_t *len);

#endif
