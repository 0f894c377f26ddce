/* requests_api.c — the order's life for staff and volunteers: place (on a resident's
 * behalf), suggestions, dispatch, the offer answered or timed out with fallback, escalation,
 * work, completion (hours credited), the return visit and 重办. */
#include "modules/requests/requests_api.h"

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "modules/requests/requests_api_common.h"
#include "org/org.h"
#include "people/people.h"
#include "store/db.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const unsigned REQ_STAFF = ROLES_PEOPLE;

int requests_photos_json(struct db_conn *c, int64_t order_id, json_t *items);

/* ---- shared ---- */

int requests_reply_error(struct requests_ctx *q, int rc)
{
	struct http_req *r = q->r;
	json_decref(q->out);
	q->out = NULL;
	switch (rc) {
	case REQ_NOT_FOUND:
		return http_reply_problem(r, "request_order.not_found", NULL, NULL);
	case REQ_FORBIDDEN:
		return http_forbid(r, q->action, r->path, q->node_id);
	case REQ_BAD_STATE:
		return http_reply_problem(r, "request_order.bad_state", NULL, NULL);
	case REQ_NODE_NOT_FOUND:
		return http_reply_problem(r, "org.node_not_found", q->ref, "node");
	case REQ_CATEGORY_NOT_FOUND:
		return http_reply_problem(r, "request_order.category_not_found", NULL, "category");
	case REQ_VOLUNTEER_NOT_FOUND:
		return http_reply_problem(r, "volunteer.not_found", NULL, "volunteer");
	case REQ_NOT_ELIGIBLE:
		return http_reply_problem(r, "volunteer.not_eligible", NULL, "volunteer");
	case REQ_EXISTS:
		return http_reply_problem(r, "request_order.exists", NULL, NULL);
	case REQ_NOT_VOLUNTEER:
		return http_reply_problem(r, "volunteer.no_profile", NULL, NULL);
	case REQ_NOT_FOUND - 1001:
		return http_reply_problem(r, "household.not_found", NULL, "household");
	default:
		return http_reply_db_error(r, rc);
	}
}

int requests_run(struct requests_ctx *q, int (*fn)(struct db_conn *, void *), bool write)
{
	if (!q->status)
		q->status = 200;
	int rc = write ? db_tx_run(q->r->db, fn, q) : db_read_run(q->r->db, fn, q);
	if (rc < 0)
		return requests_reply_error(q, rc);
	return http_reply_json(q->r, q->status, q->out);
}

int requests_path_id(struct requests_ctx *q)
{
	if (http_parse_id(q->r->params[0], &q->id) < 0) {
		http_reply_problem(q->r, "request.bad_id", q->r->params[0], NULL);
		return -1;
	}
	return 0;
}

int requests_audit(struct db_conn *c, struct requests_ctx *q, const char *object,
		   const char *detail)
{
	struct audit_entry e = {.action = q->action, .object = object, .node_id = q->node_id,
				.result = "ok", .detail = detail ? detail : ""};
	http_audit_actor(q->r, &e);
	if (q->actor && !q->r->user)
		e.username = q->actor;
	int64_t rc = audit_append(c, &e, clock_now_ms());
	return rc < 0 ? (int)rc : 0;
}

int requests_node(struct db_conn *c, struct requests_ctx *q, unsigned roles)
{
	int rc = auth_scope_node(c, q->r->arena, q->r->user, &q->ref, roles, &q->node);
	if (q->node)
		q->node_id = q->node->id;
	return rc == AUTH_SCOPE_NO_NODE	   ? REQ_NODE_NOT_FOUND
	       : rc == AUTH_SCOPE_FORBIDDEN ? REQ_FORBIDDEN
					    : rc;
}

void requests_ticket(char out[11])
{
	static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
	unsigned char raw[10];
	randombytes_buf(raw, sizeof(raw));
	for (int i = 0; i < 10; i++)
		out[i] = alphabet[raw[i] % 32];
	out[10] = '\0';
}

static int requests_event(struct db_conn *c, struct requests_ctx *q, int64_t order_id,
			  const char *kind, int64_t vol, const char *detail)
{
	int64_t uid = q->r && q->r->user && !q->automatic ? q->r->user->id : 0;
	return requests_store_event(c, order_id, kind, uid, vol, detail, clock_now_ms());
}

/* Night work: 22:00 to 06:00 China time. */
static bool requests_night(int64_t ms)
{
	int64_t minute = ((ms + 8 * 3600000LL) / 60000) % 1440;
	return minute >= 22 * 60 || minute < 6 * 60;
}

