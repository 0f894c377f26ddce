/* requests_store.c — the SQL of orders, offers, events, volunteers and categories. */
#include "modules/requests/requests_store.h"

#include "core/mem.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

#define ORDER_COLS                                                                         \
	"o.id, o.county_id, o.node_id, o.handler_node_id, o.category_id, "                     \
	"COALESCE(o.household_id, 0), COALESCE(o.volunteer_id, 0), COALESCE(o.filed_by, 0), "  \
	"o.due_at, o.created_at, o.first_accepted_at, o.done_at, o.minutes, o.redo_count, "     \
	"o.lat, o.lon, o.rating IS NOT NULL, o.level, o.urgency, o.tier, o.status, o.ticket, "  \
	"o.text, n.path, hn.path, k.specialty, k.code"
#define ORDER_FROM                                                                         \
	" FROM orders o JOIN org_nodes n ON n.id = o.node_id "                                  \
	"JOIN org_nodes hn ON hn.id = o.handler_node_id "                                      \
	"JOIN request_categories k ON k.id = o.category_id "

static const char SQL_CATEGORY_CODE[] =
	"SELECT id, code, name, tier, specialty FROM request_categories WHERE code = ? AND active = 1";
static const char SQL_CATEGORY_ID[] =
	"SELECT id, code, name, tier, specialty FROM request_categories WHERE id = ? AND active = 1";
static const char SQL_ORDER[] = "SELECT " ORDER_COLS ORDER_FROM "WHERE o.id = ?";
static const char SQL_ORDER_TICKET[] = "SELECT " ORDER_COLS ORDER_FROM "WHERE o.ticket = ?";
static const char SQL_VOLUNTEER[] =
	"SELECT v.id, v.county_id, v.node_id, COALESCE(v.user_id, 0), v.name, n.path, v.grid_member "
	"FROM volunteers v JOIN org_nodes n ON n.id = v.node_id WHERE v.id = ?";
static const char SQL_VOLUNTEER_USER[] =
	"SELECT v.id, v.county_id, v.node_id, COALESCE(v.user_id, 0), v.name, n.path, v.grid_member "
	"FROM volunteers v JOIN org_nodes n ON n.id = v.node_id WHERE v.user_id = ?";
static const char SQL_ORDER_INSERT[] =
	"INSERT INTO orders (county_id, node_id, handler_node_id, level, category_id, text, address, "
	"lat, lon, urgency, tier, status, ticket, resident_name, resident_phone, household_id, "
	"source, filed_by, due_at, created_at, external_id) "
	"VALUES (?, ?, ?, 'village', ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	"RETURNING id";
static const char SQL_ORDER_STATUS[] = "UPDATE orders SET status = ? WHERE id = ?";
static const char SQL_ORDER_STATUS_VOL[] =
	"UPDATE orders SET status = ?, volunteer_id = ? WHERE id = ?";
static const char SQL_ORDER_STATUS_NOVOL[] =
	"UPDATE orders SET status = ?, volunteer_id = NULL WHERE id = ?";
static const char SQL_ORDER_ESCALATE[] =
	"UPDATE orders SET level = ?, handler_node_id = ?, status = 'new', volunteer_id = NULL "
	"WHERE id = ?";
static const char SQL_ORDER_VISIT[] =
	"UPDATE orders SET resolved = ?, satisfied = ?, closed_at = ? WHERE id = ?";
static const char SQL_EVENT[] =
	"INSERT INTO order_events (order_id, ts, kind, user_id, volunteer_id, detail) "
	"VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_CANDIDATES[] =
	"SELECT v.id, v.name, v.specialties, v.insurance_until, COALESCE(v.lat, 0), "
	"COALESCE(v.lon, 0), v.lat IS NOT NULL AND v.lon IS NOT NULL, v.available, v.no_night, "
	"(SELECT COUNT(*) FROM orders a WHERE a.volunteer_id = v.id "
	" AND a.status IN ('accepted','in_progress')) + "
	"(SELECT COUNT(*) FROM order_offers f WHERE f.volunteer_id = v.id AND f.status = 'offered'), "
	"v.max_active, v.rating_sum, v.rating_count, v.avail_days, v.avail_from, v.avail_to "
	"FROM volunteers v "
	"JOIN org_nodes n ON n.id = v.node_id WHERE n.path LIKE ? AND NOT EXISTS "
	"(SELECT 1 FROM order_offers x WHERE x.order_id = ? AND x.volunteer_id = v.id "
	" AND x.status IN ('declined','expired')) ORDER BY v.id LIMIT 500";
