/* live_faq_api.c — the FAQ routes: staff list and search (GET /api/v1/faq), add, edit and
 * deactivate entries (each audited), and the phone page's suggestions while a viewer types
 * (GET /api/v1/public/faq/suggest, rate limited per address). */
#include "modules/live/live_faq.h"

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/clock.h"
#include "core/mem.h"
#include "http/http.h"
#include "http/ratelimit.h"
#include "modules/live/live.h"
#include "modules/live/live_internal.h"
#include "org/org.h"
#include "store/db.h"
#include "text/text.h"

#include <stdio.h>
#include <string.h>

enum { FAQ_NOT_FOUND = -600, FAQ_FORBIDDEN = -601, FAQ_NO_NODE = -602, FAQ_NOT_COUNTY = -603,
       FAQ_NO_STREAM = -604 };

/* reading as for streams (any staff role), writing as for hot questions */
#define FAQ_READ LIVE_READ
#define FAQ_ROLES LIVE_WRITE

static const char SQL_FAQ_GET[] =
	"SELECT f.id, f.question, f.answer, f.topic, f.node_id, n.code, n.name, f.stream_id, "
	"f.cluster_id, f.asked, f.active, f.created_at, f.updated_at, n.path FROM faq_entries f "
	"JOIN org_nodes n ON n.id = f.node_id WHERE f.id = ?";
static const char SQL_FAQ_INSERT[] =
	"INSERT INTO faq_entries (county_id, node_id, question, answer, topic, asked, active, "
	"created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, 1, ?, ?, ?) RETURNING id";
static const char SQL_FAQ_UPDATE[] =
	"UPDATE faq_entries SET question = ?, answer = ?, topic = ?, active = ?, updated_at = ? "
	"WHERE id = ?";

struct faq_ctx {
	struct http_req *r;
	const char *action, *ref, *q;
	const char *question, *answer, *topic;
	bool has_question, has_answer, has_topic, has_active, active, all;
	int64_t id, node_id, limit, offset;
	json_t *out;
	int status;
};

/* The entry object, with the node path it sits on in *path (arena). DB_ROW, DB_DONE or an
 * error. */
static int faq_get(struct db_conn *c, struct faq_ctx *x, int64_t id, json_t **out,
		   const char **path)
{
	struct db_stmt *s = db_prepare(c, SQL_FAQ_GET);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc != DB_ROW)
		return rc;
	x->node_id = db_col_int(s, 4);
	if (path)
		*path = arena_strdup(x->r->arena, db_col_text(s, 13));
	*out = json_pack("{s:I, s:s, s:s, s:s, s:{s:I, s:s, s:s}, s:o, s:o, s:I, s:b, s:I, s:I}",
			 "id", (json_int_t)id, "question", db_col_text(s, 1), "answer",
			 db_col_text(s, 2), "topic", db_col_text(s, 3), "node", "id",
			 (json_int_t)x->node_id, "code", db_col_text(s, 5), "name",
			 db_col_text(s, 6), "stream_id",
			 db_col_is_null(s, 7) ? json_null() : json_integer(db_col_int(s, 7)),
			 "cluster_id",
			 db_col_is_null(s, 8) ? json_null() : json_integer(db_col_int(s, 8)),
			 "asked", (json_int_t)db_col_int(s, 9), "active", db_col_int(s, 10) != 0,
			 "created_at", (json_int_t)db_col_int(s, 11), "updated_at",
			 (json_int_t)db_col_int(s, 12));
	return DB_ROW;
}

static int faq_audit(struct db_conn *c, struct faq_ctx *x, const char *detail)
{
	char object[40];
	snprintf(object, sizeof(object), "faq_entry:%lld", (long long)x->id);
	struct audit_entry e = {.action = x->action, .object = object, .node_id = x->node_id,
				.result = "ok", .detail = detail};
	http_audit_actor(x->r, &e);
	int64_t rc = audit_append(c, &e, clock_now_ms());
	return rc < 0 ? (int)rc : 0;
}

static int faq_node(struct db_conn *c, struct faq_ctx *x, unsigned roles, struct org_node **node)
{
	int rc = auth_scope_node(c, x->r->arena, x->r->user, &x->ref, roles, node);
	if (*node)
		x->node_id = (*node)->id;
	return rc == AUTH_SCOPE_NO_NODE	  ? FAQ_NO_NODE
	       : rc == AUTH_SCOPE_FORBIDDEN ? FAQ_FORBIDDEN
					    : rc;
}

static int faq_reply_error(struct faq_ctx *x, int rc)
{
	json_decref(x->out);
	x->out = NULL;
	switch (rc) {
	case FAQ_NOT_FOUND:
		return http_reply_problem(x->r, "faq.not_found", NULL, NULL);
	case FAQ_FORBIDDEN:
		return http_forbid(x->r, x->action, x->r->path, x->node_id);
	case FAQ_NO_NODE:
		return http_reply_problem(x->r, "org.node_not_found", x->ref, "node");
	case FAQ_NOT_COUNTY:
		return http_reply_problem(x->r, "request.bad_field", "node: a county or a node in one",
					  "node");
	case FAQ_NO_STREAM:
		return http_reply_problem(x->r, "live.stream_not_found", NULL, "code");
	default:
		return http_reply_db_error(x->r, rc);
	}
}

