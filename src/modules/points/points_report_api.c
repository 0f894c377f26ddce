/* points_report_api.c — a household's points, the report, and the public display (公示):
 * the village ranking and a household's history for the resident phone page, by household
 * code, with names masked. */
#include "modules/points/points_api.h"

#include "auth/auth.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/xlsx.h"
#include "http/ratelimit.h"
#include "modules/points/points_api_common.h"
#include "org/org.h"
#include "people/people.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

static const unsigned POINTS_READ = ROLES_PEOPLE | ROLE_VOLUNTEER;

static const char SQL_HOUSEHOLD_BY_CODE[] =
	"SELECT h.id, h.head_name, n.path, n.name FROM households h "
	"JOIN org_nodes n ON n.id = h.node_id WHERE h.code = ?";
static const char SQL_HOUSEHOLD_PHONE[] =
	"SELECT h.id, COALESCE(h.phone, '') FROM households h WHERE h.code = ?";
static const char SQL_PUBLIC_HISTORY[] =
	"SELECT e.id, e.points, e.created_at, e.decided_at, COALESCE(i.name, ''), "
	"COALESCE(e.reverses_id, 0), COALESCE(e.reason, ''), p.name FROM points_entries e "
	"LEFT JOIN points_items i ON i.id = e.item_id JOIN points_periods p ON p.id = e.period_id "
	"WHERE e.household_id = ? AND e.status = 'approved' ORDER BY e.id DESC LIMIT 500";

static int points_balances_json(struct db_conn *c, int64_t household, json_t *obj)
{
	char hh[32];
	points_account(hh, "hh", household);
	int64_t posted = 0, pending = 0;
	int rc = points_ledger_balance(c, hh, &posted, &pending);
	if (rc < 0)
		return rc;
	json_object_set_new(obj, "balance", json_integer(posted));
	json_object_set_new(obj, "pending", json_integer(pending));
	json_object_set_new(obj, "available", json_integer(posted - pending));
	return 0;
}

static int household_points_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	struct org_node *node = NULL;
	int rc = points_household_node(c, p, p->id, POINTS_READ, &node);
	if (rc < 0)
		return rc;
	json_t *entries = json_array();
	p->out = json_pack("{s:I, s:o}", "household", (json_int_t)p->id, "entries", entries);
	rc = points_balances_json(c, p->id, p->out);
	if (rc < 0)
		return rc;
	return points_store_entries_json(c, "/", 0, p->id, NULL, entries);
}

int points_api_household_points(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.household.read"};
	if (points_path_id(&p) < 0)
		return HTTP_DONE;
	return points_run(&p, household_points_tx, false);
}

static int report_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	int rc = points_node(c, p, ROLES_PEOPLE);
	if (rc < 0)
		return rc;
	p->out = json_pack("{s:{s:I, s:s, s:s, s:s}}", "node", "id", (json_int_t)p->node->id, "code",
			   p->node->code, "name", p->node->name, "level", p->node->level);
	return points_store_report_json(c, p->node->path, p->name, p->out);
}

int points_api_report(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.report", .ref = http_query(r, "node"),
			       .name = http_query(r, "period")};
	if ((p.ref && (!*p.ref || strlen(p.ref) > 64)) || (p.name && strlen(p.name) > 20))
		return http_reply_problem(r, "request.bad_query", "node or period too long", NULL);
	if (p.name && !*p.name)
		p.name = NULL;
	return points_run(&p, report_tx, false);
}

/* ---- public (no sign-in; rate limited per client address) ---- */

static int points_public_limit(struct http_req *r)
{
	if (ratelimit_take("public", r->ip, 600, 120, clock_now_ms()))
		return 0;
	http_reply_problem(r, "rate.limited", NULL, NULL);
	return -1;
}

static int public_ranking_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	int rc = points_node(c, p, 0);
	if (rc < 0)
		return rc;
	if (org_level_rank(p->node->level) < org_level_rank("village"))
		return POINTS_BAD_STATE; /* the public ranking is per village */
	json_t *items = json_array();
	p->out = json_pack("{s:{s:s, s:s}, s:o}", "node", "code", p->node->code, "name",
			   p->node->name, "items", items);
	return points_store_ranking_json(c, p->node->path, items);
}

int points_api_public_ranking(struct http_req *r)
{
	if (points_public_limit(r) < 0)
		return HTTP_DONE;
	struct points_ctx p = {.r = r, .action = "points.public.ranking", .ref = http_query(r, "node")};
	if (!p.ref || !*p.ref || strlen(p.ref) > 64)
		return http_reply_problem(r, "request.bad_query", "node: a village code", "node");
	int rc = db_read_run(r->db, public_ranking_tx, &p);
	if (rc == POINTS_BAD_STATE)
		return http_reply_problem(r, "request.bad_query", "node: a village code", "node");
	if (rc < 0)
		return points_reply_error(&p, rc);
	return http_reply_json(r, 200, p.out);
}