static void requests_today(char out[16])
{
	int d = requests_cst_day(clock_now_ms());
	snprintf(out, 16, "%04d-%02d-%02d", d / 10000 % 10000, d / 100 % 100, d % 100);
}

/* Ranked candidates of an order at its handler's level. */
static int requests_ranked(struct db_conn *c, struct requests_ctx *q, struct requests_order *o,
			   struct requests_candidate **out)
{
	int n = requests_store_candidates(c, q->r->arena, o->handler_path, o->id, out);
	if (n < 0)
		return n;
	char today[16];
	requests_today(today);
	int64_t now = clock_now_ms();
	int64_t cst_min = ((now + 8 * 3600000LL) / 60000);
	struct requests_need need = {.specialty = o->specialty, .lat = o->lat, .lon = o->lon,
				     .has_location = o->has_location,
				     .night = strcmp(o->urgency, "urgent") == 0 && requests_night(now),
				     .today = today,
				     /* 1970-01-01 was a Thursday (3 with Monday = 0) */
				     .weekday = (int)((cst_min / 1440 + 3) % 7),
				     .minute = (int)(cst_min % 1440)};
	requests_rank(*out, n, &need);
	for (int i = 0; i < n; i++) {
		/* reasons are owned by the arena from here on */
		arena_defer(q->r->arena, (arena_cleanup_fn)json_decref, (*out)[i].reasons);
	}
	return n;
}

static int requests_make_offer(struct db_conn *c, struct requests_ctx *q,
			       struct requests_order *o, const struct requests_candidate *v,
			       int rank)
{
	int64_t now = clock_now_ms();
	int64_t window = strcmp(o->urgency, "urgent") == 0 ? 15 * 60000LL : 2 * 3600000LL;
	char *reasons = json_dumps(v->reasons, JSON_COMPACT);
	int64_t offer = 0;
	int rc = requests_store_offer(c, o->id, v->id, rank, reasons, now, now + window, &offer);
	free(reasons);
	if (rc < 0)
		return rc;
	rc = requests_store_order_status(c, o->id, "offered", -1);
	if (rc < 0)
		return rc;
	o->status = "offered";
	return requests_event(c, q, o->id, "offered", v->id,
			      arena_printf(q->r->arena, "offered to %s (score %.1f)", v->name, v->score));
}

/* The nearest ancestor of node_id at level ("town" or "county"). */
static int requests_ancestor(struct db_conn *c, struct requests_ctx *q, int64_t node_id,
			     const char *level, struct org_node **out)
{
	for (int hops = 0; hops < 8; hops++) {
		char ref[24];
		snprintf(ref, sizeof(ref), "%lld", (long long)node_id);
		struct org_node *n = NULL;
		int rc = org_store_get(c, q->r->arena, ref, &n);
		if (rc != DB_ROW)
			return rc < 0 ? rc : DB_DONE;
		if (strcmp(n->level, level) == 0) {
			*out = n;
			return DB_ROW;
		}
		if (!n->parent_id)
			return DB_DONE;
		node_id = n->parent_id;
	}
	return DB_DONE;
}

static int requests_escalate_once(struct db_conn *c, struct requests_ctx *q,
				  struct requests_order *o, const char *why)
{
	const char *next = strcmp(o->level, "village") == 0 ? "town"
			   : strcmp(o->level, "town") == 0  ? "county"
							    : NULL;
	if (!next)
		return DB_DONE;
	struct org_node *h = NULL;
	int rc = requests_ancestor(c, q, o->node_id, next, &h);
	if (rc != DB_ROW)
		return rc;
	rc = requests_store_order_escalate(c, o->id, next, h->id);
	if (rc < 0)
		return rc;
	rc = requests_event(c, q, o->id, "escalated", 0,
			    arena_printf(q->r->arena, "%s → %s (%s): %s", o->level, next, h->name, why));
	if (rc < 0)
		return rc;
	o->level = next;
	o->handler_node_id = h->id;
	o->handler_path = h->path;
	o->status = "new";
	o->volunteer_id = 0;
	return DB_ROW;
}

int requests_offer_next(struct db_conn *c, struct requests_ctx *q, struct requests_order *o,
			const char *why)
{
	for (;;) {
		struct requests_candidate *cand = NULL;
		int n = requests_ranked(c, q, o, &cand);
		if (n < 0)
			return n;
		if (n > 0 && cand[0].eligible)
			return requests_make_offer(c, q, o, &cand[0], 1);
		/* Nobody here can take it: up one level, or back to the handler. */
		int rc = requests_escalate_once(c, q, o, why);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW) {
			rc = requests_store_order_status(c, o->id, "new", 0);
			if (rc < 0)
				return rc;
			o->status = "new";
			return requests_event(c, q, o->id, "returned", 0,
					      "no volunteer can take it at any level");
		}
	}
}

