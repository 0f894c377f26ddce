/* points_entries_api.c — scoring entries (maker enters, checker approves), reversals,
 * spot-checks and objections during the public display (公示). */
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

static const unsigned POINTS_READ = ROLES_PEOPLE | ROLE_VOLUNTEER;

/* The ledger transfer that applies (or, with sign -1, undoes) an entry's points. */
static int entry_transfer(struct db_conn *c, const struct points_entry *e, int64_t points,
			  int64_t entry_id)
{
	char hh[32], pool[32];
	points_account(hh, "hh", e->household_id);
	points_account(pool, "pool", e->node_id);
	struct points_transfer t = {.county_id = e->county_id, .node_id = e->node_id,
				    .debit = points > 0 ? pool : hh, .credit = points > 0 ? hh : pool,
				    .amount = points > 0 ? points : -points,
				    .phase = POINTS_POSTED, .entry_id = entry_id};
	int64_t id = 0;
	return points_ledger_post(c, &t, clock_now_ms(), &id);
}

static int entry_reply(struct db_conn *c, struct points_ctx *p, int64_t id)
{
	int rc = points_store_entry_json(c, id, &p->out);
	return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_HARD_ERROR;
}

/* ---- list ---- */

static int entries_list_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	int rc = points_node(c, p, POINTS_READ);
	if (rc < 0)
		return rc;
	p->out = json_array();
	rc = points_store_entries_json(c, p->node->path, p->period_id, p->household,
				       p->status_filter, p->out);
	if (rc < 0)
		return rc;
	p->out = json_pack("{s:o}", "items", p->out);
	return 0;
}

int points_api_entries_list(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.entry.list"};
	if (points_list_args(&p) < 0)
		return HTTP_DONE;
	return points_run(&p, entries_list_tx, false);
}

/* ---- create (maker) ---- */

static int entry_create_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	struct arena *a = p->r->arena;
	/* The whole body: household, item, note and evidence, each whole (no truncation). */
	char hash[65];
	char *hash_input = arena_printf(a, "%lld\x1f%s\x1f%s\x1f%s\x1f%d", (long long)p->household,
					p->item_ref, p->note ? p->note : "",
					p->evidence ? p->evidence : "", p->evidence != NULL);
	crypto_sm3_hex(hash_input, strlen(hash_input), hash);
	struct points_entry *prior = NULL;
	int rc = points_store_entry_by_key(c, a, p->key, &prior);
	if (rc < 0)
		return rc;
	if (rc == DB_ROW) {
		p->node_id = prior->node_id;
		if (!auth_can(p->r->user, ROLES_PEOPLE, prior->node_path))
			return POINTS_FORBIDDEN;
		if (strcmp(prior->body_hash, hash) != 0)
			return POINTS_IDEMPOTENCY;
		p->status = 200; /* a retry (an offline phone syncing again): the same entry */
		return entry_reply(c, p, prior->id);
	}
	struct org_node *hnode = NULL;
	rc = points_household_node(c, p, p->household, ROLES_PEOPLE, &hnode);
	if (rc < 0)
		return rc;
	/* The item: an id, or a code of the household's village (the household may sit on a
	 * group below it: look the code up on each node from there to the village). */
	struct points_item *it = NULL;
	int64_t item_id = 0;
	if (http_parse_id(p->item_ref, &item_id) == 0) {
		rc = points_store_item_get(c, a, item_id, &it);
	} else {
		struct org_node *n = hnode;
		for (;;) {
			rc = points_store_item_current(c, a, n->id, p->item_ref, &it);
			if (rc != DB_DONE || strcmp(n->level, "village") == 0 || !n->parent_id)
				break;
			char up[24];
			snprintf(up, sizeof(up), "%lld", (long long)n->parent_id);
			rc = org_store_get(c, a, up, &n);
			if (rc != DB_ROW)
				break;
		}
	}
	if (rc < 0)
		return rc;
	if (rc != DB_ROW || !it->current ||
	    strncmp(hnode->path, it->node_path, strlen(it->node_path)) != 0)
		return POINTS_NOT_FOUND - 102;
	if (it->evidence_required && (!p->evidence || !*p->evidence))
		return POINTS_EVIDENCE;
	char ref[24];
	snprintf(ref, sizeof(ref), "%lld", (long long)it->node_id);
	struct org_node *village = NULL;
	rc = org_store_get(c, a, ref, &village);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	struct points_period *per = NULL;
	rc = points_open_period(c, p, village, &per);
	if (rc < 0)
		return rc;
	struct points_entry_in in = {.county_id = village->county_id, .node_id = village->id,
				     .period_id = per->id, .household_id = p->household,
				     .item_id = it->id, .points = it->points,
				     .maker_id = p->r->user->id, .note = p->note,
				     .evidence = p->evidence, .key = p->key, .body_hash = hash,
				     .status = "pending"};
	int64_t id = 0;
	rc = points_store_entry_insert(c, &in, clock_now_ms(), &id);
	if (rc < 0)
		return rc;
	p->node_id = village->id;
	rc = points_audit(c, p, arena_printf(a, "points_entry:%lld", (long long)id),
			  arena_printf(a, "household %lld, %s %+lld, %s", (long long)p->household,
				       it->code, (long long)it->points, per->name));
	if (rc < 0)
		return rc;
	p->status = 201;
	return entry_reply(c, p, id);
}

