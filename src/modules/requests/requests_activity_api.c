/* requests_activity_api.c — recurring volunteer activities (e.g. the monthly donation day on
 * the 20th) with sign-up and attendance, and the working-day calendar. */
#include "modules/requests/requests_api.h"

#include "auth/auth.h"
#include "core/clock.h"
#include "core/mem.h"
#include "modules/requests/requests_api_common.h"
#include "org/org.h"
#include "people/people.h"
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_ACTIVITIES[] =
	"SELECT a.id, a.name, a.description, a.day_of_month, a.minutes, n.id, n.code, n.name, "
	"(SELECT COUNT(*) FROM activity_signups s WHERE s.activity_id = a.id), "
	"(SELECT COUNT(*) FROM activity_signups s WHERE s.activity_id = a.id AND s.attended = 1) "
	"FROM activities a JOIN org_nodes n ON n.id = a.node_id "
	"WHERE n.path LIKE ? OR ? LIKE n.path || '%' ORDER BY a.id LIMIT 1000";
static const char SQL_ACTIVITY_INSERT[] =
	"INSERT INTO activities (county_id, node_id, name, description, day_of_month, minutes, "
	"created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_ACTIVITY[] =
	"SELECT a.id, a.county_id, a.node_id, a.day_of_month, a.minutes, n.path FROM activities a "
	"JOIN org_nodes n ON n.id = a.node_id WHERE a.id = ?";
static const char SQL_SIGNUP[] =
	"INSERT INTO activity_signups (activity_id, volunteer_id, day, created_at) "
	"VALUES (?, ?, ?, ?) RETURNING id";
static const char SQL_SIGNUP_GET[] =
	"SELECT volunteer_id, attended FROM activity_signups WHERE id = ? AND activity_id = ?";
static const char SQL_SIGNUP_ATTEND[] =
	"UPDATE activity_signups SET attended = 1 WHERE id = ? AND attended = 0";
static const char SQL_SIGNUPS[] =
	"SELECT s.id, s.day, s.attended, v.id, v.name FROM activity_signups s "
	"JOIN volunteers v ON v.id = s.volunteer_id WHERE s.activity_id = ? ORDER BY s.day, s.id";
static const char SQL_CALENDAR[] =
	"SELECT day, kind, name FROM holidays WHERE day LIKE ? ORDER BY day";
static const char SQL_CAL_DELETE[] = "DELETE FROM holidays WHERE day = ?";
static const char SQL_CAL_INSERT[] = "INSERT INTO holidays (day, kind, name) VALUES (?, ?, ?)";

struct activity {
	int64_t id, county_id, node_id, day_of_month, minutes;
	char path[256];
};

static int activity_load(struct db_conn *c, struct requests_ctx *q, struct activity *a)
{
	struct db_stmt *s = db_prepare(c, SQL_ACTIVITY);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, q->id);
	int rc = db_step(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return REQ_NOT_FOUND - 1002;
	a->id = db_col_int(s, 0);
	a->county_id = db_col_int(s, 1);
	a->node_id = db_col_int(s, 2);
	a->day_of_month = db_col_int(s, 3);
	a->minutes = db_col_int(s, 4);
	snprintf(a->path, sizeof(a->path), "%s", db_col_text(s, 5));
	q->node_id = a->node_id;
	return 0;
}

static int activity_reply(struct db_conn *c, struct requests_ctx *q, int64_t id)
{
	struct db_stmt *s = db_prepare(c, SQL_SIGNUPS);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, id);
	json_t *signups = json_array();
	q->out = json_pack("{s:I, s:o}", "id", (json_int_t)id, "signups", signups);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(signups,
				      json_pack("{s:I, s:s, s:b, s:{s:I, s:s}}", "id",
						(json_int_t)db_col_int(s, 0), "day", db_col_text(s, 1),
						"attended", (int)db_col_int(s, 2), "volunteer", "id",
						(json_int_t)db_col_int(s, 3), "name", db_col_text(s, 4)));
	return rc < 0 ? rc : 0;
}

