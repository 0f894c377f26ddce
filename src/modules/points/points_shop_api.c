/* points_shop_api.c — the points store (积分超市): goods with stock, and redemptions that
 * hold points when ordered, post them at pick-up and void them on cancel or time-out. Stock
 * and points move in the same transaction, so the last item goes to exactly one household. */
#include "modules/points/points_api.h"

#include "auth/auth.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "modules/points/points_api_common.h"
#include "org/org.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

enum { POINTS_HOLD_DAYS = 7 };

static const unsigned POINTS_READ = ROLES_PEOPLE | ROLE_VOLUNTEER;

/* Settles a held redemption: post (picked up) or void (cancelled, expired; stock back). */
static int redemption_settle(struct db_conn *c, struct points_redemption *rd, const char *to)
{
	char hh[32], store[32];
	points_account(hh, "hh", rd->household_id);
	points_account(store, "store", rd->node_id);
	bool post = strcmp(to, "picked_up") == 0;
	struct points_transfer t = {.county_id = rd->county_id, .node_id = rd->node_id,
				    .debit = hh, .credit = store, .amount = rd->amount,
				    .phase = post ? POINTS_POST : POINTS_VOID,
				    .pending_id = rd->hold_id, .redemption_id = rd->id};
	int64_t id = 0;
	int rc = points_ledger_post(c, &t, clock_now_ms(), &id);
	if (rc < 0)
		return rc;
	if (!post) {
		rc = points_store_goods_stock(c, rd->goods_id, rd->quantity);
		if (rc < 0)
			return rc;
	}
	rc = points_store_redemption_set(c, rd->id, to, clock_now_ms());
	if (rc < 0)
		return rc;
	return rc == 0 ? POINTS_BAD_STATE : 0;
}

int points_expire_holds(struct db_conn *c, struct points_ctx *p, const char *path)
{
	int64_t ids[100];
	int n = points_store_redemptions_expired(c, path, clock_now_ms(), ids, 100);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct points_redemption *rd = NULL;
		int rc = points_store_redemption_get(c, p->r->arena, ids[i], &rd);
		if (rc != DB_ROW)
			return rc < 0 ? rc : DB_HARD_ERROR;
		rc = redemption_settle(c, rd, "expired");
		if (rc < 0)
			return rc;
	}
	return n;
}

/* ---- goods ---- */

static int goods_list_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	int rc = points_node(c, p, POINTS_READ);
	if (rc < 0)
		return rc;
	p->out = json_array();
	rc = points_store_goods_json(c, p->node->path, p->out);
	if (rc < 0)
		return rc;
	p->out = json_pack("{s:o}", "items", p->out);
	return 0;
}

int points_api_goods_list(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.goods.list"};
	if (points_list_args(&p) < 0)
		return HTTP_DONE;
	return points_run(&p, goods_list_tx, false);
}

static int goods_reply(struct db_conn *c, struct points_ctx *p, int64_t id)
{
	struct points_goods *g = NULL;
	int rc = points_store_goods_get(c, p->r->arena, id, &g);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	p->out = json_pack("{s:I, s:s, s:I, s:I, s:I}", "id", (json_int_t)g->id, "name", g->name,
			   "price", (json_int_t)g->price, "stock", (json_int_t)g->stock, "node_id",
			   (json_int_t)g->node_id);
	return 0;
}

static int goods_create_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	int rc = points_node(c, p, ROLES_PEOPLE);
	if (rc < 0)
		return rc;
	if (strcmp(p->node->level, "village") != 0)
		return POINTS_BAD_STATE;
	int64_t id = 0;
	rc = points_store_goods_insert(c, p->node->county_id, p->node->id, p->name, p->points,
				       p->quantity, p->category, clock_now_ms(), &id);
	if (rc < 0)
		return rc;
	rc = points_audit(c, p, arena_printf(p->r->arena, "points_goods:%lld", (long long)id),
			  arena_printf(p->r->arena, "%s, %lld points, stock %lld (%s)", p->name,
				       (long long)p->points, (long long)p->quantity, p->category));
	if (rc < 0)
		return rc;
	p->status = 201;
	return goods_reply(c, p, id);
}