static int faq_run(struct faq_ctx *x, db_tx_fn fn, bool write)
{
	if (!x->status)
		x->status = 200;
	int rc = write ? db_tx_run(x->r->db, fn, x) : db_read_run(x->r->db, fn, x);
	if (rc < 0)
		return faq_reply_error(x, rc);
	return http_reply_json(x->r, x->status, x->out);
}

/* A query string argument of at most max code points, valid UTF-8; replies 400 and
 * returns -1 otherwise. Empty counts as absent unless keep_empty. */
static int faq_query_text(struct http_req *r, const char *name, size_t max, bool keep_empty,
			  const char **out)
{
	const char *v = http_query(r, name);
	size_t cps = 0;
	*out = NULL;
	if (!v || (!*v && !keep_empty))
		return 0;
	if (!http_utf8_valid(v, strlen(v), &cps) || cps > max) {
		http_reply_problem(r, "request.bad_query",
				   arena_printf(r->arena, "%s: text of at most %zu characters", name,
						max),
				   name);
		return -1;
	}
	*out = v;
	return 0;
}

/* ---- GET /api/v1/faq ---- */

static int faq_list_tx(struct db_conn *c, void *ctx)
{
	struct faq_ctx *x = ctx;
	struct org_node *node = NULL;
	int rc = faq_node(c, x, FAQ_READ, &node);
	if (rc < 0)
		return rc;
	json_t *items = json_array();
	int64_t total = 0;
	x->out = json_pack("{s:o}", "items", items);
	rc = live_faq_search(c, node->county_id, node->path, x->q, x->all,
			     live_faq_search_floor(), x->limit, x->offset, false, items, &total);
	json_object_set_new(x->out, "total", json_integer(total));
	json_object_set_new(x->out, "limit", json_integer(x->limit));
	json_object_set_new(x->out, "offset", json_integer(x->offset));
	return rc;
}

int live_faq_api_list(struct http_req *r)
{
	struct faq_ctx x = {.r = r, .action = "faq.list", .ref = http_query(r, "node")};
	int64_t all = 0;
	if (faq_query_text(r, "q", LIVE_FAQ_QUERY_MAX, false, &x.q) < 0 ||
	    http_query_int(r, "limit", 50, 1, 200, &x.limit) < 0 ||
	    http_query_int(r, "offset", 0, 0, LIVE_FAQ_SCAN_MAX, &x.offset) < 0 ||
	    http_query_int(r, "inactive", 0, 0, 1, &all) < 0)
		return HTTP_DONE;
	if (x.q && http_text_blank(x.q))
		x.q = NULL;
	x.all = all != 0;
	if (x.ref && (!*x.ref || strlen(x.ref) > 64))
		return http_reply_problem(r, "request.bad_query", "node", "node");
	return faq_run(&x, faq_list_tx, false);
}

/* ---- POST /api/v1/faq ---- */

static int faq_check_text(struct http_req *r, const char *name, const char *v)
{
	if (v && http_text_blank(v)) {
		http_reply_problem(r, "request.bad_field", arena_printf(r->arena, "%s: blank", name),
				   name);
		return -1;
	}
	return 0;
}

static int faq_create_tx(struct db_conn *c, void *ctx)
{
	struct faq_ctx *x = ctx;
	struct org_node *node = NULL;
	int rc = faq_node(c, x, FAQ_ROLES, &node);
	if (rc < 0)
		return rc;
	if (node->county_id <= 0)
		return FAQ_NOT_COUNTY;
	int64_t now = clock_now_ms();
	rc = db_query_int(c, &x->id, SQL_FAQ_INSERT, "iitttiii", node->county_id, node->id,
			  x->question, x->answer, x->topic ? x->topic : "", x->r->user->id, now, now);
	if (rc < 0)
		return rc;
	rc = faq_audit(c, x, x->question);
	if (rc < 0)
		return rc;
	rc = faq_get(c, x, x->id, &x->out, NULL);
	return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_HARD_ERROR;
}

