/* requests_public_api.c — the resident's side, without an account: the categories, placing
 * an order from the phone page, following it by ticket, rating it, cancelling it. */
#include "modules/requests/requests_api.h"

#include "core/clock.h"
#include "core/mem.h"
#include "http/ratelimit.h"
#include "modules/requests/requests_api_common.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

int requests_public_create(struct db_conn *c, struct requests_ctx *q, const void *fields);
int requests_public_fields(struct http_req *r, void **fields, const char **node);
int requests_photos_json(struct db_conn *c, int64_t order_id, json_t *items);

static int public_limit(struct http_req *r, const char *cls, double per_minute)
{
	if (ratelimit_take(cls, r->ip, per_minute, per_minute, clock_now_ms()))
		return 0;
	http_reply_problem(r, "rate.limited", NULL, NULL);
	return -1;
}

static int categories_tx(struct db_conn *c, void *ctx)
{
	struct requests_ctx *q = ctx;
	json_t *items = json_array();
	q->out = json_pack("{s:o}", "items", items);
	return requests_store_categories_json(c, items);
}

int requests_api_public_categories(struct http_req *r)
{
	struct requests_ctx q = {.r = r, .action = "order.categories"};
	return requests_run(&q, categories_tx, false);
}

/* The public view of an order: no names or phone numbers, events without details. */
static int public_view(struct db_conn *c, struct requests_ctx *q, int64_t id)
{
	json_t *full = NULL;
	int rc = requests_store_order_json(c, id, false, &full);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	json_t *vol = json_object_get(full, "volunteer");
	q->out = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:o}", "ticket",
			   json_object_get(full, "ticket"), "status",
			   json_object_get(full, "status"), "category",
			   json_object_get(full, "category"), "node", json_object_get(full, "node"),
			   "urgency", json_object_get(full, "urgency"), "created_at",
			   json_object_get(full, "created_at"), "due_at",
			   json_object_get(full, "due_at"), "done_at",
			   json_object_get(full, "done_at"), "rating",
			   json_object_get(full, "rating"), "overdue",
			   json_object_get(full, "overdue"), "volunteer",
			   json_is_object(vol) ? json_pack("{s:O}", "name", json_object_get(vol, "name"))
					       : json_null());
	json_decref(full);
	json_t *events = json_array(), *photos = json_array();
	json_object_set_new(q->out, "events", events);
	json_object_set_new(q->out, "photos", photos);
	rc = requests_photos_json(c, id, photos);
	if (rc < 0)
		return rc;
	return requests_store_events_json(c, id, false, events);
}

struct public_create {
	struct requests_ctx q;
	void *fields;
};

static int public_create_tx(struct db_conn *c, void *ctx)
{
	struct public_create *p = ctx;
	int rc = requests_public_create(c, &p->q, p->fields);
	if (rc < 0)
		return rc;
	rc = public_view(c, &p->q, p->q.id);
	if (rc < 0)
		return rc;
	/* the id too: the staff console and Open311 speak of orders by id */
	json_object_set_new(p->q.out, "id", json_integer(p->q.id));
	return 0;
}

int requests_api_public_order_create(struct http_req *r)
{
	/* Generous enough for a village hall's shared address, too few for a script. */
	if (public_limit(r, "order", 20) < 0)
		return HTTP_DONE;
	struct public_create p = {.q = {.r = r, .action = "order.create"}};
	if (requests_public_fields(r, &p.fields, &p.q.ref) < 0)
		return HTTP_DONE;
	int rc = db_tx_run(r->db, public_create_tx, &p);
	if (rc == REQ_BAD_STATE - 1000)
		return http_reply_problem(r, "request.bad_field", "node: a village or group", "node");
	if (rc < 0)
		return requests_reply_error(&p.q, rc);
	return http_reply_json(r, 201, p.q.out);
}

static int ticket_load(struct db_conn *c, struct requests_ctx *q)
{
	int rc = requests_store_order_by_ticket(c, q->r->arena, q->ref, &q->order);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : REQ_NOT_FOUND;
}

static int public_get_tx(struct db_conn *c, void *ctx)
{
	struct requests_ctx *q = ctx;
	int rc = ticket_load(c, q);
	if (rc < 0)
		return rc;
	return public_view(c, q, q->order->id);
}

