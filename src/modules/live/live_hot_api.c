/* live_hot_api.c — hot questions (热点问题): the ranked list (public, from memory), one hot
 * question with its members, the host's actions (pin, answer, defer, reopen, merge, split),
 * the event stream, and the moderation queue. Every write runs with the stream's room
 * locked: transaction first, then the room. */
#include "modules/live/live_api.h"

#include "auth/auth.h"
#include "core/clock.h"
#include "core/mem.h"
#include "http/sse.h"
#include "modules/live/live_faq.h"
#include "modules/live/live_internal.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

int live_api_hot_list(struct http_req *r)
{
	struct live_ctx q = {.r = r, .action = "live.hot"};
	int64_t limit = 0;
	if (live_param_id(r, 0, &q.id) < 0)
		return HTTP_DONE;
	if (http_query_int(r, "limit", LIVE_EVENT_ITEMS, 1, LIVE_HOT_MAX, &limit) < 0)
		return HTTP_DONE;
	uint64_t version = 0;
	/* The common read (the top 20) comes from the published list, without the room lock. */
	char *items = limit == LIVE_EVENT_ITEMS ? live_room_snapshot(r->db, q.id, &version) : NULL;
	if (!items) {
		struct live_room *room = NULL;
		int rc = live_room_acquire(r->db, q.id, &room);
		if (rc < 0)
			return live_reply_error(&q, rc);
		items = live_room_hot_text(room, (int)limit);
		version = live_room_version(room);
		live_room_release(room);
	}
	char *body = xasprintf("{\"stream_id\":%lld,\"version\":%llu,\"items\":%s}",
			       (long long)q.id, (unsigned long long)version, items);
	free(items);
	return http_reply_bytes(r, 200, "application/json; charset=utf-8", body, strlen(body));
}

int live_api_events(struct http_req *r)
{
	struct live_ctx q = {.r = r, .action = "live.events"};
	if (live_param_id(r, 0, &q.id) < 0)
		return HTTP_DONE;
	struct live_room *room = NULL;
	int rc = live_room_acquire(r->db, q.id, &room);
	if (rc < 0)
		return live_reply_error(&q, rc);
	uint64_t version = 0;
	char *data = live_room_event_text(room, &version);
	live_room_release(room);
	char topic[SSE_TOPIC_MAX + 1];
	snprintf(topic, sizeof(topic), "live:%lld", (long long)q.id);
	int ret = sse_reply(r, topic, "hot", data, version);
	free(data);
	return ret;
}

struct hot_ctx {
	struct live_ctx q;
	struct live_room *room;
	struct live_cluster_row *k;
	const char *verb, *answer;
	bool pinned;
	int64_t into, new_id;
	int64_t *qids;
	size_t nqids;
};

/* Loads the stream (roles) and the hot question q->cid of it. */
static int hot_load(struct db_conn *c, struct hot_ctx *x, unsigned roles)
{
	int rc = live_stream_load(c, &x->q, roles);
	if (rc < 0)
		return rc;
	rc = live_store_cluster_get(c, x->q.r->arena, x->q.cid, &x->k);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW || x->k->stream_id != x->q.id || x->k->merged_into)
		return LIVE_CLUSTER_NOT_FOUND;
	return 0;
}

static int hot_get_tx(struct db_conn *c, void *ctx)
{
	struct hot_ctx *x = ctx;
	int rc = hot_load(c, x, LIVE_READ);
	if (rc < 0)
		return rc;
	json_t *members = json_array();
	json_object_set_new(x->q.out, "members", members);
	rc = live_store_questions_json(c, x->q.id, "visible", NULL, x->q.cid, 1000, members);
	return rc < 0 ? rc : 0;
}

int live_api_hot_get(struct http_req *r)
{
	struct hot_ctx x = {.q = {.r = r, .action = "live.hot.read"}};
	if (live_param_id(r, 0, &x.q.id) < 0 || live_param_id(r, 1, &x.q.cid) < 0)
		return HTTP_DONE;
	int rc = live_room_acquire(r->db, x.q.id, &x.room);
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	x.q.out = live_room_hot_one(x.room, x.q.cid);
	live_room_release(x.room);
	if (!x.q.out)
		x.q.out = json_object();
	rc = db_read_run(r->db, hot_get_tx, &x);
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	json_object_set_new(x.q.out, "cluster_id", json_integer(x.q.cid));
	json_object_set_new(x.q.out, "status", json_string(x.k->status));
	json_object_set_new(x.q.out, "title", json_string(x.k->title));
	return http_reply_json(r, 200, x.q.out);
}

