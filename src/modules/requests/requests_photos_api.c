/* requests_photos_api.c — photos on orders: the resident's when ordering, the volunteer's
 * while working and at completion. The image is the request body (JPEG, PNG or WebP, by its
 * first bytes, within the body limit), stored base64 beside the order. */
#include "modules/requests/requests_api.h"

#include "auth/auth.h"
#include "core/clock.h"
#include "core/mem.h"
#include "http/ratelimit.h"
#include "modules/requests/requests_api_common.h"
#include "store/db.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum { PHOTOS_PER_ORDER = 12, PHOTOS_PUBLIC = 3 };

static const char SQL_INSERT[] =
	"INSERT INTO order_photos (order_id, stage, content_type, bytes, data, user_id, created_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_COUNT[] =
	"SELECT COUNT(*) FROM order_photos WHERE order_id = ? AND (CAST(? AS TEXT) IS NULL OR "
	"stage = ?)";
static const char SQL_GET[] =
	"SELECT content_type, data FROM order_photos WHERE id = ? AND order_id = ?";
static const char SQL_LIST[] =
	"SELECT id, stage, content_type, bytes, created_at FROM order_photos WHERE order_id = ? "
	"ORDER BY id";

/* The image type of a body by its magic bytes, or NULL. */
static const char *photo_type(const unsigned char *b, size_t n)
{
	if (n > 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
		return "image/jpeg";
	if (n > 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n > 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
		return "image/webp";
	return NULL;
}

int requests_photos_json(struct db_conn *c, int64_t order_id, json_t *items);
int requests_photos_json(struct db_conn *c, int64_t order_id, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_LIST);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, order_id);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:I, s:I}", "id",
						       (json_int_t)db_col_int(s, 0), "stage",
						       db_col_text(s, 1), "content_type",
						       db_col_text(s, 2), "bytes",
						       (json_int_t)db_col_int(s, 3), "created_at",
						       (json_int_t)db_col_int(s, 4)));
	return rc < 0 ? rc : 0;
}

struct photo_ctx {
	struct requests_ctx q;
	const char *stage, *type;
	bool public_;
	int64_t photo;
};

static int photo_add(struct db_conn *c, struct photo_ctx *p)
{
	struct requests_ctx *q = &p->q;
	int64_t n = 0;
	int rc = db_query_int(c, &n, SQL_COUNT, "itt", q->order->id, p->public_ ? "order" : NULL,
			      p->public_ ? "order" : NULL);
	if (rc < 0)
		return rc;
	if (n >= (p->public_ ? PHOTOS_PUBLIC : PHOTOS_PER_ORDER))
		return REQ_BAD_STATE;
	size_t b64len = sodium_base64_encoded_len(q->r->body_len, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = xmalloc(b64len);
	sodium_bin2base64(b64, b64len, (const unsigned char *)q->r->body, q->r->body_len,
			  sodium_base64_VARIANT_ORIGINAL);
	struct db_stmt *s = db_prepare(c, SQL_INSERT);
	if (!s) {
		free(b64);
		return DB_HARD_ERROR;
	}
	db_bind_int(s, 1, q->order->id);
	db_bind_text(s, 2, p->stage);
	db_bind_text(s, 3, p->type);
	db_bind_int(s, 4, (int64_t)q->r->body_len);
	db_bind_text(s, 5, b64);
	if (q->r->user)
		db_bind_int(s, 6, q->r->user->id);
	else
		db_bind_null(s, 6);
	db_bind_int(s, 7, clock_now_ms());
	rc = db_step(s);
	free(b64);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	int64_t id = db_col_int(s, 0);
	rc = requests_store_event(c, q->order->id, "photo", q->r->user ? q->r->user->id : 0, 0,
				  p->stage, clock_now_ms());
	if (rc >= 0)
		rc = requests_audit(c, q, arena_printf(q->r->arena, "order:%lld", (long long)q->order->id),
				    arena_printf(q->r->arena, "photo %lld (%s, %zu bytes)",
						 (long long)id, p->stage, q->r->body_len));
	if (rc < 0)
		return rc;
	q->status = 201;
	q->out = json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)id, "stage", p->stage,
			   "content_type", p->type, "bytes", (json_int_t)q->r->body_len);
	return 0;
}

/* May the signed-in user touch this order's photos? Staff of its area, or its volunteer. */
static int photo_staff_or_volunteer(struct db_conn *c, struct requests_ctx *q)
{
	int rc = requests_store_order(c, q->r->arena, q->id, &q->order);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return REQ_NOT_FOUND;
	q->node_id = q->order->node_id;
	if (auth_can(q->r->user, ROLES_PEOPLE, q->order->node_path) ||
	    auth_can(q->r->user, ROLES_PEOPLE, q->order->handler_path))
		return 0;
	struct requests_volunteer *me = NULL;
	rc = requests_store_volunteer_of_user(c, q->r->arena, q->r->user->id, &me);
	if (rc < 0)
		return rc;
	return rc == DB_ROW && me->id == q->order->volunteer_id ? 0 : REQ_FORBIDDEN;
}

