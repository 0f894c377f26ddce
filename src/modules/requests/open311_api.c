/* open311_api.c — Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the
 * orders of the requests module: services are the request categories, a service request is
 * an order. A client posts a form with its api key (`tala apikey add`); the key's node says
 * where its orders may be filed. Reading needs no key and shows no one's name or number
 * (open311_store.c). Every answer is JSON or XML by the path's suffix; errors take the spec's
 * [{"code","description"}] shape (src/http/open311_reply.c). */
#include "modules/requests/open311_api.h"

#include "audit/audit.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "http/ratelimit.h"
#include "modules/requests/open311_store.h"
#include "modules/requests/requests_api_common.h"
#include "org/org.h"
#include "people/people.h"
#include "store/db.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* When this API last changed (discovery's changeset). */
static const char OPEN311_CHANGESET[] = "2026-11-26T00:00:00+08:00";
static const char OPEN311_SPEC[] = "http://wiki.open311.org/GeoReport_v2";

enum {
	OPEN311_FORM_MAX = 16384, /* a posted form: 1,000 characters of text percent-encoded fit */
	OPEN311_MAX_IDS = 100,
	OPEN311_DAY_MS = 86400000,
};

enum open311_outcome {
	O311_BAD_KEY = -420, /* 403: no such api key, or revoked */
	O311_BAD = -421,     /* 400: the reason is in the context */
	O311_NOT_FOUND = -422,
};

/* ---- formats and errors ---- */

/* The format of a route whose last segment is literal: its path ends in .xml or .json. */
static bool open311_xml_path(const struct http_req *r)
{
	size_t n = strlen(r->path);
	return n >= 4 && strcmp(r->path + n - 4, ".xml") == 0;
}

/* Splits the path parameter "name.json" or "name.xml"; -1 after a 404 for anything else. */
static int open311_segment(struct http_req *r, const char **name, bool *xml)
{
	const char *seg = r->params[0], *dot = strrchr(seg, '.');
	if (!dot || dot == seg || (strcmp(dot, ".json") != 0 && strcmp(dot, ".xml") != 0)) {
		http_reply_open311_error(r, 404, "no such resource: the path ends in .json or .xml");
		return -1;
	}
	*xml = strcmp(dot, ".xml") == 0;
	*name = arena_strndup(r->arena, seg, (size_t)(dot - seg));
	return 0;
}

static int open311_limit(struct http_req *r, const char *cls, const char *key, double per_minute)
{
	if (ratelimit_take(cls, key, per_minute, per_minute, clock_now_ms()))
		return 0;
	http_reply_open311_error(r, 429, "too many requests; retry in a minute");
	return -1;
}

/* A service code as we name categories: 1–32 of [A-Za-z0-9_-], not all digits (an id). */
static bool open311_code_valid(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= 32 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n &&
	       strspn(s, "0123456789") != n;
}

/* ---- discovery, services ---- */

static bool open311_host_valid(const char *h)
{
	size_t n = strlen(h);
	return n >= 1 && n <= 255 &&
	       strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == n;
}

int open311_api_discovery(struct http_req *r)
{
	const char *host = http_header(r, "Host");
	if (!host || !open311_host_valid(host))
		host = "localhost";
	const char *url = arena_printf(r->arena, "%s://%s/open311/v2",
				       cfg.cookie_secure ? "https" : "http", host);
	json_t *body = json_pack(
		"{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:[s, s]}]}", "changeset", OPEN311_CHANGESET,
		"contact", "群众点单服务：请联系所在嘎查村党支部或苏木乡镇便民服务中心", "key_service",
		"api_key 由旗县系统管理员签发（tala apikey add --node 编码 --name 名称），限在该节点辖区内提交",
		"endpoints", "specification", OPEN311_SPEC, "url", url, "changeset", OPEN311_CHANGESET,
		"type", "production", "formats", "text/xml", "application/json");
	return http_reply_open311(r, 200, open311_xml_path(r), "discovery", body);
}