static int activities_tx(struct db_conn *c, void *ctx)
{
	struct requests_ctx *q = ctx;
	int rc = requests_node(c, q, ROLES_PEOPLE | ROLE_VOLUNTEER);
	if (rc < 0)
		return rc;
	struct db_stmt *s = db_prepare(c, SQL_ACTIVITIES);
	if (!s)
		return DB_HARD_ERROR;
	/* the activities of the area and of the places above it (a township's donation day
	 * is for its villages' volunteers too) */
	char like[300];
	snprintf(like, sizeof(like), "%s%%", q->node->path);
	db_bind_text(s, 1, like);
	db_bind_text(s, 2, q->node->path);
	json_t *items = json_array();
	q->out = json_pack("{s:o}", "items", items);
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(
			items, json_pack("{s:I, s:s, s:s, s:o, s:I, s:{s:I, s:s, s:s}, s:I, s:I}", "id",
					 (json_int_t)db_col_int(s, 0), "name", db_col_text(s, 1),
					 "description", db_col_text(s, 2), "day_of_month",
					 db_col_is_null(s, 3) ? json_null()
							      : json_integer(db_col_int(s, 3)),
					 "minutes", (json_int_t)db_col_int(s, 4), "node", "id",
					 (json_int_t)db_col_int(s, 5), "code", db_col_text(s, 6),
					 "name", db_col_text(s, 7), "signups",
					 (json_int_t)db_col_int(s, 8), "attended",
					 (json_int_t)db_col_int(s, 9)));
	return rc < 0 ? rc : 0;
}

int requests_api_activities_list(struct http_req *r)
{
	struct requests_ctx q = {.r = r, .action = "activity.list", .ref = http_query(r, "node")};
	if (q.ref && (!*q.ref || strlen(q.ref) > 64))
		return http_reply_problem(r, "request.bad_query", "node", "node");
	return requests_run(&q, activities_tx, false);
}

struct activity_in {
	struct requests_ctx q;
	const char *name, *description, *day;
	int64_t day_of_month, minutes, volunteer, signup;
	bool has_dom;
};

static int activity_create_tx(struct db_conn *c, void *ctx)
{
	struct activity_in *a = ctx;
	struct requests_ctx *q = &a->q;
	int rc = requests_node(c, q, ROLES_PEOPLE);
	if (rc < 0)
		return rc;
	struct db_stmt *s = db_prepare(c, SQL_ACTIVITY_INSERT);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, q->node->county_id);
	db_bind_int(s, 2, q->node->id);
	db_bind_text(s, 3, a->name);
	db_bind_text(s, 4, a->description ? a->description : "");
	if (a->has_dom)
		db_bind_int(s, 5, a->day_of_month);
	else
		db_bind_null(s, 5);
	db_bind_int(s, 6, a->minutes);
	db_bind_int(s, 7, clock_now_ms());
	rc = db_step(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	int64_t id = db_col_int(s, 0);
	rc = requests_audit(c, q, arena_printf(q->r->arena, "activity:%lld", (long long)id), a->name);
	if (rc < 0)
		return rc;
	q->status = 201;
	return activity_reply(c, q, id);
}

