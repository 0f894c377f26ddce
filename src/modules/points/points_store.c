/* points_store.c — the SQL of the points module: items, periods, entries, objections,
 * goods and redemptions, and their JSON views. The ledger's SQL is in points_ledger.c. */
#include "modules/points/points_store.h"

#include "core/mem.h"
#include "modules/points/points.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

/* ---- rows ---- */

static const char SQL_ITEM_GET[] =
	"SELECT i.id, i.county_id, i.node_id, i.version, i.points, i.code, i.name, i.category, "
	"i.decision, n.path, i.evidence_required, i.is_current FROM points_items i "
	"JOIN org_nodes n ON n.id = i.node_id WHERE i.id = ?";
static const char SQL_ITEM_CURRENT[] =
	"SELECT i.id, i.county_id, i.node_id, i.version, i.points, i.code, i.name, i.category, "
	"i.decision, n.path, i.evidence_required, i.is_current FROM points_items i "
	"JOIN org_nodes n ON n.id = i.node_id WHERE i.node_id = ? AND i.code = ? "
	"ORDER BY i.version DESC LIMIT 1";
#define PERIOD_COLS                                                                        \
	"p.id, p.county_id, p.node_id, p.publicity_days, p.publicity_until, p.name, p.status, " \
	"p.seal_hash, n.path"
static const char SQL_PERIOD_GET[] =
	"SELECT " PERIOD_COLS " FROM points_periods p JOIN org_nodes n ON n.id = p.node_id "
	"WHERE p.id = ?";
static const char SQL_PERIOD_OPEN[] =
	"SELECT " PERIOD_COLS " FROM points_periods p JOIN org_nodes n ON n.id = p.node_id "
	"WHERE p.node_id = ? AND p.status = 'open'";
#define ENTRY_COLS                                                                         \
	"e.id, e.county_id, e.node_id, e.period_id, e.household_id, COALESCE(e.item_id, 0), "   \
	"e.points, e.maker_id, COALESCE(e.checker_id, 0), COALESCE(e.reverses_id, 0), e.status, " \
	"e.body_hash, n.path"
static const char SQL_ENTRY_GET[] =
	"SELECT " ENTRY_COLS " FROM points_entries e JOIN org_nodes n ON n.id = e.node_id "
	"WHERE e.id = ?";
static const char SQL_ENTRY_BY_KEY[] =
	"SELECT " ENTRY_COLS " FROM points_entries e JOIN org_nodes n ON n.id = e.node_id "
	"WHERE e.idempotency_key = ?";
static const char SQL_GOODS_GET[] =
	"SELECT g.id, g.county_id, g.node_id, g.price, g.stock, g.name, n.path FROM points_goods g "
	"JOIN org_nodes n ON n.id = g.node_id WHERE g.id = ?";
#define REDEMPTION_COLS                                                                    \
	"r.id, r.county_id, r.node_id, r.household_id, r.goods_id, r.quantity, r.amount, "      \
	"r.hold_id, r.expires_at, r.status, r.idempotency_key, n.path"
static const char SQL_REDEMPTION_GET[] =
	"SELECT " REDEMPTION_COLS " FROM points_redemptions r JOIN org_nodes n ON n.id = r.node_id "
	"WHERE r.id = ?";
static const char SQL_REDEMPTION_BY_KEY[] =
	"SELECT " REDEMPTION_COLS " FROM points_redemptions r JOIN org_nodes n ON n.id = r.node_id "
	"WHERE r.idempotency_key = ?";
static const char SQL_OBJECTION_GET[] =
	"SELECT o.id, o.entry_id, o.period_id, o.status, n.path FROM points_objections o "
	"JOIN points_entries e ON e.id = o.entry_id JOIN org_nodes n ON n.id = e.node_id "
	"WHERE o.id = ?";

static const char *dup(struct arena *a, struct db_stmt *s, int col)
{
	const char *v = db_col_text(s, col);
	return v ? arena_strdup(a, v) : NULL;
}

/* Runs a one-row lookup by integer or text key and hands the row to fill. */
static int points_row(struct db_conn *c, const char *sql, int64_t id, const char *key,
		      struct arena *a, void **out, void *(*fill)(struct db_stmt *, struct arena *))
{
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return DB_HARD_ERROR;
	if (key)
		db_bind_text(s, 1, key);
	else
		db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		*out = fill(s, a);
	return rc;
}

static void *fill_item(struct db_stmt *s, struct arena *a)
{
	struct points_item *it = arena_alloc(a, sizeof(*it));
	it->id = db_col_int(s, 0);
	it->county_id = db_col_int(s, 1);
	it->node_id = db_col_int(s, 2);
	it->version = db_col_int(s, 3);
	it->points = db_col_int(s, 4);
	it->code = dup(a, s, 5);
	it->name = dup(a, s, 6);
	it->category = dup(a, s, 7);
	it->decision = dup(a, s, 8);
	it->node_path = dup(a, s, 9);
	it->evidence_required = db_col_int(s, 10) != 0;
	it->current = db_col_int(s, 11) != 0;
	return it;
}