static int public_household_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	struct db_stmt *s = db_prepare(c, SQL_HOUSEHOLD_BY_CODE);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_text(s, 1, p->code);
	int rc = db_step(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return POINTS_NOT_FOUND - 101;
	int64_t id = db_col_int(s, 0);
	char masked[64];
	points_mask_name(db_col_text(s, 1), masked, sizeof(masked));
	json_t *history = json_array();
	p->out = json_pack("{s:s, s:s, s:s, s:o}", "code", p->code, "head", masked, "village",
			   db_col_text(s, 3), "entries", history);
	rc = points_balances_json(c, id, p->out);
	if (rc < 0)
		return rc;
	json_object_del(p->out, "pending");
	json_object_del(p->out, "available");
	s = db_prepare(c, SQL_PUBLIC_HISTORY);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, id);
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(
			history, json_pack("{s:I, s:I, s:I, s:s, s:b, s:s, s:s}", "id",
					   (json_int_t)db_col_int(s, 0), "points",
					   (json_int_t)db_col_int(s, 1), "at",
					   (json_int_t)(db_col_int(s, 3) ? db_col_int(s, 3)
									 : db_col_int(s, 2)),
					   "item", db_col_text(s, 4), "reversal",
					   db_col_int(s, 5) != 0, "reason", db_col_text(s, 6),
					   "period", db_col_text(s, 7)));
	return rc < 0 ? rc : 0;
}

int points_api_public_household(struct http_req *r)
{
	if (points_public_limit(r) < 0)
		return HTTP_DONE;
	struct points_ctx p = {.r = r, .action = "points.public.household", .code = r->params[0]};
	if (!org_code_valid(p.code))
		return http_reply_problem(r, "request.bad_id", "a household code", NULL);
	return points_run(&p, public_household_tx, false);
}

/* GET /api/v1/points/report.xlsx — the same report as a workbook: 按项目 (by item) and
 * 按嘎查村 (by village, with totals). */
int points_api_report_xlsx(struct http_req *r)
{
	struct points_ctx p = {.r = r, .action = "points.report", .ref = http_query(r, "node"),
			       .name = http_query(r, "period")};
	if ((p.ref && (!*p.ref || strlen(p.ref) > 64)) || (p.name && strlen(p.name) > 20))
		return http_reply_problem(r, "request.bad_query", "node or period too long", NULL);
	if (p.name && !*p.name)
		p.name = NULL;
	int rc = db_read_run(r->db, report_tx, &p);
	if (rc < 0)
		return points_reply_error(&p, rc);
	struct xlsx x;
	if (xlsx_open(&x) < 0) {
		json_decref(p.out);
		return http_reply_problem(r, "internal", "cannot create the workbook", NULL);
	}
	lxw_worksheet *items = workbook_add_worksheet(x.wb, "按项目");
	static const char *const item_titles[] = {"项目编码", "项目名称", "类别", "条数", "积分"};
	xlsx_header(&x, items, item_titles, 5);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(p.out, "by_item"), i, v)
	{
		lxw_row_t row = (lxw_row_t)i + 1;
		worksheet_write_string(items, row, 0, json_string_value(json_object_get(v, "code")), NULL);
		worksheet_write_string(items, row, 1, json_string_value(json_object_get(v, "name")), NULL);
		worksheet_write_string(items, row, 2, json_string_value(json_object_get(v, "category")),
				       NULL);
		worksheet_write_number(items, row, 3,
				       (double)json_integer_value(json_object_get(v, "entries")), x.number);
		worksheet_write_number(items, row, 4,
				       (double)json_integer_value(json_object_get(v, "points")), x.number);
	}
	lxw_worksheet *villages = workbook_add_worksheet(x.wb, "按嘎查村");
	static const char *const v_titles[] = {"嘎查村", "户数", "参与户数", "参与率", "积分合计",
					       "兑换积分", "兑换次数"};
	xlsx_header(&x, villages, v_titles, 7);
	lxw_row_t row = 1;
	json_array_foreach(json_object_get(p.out, "by_village"), i, v)
	{
		row = (lxw_row_t)i + 1;
		worksheet_write_string(villages, row, 0, json_string_value(json_object_get(v, "name")),
				       NULL);
		static const char *const keys[] = {"households", "participating", "participation",
						   "points", "turnover", "redemptions"};
		for (int k = 0; k < 6; k++) {
			json_t *n = json_object_get(v, keys[k]);
			worksheet_write_number(villages, row, (lxw_col_t)(k + 1), json_number_value(n),
					       k == 2 ? x.percent : x.number);
		}
	}
	json_t *t = json_object_get(p.out, "totals");
	row++;
	worksheet_write_string(villages, row, 0, "合计", x.header);
	static const char *const tkeys[] = {"households", "participating", "participation", NULL,
					    "turnover", "redemptions"};
	for (int k = 0; k < 6; k++)
		if (tkeys[k])
			worksheet_write_number(villages, row, (lxw_col_t)(k + 1),
					       json_number_value(json_object_get(t, tkeys[k])),
					       k == 2 ? x.percent : x.number);
	char *data = NULL;
	size_t len = 0;
	const char *node_name = json_string_value(json_object_get(json_object_get(p.out, "node"), "name"));
	char *filename = arena_printf(r->arena, "积分报表-%s%s%s.xlsx", node_name, p.name ? "-" : "",
				      p.name ? p.name : "");
	json_decref(p.out);
	if (xlsx_finish(&x, &data, &len) < 0)
		return http_reply_problem(r, "internal", "cannot write the workbook", NULL);
	return http_reply_download(
		r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename, data,
		len);
}

