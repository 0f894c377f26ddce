/* org_api.c — routes of the org tree and party organisations. Reading a node needs any
 * role covering it; writing needs system_admin or county_staff covering the parent. */
#include "org/org_api.h"

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/clock.h"
#include "core/mem.h"
#include "org/org.h"
#include "store/db.h"

#include <string.h>

enum { ORG_NOT_FOUND = -100, ORG_FORBIDDEN = -101, ORG_EXISTS = -102, ORG_BAD_LEVEL = -103 };

struct org_ctx {
	struct http_req *r;
	const char *ref, *code, *name, *level, *kind;
	struct org_node *node;
	json_t *out;
	int64_t id;
};

static int org_reply(struct http_req *r, struct org_ctx *o, int rc, const char *action)
{
	json_decref(o->out);
	o->out = NULL;
	switch (rc) {
	case ORG_NOT_FOUND:
		return http_reply_problem(r, "org.node_not_found", o->ref, NULL);
	case ORG_FORBIDDEN:
		return http_forbid(r, action, arena_printf(r->arena, "org_node:%s", o->ref),
				   o->node ? o->node->id : 0);
	case ORG_EXISTS:
		return http_reply_problem(r, "org.code_exists", o->code, "code");
	case ORG_BAD_LEVEL:
		return http_reply_problem(r, "org.bad_level",
					  arena_printf(r->arena, "%s cannot sit under a %s", o->level,
						       o->node ? o->node->level : "?"),
					  "level");
	default:
		return http_reply_db_error(r, rc);
	}
}

/* The node named by o->ref, checked against roles. */
static int org_load(struct db_conn *c, struct org_ctx *o, unsigned roles)
{
	int rc = org_store_get(c, o->r->arena, o->ref, &o->node);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return ORG_NOT_FOUND;
	if (!auth_can(o->r->user, roles, o->node->path))
		return ORG_FORBIDDEN;
	return 0;
}

static int roots_tx(struct db_conn *c, void *ctx)
{
	struct org_ctx *o = ctx;
	const struct auth_user *u = o->r->user;
	for (int i = 0; i < u->ngrants; i++) {
		/* Skip a grant inside another grant's subtree, and repeats. */
		bool covered = false;
		for (int k = 0; k < u->ngrants && !covered; k++) {
			const char *a = u->grants[i].node_path, *b = u->grants[k].node_path;
			covered = k != i && strncmp(a, b, strlen(b)) == 0 &&
				  (strlen(a) > strlen(b) || k < i);
		}
		if (covered)
			continue;
		char ref[24];
		snprintf(ref, sizeof(ref), "%lld", (long long)u->grants[i].node_id);
		struct org_node *n = NULL;
		int rc = org_store_get(c, o->r->arena, ref, &n);
		if (rc < 0)
			return rc;
		if (rc == DB_ROW)
			json_array_append_new(o->out, org_node_json(n));
	}
	return 0;
}

static int children_tx(struct db_conn *c, void *ctx)
{
	struct org_ctx *o = ctx;
	int rc = org_load(c, o, ROLES_ALL);
	if (rc < 0)
		return rc;
	return org_store_children(c, o->node->id, o->out);
}

int org_api_nodes_list(struct http_req *r)
{
	struct org_ctx o = {.r = r, .ref = http_query(r, "parent"), .out = json_array()};
	if (o.ref && (!*o.ref || strlen(o.ref) > 64)) {
		json_decref(o.out);
		return http_reply_problem(r, "request.bad_query", "parent: a node code or id", "parent");
	}
	int rc = db_read_run(r->db, o.ref ? children_tx : roots_tx, &o);
	if (rc < 0)
		return org_reply(r, &o, rc, "org.node.read");
	return http_reply_json(r, 200, json_pack("{s:o}", "items", o.out));
}

static int node_get_tx(struct db_conn *c, void *ctx)
{
	struct org_ctx *o = ctx;
	int rc = org_load(c, o, ROLES_ALL);
	if (rc < 0)
		return rc;
	o->out = org_node_json(o->node);
	json_t *path = json_array(), *party = json_array();
	json_object_set_new(o->out, "path", path);
	json_object_set_new(o->out, "party_orgs", party);
	rc = org_store_ancestors(c, o->node->path, path);
	if (rc < 0)
		return rc;
	return org_store_party_orgs(c, o->node->id, party);
}

int org_api_node_get(struct http_req *r)
{
	struct org_ctx o = {.r = r, .ref = r->params[0]};
	int rc = db_read_run(r->db, node_get_tx, &o);
	if (rc < 0)
		return org_reply(r, &o, rc, "org.node.read");
	return http_reply_json(r, 200, o.out);
}

static int org_audit(struct db_conn *c, struct org_ctx *o, const char *action, int64_t node_id,
		     const char *detail)
{
	struct audit_entry e = {.action = action,
				.object = arena_printf(o->r->arena, "org_node:%lld", (long long)node_id),
				.node_id = node_id, .result = "ok", .detail = detail};
	http_audit_actor(o->r, &e);
	int64_t rc = audit_append(c, &e, clock_now_ms());
	return rc < 0 ? (int)rc : 0;
}