static int photo_add_tx(struct db_conn *c, void *ctx)
{
	struct photo_ctx *p = ctx;
	int rc = photo_staff_or_volunteer(c, &p->q);
	if (rc < 0)
		return rc;
	return photo_add(c, p);
}

static int photo_body(struct http_req *r, struct photo_ctx *p)
{
	p->type = photo_type((const unsigned char *)r->body, r->body_len);
	if (!p->type) {
		http_reply_problem(r, "request.bad_file", "send a JPEG, PNG or WebP image as the body",
				   NULL);
		return -1;
	}
	return 0;
}

int requests_api_photo_add(struct http_req *r)
{
	struct photo_ctx p = {.q = {.r = r, .action = "order.photo"}, .stage = http_query(r, "stage")};
	if (requests_path_id(&p.q) < 0)
		return HTTP_DONE;
	if (!p.stage)
		p.stage = "progress";
	if (strcmp(p.stage, "order") != 0 && strcmp(p.stage, "progress") != 0 &&
	    strcmp(p.stage, "done") != 0)
		return http_reply_problem(r, "request.bad_query", "stage: order, progress or done",
					  "stage");
	if (photo_body(r, &p) < 0)
		return HTTP_DONE;
	return requests_run(&p.q, photo_add_tx, true);
}

static int public_photo_tx(struct db_conn *c, void *ctx)
{
	struct photo_ctx *p = ctx;
	struct requests_ctx *q = &p->q;
	int rc = requests_store_order_by_ticket(c, q->r->arena, q->ref, &q->order);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return REQ_NOT_FOUND;
	q->node_id = q->order->node_id;
	if (strcmp(q->order->status, "new") != 0 && strcmp(q->order->status, "offered") != 0)
		return REQ_BAD_STATE; /* photos of the problem go with the order */
	return photo_add(c, p);
}

int requests_api_public_photo_add(struct http_req *r)
{
	if (!ratelimit_take("photo", r->ip, 20, 20, clock_now_ms()))
		return http_reply_problem(r, "rate.limited", NULL, NULL);
	struct photo_ctx p = {.q = {.r = r, .action = "order.photo", .ref = r->params[0]},
			      .stage = "order", .public_ = true};
	if (strlen(p.q.ref) != 10)
		return http_reply_problem(r, "request.bad_id", "a 10-character ticket code", NULL);
	if (photo_body(r, &p) < 0)
		return HTTP_DONE;
	return requests_run(&p.q, public_photo_tx, true);
}

static int photo_get_tx(struct db_conn *c, void *ctx)
{
	struct photo_ctx *p = ctx;
	struct requests_ctx *q = &p->q;
	int rc;
	if (p->public_) {
		rc = requests_store_order_by_ticket(c, q->r->arena, q->ref, &q->order);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW)
			return REQ_NOT_FOUND;
	} else {
		rc = photo_staff_or_volunteer(c, q);
		if (rc < 0)
			return rc;
	}
	struct db_stmt *s = db_prepare(c, SQL_GET);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, p->photo);
	db_bind_int(s, 2, q->order->id);
	rc = db_step(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return REQ_NOT_FOUND;
	p->type = arena_strdup(q->r->arena, db_col_text(s, 0));
	q->text = arena_strdup(q->r->arena, db_col_text(s, 1));
	return 0;
}

static int photo_get_reply(struct http_req *r, struct photo_ctx *p)
{
	int rc = db_read_run(r->db, photo_get_tx, p);
	if (rc < 0)
		return requests_reply_error(&p->q, rc);
	size_t max = strlen(p->q.text), len = 0;
	unsigned char *bin = xmalloc(max + 1);
	if (sodium_base642bin(bin, max, p->q.text, max, NULL, &len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(bin);
		return http_reply_problem(r, "internal", "a stored photo is damaged", NULL);
	}
	return http_reply_bytes(r, 200, p->type, bin, len);
}

int requests_api_photo_get(struct http_req *r)
{
	struct photo_ctx p = {.q = {.r = r, .action = "order.photo.read"}};
	if (requests_path_id(&p.q) < 0)
		return HTTP_DONE;
	if (http_parse_id(r->params[1], &p.photo) < 0)
		return http_reply_problem(r, "request.bad_id", r->params[1], NULL);
	return photo_get_reply(r, &p);
}

int requests_api_public_photo_get(struct http_req *r)
{
	if (!ratelimit_take("ticket", r->ip, 120, 120, clock_now_ms()))
		return http_reply_problem(r, "rate.limited", NULL, NULL);
	struct photo_ctx p = {.q = {.r = r, .action = "order.photo.read", .ref = r->params[0]},
			      .public_ = true};
	if (strlen(p.q.ref) != 10)
		return http_reply_problem(r, "request.bad_id", "a 10-character ticket code", NULL);
	if (http_parse_id(r->params[1], &p.photo) < 0)
		return http_reply_problem(r, "request.bad_id", r->params[1], NULL);
	return photo_get_reply(r, &p);
}