int points_api_goods_create(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.goods.create", .category = "donated"};
	struct json_field spec[] = {
		{"node", JF_REF, true, 0, &p.ref, NULL},
		{"name", JF_STRING, true, 100, &p.name, NULL},
		{"price", JF_INT, true, 0, &p.points, NULL},
		{"stock", JF_INT, true, 0, &p.quantity, NULL},
		{"source", JF_STRING, false, 10, &p.category, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (http_text_blank(p.name))
		return http_reply_problem(r, "request.bad_field", "name: required", "name");
	if (p.points < 1 || p.points > 100000)
		return http_reply_problem(r, "request.bad_field", "price: 1 to 100000 points", "price");
	if (p.quantity < 0 || p.quantity > 1000000)
		return http_reply_problem(r, "request.bad_field", "stock: 0 to 1000000", "stock");
	if (strcmp(p.category, "donated") != 0 && strcmp(p.category, "bought") != 0)
		return http_reply_problem(r, "request.bad_field", "source: donated or bought",
					  "source");
	int rc = db_tx_run(r->db, goods_create_tx, &p);
	if (rc == POINTS_BAD_STATE)
		return http_reply_problem(r, "request.bad_field", "node: the store belongs to a village",
					  "node");
	if (rc < 0)
		return points_reply_error(&p, rc);
	return http_reply_json(r, 201, p.out);
}

static int goods_restock_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	struct points_goods *g = NULL;
	int rc = points_store_goods_get(c, p->r->arena, p->id, &g);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return POINTS_NOT_FOUND - 103;
	p->node_id = g->node_id;
	if (!auth_can(p->r->user, ROLES_PEOPLE, g->node_path))
		return POINTS_FORBIDDEN;
	rc = points_store_goods_stock(c, g->id, p->quantity);
	if (rc < 0)
		return rc;
	rc = points_audit(c, p, arena_printf(p->r->arena, "points_goods:%lld", (long long)g->id),
			  arena_printf(p->r->arena, "restocked %lld", (long long)p->quantity));
	if (rc < 0)
		return rc;
	return goods_reply(c, p, g->id);
}

int points_api_goods_restock(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.goods.restock"};
	if (points_path_id(&p) < 0)
		return HTTP_DONE;
	struct json_field spec[] = {
		{"quantity", JF_INT, true, 0, &p.quantity, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (p.quantity < 1 || p.quantity > 1000000)
		return http_reply_problem(r, "request.bad_field", "quantity: 1 to 1000000", "quantity");
	return points_run(&p, goods_restock_tx, true);
}

/* ---- redemptions ---- */

static int redemption_reply(struct db_conn *c, struct points_ctx *p, int64_t id)
{
	int rc = points_store_redemption_json(c, id, &p->out);
	return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_HARD_ERROR;
}

static int redemption_create_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	struct arena *a = p->r->arena;
	struct points_redemption *prior = NULL;
	int rc = points_store_redemption_by_key(c, a, p->key, &prior);
	if (rc < 0)
		return rc;
	if (rc == DB_ROW) {
		p->node_id = prior->node_id;
		if (!auth_can(p->r->user, ROLES_PEOPLE, prior->node_path))
			return POINTS_FORBIDDEN;
		if (prior->household_id != p->household || prior->goods_id != p->goods ||
		    prior->quantity != p->quantity)
			return POINTS_IDEMPOTENCY;
		p->status = 200;
		return redemption_reply(c, p, prior->id);
	}
	struct org_node *hnode = NULL;
	rc = points_household_node(c, p, p->household, ROLES_PEOPLE, &hnode);
	if (rc < 0)
		return rc;
	struct points_goods *g = NULL;
	rc = points_store_goods_get(c, a, p->goods, &g);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW || strncmp(hnode->path, g->node_path, strlen(g->node_path)) != 0)
		return POINTS_NOT_FOUND - 103; /* goods of another village's store */
	rc = points_expire_holds(c, p, g->node_path);
	if (rc < 0)
		return rc;
	rc = points_store_goods_stock(c, g->id, -p->quantity);
	if (rc < 0)
		return rc;
	if (rc == DB_DONE)
		return POINTS_OUT_OF_STOCK;
	char hh[32], store[32];
	points_account(hh, "hh", p->household);
	points_account(store, "store", g->node_id);
	struct points_transfer t = {.county_id = g->county_id, .node_id = g->node_id, .debit = hh,
				    .credit = store, .amount = g->price * p->quantity,
				    .phase = POINTS_PENDING};
	int64_t hold = 0;
	rc = points_ledger_post(c, &t, clock_now_ms(), &hold);
	if (rc < 0)
		return rc;
	struct points_redemption rd = {.county_id = g->county_id, .node_id = g->node_id,
				       .household_id = p->household, .goods_id = g->id,
				       .quantity = p->quantity, .amount = t.amount, .hold_id = hold,
				       .key = p->key,
				       .expires_at = clock_now_ms() + POINTS_HOLD_DAYS * 86400000LL};
	int64_t id = 0;
	rc = points_store_redemption_insert(c, &rd, clock_now_ms(), &id);
	if (rc < 0)
		return rc;
	p->node_id = g->node_id;
	rc = points_audit(c, p, arena_printf(a, "points_redemption:%lld", (long long)id),
			  arena_printf(a, "household %lld: %lld × %s, %lld points held",
				       (long long)p->household, (long long)p->quantity, g->name,
				       (long long)t.amount));
	if (rc < 0)
		return rc;
	p->status = 201;
	return redemption_reply(c, p, id);
}

int points_api_redemption_create(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.redemption.create", .quantity = 1};
	struct json_field spec[] = {
		{"household", JF_INT, true, 0, &p.household, NULL},
		{"goods", JF_INT, true, 0, &p.goods, NULL},
		{"quantity", JF_INT, false, 0, &p.quantity, NULL},
		{"idempotency_key", JF_STRING, true, 100, &p.key, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (p.household <= 0 || p.goods <= 0)
		return http_reply_problem(r, "request.bad_field", "household and goods: ids",
					  p.household <= 0 ? "household" : "goods");
	if (p.quantity < 1 || p.quantity > 100)
		return http_reply_problem(r, "request.bad_field", "quantity: 1 to 100", "quantity");
	if (strlen(p.key) < 8)
		return http_reply_problem(r, "request.bad_field", "idempotency_key: 8 to 100 characters",
					  "idempotency_key");
	return points_run(&p, redemption_create_tx, true);
}

static int redemptions_list_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	int rc = points_node(c, p, POINTS_READ);
	if (rc < 0)
		return rc;
	rc = points_expire_holds(c, p, p->node->path);
	if (rc < 0)
		return rc;
	p->out = json_array();
	rc = points_store_redemptions_json(c, p->node->path, p->status_filter, p->out);
	if (rc < 0)
		return rc;
	p->out = json_pack("{s:o}", "items", p->out);
	return 0;
}

int points_api_redemptions_list(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.redemption.list"};
	if (points_list_args(&p) < 0)
		return HTTP_DONE;
	/* A write transaction: holds whose time ran out are voided on the way. */
	return points_run(&p, redemptions_list_tx, true);
}

static int redemption_settle_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	struct points_redemption *rd = NULL;
	int rc = points_store_redemption_get(c, p->r->arena, p->id, &rd);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return POINTS_NOT_FOUND;
	p->node_id = rd->node_id;
	if (!auth_can(p->r->user, ROLES_PEOPLE, rd->node_path))
		return POINTS_FORBIDDEN;
	if (strcmp(rd->status, "held") != 0)
		return POINTS_BAD_STATE;
	bool pickup = strcmp(p->text, "pickup") == 0;
	if (pickup && clock_now_ms() > rd->expires_at)
		return POINTS_BAD_STATE; /* the hold ran out */
	rc = redemption_settle(c, rd, pickup ? "picked_up" : "cancelled");
	if (rc < 0)
		return rc;
	rc = points_audit(c, p, arena_printf(p->r->arena, "points_redemption:%lld", (long long)rd->id),
			  pickup ? "picked up" : "cancelled");
	if (rc < 0)
		return rc;
	return redemption_reply(c, p, rd->id);
}

int points_api_redemption_settle(struct http_req *r)
{
	struct points_ctx p = {.r = r, .text = r->params[1]};
	if (points_path_id(&p) < 0)
		return HTTP_DONE;
	if (strcmp(p.text, "pickup") != 0 && strcmp(p.text, "cancel") != 0)
		return http_reply_problem(r, "request.not_found", "pickup or cancel", NULL);
	p.action = arena_printf(r->arena, "points.redemption.%s", p.text);
	return points_run(&p, redemption_settle_tx, true);
}
