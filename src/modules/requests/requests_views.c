/* requests_views.c — JSON views of orders, their events and offers, and the categories. */
#include "modules/requests/requests_store.h"

#include "core/clock.h"
#include "people/people.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

#define ORDER_JSON_COLS                                                                    \
	"o.id, o.ticket, o.status, o.level, o.urgency, o.tier, o.text, o.address, o.lat, o.lon, " \
	"o.resident_name, o.resident_phone, o.source, o.due_at, o.created_at, o.first_accepted_at, " \
	"o.done_at, o.closed_at, o.minutes, o.resolved, o.satisfied, o.rating, o.unreasonable, "  \
	"o.redo_count, k.code, k.name, n.id, n.code, n.name, hn.code, hn.name, "                 \
	"COALESCE(v.id, 0), v.name, COALESCE(o.household_id, 0), u.username, "                  \
	"(SELECT f.respond_by FROM order_offers f WHERE f.order_id = o.id "                      \
	" AND f.status = 'offered')"
#define ORDER_JSON_FROM                                                                    \
	" FROM orders o JOIN request_categories k ON k.id = o.category_id "                    \
	"JOIN org_nodes n ON n.id = o.node_id JOIN org_nodes hn ON hn.id = o.handler_node_id " \
	"LEFT JOIN volunteers v ON v.id = o.volunteer_id LEFT JOIN users u ON u.id = o.filed_by "

static const char SQL_ORDERS[] =
	"SELECT " ORDER_JSON_COLS ORDER_JSON_FROM
	"WHERE (hn.path LIKE ? OR n.path LIKE ?) AND (CAST(? AS TEXT) IS NULL OR o.status = ?) "
	"AND (CAST(? AS BIGINT) = 0 OR (o.status NOT IN ('done','closed','cancelled') "
	"AND o.due_at < ?)) AND (CAST(? AS BIGINT) = 0 OR o.volunteer_id = ? OR EXISTS "
	"(SELECT 1 FROM order_offers f WHERE f.order_id = o.id AND f.volunteer_id = ? "
	"AND f.status = 'offered')) ORDER BY o.id DESC LIMIT 1000";
static const char SQL_ORDER_ONE[] = "SELECT " ORDER_JSON_COLS ORDER_JSON_FROM "WHERE o.id = ?";
static const char SQL_EVENTS[] =
	"SELECT e.ts, e.kind, e.detail, u.username, v.name FROM order_events e "
	"LEFT JOIN users u ON u.id = e.user_id LEFT JOIN volunteers v ON v.id = e.volunteer_id "
	"WHERE e.order_id = ? ORDER BY e.id";
static const char SQL_OFFERS[] =
	"SELECT f.id, f.volunteer_id, v.name, f.rank, f.reasons, f.offered_at, f.respond_by, "
	"f.status, f.responded_at FROM order_offers f JOIN volunteers v ON v.id = f.volunteer_id "
	"WHERE f.order_id = ? ORDER BY f.id";
static const char SQL_CATEGORIES[] =
	"SELECT id, code, name, description, tier, specialty FROM request_categories "
	"WHERE active = 1 ORDER BY id";

static json_t *jt(struct db_stmt *s, int col)
{
	const char *v = db_col_text(s, col);
	return v ? json_string(v) : json_null();
}

static json_t *ji0(struct db_stmt *s, int col)
{
	return db_col_int(s, col) ? json_integer(db_col_int(s, col)) : json_null();
}

static json_t *jbool_or_null(struct db_stmt *s, int col)
{
	return db_col_is_null(s, col) ? json_null() : json_boolean(db_col_int(s, col) != 0);
}