/* Keywords by category code, groups by specialty; a category added later falls back. */
static const char *open311_keywords(const char *code, const char *name)
{
	static const char *const kw[][2] = {
		{"health", "义诊,量血压,慢病随访,用药指导"}, {"agri", "种植,养殖,防疫,农牧技术"},
		{"legal", "法律咨询,草场承包,婚姻家庭,劳务纠纷"}, {"mediation", "调解,邻里纠纷,草场边界,家庭矛盾"},
		{"errand", "代购代办,陪同就医,助老助残"},          {"repair", "自来水,电路,取暖,维修"},
	};
	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (strcmp(kw[i][0], code) == 0)
			return kw[i][1];
	return name;
}

static const char *open311_group(const char *specialty)
{
	static const char *const groups[][2] = {
		{"medicine", "医疗健康"}, {"agriculture", "农牧生产"}, {"law", "法律服务"},
		{"mediation", "矛盾调解"}, {"education", "教育服务"},   {"daily", "生活服务"},
		{"repair", "维修服务"},
	};
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (strcmp(groups[i][0], specialty) == 0)
			return groups[i][1];
	return "便民服务";
}

static int services_tx(struct db_conn *c, void *ctx)
{
	json_array_clear(ctx);
	json_t *cats = json_array();
	int rc = requests_store_categories_json(c, cats);
	if (rc >= 0) {
		size_t i;
		json_t *k;
		json_array_foreach(cats, i, k)
		{
			const char *code = json_string_value(json_object_get(k, "code"));
			const char *name = json_string_value(json_object_get(k, "name"));
			const char *spec = json_string_value(json_object_get(k, "specialty"));
			json_array_append_new(
				ctx, json_pack("{s:s, s:s, s:O, s:b, s:s, s:s, s:s}", "service_code", code,
					       "service_name", name, "description",
					       json_object_get(k, "description"), "metadata", 1, "type",
					       "realtime", "keywords", open311_keywords(code, name), "group",
					       open311_group(spec)));
		}
	}
	json_decref(cats);
	return rc;
}

int open311_api_services(struct http_req *r)
{
	json_t *items = json_array();
	int rc = db_read_run(r->db, services_tx, items);
	if (rc < 0) {
		json_decref(items);
		return http_reply_db_error(r, rc);
	}
	return http_reply_open311(r, 200, open311_xml_path(r), "services", items);
}

struct definition_ctx {
	struct http_req *r;
	const char *code;
	struct requests_category *k;
};

static int definition_tx(struct db_conn *c, void *ctx)
{
	struct definition_ctx *d = ctx;
	int rc = requests_store_category(c, d->r->arena, d->code, &d->k);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : O311_NOT_FOUND;
}

int open311_api_service_definition(struct http_req *r)
{
	struct definition_ctx d = {.r = r};
	bool xml = false;
	if (open311_segment(r, &d.code, &xml) < 0)
		return HTTP_DONE;
	if (!open311_code_valid(d.code))
		return http_reply_open311_error(r, 404, "service_code: no such service");
	int rc = db_read_run(r->db, definition_tx, &d);
	if (rc == O311_NOT_FOUND)
		return http_reply_open311_error(r, 404, "service_code: no such service");
	if (rc < 0)
		return http_reply_db_error(r, rc);
	json_t *attrs = json_pack(
		"[{s:b, s:s, s:s, s:b, s:n, s:i, s:s, s:[{s:s, s:s}, {s:s, s:s}]},"
		" {s:b, s:s, s:s, s:b, s:s, s:i, s:s},"
		" {s:b, s:s, s:s, s:b, s:s, s:i, s:s}]",
		"variable", 1, "code", "urgency", "datatype", "singlevaluelist", "required", 0,
		"datatype_description", "order", 1, "description", "紧急程度（不填为一般）", "values",
		"key", "normal", "name", "一般", "key", "urgent", "name", "紧急（2 小时内办理）",
		"variable", 1, "code", "household_code", "datatype", "string", "required", 0,
		"datatype_description", "已登记的户编号", "order", 2, "description",
		"户编号（可选）：工单关联到本嘎查村的这一户", "variable", 1, "code", "village", "datatype",
		"string", "required", 0, "datatype_description", "嘎查村或村民小组编码", "order", 3,
		"description", "嘎查村编码：api_key 属于苏木乡镇或旗县时必填，须在其辖区内");
	return http_reply_open311(r, 200, xml, "service_definition",
				  json_pack("{s:s, s:o}", "service_code", d.k->code, "attributes",
					    attrs));
}