int requests_api_activity_create(struct http_req *r)
{
	struct activity_in a = {.q = {.r = r, .action = "activity.create"}};
	struct json_field spec[] = {
		{"node", JF_REF, true, 0, &a.q.ref, NULL},
		{"name", JF_STRING, true, 100, &a.name, NULL},
		{"description", JF_STRING, false, 500, &a.description, NULL},
		{"day_of_month", JF_INT, false, 0, &a.day_of_month, &a.has_dom},
		{"minutes", JF_INT, true, 0, &a.minutes, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (http_text_blank(a.name))
		return http_reply_problem(r, "request.bad_field", "name: required", "name");
	if (a.has_dom && (a.day_of_month < 1 || a.day_of_month > 28))
		return http_reply_problem(r, "request.bad_field", "day_of_month: 1 to 28",
					  "day_of_month");
	if (a.minutes < 1 || a.minutes > 24 * 60)
		return http_reply_problem(r, "request.bad_field", "minutes: 1 to 1440", "minutes");
	return requests_run(&a.q, activity_create_tx, true);
}

static int signup_tx(struct db_conn *c, void *ctx)
{
	struct activity_in *a = ctx;
	struct requests_ctx *q = &a->q;
	struct activity act;
	int rc = activity_load(c, q, &act);
	if (rc < 0)
		return rc;
	/* staff sign a volunteer up; a volunteer signs up themselves */
	struct requests_volunteer *v = NULL;
	if (a->volunteer) {
		rc = requests_store_volunteer(c, q->r->arena, a->volunteer, &v);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW)
			return REQ_VOLUNTEER_NOT_FOUND;
		if (!auth_can(q->r->user, ROLES_PEOPLE, v->node_path) && v->user_id != q->r->user->id)
			return REQ_FORBIDDEN;
	} else {
		rc = requests_store_volunteer_of_user(c, q->r->arena, q->r->user->id, &v);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW)
			return REQ_NOT_VOLUNTEER;
	}
	if (strncmp(v->node_path, act.path, strlen(act.path)) != 0 &&
	    strncmp(act.path, v->node_path, strlen(v->node_path)) != 0)
		return REQ_FORBIDDEN; /* an activity of another place */
	if (act.day_of_month && atoi(a->day + 8) != act.day_of_month)
		return REQ_BAD_STATE; /* this activity happens on another day of the month */
	int64_t id = 0;
	rc = db_query_int(c, &id, SQL_SIGNUP, "iiti", act.id, v->id, a->day, clock_now_ms());
	if (rc < 0)
		return db_conn_error_kind(c) == DB_ERR_UNIQUE ? REQ_EXISTS : rc;
	rc = requests_audit(c, q, arena_printf(q->r->arena, "activity:%lld", (long long)act.id),
			    arena_printf(q->r->arena, "%s signed up for %s", v->name, a->day));
	if (rc < 0)
		return rc;
	q->status = 201;
	return activity_reply(c, q, act.id);
}

int requests_api_activity_signup(struct http_req *r)
{
	struct activity_in a = {.q = {.r = r, .action = "activity.signup"}};
	if (requests_path_id(&a.q) < 0)
		return HTTP_DONE;
	struct json_field spec[] = {
		{"volunteer", JF_INT, false, 0, &a.volunteer, NULL},
		{"day", JF_STRING, true, 10, &a.day, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (!people_birth_date_valid(a.day))
		return http_reply_problem(r, "request.bad_field", "day: YYYY-MM-DD", "day");
	int rc = db_tx_run(r->db, signup_tx, &a);
	if (rc == REQ_NOT_FOUND - 1002)
		return http_reply_problem(r, "activity.not_found", NULL, NULL);
	if (rc == REQ_EXISTS)
		return http_reply_problem(r, "activity.already_signed_up", NULL, "day");
	if (rc < 0)
		return requests_reply_error(&a.q, rc);
	return http_reply_json(r, 201, a.q.out);
}

static int attend_tx(struct db_conn *c, void *ctx)
{
	struct activity_in *a = ctx;
	struct requests_ctx *q = &a->q;
	struct activity act;
	int rc = activity_load(c, q, &act);
	if (rc < 0)
		return rc;
	if (!auth_can(q->r->user, ROLES_PEOPLE, act.path))
		return REQ_FORBIDDEN;
	struct db_stmt *s = db_prepare(c, SQL_SIGNUP_GET);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, a->signup);
	db_bind_int(s, 2, act.id);
	rc = db_step(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return REQ_NOT_FOUND - 1002;
	int64_t vol = db_col_int(s, 0);
	if (db_col_int(s, 1))
		return REQ_BAD_STATE; /* attendance is recorded once */
	rc = db_exec(c, SQL_SIGNUP_ATTEND, "i", a->signup);
	if (rc >= 0)
		rc = requests_hours_credit(c, act.county_id, act.node_id, vol, act.minutes, 0,
					   a->signup, clock_now_ms());
	if (rc >= 0)
		rc = requests_audit(c, q, arena_printf(q->r->arena, "activity:%lld", (long long)act.id),
				    arena_printf(q->r->arena, "attendance of sign-up %lld, %lld min",
						 (long long)a->signup, (long long)act.minutes));
	if (rc < 0)
		return rc;
	return activity_reply(c, q, act.id);
}

int requests_api_activity_attend(struct http_req *r)
{
	struct activity_in a = {.q = {.r = r, .action = "activity.attend"}};
	if (requests_path_id(&a.q) < 0)
		return HTTP_DONE;
	if (http_parse_id(r->params[1], &a.signup) < 0)
		return http_reply_problem(r, "request.bad_id", r->params[1], NULL);
	int rc = db_tx_run(r->db, attend_tx, &a);
	if (rc == REQ_NOT_FOUND - 1002)
		return http_reply_problem(r, "activity.not_found", NULL, NULL);
	if (rc < 0)
		return requests_reply_error(&a.q, rc);
	return http_reply_json(r, 200, a.q.out);
}

/* ---- the calendar ---- */

static int calendar_tx(struct db_conn *c, void *ctx)
{
	struct requests_ctx *q = ctx;
	struct db_stmt *s = db_prepare(c, SQL_CALENDAR);
	if (!s)
		return DB_HARD_ERROR;
	char like[16];
	snprintf(like, sizeof(like), "%s-%%", q->text);
	db_bind_text(s, 1, like);
	json_t *items = json_array();
	q->out = json_pack("{s:s, s:o}", "year", q->text, "items", items);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "day", db_col_text(s, 0),
						       "kind", db_col_text(s, 1), "name",
						       db_col_text(s, 2)));
	return rc < 0 ? rc : 0;
}

