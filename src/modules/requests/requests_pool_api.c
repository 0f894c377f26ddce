/* requests_pool_api.c — the talent pool (银发人才库): volunteers with specialties, place,
 * limits and insurance; 1+N pairings with households; XLSX export; recurring activities
 * (e.g. the monthly donation day) with sign-up and attendance that credits hours; and the
 * working-day calendar the administrator extends each year. */
#include "modules/requests/requests_api.h"

#include "auth/auth.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/xlsx.h"
#include "modules/requests/requests_api_common.h"
#include "org/org.h"
#include "people/people.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

static const unsigned REQ_STAFF = ROLES_PEOPLE;

static const char *const specialty_codes[] = {"medicine", "agriculture", "law", "mediation",
					      "education", "daily", "repair"};

#define VOL_COLS                                                                           \
	"v.id, v.name, v.phone, v.birth_year, v.specialties, v.lat, v.lon, v.max_active, "     \
	"v.no_night, v.health_note, v.insurance_until, v.available, v.grid_member, "           \
	"v.rating_sum, v.rating_count, COALESCE(u.username, ''), n.id, n.code, n.name, "       \
	"(SELECT COUNT(*) FROM orders a WHERE a.volunteer_id = v.id "                          \
	" AND a.status IN ('accepted','in_progress')), "                                       \
	"COALESCE((SELECT b.minutes FROM hours_balances b WHERE b.account = 'vol:' || "       \
	"CAST(v.id AS TEXT)), 0), "                                                            \
	"(SELECT COUNT(*) FROM volunteer_pairings p WHERE p.volunteer_id = v.id), "              \
	"v.avail_days, v.avail_from, v.avail_to"
#define VOL_FROM                                                                           \
	" FROM volunteers v JOIN org_nodes n ON n.id = v.node_id "                             \
	"LEFT JOIN users u ON u.id = v.user_id "

static const char SQL_VOLS[] =
	"SELECT " VOL_COLS VOL_FROM "WHERE n.path LIKE ? AND (CAST(? AS TEXT) IS NULL OR "
	"(',' || v.specialties || ',') LIKE ('%,' || CAST(? AS TEXT) || ',%')) ORDER BY n.code, v.id "
	"LIMIT 5000";
static const char SQL_VOL[] = "SELECT " VOL_COLS VOL_FROM "WHERE v.id = ?";
static const char SQL_VOL_INSERT[] =
	"INSERT INTO volunteers (county_id, node_id, user_id, name, phone, birth_year, specialties, "
	"lat, lon, max_active, no_night, health_note, insurance_until, available, grid_member, "
	"created_at, avail_days, avail_from, avail_to) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_VOL_UPDATE[] =
	"UPDATE volunteers SET name = COALESCE(CAST(? AS TEXT), name), "
	"phone = COALESCE(CAST(? AS TEXT), phone), "
	"birth_year = COALESCE(CAST(? AS BIGINT), birth_year), "
	"lat = CASE WHEN CAST(? AS BIGINT) = 1 THEN ? ELSE lat END, "
	"lon = CASE WHEN CAST(? AS BIGINT) = 1 THEN ? ELSE lon END, "
	"specialties = COALESCE(CAST(? AS TEXT), specialties), "
	"max_active = COALESCE(CAST(? AS BIGINT), max_active), "
	"insurance_until = COALESCE(CAST(? AS TEXT), insurance_until), "
	"available = COALESCE(CAST(? AS BIGINT), available), "
	"no_night = COALESCE(CAST(? AS BIGINT), no_night), "
	"health_note = COALESCE(CAST(? AS TEXT), health_note), "
	"grid_member = COALESCE(CAST(? AS BIGINT), grid_member), "
	"avail_days = COALESCE(CAST(? AS BIGINT), avail_days), "
	"avail_from = COALESCE(CAST(? AS BIGINT), avail_from), "
	"avail_to = COALESCE(CAST(? AS BIGINT), avail_to) WHERE id = ?";
static const char SQL_USER_BY_NAME[] = "SELECT id FROM users WHERE username = ?";
static const char SQL_PAIRING[] =
	"INSERT INTO volunteer_pairings (volunteer_id, household_id, created_at) VALUES (?, ?, ?)";
static const char SQL_PAIRINGS[] =
	"SELECT h.id, h.code, h.head_name FROM volunteer_pairings p "
	"JOIN households h ON h.id = p.household_id WHERE p.volunteer_id = ? ORDER BY h.id";

