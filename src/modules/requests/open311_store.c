/* open311_store.c — the SQL of the Open311 API: api keys, households by code, and orders seen
 * as public service requests. The public view names no one: no resident's name or phone, no
 * volunteer, no ticket; and the resident's own words, address and position only for orders
 * that came in through Open311 (given to a public API by design) — an order told to the
 * branch on the phone page or by staff shows its category, status and times only. Also the
 * W3C times the API speaks, in China Standard Time. */
#include "modules/requests/open311_store.h"

#include "store/db.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define O311_COLS                                                                          \
	"o.id, o.status, k.name, k.code, o.text, hn.name, o.tier, o.created_at, "              \
	"COALESCE((SELECT MAX(e.ts) FROM order_events e WHERE e.order_id = o.id), o.created_at), " \
	"o.due_at, o.address, o.lat, o.lon, o.source"
#define O311_FROM                                                                          \
	" FROM orders o JOIN request_categories k ON k.id = o.category_id "                    \
	"JOIN org_nodes n ON n.id = o.node_id JOIN org_nodes hn ON hn.id = o.handler_node_id "

static const char SQL_KEY[] =
	"SELECT id, node_id FROM api_keys WHERE key_hash = ? AND revoked = 0";
static const char SQL_HOUSEHOLD[] =
	"SELECT h.id FROM households h JOIN org_nodes n ON n.id = h.node_id "
	"WHERE h.code = ? AND n.path LIKE ?";
static const char SQL_REQUEST[] = "SELECT " O311_COLS O311_FROM "WHERE o.id = ?";
static const char SQL_REQUESTS[] =
	"SELECT " O311_COLS O311_FROM
	"WHERE n.path LIKE ? AND o.created_at >= ? AND o.created_at <= ? "
	"AND (CAST(? AS BIGINT) = 0 OR k.code IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)) "
	"AND (CAST(? AS BIGINT) = 0 "
	"OR (CAST(? AS BIGINT) = 1 AND o.status NOT IN ('done','closed','cancelled')) "
	"OR (CAST(? AS BIGINT) = 2 AND o.status IN ('done','closed','cancelled'))) "
	"ORDER BY o.id DESC LIMIT 1000";

int open311_store_key(struct db_conn *c, const char *key_hash, int64_t *id, int64_t *node_id)
{
	struct db_stmt *s = db_prepare(c, SQL_KEY);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_text(s, 1, key_hash);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		*id = db_col_int(s, 0);
		*node_id = db_col_int(s, 1);
	}
	return rc;
}

int open311_store_household(struct db_conn *c, const char *code, const char *path, int64_t *id)
{
	char like[300];
	snprintf(like, sizeof(like), "%s%%", path);
	return db_query_int(c, id, SQL_HOUSEHOLD, "tt", code, like);
}

const char *open311_notice(const char *tier)
{
	if (strcmp(tier, "urgent") == 0)
		return "紧急工单：2 小时内办理";
	if (strcmp(tier, "utility") == 0)
		return "水电暖维修：24 小时内办结";
	if (strcmp(tier, "complex") == 0)
		return "15 个工作日内办结";
	return "7 个工作日内办结";
}

void open311_time(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000) + 8 * 3600; /* China Standard Time, no daylight saving */
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
}

static int open311_digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int64_t open311_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int open311_parse_time(const char *s, int64_t *ms, bool *date_only)
{
	int y = open311_digits(s, 4), mo = -1, d = -1, h = 0, mi = 0, sec = 0, off = 8 * 60;
	if (y >= 0 && s[4] == '-' && (mo = open311_digits(s + 5, 2)) >= 0 && s[7] == '-')
		d = open311_digits(s + 8, 2);
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0))))
		return -1;
	const char *p = s + 10;
	*date_only = !*p;
	if (*p) {
		if (*p != 'T' || (h = open311_digits(p + 1, 2)) < 0 || p[3] != ':' ||
		    (mi = open311_digits(p + 4, 2)) < 0)
			return -1;
		p += 6;
		if (*p == ':') {
			if ((sec = open311_digits(p + 1, 2)) < 0)
				return -1;
			p += 3;
			if (*p == '.') {
				p++;
				if (*p < '0' || *p > '9')
					return -1;
				while (*p >= '0' && *p <= '9')
					p++;
			}
		}
		if (*p == 'Z') {
			off = 0;
			p++;
		} else if (*p == '+' || *p == '-' || *p == ' ') {
			int oh = open311_digits(p + 1, 2), om = -1;
			if (oh < 0 || oh > 14 || p[3] != ':' || (om = open311_digits(p + 4, 2)) < 0 ||
			    om > 59)
				return -1;
			off = (*p == '-' ? -1 : 1) * (oh * 60 + om);
			p += 6;
		} else {
			return -1;
		}
		if (*p || h > 23 || mi > 59 || sec > 59)
			return -1;
	}
	int64_t t = open311_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	*ms = (t - (int64_t)off * 60) * 1000;
	return 0;
}

