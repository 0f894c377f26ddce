/* requests_api_common.h — what the requests route files share. */
#ifndef TALA_REQUESTS_API_COMMON_H
#define TALA_REQUESTS_API_COMMON_H

#include "http/http.h"
#include "modules/requests/requests_store.h"

struct org_node;

enum requests_outcome {
	REQ_NOT_FOUND = -400,
	REQ_FORBIDDEN = -401,
	REQ_BAD_STATE = -402,
	REQ_NODE_NOT_FOUND = -403,
	REQ_CATEGORY_NOT_FOUND = -404,
	REQ_VOLUNTEER_NOT_FOUND = -405,
	REQ_NOT_ELIGIBLE = -406,
	REQ_EXISTS = -407,
	REQ_NOT_VOLUNTEER = -408,
};

struct requests_ctx {
	struct http_req *r;
	const char *action, *ref, *text, *note, *reason, *status_filter, *verb;
	const char *actor; /* the audit log's "who" when nobody signs in (an Open311 api key) */
	struct org_node *node;
	struct requests_order *order;
	int64_t id, node_id, volunteer, minutes, rating;
	bool flag_a, flag_b, overdue;
	bool automatic; /* steps Tala takes by itself (fallback, escalation): no user in events */
	json_t *out;
	int status;
	void *extra;
};

int requests_reply_error(struct requests_ctx *q, int rc);
int requests_run(struct requests_ctx *q, int (*fn)(struct db_conn *, void *), bool write);
int requests_path_id(struct requests_ctx *q);
int requests_audit(struct db_conn *c, struct requests_ctx *q, const char *object,
		   const char *detail);
/* Resolves q->ref (or the user's first grant with roles) into q->node, checking roles. */
int requests_node(struct db_conn *c, struct requests_ctx *q, unsigned roles);
/* Offers the order to its best eligible candidate, escalating when nobody at this level can
 * take it; with none anywhere, hands it back to the handler (status new). */
int requests_offer_next(struct db_conn *c, struct requests_ctx *q, struct requests_order *o,
			const char *why);
/* Voids offers past their time under path and falls back for each. */
int requests_sweep(struct db_conn *c, struct requests_ctx *q, const char *path);
/* A fresh ticket code: 10 characters without look-alikes (0/O, 1/I). */
void requests_ticket(char out[11]);

/* An order from an Open311 client (open311_api.c), placed on q->node (a village or group the
 * client's api key covers) as source open311, with its event and audit entry. */
struct requests_open311_order {
	const char *category, *text, *address, *urgency, *name, *phone;
	double lat, lon;
	bool has_location;
	int64_t household;
};
int requests_open311_create(struct db_conn *c, struct requests_ctx *q,
			    const struct requests_open311_order *f);

#endif