/* Checks a comma-separated specialty list against the known codes. */
static bool specialties_valid(const char *list)
{
	if (!*list)
		return false;
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		bool ok = false;
		for (size_t i = 0; i < sizeof(specialty_codes) / sizeof(specialty_codes[0]); i++)
			ok = ok || (strlen(specialty_codes[i]) == len &&
				    strncmp(specialty_codes[i], p, len) == 0);
		if (!ok)
			return false;
		p = end ? end + 1 : NULL;
	}
	return true;
}

static json_t *vol_json(struct db_stmt *s, bool full_phone)
{
	json_t *spec = json_array();
	const char *list = db_col_text(s, 4);
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		json_array_append_new(spec, json_stringn(p, len));
		p = end ? end + 1 : NULL;
	}
	const char *phone = db_col_text(s, 2);
	char masked[32];
	if (phone && !full_phone) {
		people_phone_mask(phone, masked, sizeof(masked));
		phone = masked;
	}
	int64_t rcount = db_col_int(s, 14);
	json_t *v = json_pack(
		"{s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:b, s:s, s:o, s:b, s:b, s:o, s:I, s:o, "
		"s:{s:I, s:s, s:s}, s:I, s:I, s:I}",
		"id", (json_int_t)db_col_int(s, 0), "name", db_col_text(s, 1), "phone",
		phone ? json_string(phone) : json_null(), "birth_year",
		db_col_is_null(s, 3) ? json_null() : json_integer(db_col_int(s, 3)), "specialties",
		spec, "lat", db_col_is_null(s, 5) ? json_null() : json_real(db_col_double(s, 5)),
		"lon", db_col_is_null(s, 6) ? json_null() : json_real(db_col_double(s, 6)),
		"max_active", (json_int_t)db_col_int(s, 7), "no_night", (int)db_col_int(s, 8),
		"health_note", db_col_text(s, 9), "insurance_until",
		db_col_text(s, 10) ? json_string(db_col_text(s, 10)) : json_null(), "available",
		(int)db_col_int(s, 11), "grid_member", (int)db_col_int(s, 12), "rating",
		rcount ? json_real((double)db_col_int(s, 13) / (double)rcount) : json_null(),
		"ratings", (json_int_t)rcount, "account",
		*db_col_text(s, 15) ? json_string(db_col_text(s, 15)) : json_null(), "node", "id",
		(json_int_t)db_col_int(s, 16), "code", db_col_text(s, 17), "name", db_col_text(s, 18),
		"active", (json_int_t)db_col_int(s, 19), "minutes", (json_int_t)db_col_int(s, 20),
		"pairings", (json_int_t)db_col_int(s, 21));
	char from[8], to[8];
	int64_t f = db_col_int(s, 23), t = db_col_int(s, 24);
	snprintf(from, sizeof(from), "%02lld:%02lld", (long long)(f / 60 % 100), (long long)(f % 60));
	snprintf(to, sizeof(to), "%02lld:%02lld", (long long)(t / 60 % 100), (long long)(t % 60));
	json_object_set_new(v, "avail_days", json_integer(db_col_int(s, 22)));
	json_object_set_new(v, "avail_from", json_string(from));
	json_object_set_new(v, "avail_to", json_string(to));
	return v;
}

static int vols_query(struct db_conn *c, const char *path, const char *specialty, bool full,
		      json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_VOLS);
	if (!s)
		return DB_HARD_ERROR;
	char like[300];
	snprintf(like, sizeof(like), "%s%%", path);
	db_bind_text(s, 1, like);
	db_bind_text(s, 2, specialty);
	db_bind_text(s, 3, specialty);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(items, vol_json(s, full));
	return rc < 0 ? rc : 0;
}

static int vols_list_tx(struct db_conn *c, void *ctx)
{
	struct requests_ctx *q = ctx;
	int rc = requests_node(c, q, REQ_STAFF);
	if (rc < 0)
		return rc;
	json_t *items = json_array();
	q->out = json_pack("{s:o}", "items", items);
	if (q->flag_a)
		return 0;
	return vols_query(c, q->node->path, q->text, true, items);
}

int requests_api_volunteers_list(struct http_req *r)
{
	struct requests_ctx q = {.r = r, .action = "volunteer.list", .ref = http_query(r, "node"),
				 .text = http_query(r, "specialty")};
	if ((q.ref && (!*q.ref || strlen(q.ref) > 64)) || (q.text && strlen(q.text) > 20))
		return http_reply_problem(r, "request.bad_query", "node or specialty too long",
					  q.ref && strlen(q.ref) > 64 ? "node" : "specialty");
	if (q.text && !*q.text)
		q.text = NULL;
	/* A specialty we do not know matches nobody (and is never a LIKE pattern). */
	q.flag_a = q.text && !specialties_valid(q.text);
	return requests_run(&q, vols_list_tx, false);
}

