/* requests_store.h — the SQL of orders, offers, events, volunteers and categories
 * (requests_store.c). Each runs in the caller's transaction; rows are copied to the arena. */
#ifndef TALA_REQUESTS_STORE_H
#define TALA_REQUESTS_STORE_H

#include "modules/requests/requests.h"

struct arena;

struct requests_category {
	int64_t id;
	const char *code, *name, *tier, *specialty;
};

struct requests_order {
	int64_t id, county_id, node_id, handler_node_id, category_id, household_id, volunteer_id;
	int64_t filed_by, due_at, created_at, first_accepted_at, done_at, minutes, redo_count;
	double lat, lon;
	bool has_location, rated;
	const char *level, *urgency, *tier, *status, *ticket, *text, *node_path, *handler_path;
	const char *specialty, *category_code;
};

struct requests_volunteer {
	int64_t id, county_id, node_id, user_id;
	bool grid_member;
	const char *name, *node_path;
};

int requests_store_category(struct db_conn *c, struct arena *a, const char *code_or_id,
			    struct requests_category **out);
int requests_store_order(struct db_conn *c, struct arena *a, int64_t id,
			 struct requests_order **out);
int requests_store_order_by_ticket(struct db_conn *c, struct arena *a, const char *ticket,
				   struct requests_order **out);
int requests_store_volunteer(struct db_conn *c, struct arena *a, int64_t id,
			     struct requests_volunteer **out);
int requests_store_volunteer_of_user(struct db_conn *c, struct arena *a, int64_t user_id,
				     struct requests_volunteer **out);

struct requests_order_in {
	int64_t county_id, node_id, handler_node_id, category_id, household_id, filed_by, due_at;
	double lat, lon;
	bool has_location;
	const char *text, *address, *urgency, *tier, *ticket, *resident_name, *resident_phone;
	const char *source, *external_id;
};
int requests_store_order_insert(struct db_conn *c, const struct requests_order_in *o,
				int64_t now_ms, int64_t *id);
/* Sets status (and the volunteer when vol >= 0; 0 clears it). */
int requests_store_order_status(struct db_conn *c, int64_t id, const char *status, int64_t vol);
int requests_store_order_set(struct db_conn *c, int64_t id, const char *field, int64_t value);
int requests_store_order_escalate(struct db_conn *c, int64_t id, const char *level,
				  int64_t handler_node_id);
int requests_store_order_visit(struct db_conn *c, int64_t id, bool resolved, bool satisfied,
			       int64_t now_ms);
int requests_store_event(struct db_conn *c, int64_t order_id, const char *kind, int64_t user_id,
			 int64_t volunteer_id, const char *detail, int64_t now_ms);

/* Candidates for an order: volunteers under path, minus those who declined or let an offer
 * expire on it, with their active load. Fills an arena array; returns the count. */
int requests_store_candidates(struct db_conn *c, struct arena *a, const char *path,
			      int64_t order_id, struct requests_candidate **out);
int requests_store_offer(struct db_conn *c, int64_t order_id, int64_t vol, int rank,
			 const char *reasons, int64_t now_ms, int64_t respond_by, int64_t *id);
/* The open offer of an order (DB_ROW with *offer_id, *vol) or DB_DONE. */
int requests_store_open_offer(struct db_conn *c, int64_t order_id, int64_t *offer_id,
			      int64_t *vol, int64_t *respond_by);
int requests_store_offer_close(struct db_conn *c, int64_t offer_id, const char *status,
			       int64_t now_ms);
/* Orders under path with an offer past its time (at most max). */
int requests_store_expired_offers(struct db_conn *c, const char *path, int64_t now_ms,
				  int64_t *order_ids, int max);
int requests_store_rate_volunteer(struct db_conn *c, int64_t vol, int rating);

/* JSON views */
int requests_store_orders_json(struct db_conn *c, const char *path, const char *status,
			       bool overdue, int64_t volunteer_id, int64_t now_ms, json_t *items);
int requests_store_order_json(struct db_conn *c, int64_t id, bool full, json_t **out);
int requests_store_events_json(struct db_conn *c, int64_t order_id, bool full, json_t *items);
int requests_store_offers_json(struct db_conn *c, int64_t order_id, json_t *items);
int requests_store_categories_json(struct db_conn *c, json_t *items);

#endif
