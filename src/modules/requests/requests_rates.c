/* requests_rates.c — the hotline rates (docs/requests.md) per volunteer, village, township,
 * category or month; the dashboard's JSON and its XLSX. Rows are read once and grouped in C,
 * so the SQL stays the same on both backends. */
#include "modules/requests/requests_api.h"

#include "auth/auth.h"
#include "core/mem.h"
#include "core/xlsx.h"
#include "modules/requests/requests_api_common.h"
#include "org/org.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

static const char SQL_RATE_ROWS[] =
	"SELECT o.created_at, o.first_accepted_at, o.urgency, o.done_at, o.due_at, o.resolved, "
	"o.satisfied, o.unreasonable, o.redo_count, o.status, COALESCE(v.name, '（未派单）'), "
	"n.name, COALESCE(pn.name, n.name), k.name "
	"FROM orders o JOIN org_nodes n ON n.id = o.node_id LEFT JOIN org_nodes pn ON pn.id = "
	"n.parent_id LEFT JOIN volunteers v ON v.id = o.volunteer_id JOIN request_categories k "
	"ON k.id = o.category_id WHERE n.path LIKE ? AND o.status <> 'cancelled' "
	"AND (CAST(? AS BIGINT) = 0 OR o.created_at >= ?) AND (CAST(? AS BIGINT) = 0 OR "
	"o.created_at < ?) ORDER BY o.id LIMIT 200000";

/* Offers answered, each counted for the volunteer it was made to (not the order's holder). */
static const char SQL_RATE_OFFERS[] =
	"SELECT o.created_at, f.status, v.name, n.name, COALESCE(pn.name, n.name), k.name "
	"FROM order_offers f JOIN orders o ON o.id = f.order_id JOIN volunteers v ON "
	"v.id = f.volunteer_id JOIN org_nodes n ON n.id = o.node_id LEFT JOIN org_nodes pn ON "
	"pn.id = n.parent_id JOIN request_categories k ON k.id = o.category_id "
	"WHERE n.path LIKE ? AND o.status <> 'cancelled' AND f.status IN ('accepted','declined') "
	"AND (CAST(? AS BIGINT) = 0 OR o.created_at >= ?) AND (CAST(? AS BIGINT) = 0 OR "
	"o.created_at < ?) ORDER BY f.id LIMIT 400000";

struct rate_group {
	char key[96];
	int64_t orders, responded, done, on_time, visited, resolved, rated_visits, satisfied,
		offers, declined, redone;
};

struct rates {
	struct rate_group *g;
	size_t n, cap;
};

static struct rate_group *rates_group(struct rates *rs, const char *key)
{
	for (size_t i = 0; i < rs->n; i++)
		if (strcmp(rs->g[i].key, key) == 0)
			return &rs->g[i];
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 32;
		rs->g = xrealloc(rs->g, rs->cap * sizeof(*rs->g));
	}
	struct rate_group *g = &rs->g[rs->n++];
	memset(g, 0, sizeof(*g));
	snprintf(g->key, sizeof(g->key), "%s", key);
	return g;
}

static json_t *ratio(int64_t num, int64_t den)
{
	return den ? json_real((double)num / (double)den) : json_null();
}

static json_t *rates_json(const struct rate_group *g)
{
	return json_pack("{s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I, "
			 "s:I, s:I, s:I, s:I, s:I}}",
			 "group", g->key, "orders", (json_int_t)g->orders, "response",
			 ratio(g->responded, g->orders), "on_time", ratio(g->on_time, g->done),
			 "resolution", ratio(g->resolved, g->visited), "satisfaction",
			 ratio(g->satisfied, g->rated_visits), "decline", ratio(g->declined, g->offers),
			 "redo", ratio(g->redone, g->done), "counts", "responded",
			 (json_int_t)g->responded, "done", (json_int_t)g->done, "on_time",
			 (json_int_t)g->on_time, "visited", (json_int_t)g->visited, "resolved",
			 (json_int_t)g->resolved, "satisfaction_base", (json_int_t)g->rated_visits,
			 "satisfied", (json_int_t)g->satisfied, "offers", (json_int_t)g->offers,
			 "declined", (json_int_t)g->declined, "redone", (json_int_t)g->redone);
}

