/* live_public_api.c — the viewer's side, without an account: asking a question (rate
 * limited per device and per address), the stream as a viewer joins it, the visible
 * questions and the device's own, and upvotes (one per device and question). */
#include "modules/live/live_api.h"

#include "core/clock.h"
#include "core/config.h"
#include "core/mem.h"
#include "http/ratelimit.h"
#include "modules/live/live_internal.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

/* The device token (X-Tala-Device), NULL when not sent; -1 after replying 400 when bad. */
static int device_token(struct http_req *r, const char **token)
{
	*token = http_header(r, "X-Tala-Device");
	if (*token && !live_device_token_valid(*token)) {
		http_reply_problem(r, "live.bad_device", "X-Tala-Device: 16–64 of A-Z a-z 0-9 _ -",
				   NULL);
		return -1;
	}
	return 0;
}

/* Replies 429 live.rate_limited with Retry-After; returns -1. */
static int limited(struct http_req *r, int64_t wait_ms)
{
	r->retry_after = (int)((wait_ms + 999) / 1000);
	if (r->retry_after < 1)
		r->retry_after = 1;
	http_reply_problem(r, "live.rate_limited", NULL, NULL);
	return -1;
}

/* Per device: rate per 10 s and 6 × rate per 10 minutes; per address: ip_rate per 10 s. A
 * request refused by a later bucket gives back the tokens it took from the earlier ones. */
static int question_limits(struct http_req *r, const char *token)
{
	int64_t now = clock_now_ms(), wait = 0;
	double dev = (double)cfg.live_device_rate, ip = (double)cfg.live_ip_rate;
	const char *key = token ? token : r->ip;
	if (!ratelimit_take_wait("lq10", key, dev * 6.0, dev, now, &wait))
		return limited(r, wait);
	if (!ratelimit_take_wait("lq600", key, dev * 6.0 / 10.0, dev * 6.0, now, &wait)) {
		ratelimit_give("lq10", key, dev * 6.0, dev, now);
		return limited(r, wait);
	}
	if (!ratelimit_take_wait("lqip", r->ip, ip * 6.0, ip, now, &wait)) {
		ratelimit_give("lq10", key, dev * 6.0, dev, now);
		ratelimit_give("lq600", key, dev * 6.0 / 10.0, dev * 6.0, now);
		return limited(r, wait);
	}
	return 0;
}

/* A viewer's question between its first call and its answer: it waits for the group commit
 * with the connection suspended, so no HTTP worker blocks. */
struct question_async {
	struct live_submit in;
	struct live_submit_result res;
	char device[LIVE_DEVICE_MAX];
	int rc;
	struct http_req *r;
};

static void question_done(void *arg)
{
	struct question_async *a = arg;
	http_resume(a->r);
}

/* The 201 body, {"id", "cluster_id", "status", "kind", "text"}, written straight into
 * the reply: every viewer's question ends here, and jansson's pack and dump of these five
 * fields took ~2 µs of the ~40 µs the server spends on a question. */
static int question_reply(struct http_req *r, struct question_async *a)
{
	struct live_ctx q = {.r = r, .action = "live.question.post"};
	r->suspended = false;
	if (a->rc < 0)
		return live_reply_error(&q, a->rc);
	struct membuf b = {.data = xmalloc(256), .cap = 256};
	char head[96];
	int n = a->res.cluster_id
			? snprintf(head, sizeof(head), "{\"id\":%lld,\"cluster_id\":%lld,\"status\":",
				   (long long)a->res.id, (long long)a->res.cluster_id)
			: snprintf(head, sizeof(head), "{\"id\":%lld,\"cluster_id\":null,\"status\":",
				   (long long)a->res.id);
	membuf_append(&b, head, (size_t)n);
	http_json_string(&b, a->res.status);
	membuf_append(&b, ",\"kind\":", 8);
	http_json_string(&b, a->res.kind);
	membuf_append(&b, ",\"text\":", 8);
	http_json_string(&b, a->res.text);
	membuf_append(&b, "}", 1);
	free(a->res.text);
	a->res.text = NULL;
	return http_reply_bytes(r, 201, "application/json; charset=utf-8", b.data, b.len);
}

