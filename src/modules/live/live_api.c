/* live_api.c — staff routes of live Q&A: streams (create, list, read, edit, start, end),
 * viewer counts, the per-minute timeline and the county's sensitive words; and the
 * plumbing the module's route files share. */
#include "modules/live/live_api.h"

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "http/ratelimit.h"
#include "modules/live/live_internal.h"
#include "org/org.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

const unsigned LIVE_READ = ROLES_STAFF;
const unsigned LIVE_WRITE = ROLES_PEOPLE;

/* ---- shared ---- */

int live_reply_error(struct live_ctx *q, int rc)
{
	struct http_req *r = q->r;
	json_decref(q->out);
	q->out = NULL;
	switch (rc) {
	case LIVE_NOT_FOUND:
		return http_reply_problem(r, "live.stream_not_found", NULL, NULL);
	case LIVE_ENDED:
		return http_reply_problem(r, "live.stream_ended", NULL, NULL);
	case LIVE_BAD_TRANSITION:
		return http_reply_problem(r, "live.bad_transition", NULL, NULL);
	case LIVE_CLUSTER_NOT_FOUND:
		return http_reply_problem(r, "live.cluster_not_found", NULL, NULL);
	case LIVE_QUESTION_NOT_FOUND:
		return http_reply_problem(r, "live.question_not_found", NULL, NULL);
	case LIVE_FORBIDDEN:
		return http_forbid(r, q->action, r->path, q->node_id);
	case LIVE_NODE_NOT_FOUND:
		return http_reply_problem(r, "org.node_not_found", q->ref, "node");
	case LIVE_EXISTS:
		return http_reply_problem(r, "live.word_exists", NULL, "word");
	case LIVE_BAD_INPUT:
		return http_reply_problem(r, "request.bad_field", "node: a county or a place in one",
					  "node");
	default:
		return http_reply_db_error(r, rc);
	}
}

int live_param_id(struct http_req *r, int i, int64_t *out)
{
	if (http_parse_id(r->params[i], out) < 0) {
		http_reply_problem(r, "request.bad_id", r->params[i], NULL);
		return -1;
	}
	return 0;
}

int live_stream_load(struct db_conn *c, struct live_ctx *q, unsigned roles)
{
	int rc = live_store_stream_get(c, q->r->arena, q->id, &q->stream);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return LIVE_NOT_FOUND;
	q->node_id = q->stream->node_id;
	if (!auth_can(q->r->user, roles, q->stream->node_path))
		return LIVE_FORBIDDEN;
	return 0;
}

int live_audit(struct db_conn *c, struct live_ctx *q, const char *object, const char *detail)
{
	struct audit_entry e = {.action = q->action, .object = object, .node_id = q->node_id,
				.result = "ok", .detail = detail ? detail : ""};
	http_audit_actor(q->r, &e);
	int64_t rc = audit_append(c, &e, clock_now_ms());
	return rc < 0 ? (int)rc : 0;
}

static int live_node(struct db_conn *c, struct live_ctx *q, unsigned roles)
{
	int rc = auth_scope_node(c, q->r->arena, q->r->user, &q->ref, roles, &q->node);
	if (q->node)
		q->node_id = q->node->id;
	if (rc == AUTH_SCOPE_NO_NODE)
		return LIVE_NODE_NOT_FOUND;
	if (rc == AUTH_SCOPE_FORBIDDEN)
		return LIVE_FORBIDDEN;
	if (rc < 0)
		return rc;
	if (q->node->county_id <= 0)
		return LIVE_BAD_INPUT;
	return 0;
}

static int live_tx(struct live_ctx *q, db_tx_fn fn, bool write)
{
	if (!q->status)
		q->status = 200;
	return write ? db_tx_run(q->r->db, fn, q) : db_read_run(q->r->db, fn, q);
}

static int live_run(struct live_ctx *q, db_tx_fn fn, bool write)
{
	int rc = live_tx(q, fn, write);
	if (rc < 0)
		return live_reply_error(q, rc);
	return http_reply_json(q->r, q->status, q->out);
}

/* live_run for a handler that ends in stream_out: the counts come from the stream's room
 * when it knows them, and those the database gave are kept there for the next view. */
static int live_run_counted(struct live_ctx *q, db_tx_fn fn, bool write)
{
	struct live_counts counts;
	uint64_t changes = 0;
	if (live_room_counts(q->r->db, q->id, &counts, &changes))
		q->counted = &counts;
	int rc = live_tx(q, fn, write);
	if (rc < 0)
		return live_reply_error(q, rc);
	if (!q->counted && q->stream)
		live_room_counts_keep(q->id, changes, &q->stream->counts);
	return http_reply_json(q->r, q->status, q->out);
}