int requests_sweep(struct db_conn *c, struct requests_ctx *q, const char *path)
{
	int64_t ids[100];
	int n = requests_store_expired_offers(c, path, clock_now_ms(), ids, 100);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct requests_order *o = NULL;
		int rc = requests_store_order(c, q->r->arena, ids[i], &o);
		if (rc != DB_ROW)
			return rc < 0 ? rc : DB_HARD_ERROR;
		int64_t offer = 0, vol = 0, by = 0;
		rc = requests_store_open_offer(c, o->id, &offer, &vol, &by);
		if (rc != DB_ROW)
			continue;
		bool was = q->automatic;
		q->automatic = true; /* whoever's read settles it, the step is Tala's */
		rc = requests_store_offer_close(c, offer, "expired", clock_now_ms());
		if (rc >= 0)
			rc = requests_event(c, q, o->id, "offer_expired", vol, "no answer in time");
		if (rc >= 0)
			rc = requests_offer_next(c, q, o, "offer expired");
		q->automatic = was;
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- loading an order for staff or its volunteer ---- */

static int requests_load(struct db_conn *c, struct requests_ctx *q, unsigned roles)
{
	int rc = requests_store_order(c, q->r->arena, q->id, &q->order);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return REQ_NOT_FOUND;
	q->node_id = q->order->node_id;
	const struct auth_user *u = q->r->user;
	if (roles && !auth_can(u, roles, q->order->node_path) &&
	    !auth_can(u, roles, q->order->handler_path))
		return REQ_FORBIDDEN;
	return 0;
}

static int requests_reply_order(struct db_conn *c, struct requests_ctx *q, int64_t id)
{
	int rc = requests_store_order_json(c, id, true, &q->out);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	json_t *events = json_array(), *offers = json_array(), *photos = json_array();
	json_object_set_new(q->out, "events", events);
	json_object_set_new(q->out, "offers", offers);
	json_object_set_new(q->out, "photos", photos);
	rc = requests_store_events_json(c, id, true, events);
	if (rc >= 0)
		rc = requests_photos_json(c, id, photos);
	if (rc < 0)
		return rc;
	return requests_store_offers_json(c, id, offers);
}

/* ---- list, get ---- */

static int orders_list_tx(struct db_conn *c, void *ctx)
{
	struct requests_ctx *q = ctx;
	int rc = requests_node(c, q, REQ_STAFF);
	if (rc < 0)
		return rc;
	rc = requests_sweep(c, q, q->node->path);
	if (rc < 0)
		return rc;
	json_t *items = json_array();
	q->out = json_pack("{s:o}", "items", items);
	return requests_store_orders_json(c, q->node->path, q->status_filter, q->overdue, 0,
					  clock_now_ms(), items);
}

int requests_api_orders_list(struct http_req *r)
{
	struct requests_ctx q = {.r = r, .action = "order.list", .ref = http_query(r, "node"),
				 .status_filter = http_query(r, "status")};
	const char *overdue = http_query(r, "overdue");
	q.overdue = overdue && strcmp(overdue, "1") == 0;
	if ((q.ref && (!*q.ref || strlen(q.ref) > 64)) ||
	    (q.status_filter && strlen(q.status_filter) > 20))
		return http_reply_problem(r, "request.bad_query", "node or status", NULL);
	if (q.status_filter && !*q.status_filter)
		q.status_filter = NULL;
	/* A write transaction: offers past their time fall back on the way. */
	return requests_run(&q, orders_list_tx, true);
}

static int order_get_tx(struct db_conn *c, void *ctx)
{
	struct requests_ctx *q = ctx;
	int rc = requests_load(c, q, 0);
	if (rc < 0)
		return rc;
	const struct auth_user *u = q->r->user;
	bool staff = auth_can(u, REQ_STAFF, q->order->node_path) ||
		     auth_can(u, REQ_STAFF, q->order->handler_path);
	if (!staff) {
		struct requests_volunteer *me = NULL;
		rc = requests_store_volunteer_of_user(c, q->r->arena, u->id, &me);
		if (rc < 0)
			return rc;
		int64_t offer = 0, vol = 0, by = 0;
		if (rc == DB_ROW && q->order->volunteer_id != me->id) {
			rc = requests_store_open_offer(c, q->id, &offer, &vol, &by);
			if (rc < 0)
				return rc;
		}
		if (!me || (q->order->volunteer_id != me->id && vol != me->id))
			return REQ_FORBIDDEN;
	}
	return requests_reply_order(c, q, q->id);
}

int requests_api_order_get(struct http_req *r)
{
	struct requests_ctx q = {.r = r, .action = "order.read"};
	if (requests_path_id(&q) < 0)
		return HTTP_DONE;
	return requests_run(&q, order_get_tx, false);
}

/* ---- create on a resident's behalf (staff, grid members) ---- */

struct order_fields {
	const char *category, *text, *address, *urgency, *name, *phone;
	double lat, lon;
	bool has_lat, has_lon;
	int64_t household;
};

static int order_create_common(struct db_conn *c, struct requests_ctx *q,
			       const struct order_fields *f, const char *source, int64_t filed_by)
{
	if (strcmp(q->node->level, "village") != 0 && strcmp(q->node->level, "group") != 0)
		return REQ_BAD_STATE - 1000;
	/* An order of a 小组 is handled by its village: the village's volunteers are asked. */
	struct org_node *village = q->node;
	int rc;
	if (strcmp(q->node->level, "group") == 0) {
		rc = requests_ancestor(c, q, q->node->id, "village", &village);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW)
			village = q->node;
	}
	if (f->household) {
		char *hpath = NULL;
		int64_t hnode = 0;
		rc = people_store_household_node(c, f->household, q->r->arena, &hpath, &hnode);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW || strncmp(hpath, village->path, strlen(village->path)) != 0)
			return REQ_NOT_FOUND - 1001; /* no such household in this village */
	}
	struct requests_category *k = NULL;
	rc = requests_store_category(c, q->r->arena, f->category, &k);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return REQ_CATEGORY_NOT_FOUND;
	struct requests_calendar *cal = arena_alloc(q->r->arena, sizeof(*cal));
	rc = requests_calendar_load(c, cal);
	if (rc < 0)
		return rc;
	int64_t now = clock_now_ms();
	const char *tier = strcmp(f->urgency, "urgent") == 0 ? "urgent" : k->tier;
	char ticket[11];
	requests_ticket(ticket);
	struct requests_order_in in = {
		.county_id = q->node->county_id, .node_id = q->node->id,
		.handler_node_id = village->id, .category_id = k->id,
		.household_id = f->household, .filed_by = filed_by,
		.due_at = requests_due_at(cal, tier, now), .lat = f->lat, .lon = f->lon,
		.has_location = f->has_lat && f->has_lon, .text = f->text, .address = f->address,
		.urgency = f->urgency, .tier = tier, .ticket = ticket, .resident_name = f->name,
		.resident_phone = f->phone, .source = source};
	int64_t id = 0;
	rc = requests_store_order_insert(c, &in, now, &id);
	if (rc < 0)
		return rc;
	rc = requests_event(c, q, id, "placed", 0,
			    arena_printf(q->r->arena, "%s, %s%s", k->name, source,
					 filed_by ? " (on the resident's behalf)" : ""));
	if (rc < 0)
		return rc;
	rc = requests_audit(c, q, arena_printf(q->r->arena, "order:%lld", (long long)id),
			    arena_printf(q->r->arena, "%s %s", k->code, ticket));
	if (rc < 0)
		return rc;
	q->id = id;
	q->status = 201;
	return 0;
}