static bool ticket_valid(const char *t)
{
	return strlen(t) == 10 && strspn(t, "23456789ABCDEFGHJKLMNPQRSTUVWXYZ") == 10;
}

int requests_api_public_order_get(struct http_req *r)
{
	if (public_limit(r, "ticket", 120) < 0)
		return HTTP_DONE;
	struct requests_ctx q = {.r = r, .action = "order.track", .ref = r->params[0]};
	if (!ticket_valid(q.ref))
		return http_reply_problem(r, "request.bad_id", "a 10-character ticket code", NULL);
	return requests_run(&q, public_get_tx, false);
}

static int public_rate_tx(struct db_conn *c, void *ctx)
{
	struct requests_ctx *q = ctx;
	int rc = ticket_load(c, q);
	if (rc < 0)
		return rc;
	struct requests_order *o = q->order;
	q->node_id = o->node_id;
	if ((strcmp(o->status, "done") != 0 && strcmp(o->status, "closed") != 0) || o->rated ||
	    !o->volunteer_id)
		return REQ_BAD_STATE;
	rc = requests_store_order_set(c, o->id, "rating", q->rating);
	if (rc >= 0)
		rc = requests_store_rate_volunteer(c, o->volunteer_id, (int)q->rating);
	if (rc >= 0)
		rc = requests_store_event(c, o->id, "rated", 0, o->volunteer_id,
					  arena_printf(q->r->arena, "%lld/5 %s", (long long)q->rating,
						       q->note),
					  clock_now_ms());
	if (rc >= 0)
		rc = requests_audit(c, q, arena_printf(q->r->arena, "order:%lld", (long long)o->id),
				    "rated by the resident");
	if (rc < 0)
		return rc;
	return public_view(c, q, o->id);
}

int requests_api_public_order_rate(struct http_req *r)
{
	if (public_limit(r, "ticket", 120) < 0)
		return HTTP_DONE;
	struct requests_ctx q = {.r = r, .action = "order.rate", .ref = r->params[0], .note = ""};
	if (!ticket_valid(q.ref))
		return http_reply_problem(r, "request.bad_id", "a 10-character ticket code", NULL);
	struct json_field spec[] = {
		{"rating", JF_INT, true, 0, &q.rating, NULL},
		{"comment", JF_STRING, false, 300, &q.note, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (q.rating < 1 || q.rating > 5)
		return http_reply_problem(r, "request.bad_field", "rating: 1 to 5", "rating");
	return requests_run(&q, public_rate_tx, true);
}

static int public_cancel_tx(struct db_conn *c, void *ctx)
{
	struct requests_ctx *q = ctx;
	int rc = ticket_load(c, q);
	if (rc < 0)
		return rc;
	struct requests_order *o = q->order;
	q->node_id = o->node_id;
	if (strcmp(o->status, "new") != 0 && strcmp(o->status, "offered") != 0 &&
	    strcmp(o->status, "accepted") != 0)
		return REQ_BAD_STATE;
	int64_t offer = 0, vol = 0, by = 0;
	rc = requests_store_open_offer(c, o->id, &offer, &vol, &by);
	if (rc == DB_ROW)
		rc = requests_store_offer_close(c, offer, "withdrawn", clock_now_ms());
	if (rc >= 0)
		rc = requests_store_order_status(c, o->id, "cancelled", -1);
	if (rc >= 0)
		rc = requests_store_event(c, o->id, "cancelled", 0, 0, "by the resident",
					  clock_now_ms());
	if (rc >= 0)
		rc = requests_audit(c, q, arena_printf(q->r->arena, "order:%lld", (long long)o->id),
				    "cancelled by the resident");
	if (rc < 0)
		return rc;
	return public_view(c, q, o->id);
}

int requests_api_public_order_cancel(struct http_req *r)
{
	if (public_limit(r, "ticket", 120) < 0)
		return HTTP_DONE;
	struct requests_ctx q = {.r = r, .action = "order.cancel", .ref = r->params[0]};
	if (!ticket_valid(q.ref))
		return http_reply_problem(r, "request.bad_id", "a 10-character ticket code", NULL);
	return requests_run(&q, public_cancel_tx, true);
}