int points_api_entry_create(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.entry.create", .note = ""};
	struct json_field spec[] = {
		{"household", JF_INT, true, 0, &p.household, NULL},
		{"item", JF_REF, true, 0, &p.item_ref, NULL},
		{"note", JF_STRING, false, 500, &p.note, NULL},
		{"idempotency_key", JF_STRING, true, 100, &p.key, NULL},
		{"evidence", JF_STRING, false, 500, &p.evidence, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (p.household <= 0)
		return http_reply_problem(r, "request.bad_field", "household: a household id",
					  "household");
	if (strlen(p.key) < 8)
		return http_reply_problem(r, "request.bad_field",
					  "idempotency_key: 8 to 100 characters, unique per entry",
					  "idempotency_key");
	return points_run(&p, entry_create_tx, true);
}

/* ---- approve, reject (checker) ---- */

static int entry_decide_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	struct arena *a = p->r->arena;
	struct points_entry *e = NULL;
	int rc = points_store_entry_get(c, a, p->id, &e);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return POINTS_NOT_FOUND;
	p->node_id = e->node_id;
	if (!auth_can(p->r->user, ROLES_PEOPLE, e->node_path))
		return POINTS_FORBIDDEN;
	if (e->maker_id == p->r->user->id)
		return POINTS_MAKER_CHECKER;
	if (strcmp(e->status, "pending") != 0)
		return POINTS_BAD_STATE;
	struct points_period *per = NULL;
	rc = points_store_period_get(c, a, e->period_id, &per);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	if (strcmp(per->status, "open") != 0 && strcmp(per->status, "closed") != 0)
		return POINTS_BAD_STATE;
	bool approve = p->ok;
	if (approve) {
		rc = entry_transfer(c, e, e->points, e->id);
		if (rc < 0)
			return rc;
	}
	rc = points_store_entry_decide(c, e->id, approve ? "approved" : "rejected", p->r->user->id,
				       clock_now_ms());
	if (rc < 0)
		return rc;
	rc = points_audit(c, p, arena_printf(a, "points_entry:%lld", (long long)e->id),
			  approve ? "approved" : p->reason ? p->reason : "rejected");
	if (rc < 0)
		return rc;
	return entry_reply(c, p, e->id);
}

int points_api_entry_approve(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.entry.approve", .ok = true};
	if (points_path_id(&p) < 0)
		return HTTP_DONE;
	return points_run(&p, entry_decide_tx, true);
}

int points_api_entry_reject(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.entry.reject", .ok = false};
	if (points_path_id(&p) < 0)
		return HTTP_DONE;
	if (r->body_len) {
		struct json_field spec[] = {
			{"reason", JF_STRING, false, 300, &p.reason, NULL},
			{NULL, 0, false, 0, NULL, NULL},
		};
		if (http_json_fields(r, spec) < 0)
			return HTTP_DONE;
	}
	return points_run(&p, entry_decide_tx, true);
}

/* ---- reverse ---- */

/* Makes the reversing entry of e (approved, posted at once) and returns its id. */
static int entry_reverse(struct db_conn *c, struct points_ctx *p, const struct points_entry *e,
			 const char *reason, int64_t *rev_id)
{
	struct arena *a = p->r->arena;
	if (strcmp(e->status, "approved") != 0 || e->reverses_id)
		return POINTS_BAD_STATE;
	/* The reversal lands in the entry's period while that is not sealed, else in the
	 * village's open period. */
	struct points_period *per = NULL;
	int rc = points_store_period_get(c, a, e->period_id, &per);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	if (strcmp(per->status, "sealed") == 0) {
		char ref[24];
		snprintf(ref, sizeof(ref), "%lld", (long long)e->node_id);
		struct org_node *village = NULL;
		rc = org_store_get(c, a, ref, &village);
		if (rc != DB_ROW)
			return rc < 0 ? rc : DB_HARD_ERROR;
		rc = points_open_period(c, p, village, &per);
		if (rc < 0)
			return rc;
	}
	char key[48], hash[65];
	snprintf(key, sizeof(key), "reversal-of-%lld", (long long)e->id);
	crypto_sm3_hex(key, strlen(key), hash);
	struct points_entry_in in = {.county_id = e->county_id, .node_id = e->node_id,
				     .period_id = per->id, .household_id = e->household_id,
				     .item_id = e->item_id, .points = -e->points,
				     .maker_id = p->r->user->id, .checker_id = p->r->user->id,
				     .reverses_id = e->id, .note = "", .key = key, .body_hash = hash,
				     .status = "approved", .reason = reason};
	rc = points_store_entry_insert(c, &in, clock_now_ms(), rev_id);
	if (rc < 0)
		return db_conn_error_kind(c) == DB_ERR_UNIQUE ? POINTS_ALREADY_REVERSED : rc;
	return entry_transfer(c, e, -e->points, *rev_id);
}

static int entry_reverse_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	struct points_entry *e = NULL;
	int rc = points_store_entry_get(c, p->r->arena, p->id, &e);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return POINTS_NOT_FOUND;
	p->node_id = e->node_id;
	if (!auth_can(p->r->user, ROLES_PEOPLE, e->node_path))
		return POINTS_FORBIDDEN;
	int64_t rev = 0;
	rc = entry_reverse(c, p, e, p->reason, &rev);
	if (rc < 0)
		return rc;
	rc = points_audit(c, p, arena_printf(p->r->arena, "points_entry:%lld", (long long)e->id),
			  arena_printf(p->r->arena, "reversed by entry %lld: %s", (long long)rev,
				       p->reason));
	if (rc < 0)
		return rc;
	p->status = 201;
	return entry_reply(c, p, rev);
}

