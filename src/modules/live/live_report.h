/* live_report.h — after a livestream (直播): the stream's report (viewers, interactions per
 * minute, hot questions, suggestions, keywords), the year's figures across streams with the
 * topics proposed for the next stream, and the HTTP handlers for both. The 直播—反馈—优化
 * loop of docs/live.md: everything here is computed from the database tables alone. */
#ifndef TALA_LIVE_REPORT_H
#define TALA_LIVE_REPORT_H

#include <jansson.h>
#include <stdint.h>

struct db_conn;
struct http_req;

/* A hot question (热点问题) in the report and the year's figures: a hot-question cluster,
 * not merged away, with at least this many visible questions. */
enum { LIVE_HOT_MIN_QUESTIONS = 2 };

/* Limits that keep a report bounded whatever the stream's size. */
enum {
	LIVE_REPORT_HOT_MAX = 100,          /* hot questions listed (all are counted) */
	LIVE_REPORT_SUGGESTIONS_MAX = 200,  /* suggestions listed (all are counted) */
	LIVE_REPORT_KEYWORDS = 20,          /* keywords listed */
	LIVE_REPORT_KEYWORD_TEXTS = 50000,  /* newest visible questions the keywords look at */
	LIVE_REPORT_DENSE_MINUTES = 2880,   /* per-minute rows filled with zeros up to 48 h */
};

/* The report object of docs/live.md for stream_id, built inside the caller's (read)
 * transaction. Returns a new reference, or NULL when the stream does not exist or the
 * database failed (*rc, when not NULL, gets DB_DONE or the db error). */
json_t *live_report_build(struct db_conn *c, int64_t stream_id);
json_t *live_report_build_rc(struct db_conn *c, int64_t stream_id, int *rc);

/* The year's figures across the streams started in year (China time) on nodes under
 * node_path (a materialised path, "/1/5/"). Returns a new reference or NULL (*rc). */
json_t *live_summary_build(struct db_conn *c, const char *node_path, int year, int *rc);

/* GET /api/v1/streams/{id}/report, /report.xlsx, /report.pdf */
int live_report_api_get(struct http_req *r);
int live_report_api_xlsx(struct http_req *r);
int live_report_api_pdf(struct http_req *r);
/* GET /api/v1/live/summary?year=&node= */
int live_report_api_summary(struct http_req *r);

#endif