static void rates_add(struct rate_group *g, struct db_stmt *s)
{
	int64_t created = db_col_int(s, 0), accepted = db_col_int(s, 1);
	bool urgent = strcmp(db_col_text(s, 2), "urgent") == 0;
	int64_t done = db_col_int(s, 3), due = db_col_int(s, 4);
	g->orders++;
	/* responded: accepted within 2 hours (urgent) or 24 hours */
	if (accepted && accepted - created <= (urgent ? 2 : 24) * 3600000LL)
		g->responded++;
	if (done) {
		g->done++;
		g->on_time += done <= due;
		g->redone += db_col_int(s, 8) > 0;
	}
	if (!db_col_is_null(s, 5)) {
		g->visited++;
		g->resolved += db_col_int(s, 5) != 0;
		if (!db_col_int(s, 7)) { /* reviewed "unreasonable" requests leave satisfaction out */
			g->rated_visits++;
			g->satisfied += db_col_int(s, 6) != 0;
		}
	}
}

/* The group key of a row whose created_at, volunteer, village, town and category sit at
 * columns created, vol, vol+1, vol+2, vol+3. */
static void rates_key(const char *by, struct db_stmt *s, int created, int vol, char *key,
		      size_t len)
{
	if (strcmp(by, "volunteer") == 0)
		snprintf(key, len, "%s", db_col_text(s, vol));
	else if (strcmp(by, "village") == 0)
		snprintf(key, len, "%s", db_col_text(s, vol + 1));
	else if (strcmp(by, "town") == 0)
		snprintf(key, len, "%s", db_col_text(s, vol + 2));
	else if (strcmp(by, "category") == 0)
		snprintf(key, len, "%s", db_col_text(s, vol + 3));
	else {
		int d = requests_cst_day(db_col_int(s, created));
		snprintf(key, len, "%04d-%02d", d / 10000 % 10000, d / 100 % 100);
	}
}

struct rates_ctx {
	struct requests_ctx q;
	const char *by;
	int64_t from, to;
};

static int rates_tx(struct db_conn *c, void *ctx)
{
	struct rates_ctx *rc_ = ctx;
	struct requests_ctx *q = &rc_->q;
	int rc = requests_node(c, q, ROLES_PEOPLE);
	if (rc < 0)
		return rc;
	struct db_stmt *s = db_prepare(c, SQL_RATE_ROWS);
	if (!s)
		return DB_HARD_ERROR;
	char like[300];
	snprintf(like, sizeof(like), "%s%%", q->node->path);
	db_bind_text(s, 1, like);
	db_bind_int(s, 2, rc_->from);
	db_bind_int(s, 3, rc_->from);
	db_bind_int(s, 4, rc_->to);
	db_bind_int(s, 5, rc_->to);
	struct rates rs = {0};
	struct rate_group total = {.key = "合计"};
	while ((rc = db_step(s)) == DB_ROW) {
		char key[96];
		rates_key(rc_->by, s, 0, 10, key, sizeof(key));
		rates_add(rates_group(&rs, key), s);
		rates_add(&total, s);
	}
	if (rc >= 0) {
		s = db_prepare(c, SQL_RATE_OFFERS);
		if (!s) {
			free(rs.g);
			return DB_HARD_ERROR;
		}
		db_bind_text(s, 1, like);
		db_bind_int(s, 2, rc_->from);
		db_bind_int(s, 3, rc_->from);
		db_bind_int(s, 4, rc_->to);
		db_bind_int(s, 5, rc_->to);
		while ((rc = db_step(s)) == DB_ROW) {
			char key[96];
			rates_key(rc_->by, s, 0, 2, key, sizeof(key));
			bool declined = strcmp(db_col_text(s, 1), "declined") == 0;
			struct rate_group *g = rates_group(&rs, key);
			g->offers++;
			g->declined += declined;
			total.offers++;
			total.declined += declined;
		}
	}
	if (rc < 0) {
		free(rs.g);
		return rc;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < rs.n; i++)
		json_array_append_new(items, rates_json(&rs.g[i]));
	free(rs.g);
	q->out = json_pack("{s:s, s:{s:s, s:s}, s:o, s:o}", "by", rc_->by, "node", "code",
			   q->node->code, "name", q->node->name, "items", items, "total",
			   rates_json(&total));
	return 0;
}