static const char SQL_OFFER[] =
	"INSERT INTO order_offers (order_id, volunteer_id, rank, reasons, offered_at, respond_by, "
	"status) VALUES (?, ?, ?, ?, ?, ?, 'offered') RETURNING id";
static const char SQL_OPEN_OFFER[] =
	"SELECT id, volunteer_id, respond_by FROM order_offers WHERE order_id = ? "
	"AND status = 'offered'";
static const char SQL_OFFER_CLOSE[] =
	"UPDATE order_offers SET status = ?, responded_at = ? WHERE id = ? AND status = 'offered'";
static const char SQL_EXPIRED_OFFERS[] =
	"SELECT f.order_id FROM order_offers f JOIN orders o ON o.id = f.order_id "
	"JOIN org_nodes n ON n.id = o.node_id WHERE f.status = 'offered' AND f.respond_by < ? "
	"AND n.path LIKE ? ORDER BY f.id LIMIT 100";
static const char SQL_RATE_VOL[] =
	"UPDATE volunteers SET rating_sum = rating_sum + ?, rating_count = rating_count + 1 "
	"WHERE id = ?";

static const char *dup(struct arena *a, struct db_stmt *s, int col)
{
	const char *v = db_col_text(s, col);
	return v ? arena_strdup(a, v) : NULL;
}

int requests_store_category(struct db_conn *c, struct arena *a, const char *code_or_id,
			    struct requests_category **out)
{
	bool numeric = *code_or_id && strspn(code_or_id, "0123456789") == strlen(code_or_id);
	struct db_stmt *s = db_prepare(c, numeric ? SQL_CATEGORY_ID : SQL_CATEGORY_CODE);
	if (!s)
		return DB_HARD_ERROR;
	if (numeric)
		db_bind_int(s, 1, strtoll(code_or_id, NULL, 10));
	else
		db_bind_text(s, 1, code_or_id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		struct requests_category *k = arena_alloc(a, sizeof(*k));
		k->id = db_col_int(s, 0);
		k->code = dup(a, s, 1);
		k->name = dup(a, s, 2);
		k->tier = dup(a, s, 3);
		k->specialty = dup(a, s, 4);
		*out = k;
	}
	return rc;
}

static struct requests_order *order_row(struct db_stmt *s, struct arena *a)
{
	struct requests_order *o = arena_alloc(a, sizeof(*o));
	o->id = db_col_int(s, 0);
	o->county_id = db_col_int(s, 1);
	o->node_id = db_col_int(s, 2);
	o->handler_node_id = db_col_int(s, 3);
	o->category_id = db_col_int(s, 4);
	o->household_id = db_col_int(s, 5);
	o->volunteer_id = db_col_int(s, 6);
	o->filed_by = db_col_int(s, 7);
	o->due_at = db_col_int(s, 8);
	o->created_at = db_col_int(s, 9);
	o->first_accepted_at = db_col_int(s, 10);
	o->done_at = db_col_int(s, 11);
	o->minutes = db_col_int(s, 12);
	o->redo_count = db_col_int(s, 13);
	o->has_location = !db_col_is_null(s, 14) && !db_col_is_null(s, 15);
	o->lat = db_col_double(s, 14);
	o->lon = db_col_double(s, 15);
	o->rated = db_col_int(s, 16) != 0;
	o->level = dup(a, s, 17);
	o->urgency = dup(a, s, 18);
	o->tier = dup(a, s, 19);
	o->status = dup(a, s, 20);
	o->ticket = dup(a, s, 21);
	o->text = dup(a, s, 22);
	o->node_path = dup(a, s, 23);
	o->handler_path = dup(a, s, 24);
	o->specialty = dup(a, s, 25);
	o->category_code = dup(a, s, 26);
	return o;
}

static int order_get(struct db_conn *c, struct arena *a, const char *sql, int64_t id,
		     const char *ticket, struct requests_order **out)
{
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return DB_HARD_ERROR;
	if (ticket)
		db_bind_text(s, 1, ticket);
	else
		db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		*out = order_row(s, a);
	return rc;
}

int requests_store_order(struct db_conn *c, struct arena *a, int64_t id,
			 struct requests_order **out)
{
	return order_get(c, a, SQL_ORDER, id, NULL, out);
}