static int order_fields_parse(struct http_req *r, struct order_fields *f, const char **node)
{
	f->urgency = "normal";
	f->address = "";
	f->name = "";
	bool has_hh = false;
	struct json_field spec[] = {
		{"node", JF_REF, true, 0, node, NULL},
		{"category", JF_REF, true, 0, &f->category, NULL},
		{"text", JF_STRING, true, 1000, &f->text, NULL},
		{"address", JF_STRING, false, 200, &f->address, NULL},
		{"urgency", JF_STRING, false, 10, &f->urgency, NULL},
		{"name", JF_STRING, false, 50, &f->name, NULL},
		{"phone", JF_STRING, false, 20, &f->phone, NULL},
		{"household", JF_INT, false, 0, &f->household, &has_hh},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return -1;
	json_t *lat = json_object_get(r->json, "lat"), *lon = json_object_get(r->json, "lon");
	if ((lat && !json_is_null(lat) && !json_is_number(lat)) ||
	    (lon && !json_is_null(lon) && !json_is_number(lon))) {
		http_reply_problem(r, "request.bad_field", "lat and lon: numbers", "lat");
		return -1;
	}
	f->has_lat = lat && json_is_number(lat);
	f->has_lon = lon && json_is_number(lon);
	f->lat = f->has_lat ? json_number_value(lat) : 0;
	f->lon = f->has_lon ? json_number_value(lon) : 0;
	if (f->has_lat != f->has_lon || (f->has_lat && (f->lat < -90 || f->lat > 90)) ||
	    (f->has_lon && (f->lon < -180 || f->lon > 180))) {
		http_reply_problem(r, "request.bad_field", "lat and lon: both, in degrees", "lat");
		return -1;
	}
	if (http_text_blank(f->text)) {
		http_reply_problem(r, "request.bad_field", "text: required", "text");
		return -1;
	}
	if (strcmp(f->urgency, "normal") != 0 && strcmp(f->urgency, "urgent") != 0) {
		http_reply_problem(r, "request.bad_field", "urgency: normal or urgent", "urgency");
		return -1;
	}
	if (f->phone && !people_phone_valid(f->phone)) {
		http_reply_problem(r, "request.bad_field", "phone: 5–20 digits", "phone");
		return -1;
	}
	if (has_hh && f->household <= 0) {
		http_reply_problem(r, "request.bad_field", "household: an id", "household");
		return -1;
	}
	return 0;
}

struct order_create_ctx {
	struct requests_ctx q;
	struct order_fields f;
};

static int order_create_tx(struct db_conn *c, void *ctx)
{
	struct order_create_ctx *oc = ctx;
	struct requests_ctx *q = &oc->q;
	int rc = requests_node(c, q, REQ_STAFF | ROLE_VOLUNTEER);
	if (rc < 0)
		return rc;
	/* Volunteers file orders only as grid members (网格员). */
	const char *source = "staff";
	if (!auth_can(q->r->user, REQ_STAFF, q->node->path)) {
		struct requests_volunteer *me = NULL;
		rc = requests_store_volunteer_of_user(c, q->r->arena, q->r->user->id, &me);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW || !me->grid_member)
			return REQ_FORBIDDEN; /* only grid members (网格员) file for residents */
		source = "grid";
	}
	rc = order_create_common(c, q, &oc->f, source, q->r->user->id);
	if (rc < 0)
		return rc;
	return requests_reply_order(c, q, q->id);
}

