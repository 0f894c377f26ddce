/* points_api_common.h — what points_api.c and points_shop_api.c share: the request context,
 * scope checks and the mapping of outcomes to problem codes. */
#ifndef TALA_POINTS_API_COMMON_H
#define TALA_POINTS_API_COMMON_H

#include "http/http.h"
#include "modules/points/points.h"
#include "modules/points/points_store.h"

struct org_node;

struct points_ctx {
	struct http_req *r;
	const char *action;      /* audit action, also used for denials */
	const char *ref;         /* a node reference from the request */
	struct org_node *node;   /* resolved node */
	int64_t id;              /* the id in the path */
	int64_t node_id;         /* for audit */
	json_t *out;
	int status;              /* 200 or 201 for the reply */
	const char *why;         /* detail for a POINTS_BAD_STATE answer */
	/* request fields */
	const char *code, *name, *category, *decision, *note, *evidence, *key, *reason, *text;
	const char *item_ref, *status_filter;
	int64_t points, household, quantity, goods, publicity_days, period_id;
	bool evidence_required, ok, uphold, all_versions;
	bool have_points, have_evidence_required;
};

/* Resolves p->ref (or the user's first grant with one of roles) to p->node and checks the
 * user holds one of roles there. 0, or a negative outcome. */
int points_node(struct db_conn *c, struct points_ctx *p, unsigned roles);
/* Loads a household's node and checks roles on it; sets *node. */
int points_household_node(struct db_conn *c, struct points_ctx *p, int64_t household,
			  unsigned roles, struct org_node **node);
/* Appends an audit entry for p->action on object, in the current transaction. */
int points_audit(struct db_conn *c, struct points_ctx *p, const char *object, const char *detail);
/* Replies with the problem matching a negative outcome (or the database error). */
int points_reply_error(struct points_ctx *p, int rc);
/* Runs fn in a write (or read) transaction and replies p->out with p->status, or the error. */
int points_run(struct points_ctx *p, int (*fn)(struct db_conn *, void *), bool write);
/* Parses the id in the path (params[0]); replies 400 and returns -1 when it is bad. */
int points_path_id(struct points_ctx *p);
/* Reads node, status, period and household from the query; replies 400 on a bad one. */
int points_list_args(struct points_ctx *p);
/* The open period of a village, opening the current quarter (e.g. 2026Q4) if none is. */
int points_open_period(struct db_conn *c, struct points_ctx *p, const struct org_node *village,
		       struct points_period **out);
/* Expires held redemptions under path whose time ran out (voids holds, restocks). */
int points_expire_holds(struct db_conn *c, struct points_ctx *p, const char *path);

#endif
