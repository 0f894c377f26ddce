/* points_store.h — the SQL of the points module (points_store.c). Each function runs inside
 * the caller's transaction. Rows are copied into the arena. */
#ifndef TALA_POINTS_STORE_H
#define TALA_POINTS_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct arena;
struct db_conn;

struct points_item {
	int64_t id, county_id, node_id, version, points;
	const char *code, *name, *category, *decision, *node_path;
	bool evidence_required, current;
};

struct points_period {
	int64_t id, county_id, node_id, publicity_days, publicity_until;
	const char *name, *status, *seal_hash, *node_path;
};

struct points_entry {
	int64_t id, county_id, node_id, period_id, household_id, item_id, points;
	int64_t maker_id, checker_id, reverses_id;
	const char *status, *body_hash, *node_path;
};

struct points_goods {
	int64_t id, county_id, node_id, price, stock;
	const char *name, *node_path;
};

struct points_redemption {
	int64_t id, county_id, node_id, household_id, goods_id, quantity, amount, hold_id,
		expires_at;
	const char *status, *key, *node_path;
};

struct points_objection {
	int64_t id, entry_id, period_id;
	const char *status, *node_path;
};

/* Each returns DB_ROW (found, *out set), DB_DONE, or an error. */
int points_store_item_get(struct db_conn *c, struct arena *a, int64_t id, struct points_item **out);
int points_store_item_current(struct db_conn *c, struct arena *a, int64_t node_id,
			      const char *code, struct points_item **out);
int points_store_period_get(struct db_conn *c, struct arena *a, int64_t id,
			    struct points_period **out);
int points_store_period_open(struct db_conn *c, struct arena *a, int64_t node_id,
			     struct points_period **out);
int points_store_entry_get(struct db_conn *c, struct arena *a, int64_t id,
			   struct points_entry **out);
int points_store_entry_by_key(struct db_conn *c, struct arena *a, const char *key,
			      struct points_entry **out);
int points_store_goods_get(struct db_conn *c, struct arena *a, int64_t id,
			   struct points_goods **out);
int points_store_redemption_get(struct db_conn *c, struct arena *a, int64_t id,
				struct points_redemption **out);
int points_store_redemption_by_key(struct db_conn *c, struct arena *a, const char *key,
				   struct points_redemption **out);
int points_store_objection_get(struct db_conn *c, struct arena *a, int64_t id,
			       struct points_objection **out);

int points_store_item_insert(struct db_conn *c, const struct points_item *it, int64_t user_id,
			     int64_t now_ms, int64_t *id);
int points_store_item_retire(struct db_conn *c, int64_t id);
int points_store_period_insert(struct db_conn *c, int64_t county_id, int64_t node_id,
			       const char *name, int64_t publicity_days, int64_t now_ms,
			       int64_t *id);
/* Moves a period to status; publicity_until and seal_hash are written when non-zero/NULL. */
int points_store_period_set(struct db_conn *c, int64_t id, const char *status,
			    int64_t publicity_until, const char *seal_hash, int64_t now_ms);
int points_store_period_count(struct db_conn *c, int64_t period_id, const char *what,
			      int64_t *n); /* what: "pending_entries" or "open_objections" */

struct points_entry_in {
	int64_t county_id, node_id, period_id, household_id, item_id, points, maker_id;
	int64_t checker_id, reverses_id;
	const char *note, *evidence, *key, *body_hash, *status, *reason;
};
int points_store_entry_insert(struct db_conn *c, const struct points_entry_in *e, int64_t now_ms,
			      int64_t *id);
int points_store_entry_decide(struct db_conn *c, int64_t id, const char *status,
			      int64_t checker_id, int64_t now_ms);

int points_store_goods_insert(struct db_conn *c, int64_t county_id, int64_t node_id,
			      const char *name, int64_t price, int64_t stock, const char *source,
			      int64_t now_ms, int64_t *id);
/* Adds delta to stock; DB_DONE when that would go below zero. */
int points_store_goods_stock(struct db_conn *c, int64_t id, int64_t delta);
int points_store_redemption_insert(struct db_conn *c, const struct points_redemption *r,
				   int64_t now_ms, int64_t *id);
int points_store_redemption_set(struct db_conn *c, int64_t id, const char *status,
				int64_t now_ms);
/* Ids of held redemptions under path that expired before now (at most 100). */
int points_store_redemptions_expired(struct db_conn *c, const char *path, int64_t now_ms,
				     int64_t *ids, int max);

int points_store_objection_insert(struct db_conn *c, int64_t county_id, int64_t entry_id,
				  int64_t period_id, const char *text, int64_t user_id,
				  int64_t now_ms, int64_t *id);
int points_store_objection_decide(struct db_conn *c, int64_t id, const char *status,
				  const char *decision, int64_t user_id, int64_t reversal_id,
				  int64_t now_ms);
int points_store_spot_check(struct db_conn *c, int64_t county_id, int64_t entry_id,
			    int64_t user_id, bool ok, const char *note, int64_t now_ms);

/* JSON views, appended to items (lists) or returned (one). */
int points_store_items_json(struct db_conn *c, const char *path, bool all_versions, json_t *items);
int points_store_periods_json(struct db_conn *c, const char *path, json_t *items);
int points_store_entries_json(struct db_conn *c, const char *path, int64_t period_id,
			      int64_t household_id, const char *status, json_t *items);
int points_store_entry_json(struct db_conn *c, int64_t id, json_t **out);
int points_store_goods_json(struct db_conn *c, const char *path, json_t *items);
int points_store_redemptions_json(struct db_conn *c, const char *path, const char *status,
				  json_t *items);
int points_store_redemption_json(struct db_conn *c, int64_t id, json_t **out);
int points_store_objections_json(struct db_conn *c, const char *path, int64_t period_id,
				 json_t *items);
/* Households under path ranked by posted balance: [{rank, code, head, balance}], head
 * names masked. */
int points_store_ranking_json(struct db_conn *c, const char *path, json_t *items);
/* The report of a village or any node above, for one period name ("2026Q4") or all (NULL):
 * points by item and by village, participation (households with an approved entry among all
 * households), store turnover. Fills the object report. */
int points_store_report_json(struct db_conn *c, const char *path, const char *period,
			     json_t *report);

#endif