int requests_api_order_create(struct http_req *r)
{
	struct order_create_ctx oc = {.q = {.r = r, .action = "order.create"}};
	if (order_fields_parse(r, &oc.f, &oc.q.ref) < 0)
		return HTTP_DONE;
	int rc = db_tx_run(r->db, order_create_tx, &oc);
	if (rc == REQ_BAD_STATE - 1000)
		return http_reply_problem(r, "request.bad_field", "node: a village or group", "node");
	if (rc < 0)
		return requests_reply_error(&oc.q, rc);
	return http_reply_json(r, 201, oc.q.out);
}

/* The public form: no sign-in; the answer carries the ticket to follow the order. */
int requests_public_create(struct db_conn *c, struct requests_ctx *q, const void *fields);
int requests_public_create(struct db_conn *c, struct requests_ctx *q, const void *fields)
{
	int rc = requests_node(c, q, 0);
	if (rc < 0)
		return rc;
	return order_create_common(c, q, fields, "phone", 0);
}

int requests_public_fields(struct http_req *r, void **fields, const char **node);
int requests_public_fields(struct http_req *r, void **fields, const char **node)
{
	struct order_fields *f = arena_alloc(r->arena, sizeof(*f));
	*fields = f;
	return order_fields_parse(r, f, node);
}

int requests_open311_create(struct db_conn *c, struct requests_ctx *q,
			    const struct requests_open311_order *f)
{
	struct order_fields of = {.category = f->category, .text = f->text, .address = f->address,
				  .urgency = f->urgency, .name = f->name, .phone = f->phone,
				  .lat = f->lat, .lon = f->lon, .has_lat = f->has_location,
				  .has_lon = f->has_location, .household = f->household};
	return order_create_common(c, q, &of, "open311", 0);
}

/* ---- suggestions and dispatch ---- */

static int suggestions_tx(struct db_conn *c, void *ctx)
{
	struct requests_ctx *q = ctx;
	int rc = requests_load(c, q, REQ_STAFF);
	if (rc < 0)
		return rc;
	struct requests_candidate *cand = NULL;
	int n = requests_ranked(c, q, q->order, &cand);
	if (n < 0)
		return n;
	json_t *items = json_array();
	q->out = json_pack("{s:I, s:s, s:o}", "order", (json_int_t)q->id, "level", q->order->level,
			   "items", items);
	for (int i = 0; i < n && i < 50; i++)
		json_array_append_new(
			items, json_pack("{s:I, s:s, s:b, s:f, s:o, s:O}", "id", (json_int_t)cand[i].id,
					 "name", cand[i].name, "eligible", cand[i].eligible, "score",
					 cand[i].score, "distance_km",
					 cand[i].distance_km >= 0 ? json_real(cand[i].distance_km)
								  : json_null(),
					 "reasons", cand[i].reasons));
	return 0;
}