/* ---- POST requests ---- */

struct open311_post {
	struct requests_ctx q;
	struct requests_open311_order o;
	const char *key_hash, *village, *household_code;
	const char *bad; /* the first bad field of the form: answered once the key is checked */
	const char *why; /* what the transaction answers 400 with */
	int64_t key_id;
	json_t *out;
};

/* Text of at most max characters; NULL when absent. Sets p->bad otherwise. */
static const char *open311_text(struct open311_post *p, const struct http_form *f,
				const char *name, size_t max)
{
	const char *v = http_form_get(f, name);
	size_t cps = 0;
	if (!v)
		return NULL;
	http_utf8_valid(v, strlen(v), &cps); /* the form parser checked it */
	if (cps > max && !p->bad)
		p->bad = arena_printf(p->q.r->arena, "%s: longer than %zu characters", name, max);
	return v;
}

static bool open311_degrees(const char *s, double lo, double hi, double *out)
{
	if (!*s || strspn(s, "0123456789+-.eE") != strlen(s))
		return false;
	char *end = NULL;
	*out = strtod(s, &end);
	return !*end && isfinite(*out) && *out >= lo && *out <= hi;
}

static void open311_bad(struct open311_post *p, const char *why)
{
	if (!p->bad)
		p->bad = why;
}

static void open311_post_fields(struct open311_post *p, const struct http_form *f)
{
	struct arena *a = p->q.r->arena;
	struct requests_open311_order *o = &p->o;
	o->category = http_form_get(f, "service_code");
	if (!o->category || !*o->category)
		open311_bad(p, "service_code: required");
	else if (!open311_code_valid(o->category))
		open311_bad(p, "service_code: no such service");
	o->text = open311_text(p, f, "description", 1000);
	if (!o->text || http_text_blank(o->text))
		open311_bad(p, "description: required");
	const char *lat = http_form_get(f, "lat"), *lon = http_form_get(f, "long");
	if ((lat && *lat) || (lon && *lon)) {
		if (!lat || !lon || !open311_degrees(lat, -90, 90, &o->lat) ||
		    !open311_degrees(lon, -180, 180, &o->lon))
			open311_bad(p, "lat and long: both, decimal degrees (-90 to 90, -180 to 180)");
		o->has_location = true;
	}
	o->address = open311_text(p, f, "address_string", 200);
	if (!o->address)
		o->address = "";
	if (!o->has_location && http_text_blank(o->address))
		open311_bad(p, "a location is required: lat and long, or address_string");
	const char *first = open311_text(p, f, "first_name", 25);
	const char *last = open311_text(p, f, "last_name", 25);
	first = first ? first : "";
	last = last ? last : "";
	bool ascii = true;
	for (const char *s = first; *s; s++)
		ascii = ascii && (unsigned char)*s < 0x80;
	for (const char *s = last; *s; s++)
		ascii = ascii && (unsigned char)*s < 0x80;
	/* 张 + 三 without a space; John Smith with one */
	o->name = ascii ? arena_printf(a, "%s%s%s", first, *first && *last ? " " : "", last)
			: arena_printf(a, "%s%s", last, first);
	const char *phone = http_form_get(f, "phone");
	if (phone && *phone) {
		char *clean = arena_strdup(a, phone), *w = clean;
		for (const char *s = phone; *s; s++)
			if (!strchr("().", *s))
				*w++ = *s;
		*w = '\0';
		if (!people_phone_valid(clean))
			open311_bad(p, "phone: 5 to 20 digits");
		o->phone = clean;
	}
	o->urgency = http_form_get(f, "attribute[urgency]");
	if (!o->urgency || !*o->urgency)
		o->urgency = "normal";
	else if (strcmp(o->urgency, "normal") != 0 && strcmp(o->urgency, "urgent") != 0)
		open311_bad(p, "attribute[urgency]: normal or urgent");
	p->household_code = open311_text(p, f, "attribute[household_code]", 64);
	if (p->household_code && !*p->household_code)
		p->household_code = NULL;
	p->village = open311_text(p, f, "attribute[village]", 64);
	if (p->village && !*p->village)
		p->village = NULL;
	/* email, device_id, account_id, media_url, address_id, jurisdiction_id: not kept */
}