int live_api_question_post(struct http_req *r)
{
	if (r->suspended && r->async)
		return question_reply(r, r->async);
	struct live_ctx q = {.r = r, .action = "live.question.post"};
	const char *token = NULL;
	if (live_param_id(r, 0, &q.id) < 0 || device_token(r, &token) < 0)
		return HTTP_DONE;
	if (question_limits(r, token) < 0)
		return HTTP_DONE;
	const char *text = NULL, *nickname = NULL, *phone = NULL;
	struct json_field spec[] = {
		{"text", JF_STRING, true, LIVE_TEXT_MAX, &text, NULL},
		{"nickname", JF_STRING, false, LIVE_NICK_MAX, &nickname, NULL},
		{"phone", JF_STRING, false, 20, &phone, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (http_text_blank(text))
		return http_reply_problem(r, "request.bad_field", "text: required", "text");
	if (phone && *phone && strspn(phone, "0123456789 +-") != strlen(phone))
		return http_reply_problem(r, "request.bad_field", "phone: digits", "phone");
	struct question_async *a = arena_alloc(r->arena, sizeof(*a));
	live_device_key(token, r->ip, a->device);
	a->in = (struct live_submit){.stream_id = q.id, .text = text, .nickname = nickname,
				     .phone = phone && *phone ? phone : NULL, .device = a->device};
	a->r = r;
	r->async = a;
	/* Suspended before it is queued, so the committer's resume always comes after. */
	http_suspend(r);
	int rc = live_question_submit_async(r->db, &a->in, &a->res, &a->rc, question_done, a);
	if (rc < 0) {
		a->rc = rc;
		http_resume(r); /* answered on the call that follows */
	}
	return HTTP_DONE;
}

struct public_ctx {
	struct live_ctx q;
	const char *code, *device;
	int64_t mine[LIVE_MINE_MAX]; /* the device's question ids, newest first */
	size_t nmine;
};

static int public_stream_tx(struct db_conn *c, void *ctx)
{
	struct public_ctx *x = ctx;
	int rc = live_store_stream_by_code(c, x->q.r->arena, x->code, &x->q.stream);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : LIVE_NOT_FOUND;
}

static int public_code(struct http_req *r, struct public_ctx *x)
{
	x->code = r->params[0];
	if (!live_join_code_valid(x->code)) {
		http_reply_problem(r, "request.bad_id", "a 6-character join code", NULL);
		return -1;
	}
	int rc = db_read_run(r->db, public_stream_tx, x);
	if (rc < 0) {
		live_reply_error(&x->q, rc);
		return -1;
	}
	x->q.id = x->q.stream->id;
	return 0;
}

int live_api_public_stream(struct http_req *r)
{
	struct public_ctx x = {.q = {.r = r, .action = "live.public.stream"}};
	if (!ratelimit_take("ljoin", r->ip, 60000, 5000, clock_now_ms())) {
		limited(r, 1000);
		return HTTP_DONE;
	}
	if (public_code(r, &x) < 0)
		return HTTP_DONE;
	struct live_stream *s = x.q.stream;
	struct live_room *room = NULL;
	int rc = live_room_acquire(r->db, s->id, &room);
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	int64_t pinned = live_room_pinned(room);
	json_t *pin = pinned ? live_room_hot_one(room, pinned) : NULL;
	json_t *answered = live_room_answered_json(room);
	live_room_release(room);
	json_t *topics = json_loads(s->topics, 0, NULL);
	if (!json_is_array(topics)) {
		json_decref(topics);
		topics = json_array();
	}
	return http_reply_json(
		r, 200,
		json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:o, s:o}", "id", (json_int_t)s->id, "title",
			  s->title, "join_code", s->join_code, "status", s->status, "topics", topics,
			  "host_name", s->host_name, "pinned", pin ? pin : json_null(), "answered",
			  answered));
}