int requests_api_order_suggestions(struct http_req *r)
{
	struct requests_ctx q = {.r = r, .action = "order.suggestions"};
	if (requests_path_id(&q) < 0)
		return HTTP_DONE;
	return requests_run(&q, suggestions_tx, false);
}

static int dispatch_tx(struct db_conn *c, void *ctx)
{
	struct requests_ctx *q = ctx;
	int rc = requests_load(c, q, REQ_STAFF);
	if (rc < 0)
		return rc;
	struct requests_order *o = q->order;
	if (strcmp(o->status, "new") != 0)
		return REQ_BAD_STATE;
	if (!q->volunteer) {
		rc = requests_offer_next(c, q, o, "dispatched");
	} else {
		struct requests_candidate *cand = NULL;
		int n = requests_ranked(c, q, o, &cand);
		if (n < 0)
			return n;
		int i = 0;
		while (i < n && cand[i].id != q->volunteer)
			i++;
		if (i == n)
			return REQ_VOLUNTEER_NOT_FOUND;
		if (!cand[i].eligible)
			return REQ_NOT_ELIGIBLE;
		rc = requests_make_offer(c, q, o, &cand[i], i + 1);
	}
	if (rc < 0)
		return rc;
	rc = requests_audit(c, q, arena_printf(q->r->arena, "order:%lld", (long long)o->id),
			    arena_printf(q->r->arena, "dispatched (%s)", o->status));
	if (rc < 0)
		return rc;
	return requests_reply_order(c, q, o->id);
}

int requests_api_order_dispatch(struct http_req *r)
{
	struct requests_ctx q = {.r = r, .action = "order.dispatch"};
	if (requests_path_id(&q) < 0)
		return HTTP_DONE;
	if (r->body_len) {
		struct json_field spec[] = {
			{"volunteer", JF_INT, false, 0, &q.volunteer, NULL},
			{NULL, 0, false, 0, NULL, NULL},
		};
		if (http_json_fields(r, spec) < 0)
			return HTTP_DONE;
	}
	return requests_run(&q, dispatch_tx, true);
}

static int escalate_tx(struct db_conn *c, void *ctx)
{
	struct requests_ctx *q = ctx;
	int rc = requests_load(c, q, REQ_STAFF);
	if (rc < 0)
		return rc;
	struct requests_order *o = q->order;
	if (strcmp(o->status, "new") != 0 && strcmp(o->status, "offered") != 0)
		return REQ_BAD_STATE;
	int64_t offer = 0, vol = 0, by = 0;
	rc = requests_store_open_offer(c, o->id, &offer, &vol, &by);
	if (rc < 0)
		return rc;
	if (rc == DB_ROW && (rc = requests_store_offer_close(c, offer, "withdrawn", clock_now_ms())) < 0)
		return rc;
	rc = requests_escalate_once(c, q, o, q->reason);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return REQ_BAD_STATE; /* the county is the top */
	rc = requests_audit(c, q, arena_printf(q->r->arena, "order:%lld", (long long)o->id),
			    arena_printf(q->r->arena, "escalated to %s: %s", o->level, q->reason));
	if (rc < 0)
		return rc;
	return requests_reply_order(c, q, o->id);
}

int requests_api_order_escalate(struct http_req *r)
{
	struct requests_ctx q = {.r = r, .action = "order.escalate", .reason = ""};
	if (requests_path_id(&q) < 0)
		return HTTP_DONE;
	if (r->body_len) {
		struct json_field spec[] = {
			{"reason", JF_STRING, false, 300, &q.reason, NULL},
			{NULL, 0, false, 0, NULL, NULL},
		};
		if (http_json_fields(r, spec) < 0)
			return HTTP_DONE;
	}
	return requests_run(&q, escalate_tx, true);
}

/* ---- the volunteer's side ---- */