static int rates_args(struct http_req *r, struct rates_ctx *x)
{
	x->q.r = r;
	x->q.action = "order.rates";
	x->q.ref = http_query(r, "node");
	x->by = http_query(r, "by");
	if (!x->by)
		x->by = "village";
	static const char *const bys[] = {"volunteer", "village", "town", "category", "month"};
	bool ok = false;
	for (size_t i = 0; i < 5; i++)
		ok = ok || strcmp(x->by, bys[i]) == 0;
	if (!ok) {
		http_reply_problem(r, "request.bad_query", "by: volunteer, village, town, category or month",
				   "by");
		return -1;
	}
	if (x->q.ref && (!*x->q.ref || strlen(x->q.ref) > 64)) {
		http_reply_problem(r, "request.bad_query", "node", "node");
		return -1;
	}
	if (http_query_int(r, "from", 0, 0, INT64_MAX / 2, &x->from) < 0 ||
	    http_query_int(r, "to", 0, 0, INT64_MAX / 2, &x->to) < 0)
		return -1;
	return 0;
}

int requests_api_rates(struct http_req *r)
{
	struct rates_ctx x = {0};
	if (rates_args(r, &x) < 0)
		return HTTP_DONE;
	return requests_run(&x.q, rates_tx, false);
}

int requests_api_rates_xlsx(struct http_req *r)
{
	struct rates_ctx x = {0};
	if (rates_args(r, &x) < 0)
		return HTTP_DONE;
	int rc = db_read_run(r->db, rates_tx, &x);
	if (rc < 0)
		return requests_reply_error(&x.q, rc);
	struct xlsx w;
	if (xlsx_open(&w) < 0) {
		json_decref(x.q.out);
		return http_reply_problem(r, "internal", "cannot create the workbook", NULL);
	}
	lxw_worksheet *ws = workbook_add_worksheet(w.wb, "服务评价指标");
	static const char *const titles[] = {"分组", "工单数", "响应率", "按时办结率", "解决率",
					     "满意率", "拒单率", "重办率"};
	xlsx_header(&w, ws, titles, 8);
	static const char *const keys[] = {"response", "on_time", "resolution", "satisfaction",
					   "decline", "redo"};
	json_t *rows = json_object_get(x.q.out, "items");
	json_array_append(rows, json_object_get(x.q.out, "total"));
	size_t i;
	json_t *g;
	json_array_foreach(rows, i, g)
	{
		lxw_row_t row = (lxw_row_t)i + 1;
		worksheet_write_string(ws, row, 0, json_string_value(json_object_get(g, "group")), NULL);
		worksheet_write_number(ws, row, 1,
				       (double)json_integer_value(json_object_get(g, "orders")), w.number);
		for (int k = 0; k < 6; k++) {
			json_t *v = json_object_get(g, keys[k]);
			if (json_is_number(v))
				worksheet_write_number(ws, row, (lxw_col_t)(k + 2), json_number_value(v),
						       w.percent);
			else
				worksheet_write_string(ws, row, (lxw_col_t)(k + 2), "—", NULL);
		}
	}
	json_decref(x.q.out);
	char *data = NULL;
	size_t len = 0;
	if (xlsx_finish(&w, &data, &len) < 0)
		return http_reply_problem(r, "internal", "cannot write the workbook", NULL);
	return http_reply_download(
		r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"服务评价指标.xlsx", data, len);
}