static void *fill_period(struct db_stmt *s, struct arena *a)
{
	struct points_period *p = arena_alloc(a, sizeof(*p));
	p->id = db_col_int(s, 0);
	p->county_id = db_col_int(s, 1);
	p->node_id = db_col_int(s, 2);
	p->publicity_days = db_col_int(s, 3);
	p->publicity_until = db_col_int(s, 4);
	p->name = dup(a, s, 5);
	p->status = dup(a, s, 6);
	p->seal_hash = dup(a, s, 7);
	p->node_path = dup(a, s, 8);
	return p;
}

static void *fill_entry(struct db_stmt *s, struct arena *a)
{
	struct points_entry *e = arena_alloc(a, sizeof(*e));
	e->id = db_col_int(s, 0);
	e->county_id = db_col_int(s, 1);
	e->node_id = db_col_int(s, 2);
	e->period_id = db_col_int(s, 3);
	e->household_id = db_col_int(s, 4);
	e->item_id = db_col_int(s, 5);
	e->points = db_col_int(s, 6);
	e->maker_id = db_col_int(s, 7);
	e->checker_id = db_col_int(s, 8);
	e->reverses_id = db_col_int(s, 9);
	e->status = dup(a, s, 10);
	e->body_hash = dup(a, s, 11);
	e->node_path = dup(a, s, 12);
	return e;
}

static void *fill_goods(struct db_stmt *s, struct arena *a)
{
	struct points_goods *g = arena_alloc(a, sizeof(*g));
	g->id = db_col_int(s, 0);
	g->county_id = db_col_int(s, 1);
	g->node_id = db_col_int(s, 2);
	g->price = db_col_int(s, 3);
	g->stock = db_col_int(s, 4);
	g->name = dup(a, s, 5);
	g->node_path = dup(a, s, 6);
	return g;
}

static void *fill_redemption(struct db_stmt *s, struct arena *a)
{
	struct points_redemption *r = arena_alloc(a, sizeof(*r));
	r->id = db_col_int(s, 0);
	r->county_id = db_col_int(s, 1);
	r->node_id = db_col_int(s, 2);
	r->household_id = db_col_int(s, 3);
	r->goods_id = db_col_int(s, 4);
	r->quantity = db_col_int(s, 5);
	r->amount = db_col_int(s, 6);
	r->hold_id = db_col_int(s, 7);
	r->expires_at = db_col_int(s, 8);
	r->status = dup(a, s, 9);
	r->key = dup(a, s, 10);
	r->node_path = dup(a, s, 11);
	return r;
}

static void *fill_objection(struct db_stmt *s, struct arena *a)
{
	struct points_objection *o = arena_alloc(a, sizeof(*o));
	o->id = db_col_int(s, 0);
	o->entry_id = db_col_int(s, 1);
	o->period_id = db_col_int(s, 2);
	o->status = dup(a, s, 3);
	o->node_path = dup(a, s, 4);
	return o;
}

int points_store_item_get(struct db_conn *c, struct arena *a, int64_t id, struct points_item **out)
{
	return points_row(c, SQL_ITEM_GET, id, NULL, a, (void **)out, fill_item);
}

int points_store_item_current(struct db_conn *c, struct arena *a, int64_t node_id,
			      const char *code, struct points_item **out)
{
	struct db_stmt *s = db_prepare(c, SQL_ITEM_CURRENT);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, node_id);
	db_bind_text(s, 2, code);
	int rc = db_step(s);
	if (rc == DB_ROW)
		*out = fill_item(s, a);
	return rc;
}

int points_store_period_get(struct db_conn *c, struct arena *a, int64_t id,
			    struct points_period **out)
{
	return points_row(c, SQL_PERIOD_GET, id, NULL, a, (void **)out, fill_period);
}

int points_store_period_open(struct db_conn *c, struct arena *a, int64_t node_id,
			     struct points_period **out)
{
	return points_row(c, SQL_PERIOD_OPEN, node_id, NULL, a, (void **)out, fill_period);
}

int points_store_entry_get(struct db_conn *c, struct arena *a, int64_t id,
			   struct points_entry **out)
{
	return points_row(c, SQL_ENTRY_GET, id, NULL, a, (void **)out, fill_entry);
}

int points_store_entry_by_key(struct db_conn *c, struct arena *a, const char *key,
			      struct points_entry **out)
{
	return points_row(c, SQL_ENTRY_BY_KEY, 0, key, a, (void **)out, fill_entry);
}

int points_store_goods_get(struct db_conn *c, struct arena *a, int64_t id,
			   struct points_goods **out)
{
	return points_row(c, SQL_GOODS_GET, id, NULL, a, (void **)out, fill_goods);
}

int points_store_redemption_get(struct db_conn *c, struct arena *a, int64_t id,
				struct points_redemption **out)
{
	return points_row(c, SQL_REDEMPTION_GET, id, NULL, a, (void **)out, fill_redemption);
}