static const char *open311_status_note(const char *status)
{
	static const char *const notes[][2] = {
		{"new", "已受理，等待派单"},       {"offered", "已派单，等待志愿者接单"},
		{"accepted", "志愿者已接单"},       {"in_progress", "志愿者正在办理"},
		{"done", "已办结，等待回访"},       {"closed", "已回访，办结"},
		{"cancelled", "已撤销"},
	};
	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		if (strcmp(notes[i][0], status) == 0)
			return notes[i][1];
	return "";
}

static json_t *open311_time_json(int64_t ms)
{
	char t[32];
	open311_time(ms, t);
	return json_string(t);
}

static json_t *open311_row(struct db_stmt *s)
{
	const char *status = db_col_text(s, 1);
	bool closed = strcmp(status, "done") == 0 || strcmp(status, "closed") == 0 ||
		      strcmp(status, "cancelled") == 0;
	bool open311 = strcmp(db_col_text(s, 13), "open311") == 0;
	const char *address = db_col_text(s, 10);
	bool located = open311 && !db_col_is_null(s, 11) && !db_col_is_null(s, 12);
	json_t *o = json_object();
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)db_col_int(s, 0));
	json_object_set_new(o, "service_request_id", json_string(id));
	json_object_set_new(o, "status", json_string(closed ? "closed" : "open"));
	json_object_set_new(o, "status_notes", json_string(open311_status_note(status)));
	json_object_set_new(o, "service_name", json_string(db_col_text(s, 2)));
	json_object_set_new(o, "service_code", json_string(db_col_text(s, 3)));
	json_object_set_new(o, "description", open311 ? json_string(db_col_text(s, 4)) : json_null());
	json_object_set_new(o, "agency_responsible", json_string(db_col_text(s, 5)));
	json_object_set_new(o, "service_notice", json_string(open311_notice(db_col_text(s, 6))));
	json_object_set_new(o, "requested_datetime", open311_time_json(db_col_int(s, 7)));
	json_object_set_new(o, "updated_datetime", open311_time_json(db_col_int(s, 8)));
	json_object_set_new(o, "expected_datetime", open311_time_json(db_col_int(s, 9)));
	json_object_set_new(o, "address",
			    open311 && address && *address ? json_string(address) : json_null());
	json_object_set_new(o, "address_id", json_null());
	json_object_set_new(o, "zipcode", json_null());
	json_object_set_new(o, "lat", located ? json_real(db_col_double(s, 11)) : json_null());
	json_object_set_new(o, "long", located ? json_real(db_col_double(s, 12)) : json_null());
	json_object_set_new(o, "media_url", json_null());
	return o;
}

int open311_store_requests(struct db_conn *c, const struct open311_filter *f, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_REQUESTS);
	if (!s)
		return DB_HARD_ERROR;
	char like[300];
	snprintf(like, sizeof(like), "%s%%", f->path);
	db_bind_text(s, 1, like);
	db_bind_int(s, 2, f->from_ms);
	db_bind_int(s, 3, f->to_ms);
	db_bind_int(s, 4, f->ncodes);
	for (int i = 0; i < OPEN311_MAX_CODES; i++)
		db_bind_text(s, 5 + i, i < f->ncodes ? f->codes[i] : NULL);
	db_bind_int(s, 15, f->status);
	db_bind_int(s, 16, f->status);
	db_bind_int(s, 17, f->status);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(items, open311_row(s));
	return rc < 0 ? rc : 0;
}

int open311_store_request(struct db_conn *c, int64_t id, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_REQUEST);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		json_array_append_new(items, open311_row(s));
	return rc;
}