/* POST /api/v1/public/points/objections {"household","phone_last4","entry","text"} — a
 * household disputes an entry during the public display itself, proving who it is with the
 * last four digits of the household's phone number. */
static int public_objection_tx(struct db_conn *c, void *ctx)
{
	struct points_ctx *p = ctx;
	struct db_stmt *s = db_prepare(c, SQL_HOUSEHOLD_PHONE);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_text(s, 1, p->code);
	int rc = db_step(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return POINTS_NOT_FOUND - 101;
	int64_t household = db_col_int(s, 0);
	const char *phone = db_col_text(s, 1);
	size_t n = strlen(phone);
	if (n < 4 || strcmp(phone + n - 4, p->key) != 0)
		return POINTS_FORBIDDEN - 1000;
	struct points_entry *e = NULL;
	rc = points_store_entry_get(c, p->r->arena, p->id, &e);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW || e->household_id != household)
		return POINTS_NOT_FOUND;
	p->node_id = e->node_id;
	struct points_period *per = NULL;
	rc = points_store_period_get(c, p->r->arena, e->period_id, &per);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	if (strcmp(per->status, "publicity") != 0 || clock_now_ms() >= per->publicity_until ||
	    strcmp(e->status, "approved") != 0)
		return POINTS_BAD_STATE;
	int64_t id = 0;
	rc = points_store_objection_insert(c, e->county_id, e->id, per->id, p->text, 0,
					   clock_now_ms(), &id);
	if (rc < 0)
		return rc;
	rc = points_audit(c, p, arena_printf(p->r->arena, "points_objection:%lld", (long long)id),
			  arena_printf(p->r->arena, "by household %s: %s", p->code, p->text));
	if (rc < 0)
		return rc;
	p->status = 201;
	p->out = json_pack("{s:I, s:I, s:s}", "id", (json_int_t)id, "entry_id", (json_int_t)e->id,
			   "status", "open");
	return 0;
}

int points_api_public_objection(struct http_req *r)
{
	/* Few tries per address: the last four digits are a weak secret. */
	if (!ratelimit_take("objection", r->ip, 10, 10, clock_now_ms())) {
		return http_reply_problem(r, "rate.limited", NULL, NULL);
	}
	struct points_ctx p = {.r = r, .action = "points.objection.create"};
	struct json_field spec[] = {
		{"household", JF_STRING, true, 64, &p.code, NULL},
		{"phone_last4", JF_STRING, true, 4, &p.key, NULL},
		{"entry", JF_INT, true, 0, &p.id, NULL},
		{"text", JF_STRING, true, 500, &p.text, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (strlen(p.key) != 4 || strspn(p.key, "0123456789") != 4)
		return http_reply_problem(r, "request.bad_field", "phone_last4: four digits",
					  "phone_last4");
	if (http_text_blank(p.text) || p.id <= 0)
		return http_reply_problem(r, "request.bad_field", "entry and text are required",
					  p.id <= 0 ? "entry" : "text");
	int rc = db_tx_run(r->db, public_objection_tx, &p);
	if (rc == POINTS_FORBIDDEN - 1000)
		return http_reply_problem(r, "points.not_verified", NULL, "phone_last4");
	if (rc < 0)
		return points_reply_error(&p, rc);
	return http_reply_json(r, 201, p.out);
}