static const char *stream_object(struct live_ctx *q)
{
	return arena_printf(q->r->arena, "stream:%lld", (long long)q->id);
}

/* ---- streams ---- */

struct stream_fields {
	const char *title, *node, *platform, *platform_url, *host_name;
	json_t *topics;
	int64_t scheduled_at;
	bool has_title, has_node, has_platform, has_url, has_host, has_topics, has_sched;
	const char *topics_text;
};

static int stream_fields(struct http_req *r, struct stream_fields *f, bool create)
{
	struct json_field spec[] = {
		{"title", JF_STRING, create, 100, &f->title, &f->has_title},
		{"node", JF_REF, create, 0, &f->node, &f->has_node},
		{"topics", JF_JSON, false, 0, &f->topics, &f->has_topics},
		{"scheduled_at", JF_INT, false, 0, &f->scheduled_at, &f->has_sched},
		{"platform", JF_STRING, false, 20, &f->platform, &f->has_platform},
		{"platform_url", JF_STRING, false, 300, &f->platform_url, &f->has_url},
		{"host_name", JF_STRING, false, 40, &f->host_name, &f->has_host},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return -1;
	if (f->has_title && http_text_blank(f->title)) {
		http_reply_problem(r, "request.bad_field", "title: required", "title");
		return -1;
	}
	if (f->has_sched && (f->scheduled_at < 0 || f->scheduled_at > 8000000000000LL)) {
		http_reply_problem(r, "request.bad_field", "scheduled_at: epoch milliseconds",
				   "scheduled_at");
		return -1;
	}
	if (f->has_platform && *f->platform &&
	    strcmp(f->platform, "douyin") != 0 && strcmp(f->platform, "kuaishou") != 0 &&
	    strcmp(f->platform, "weixin") != 0 && strcmp(f->platform, "other") != 0) {
		http_reply_problem(r, "request.bad_field",
				   "platform: douyin, kuaishou, weixin or other", "platform");
		return -1;
	}
	if (f->has_topics) {
		bool ok = json_is_array(f->topics) && json_array_size(f->topics) <= 20;
		size_t i;
		json_t *v;
		json_array_foreach(f->topics, i, v)
		{
			size_t cps = 0;
			if (!ok || !json_is_string(v) ||
			    strlen(json_string_value(v)) != json_string_length(v) ||
			    !http_utf8_valid(json_string_value(v), json_string_length(v), &cps) ||
			    cps == 0 || cps > 40)
				ok = false;
		}
		if (!ok) {
			http_reply_problem(r, "request.bad_field",
					   "topics: up to 20 strings of 1–40 characters", "topics");
			return -1;
		}
		char *t = json_dumps(f->topics, JSON_COMPACT);
		f->topics_text = arena_strdup(r->arena, t);
		free(t);
	}
	return 0;
}

struct create_ctx {
	struct live_ctx q;
	struct stream_fields f;
};

/* q->out: the stream as the staff's views show it, its counts included (from the room when
 * q->counted, else counted here); read again first when reread (after a write in the same
 * transaction). */
static int stream_out(struct db_conn *c, struct live_ctx *q, bool reread)
{
	if (reread) {
		int rc = live_store_stream_get(c, q->r->arena, q->id, &q->stream);
		if (rc != DB_ROW)
			return rc < 0 ? rc : DB_HARD_ERROR;
	}
	if (q->counted) {
		q->stream->counts = *q->counted;
	} else {
		int rc = live_store_stream_counts(c, q->id, &q->stream->counts);
		if (rc < 0)
			return rc;
	}
	q->out = live_stream_json(q->stream);
	return 0;
}

static int stream_create_tx(struct db_conn *c, void *ctx)
{
	struct create_ctx *x = ctx;
	struct live_ctx *q = &x->q;
	q->ref = x->f.node;
	int rc = live_node(c, q, LIVE_WRITE);
	if (rc < 0)
		return rc;
	char code[7];
	for (int tries = 0;; tries++) {
		live_join_code(code);
		rc = live_store_join_code_taken(c, code);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		if (tries > 20)
			return DB_HARD_ERROR;
	}
	struct live_stream s = {.county_id = q->node->county_id, .node_id = q->node->id,
				.title = x->f.title,
				.topics = x->f.topics_text ? x->f.topics_text : "[]",
				.scheduled_at = x->f.has_sched ? x->f.scheduled_at : 0,
				.platform = x->f.has_platform ? x->f.platform : "",
				.platform_url = x->f.has_url ? x->f.platform_url : "",
				.host_name = x->f.has_host ? x->f.host_name : "",
				.join_code = code, .created_at = clock_now_ms()};
	rc = live_store_stream_insert(c, &s, q->r->user->id, &q->id);
	if (rc < 0)
		return rc;
	rc = live_audit(c, q, stream_object(q), x->f.title);
	if (rc < 0)
		return rc;
	return stream_out(c, q, true);
}

int live_api_stream_create(struct http_req *r)
{
	struct create_ctx x = {.q = {.r = r, .action = "live.stream.create", .status = 201}};
	if (stream_fields(r, &x.f, true) < 0)
		return HTTP_DONE;
	return live_run(&x.q, stream_create_tx, true);
}

struct list_ctx {
	struct live_ctx q;
	const char *status;
	struct live_stream **v; /* the streams listed */
	size_t n;
	bool *known;       /* v[i]'s counts came from its room */
	uint64_t *changes; /* else the room's change count when they were asked for */
};

static int streams_list_tx(struct db_conn *c, void *ctx)
{
	struct list_ctx *x = ctx;
	struct live_ctx *q = &x->q;
	int rc = auth_scope_node(c, q->r->arena, q->r->user, &q->ref, LIVE_READ, &q->node);
	if (rc == AUTH_SCOPE_NO_NODE)
		return LIVE_NODE_NOT_FOUND;
	if (rc == AUTH_SCOPE_FORBIDDEN)
		return LIVE_FORBIDDEN;
	if (rc < 0)
		return rc;
	return live_store_streams(c, q->r->arena, q->node->path, x->status, &x->v, &x->n);
}

/* The counts of the listed streams their rooms did not know. */
static int streams_count_tx(struct db_conn *c, void *ctx)
{
	struct list_ctx *x = ctx;
	for (size_t i = 0; i < x->n; i++) {
		if (x->known[i])
			continue;
		int rc = live_store_stream_counts(c, x->v[i]->id, &x->v[i]->counts);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int live_api_streams_list(struct http_req *r)
{
	struct list_ctx x = {.q = {.r = r, .action = "live.stream.list", .ref = http_query(r, "node")},
			     .status = http_query(r, "status")};
	if (x.q.ref && (!*x.q.ref || strlen(x.q.ref) > 64))
		return http_reply_problem(r, "request.bad_query", "node", "node");
	if (x.status && !*x.status)
		x.status = NULL;
	if (x.status && strcmp(x.status, "scheduled") != 0 && strcmp(x.status, "live") != 0 &&
	    strcmp(x.status, "ended") != 0)
		return http_reply_problem(r, "request.bad_query", "status: scheduled, live or ended",
					  "status");
	/* The list, then each stream's counts from its room (a live stream's, or an ended one
	 * counted since its last change), then the rest counted in the database: the rooms are
	 * never locked inside a transaction. */
	int rc = db_read_run(r->db, streams_list_tx, &x);
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	x.known = arena_alloc(r->arena, (x.n ? x.n : 1) * sizeof(*x.known));
	x.changes = arena_alloc(r->arena, (x.n ? x.n : 1) * sizeof(*x.changes));
	bool all = true;
	for (size_t i = 0; i < x.n; i++) {
		x.known[i] = live_room_counts(r->db, x.v[i]->id, &x.v[i]->counts, &x.changes[i]);
		all &= x.known[i];
	}
	if (!all) {
		rc = db_read_run(r->db, streams_count_tx, &x);
		if (rc < 0)
			return live_reply_error(&x.q, rc);
	}
	json_t *items = json_array();
	for (size_t i = 0; i < x.n; i++) {
		if (!x.known[i])
			live_room_counts_keep(x.v[i]->id, x.changes[i], &x.v[i]->counts);
		json_array_append_new(items, live_stream_json(x.v[i]));
	}
	return http_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int stream_get_tx(struct db_conn *c, void *ctx)
{
	struct live_ctx *q = ctx;
	int rc = live_stream_load(c, q, LIVE_READ);
	if (rc < 0)
		return rc;
	return stream_out(c, q, false);
}

int live_api_stream_get(struct http_req *r)
{
	struct live_ctx q = {.r = r, .action = "live.stream.read"};
	if (live_param_id(r, 0, &q.id) < 0)
		return HTTP_DONE;
	return live_run_counted(&q, stream_get_tx, false); /* a host's console reads it often */
}

static int stream_update_tx(struct db_conn *c, void *ctx)
{
	struct create_ctx *x = ctx;
	struct live_ctx *q = &x->q;
	int rc = live_stream_load(c, q, LIVE_WRITE);
	if (rc < 0)
		return rc;
	struct live_stream s = *q->stream;
	if (x->f.has_node) {
		q->ref = x->f.node;
		rc = live_node(c, q, LIVE_WRITE);
		if (rc < 0)
			return rc;
		s.node_id = q->node->id;
		s.county_id = q->node->county_id;
	}
	if (x->f.has_title)
		s.title = x->f.title;
	if (x->f.has_topics)
		s.topics = x->f.topics_text;
	if (x->f.has_sched)
		s.scheduled_at = x->f.scheduled_at;
	if (x->f.has_platform)
		s.platform = x->f.platform;
	if (x->f.has_url)
		s.platform_url = x->f.platform_url;
	if (x->f.has_host)
		s.host_name = x->f.host_name;
	rc = live_store_stream_update(c, &s);
	if (rc < 0)
		return rc;
	rc = live_audit(c, q, stream_object(q), "edited");
	if (rc < 0)
		return rc;
	return stream_out(c, q, true);
}

int live_api_stream_update(struct http_req *r)
{
	struct create_ctx x = {.q = {.r = r, .action = "live.stream.update"}};
	if (live_param_id(r, 0, &x.q.id) < 0)
		return HTTP_DONE;
	if (stream_fields(r, &x.f, false) < 0)
		return HTTP_DONE;
	return live_run_counted(&x.q, stream_update_tx, true);
}

struct transition_ctx {
	struct live_ctx q;
	const char *to;
};

static int stream_transition_tx(struct db_conn *c, void *ctx)
{
	struct transition_ctx *x = ctx;
	struct live_ctx *q = &x->q;
	int rc = live_stream_load(c, q, LIVE_WRITE);
	if (rc < 0)
		return rc;
	rc = live_store_stream_status(c, q->id, x->to, clock_now_ms());
	if (rc < 0)
		return rc;
	if (rc == 0)
		return LIVE_BAD_TRANSITION;
	rc = live_audit(c, q, stream_object(q), x->to);
	if (rc < 0)
		return rc;
	return stream_out(c, q, true);
}

static int stream_transition(struct http_req *r, const char *action, const char *to)
{
	struct transition_ctx x = {.q = {.r = r, .action = action, .status = 200}, .to = to};
	if (live_param_id(r, 0, &x.q.id) < 0)
		return HTTP_DONE;
	/* With the room locked, no question of this stream is half way in while it ends. */
	struct live_room *room = NULL;
	int rc = live_room_acquire(r->db, x.q.id, &room);
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	struct live_counts counts;
	live_room_counts_held(room, &counts);
	x.q.counted = &counts;
	rc = db_tx_run(r->db, stream_transition_tx, &x);
	if (rc >= 0)
		live_room_set_stream_status(room, to);
	live_room_release(room);
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	return http_reply_json(r, 200, x.q.out);
}

int live_api_stream_start(struct http_req *r)
{
	return stream_transition(r, "live.stream.start", "live");
}

int live_api_stream_end(struct http_req *r)
{
	return stream_transition(r, "live.stream.end", "ended");
}

/* ---- viewer counts, timeline ---- */

struct viewers_ctx {
	struct live_ctx q;
	int64_t viewers, at;
	const char *key_hash; /* an outside tool's api_key (hashed), or NULL for staff */
};

/* An outside tool's key must be unrevoked and issued for the stream's node or above it. */
static int viewers_key_check(struct db_conn *c, struct viewers_ctx *x, const char **source)
{
	struct live_ctx *q = &x->q;
	int rc = live_store_stream_get(c, q->r->arena, q->id, &q->stream);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return LIVE_NOT_FOUND;
	q->node_id = q->stream->node_id;
	int64_t key_id = 0;
	const char *name = NULL, *path = NULL;
	rc = live_store_api_key(c, q->r->arena, x->key_hash, &key_id, &name, &path);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW || strncmp(q->stream->node_path, path, strlen(path)) != 0)
		return LIVE_BAD_KEY;
	*source = arena_printf(q->r->arena, "api_key:%lld %s", (long long)key_id, name);
	return 0;
}

static int viewers_add_tx(struct db_conn *c, void *ctx)
{
	struct viewers_ctx *x = ctx;
	struct live_ctx *q = &x->q;
	const char *source = "manual";
	int rc = x->key_hash ? viewers_key_check(c, x, &source) : live_stream_load(c, q, LIVE_WRITE);
	if (rc < 0)
		return rc;
	rc = live_store_viewers_add(c, q->id, x->at, x->viewers, source,
				    q->r->user ? q->r->user->id : 0);
	if (rc < 0)
		return rc;
	rc = live_audit(c, q, stream_object(q),
			arena_printf(q->r->arena, "%lld viewers (%s)", (long long)x->viewers, source));
	if (rc < 0)
		return rc;
	q->out = json_pack("{s:I, s:I, s:s}", "at", (json_int_t)x->at, "viewers",
			   (json_int_t)x->viewers, "source", source);
	return 0;
}

/* POST /api/v1/streams/{id}/viewers (staff) and POST /api/v1/public/streams/{id}/viewers
 * (an outside tool — the platform's dashboard, a broadcasting plugin — with an api_key in
 * X-Api-Key, issued by `tala apikey add` as for Open311). */
static int viewers_add(struct http_req *r, const char *key)
{
	struct viewers_ctx x = {.q = {.r = r, .action = "live.viewers.add", .status = 201}};
	char hash[CRYPTO_SM3_HEX];
	if (key) {
		crypto_sm3_hex(key, strlen(key), hash);
		x.key_hash = hash;
	}
	if (live_param_id(r, 0, &x.q.id) < 0)
		return HTTP_DONE;
	bool has_at = false;
	struct json_field spec[] = {
		{"viewers", JF_INT, true, 0, &x.viewers, NULL},
		{"at", JF_INT, false, 0, &x.at, &has_at},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (x.viewers < 0 || x.viewers > 100000000)
		return http_reply_problem(r, "request.bad_field", "viewers: 0 to 100000000", "viewers");
	if (!has_at)
		x.at = clock_now_ms();
	if (x.at <= 0 || x.at > 8000000000000LL)
		return http_reply_problem(r, "request.bad_field", "at: epoch milliseconds", "at");
	int rc = db_tx_run(r->db, viewers_add_tx, &x);
	if (rc == LIVE_BAD_KEY) {
		/* Like a failed sign-in: limited per address, and audited. */
		if (!ratelimit_take("livekey", r->ip, (double)cfg.login_rate, (double)cfg.login_rate,
				    clock_now_ms()))
			return http_reply_problem(r, "live.rate_limited", NULL, NULL);
		struct audit_entry e = {.action = "live.viewers.add", .object = "api_key",
					.node_id = x.q.node_id, .result = "denied",
					.detail = "unknown, revoked or out-of-area api_key"};
		http_audit_actor(r, &e);
		rc = audit_record(r->db, &e, clock_now_ms());
		if (rc < 0)
			return http_reply_db_error(r, rc);
		return http_reply_problem(r, "live.bad_api_key", NULL, NULL);
	}
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	return http_reply_json(r, 201, x.q.out);
}

int live_api_viewers_add(struct http_req *r)
{
	return viewers_add(r, NULL);
}

int live_api_public_viewers_add(struct http_req *r)
{
	const char *key = http_header(r, "X-Api-Key");
	if (!key || !*key)
		return http_reply_problem(r, "live.bad_api_key", "X-Api-Key: required", NULL);
	return viewers_add(r, key);
}

static int viewers_list_tx(struct db_conn *c, void *ctx)
{
	struct live_ctx *q = ctx;
	int rc = live_stream_load(c, q, LIVE_READ);
	if (rc < 0)
		return rc;
	json_t *items = json_array();
	q->out = json_pack("{s:o}", "items", items);
	return live_store_viewers_json(c, q->id, items);
}

int live_api_viewers_list(struct http_req *r)
{
	struct live_ctx q = {.r = r, .action = "live.viewers.list"};
	if (live_param_id(r, 0, &q.id) < 0)
		return HTTP_DONE;
	return live_run(&q, viewers_list_tx, false);
}

static int timeline_tx(struct db_conn *c, void *ctx)
{
	struct live_ctx *q = ctx;
	int rc = live_stream_load(c, q, LIVE_READ);
	if (rc < 0)
		return rc;
	struct live_stream *s = q->stream;
	int64_t from = s->started_at ? s->started_at : s->created_at;
	int64_t to = s->ended_at ? s->ended_at : clock_now_ms();
	json_t *items = json_array();
	q->out = json_pack("{s:I, s:o}", "from", (json_int_t)from, "items", items);
	return live_store_timeline_json(c, q->id, from, to + 1, items);
}

int live_api_timeline(struct http_req *r)
{
	struct live_ctx q = {.r = r, .action = "live.timeline"};
	if (live_param_id(r, 0, &q.id) < 0)
		return HTTP_DONE;
	return live_run(&q, timeline_tx, false);
}

/* ---- sensitive words (county-wide) ---- */

struct words_ctx {
	struct live_ctx q;
	const char *word;
	int64_t word_id;
};

static int words_list_tx(struct db_conn *c, void *ctx)
{
	struct words_ctx *x = ctx;
	int rc = live_node(c, &x->q, LIVE_READ);
	if (rc < 0)
		return rc;
	json_t *items = json_array();
	x->q.out = json_pack("{s:I, s:o}", "county_id", (json_int_t)x->q.node->county_id, "items",
			     items);
	return live_store_words_json(c, x->q.node->county_id, items);
}

int live_api_words_list(struct http_req *r)
{
	struct words_ctx x = {.q = {.r = r, .action = "live.words.list", .ref = http_query(r, "node")}};
	if (x.q.ref && (!*x.q.ref || strlen(x.q.ref) > 64))
		return http_reply_problem(r, "request.bad_query", "node", "node");
	return live_run(&x.q, words_list_tx, false);
}

static int word_add_tx(struct db_conn *c, void *ctx)
{
	struct words_ctx *x = ctx;
	struct live_ctx *q = &x->q;
	int rc = live_node(c, q, LIVE_WRITE);
	if (rc < 0)
		return rc;
	int64_t n = 0;
	rc = db_query_int(c, &n,
			  "SELECT COUNT(*) FROM live_sensitive_words WHERE county_id = ? AND word = ?",
			  "it", q->node->county_id, x->word);
	if (rc < 0)
		return rc;
	if (n > 0)
		return LIVE_EXISTS;
	rc = live_store_word_add(c, q->node->county_id, x->word, q->r->user->id, clock_now_ms(),
				 &x->word_id);
	if (rc < 0)
		return rc;
	rc = live_audit(c, q, arena_printf(q->r->arena, "live_word:%lld", (long long)x->word_id),
			x->word);
	if (rc < 0)
		return rc;
	q->out = json_pack("{s:I, s:s, s:I}", "id", (json_int_t)x->word_id, "word", x->word,
			   "county_id", (json_int_t)q->node->county_id);
	return 0;
}

int live_api_word_add(struct http_req *r)
{
	struct words_ctx x = {.q = {.r = r, .action = "live.words.add", .status = 201}};
	struct json_field spec[] = {
		{"word", JF_STRING, true, 50, &x.word, NULL},
		{"node", JF_REF, false, 0, &x.q.ref, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (http_text_blank(x.word))
		return http_reply_problem(r, "request.bad_field", "word: required", "word");
	int rc = db_tx_run(r->db, word_add_tx, &x);
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	live_words_changed();
	return http_reply_json(r, 201, x.q.out);
}

static int word_delete_tx(struct db_conn *c, void *ctx)
{
	struct words_ctx *x = ctx;
	struct live_ctx *q = &x->q;
	int rc = live_node(c, q, LIVE_WRITE);
	if (rc < 0)
		return rc;
	rc = live_store_word_delete(c, q->node->county_id, x->word_id);
	if (rc < 0)
		return rc;
	if (rc == DB_DONE)
		return LIVE_NOT_FOUND - 100;
	return live_audit(c, q, arena_printf(q->r->arena, "live_word:%lld", (long long)x->word_id),
			  "deleted");
}

int live_api_word_delete(struct http_req *r)
{
	struct words_ctx x = {.q = {.r = r, .action = "live.words.delete", .ref = http_query(r, "node")}};
	if (live_param_id(r, 0, &x.word_id) < 0)
		return HTTP_DONE;
	if (x.q.ref && (!*x.q.ref || strlen(x.q.ref) > 64))
		return http_reply_problem(r, "request.bad_query", "node", "node");
	int rc = db_tx_run(r->db, word_delete_tx, &x);
	if (rc == LIVE_NOT_FOUND - 100)
		return http_reply_problem(r, "live.word_not_found", NULL, NULL);
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	live_words_changed();
	return http_reply_empty(r, 204);
}