static const char *cluster_object(struct hot_ctx *x, int64_t id)
{
	return arena_printf(x->q.r->arena, "stream_cluster:%lld", (long long)id);
}

static int hot_action_tx(struct db_conn *c, void *ctx)
{
	struct hot_ctx *x = ctx;
	struct live_ctx *q = &x->q;
	int rc = hot_load(c, x, LIVE_WRITE);
	if (rc < 0)
		return rc;
	int64_t now = clock_now_ms();
	const char *v = x->verb;
	const char *detail = "";
	if (strcmp(v, "pin") == 0) {
		rc = live_store_stream_pin(c, q->id, x->pinned ? q->cid : 0);
		detail = x->pinned ? "pinned" : "unpinned";
	} else if (strcmp(v, "answer") == 0) {
		rc = live_store_cluster_answer(c, q->cid, x->answer, q->r->user->id, now);
		/* An answered hot question becomes (or updates) its FAQ entry, in this transaction. */
		if (rc >= 0)
			rc = live_faq_from_cluster(c, q->cid, q->r->user->id);
		detail = x->answer;
	} else if (strcmp(v, "defer") == 0) {
		rc = live_store_cluster_status(c, q->cid, "deferred");
	} else if (strcmp(v, "reopen") == 0) {
		rc = live_store_cluster_status(c, q->cid, "open");
	} else if (strcmp(v, "merge") == 0) {
		struct live_cluster_row *into = NULL;
		rc = live_store_cluster_get(c, q->r->arena, x->into, &into);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW || into->stream_id != q->id || into->merged_into ||
		    x->into == q->cid)
			return LIVE_CLUSTER_NOT_FOUND - 1000;
		rc = live_store_cluster_merge(c, q->cid, x->into);
		if (rc >= 0 && q->stream->pinned == q->cid)
			rc = live_store_stream_pin(c, q->id, x->into);
		if (rc >= 0)
			rc = live_store_cluster_edit(c, q->id, "merge", q->cid, x->into, "[]",
						     q->r->user->id, now);
		detail = arena_printf(q->r->arena, "merged into %lld", (long long)x->into);
	} else { /* split */
		struct live_question_row *first = NULL;
		for (size_t i = 0; i < x->nqids; i++) {
			struct live_question_row *qr = NULL;
			rc = live_store_question_get(c, q->r->arena, x->qids[i], &qr);
			if (rc < 0)
				return rc;
			if (rc != DB_ROW || qr->cluster_id != q->cid || strcmp(qr->status, "visible"))
				return LIVE_QUESTION_NOT_FOUND;
			if (!first)
				first = qr;
		}
		char *title = live_cluster_title(first->text);
		rc = live_store_cluster_insert(c, q->id, title, now, &x->new_id);
		free(title);
		for (size_t i = 0; rc >= 0 && i < x->nqids; i++)
			rc = live_store_question_move(c, x->qids[i], x->new_id);
		if (rc < 0)
			return rc;
		json_t *ids = json_array();
		for (size_t i = 0; i < x->nqids; i++)
			json_array_append_new(ids, json_integer(x->qids[i]));
		char *text = json_dumps(ids, JSON_COMPACT);
		json_decref(ids);
		rc = live_store_cluster_edit(c, q->id, "split", q->cid, x->new_id, text,
					     q->r->user->id, now);
		detail = arena_printf(q->r->arena, "split %s into %lld", text, (long long)x->new_id);
		free(text);
	}
	if (rc < 0)
		return rc;
	return live_audit(c, q, cluster_object(x, q->cid), detail);
}

