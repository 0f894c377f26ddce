/* points_api.c — routes for scoring items, periods, entries, objections, household points,
 * reports and the public ranking. The points store (goods, redemptions) is in
 * points_shop_api.c. Writes need county_staff, township_staff or branch_secretary on the
 * village (ROLES_PEOPLE); volunteers read. */
#include "modules/points/points_api.h"

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "http/ratelimit.h"
#include "modules/points/points_api_common.h"
#include "org/org.h"
#include "people/people.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const unsigned POINTS_READ = ROLES_PEOPLE | ROLE_VOLUNTEER;

/* ---- shared ---- */

int points_node(struct db_conn *c, struct points_ctx *p, unsigned roles)
{
	int rc = auth_scope_node(c, p->r->arena, p->r->user, &p->ref, roles, &p->node);
	if (p->node)
		p->node_id = p->node->id;
	return rc == AUTH_SCOPE_NO_NODE	   ? POINTS_NOT_FOUND - 100 /* the node */
	       : rc == AUTH_SCOPE_FORBIDDEN ? POINTS_FORBIDDEN
					    : rc;
}

int points_household_node(struct db_conn *c, struct points_ctx *p, int64_t household,
			  unsigned roles, struct org_node **node)
{
	char *path = NULL;
	int64_t node_id = 0;
	int rc = people_store_household_node(c, household, p->r->arena, &path, &node_id);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return POINTS_NOT_FOUND - 101; /* the household */
	p->node_id = node_id;
	if (!auth_can(p->r->user, roles, path))
		return POINTS_FORBIDDEN;
	char ref[24];
	snprintf(ref, sizeof(ref), "%lld", (long long)node_id);
	rc = org_store_get(c, p->r->arena, ref, node);
	return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_HARD_ERROR;
}

int points_audit(struct db_conn *c, struct points_ctx *p, const char *object, const char *detail)
{
	struct audit_entry e = {.action = p->action, .object = object, .node_id = p->node_id,
				.result = "ok", .detail = detail ? detail : ""};
	http_audit_actor(p->r, &e);
	int64_t rc = audit_append(c, &e, clock_now_ms());
	return rc < 0 ? (int)rc : 0;
}

int points_reply_error(struct points_ctx *p, int rc)
{
	struct http_req *r = p->r;
	json_decref(p->out);
	p->out = NULL;
	switch (rc) {
	case POINTS_FORBIDDEN:
		return http_forbid(r, p->action, r->path, p->node_id);
	case POINTS_NOT_FOUND - 100:
		return http_reply_problem(r, "org.node_not_found", p->ref, "node");
	case POINTS_NOT_FOUND - 101:
		return http_reply_problem(r, "household.not_found", NULL, "household");
	case POINTS_NOT_FOUND - 102:
		return http_reply_problem(r, "points.item_not_found", NULL, "item");
	case POINTS_NOT_FOUND - 103:
		return http_reply_problem(r, "points.goods_not_found", NULL, "goods");
	case POINTS_NOT_FOUND:
		return http_reply_problem(r, "points.not_found", NULL, NULL);
	case POINTS_INSUFFICIENT:
		return http_reply_problem(r, "points.insufficient", NULL, NULL);
	case POINTS_IDEMPOTENCY:
		return http_reply_problem(r, "points.idempotency_conflict", NULL, "idempotency_key");
	case POINTS_MAKER_CHECKER:
		return http_reply_problem(r, "points.maker_checker", NULL, NULL);
	case POINTS_BAD_STATE:
		return http_reply_problem(r, "points.bad_state", p->why, NULL);
	case POINTS_NO_PERIOD:
		return http_reply_problem(r, "points.no_open_period", NULL, NULL);
	case POINTS_OUT_OF_STOCK:
		return http_reply_problem(r, "points.out_of_stock", NULL, "goods");
	case POINTS_EXISTS:
		return http_reply_problem(r, "points.exists", NULL, NULL);
	case POINTS_EVIDENCE:
		return http_reply_problem(r, "points.evidence_required", NULL, "evidence");
	case POINTS_ALREADY_REVERSED:
		return http_reply_problem(r, "points.already_reversed", NULL, NULL);
	default:
		return http_reply_db_error(r, rc);
	}
}

