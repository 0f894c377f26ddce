/* audit_api.c — GET /api/v1/audit: the auditor's view of the log, filtered by time, user
 * and action, newest first, paged by sequence number. Only the auditor role may read it. */
#include "audit/audit_api.h"

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/clock.h"
#include "org/org.h"
#include "store/db.h"

#include <string.h>

struct audit_api_ctx {
	struct http_req *r;
	struct audit_filter f;
	json_t *items;
	int64_t next;
};

static int audit_api_tx(struct db_conn *c, void *ctx)
{
	struct audit_api_ctx *a = ctx;
	int rc = audit_list(c, &a->f, a->items, &a->next);
	if (rc < 0)
		return rc;
	/* Reading the audit log is itself recorded. */
	struct audit_entry e = {.action = "audit.read", .object = "audit_log", .result = "ok",
				.detail = a->r->path};
	http_audit_actor(a->r, &e);
	int64_t arc = audit_append(c, &e, clock_now_ms());
	return arc < 0 ? (int)arc : 0;
}

int audit_api_list(struct http_req *r)
{
	const char *scope = NULL;
	for (int i = 0; i < r->user->ngrants; i++)
		if (r->user->grants[i].role == ROLE_AUDITOR &&
		    (!scope || strlen(r->user->grants[i].node_path) < strlen(scope)))
			scope = r->user->grants[i].node_path;
	if (!scope)
		return http_forbid(r, "audit.read", "audit_log", 0);
	struct audit_api_ctx a = {.r = r};
	int64_t limit = 0;
	if (http_query_int(r, "from", 0, 0, INT64_MAX / 2, &a.f.from_ms) < 0 ||
	    http_query_int(r, "to", 0, 0, INT64_MAX / 2, &a.f.to_ms) < 0 ||
	    http_query_int(r, "before", 0, 0, INT64_MAX / 2, &a.f.before_seq) < 0 ||
	    http_query_int(r, "limit", 50, 1, 500, &limit) < 0)
		return HTTP_DONE;
	a.f.limit = (int)limit;
	a.f.username = http_query(r, "user");
	a.f.action = http_query(r, "action");
	if (a.f.username && !*a.f.username)
		a.f.username = NULL;
	if (a.f.action && !*a.f.action)
		a.f.action = NULL;
	if ((a.f.username && strlen(a.f.username) > 64) || (a.f.action && strlen(a.f.action) > 64))
		return http_reply_problem(r, "request.bad_query", "user or action too long", NULL);
	/* An auditor on the root sees everything, including entries not tied to a node. */
	a.f.scope_path = org_path_is_root(scope) ? "/" : scope;
	a.items = json_array();
	int rc = db_tx_run(r->db, audit_api_tx, &a);
	if (rc < 0) {
		json_decref(a.items);
		return http_reply_db_error(r, rc);
	}
	return http_reply_json(r, 200,
			       json_pack("{s:o, s:o}", "items", a.items, "next",
					 a.next ? json_integer(a.next) : json_null()));
}