static json_t *order_row_json(struct db_stmt *s, bool full, int64_t now_ms)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(db_col_int(s, 0)));
	json_object_set_new(o, "ticket", jt(s, 1));
	json_object_set_new(o, "status", jt(s, 2));
	json_object_set_new(o, "level", jt(s, 3));
	json_object_set_new(o, "urgency", jt(s, 4));
	json_object_set_new(o, "tier", jt(s, 5));
	json_object_set_new(o, "text", jt(s, 6));
	json_object_set_new(o, "address", jt(s, 7));
	json_object_set_new(o, "lat", db_col_is_null(s, 8) ? json_null() : json_real(db_col_double(s, 8)));
	json_object_set_new(o, "lon", db_col_is_null(s, 9) ? json_null() : json_real(db_col_double(s, 9)));
	json_object_set_new(o, "resident_name", jt(s, 10));
	const char *phone = db_col_text(s, 11);
	char masked[32];
	if (phone && !full) {
		people_phone_mask(phone, masked, sizeof(masked));
		phone = masked;
	}
	json_object_set_new(o, "resident_phone", phone ? json_string(phone) : json_null());
	json_object_set_new(o, "source", jt(s, 12));
	int64_t due = db_col_int(s, 13);
	json_object_set_new(o, "due_at", json_integer(due));
	json_object_set_new(o, "created_at", json_integer(db_col_int(s, 14)));
	json_object_set_new(o, "accepted_at", ji0(s, 15));
	json_object_set_new(o, "done_at", ji0(s, 16));
	json_object_set_new(o, "closed_at", ji0(s, 17));
	json_object_set_new(o, "minutes", json_integer(db_col_int(s, 18)));
	json_object_set_new(o, "resolved", jbool_or_null(s, 19));
	json_object_set_new(o, "satisfied", jbool_or_null(s, 20));
	json_object_set_new(o, "rating", db_col_is_null(s, 21) ? json_null() : json_integer(db_col_int(s, 21)));
	json_object_set_new(o, "unreasonable", json_boolean(db_col_int(s, 22) != 0));
	json_object_set_new(o, "redo_count", json_integer(db_col_int(s, 23)));
	json_object_set_new(o, "category", json_pack("{s:s, s:s}", "code", db_col_text(s, 24),
						       "name", db_col_text(s, 25)));
	json_object_set_new(o, "node", json_pack("{s:I, s:s, s:s}", "id",
						   (json_int_t)db_col_int(s, 26), "code",
						   db_col_text(s, 27), "name", db_col_text(s, 28)));
	json_object_set_new(o, "handler", json_pack("{s:s, s:s}", "code", db_col_text(s, 29),
						      "name", db_col_text(s, 30)));
	json_object_set_new(o, "volunteer",
			    db_col_int(s, 31) ? json_pack("{s:I, s:s}", "id",
							  (json_int_t)db_col_int(s, 31), "name",
							  db_col_text(s, 32))
					      : json_null());
	json_object_set_new(o, "household_id", ji0(s, 33));
	json_object_set_new(o, "filed_by", jt(s, 34));
	/* while an offer is open: by when the volunteer must answer */
	json_object_set_new(o, "respond_by",
			    db_col_is_null(s, 35) ? json_null() : json_integer(db_col_int(s, 35)));
	const char *status = db_col_text(s, 2);
	bool open = strcmp(status, "done") != 0 && strcmp(status, "closed") != 0 &&
		    strcmp(status, "cancelled") != 0;
	int64_t done = db_col_int(s, 16);
	json_object_set_new(o, "overdue", json_boolean(open ? now_ms > due : done > due));
	return o;
}

int requests_store_orders_json(struct db_conn *c, const char *path, const char *status,
			       bool overdue, int64_t volunteer_id, int64_t now_ms, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_ORDERS);
	if (!s)
		return DB_HARD_ERROR;
	char like[300];
	snprintf(like, sizeof(like), "%s%%", path);
	db_bind_text(s, 1, like);
	db_bind_text(s, 2, like);
	db_bind_text(s, 3, status);
	db_bind_text(s, 4, status);
	db_bind_int(s, 5, overdue);
	db_bind_int(s, 6, now_ms);
	db_bind_int(s, 7, volunteer_id);
	db_bind_int(s, 8, volunteer_id);
	db_bind_int(s, 9, volunteer_id);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(items, order_row_json(s, true, now_ms));
	return rc < 0 ? rc : 0;
}

int requests_store_order_json(struct db_conn *c, int64_t id, bool full, json_t **out)
{
	struct db_stmt *s = db_prepare(c, SQL_ORDER_ONE);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		*out = order_row_json(s, full, clock_now_ms());
	return rc;
}

int requests_store_events_json(struct db_conn *c, int64_t order_id, bool full, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_EVENTS);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, order_id);
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		json_t *e = json_pack("{s:I, s:s}", "ts", (json_int_t)db_col_int(s, 0), "kind",
				      db_col_text(s, 1));
		if (full) {
			json_object_set_new(e, "detail", jt(s, 2));
			json_object_set_new(e, "user", jt(s, 3));
			json_object_set_new(e, "volunteer", jt(s, 4));
		}
		json_array_append_new(items, e);
	}
	return rc < 0 ? rc : 0;
}

int requests_store_offers_json(struct db_conn *c, int64_t order_id, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_OFFERS);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, order_id);
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		json_t *reasons = json_loads(db_col_text(s, 4), 0, NULL);
		json_array_append_new(
			items, json_pack("{s:I, s:{s:I, s:s}, s:I, s:o, s:I, s:I, s:s, s:o}", "id",
					 (json_int_t)db_col_int(s, 0), "volunteer", "id",
					 (json_int_t)db_col_int(s, 1), "name", db_col_text(s, 2),
					 "rank", (json_int_t)db_col_int(s, 3), "reasons",
					 reasons ? reasons : json_array(), "offered_at",
					 (json_int_t)db_col_int(s, 5), "respond_by",
					 (json_int_t)db_col_int(s, 6), "status", db_col_text(s, 7),
					 "responded_at", ji0(s, 8)));
	}
	return rc < 0 ? rc : 0;
}

int requests_store_categories_json(struct db_conn *c, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_CATEGORIES);
	if (!s)
		return DB_HARD_ERROR;
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(items,
				      json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id",
						(json_int_t)db_col_int(s, 0), "code", db_col_text(s, 1),
						"name", db_col_text(s, 2), "description",
						db_col_text(s, 3), "tier", db_col_text(s, 4),
						"specialty", db_col_text(s, 5)));
	return rc < 0 ? rc : 0;
}