static int post_tx(struct db_conn *c, void *ctx)
{
	struct open311_post *p = ctx;
	struct requests_ctx *q = &p->q;
	struct arena *a = q->r->arena;
	int64_t key_node = 0;
	json_decref(p->out); /* from an attempt the database made us retry */
	p->out = NULL;
	p->why = p->bad;
	int rc = open311_store_key(c, p->key_hash, &p->key_id, &key_node);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return O311_BAD_KEY;
	q->actor = arena_printf(a, "api_key:%lld", (long long)p->key_id);
	if (p->why)
		return O311_BAD;
	struct org_node *area = NULL;
	rc = org_store_get(c, a, arena_printf(a, "%lld", (long long)key_node), &area);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	q->node = area;
	if (p->village) {
		rc = org_store_get(c, a, p->village, &q->node);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW || strncmp(q->node->path, area->path, strlen(area->path)) != 0) {
			p->why = "attribute[village]: no such village in this api_key's area";
			return O311_BAD;
		}
	}
	if (strcmp(q->node->level, "village") != 0 && strcmp(q->node->level, "group") != 0) {
		p->why = p->village ? "attribute[village]: the code of a village or group"
				    : "attribute[village]: required, as this api_key covers a wider area";
		return O311_BAD;
	}
	q->node_id = q->node->id;
	if (p->household_code) {
		rc = open311_store_household(c, p->household_code, q->node->path, &p->o.household);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW) {
			p->why = "attribute[household_code]: no such household in this village";
			return O311_BAD;
		}
	}
	rc = requests_open311_create(c, q, &p->o);
	if (rc == REQ_CATEGORY_NOT_FOUND) {
		p->why = "service_code: no such service";
		return O311_BAD;
	}
	if (rc < 0)
		return rc;
	struct requests_order *o = NULL;
	rc = requests_store_order(c, a, q->id, &o);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	p->out = json_pack("[{s:s, s:s, s:s, s:n}]", "service_request_id",
			   arena_printf(a, "%lld", (long long)o->id), "token", o->ticket,
			   "service_notice", open311_notice(o->tier), "account_id");
	return 0;
}