int points_run(struct points_ctx *p, int (*fn)(struct db_conn *, void *), bool write)
{
	if (!p->status)
		p->status = 200;
	int rc = write ? db_tx_run(p->r->db, fn, p) : db_read_run(p->r->db, fn, p);
	if (rc < 0)
		return points_reply_error(p, rc);
	return http_reply_json(p->r, p->status, p->out);
}

int points_path_id(struct points_ctx *p)
{
	if (http_parse_id(p->r->params[0], &p->id) < 0) {
		http_reply_problem(p->r, "request.bad_id", p->r->params[0], NULL);
		return -1;
	}
	return 0;
}

int points_list_args(struct points_ctx *p)
{
	struct http_req *r = p->r;
	p->ref = http_query(r, "node");
	p->status_filter = http_query(r, "status");
	if ((p->ref && (!*p->ref || strlen(p->ref) > 64)) ||
	    (p->status_filter && strlen(p->status_filter) > 20)) {
		http_reply_problem(r, "request.bad_query", "node or status too long", NULL);
		return -1;
	}
	if (p->status_filter && !*p->status_filter)
		p->status_filter = NULL;
	if (http_query_int(r, "period", 0, 0, INT64_MAX / 2, &p->period_id) < 0 ||
	    http_query_int(r, "household", 0, 0, INT64_MAX / 2, &p->household) < 0)
		return -1;
	return 0;
}

/* ---- items ---- */

static int items_list_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	int rc = points_node(c, p, POINTS_READ);
	if (rc < 0)
		return rc;
	p->out = json_array();
	rc = points_store_items_json(c, p->node->path, p->all_versions, p->out);
	if (rc < 0)
		return rc;
	p->out = json_pack("{s:o}", "items", p->out);
	return 0;
}

int points_api_items_list(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.item.list", .ref = http_query(r, "node")};
	const char *all = http_query(r, "all");
	p.all_versions = all && strcmp(all, "1") == 0;
	if (p.ref && (!*p.ref || strlen(p.ref) > 64))
		return http_reply_problem(r, "request.bad_query", "node: a code or id", "node");
	return points_run(&p, items_list_tx, false);
}

static int item_write(struct db_conn *c, struct points_ctx *p, struct points_item *it,
		      const char *detail)
{
	int64_t id = 0;
	int rc = points_store_item_insert(c, it, p->r->user->id, clock_now_ms(), &id);
	if (rc < 0)
		return db_conn_error_kind(c) == DB_ERR_UNIQUE ? POINTS_EXISTS : rc;
	rc = points_audit(c, p, arena_printf(p->r->arena, "points_item:%lld", (long long)id), detail);
	if (rc < 0)
		return rc;
	struct points_item *saved = NULL;
	rc = points_store_item_get(c, p->r->arena, id, &saved);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	p->out = json_pack("{s:I, s:s, s:I, s:s, s:s, s:I, s:b, s:s, s:b, s:I}", "id",
			   (json_int_t)saved->id, "code", saved->code, "version",
			   (json_int_t)saved->version, "name", saved->name, "category",
			   saved->category, "points", (json_int_t)saved->points, "evidence_required",
			   saved->evidence_required, "decision", saved->decision, "current",
			   saved->current, "node_id", (json_int_t)saved->node_id);
	return 0;
}