int points_store_redemption_by_key(struct db_conn *c, struct arena *a, const char *key,
				   struct points_redemption **out)
{
	return points_row(c, SQL_REDEMPTION_BY_KEY, 0, key, a, (void **)out, fill_redemption);
}

int points_store_objection_get(struct db_conn *c, struct arena *a, int64_t id,
			       struct points_objection **out)
{
	return points_row(c, SQL_OBJECTION_GET, id, NULL, a, (void **)out, fill_objection);
}

/* ---- writes ---- */

static const char SQL_ITEM_INSERT[] =
	"INSERT INTO points_items (county_id, node_id, code, version, name, category, points, "
	"evidence_required, decision, is_current, created_by, created_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id";
static const char SQL_ITEM_RETIRE[] = "UPDATE points_items SET is_current = 0 WHERE id = ?";
static const char SQL_PERIOD_INSERT[] =
	"INSERT INTO points_periods (county_id, node_id, name, status, publicity_days, opened_at) "
	"VALUES (?, ?, ?, 'open', ?, ?) RETURNING id";
static const char SQL_PERIOD_SET[] =
	"UPDATE points_periods SET status = ?, "
	"publicity_until = CASE WHEN CAST(? AS BIGINT) > 0 THEN ? ELSE publicity_until END, "
	"seal_hash = COALESCE(CAST(? AS TEXT), seal_hash), "
	"closed_at = CASE WHEN ? = 'closed' THEN ? ELSE closed_at END, "
	"sealed_at = CASE WHEN ? = 'sealed' THEN ? ELSE sealed_at END WHERE id = ?";
static const char SQL_PERIOD_PENDING[] =
	"SELECT COUNT(*) FROM points_entries WHERE period_id = ? AND status = 'pending'";
static const char SQL_PERIOD_OBJECTIONS[] =
	"SELECT COUNT(*) FROM points_objections WHERE period_id = ? AND status = 'open'";
static const char SQL_ENTRY_INSERT[] =
	"INSERT INTO points_entries (county_id, node_id, period_id, household_id, item_id, points, "
	"note, evidence, idempotency_key, body_hash, status, maker_id, checker_id, reverses_id, "
	"reason, created_at, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	"RETURNING id";
static const char SQL_ENTRY_DECIDE[] =
	"UPDATE points_entries SET status = ?, checker_id = ?, decided_at = ? "
	"WHERE id = ? AND status = 'pending'";
static const char SQL_GOODS_INSERT[] =
	"INSERT INTO points_goods (county_id, node_id, name, price, stock, source, created_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_GOODS_STOCK[] =
	"UPDATE points_goods SET stock = stock + ? WHERE id = ? AND stock + ? >= 0";
static const char SQL_REDEMPTION_INSERT[] =
	"INSERT INTO points_redemptions (county_id, node_id, household_id, goods_id, quantity, "
	"amount, status, hold_id, idempotency_key, created_at, expires_at) "
	"VALUES (?, ?, ?, ?, ?, ?, 'held', ?, ?, ?, ?) RETURNING id";
static const char SQL_REDEMPTION_SET[] =
	"UPDATE points_redemptions SET status = ?, settled_at = ? WHERE id = ? AND status = 'held'";
static const char SQL_REDEMPTIONS_EXPIRED[] =
	"SELECT r.id FROM points_redemptions r JOIN org_nodes n ON n.id = r.node_id "
	"WHERE r.status = 'held' AND r.expires_at < ? AND n.path LIKE ? ORDER BY r.id LIMIT 100";
static const char SQL_OBJECTION_INSERT[] =
	"INSERT INTO points_objections (county_id, entry_id, period_id, text, status, recorded_by, "
	"created_at) VALUES (?, ?, ?, ?, 'open', ?, ?) RETURNING id";
static const char SQL_OBJECTION_DECIDE[] =
	"UPDATE points_objections SET status = ?, decision = ?, decided_by = ?, reversal_id = ?, "
	"decided_at = ? WHERE id = ? AND status = 'open'";
static const char SQL_SPOT_CHECK[] =
	"INSERT INTO points_spotchecks (county_id, entry_id, user_id, ok, note, created_at) "
	"VALUES (?, ?, ?, ?, ?, ?)";

int points_store_item_insert(struct db_conn *c, const struct points_item *it, int64_t user_id,
			     int64_t now_ms, int64_t *id)
{
	return db_query_int(c, id, SQL_ITEM_INSERT, "iitittiitii", it->county_id, it->node_id,
			    it->code, it->version, it->name, it->category, it->points,
			    (int64_t)it->evidence_required, it->decision, user_id, now_ms);
}

int points_store_item_retire(struct db_conn *c, int64_t id)
{
	return db_exec(c, SQL_ITEM_RETIRE, "i", id);
}