static int node_create_tx(struct db_conn *c, void *ctx)
{
	struct org_ctx *o = ctx;
	int rc = org_load(c, o, ROLES_ORG_WRITE);
	if (rc < 0)
		return rc;
	if (org_level_rank(o->level) <= org_level_rank(o->node->level))
		return ORG_BAD_LEVEL;
	rc = org_store_create(c, o->node, o->code, o->name, o->level, clock_now_ms(), &o->id);
	if (rc < 0)
		return db_conn_error_kind(c) == DB_ERR_UNIQUE ? ORG_EXISTS : rc;
	rc = org_audit(c, o, "org.node.create", o->id,
		       arena_printf(o->r->arena, "%s %s (%s) under %s", o->level, o->code, o->name,
				    o->node->code));
	if (rc < 0)
		return rc;
	char ref[24];
	snprintf(ref, sizeof(ref), "%lld", (long long)o->id);
	struct org_node *n = NULL;
	rc = org_store_get(c, o->r->arena, ref, &n);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	o->out = org_node_json(n);
	return 0;
}

int org_api_node_create(struct http_req *r)
{
	struct org_ctx o = {.r = r};
	struct json_field spec[] = {
		{"parent", JF_REF, true, 0, &o.ref, NULL},
		{"code", JF_STRING, true, 64, &o.code, NULL},
		{"name", JF_STRING, true, 100, &o.name, NULL},
		{"level", JF_STRING, true, 16, &o.level, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (!org_code_valid(o.code))
		return http_reply_problem(r, "request.bad_field",
					  "code: 1–64 of A-Z a-z 0-9 _ . -, not only digits", "code");
	if (org_level_rank(o.level) < 0)
		return http_reply_problem(r, "request.bad_field",
					  "level: one of region, city, county, town, village, group",
					  "level");
	if (http_text_blank(o.name))
		return http_reply_problem(r, "request.bad_field", "name: required", "name");
	int rc = db_tx_run(r->db, node_create_tx, &o);
	if (rc < 0)
		return org_reply(r, &o, rc, "org.node.create");
	return http_reply_json(r, 201, o.out);
}

static int node_rename_tx(struct db_conn *c, void *ctx)
{
	struct org_ctx *o = ctx;
	int rc = org_load(c, o, ROLES_ORG_WRITE);
	if (rc < 0)
		return rc;
	rc = org_store_rename(c, o->node->id, o->name);
	if (rc < 0)
		return rc;
	rc = org_audit(c, o, "org.node.rename", o->node->id,
		       arena_printf(o->r->arena, "%s → %s", o->node->name, o->name));
	if (rc < 0)
		return rc;
	o->node->name = o->name;
	o->out = org_node_json(o->node);
	return 0;
}

int org_api_node_update(struct http_req *r)
{
	struct org_ctx o = {.r = r, .ref = r->params[0]};
	struct json_field spec[] = {
		{"name", JF_STRING, true, 100, &o.name, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (http_text_blank(o.name))
		return http_reply_problem(r, "request.bad_field", "name: required", "name");
	int rc = db_tx_run(r->db, node_rename_tx, &o);
	if (rc < 0)
		return org_reply(r, &o, rc, "org.node.rename");
	return http_reply_json(r, 200, o.out);
}

static int party_create_tx(struct db_conn *c, void *ctx)
{
	struct org_ctx *o = ctx;
	int rc = org_load(c, o, ROLES_ORG_WRITE);
	if (rc < 0)
		return rc;
	rc = org_store_party_org_create(c, o->node->id, o->name, o->kind, clock_now_ms(), &o->id);
	if (rc < 0)
		return rc;
	rc = org_audit(c, o, "org.party_org.create", o->node->id,
		       arena_printf(o->r->arena, "%s (%s)", o->name, o->kind));
	if (rc < 0)
		return rc;
	o->out = json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)o->id, "name", o->name, "kind",
			   o->kind, "node_id", (json_int_t)o->node->id);
	return 0;
}

int org_api_party_org_create(struct http_req *r)
{
	struct org_ctx o = {.r = r};
	struct json_field spec[] = {
		{"node", JF_REF, true, 0, &o.ref, NULL},
		{"name", JF_STRING, true, 100, &o.name, NULL},
		{"kind", JF_STRING, true, 32, &o.kind, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (strcmp(o.kind, "committee") != 0 && strcmp(o.kind, "general_branch") != 0 &&
	    strcmp(o.kind, "branch") != 0)
		return http_reply_problem(r, "request.bad_field",
					  "kind: committee, general_branch or branch", "kind");
	if (http_text_blank(o.name))
		return http_reply_problem(r, "request.bad_field", "name: required", "name");
	int rc = db_tx_run(r->db, party_create_tx, &o);
	if (rc < 0)
		return org_reply(r, &o, rc, "org.party_org.create");
	return http_reply_json(r, 201, o.out);
}