static int item_create_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	int rc = points_node(c, p, ROLES_PEOPLE);
	if (rc < 0)
		return rc;
	if (strcmp(p->node->level, "village") != 0)
		return POINTS_BAD_STATE - 1000; /* items belong to a village */
	struct points_item *old = NULL;
	rc = points_store_item_current(c, p->r->arena, p->node->id, p->code, &old);
	if (rc < 0)
		return rc;
	if (rc == DB_ROW)
		return POINTS_EXISTS;
	struct points_item it = {.county_id = p->node->county_id, .node_id = p->node->id,
				 .version = 1, .points = p->points, .code = p->code,
				 .name = p->name, .category = p->category,
				 .decision = p->decision, .evidence_required = p->evidence_required};
	p->status = 201;
	return item_write(c, p, &it,
			  arena_printf(p->r->arena, "%s %s (%+lld) adopted: %s", p->code, p->name,
				       (long long)p->points, p->decision));
}

static bool points_category_ok(const char *c)
{
	return c && *c;
}

int points_api_item_create(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.item.create", .category = "基础",
			       .decision = ""};
	struct json_field spec[] = {
		{"node", JF_REF, true, 0, &p.ref, NULL},
		{"code", JF_STRING, true, 32, &p.code, NULL},
		{"name", JF_STRING, true, 100, &p.name, NULL},
		{"points", JF_INT, true, 0, &p.points, NULL},
		{"category", JF_STRING, false, 20, &p.category, NULL},
		{"evidence_required", JF_BOOL, false, 0, &p.evidence_required, NULL},
		{"decision", JF_STRING, false, 200, &p.decision, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (!org_code_valid(p.code))
		return http_reply_problem(r, "request.bad_field", "code: 1–32 of A-Z a-z 0-9 _ . -",
					  "code");
	if (http_text_blank(p.name))
		return http_reply_problem(r, "request.bad_field", "name: required", "name");
	if (p.points == 0 || p.points < -1000 || p.points > 1000)
		return http_reply_problem(r, "request.bad_field",
					  "points: a whole number from -1000 to 1000, not 0", "points");
	if (!points_category_ok(p.category))
		return http_reply_problem(r, "request.bad_field", "category: required", "category");
	int rc = db_tx_run(r->db, item_create_tx, &p);
	if (rc == POINTS_BAD_STATE - 1000)
		return http_reply_problem(r, "request.bad_field",
					  "node: scoring items belong to a village", "node");
	if (rc < 0)
		return points_reply_error(&p, rc);
	return http_reply_json(r, 201, p.out);
}

static int item_revise_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	struct points_item *old = NULL;
	int rc = points_store_item_get(c, p->r->arena, p->id, &old);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return POINTS_NOT_FOUND - 102;
	p->node_id = old->node_id;
	if (!auth_can(p->r->user, ROLES_PEOPLE, old->node_path))
		return POINTS_FORBIDDEN;
	if (!old->current)
		return POINTS_BAD_STATE; /* revise the current version only */
	rc = points_store_item_retire(c, old->id);
	if (rc < 0)
		return rc;
	struct points_item it = *old;
	it.version = old->version + 1;
	if (p->name)
		it.name = p->name;
	if (p->category)
		it.category = p->category;
	if (p->have_points)
		it.points = p->points;
	if (p->have_evidence_required)
		it.evidence_required = p->evidence_required;
	it.decision = p->decision;
	p->status = 201;
	return item_write(c, p, &it,
			  arena_printf(p->r->arena, "%s v%lld → v%lld: %s", old->code,
				       (long long)old->version, (long long)it.version, p->decision));
}