static int public_questions_tx(struct db_conn *c, void *ctx)
{
	struct public_ctx *x = ctx;
	json_t *items = json_array();
	x->q.out = json_pack("{s:o}", "items", items);
	int rc = live_store_public_questions_json(c, x->q.id, x->device, x->mine, x->nmine, items);
	return rc < 0 ? rc : 0;
}

int live_api_public_questions(struct http_req *r)
{
	struct public_ctx x = {.q = {.r = r, .action = "live.public.questions"}};
	const char *token = NULL;
	if (device_token(r, &token) < 0)
		return HTTP_DONE;
	if (!ratelimit_take("lqread", token ? token : r->ip, 600, 120, clock_now_ms())) {
		limited(r, 1000);
		return HTTP_DONE;
	}
	const char *mine = http_query(r, "mine");
	if (mine && strcmp(mine, "1") != 0 && strcmp(mine, "0") != 0 && *mine)
		return http_reply_problem(r, "request.bad_query", "mine: 1", "mine");
	if (public_code(r, &x) < 0)
		return HTTP_DONE;
	char device[LIVE_DEVICE_MAX];
	if (mine && strcmp(mine, "1") == 0) {
		live_device_key(token, r->ip, device);
		x.device = device;
		struct live_room *room = NULL;
		int rc = live_room_acquire(r->db, x.q.id, &room);
		if (rc < 0)
			return live_reply_error(&x.q, rc);
		x.nmine = live_room_asked(room, device, x.mine, LIVE_MINE_MAX);
		live_room_release(room);
	}
	int rc = db_read_run(r->db, public_questions_tx, &x);
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	return http_reply_json(r, 200, x.q.out);
}

struct upvote_ctx {
	struct live_ctx q;
	const char *device;
	struct live_question_row *row;
	bool added;
	int64_t count;
};

static int upvote_find_tx(struct db_conn *c, void *ctx)
{
	struct upvote_ctx *x = ctx;
	int rc = live_store_question_get(c, x->q.r->arena, x->q.qid, &x->row);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW || strcmp(x->row->status, "visible") != 0)
		return LIVE_QUESTION_NOT_FOUND;
	return 0;
}

static int upvote_tx(struct db_conn *c, void *ctx)
{
	struct upvote_ctx *x = ctx;
	return live_store_vote(c, x->q.qid, x->device, clock_now_ms(), &x->added, &x->count);
}

int live_api_public_upvote(struct http_req *r)
{
	struct upvote_ctx x = {.q = {.r = r, .action = "live.question.upvote"}};
	const char *token = NULL;
	if (live_param_id(r, 0, &x.q.qid) < 0 || device_token(r, &token) < 0)
		return HTTP_DONE;
	int64_t wait = 0;
	if (!ratelimit_take_wait("lvote", token ? token : r->ip, 30, 30, clock_now_ms(), &wait)) {
		limited(r, wait);
		return HTTP_DONE;
	}
	char device[LIVE_DEVICE_MAX];
	live_device_key(token, r->ip, device);
	x.device = device;
	int rc = db_read_run(r->db, upvote_find_tx, &x);
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	struct live_room *room = NULL;
	rc = live_room_acquire(r->db, x.row->stream_id, &room);
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	if (strcmp(live_room_stream_status(room), "ended") == 0) {
		live_room_release(room);
		return live_reply_error(&x.q, LIVE_ENDED);
	}
	rc = db_tx_run(r->db, upvote_tx, &x);
	if (rc >= 0 && x.added && x.row->cluster_id)
		live_room_upvoted(room, x.row->cluster_id, clock_now_ms());
	live_room_release(room);
	if (rc < 0)
		return live_reply_error(&x.q, rc);
	return http_reply_json(r, 200,
			       json_pack("{s:I, s:I, s:b}", "id", (json_int_t)x.q.qid, "upvotes",
					 (json_int_t)x.count, "already", !x.added));
}