static int vol_reply(struct db_conn *c, struct requests_ctx *q, int64_t id)
{
	struct db_stmt *s = db_prepare(c, SQL_VOL);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : REQ_VOLUNTEER_NOT_FOUND;
	q->out = vol_json(s, true);
	json_t *pairs = json_array();
	json_object_set_new(q->out, "households", pairs);
	s = db_prepare(c, SQL_PAIRINGS);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, id);
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(pairs, json_pack("{s:I, s:s, s:s}", "id",
						       (json_int_t)db_col_int(s, 0), "code",
						       db_col_text(s, 1), "head_name",
						       db_col_text(s, 2)));
	return rc < 0 ? rc : 0;
}

struct vol_in {
	const char *name, *phone, *specialties, *health_note, *insurance_until, *account;
	int64_t birth_year, max_active;
	bool no_night, grid_member, available;
	bool has_birth, has_max, has_no_night, has_grid, has_available;
	double lat, lon;
	bool has_location;
	int64_t avail_days, avail_from, avail_to;
	bool has_days, has_from, has_to;
	const char *from_text, *to_text;
};

/* "08:30" → 510; "24:00" → 1440; -1 when malformed. */
static int64_t vol_minutes(const char *s)
{
	if (strlen(s) != 5 || s[2] != ':' || strspn(s, "0123456789:") != 5)
		return -1;
	int64_t h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m))
		return -1;
	return h * 60 + m;
}

struct vol_ctx {
	struct requests_ctx q;
	struct vol_in v;
};

static int vol_create_tx(struct db_conn *c, void *ctx)
{
	struct vol_ctx *vc = ctx;
	struct requests_ctx *q = &vc->q;
	struct vol_in *v = &vc->v;
	int rc = requests_node(c, q, REQ_STAFF);
	if (rc < 0)
		return rc;
	int64_t user_id = 0;
	if (v->account) {
		rc = db_query_int(c, &user_id, SQL_USER_BY_NAME, "t", v->account);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW)
			return REQ_NOT_FOUND - 1000;
	}
	struct db_stmt *s = db_prepare(c, SQL_VOL_INSERT);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, q->node->county_id);
	db_bind_int(s, 2, q->node->id);
	if (user_id)
		db_bind_int(s, 3, user_id);
	else
		db_bind_null(s, 3);
	db_bind_text(s, 4, v->name);
	db_bind_text(s, 5, v->phone);
	if (v->has_birth)
		db_bind_int(s, 6, v->birth_year);
	else
		db_bind_null(s, 6);
	db_bind_text(s, 7, v->specialties);
	if (v->has_location) {
		db_bind_double(s, 8, v->lat);
		db_bind_double(s, 9, v->lon);
	} else {
		db_bind_null(s, 8);
		db_bind_null(s, 9);
	}
	db_bind_int(s, 10, v->has_max ? v->max_active : 2);
	db_bind_int(s, 11, v->no_night);
	db_bind_text(s, 12, v->health_note ? v->health_note : "");
	db_bind_text(s, 13, v->insurance_until);
	db_bind_int(s, 14, v->has_available ? v->available : 1);
	db_bind_int(s, 15, v->grid_member);
	db_bind_int(s, 16, clock_now_ms());
	db_bind_int(s, 17, v->has_days ? v->avail_days : 127);
	db_bind_int(s, 18, v->has_from ? v->avail_from : 0);
	db_bind_int(s, 19, v->has_to ? v->avail_to : 1440);
	rc = db_step(s);
	if (rc != DB_ROW)
		return rc < 0 ? (db_conn_error_kind(c) == DB_ERR_UNIQUE ? REQ_EXISTS : rc)
			      : DB_HARD_ERROR;
	int64_t id = db_col_int(s, 0);
	rc = requests_audit(c, q, arena_printf(q->r->arena, "volunteer:%lld", (long long)id), v->name);
	if (rc < 0)
		return rc;
	q->status = 201;
	return vol_reply(c, q, id);
}