int points_api_item_revise(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.item.revise"};
	if (points_path_id(&p) < 0)
		return HTTP_DONE;
	struct json_field spec[] = {
		{"name", JF_STRING, false, 100, &p.name, NULL},
		{"points", JF_INT, false, 0, &p.points, &p.have_points},
		{"category", JF_STRING, false, 20, &p.category, NULL},
		{"evidence_required", JF_BOOL, false, 0, &p.evidence_required,
		 &p.have_evidence_required},
		{"decision", JF_STRING, true, 200, &p.decision, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (http_text_blank(p.decision))
		return http_reply_problem(r, "request.bad_field",
					  "decision: the meeting decision that adopted the change",
					  "decision");
	if (p.have_points && (p.points == 0 || p.points < -1000 || p.points > 1000))
		return http_reply_problem(r, "request.bad_field",
					  "points: a whole number from -1000 to 1000, not 0", "points");
	if ((p.name && !*p.name) || (p.category && !*p.category))
		return http_reply_problem(r, "request.bad_field", "name and category cannot be empty",
					  p.name && !*p.name ? "name" : "category");
	return points_run(&p, item_revise_tx, true);
}

/* ---- periods ---- */

/* The quarter of a time, as "2026Q4" (China Standard Time, UTC+8). */
static void points_quarter(int64_t now_ms, char out[32])
{
	time_t t = (time_t)(now_ms / 1000) + 8 * 3600;
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, 32, "%04dQ%d", tm.tm_year + 1900, tm.tm_mon / 3 + 1);
}

/* The open period of a village, opening the current quarter when none is open and the
 * quarter has no period yet. */
int points_open_period(struct db_conn *c, struct points_ctx *p, const struct org_node *v,
		       struct points_period **out)
{
	int rc = points_store_period_open(c, p->r->arena, v->id, out);
	if (rc != DB_DONE)
		return rc < 0 ? rc : 0;
	char name[32];
	points_quarter(clock_now_ms(), name);
	int64_t id = 0;
	rc = points_store_period_insert(c, v->county_id, v->id, name, 7, clock_now_ms(), &id);
	if (rc < 0)
		return db_conn_error_kind(c) == DB_ERR_UNIQUE ? POINTS_NO_PERIOD : rc;
	rc = points_store_period_get(c, p->r->arena, id, out);
	return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_HARD_ERROR;
}

static int periods_list_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	int rc = points_node(c, p, POINTS_READ);
	if (rc < 0)
		return rc;
	p->out = json_array();
	rc = points_store_periods_json(c, p->node->path, p->out);
	if (rc < 0)
		return rc;
	p->out = json_pack("{s:o}", "items", p->out);
	return 0;
}

int points_api_periods_list(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.period.list"};
	if (points_list_args(&p) < 0)
		return HTTP_DONE;
	return points_run(&p, periods_list_tx, false);
}

static int period_reply_json(struct db_conn *c, struct points_ctx *p, int64_t id)
{
	json_t *all = json_array();
	int rc = points_store_periods_json(c, p->node->path, all);
	if (rc < 0) {
		json_decref(all);
		return rc;
	}
	size_t i;
	json_t *v;
	json_array_foreach(all, i, v)
	{
		if (json_integer_value(json_object_get(v, "id")) == id) {
			p->out = json_incref(v);
			break;
		}
	}
	json_decref(all);
	return p->out ? 0 : DB_HARD_ERROR;
}

static int period_create_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	int rc = points_node(c, p, ROLES_PEOPLE);
	if (rc < 0)
		return rc;
	if (strcmp(p->node->level, "village") != 0)
		return POINTS_BAD_STATE - 1000;
	struct points_period *open = NULL;
	rc = points_store_period_open(c, p->r->arena, p->node->id, &open);
	if (rc < 0)
		return rc;
	if (rc == DB_ROW)
		return POINTS_BAD_STATE; /* close the open period first */
	int64_t id = 0;
	rc = points_store_period_insert(c, p->node->county_id, p->node->id, p->name,
					p->publicity_days, clock_now_ms(), &id);
	if (rc < 0)
		return db_conn_error_kind(c) == DB_ERR_UNIQUE ? POINTS_EXISTS : rc;
	rc = points_audit(c, p, arena_printf(p->r->arena, "points_period:%lld", (long long)id),
			  arena_printf(p->r->arena, "%s opened", p->name));
	if (rc < 0)
		return rc;
	p->status = 201;
	return period_reply_json(c, p, id);
}