static int hot_action_fields(struct hot_ctx *x)
{
	struct http_req *r = x->q.r;
	const char *v = x->verb;
	if (strcmp(v, "pin") == 0) {
		x->pinned = true;
		struct json_field spec[] = {{"pinned", JF_BOOL, false, 0, &x->pinned, NULL},
					    {NULL, 0, false, 0, NULL, NULL}};
		if (r->body_len && http_json_fields(r, spec) < 0)
			return -1;
	} else if (strcmp(v, "answer") == 0) {
		struct json_field spec[] = {{"answer", JF_STRING, true, 2000, &x->answer, NULL},
					    {NULL, 0, false, 0, NULL, NULL}};
		if (http_json_fields(r, spec) < 0)
			return -1;
		if (http_text_blank(x->answer)) {
			http_reply_problem(r, "request.bad_field", "answer: required", "answer");
			return -1;
		}
	} else if (strcmp(v, "merge") == 0) {
		struct json_field spec[] = {{"into", JF_INT, true, 0, &x->into, NULL},
					    {NULL, 0, false, 0, NULL, NULL}};
		if (http_json_fields(r, spec) < 0)
			return -1;
		if (x->into <= 0) {
			http_reply_problem(r, "request.bad_field", "into: a hot question id", "into");
			return -1;
		}
	} else if (strcmp(v, "split") == 0) {
		json_t *ids = NULL;
		struct json_field spec[] = {{"questions", JF_JSON, true, 0, &ids, NULL},
					    {NULL, 0, false, 0, NULL, NULL}};
		if (http_json_fields(r, spec) < 0)
			return -1;
		size_t n = json_is_array(ids) ? json_array_size(ids) : 0;
		bool ok = n >= 1 && n <= 500;
		x->qids = arena_alloc(r->arena, (n ? n : 1) * sizeof(*x->qids));
		for (size_t i = 0; ok && i < n; i++) {
			json_t *e = json_array_get(ids, i);
			ok = json_is_integer(e) && json_integer_value(e) > 0;
			if (ok)
				x->qids[i] = json_integer_value(e);
			for (size_t j = 0; ok && j < i; j++)
				ok = x->qids[j] != x->qids[i];
		}
		if (!ok) {
			http_reply_problem(r, "request.bad_field",
					   "questions: 1 to 500 distinct question ids", "questions");
			return -1;
		}
		x->nqids = n;
	} else if (strcmp(v, "defer") != 0 && strcmp(v, "reopen") != 0) {
		http_reply_problem(r, "request.not_found", NULL, NULL);
		return -1;
	}
	return 0;
}

int live_api_hot_action(struct http_req *r)
{
	struct hot_ctx x = {.q = {.r = r}, .verb = r->params[2]};
	if (live_param_id(r, 0, &x.q.id) < 0 || live_param_id(r, 1, &x.q.cid) < 0)
		return HTTP_DONE;
	if (hot_action_fields(&x) < 0)
		return HTTP_DONE;
	x.q.action = arena_printf(r->arena, "live.hot.%s", x.verb);
	int rc = live_room_acquire(r->db, x.q.id, &x.room);
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	rc = db_tx_run(r->db, hot_action_tx, &x);
	if (rc >= 0) {
		const char *v = x.verb;
		if (strcmp(v, "pin") == 0)
			live_room_set_pinned(x.room, x.pinned ? x.q.cid
						     : live_room_pinned(x.room) == x.q.cid ? 0
						     : live_room_pinned(x.room));
		else if (strcmp(v, "answer") == 0)
			live_room_set_cluster(x.room, x.q.cid, "answered", x.answer);
		else if (strcmp(v, "defer") == 0)
			live_room_set_cluster(x.room, x.q.cid, "deferred", NULL);
		else if (strcmp(v, "reopen") == 0)
			live_room_set_cluster(x.room, x.q.cid, "open", NULL);
		else
			live_room_rebuild(r->db, x.room);
	}
	int64_t show = strcmp(x.verb, "merge") == 0   ? x.into
		       : strcmp(x.verb, "split") == 0 ? x.new_id
						      : x.q.cid;
	json_t *out = rc >= 0 ? live_room_hot_one(x.room, show) : NULL;
	live_room_release(x.room);
	if (rc == LIVE_CLUSTER_NOT_FOUND - 1000)
		return http_reply_problem(r, "live.cluster_not_found",
					  "into: another hot question of this stream", "into");
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	if (!out)
		out = json_pack("{s:I}", "cluster_id", (json_int_t)show);
	return http_reply_json(r, strcmp(x.verb, "split") == 0 ? 201 : 200, out);
}