int points_store_period_insert(struct db_conn *c, int64_t county_id, int64_t node_id,
			       const char *name, int64_t publicity_days, int64_t now_ms,
			       int64_t *id)
{
	return db_query_int(c, id, SQL_PERIOD_INSERT, "iitii", county_id, node_id, name,
			    publicity_days, now_ms);
}

int points_store_period_set(struct db_conn *c, int64_t id, const char *status,
			    int64_t publicity_until, const char *seal_hash, int64_t now_ms)
{
	return db_exec(c, SQL_PERIOD_SET, "tiittitii", status, publicity_until, publicity_until,
		       seal_hash, status, now_ms, status, now_ms, id);
}

int points_store_period_count(struct db_conn *c, int64_t period_id, const char *what,
			      int64_t *n)
{
	const char *sql = strcmp(what, "open_objections") == 0 ? SQL_PERIOD_OBJECTIONS
								: SQL_PERIOD_PENDING;
	return db_query_int(c, n, sql, "i", period_id);
}

int points_store_entry_insert(struct db_conn *c, const struct points_entry_in *e, int64_t now_ms,
			      int64_t *id)
{
	struct db_stmt *s = db_prepare(c, SQL_ENTRY_INSERT);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, e->county_id);
	db_bind_int(s, 2, e->node_id);
	db_bind_int(s, 3, e->period_id);
	db_bind_int(s, 4, e->household_id);
	if (e->item_id)
		db_bind_int(s, 5, e->item_id);
	else
		db_bind_null(s, 5);
	db_bind_int(s, 6, e->points);
	db_bind_text(s, 7, e->note ? e->note : "");
	db_bind_text(s, 8, e->evidence);
	db_bind_text(s, 9, e->key);
	db_bind_text(s, 10, e->body_hash);
	db_bind_text(s, 11, e->status);
	db_bind_int(s, 12, e->maker_id);
	if (e->checker_id)
		db_bind_int(s, 13, e->checker_id);
	else
		db_bind_null(s, 13);
	if (e->reverses_id)
		db_bind_int(s, 14, e->reverses_id);
	else
		db_bind_null(s, 14);
	db_bind_text(s, 15, e->reason);
	db_bind_int(s, 16, now_ms);
	db_bind_int(s, 17, e->checker_id ? now_ms : 0);
	int rc = db_step(s);
	if (rc == DB_ROW)
		*id = db_col_int(s, 0);
	return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_HARD_ERROR;
}

int points_store_entry_decide(struct db_conn *c, int64_t id, const char *status,
			      int64_t checker_id, int64_t now_ms)
{
	return db_exec(c, SQL_ENTRY_DECIDE, "tiii", status, checker_id, now_ms, id);
}

int points_store_goods_insert(struct db_conn *c, int64_t county_id, int64_t node_id,
			      const char *name, int64_t price, int64_t stock, const char *source,
			      int64_t now_ms, int64_t *id)
{
	return db_query_int(c, id, SQL_GOODS_INSERT, "iitiiti", county_id, node_id, name, price,
			    stock, source, now_ms);
}

int points_store_goods_stock(struct db_conn *c, int64_t id, int64_t delta)
{
	int rc = db_exec(c, SQL_GOODS_STOCK, "iii", delta, id, delta);
	return rc < 0 ? rc : rc == 0 ? DB_DONE : DB_ROW;
}

int points_store_redemption_insert(struct db_conn *c, const struct points_redemption *r,
				   int64_t now_ms, int64_t *id)
{
	return db_query_int(c, id, SQL_REDEMPTION_INSERT, "iiiiiiitii", r->county_id, r->node_id,
			    r->household_id, r->goods_id, r->quantity, r->amount, r->hold_id, r->key,
			    now_ms, r->expires_at);
}

int points_store_redemption_set(struct db_conn *c, int64_t id, const char *status,
				int64_t now_ms)
{
	return db_exec(c, SQL_REDEMPTION_SET, "tii", status, now_ms, id);
}

int points_store_redemptions_expired(struct db_conn *c, const char *path, int64_t now_ms,
				     int64_t *ids, int max)
{
	char like[300];
	snprintf(like, sizeof(like), "%s%%", path);
	return db_query_ints(c, ids, max, SQL_REDEMPTIONS_EXPIRED, "it", now_ms, like);
}

int points_store_objection_insert(struct db_conn *c, int64_t county_id, int64_t entry_id,
				  int64_t period_id, const char *text, int64_t user_id,
				  int64_t now_ms, int64_t *id)
{
	return db_query_int(c, id, SQL_OBJECTION_INSERT, "iiitii", county_id, entry_id, period_id,
			    text, user_id, now_ms);
}

int points_store_objection_decide(struct db_conn *c, int64_t id, const char *status,
				  const char *decision, int64_t user_id, int64_t reversal_id,
				  int64_t now_ms)
{
	struct db_stmt *s = db_prepare(c, SQL_OBJECTION_DECIDE);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_text(s, 1, status);
	db_bind_text(s, 2, decision);
	db_bind_int(s, 3, user_id);
	if (reversal_id)
		db_bind_int(s, 4, reversal_id);
	else
		db_bind_null(s, 4);
	db_bind_int(s, 5, now_ms);
	db_bind_int(s, 6, id);
	int rc = db_step(s);
	return rc < 0 ? rc : (int)db_changes(s);
}