int live_faq_api_create(struct http_req *r)
{
	struct faq_ctx x = {.r = r, .action = "faq.create", .status = 201};
	struct json_field spec[] = {
		{"question", JF_STRING, true, LIVE_FAQ_QUESTION_MAX, &x.question, NULL},
		{"answer", JF_STRING, true, LIVE_FAQ_ANSWER_MAX, &x.answer, NULL},
		{"topic", JF_STRING, false, LIVE_FAQ_TOPIC_MAX, &x.topic, NULL},
		{"node", JF_REF, false, 64, &x.ref, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (faq_check_text(r, "question", x.question) < 0 ||
	    faq_check_text(r, "answer", x.answer) < 0)
		return HTTP_DONE;
	return faq_run(&x, faq_create_tx, true);
}

/* ---- PATCH and DELETE /api/v1/faq/{id} ---- */

static int faq_load_for_write(struct db_conn *c, struct faq_ctx *x, json_t **entry)
{
	const char *path = NULL;
	int rc = faq_get(c, x, x->id, entry, &path);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return FAQ_NOT_FOUND;
	if (!auth_can(x->r->user, FAQ_ROLES, path)) {
		json_decref(*entry);
		*entry = NULL;
		return FAQ_FORBIDDEN;
	}
	return 0;
}

static int faq_update_tx(struct db_conn *c, void *ctx)
{
	struct faq_ctx *x = ctx;
	json_t *e = NULL;
	int rc = faq_load_for_write(c, x, &e);
	if (rc < 0)
		return rc;
	const char *question = x->has_question ? x->question
					       : json_string_value(json_object_get(e, "question"));
	const char *answer = x->has_answer ? x->answer
					   : json_string_value(json_object_get(e, "answer"));
	const char *topic = x->has_topic ? x->topic : json_string_value(json_object_get(e, "topic"));
	bool active = x->has_active ? x->active : json_is_true(json_object_get(e, "active"));
	rc = db_exec(c, SQL_FAQ_UPDATE, "tttiii", question, answer, topic ? topic : "",
		     (int64_t)active, clock_now_ms(), x->id);
	json_decref(e);
	if (rc < 0)
		return rc;
	const char *detail = strcmp(x->action, "faq.deactivate") == 0 ? "deactivated"
			     : x->has_active && active		   ? "edited, active"
			     : x->has_active				   ? "edited, inactive"
										   : "edited";
	rc = faq_audit(c, x, detail);
	if (rc < 0)
		return rc;
	rc = faq_get(c, x, x->id, &x->out, NULL);
	return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_HARD_ERROR;
}

static int faq_path_id(struct faq_ctx *x)
{
	if (http_parse_id(x->r->params[0], &x->id) < 0) {
		http_reply_problem(x->r, "request.bad_id", x->r->params[0], NULL);
		return -1;
	}
	return 0;
}

int live_faq_api_update(struct http_req *r)
{
	struct faq_ctx x = {.r = r, .action = "faq.update"};
	if (faq_path_id(&x) < 0)
		return HTTP_DONE;
	struct json_field spec[] = {
		{"question", JF_STRING, false, LIVE_FAQ_QUESTION_MAX, &x.question, &x.has_question},
		{"answer", JF_STRING, false, LIVE_FAQ_ANSWER_MAX, &x.answer, &x.has_answer},
		{"topic", JF_STRING, false, LIVE_FAQ_TOPIC_MAX, &x.topic, &x.has_topic},
		{"active", JF_BOOL, false, 0, &x.active, &x.has_active},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (faq_check_text(r, "question", x.has_question ? x.question : NULL) < 0 ||
	    faq_check_text(r, "answer", x.has_answer ? x.answer : NULL) < 0)
		return HTTP_DONE;
	return faq_run(&x, faq_update_tx, true);
}

int live_faq_api_delete(struct http_req *r)
{
	struct faq_ctx x = {.r = r, .action = "faq.deactivate", .has_active = true,
			    .active = false};
	if (faq_path_id(&x) < 0)
		return HTTP_DONE;
	return faq_run(&x, faq_update_tx, true);
}

/* ---- GET /api/v1/public/faq/suggest?code=&q= ---- */

static int faq_suggest_tx(struct db_conn *c, void *ctx)
{
	struct faq_ctx *x = ctx;
	struct live_stream *st = NULL;
	int rc = live_store_stream_by_code(c, x->r->arena, x->ref, &st);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return FAQ_NO_STREAM;
	json_t *items = json_array();
	int64_t total = 0;
	x->out = json_pack("{s:o}", "items", items);
	/* the whole county's FAQ: a viewer of a township's stream asks county-wide things */
	rc = live_faq_search(c, st->county_id, "/", x->q, false, live_faq_suggest_floor(),
			     LIVE_FAQ_SUGGEST_MAX, 0, true, items, &total);
	return rc;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

int live_faq_api_public_suggest(struct http_req *r)
{
	/* a phone asks as its viewer types (debounced): generous, yet no crawler's pace */
	if (!ratelimit_take("faq_suggest", r->ip, 120, 40, clock_now_ms()))
		return http_reply_problem(r, "rate.limited", NULL, NULL);
	struct faq_ctx x = {.r = r, .action = "faq.suggest", .ref = http_query(r, "code")};
	if (!x.ref || !live_join_code_valid(x.ref))
		return http_reply_problem(r, "request.bad_query", "code: the stream's 6-character join code",
					  "code");
	if (faq_query_text(r, "q", LIVE_FAQ_QUERY_MAX, true, &x.q) < 0)
		return HTTP_DONE;
	if (!x.q || http_text_blank(x.q))
		return http_reply_problem(r, "request.bad_query", "q: what the viewer is typing", "q");
	char norm[3 * (LIVE_FAQ_QUERY_MAX * 4) + 1];
	text_normalize(x.q, strlen(x.q), norm, sizeof(norm));
	if (utf8_chars(norm) < 2) /* too little to go on yet: nothing to suggest */
		return http_reply_json(r, 200, json_pack("{s:[]}", "items"));
	return faq_run(&x, faq_suggest_tx, false);
}