struct questions_ctx {
	struct live_ctx q;
	const char *status, *kind;
	int64_t cluster, limit;
};

static int questions_list_tx(struct db_conn *c, void *ctx)
{
	struct questions_ctx *x = ctx;
	int rc = live_stream_load(c, &x->q, LIVE_READ);
	if (rc < 0)
		return rc;
	json_t *items = json_array();
	x->q.out = json_pack("{s:o}", "items", items);
	rc = live_store_questions_json(c, x->q.id, x->status, x->kind, x->cluster, (int)x->limit,
				       items);
	return rc < 0 ? rc : 0;
}

static bool one_of(const char *v, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (strcmp(v, *allowed) == 0)
			return true;
	return false;
}

int live_api_questions_list(struct http_req *r)
{
	struct questions_ctx x = {.q = {.r = r, .action = "live.questions.list"},
				  .status = http_query(r, "status"), .kind = http_query(r, "kind")};
	static const char *const statuses[] = {"pending", "visible", "rejected", NULL};
	static const char *const kinds[] = {"question", "suggestion", "smalltalk", NULL};
	if (live_param_id(r, 0, &x.q.id) < 0)
		return HTTP_DONE;
	if (x.status && !*x.status)
		x.status = NULL;
	if (x.kind && !*x.kind)
		x.kind = NULL;
	if (x.status && !one_of(x.status, statuses))
		return http_reply_problem(r, "request.bad_query", "status: pending, visible or rejected",
					  "status");
	if (x.kind && !one_of(x.kind, kinds))
		return http_reply_problem(r, "request.bad_query",
					  "kind: question, suggestion or smalltalk", "kind");
	if (http_query_int(r, "cluster", 0, 0, INT64_MAX / 2, &x.cluster) < 0 ||
	    http_query_int(r, "limit", 200, 1, 1000, &x.limit) < 0)
		return HTTP_DONE;
	struct live_ctx *q = &x.q;
	q->status = 200;
	int rc = db_read_run(r->db, questions_list_tx, &x);
	if (rc < 0)
		return live_reply_error(q, rc);
	return http_reply_json(r, 200, q->out);
}

struct moderate_ctx {
	struct live_ctx q;
	bool approve;
};

static int moderate_scope_tx(struct db_conn *c, void *ctx)
{
	struct moderate_ctx *x = ctx;
	return live_stream_load(c, &x->q, LIVE_WRITE);
}

static int moderate_audit(struct db_conn *c, void *ctx)
{
	struct moderate_ctx *x = ctx;
	return live_audit(c, &x->q,
			  arena_printf(x->q.r->arena, "stream_question:%lld", (long long)x->q.qid),
			  x->approve ? "approved" : "rejected");
}

int live_api_question_moderate(struct http_req *r)
{
	struct moderate_ctx x = {.q = {.r = r, .action = "live.question.moderate"}};
	const char *action = NULL;
	if (live_param_id(r, 0, &x.q.id) < 0 || live_param_id(r, 1, &x.q.qid) < 0)
		return HTTP_DONE;
	struct json_field spec[] = {{"action", JF_STRING, true, 20, &action, NULL},
				    {NULL, 0, false, 0, NULL, NULL}};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (strcmp(action, "approve") != 0 && strcmp(action, "reject") != 0)
		return http_reply_problem(r, "request.bad_field", "action: approve or reject",
					  "action");
	x.approve = strcmp(action, "approve") == 0;
	int rc = db_read_run(r->db, moderate_scope_tx, &x);
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	struct live_room *room = NULL;
	rc = live_room_acquire(r->db, x.q.id, &room);
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	int64_t cid = 0;
	rc = live_room_moderate(r->db, room, x.q.qid, x.approve, moderate_audit, &x, &cid);
	live_room_release(room);
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	return http_reply_json(r, 200,
			       json_pack("{s:I, s:s, s:o}", "id", (json_int_t)x.q.qid, "status",
					 x.approve ? "visible" : "rejected", "cluster_id",
					 cid ? json_integer(cid) : json_null()));
}