static int volunteer_tx(struct db_conn *c, void *ctx)
{
	struct requests_ctx *q = ctx;
	int rc = requests_load(c, q, 0);
	if (rc < 0)
		return rc;
	struct requests_order *o = q->order;
	struct requests_volunteer *me = NULL;
	rc = requests_store_volunteer_of_user(c, q->r->arena, q->r->user->id, &me);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return REQ_NOT_VOLUNTEER;
	int64_t now = clock_now_ms(), offer = 0, vol = 0, by = 0;
	const char *v = q->verb;
	if (strcmp(v, "accept") == 0 || strcmp(v, "decline") == 0) {
		rc = requests_store_open_offer(c, o->id, &offer, &vol, &by);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW || vol != me->id)
			return REQ_BAD_STATE; /* no offer to this volunteer open */
		if (now > by) {
			rc = requests_sweep(c, q, o->node_path);
			return rc < 0 ? rc : REQ_BAD_STATE; /* too late: it moved on */
		}
		bool accept = v[0] == 'a';
		rc = requests_store_offer_close(c, offer, accept ? "accepted" : "declined", now);
		if (rc < 0)
			return rc;
		rc = requests_event(c, q, o->id, accept ? "accepted" : "declined", me->id,
				    q->reason ? q->reason : "");
		if (rc < 0)
			return rc;
		if (accept) {
			rc = requests_store_order_status(c, o->id, "accepted", me->id);
			if (rc >= 0 && !o->first_accepted_at)
				rc = requests_store_order_set(c, o->id, "first_accepted_at", now);
		} else {
			q->automatic = true; /* the next offer is Tala's, not the volunteer's */
			rc = requests_offer_next(c, q, o, "declined");
			q->automatic = false;
		}
	} else if (strcmp(v, "start") == 0 || strcmp(v, "progress") == 0 ||
		   strcmp(v, "complete") == 0) {
		if (o->volunteer_id != me->id)
			return REQ_FORBIDDEN;
		bool started = strcmp(o->status, "in_progress") == 0;
		if (!started && strcmp(o->status, "accepted") != 0)
			return REQ_BAD_STATE;
		if (v[0] == 's') {
			if (started)
				return REQ_BAD_STATE;
			rc = requests_store_order_status(c, o->id, "in_progress", -1);
			if (rc >= 0)
				rc = requests_event(c, q, o->id, "started", me->id, q->note);
		} else if (v[0] == 'p') {
			rc = requests_event(c, q, o->id, "progress", me->id, q->note);
		} else {
			rc = requests_store_order_status(c, o->id, "done", -1);
			if (rc >= 0)
				rc = requests_store_order_set(c, o->id, "done_at", now);
			if (rc >= 0)
				rc = requests_store_order_set(c, o->id, "minutes", q->minutes);
			if (rc >= 0)
				rc = requests_event(c, q, o->id, "done", me->id,
						    arena_printf(q->r->arena, "%lld min: %s",
								 (long long)q->minutes,
								 q->note ? q->note : ""));
			/* the service hours, in the same transaction as the completion */
			if (rc >= 0)
				rc = requests_hours_credit(c, o->county_id, o->node_id, me->id,
							   q->minutes, o->id, 0, now);
		}
	} else {
		return REQ_NOT_FOUND;
	}
	if (rc < 0)
		return rc;
	rc = requests_audit(c, q, arena_printf(q->r->arena, "order:%lld", (long long)o->id), v);
	if (rc < 0)
		return rc;
	return requests_reply_order(c, q, o->id);
}

int requests_api_order_volunteer(struct http_req *r)
{
	struct requests_ctx q = {.r = r, .verb = r->params[1], .note = ""};
	if (requests_path_id(&q) < 0)
		return HTTP_DONE;
	static const char *const verbs[] = {"accept", "decline", "start", "progress", "complete"};
	bool known = false;
	for (size_t i = 0; i < 5; i++)
		known = known || strcmp(q.verb, verbs[i]) == 0;
	if (!known)
		return http_reply_problem(r, "request.not_found",
					  "accept, decline, start, progress or complete", NULL);
	q.action = arena_printf(r->arena, "order.%s", q.verb);
	if (r->body_len) {
		struct json_field spec[] = {
			{"note", JF_STRING, false, 1000, &q.note, NULL},
			{"reason", JF_STRING, false, 300, &q.reason, NULL},
			{"minutes", JF_INT, false, 0, &q.minutes, NULL},
			{NULL, 0, false, 0, NULL, NULL},
		};
		if (http_json_fields(r, spec) < 0)
			return HTTP_DONE;
	}
	if (strcmp(q.verb, "complete") == 0 && (q.minutes < 1 || q.minutes > 24 * 60))
		return http_reply_problem(r, "request.bad_field",
					  "minutes: the time the work took, 1 to 1440", "minutes");
	return requests_run(&q, volunteer_tx, true);
}

static int my_orders_tx(struct db_conn *c, void *ctx)
{
	struct requests_ctx *q = ctx;
	struct requests_volunteer *me = NULL;
	int rc = requests_store_volunteer_of_user(c, q->r->arena, q->r->user->id, &me);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return REQ_NOT_VOLUNTEER;
	rc = requests_sweep(c, q, "/");
	if (rc < 0)
		return rc;
	int64_t minutes = 0;
	rc = requests_hours_balance(c, me->id, &minutes);
	if (rc < 0)
		return rc;
	json_t *items = json_array();
	q->out = json_pack("{s:{s:I, s:s, s:I}, s:o}", "volunteer", "id", (json_int_t)me->id,
			   "name", me->name, "minutes", (json_int_t)minutes, "items", items);
	return requests_store_orders_json(c, "/", NULL, false, me->id, clock_now_ms(), items);
}