static int vol_fields(struct http_req *r, struct vol_in *v, const char **node, bool create)
{
	struct json_field spec[] = {
		{"node", JF_REF, create, 0, node, NULL},
		{"name", JF_STRING, create, 50, &v->name, NULL},
		{"phone", JF_STRING, false, 20, &v->phone, NULL},
		{"birth_year", JF_INT, false, 0, &v->birth_year, &v->has_birth},
		{"specialties", JF_STRING, create, 200, &v->specialties, NULL},
		{"max_active", JF_INT, false, 0, &v->max_active, &v->has_max},
		{"no_night", JF_BOOL, false, 0, &v->no_night, &v->has_no_night},
		{"health_note", JF_STRING, false, 200, &v->health_note, NULL},
		{"insurance_until", JF_STRING, false, 10, &v->insurance_until, NULL},
		{"available", JF_BOOL, false, 0, &v->available, &v->has_available},
		{"grid_member", JF_BOOL, false, 0, &v->grid_member, &v->has_grid},
		{"account", JF_STRING, false, 64, &v->account, NULL},
		{"avail_days", JF_INT, false, 0, &v->avail_days, &v->has_days},
		{"avail_from", JF_STRING, false, 5, &v->from_text, &v->has_from},
		{"avail_to", JF_STRING, false, 5, &v->to_text, &v->has_to},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return -1;
	const char *bad = NULL, *why = NULL;
	if (v->name && http_text_blank(v->name))
		bad = "name", why = "required";
	else if (v->specialties && !specialties_valid(v->specialties))
		bad = "specialties",
		why = "comma-separated: medicine, agriculture, law, mediation, education, daily, repair";
	else if (v->phone && !people_phone_valid(v->phone))
		bad = "phone", why = "5–20 digits";
	else if (v->has_birth && (v->birth_year < 1920 || v->birth_year > 2010))
		bad = "birth_year", why = "1920 to 2010";
	else if (v->has_max && (v->max_active < 1 || v->max_active > 20))
		bad = "max_active", why = "1 to 20";
	else if (v->insurance_until && !people_birth_date_valid(v->insurance_until))
		bad = "insurance_until", why = "YYYY-MM-DD";
	else if (v->has_days && (v->avail_days < 1 || v->avail_days > 127))
		bad = "avail_days", why = "weekdays as bits, Monday 1 … Sunday 64 (every day: 127)";
	else if (v->has_from && (v->avail_from = vol_minutes(v->from_text)) < 0)
		bad = "avail_from", why = "HH:MM";
	else if (v->has_to && (v->avail_to = vol_minutes(v->to_text)) < 0)
		bad = "avail_to", why = "HH:MM";
	else if (v->has_from && v->has_to && v->avail_from >= v->avail_to)
		bad = "avail_to", why = "after avail_from";
	if (!bad) {
		json_t *lat = json_object_get(r->json, "lat"), *lon = json_object_get(r->json, "lon");
		bool hl = lat && json_is_number(lat), ho = lon && json_is_number(lon);
		if ((lat && !json_is_null(lat) && !hl) || (lon && !json_is_null(lon) && !ho) || hl != ho)
			bad = "lat", why = "lat and lon: both numbers";
		v->has_location = hl && ho;
		v->lat = hl ? json_number_value(lat) : 0;
		v->lon = ho ? json_number_value(lon) : 0;
		if (v->has_location && (v->lat < -90 || v->lat > 90 || v->lon < -180 || v->lon > 180))
			bad = "lat", why = "degrees";
	}
	if (bad) {
		http_reply_problem(r, "request.bad_field", arena_printf(r->arena, "%s: %s", bad, why),
				   bad);
		return -1;
	}
	return 0;
}

int requests_api_volunteer_create(struct http_req *r)
{
	struct vol_ctx vc = {.q = {.r = r, .action = "volunteer.create"}};
	if (vol_fields(r, &vc.v, &vc.q.ref, true) < 0)
		return HTTP_DONE;
	int rc = db_tx_run(r->db, vol_create_tx, &vc);
	if (rc == REQ_NOT_FOUND - 1000)
		return http_reply_problem(r, "user.not_found", vc.v.account, "account");
	if (rc == REQ_EXISTS)
		return http_reply_problem(r, "volunteer.account_taken", NULL, "account");
	if (rc < 0)
		return requests_reply_error(&vc.q, rc);
	return http_reply_json(r, 201, vc.q.out);
}

static int vol_load(struct db_conn *c, struct requests_ctx *q, unsigned roles)
{
	struct requests_volunteer *v = NULL;
	int rc = requests_store_volunteer(c, q->r->arena, q->id, &v);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return REQ_VOLUNTEER_NOT_FOUND;
	q->node_id = v->node_id;
	/* staff of the area; a volunteer only their own entry */
	if (!auth_can(q->r->user, REQ_STAFF & roles, v->node_path) &&
	    !((roles & ROLE_VOLUNTEER) && v->user_id && q->r->user->id == v->user_id))
		return REQ_FORBIDDEN;
	q->extra = v;
	return 0;
}

static int vol_get_tx(struct db_conn *c, void *ctx)
{
	struct requests_ctx *q = ctx;
	int rc = vol_load(c, q, REQ_STAFF | ROLE_VOLUNTEER);
	if (rc < 0)
		return rc;
	return vol_reply(c, q, q->id);
}

int requests_api_volunteer_get(struct http_req *r)
{
	struct requests_ctx q = {.r = r, .action = "volunteer.read"};
	if (requests_path_id(&q) < 0)
		return HTTP_DONE;
	return requests_run(&q, vol_get_tx, false);
}

static int vol_update_tx(struct db_conn *c, void *ctx)
{
	struct vol_ctx *vc = ctx;
	struct requests_ctx *q = &vc->q;
	struct vol_in *v = &vc->v;
	int rc = vol_load(c, q, REQ_STAFF);
	if (rc < 0)
		return rc;
	struct db_stmt *s = db_prepare(c, SQL_VOL_UPDATE);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_text(s, 1, v->name);
	db_bind_text(s, 2, v->phone);
	if (v->has_birth)
		db_bind_int(s, 3, v->birth_year);
	else
		db_bind_null(s, 3);
	db_bind_int(s, 4, v->has_location);
	db_bind_double(s, 5, v->lat);
	db_bind_int(s, 6, v->has_location);
	db_bind_double(s, 7, v->lon);
	db_bind_text(s, 8, v->specialties);
	if (v->has_max)
		db_bind_int(s, 9, v->max_active);
	else
		db_bind_null(s, 9);
	db_bind_text(s, 10, v->insurance_until);
	if (v->has_available)
		db_bind_int(s, 11, v->available);
	else
		db_bind_null(s, 11);
	if (v->has_no_night)
		db_bind_int(s, 12, v->no_night);
	else
		db_bind_null(s, 12);
	db_bind_text(s, 13, v->health_note);
	if (v->has_grid)
		db_bind_int(s, 14, v->grid_member);
	else
		db_bind_null(s, 14);
	int64_t opt[3] = {v->avail_days, v->avail_from, v->avail_to};
	bool has[3] = {v->has_days, v->has_from, v->has_to};
	for (int i = 0; i < 3; i++) {
		if (has[i])
			db_bind_int(s, 15 + i, opt[i]);
		else
			db_bind_null(s, 15 + i);
	}
	db_bind_int(s, 18, q->id);
	rc = db_step(s);
	if (rc < 0)
		return rc;
	rc = requests_audit(c, q, arena_printf(q->r->arena, "volunteer:%lld", (long long)q->id),
			    "updated");
	if (rc < 0)
		return rc;
	return vol_reply(c, q, q->id);
}

int requests_api_volunteer_update(struct http_req *r)
{
	struct vol_ctx vc = {.q = {.r = r, .action = "volunteer.update"}};
	if (requests_path_id(&vc.q) < 0)
		return HTTP_DONE;
	if (vol_fields(r, &vc.v, &vc.q.ref, false) < 0)
		return HTTP_DONE;
	return requests_run(&vc.q, vol_update_tx, true);
}

struct pairing_ctx {
	struct requests_ctx q;
	int64_t household;
};

static int pairing_tx(struct db_conn *c, void *ctx)
{
	struct pairing_ctx *p = ctx;
	struct requests_ctx *q = &p->q;
	int rc = vol_load(c, q, REQ_STAFF);
	if (rc < 0)
		return rc;
	char *hpath = NULL;
	int64_t hnode = 0;
	rc = people_store_household_node(c, p->household, q->r->arena, &hpath, &hnode);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW || !auth_can(q->r->user, REQ_STAFF, hpath))
		return REQ_NOT_FOUND - 1001;
	rc = db_exec(c, SQL_PAIRING, "iii", q->id, p->household, clock_now_ms());
	if (rc < 0)
		return db_conn_error_kind(c) == DB_ERR_UNIQUE ? REQ_EXISTS : rc;
	rc = requests_audit(c, q, arena_printf(q->r->arena, "volunteer:%lld", (long long)q->id),
			    arena_printf(q->r->arena, "paired with household %lld",
					 (long long)p->household));
	if (rc < 0)
		return rc;
	q->status = 201;
	return vol_reply(c, q, q->id);
}