int requests_store_order_by_ticket(struct db_conn *c, struct arena *a, const char *ticket,
				   struct requests_order **out)
{
	return order_get(c, a, SQL_ORDER_TICKET, 0, ticket, out);
}

static int volunteer_get(struct db_conn *c, struct arena *a, const char *sql, int64_t id,
			 struct requests_volunteer **out)
{
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		struct requests_volunteer *v = arena_alloc(a, sizeof(*v));
		v->id = db_col_int(s, 0);
		v->county_id = db_col_int(s, 1);
		v->node_id = db_col_int(s, 2);
		v->user_id = db_col_int(s, 3);
		v->name = dup(a, s, 4);
		v->node_path = dup(a, s, 5);
		v->grid_member = db_col_int(s, 6) != 0;
		*out = v;
	}
	return rc;
}

int requests_store_volunteer(struct db_conn *c, struct arena *a, int64_t id,
			     struct requests_volunteer **out)
{
	return volunteer_get(c, a, SQL_VOLUNTEER, id, out);
}

int requests_store_volunteer_of_user(struct db_conn *c, struct arena *a, int64_t user_id,
				     struct requests_volunteer **out)
{
	return volunteer_get(c, a, SQL_VOLUNTEER_USER, user_id, out);
}

int requests_store_order_insert(struct db_conn *c, const struct requests_order_in *o,
				int64_t now_ms, int64_t *id)
{
	struct db_stmt *s = db_prepare(c, SQL_ORDER_INSERT);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, o->county_id);
	db_bind_int(s, 2, o->node_id);
	db_bind_int(s, 3, o->handler_node_id ? o->handler_node_id : o->node_id);
	db_bind_int(s, 4, o->category_id);
	db_bind_text(s, 5, o->text);
	db_bind_text(s, 6, o->address ? o->address : "");
	if (o->has_location) {
		db_bind_double(s, 7, o->lat);
		db_bind_double(s, 8, o->lon);
	} else {
		db_bind_null(s, 7);
		db_bind_null(s, 8);
	}
	db_bind_text(s, 9, o->urgency);
	db_bind_text(s, 10, o->tier);
	db_bind_text(s, 11, o->ticket);
	db_bind_text(s, 12, o->resident_name ? o->resident_name : "");
	db_bind_text(s, 13, o->resident_phone);
	if (o->household_id)
		db_bind_int(s, 14, o->household_id);
	else
		db_bind_null(s, 14);
	db_bind_text(s, 15, o->source);
	if (o->filed_by)
		db_bind_int(s, 16, o->filed_by);
	else
		db_bind_null(s, 16);
	db_bind_int(s, 17, o->due_at);
	db_bind_int(s, 18, now_ms);
	db_bind_text(s, 19, o->external_id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		*id = db_col_int(s, 0);
	return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_HARD_ERROR;
}

int requests_store_order_status(struct db_conn *c, int64_t id, const char *status, int64_t vol)
{
	if (vol > 0)
		return db_exec(c, SQL_ORDER_STATUS_VOL, "tii", status, vol, id);
	if (vol == 0)
		return db_exec(c, SQL_ORDER_STATUS_NOVOL, "ti", status, id);
	return db_exec(c, SQL_ORDER_STATUS, "ti", status, id);
}

/* One statement per settable field, so SQL stays static text. */
int requests_store_order_set(struct db_conn *c, int64_t id, const char *field, int64_t value)
{
	static const struct {
		const char *field, *sql;
	} sets[] = {
		{"first_accepted_at", "UPDATE orders SET first_accepted_at = ? WHERE id = ?"},
		{"done_at", "UPDATE orders SET done_at = ? WHERE id = ?"},
		{"minutes", "UPDATE orders SET minutes = minutes + ? WHERE id = ?"},
		{"redo_count", "UPDATE orders SET redo_count = redo_count + ? WHERE id = ?"},
		{"rating", "UPDATE orders SET rating = ? WHERE id = ?"},
		{"unreasonable", "UPDATE orders SET unreasonable = ? WHERE id = ?"},
		{"closed_at", "UPDATE orders SET closed_at = ? WHERE id = ?"},
	};
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (strcmp(sets[i].field, field) == 0)
			return db_exec(c, sets[i].sql, "ii", value, id);
	return DB_HARD_ERROR;
}

int requests_store_order_escalate(struct db_conn *c, int64_t id, const char *level,
				  int64_t handler_node_id)
{
	return db_exec(c, SQL_ORDER_ESCALATE, "tii", level, handler_node_id, id);
}