int requests_api_my_orders(struct http_req *r)
{
	struct requests_ctx q = {.r = r, .action = "order.mine"};
	return requests_run(&q, my_orders_tx, true);
}

/* ---- return visit (回访), review ---- */

static int visit_tx(struct db_conn *c, void *ctx)
{
	struct requests_ctx *q = ctx;
	int rc = requests_load(c, q, REQ_STAFF | ROLE_VOLUNTEER);
	if (rc < 0)
		return rc;
	struct requests_order *o = q->order;
	/* Staff visit; of the volunteers only grid members do, and never for their own work. */
	if (!auth_can(q->r->user, REQ_STAFF, o->node_path) &&
	    !auth_can(q->r->user, REQ_STAFF, o->handler_path)) {
		struct requests_volunteer *me = NULL;
		rc = requests_store_volunteer_of_user(c, q->r->arena, q->r->user->id, &me);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW || !me->grid_member || me->id == o->volunteer_id)
			return REQ_FORBIDDEN;
	}
	if (strcmp(o->status, "done") != 0)
		return REQ_BAD_STATE;
	rc = requests_store_order_visit(c, o->id, q->flag_a, q->flag_b, clock_now_ms());
	if (rc < 0)
		return rc;
	rc = requests_event(c, q, o->id, "visited", 0,
			    arena_printf(q->r->arena, "resolved: %s, satisfied: %s. %s",
					 q->flag_a ? "yes" : "no", q->flag_b ? "yes" : "no", q->note));
	if (rc < 0)
		return rc;
	if (q->flag_b) {
		rc = requests_store_order_status(c, o->id, "closed", -1);
	} else {
		/* 重办: back to the same volunteer */
		rc = requests_store_order_status(c, o->id, "accepted", -1);
		if (rc >= 0)
			rc = requests_store_order_set(c, o->id, "redo_count", 1);
		if (rc >= 0)
			rc = requests_event(c, q, o->id, "reopened", o->volunteer_id,
					    "unsatisfied at the return visit (重办)");
	}
	if (rc < 0)
		return rc;
	rc = requests_audit(c, q, arena_printf(q->r->arena, "order:%lld", (long long)o->id),
			    q->flag_b ? "visited, closed" : "visited, reopened");
	if (rc < 0)
		return rc;
	return requests_reply_order(c, q, o->id);
}

int requests_api_order_visit(struct http_req *r)
{
	struct requests_ctx q = {.r = r, .action = "order.visit", .note = ""};
	if (requests_path_id(&q) < 0)
		return HTTP_DONE;
	struct json_field spec[] = {
		{"resolved", JF_BOOL, true, 0, &q.flag_a, NULL},
		{"satisfied", JF_BOOL, true, 0, &q.flag_b, NULL},
		{"note", JF_STRING, false, 500, &q.note, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	return requests_run(&q, visit_tx, true);
}

static int unreasonable_tx(struct db_conn *c, void *ctx)
{
	struct requests_ctx *q = ctx;
	int rc = requests_load(c, q, ROLE_TOWNSHIP_STAFF | ROLE_COUNTY_STAFF);
	if (rc < 0)
		return rc;
	rc = requests_store_order_set(c, q->id, "unreasonable", q->flag_a);
	if (rc >= 0)
		rc = requests_event(c, q, q->id, "reviewed", 0,
				    arena_printf(q->r->arena, "%s: %s",
						 q->flag_a ? "unreasonable request" : "reasonable",
						 q->note));
	if (rc >= 0)
		rc = requests_audit(c, q, arena_printf(q->r->arena, "order:%lld", (long long)q->id),
				    q->flag_a ? "marked unreasonable" : "cleared");
	if (rc < 0)
		return rc;
	return requests_reply_order(c, q, q->id);
}

int requests_api_order_unreasonable(struct http_req *r)
{
	struct requests_ctx q = {.r = r, .action = "order.review", .note = ""};
	if (requests_path_id(&q) < 0)
		return HTTP_DONE;
	struct json_field spec[] = {
		{"unreasonable", JF_BOOL, true, 0, &q.flag_a, NULL},
		{"note", JF_STRING, true, 500, &q.note, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	return requests_run(&q, unreasonable_tx, true);
}