int points_api_entry_reverse(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.entry.reverse"};
	if (points_path_id(&p) < 0)
		return HTTP_DONE;
	struct json_field spec[] = {
		{"reason", JF_STRING, true, 300, &p.reason, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (http_text_blank(p.reason))
		return http_reply_problem(r, "request.bad_field", "reason: required", "reason");
	return points_run(&p, entry_reverse_tx, true);
}

/* ---- spot-check (township and county staff) ---- */

static int spot_check_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	struct points_entry *e = NULL;
	int rc = points_store_entry_get(c, p->r->arena, p->id, &e);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return POINTS_NOT_FOUND;
	p->node_id = e->node_id;
	if (!auth_can(p->r->user, ROLE_TOWNSHIP_STAFF | ROLE_COUNTY_STAFF, e->node_path))
		return POINTS_FORBIDDEN;
	rc = points_store_spot_check(c, e->county_id, e->id, p->r->user->id, p->ok, p->note,
				     clock_now_ms());
	if (rc < 0)
		return rc;
	rc = points_audit(c, p, arena_printf(p->r->arena, "points_entry:%lld", (long long)e->id),
			  arena_printf(p->r->arena, "%s: %s", p->ok ? "confirmed" : "questioned",
				       p->note));
	if (rc < 0)
		return rc;
	p->status = 201;
	return entry_reply(c, p, e->id);
}

int points_api_entry_spot_check(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.entry.spot_check", .note = ""};
	if (points_path_id(&p) < 0)
		return HTTP_DONE;
	struct json_field spec[] = {
		{"ok", JF_BOOL, true, 0, &p.ok, NULL},
		{"note", JF_STRING, false, 300, &p.note, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	return points_run(&p, spot_check_tx, true);
}

/* ---- objections during the public display ---- */

static int objection_create_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	struct arena *a = p->r->arena;
	struct points_entry *e = NULL;
	int rc = points_store_entry_get(c, a, p->id, &e);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return POINTS_NOT_FOUND;
	p->node_id = e->node_id;
	if (!auth_can(p->r->user, ROLES_PEOPLE, e->node_path))
		return POINTS_FORBIDDEN;
	struct points_period *per = NULL;
	rc = points_store_period_get(c, a, e->period_id, &per);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	if (strcmp(per->status, "publicity") != 0 || clock_now_ms() >= per->publicity_until ||
	    strcmp(e->status, "approved") != 0)
		return POINTS_BAD_STATE;
	int64_t id = 0;
	rc = points_store_objection_insert(c, e->county_id, e->id, per->id, p->text,
					   p->r->user->id, clock_now_ms(), &id);
	if (rc < 0)
		return rc;
	rc = points_audit(c, p, arena_printf(a, "points_objection:%lld", (long long)id), p->text);
	if (rc < 0)
		return rc;
	p->status = 201;
	p->out = json_pack("{s:I, s:I, s:I, s:s, s:s}", "id", (json_int_t)id, "entry_id",
			   (json_int_t)e->id, "period_id", (json_int_t)per->id, "text", p->text,
			   "status", "open");
	return 0;
}

int points_api_objection_create(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.objection.create"};
	struct json_field spec[] = {
		{"entry", JF_INT, true, 0, &p.id, NULL},
		{"text", JF_STRING, true, 500, &p.text, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (http_text_blank(p.text) || p.id <= 0)
		return http_reply_problem(r, "request.bad_field", "entry and text are required",
					  p.id <= 0 ? "entry" : "text");
	return points_run(&p, objection_create_tx, true);
}

static int objection_decide_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	struct arena *a = p->r->arena;
	struct points_objection *o = NULL;
	int rc = points_store_objection_get(c, a, p->id, &o);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return POINTS_NOT_FOUND;
	if (!auth_can(p->r->user, ROLES_PEOPLE, o->node_path))
		return POINTS_FORBIDDEN;
	if (strcmp(o->status, "open") != 0)
		return POINTS_BAD_STATE;
	struct points_entry *e = NULL;
	rc = points_store_entry_get(c, a, o->entry_id, &e);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	p->node_id = e->node_id;
	int64_t rev = 0;
	if (p->uphold) {
		rc = entry_reverse(c, p, e, arena_printf(a, "异议 %lld 成立：%s",
							 (long long)o->id, p->decision),
				   &rev);
		if (rc < 0)
			return rc;
	}
	rc = points_store_objection_decide(c, o->id, p->uphold ? "upheld" : "rejected", p->decision,
					   p->r->user->id, rev, clock_now_ms());
	if (rc < 0)
		return rc;
	if (rc == 0)
		return POINTS_BAD_STATE;
	rc = points_audit(c, p, arena_printf(a, "points_objection:%lld", (long long)o->id),
			  arena_printf(a, "%s: %s", p->uphold ? "upheld" : "rejected", p->decision));
	if (rc < 0)
		return rc;
	p->out = json_pack("{s:I, s:I, s:s, s:s, s:o}", "id", (json_int_t)o->id, "entry_id",
			   (json_int_t)o->entry_id, "status", p->uphold ? "upheld" : "rejected",
			   "decision", p->decision, "reversal_id",
			   rev ? json_integer(rev) : json_null());
	return 0;
}

int points_api_objection_decide(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.objection.decide"};
	if (points_path_id(&p) < 0)
		return HTTP_DONE;
	struct json_field spec[] = {
		{"uphold", JF_BOOL, true, 0, &p.uphold, NULL},
		{"decision", JF_STRING, true, 500, &p.decision, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (http_text_blank(p.decision))
		return http_reply_problem(r, "request.bad_field", "decision: required", "decision");
	return points_run(&p, objection_decide_tx, true);
}

static int objections_list_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	int rc = points_node(c, p, POINTS_READ);
	if (rc < 0)
		return rc;
	p->out = json_array();
	rc = points_store_objections_json(c, p->node->path, p->period_id, p->out);
	if (rc < 0)
		return rc;
	p->out = json_pack("{s:o}", "items", p->out);
	return 0;
}

int points_api_objections_list(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.objection.list"};
	if (points_list_args(&p) < 0)
		return HTTP_DONE;
	return points_run(&p, objections_list_tx, false);
}