static bool open311_form_type(const char *ct)
{
	static const char form[] = "application/x-www-form-urlencoded";
	size_t n = sizeof(form) - 1;
	return ct && strncasecmp(ct, form, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int open311_api_request_create(struct http_req *r)
{
	bool xml = open311_xml_path(r);
	if (r->body_len > OPEN311_FORM_MAX)
		return http_reply_open311_error(
			r, 400, arena_printf(r->arena, "the form is larger than %d bytes", OPEN311_FORM_MAX));
	if (r->body_len && !open311_form_type(http_header(r, "Content-Type")))
		return http_reply_open311_error(r, 400,
						"the body must be application/x-www-form-urlencoded");
	struct http_form f;
	const char *why = NULL;
	if (http_form_parse(r->body ? r->body : "", r->body_len, r->arena, &f, &why) < 0)
		return http_reply_open311_error(r, 400, arena_printf(r->arena, "the form: %s", why));
	const char *key = http_form_get(&f, "api_key");
	if (!key)
		key = http_query(r, "api_key");
	if (!key || !*key)
		return http_reply_open311_error(r, 403, "api_key: required");
	char hash[CRYPTO_SM3_HEX];
	crypto_sm3_hex(key, strlen(key), hash);
	if (open311_limit(r, "open311", hash, (double)cfg.open311_rate) < 0)
		return HTTP_DONE;
	struct open311_post p = {.q = {.r = r, .action = "order.create"}, .key_hash = hash};
	open311_post_fields(&p, &f);
	int rc = db_tx_run(r->db, post_tx, &p);
	if (rc == O311_BAD_KEY) {
		/* Denials are audited, as many a minute from one address as sign-in attempts. */
		if (open311_limit(r, "open311deny", r->ip, (double)cfg.login_rate) < 0)
			return HTTP_DONE;
		struct audit_entry e = {.action = "order.create", .object = "open311",
					.result = "denied", .detail = "unknown or revoked api_key"};
		http_audit_actor(r, &e);
		rc = audit_record(r->db, &e, clock_now_ms());
		if (rc < 0)
			return http_reply_db_error(r, rc);
		return http_reply_open311_error(r, 403, "api_key: unknown or revoked");
	}
	if (rc == O311_BAD)
		return http_reply_open311_error(r, 400, p.why);
	if (rc < 0) {
		json_decref(p.out);
		return http_reply_db_error(r, rc);
	}
	return http_reply_open311(r, 201, xml, "service_requests", p.out);
}

/* ---- GET requests ---- */

/* A comma list into at most max items; -1 when longer or with an empty item. */
static int open311_split(struct arena *a, const char *s, const char **out, int max)
{
	int n = 0;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		if (len == 0 || n == max)
			return -1;
		out[n++] = arena_strndup(a, s, len);
		if (!comma)
			return n;
		s = comma + 1;
	}
}

struct list_ctx {
	struct http_req *r;
	struct open311_filter f;
	const char *jurisdiction;
	int64_t ids[OPEN311_MAX_IDS];
	int nids;
	json_t *items;
};

static int list_tx(struct db_conn *c, void *ctx)
{
	struct list_ctx *l = ctx;
	json_array_clear(l->items); /* from an attempt the database made us retry */
	int rc = 0;
	for (int i = 0; i < l->nids && rc >= 0; i++)
		rc = open311_store_request(c, l->ids[i], l->items);
	if (l->nids)
		return rc < 0 ? rc : 0;
	if (l->jurisdiction) {
		struct org_node *n = NULL;
		rc = org_store_get(c, l->r->arena, l->jurisdiction, &n);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW)
			return O311_NOT_FOUND;
		l->f.path = n->path;
	}
	return open311_store_requests(c, &l->f, l->items);
}

/* The query of GET requests into l; a reason when something is wrong. */
static const char *list_args(struct http_req *r, struct list_ctx *l)
{
	struct arena *a = r->arena;
	const char *ids = http_query(r, "service_request_id"), *codes = http_query(r, "service_code");
	const char *status = http_query(r, "status"), *from = http_query(r, "start_date");
	const char *to = http_query(r, "end_date");
	l->jurisdiction = http_query(r, "jurisdiction_id");
	l->f.path = "/";
	if (ids && *ids) { /* the ids override every other argument */
		const char *list[OPEN311_MAX_IDS];
		int n = open311_split(a, ids, list, OPEN311_MAX_IDS);
		for (int i = 0; i < n; i++)
			if (http_parse_id(list[i], &l->ids[i]) < 0)
				n = -1;
		if (n < 0)
			return "service_request_id: up to 100 ids, comma-separated";
		l->nids = n;
		return NULL;
	}
	if (l->jurisdiction && (!*l->jurisdiction || strlen(l->jurisdiction) > 64))
		return "jurisdiction_id: a node code";
	if (codes && *codes) {
		l->f.ncodes = open311_split(a, codes, l->f.codes, OPEN311_MAX_CODES);
		for (int i = 0; i < l->f.ncodes; i++)
			if (!open311_code_valid(l->f.codes[i]))
				l->f.ncodes = -1;
		if (l->f.ncodes < 0)
			return "service_code: up to 10 service codes, comma-separated";
	}
	if (status && *status) {
		const char *list[2];
		int n = open311_split(a, status, list, 2);
		for (int i = 0; i < n; i++) {
			int s = strcmp(list[i], "open") == 0 ? 1 : strcmp(list[i], "closed") == 0 ? 2 : -1;
			if (s < 0)
				n = -1;
			else
				l->f.status = l->f.status && l->f.status != s ? 0 : s;
		}
		if (n < 0)
			return "status: open, closed or both";
	}
	bool has_from = from && *from, has_to = to && *to, day_from = false, day_to = false;
	if ((has_from && open311_parse_time(from, &l->f.from_ms, &day_from) < 0) ||
	    (has_to && open311_parse_time(to, &l->f.to_ms, &day_to) < 0))
		return "start_date and end_date: W3C datetimes, as 2026-11-26T09:30:00+08:00";
	if (day_to) /* end_date=2026-11-26: the whole day */
		l->f.to_ms += OPEN311_DAY_MS - 1;
	int64_t span = 90LL * OPEN311_DAY_MS;
	if (!has_to)
		l->f.to_ms = has_from ? l->f.from_ms + span : clock_now_ms();
	if (!has_from)
		l->f.from_ms = l->f.to_ms - span;
	if (l->f.from_ms > l->f.to_ms || l->f.to_ms - l->f.from_ms > span)
		return "start_date to end_date: at most 90 days, start first";
	return NULL;
}