int requests_api_pairing_create(struct http_req *r)
{
	struct pairing_ctx p = {.q = {.r = r, .action = "volunteer.pair"}};
	if (requests_path_id(&p.q) < 0)
		return HTTP_DONE;
	struct json_field spec[] = {
		{"household", JF_INT, true, 0, &p.household, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	int rc = db_tx_run(r->db, pairing_tx, &p);
	if (rc == REQ_NOT_FOUND - 1001)
		return http_reply_problem(r, "household.not_found", NULL, "household");
	if (rc == REQ_EXISTS)
		return http_reply_problem(r, "volunteer.already_paired", NULL, "household");
	if (rc < 0)
		return requests_reply_error(&p.q, rc);
	return http_reply_json(r, 201, p.q.out);
}

/* GET /api/v1/volunteers.xlsx — the talent pool as a workbook. */
int requests_api_volunteers_xlsx(struct http_req *r)
{
	struct requests_ctx q = {.r = r, .action = "volunteer.export", .ref = http_query(r, "node")};
	if (q.ref && (!*q.ref || strlen(q.ref) > 64))
		return http_reply_problem(r, "request.bad_query", "node", "node");
	int rc = db_read_run(r->db, vols_list_tx, &q);
	if (rc < 0)
		return requests_reply_error(&q, rc);
	struct xlsx x;
	if (xlsx_open(&x) < 0) {
		json_decref(q.out);
		return http_reply_problem(r, "internal", "cannot create the workbook", NULL);
	}
	lxw_worksheet *ws = workbook_add_worksheet(x.wb, "银发人才库");
	static const char *const titles[] = {"姓名", "嘎查村", "电话", "出生年份", "专长",
					     "最多在办", "不接夜间", "健康备注", "保险有效至",
					     "可接单", "网格员", "评分", "服务时长(小时)"};
	xlsx_header(&x, ws, titles, 13);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(q.out, "items"), i, v)
	{
		lxw_row_t row = (lxw_row_t)i + 1;
		char spec[200] = "";
		size_t k;
		json_t *s;
		json_array_foreach(json_object_get(v, "specialties"), k, s)
		{
			if (k)
				strncat(spec, ",", sizeof(spec) - strlen(spec) - 1);
			strncat(spec, json_string_value(s), sizeof(spec) - strlen(spec) - 1);
		}
		worksheet_write_string(ws, row, 0, json_string_value(json_object_get(v, "name")), NULL);
		worksheet_write_string(
			ws, row, 1,
			json_string_value(json_object_get(json_object_get(v, "node"), "name")), NULL);
		const char *phone = json_string_value(json_object_get(v, "phone"));
		worksheet_write_string(ws, row, 2, phone ? phone : "", NULL);
		json_t *by = json_object_get(v, "birth_year");
		if (json_is_integer(by))
			worksheet_write_number(ws, row, 3, (double)json_integer_value(by), NULL);
		worksheet_write_string(ws, row, 4, spec, NULL);
		worksheet_write_number(ws, row, 5,
				       (double)json_integer_value(json_object_get(v, "max_active")), NULL);
		worksheet_write_string(ws, row, 6, json_is_true(json_object_get(v, "no_night")) ? "是" : "否",
				       NULL);
		worksheet_write_string(ws, row, 7,
				       json_string_value(json_object_get(v, "health_note")), NULL);
		const char *ins = json_string_value(json_object_get(v, "insurance_until"));
		worksheet_write_string(ws, row, 8, ins ? ins : "", NULL);
		worksheet_write_string(ws, row, 9, json_is_true(json_object_get(v, "available")) ? "是" : "否",
				       NULL);
		worksheet_write_string(ws, row, 10,
				       json_is_true(json_object_get(v, "grid_member")) ? "是" : "否", NULL);
		json_t *rating = json_object_get(v, "rating");
		if (json_is_number(rating))
			worksheet_write_number(ws, row, 11, json_number_value(rating), NULL);
		worksheet_write_number(ws, row, 12,
				       (double)json_integer_value(json_object_get(v, "minutes")) / 60.0,
				       NULL);
	}
	json_decref(q.out);
	char *data = NULL;
	size_t len = 0;
	if (xlsx_finish(&x, &data, &len) < 0)
		return http_reply_problem(r, "internal", "cannot write the workbook", NULL);
	return http_reply_download(
		r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"银发人才库.xlsx", data, len);
}
