/* live_report_api.c — the routes of the report and the year's summary: GET
 * /api/v1/streams/{id}/report (JSON, .xlsx, .pdf) and GET /api/v1/live/summary. Any staff
 * role over the stream's node reads them, as it reads the stream (LIVE_READ). */
#include "modules/live/live_report.h"

#include "auth/auth.h"
#include "core/clock.h"
#include "core/mem.h"
#include "http/http.h"
#include "modules/live/live_internal.h"
#include "modules/live/live_render.h"
#include "org/org.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

enum { REPORT_NOT_FOUND = -500, REPORT_FORBIDDEN = -501, REPORT_NO_NODE = -502 };


struct report_ctx {
	struct http_req *r;
	int64_t id, node_id;
	const char *ref;
	int year;
	json_t *out;
};

static int report_tx(struct db_conn *c, void *ctx)
{
	struct report_ctx *x = ctx;
	struct live_stream *st = NULL;
	int rc = live_store_stream_get(c, x->r->arena, x->id, &st);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return REPORT_NOT_FOUND;
	x->node_id = st->node_id;
	if (!auth_can(x->r->user, LIVE_READ, st->node_path))
		return REPORT_FORBIDDEN;
	x->out = live_report_build_rc(c, x->id, &rc);
	if (!x->out)
		return rc < 0 ? rc : REPORT_NOT_FOUND;
	return 0;
}

static int report_error(struct report_ctx *x, const char *action, int rc)
{
	switch (rc) {
	case REPORT_NOT_FOUND:
		return http_reply_problem(x->r, "live.stream_not_found", NULL, NULL);
	case REPORT_FORBIDDEN:
		return http_forbid(x->r, action, x->r->path, x->node_id);
	case REPORT_NO_NODE:
		return http_reply_problem(x->r, "org.node_not_found", x->ref, "node");
	default:
		return http_reply_db_error(x->r, rc);
	}
}

/* Parses the path id and builds the report; replies on failure and returns -1. */
static int report_load(struct http_req *r, struct report_ctx *x, const char *action)
{
	x->r = r;
	if (http_parse_id(r->params[0], &x->id) < 0) {
		http_reply_problem(r, "request.bad_id", r->params[0], NULL);
		return -1;
	}
	int rc = db_read_run(r->db, report_tx, x);
	if (rc < 0) {
		report_error(x, action, rc);
		return -1;
	}
	return 0;
}

int live_report_api_get(struct http_req *r)
{
	struct report_ctx x = {0};
	if (report_load(r, &x, "live.report") < 0)
		return HTTP_DONE;
	return http_reply_json(r, 200, x.out);
}

typedef int (*report_render_fn)(json_t *report, void **out, size_t *len);

static int report_download(struct http_req *r, report_render_fn render, const char *type,
			   const char *ext)
{
	struct report_ctx x = {0};
	if (report_load(r, &x, "live.report") < 0)
		return HTTP_DONE;
	void *data = NULL;
	size_t len = 0;
	int rc = render(x.out, &data, &len);
	json_decref(x.out);
	if (rc != 0 || !data) {
		free(data);
		return http_reply_problem(r, "internal", "cannot render the report", NULL);
	}
	char name[64];
	snprintf(name, sizeof(name), "直播报告-%lld.%s", (long long)x.id, ext);
	return http_reply_download(r, type, name, data, len);
}

int live_report_api_xlsx(struct http_req *r)
{
	return report_download(r, live_render_xlsx,
			       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			       "xlsx");
}

int live_report_api_pdf(struct http_req *r)
{
	return report_download(r, live_render_pdf, "application/pdf", "pdf");
}

/* ---- across streams ---- */

static int summary_tx(struct db_conn *c, void *ctx)
{
	struct report_ctx *x = ctx;
	struct org_node *node = NULL;
	int rc = auth_scope_node(c, x->r->arena, x->r->user, &x->ref, LIVE_READ, &node);
	if (node)
		x->node_id = node->id;
	if (rc == AUTH_SCOPE_NO_NODE)
		return REPORT_NO_NODE;
	if (rc == AUTH_SCOPE_FORBIDDEN)
		return REPORT_FORBIDDEN;
	if (rc < 0)
		return rc;
	x->out = live_summary_build(c, node->path, x->year, &rc);
	if (!x->out)
		return rc < 0 ? rc : DB_HARD_ERROR;
	json_object_set_new(x->out, "node", org_node_brief(node));
	return 0;
}

/* The calendar year of now in China time. */
static int summary_this_year(void)
{
	int64_t days = (clock_now_ms() + 8 * 3600000LL) / 86400000LL;
	/* civil_from_days (H. Hinnant), for the year only */
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	return (int)(yoe + era * 400 + (mp >= 10));
}

int live_report_api_summary(struct http_req *r)
{
	struct report_ctx x = {.r = r, .ref = http_query(r, "node")};
	int64_t year = 0;
	if (http_query_int(r, "year", summary_this_year(), 2000, 2100, &year) < 0)
		return HTTP_DONE;
	x.year = (int)year;
	if (x.ref && (!*x.ref || strlen(x.ref) > 64))
		return http_reply_problem(r, "request.bad_query", "node", "node");
	int rc = db_read_run(r->db, summary_tx, &x);
	if (rc < 0)
		return report_error(&x, "live.summary", rc);
	return http_reply_json(r, 200, x.out);
}