int points_api_period_create(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.period.open", .publicity_days = 7};
	struct json_field spec[] = {
		{"node", JF_REF, true, 0, &p.ref, NULL},
		{"name", JF_STRING, true, 20, &p.name, NULL},
		{"publicity_days", JF_INT, false, 0, &p.publicity_days, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (http_text_blank(p.name))
		return http_reply_problem(r, "request.bad_field", "name: e.g. 2026Q4", "name");
	if (p.publicity_days < 1 || p.publicity_days > 60)
		return http_reply_problem(r, "request.bad_field", "publicity_days: 1 to 60",
					  "publicity_days");
	int rc = db_tx_run(r->db, period_create_tx, &p);
	if (rc == POINTS_BAD_STATE - 1000)
		return http_reply_problem(r, "request.bad_field", "node: periods belong to a village",
					  "node");
	if (rc < 0)
		return points_reply_error(&p, rc);
	return http_reply_json(r, 201, p.out);
}

static int period_transition_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	struct points_period *per = NULL;
	int rc = points_store_period_get(c, p->r->arena, p->id, &per);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return POINTS_NOT_FOUND;
	p->node_id = per->node_id;
	if (!auth_can(p->r->user, ROLES_PEOPLE, per->node_path))
		return POINTS_FORBIDDEN;
	p->ref = arena_printf(p->r->arena, "%lld", (long long)per->node_id);
	rc = points_node(c, p, ROLES_PEOPLE);
	if (rc < 0)
		return rc;
	int64_t now = clock_now_ms(), n = 0;
	const char *verb = p->text;
	const char *to = NULL, *seal = NULL;
	int64_t until = 0;
	char hash[65];
	if (strcmp(verb, "close") == 0) {
		if (strcmp(per->status, "open") != 0) {
			p->why = "only an open period can be closed";
			return POINTS_BAD_STATE;
		}
		to = "closed";
	} else if (strcmp(verb, "publish") == 0) {
		if (strcmp(per->status, "closed") != 0) {
			p->why = "only a closed period can be published";
			return POINTS_BAD_STATE;
		}
		rc = points_store_period_count(c, per->id, "pending_entries", &n);
		if (rc < 0)
			return rc;
		if (n > 0) {
			p->why = arena_printf(p->r->arena, "%lld entries are still pending: approve or "
							   "reject them first",
					      (long long)n);
			return POINTS_BAD_STATE;
		}
		to = "publicity";
		until = now + per->publicity_days * 86400000LL;
	} else {
		if (strcmp(per->status, "publicity") != 0) {
			p->why = "only a period in publicity (公示) can be sealed";
			return POINTS_BAD_STATE;
		}
		if (now < per->publicity_until) {
			p->why = "the public display (公示) has not ended";
			return POINTS_BAD_STATE;
		}
		rc = points_store_period_count(c, per->id, "open_objections", &n);
		if (rc < 0)
			return rc;
		if (n > 0) {
			p->why = arena_printf(p->r->arena, "%lld objections are still open", (long long)n);
			return POINTS_BAD_STATE;
		}
		rc = points_period_hash(c, per->id, hash);
		if (rc < 0)
			return rc;
		to = "sealed";
		seal = hash;
	}
	rc = points_store_period_set(c, per->id, to, until, seal, now);
	if (rc < 0)
		return rc;
	rc = points_audit(c, p, arena_printf(p->r->arena, "points_period:%lld", (long long)per->id),
			  arena_printf(p->r->arena, "%s: %s → %s%s%s", per->name, per->status, to,
				       seal ? " seal " : "", seal ? seal : ""));
	if (rc < 0)
		return rc;
	return period_reply_json(c, p, per->id);
}

int points_api_period_transition(struct http_req *r)
{
	struct points_ctx p = {.r = r, .text = r->params[1]};
	if (points_path_id(&p) < 0)
		return HTTP_DONE;
	if (strcmp(p.text, "close") != 0 && strcmp(p.text, "publish") != 0 &&
	    strcmp(p.text, "seal") != 0)
		return http_reply_problem(r, "request.not_found", "close, publish or seal", NULL);
	p.action = arena_printf(r->arena, "points.period.%s", p.text);
	return points_run(&p, period_transition_tx, true);
}