int points_store_spot_check(struct db_conn *c, int64_t county_id, int64_t entry_id,
			    int64_t user_id, bool ok, const char *note, int64_t now_ms)
{
	return db_exec(c, SQL_SPOT_CHECK, "iiiiti", county_id, entry_id, user_id, (int64_t)ok, note,
		       now_ms);
}

/* ---- JSON views ---- */

static const char SQL_ITEMS_JSON[] =
	"SELECT i.id, i.code, i.version, i.name, i.category, i.points, i.evidence_required, "
	"i.decision, i.is_current, n.id, n.code, n.name, i.created_at FROM points_items i "
	"JOIN org_nodes n ON n.id = i.node_id WHERE n.path LIKE ? AND (? = 1 OR i.is_current = 1) "
	"ORDER BY n.code, i.code, i.version LIMIT 2000";
static const char SQL_PERIODS_JSON[] =
	"SELECT p.id, p.name, p.status, p.publicity_days, p.publicity_until, p.seal_hash, "
	"p.opened_at, p.closed_at, p.sealed_at, n.id, n.code, n.name, "
	"(SELECT COUNT(*) FROM points_entries e WHERE e.period_id = p.id AND e.status = 'pending'), "
	"(SELECT COUNT(*) FROM points_objections o WHERE o.period_id = p.id AND o.status = 'open') "
	"FROM points_periods p JOIN org_nodes n ON n.id = p.node_id WHERE n.path LIKE ? "
	"ORDER BY p.id DESC LIMIT 500";
#define ENTRY_JSON_COLS                                                                    \
	"e.id, e.household_id, h.code, h.head_name, e.points, e.note, e.evidence, e.status, "  \
	"e.maker_id, COALESCE(e.checker_id, 0), COALESCE(e.reverses_id, 0), e.reason, "         \
	"e.period_id, e.created_at, e.decided_at, COALESCE(i.id, 0), i.code, i.name, "          \
	"(SELECT r.id FROM points_entries r WHERE r.reverses_id = e.id), um.username, uc.username"
#define ENTRY_JSON_FROM                                                                    \
	" FROM points_entries e JOIN households h ON h.id = e.household_id "                   \
	"JOIN org_nodes n ON n.id = e.node_id LEFT JOIN points_items i ON i.id = e.item_id "     \
	"LEFT JOIN users um ON um.id = e.maker_id LEFT JOIN users uc ON uc.id = e.checker_id "
static const char SQL_ENTRIES_JSON[] =
	"SELECT " ENTRY_JSON_COLS ENTRY_JSON_FROM
	"WHERE n.path LIKE ? AND (CAST(? AS BIGINT) = 0 OR e.period_id = ?) "
	"AND (CAST(? AS BIGINT) = 0 OR e.household_id = ?) "
	"AND (CAST(? AS TEXT) IS NULL OR e.status = ?) ORDER BY e.id DESC LIMIT 1000";
static const char SQL_ENTRY_JSON[] = "SELECT " ENTRY_JSON_COLS ENTRY_JSON_FROM "WHERE e.id = ?";
static const char SQL_GOODS_JSON[] =
	"SELECT g.id, g.name, g.price, g.stock, g.source, n.id, n.code, n.name FROM points_goods g "
	"JOIN org_nodes n ON n.id = g.node_id WHERE n.path LIKE ? ORDER BY g.id LIMIT 1000";
#define REDEMPTION_JSON                                                                    \
	"SELECT r.id, r.household_id, h.code, h.head_name, r.goods_id, g.name, r.quantity, "   \
	"r.amount, r.status, r.created_at, r.expires_at, r.settled_at FROM points_redemptions r " \
	"JOIN households h ON h.id = r.household_id JOIN points_goods g ON g.id = r.goods_id "   \
	"JOIN org_nodes n ON n.id = r.node_id "
static const char SQL_REDEMPTIONS_JSON[] =
	REDEMPTION_JSON "WHERE n.path LIKE ? AND (CAST(? AS TEXT) IS NULL OR r.status = ?) "
			"ORDER BY r.id DESC LIMIT 1000";
static const char SQL_REDEMPTION_JSON[] = REDEMPTION_JSON "WHERE r.id = ?";
static const char SQL_OBJECTIONS_JSON[] =
	"SELECT o.id, o.entry_id, o.period_id, o.text, o.status, o.decision, "
	"COALESCE(o.reversal_id, 0), o.created_at, o.decided_at, h.code, h.head_name "
	"FROM points_objections o JOIN points_entries e ON e.id = o.entry_id "
	"JOIN households h ON h.id = e.household_id JOIN org_nodes n ON n.id = e.node_id "
	"WHERE n.path LIKE ? AND (CAST(? AS BIGINT) = 0 OR o.period_id = ?) ORDER BY o.id DESC "
	"LIMIT 1000";