int requests_store_order_visit(struct db_conn *c, int64_t id, bool resolved, bool satisfied,
			       int64_t now_ms)
{
	return db_exec(c, SQL_ORDER_VISIT, "iiii", (int64_t)resolved, (int64_t)satisfied, now_ms, id);
}

int requests_store_event(struct db_conn *c, int64_t order_id, const char *kind, int64_t user_id,
			 int64_t volunteer_id, const char *detail, int64_t now_ms)
{
	struct db_stmt *s = db_prepare(c, SQL_EVENT);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, order_id);
	db_bind_int(s, 2, now_ms);
	db_bind_text(s, 3, kind);
	if (user_id)
		db_bind_int(s, 4, user_id);
	else
		db_bind_null(s, 4);
	if (volunteer_id)
		db_bind_int(s, 5, volunteer_id);
	else
		db_bind_null(s, 5);
	db_bind_text(s, 6, detail ? detail : "");
	int rc = db_step(s);
	return rc < 0 ? rc : 0;
}

int requests_store_candidates(struct db_conn *c, struct arena *a, const char *path,
			      int64_t order_id, struct requests_candidate **out)
{
	struct db_stmt *s = db_prepare(c, SQL_CANDIDATES);
	if (!s)
		return DB_HARD_ERROR;
	char like[300];
	snprintf(like, sizeof(like), "%s%%", path);
	db_bind_text(s, 1, like);
	db_bind_int(s, 2, order_id);
	int cap = 16, n = 0, rc;
	struct requests_candidate *v = arena_alloc(a, sizeof(*v) * (size_t)cap);
	while ((rc = db_step(s)) == DB_ROW) {
		if (n == cap) {
			struct requests_candidate *w = arena_alloc(a, sizeof(*v) * (size_t)cap * 2);
			memcpy(w, v, sizeof(*v) * (size_t)cap);
			v = w;
			cap *= 2;
		}
		struct requests_candidate *k = &v[n++];
		k->id = db_col_int(s, 0);
		k->name = dup(a, s, 1);
		k->specialties = dup(a, s, 2);
		k->insurance_until = dup(a, s, 3);
		k->lat = db_col_double(s, 4);
		k->lon = db_col_double(s, 5);
		k->has_location = db_col_int(s, 6) != 0;
		k->available = db_col_int(s, 7) != 0;
		k->no_night = db_col_int(s, 8) != 0;
		k->active = db_col_int(s, 9);
		k->max_active = db_col_int(s, 10);
		k->ratings = db_col_int(s, 12);
		k->rating = k->ratings ? (double)db_col_int(s, 11) / (double)k->ratings : 0;
		k->avail_days = db_col_int(s, 13);
		k->avail_from = db_col_int(s, 14);
		k->avail_to = db_col_int(s, 15);
	}
	*out = v;
	return rc < 0 ? rc : n;
}

int requests_store_offer(struct db_conn *c, int64_t order_id, int64_t vol, int rank,
			 const char *reasons, int64_t now_ms, int64_t respond_by, int64_t *id)
{
	return db_query_int(c, id, SQL_OFFER, "iiitii", order_id, vol, (int64_t)rank, reasons,
			    now_ms, respond_by);
}

int requests_store_open_offer(struct db_conn *c, int64_t order_id, int64_t *offer_id,
			      int64_t *vol, int64_t *respond_by)
{
	struct db_stmt *s = db_prepare(c, SQL_OPEN_OFFER);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, order_id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		*offer_id = db_col_int(s, 0);
		*vol = db_col_int(s, 1);
		*respond_by = db_col_int(s, 2);
	}
	return rc;
}

int requests_store_offer_close(struct db_conn *c, int64_t offer_id, const char *status,
			       int64_t now_ms)
{
	return db_exec(c, SQL_OFFER_CLOSE, "tii", status, now_ms, offer_id);
}

int requests_store_expired_offers(struct db_conn *c, const char *path, int64_t now_ms,
				  int64_t *order_ids, int max)
{
	char like[300];
	snprintf(like, sizeof(like), "%s%%", path);
	return db_query_ints(c, order_ids, max, SQL_EXPIRED_OFFERS, "it", now_ms, like);
}

int requests_store_rate_volunteer(struct db_conn *c, int64_t vol, int rating)
{
	return db_exec(c, SQL_RATE_VOL, "ii", (int64_t)rating, vol);
}