int requests_api_calendar_list(struct http_req *r)
{
	struct requests_ctx q = {.r = r, .action = "calendar.read", .text = http_query(r, "year")};
	if (!q.text || strlen(q.text) != 4 || strspn(q.text, "0123456789") != 4)
		return http_reply_problem(r, "request.bad_query", "year: e.g. 2026", "year");
	return requests_run(&q, calendar_tx, false);
}

static int calendar_set_tx(struct db_conn *c, void *ctx)
{
	struct requests_ctx *q = ctx;
	const char *day = q->ref;
	int rc = db_exec(c, SQL_CAL_DELETE, "t", day);
	if (rc >= 0 && strcmp(q->verb, "normal") != 0)
		rc = db_exec(c, SQL_CAL_INSERT, "ttt", day, q->verb, q->text);
	if (rc >= 0)
		rc = requests_audit(c, q, arena_printf(q->r->arena, "calendar:%s", day),
				    arena_printf(q->r->arena, "%s %s", q->verb, q->text));
	if (rc < 0)
		return rc;
	q->out = json_pack("{s:s, s:s, s:s}", "day", day, "kind", q->verb, "name", q->text);
	return 0;
}

/* PUT /api/v1/calendar/{day} {"kind": "holiday"|"workday"|"normal", "name"} — system_admin. */
int requests_api_calendar_set(struct http_req *r)
{
	struct requests_ctx q = {.r = r, .action = "calendar.set", .ref = r->params[0], .text = ""};
	struct json_field spec[] = {
		{"kind", JF_STRING, true, 10, &q.verb, NULL},
		{"name", JF_STRING, false, 100, &q.text, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (!people_birth_date_valid(q.ref))
		return http_reply_problem(r, "request.bad_id", "a day: YYYY-MM-DD", NULL);
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (strcmp(q.verb, "holiday") != 0 && strcmp(q.verb, "workday") != 0 &&
	    strcmp(q.verb, "normal") != 0)
		return http_reply_problem(r, "request.bad_field", "kind: holiday, workday or normal",
					  "kind");
	if (!auth_has_role(r->user, ROLE_SYSTEM_ADMIN))
		return http_forbid(r, q.action, "calendar", 0);
	return requests_run(&q, calendar_set_tx, true);
}