static const char SQL_RANKING_JSON[] =
	"SELECT h.code, h.head_name, COALESCE(b.posted, 0) AS bal FROM households h "
	"JOIN org_nodes n ON n.id = h.node_id LEFT JOIN points_balances b "
	"ON b.account = 'hh:' || CAST(h.id AS TEXT) WHERE n.path LIKE ? "
	"ORDER BY bal DESC, h.code LIMIT 2000";

static json_t *jnull_or_int(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static json_t *jtext(struct db_stmt *s, int col)
{
	const char *v = db_col_text(s, col);
	return v ? json_string(v) : json_null();
}

static int points_like(char *out, size_t len, const char *path)
{
	return snprintf(out, len, "%s%%", path) < (int)len ? 0 : -1;
}

int points_store_items_json(struct db_conn *c, const char *path, bool all_versions, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_ITEMS_JSON);
	if (!s)
		return DB_HARD_ERROR;
	char like[300];
	points_like(like, sizeof(like), path);
	db_bind_text(s, 1, like);
	db_bind_int(s, 2, all_versions);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(
			items,
			json_pack("{s:I, s:s, s:I, s:s, s:s, s:I, s:b, s:s, s:b, s:{s:I, s:s, s:s}, s:I}",
				  "id", (json_int_t)db_col_int(s, 0), "code", db_col_text(s, 1),
				  "version", (json_int_t)db_col_int(s, 2), "name", db_col_text(s, 3),
				  "category", db_col_text(s, 4), "points", (json_int_t)db_col_int(s, 5),
				  "evidence_required", (int)db_col_int(s, 6), "decision",
				  db_col_text(s, 7), "current", (int)db_col_int(s, 8), "node", "id",
				  (json_int_t)db_col_int(s, 9), "code", db_col_text(s, 10), "name",
				  db_col_text(s, 11), "created_at", (json_int_t)db_col_int(s, 12)));
	return rc < 0 ? rc : 0;
}

int points_store_periods_json(struct db_conn *c, const char *path, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_PERIODS_JSON);
	if (!s)
		return DB_HARD_ERROR;
	char like[300];
	points_like(like, sizeof(like), path);
	db_bind_text(s, 1, like);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(
			items,
			json_pack("{s:I, s:s, s:s, s:I, s:o, s:o, s:I, s:o, s:o, s:{s:I, s:s, s:s}, s:I, "
				  "s:I}",
				  "id", (json_int_t)db_col_int(s, 0), "name", db_col_text(s, 1),
				  "status", db_col_text(s, 2), "publicity_days",
				  (json_int_t)db_col_int(s, 3), "publicity_until",
				  jnull_or_int(db_col_int(s, 4)), "seal_hash", jtext(s, 5), "opened_at",
				  (json_int_t)db_col_int(s, 6), "closed_at",
				  jnull_or_int(db_col_int(s, 7)), "sealed_at",
				  jnull_or_int(db_col_int(s, 8)), "node", "id",
				  (json_int_t)db_col_int(s, 9), "code", db_col_text(s, 10), "name",
				  db_col_text(s, 11), "pending_entries", (json_int_t)db_col_int(s, 12),
				  "open_objections", (json_int_t)db_col_int(s, 13)));
	return rc < 0 ? rc : 0;
}

static json_t *points_entry_row_json(struct db_stmt *s)
{
	json_t *item = json_null();
	if (db_col_int(s, 15))
		item = json_pack("{s:I, s:s?, s:s?}", "id", (json_int_t)db_col_int(s, 15), "code",
				 db_col_text(s, 16), "name", db_col_text(s, 17));
	json_t *reversed_by = db_col_is_null(s, 18) ? json_null() : json_integer(db_col_int(s, 18));
	return json_pack("{s:I, s:{s:I, s:s, s:s}, s:I, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o, "
			 "s:I, s:I, s:o, s:o, s:o}",
			 "id", (json_int_t)db_col_int(s, 0), "household", "id",
			 (json_int_t)db_col_int(s, 1), "code", db_col_text(s, 2), "head_name",
			 db_col_text(s, 3), "points", (json_int_t)db_col_int(s, 4), "note",
			 db_col_text(s, 5), "evidence", jtext(s, 6), "status", db_col_text(s, 7),
			 "maker", jtext(s, 19), "checker", jtext(s, 20), "reverses",
			 jnull_or_int(db_col_int(s, 10)), "reason", jtext(s, 11), "reversed_by",
			 reversed_by, "period_id", (json_int_t)db_col_int(s, 12), "created_at",
			 (json_int_t)db_col_int(s, 13), "decided_at", jnull_or_int(db_col_int(s, 14)),
			 "item", item, "maker_id", jnull_or_int(db_col_int(s, 8)));
}