int open311_api_requests_list(struct http_req *r)
{
	if (open311_limit(r, "open311get", r->ip, 300) < 0)
		return HTTP_DONE;
	struct list_ctx l = {.r = r};
	const char *why = list_args(r, &l);
	if (why)
		return http_reply_open311_error(r, 400, why);
	l.items = json_array();
	int rc = db_read_run(r->db, list_tx, &l);
	if (rc < 0) {
		json_decref(l.items);
		if (rc == O311_NOT_FOUND)
			return http_reply_open311_error(r, 404, "jurisdiction_id: no such node");
		return http_reply_db_error(r, rc);
	}
	return http_reply_open311(r, 200, open311_xml_path(r), "service_requests", l.items);
}

int open311_api_request_get(struct http_req *r)
{
	if (open311_limit(r, "open311get", r->ip, 300) < 0)
		return HTTP_DONE;
	const char *id = NULL;
	bool xml = false;
	if (open311_segment(r, &id, &xml) < 0)
		return HTTP_DONE;
	struct list_ctx l = {.r = r, .nids = 1};
	if (http_parse_id(id, &l.ids[0]) < 0)
		return http_reply_open311_error(r, 404, "service_request_id: no such request");
	l.items = json_array();
	int rc = db_read_run(r->db, list_tx, &l);
	if (rc < 0) {
		json_decref(l.items);
		return http_reply_db_error(r, rc);
	}
	if (json_array_size(l.items) == 0) {
		json_decref(l.items);
		return http_reply_open311_error(r, 404, "service_request_id: no such request");
	}
	return http_reply_open311(r, 200, xml, "service_requests", l.items);
}

/* ---- tokens: the order's ticket, as the POST answered it ---- */

struct token_ctx {
	struct http_req *r;
	const char *ticket;
	struct requests_order *o;
};

static int token_tx(struct db_conn *c, void *ctx)
{
	struct token_ctx *t = ctx;
	int rc = requests_store_order_by_ticket(c, t->r->arena, t->ticket, &t->o);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : O311_NOT_FOUND;
}

int open311_api_token_get(struct http_req *r)
{
	/* Tickets also follow and cancel orders on the phone page: the same limit as there. */
	if (open311_limit(r, "ticket", r->ip, 120) < 0)
		return HTTP_DONE;
	struct token_ctx t = {.r = r};
	bool xml = false;
	if (open311_segment(r, &t.ticket, &xml) < 0)
		return HTTP_DONE;
	if (strlen(t.ticket) != 10 || strspn(t.ticket, "23456789ABCDEFGHJKLMNPQRSTUVWXYZ") != 10)
		return http_reply_open311_error(r, 404, "token: no such token");
	int rc = db_read_run(r->db, token_tx, &t);
	if (rc == O311_NOT_FOUND)
		return http_reply_open311_error(r, 404, "token: no such token");
	if (rc < 0)
		return http_reply_db_error(r, rc);
	return http_reply_open311(r, 200, xml, "service_requests",
				  json_pack("[{s:s, s:s}]", "service_request_id",
					    arena_printf(r->arena, "%lld", (long long)t.o->id), "token",
					    t.o->ticket));
}
