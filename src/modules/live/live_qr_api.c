/* live_qr_api.c — the join QR code of a stream (its join link, docs/live.md) as SVG or PNG:
 * for staff by stream id, and public by join code (to show on a second screen). */
#include "modules/live/live_api.h"

#include "core/clock.h"
#include "core/mem.h"
#include "core/qr.h"
#include "http/ratelimit.h"
#include "modules/live/live_internal.h"
#include "store/db.h"

#include <string.h>

struct qr_ctx {
	struct live_ctx q;
	const char *code;
};

static int qr_staff_tx(struct db_conn *c, void *ctx)
{
	struct qr_ctx *x = ctx;
	return live_stream_load(c, &x->q, LIVE_READ);
}

static int qr_public_tx(struct db_conn *c, void *ctx)
{
	struct qr_ctx *x = ctx;
	int rc = live_store_stream_by_code(c, x->q.r->arena, x->code, &x->q.stream);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : LIVE_NOT_FOUND;
}

static int qr_reply(struct http_req *r, const struct live_stream *s, bool png)
{
	char url[LIVE_URL_MAX];
	live_join_url(s->join_code, url);
	if (!png) {
		char *svg = qr_svg(url);
		if (!svg)
			return http_reply_problem(r, "internal", "the QR code could not be made", NULL);
		return http_reply_bytes(r, 200, "image/svg+xml", svg, strlen(svg));
	}
	int64_t scale = 8;
	if (http_query_int(r, "scale", 8, 1, QR_SCALE_MAX, &scale) < 0)
		return HTTP_DONE;
	unsigned char *buf = NULL;
	size_t len = 0;
	if (qr_png(url, (int)scale, &buf, &len) < 0)
		return http_reply_problem(r, "internal", "the QR code could not be made", NULL);
	return http_reply_bytes(r, 200, "image/png", buf, len);
}

static int qr_staff(struct http_req *r, bool png)
{
	struct qr_ctx x = {.q = {.r = r, .action = "live.qr"}};
	if (live_param_id(r, 0, &x.q.id) < 0)
		return HTTP_DONE;
	int rc = db_read_run(r->db, qr_staff_tx, &x);
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	return qr_reply(r, x.q.stream, png);
}

static int qr_public(struct http_req *r, bool png)
{
	struct qr_ctx x = {.q = {.r = r, .action = "live.qr"}, .code = r->params[0]};
	if (!ratelimit_take("lqr", r->ip, 600, 120, clock_now_ms()))
		return http_reply_problem(r, "rate.limited", NULL, NULL);
	if (!live_join_code_valid(x.code))
		return http_reply_problem(r, "request.bad_id", "a 6-character join code", NULL);
	int rc = db_read_run(r->db, qr_public_tx, &x);
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	return qr_reply(r, x.q.stream, png);
}

int live_api_qr_svg(struct http_req *r)
{
	return qr_staff(r, false);
}

int live_api_qr_png(struct http_req *r)
{
	return qr_staff(r, true);
}

int live_api_public_qr_svg(struct http_req *r)
{
	return qr_public(r, false);
}

int live_api_public_qr_png(struct http_req *r)
{
	return qr_public(r, true);
}