int points_store_entries_json(struct db_conn *c, const char *path, int64_t period_id,
			      int64_t household_id, const char *status, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_ENTRIES_JSON);
	if (!s)
		return DB_HARD_ERROR;
	char like[300];
	points_like(like, sizeof(like), path);
	db_bind_text(s, 1, like);
	db_bind_int(s, 2, period_id);
	db_bind_int(s, 3, period_id);
	db_bind_int(s, 4, household_id);
	db_bind_int(s, 5, household_id);
	db_bind_text(s, 6, status);
	db_bind_text(s, 7, status);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(items, points_entry_row_json(s));
	return rc < 0 ? rc : 0;
}

int points_store_entry_json(struct db_conn *c, int64_t id, json_t **out)
{
	struct db_stmt *s = db_prepare(c, SQL_ENTRY_JSON);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		*out = points_entry_row_json(s);
	return rc;
}

int points_store_goods_json(struct db_conn *c, const char *path, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_GOODS_JSON);
	if (!s)
		return DB_HARD_ERROR;
	char like[300];
	points_like(like, sizeof(like), path);
	db_bind_text(s, 1, like);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(items,
				      json_pack("{s:I, s:s, s:I, s:I, s:s, s:{s:I, s:s, s:s}}", "id",
						(json_int_t)db_col_int(s, 0), "name", db_col_text(s, 1),
						"price", (json_int_t)db_col_int(s, 2), "stock",
						(json_int_t)db_col_int(s, 3), "source", db_col_text(s, 4),
						"node", "id", (json_int_t)db_col_int(s, 5), "code",
						db_col_text(s, 6), "name", db_col_text(s, 7)));
	return rc < 0 ? rc : 0;
}

static json_t *points_redemption_row_json(struct db_stmt *s)
{
	return json_pack("{s:I, s:{s:I, s:s, s:s}, s:{s:I, s:s}, s:I, s:I, s:s, s:I, s:I, s:o}",
			 "id", (json_int_t)db_col_int(s, 0), "household", "id",
			 (json_int_t)db_col_int(s, 1), "code", db_col_text(s, 2), "head_name",
			 db_col_text(s, 3), "goods", "id", (json_int_t)db_col_int(s, 4), "name",
			 db_col_text(s, 5), "quantity", (json_int_t)db_col_int(s, 6), "amount",
			 (json_int_t)db_col_int(s, 7), "status", db_col_text(s, 8), "created_at",
			 (json_int_t)db_col_int(s, 9), "expires_at", (json_int_t)db_col_int(s, 10),
			 "settled_at", jnull_or_int(db_col_int(s, 11)));
}

int points_store_redemptions_json(struct db_conn *c, const char *path, const char *status,
				  json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_REDEMPTIONS_JSON);
	if (!s)
		return DB_HARD_ERROR;
	char like[300];
	points_like(like, sizeof(like), path);
	db_bind_text(s, 1, like);
	db_bind_text(s, 2, status);
	db_bind_text(s, 3, status);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(items, points_redemption_row_json(s));
	return rc < 0 ? rc : 0;
}

int points_store_redemption_json(struct db_conn *c, int64_t id, json_t **out)
{
	struct db_stmt *s = db_prepare(c, SQL_REDEMPTION_JSON);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		*out = points_redemption_row_json(s);
	return rc;
}

int points_store_objections_json(struct db_conn *c, const char *path, int64_t period_id,
				 json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_OBJECTIONS_JSON);
	if (!s)
		return DB_HARD_ERROR;
	char like[300];
	points_like(like, sizeof(like), path);
	db_bind_text(s, 1, like);
	db_bind_int(s, 2, period_id);
	db_bind_int(s, 3, period_id);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(
			items, json_pack("{s:I, s:I, s:I, s:s, s:s, s:o, s:o, s:I, s:o, s:{s:s, s:s}}",
					 "id", (json_int_t)db_col_int(s, 0), "entry_id",
					 (json_int_t)db_col_int(s, 1), "period_id",
					 (json_int_t)db_col_int(s, 2), "text", db_col_text(s, 3),
					 "status", db_col_text(s, 4), "decision", jtext(s, 5),
					 "reversal_id", jnull_or_int(db_col_int(s, 6)), "created_at",
					 (json_int_t)db_col_int(s, 7), "decided_at",
					 jnull_or_int(db_col_int(s, 8)), "household", "code",
					 db_col_text(s, 9), "head_name", db_col_text(s, 10)));
	return rc < 0 ? rc : 0;
}

int points_store_ranking_json(struct db_conn *c, const char *path, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_RANKING_JSON);
	if (!s)
		return DB_HARD_ERROR;
	char like[300];
	points_like(like, sizeof(like), path);
	db_bind_text(s, 1, like);
	int rc, rank = 0;
	int64_t last = INT64_MIN;
	int n = 0;
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t bal = db_col_int(s, 2);
		n++;
		if (bal != last)
			rank = n; /* equal balances share a rank (1, 2, 2, 4) */
		last = bal;
		char masked[64];
		points_mask_name(db_col_text(s, 1), masked, sizeof(masked));
		json_array_append_new(items, json_pack("{s:i, s:s, s:s, s:I}", "rank", rank, "code",
						       db_col_text(s, 0), "head", masked, "balance",
						       (json_int_t)bal));
	}
	return rc < 0 ? rc : 0;
}

static const char SQL_REPORT_ITEMS[] =
	"SELECT COALESCE(i.code, '-'), COALESCE(i.name, '-'), COALESCE(i.category, '-'), "
	"COUNT(*), SUM(e.points) FROM points_entries e JOIN org_nodes n ON n.id = e.node_id "
	"JOIN points_periods p ON p.id = e.period_id LEFT JOIN points_items i ON i.id = e.item_id "
	"WHERE n.path LIKE ? AND e.status = 'approved' AND (CAST(? AS TEXT) IS NULL OR p.name = ?) "
	"GROUP BY COALESCE(i.code, '-'), COALESCE(i.name, '-'), COALESCE(i.category, '-') "
	"ORDER BY 1";
static const char SQL_REPORT_VILLAGES[] =
	"SELECT n.id, n.code, n.name, "
	"(SELECT COUNT(*) FROM households h JOIN org_nodes hn ON hn.id = h.node_id "
	" WHERE hn.path LIKE n.path || '%'), "
	"(SELECT COUNT(DISTINCT e.household_id) FROM points_entries e JOIN points_periods p "
	" ON p.id = e.period_id WHERE e.node_id = n.id AND e.status = 'approved' "
	" AND (CAST(? AS TEXT) IS NULL OR p.name = ?)), "
	"(SELECT COALESCE(SUM(e.points), 0) FROM points_entries e JOIN points_periods p "
	" ON p.id = e.period_id WHERE e.node_id = n.id AND e.status = 'approved' "
	" AND (CAST(? AS TEXT) IS NULL OR p.name = ?)), "
	"(SELECT COALESCE(SUM(r.amount), 0) FROM points_redemptions r WHERE r.node_id = n.id "
	" AND r.status = 'picked_up'), "
	"(SELECT COUNT(*) FROM points_redemptions r WHERE r.node_id = n.id "
	" AND r.status = 'picked_up') "
	"FROM org_nodes n WHERE n.path LIKE ? AND n.level = 'village' ORDER BY n.code";

int points_store_report_json(struct db_conn *c, const char *path, const char *period,
			     json_t *report)
{
	char like[300];
	points_like(like, sizeof(like), path);
	struct db_stmt *s = db_prepare(c, SQL_REPORT_ITEMS);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_text(s, 1, like);
	db_bind_text(s, 2, period);
	db_bind_text(s, 3, period);
	json_t *by_item = json_array(), *by_village = json_array();
	json_object_set_new(report, "by_item", by_item);
	json_object_set_new(report, "by_village", by_village);
	json_object_set_new(report, "period", period ? json_string(period) : json_null());
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(by_item, json_pack("{s:s, s:s, s:s, s:I, s:I}", "code",
							 db_col_text(s, 0), "name", db_col_text(s, 1),
							 "category", db_col_text(s, 2), "entries",
							 (json_int_t)db_col_int(s, 3), "points",
							 (json_int_t)db_col_int(s, 4)));
	if (rc < 0)
		return rc;
	s = db_prepare(c, SQL_REPORT_VILLAGES);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_text(s, 1, period);
	db_bind_text(s, 2, period);
	db_bind_text(s, 3, period);
	db_bind_text(s, 4, period);
	db_bind_text(s, 5, like);
	int64_t households = 0, participating = 0, turnover = 0, redemptions = 0;
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t hh = db_col_int(s, 3), part = db_col_int(s, 4);
		households += hh;
		participating += part;
		turnover += db_col_int(s, 6);
		redemptions += db_col_int(s, 7);
		json_array_append_new(
			by_village,
			json_pack("{s:I, s:s, s:s, s:I, s:I, s:f, s:I, s:I, s:I}", "id",
				  (json_int_t)db_col_int(s, 0), "code", db_col_text(s, 1), "name",
				  db_col_text(s, 2), "households", (json_int_t)hh, "participating",
				  (json_int_t)part, "participation",
				  hh ? (double)part / (double)hh : 0.0, "points",
				  (json_int_t)db_col_int(s, 5), "turnover",
				  (json_int_t)db_col_int(s, 6), "redemptions",
				  (json_int_t)db_col_int(s, 7)));
	}
	if (rc < 0)
		return rc;
	json_object_set_new(report, "totals",
			    json_pack("{s:I, s:I, s:f, s:I, s:I}", "households",
				      (json_int_t)households, "participating",
				      (json_int_t)participating, "participation",
				      households ? (double)participating / (double)households : 0.0,
				      "turnover", (json_int_t)turnover, "redemptions",
				      (json_int_t)redemptions));
	return 0;
}
