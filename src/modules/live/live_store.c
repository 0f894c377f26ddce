/* live_store.c — the SQL of the live module: streams, hot questions, questions, votes,
 * viewer samples, the timeline, sensitive words, and what a room is built from. */
#include "modules/live/live_internal.h"

#include "core/config.h"
#include "core/mem.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

#define STREAM_COLS                                                                        \
	"s.id, s.county_id, s.node_id, s.title, s.topics, s.scheduled_at, s.platform, "        \
	"s.platform_url, s.host_name, s.join_code, s.status, s.started_at, s.ended_at, "       \
	"COALESCE(s.pinned_cluster_id, 0), s.created_at, n.path, n.code, n.name"
/* The counts scan all of a stream's questions (COUNT(DISTINCT device) sorts them): ~0.9 s at
 * 110k questions. Only the staff's stream views and list show them: streams are read
 * without them (0), and live_store_stream_counts adds them to those being shown whose room
 * does not know them (live_room_counts: a live stream's, or one counted since its last
 * change). */
#define STREAM_COUNTS                                                                      \
	"(SELECT COUNT(*) FROM stream_questions q WHERE q.stream_id = s.id "                   \
	" AND q.status <> 'rejected'), "                                                       \
	"(SELECT COUNT(DISTINCT q.device) FROM stream_questions q WHERE q.stream_id = s.id "   \
	" AND q.status <> 'rejected'), "                                                       \
	"(SELECT COUNT(*) FROM stream_clusters k WHERE k.stream_id = s.id "                    \
	" AND k.merged_into IS NULL), "                                                        \
	"(SELECT COUNT(*) FROM stream_questions q WHERE q.stream_id = s.id "                   \
	" AND q.status = 'pending'), "                                                         \
	"(SELECT COUNT(*) FROM stream_clusters k WHERE k.stream_id = s.id "                    \
	" AND k.merged_into IS NULL AND (SELECT COUNT(*) FROM stream_questions q "             \
	" WHERE q.cluster_id = k.id AND q.status = 'visible') >= 2) "
#define STREAM_FROM " FROM streams s JOIN org_nodes n ON n.id = s.node_id "

/* Streams without their counts (the same columns for all, read by stream_row). */
#define STREAM_ONE "SELECT " STREAM_COLS STREAM_FROM
static const char SQL_STREAM[] = STREAM_ONE "WHERE s.id = ?";
/* A viewer's lookup (the join page, its question list, the QR code, FAQ suggestions): every
 * viewer of a join burst makes one. */
static const char SQL_STREAM_CODE[] = STREAM_ONE "WHERE s.join_code = ?";
static const char SQL_STREAM_COUNTS[] = "SELECT " STREAM_COUNTS "FROM streams s WHERE s.id = ?";
/* The list (the caller adds the counts: from the rooms, or SQL_STREAM_COUNTS). */
static const char SQL_STREAMS[] =
	STREAM_ONE "WHERE n.path LIKE ? AND (CAST(? AS TEXT) IS NULL OR s.status = ?) "
	"ORDER BY COALESCE(s.scheduled_at, s.created_at) DESC, s.id DESC LIMIT 500";
static const char SQL_CODE_TAKEN[] = "SELECT COUNT(*) FROM streams WHERE join_code = ?";
static const char SQL_STREAM_INSERT[] =
	"INSERT INTO streams (county_id, node_id, title, topics, scheduled_at, platform, "
	"platform_url, host_name, join_code, status, created_by, created_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?) RETURNING id";
static const char SQL_STREAM_UPDATE[] =
	"UPDATE streams SET node_id = ?, county_id = ?, title = ?, topics = ?, scheduled_at = ?, "
	"platform = ?, platform_url = ?, host_name = ? WHERE id = ?";
static const char SQL_STREAM_START[] =
	"UPDATE streams SET status = 'live', started_at = ? WHERE id = ? AND status = 'scheduled'";
static const char SQL_STREAM_END[] =
	"UPDATE streams SET status = 'ended', ended_at = ? WHERE id = ? AND status = 'live'";
static const char SQL_STREAM_PIN[] = "UPDATE streams SET pinned_cluster_id = ? WHERE id = ?";
static const char SQL_STREAM_UNPIN[] =
	"UPDATE streams SET pinned_cluster_id = NULL WHERE id = ?";

static const char SQL_CLUSTER[] =
	"SELECT id, stream_id, COALESCE(merged_into, 0), COALESCE(answered_by, 0), "
	"COALESCE(answered_at, 0), created_at, title, status, answer FROM stream_clusters "
	"WHERE id = ?";
static const char SQL_CLUSTER_INSERT[] =
	"INSERT INTO stream_clusters (stream_id, title, status, created_at) "
	"VALUES (?, ?, 'open', ?) RETURNING id";
static const char SQL_CLUSTER_TITLE[] = "UPDATE stream_clusters SET title = ? WHERE id = ?";
static const char SQL_CLUSTER_STATUS[] = "UPDATE stream_clusters SET status = ? WHERE id = ?";
static const char SQL_CLUSTER_ANSWER[] =
	"UPDATE stream_clusters SET status = 'answered', answer = ?, answered_by = ?, "
	"answered_at = ? WHERE id = ?";
static const char SQL_MERGE_QUESTIONS[] =
	"UPDATE stream_questions SET cluster_id = ? WHERE cluster_id = ?";
static const char SQL_MERGE_CHAIN[] =
	"UPDATE stream_clusters SET merged_into = ? WHERE merged_into = ?";
static const char SQL_MERGE_CLUSTER[] = "UPDATE stream_clusters SET merged_into = ? WHERE id = ?";
static const char SQL_EDIT[] =
	"INSERT INTO stream_cluster_edits (stream_id, action, from_cluster, to_cluster, "
	"question_ids, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";

#define QUESTION_COLS                                                                      \
	"id, stream_id, COALESCE(cluster_id, 0), upvotes, created_at, text, kind, status, "    \
	"device, moderation, nickname, source"
static const char SQL_QUESTION[] = "SELECT " QUESTION_COLS " FROM stream_questions WHERE id = ?";
static const char SQL_QUESTION_INSERT[] =
	"INSERT INTO stream_questions (stream_id, cluster_id, source, ext_id, device, nickname, "
	"phone_masked, text, kind, status, moderation, created_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	"ON CONFLICT (stream_id, source, ext_id) DO NOTHING RETURNING id";
/* SQLite: the same without RETURNING, the id from the connection (the result table RETURNING
 * builds was ~20 % of the group committer's time in the submission bench). */
static const char SQL_QUESTION_INSERT_SQLITE[] =
	"INSERT INTO stream_questions (stream_id, cluster_id, source, ext_id, device, nickname, "
	"phone_masked, text, kind, status, moderation, created_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	"ON CONFLICT (stream_id, source, ext_id) DO NOTHING";
static const char SQL_QUESTION_PLACE[] =
	"UPDATE stream_questions SET status = ?, cluster_id = ? WHERE id = ?";
static const char SQL_QUESTION_UNPLACE[] =
	"UPDATE stream_questions SET status = ?, cluster_id = NULL WHERE id = ?";
static const char SQL_QUESTION_MOVE[] =
	"UPDATE stream_questions SET cluster_id = ? WHERE id = ?";
static const char SQL_EXT_EXISTS[] =
	"SELECT COUNT(*) FROM stream_questions WHERE stream_id = ? AND source = ? AND ext_id = ?";
static const char SQL_QUESTIONS[] =
	"SELECT id, COALESCE(cluster_id, 0), source, nickname, phone_masked, text, kind, status, "
	"moderation, upvotes, created_at FROM stream_questions WHERE stream_id = ? "
	"AND (CAST(? AS TEXT) IS NULL OR status = ?) AND (CAST(? AS TEXT) IS NULL OR kind = ?) "
	"AND (CAST(? AS BIGINT) = 0 OR cluster_id = ?) ORDER BY id DESC LIMIT ?";
static const char SQL_PUBLIC_QUESTIONS[] =
	"SELECT q.id, COALESCE(q.cluster_id, 0), q.nickname, q.text, q.kind, q.upvotes, "
	"q.created_at, q.status, k.status, k.answer, k.title FROM stream_questions q "
	"LEFT JOIN stream_clusters k ON k.id = q.cluster_id WHERE q.stream_id = ? "
	"AND q.status = 'visible' ORDER BY q.id DESC LIMIT 50";
static const char SQL_MINE[] =
	"SELECT q.id, COALESCE(q.cluster_id, 0), q.nickname, q.text, q.kind, q.upvotes, "
	"q.created_at, q.status, k.status, k.answer, k.title FROM stream_questions q "
	"LEFT JOIN stream_clusters k ON k.id = q.cluster_id WHERE q.id = ? AND q.stream_id = ? "
	"AND q.device = ?";
static const char SQL_VOTE[] =
	"INSERT INTO stream_votes (question_id, device, created_at) VALUES (?, ?, ?) "
	"ON CONFLICT (question_id, device) DO NOTHING";
static const char SQL_VOTE_COUNT[] =
	"UPDATE stream_questions SET upvotes = upvotes + 1 WHERE id = ?";
static const char SQL_VOTES_OF[] = "SELECT upvotes FROM stream_questions WHERE id = ?";

static const char SQL_VIEWERS_ADD[] =
	"INSERT INTO stream_viewer_samples (stream_id, at, viewers, source, created_by) "
	"VALUES (?, ?, ?, ?, ?)";
static const char SQL_API_KEY[] =
	"SELECT k.id, k.name, n.path FROM api_keys k JOIN org_nodes n ON n.id = k.node_id "
	"WHERE k.key_hash = ? AND k.revoked = 0";
static const char SQL_VIEWERS[] =
	"SELECT at, viewers, source FROM stream_viewer_samples WHERE stream_id = ? "
	"ORDER BY at, id LIMIT 20000";
static const char SQL_TL_QUESTIONS[] =
	"SELECT (created_at - ?) / 60000, kind, COUNT(*) FROM stream_questions "
	"WHERE stream_id = ? AND status <> 'rejected' AND created_at >= ? AND created_at < ? "
	"GROUP BY 1, 2";
static const char SQL_TL_VOTES[] =
	"SELECT (v.created_at - ?) / 60000, COUNT(*) FROM stream_votes v "
	"JOIN stream_questions q ON q.id = v.question_id WHERE q.stream_id = ? "
	"AND v.created_at >= ? AND v.created_at < ? GROUP BY 1";
static const char SQL_TL_VIEWERS[] =
	"SELECT (at - ?) / 60000, MAX(viewers) FROM stream_viewer_samples WHERE stream_id = ? "
	"AND at >= ? AND at < ? GROUP BY 1";

static const char SQL_WORDS[] =
	"SELECT id, word, created_at FROM live_sensitive_words WHERE county_id = ? ORDER BY id";
static const char SQL_WORD_ADD[] =
	"INSERT INTO live_sensitive_words (county_id, word, created_by, created_at) "
	"VALUES (?, ?, ?, ?) RETURNING id";
static const char SQL_WORD_DELETE[] =
	"DELETE FROM live_sensitive_words WHERE county_id = ? AND id = ?";

static const char SQL_LOAD_STREAM[] =
	"SELECT county_id, status, COALESCE(pinned_cluster_id, 0) FROM streams WHERE id = ?";
static const char SQL_LOAD_CLUSTERS[] =
	"SELECT id, COALESCE(merged_into, 0), title, COALESCE(answer, ''), status, "
	"answer IS NOT NULL FROM stream_clusters WHERE stream_id = ? ORDER BY id";
static const char SQL_LOAD_QUESTIONS[] =
	"SELECT id, COALESCE(cluster_id, 0), created_at, upvotes, text, device, kind, status "
	"FROM stream_questions WHERE stream_id = ? ORDER BY id"; /* rejected too: "my questions" */
static const char SQL_LOAD_VOTES[] =
	"SELECT q.cluster_id, v.created_at FROM stream_votes v "
	"JOIN stream_questions q ON q.id = v.question_id WHERE q.stream_id = ? "
	"AND q.status = 'visible' AND q.cluster_id IS NOT NULL";

static const char *dup(struct arena *a, struct db_stmt *s, int col)
{
	const char *t = db_col_text(s, col);
	return t ? arena_strdup(a, t) : NULL;
}

static char *xdup_col(struct db_stmt *s, int col)
{
	const char *t = db_col_text(s, col);
	return xstrdup(t ? t : "");
}

static int stream_row(struct db_stmt *s, struct arena *a, struct live_stream **out)
{
	int rc = db_step(s);
	if (rc != DB_ROW)
		return rc;
	struct live_stream *x = arena_alloc(a, sizeof(*x));
	x->id = db_col_int(s, 0);
	x->county_id = db_col_int(s, 1);
	x->node_id = db_col_int(s, 2);
	x->title = dup(a, s, 3);
	x->topics = dup(a, s, 4);
	x->scheduled_at = db_col_is_null(s, 5) ? 0 : db_col_int(s, 5);
	x->platform = dup(a, s, 6);
	x->platform_url = dup(a, s, 7);
	x->host_name = dup(a, s, 8);
	x->join_code = dup(a, s, 9);
	x->status = dup(a, s, 10);
	x->started_at = db_col_is_null(s, 11) ? 0 : db_col_int(s, 11);
	x->ended_at = db_col_is_null(s, 12) ? 0 : db_col_int(s, 12);
	x->pinned = db_col_int(s, 13);
	x->created_at = db_col_int(s, 14);
	x->node_path = dup(a, s, 15);
	x->node_code = dup(a, s, 16);
	x->node_name = dup(a, s, 17);
	x->counts = (struct live_counts){0};
	*out = x;
	return DB_ROW;
}

int live_store_stream_get(struct db_conn *c, struct arena *a, int64_t id,
			  struct live_stream **out)
{
	struct db_stmt *s = db_prepare(c, SQL_STREAM);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, id);
	return stream_row(s, a, out);
}

int live_store_stream_by_code(struct db_conn *c, struct arena *a, const char *code,
			      struct live_stream **out)
{
	struct db_stmt *s = db_prepare(c, SQL_STREAM_CODE);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_text(s, 1, code);
	return stream_row(s, a, out);
}

int live_store_stream_counts(struct db_conn *c, int64_t stream_id, struct live_counts *out)
{
	struct db_stmt *s = db_prepare(c, SQL_STREAM_COUNTS);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, stream_id);
	int rc = db_step(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	*out = (struct live_counts){.questions = db_col_int(s, 0), .askers = db_col_int(s, 1),
				    .clusters = db_col_int(s, 2), .pending = db_col_int(s, 3),
				    .hot = db_col_int(s, 4)};
	return 0;
}

static json_t *opt_int(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

json_t *live_stream_json(const struct live_stream *s)
{
	json_t *topics = json_loads(s->topics ? s->topics : "[]", 0, NULL);
	if (!json_is_array(topics)) {
		json_decref(topics);
		topics = json_array();
	}
	char url[LIVE_URL_MAX];
	live_join_url(s->join_code, url);
	json_t *o = json_pack(
		"{s:I, s:s, s:{s:I, s:s, s:s}, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, "
		"s:o, s:I, s:{s:I, s:I, s:I, s:I, s:I}}",
		"id", (json_int_t)s->id, "title", s->title, "node", "id", (json_int_t)s->node_id,
		"code", s->node_code, "name", s->node_name, "topics", topics, "scheduled_at",
		opt_int(s->scheduled_at), "platform", s->platform, "platform_url", s->platform_url,
		"host_name", s->host_name, "join_code", s->join_code, "join_url", url, "status",
		s->status, "started_at", opt_int(s->started_at), "ended_at", opt_int(s->ended_at),
		"pinned_cluster_id", opt_int(s->pinned), "created_at", (json_int_t)s->created_at,
		"counts", "questions", (json_int_t)s->counts.questions, "askers",
		(json_int_t)s->counts.askers, "clusters", (json_int_t)s->counts.clusters, "hot",
		(json_int_t)s->counts.hot, "pending", (json_int_t)s->counts.pending);
	return o;
}

int live_store_streams(struct db_conn *c, struct arena *a, const char *path, const char *status,
		       struct live_stream ***out, size_t *n)
{
	struct db_stmt *s = db_prepare(c, SQL_STREAMS);
	if (!s)
		return DB_HARD_ERROR;
	char like[600];
	snprintf(like, sizeof(like), "%s%%", path);
	db_bind_text(s, 1, like);
	db_bind_text(s, 2, status);
	db_bind_text(s, 3, status);
	enum { MAX = 500 }; /* the query's LIMIT */
	struct live_stream **v = arena_alloc(a, MAX * sizeof(*v));
	int rc = 0;
	size_t k = 0;
	struct live_stream *x = NULL;
	while (k < MAX && (rc = stream_row(s, a, &x)) == DB_ROW)
		v[k++] = x;
	if (k < MAX && rc < 0)
		return rc;
	*out = v;
	*n = k;
	return 0;
}

int live_store_join_code_taken(struct db_conn *c, const char *code)
{
	int64_t n = 0;
	int rc = db_query_int(c, &n, SQL_CODE_TAKEN, "t", code);
	if (rc < 0)
		return rc;
	return n > 0;
}

int live_store_stream_insert(struct db_conn *c, const struct live_stream *x, int64_t user_id,
			     int64_t *id)
{
	struct db_stmt *s = db_prepare(c, SQL_STREAM_INSERT);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, x->county_id);
	db_bind_int(s, 2, x->node_id);
	db_bind_text(s, 3, x->title);
	db_bind_text(s, 4, x->topics);
	if (x->scheduled_at)
		db_bind_int(s, 5, x->scheduled_at);
	else
		db_bind_null(s, 5);
	db_bind_text(s, 6, x->platform);
	db_bind_text(s, 7, x->platform_url);
	db_bind_text(s, 8, x->host_name);
	db_bind_text(s, 9, x->join_code);
	if (user_id)
		db_bind_int(s, 10, user_id);
	else
		db_bind_null(s, 10);
	db_bind_int(s, 11, x->created_at);
	int rc = db_step(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	*id = db_col_int(s, 0);
	while ((rc = db_step(s)) == DB_ROW)
		;
	return rc < 0 ? rc : 0;
}

int live_store_stream_update(struct db_conn *c, const struct live_stream *x)
{
	struct db_stmt *s = db_prepare(c, SQL_STREAM_UPDATE);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, x->node_id);
	db_bind_int(s, 2, x->county_id);
	db_bind_text(s, 3, x->title);
	db_bind_text(s, 4, x->topics);
	if (x->scheduled_at)
		db_bind_int(s, 5, x->scheduled_at);
	else
		db_bind_null(s, 5);
	db_bind_text(s, 6, x->platform);
	db_bind_text(s, 7, x->platform_url);
	db_bind_text(s, 8, x->host_name);
	db_bind_int(s, 9, x->id);
	int rc = db_step(s);
	return rc < 0 ? rc : 0;
}

int live_store_stream_status(struct db_conn *c, int64_t id, const char *status, int64_t at)
{
	const char *sql = strcmp(status, "live") == 0 ? SQL_STREAM_START : SQL_STREAM_END;
	return db_exec(c, sql, "ii", at, id);
}

int live_store_stream_pin(struct db_conn *c, int64_t id, int64_t cluster_id)
{
	if (cluster_id)
		return db_exec(c, SQL_STREAM_PIN, "ii", cluster_id, id);
	return db_exec(c, SQL_STREAM_UNPIN, "i", id);
}

int live_store_cluster_get(struct db_conn *c, struct arena *a, int64_t id,
			   struct live_cluster_row **out)
{
	struct db_stmt *s = db_prepare(c, SQL_CLUSTER);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc != DB_ROW)
		return rc;
	struct live_cluster_row *k = arena_alloc(a, sizeof(*k));
	k->id = db_col_int(s, 0);
	k->stream_id = db_col_int(s, 1);
	k->merged_into = db_col_int(s, 2);
	k->answered_by = db_col_int(s, 3);
	k->answered_at = db_col_int(s, 4);
	k->created_at = db_col_int(s, 5);
	k->title = dup(a, s, 6);
	k->status = dup(a, s, 7);
	k->answer = dup(a, s, 8);
	*out = k;
	return DB_ROW;
}

int live_store_cluster_insert(struct db_conn *c, int64_t stream_id, const char *title,
			      int64_t now, int64_t *id)
{
	int rc = db_query_int(c, id, SQL_CLUSTER_INSERT, "iti", stream_id, title, now);
	return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_HARD_ERROR;
}

int live_store_cluster_title(struct db_conn *c, int64_t id, const char *title)
{
	return db_exec(c, SQL_CLUSTER_TITLE, "ti", title, id);
}

int live_store_cluster_status(struct db_conn *c, int64_t id, const char *status)
{
	return db_exec(c, SQL_CLUSTER_STATUS, "ti", status, id);
}

int live_store_cluster_answer(struct db_conn *c, int64_t id, const char *answer, int64_t user,
			      int64_t now)
{
	return db_exec(c, SQL_CLUSTER_ANSWER, "tiii", answer, user, now, id);
}

int live_store_cluster_merge(struct db_conn *c, int64_t from, int64_t into)
{
	int rc = db_exec(c, SQL_MERGE_QUESTIONS, "ii", into, from);
	if (rc >= 0)
		rc = db_exec(c, SQL_MERGE_CHAIN, "ii", into, from);
	if (rc >= 0)
		rc = db_exec(c, SQL_MERGE_CLUSTER, "ii", into, from);
	return rc < 0 ? rc : 0;
}

int live_store_cluster_edit(struct db_conn *c, int64_t stream_id, const char *action,
			    int64_t from, int64_t to, const char *qids, int64_t user, int64_t now)
{
	struct db_stmt *s = db_prepare(c, SQL_EDIT);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, stream_id);
	db_bind_text(s, 2, action);
	db_bind_int(s, 3, from);
	db_bind_int(s, 4, to);
	db_bind_text(s, 5, qids);
	if (user)
		db_bind_int(s, 6, user);
	else
		db_bind_null(s, 6);
	db_bind_int(s, 7, now);
	int rc = db_step(s);
	return rc < 0 ? rc : 0;
}

int live_store_question_get(struct db_conn *c, struct arena *a, int64_t id,
			    struct live_question_row **out)
{
	struct db_stmt *s = db_prepare(c, SQL_QUESTION);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc != DB_ROW)
		return rc;
	struct live_question_row *q = arena_alloc(a, sizeof(*q));
	q->id = db_col_int(s, 0);
	q->stream_id = db_col_int(s, 1);
	q->cluster_id = db_col_int(s, 2);
	q->upvotes = db_col_int(s, 3);
	q->created_at = db_col_int(s, 4);
	q->text = dup(a, s, 5);
	q->kind = dup(a, s, 6);
	q->status = dup(a, s, 7);
	q->device = dup(a, s, 8);
	q->moderation = dup(a, s, 9);
	q->nickname = dup(a, s, 10);
	q->source = dup(a, s, 11);
	*out = q;
	return DB_ROW;
}

int live_store_question_insert(struct db_conn *c, const struct live_submit *in,
			       int64_t cluster_id, const char *text, const char *nickname,
			       const char *phone_masked, const char *kind, const char *status,
			       const char *moderation, int64_t at, int64_t *id)
{
	bool lite = db_conn_backend(c) == DB_SQLITE;
	struct db_stmt *s = db_prepare(c, lite ? SQL_QUESTION_INSERT_SQLITE : SQL_QUESTION_INSERT);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, in->stream_id);
	if (cluster_id)
		db_bind_int(s, 2, cluster_id);
	else
		db_bind_null(s, 2);
	db_bind_text(s, 3, in->source ? in->source : "viewer");
	db_bind_text(s, 4, in->ext_id);
	db_bind_text(s, 5, in->device);
	db_bind_text(s, 6, nickname ? nickname : "");
	db_bind_text(s, 7, phone_masked && *phone_masked ? phone_masked : NULL);
	db_bind_text(s, 8, text);
	db_bind_text(s, 9, kind);
	db_bind_text(s, 10, status);
	db_bind_text(s, 11, moderation);
	db_bind_int(s, 12, at);
	*id = 0;
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		*id = db_col_int(s, 0);
	if (rc >= 0 && lite && db_changes(s) == 1)
		*id = db_last_insert_id(c);
	return rc < 0 ? rc : 0;
}

int live_store_question_place(struct db_conn *c, int64_t id, const char *status,
			      int64_t cluster_id)
{
	if (cluster_id)
		return db_exec(c, SQL_QUESTION_PLACE, "tii", status, cluster_id, id);
	return db_exec(c, SQL_QUESTION_UNPLACE, "ti", status, id);
}

int live_store_question_move(struct db_conn *c, int64_t id, int64_t cluster_id)
{
	return db_exec(c, SQL_QUESTION_MOVE, "ii", cluster_id, id);
}

int live_store_ext_exists(struct db_conn *c, int64_t stream_id, const char *source,
			  const char *ext_id)
{
	int64_t n = 0;
	int rc = db_query_int(c, &n, SQL_EXT_EXISTS, "itt", stream_id, source, ext_id);
	if (rc < 0)
		return rc;
	return n > 0;
}

static json_t *text_or_null(struct db_stmt *s, int col)
{
	const char *t = db_col_text(s, col);
	return t ? json_string(t) : json_null();
}

int live_store_questions_json(struct db_conn *c, int64_t stream_id, const char *status,
			      const char *kind, int64_t cluster, int limit, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_QUESTIONS);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, stream_id);
	db_bind_text(s, 2, status);
	db_bind_text(s, 3, status);
	db_bind_text(s, 4, kind);
	db_bind_text(s, 5, kind);
	db_bind_int(s, 6, cluster);
	db_bind_int(s, 7, cluster);
	db_bind_int(s, 8, limit);
	int rc, n = 0;
	while ((rc = db_step(s)) == DB_ROW) {
		json_array_append_new(
			items,
			json_pack("{s:I, s:o, s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:I, s:I}", "id",
				  (json_int_t)db_col_int(s, 0), "cluster_id", opt_int(db_col_int(s, 1)),
				  "source", db_col_text(s, 2), "nickname", db_col_text(s, 3), "phone",
				  text_or_null(s, 4), "text", db_col_text(s, 5), "kind",
				  db_col_text(s, 6), "status", db_col_text(s, 7), "moderation",
				  text_or_null(s, 8), "upvotes", (json_int_t)db_col_int(s, 9),
				  "created_at", (json_int_t)db_col_int(s, 10)));
		n++;
	}
	return rc < 0 ? rc : n;
}

/* One row of SQL_MINE or SQL_PUBLIC_QUESTIONS as the public list shows it. */
static json_t *public_question_json(struct db_stmt *s)
{
	json_t *o = json_pack("{s:I, s:o, s:s, s:s, s:s, s:I, s:I, s:s}", "id",
			      (json_int_t)db_col_int(s, 0), "cluster_id", opt_int(db_col_int(s, 1)),
			      "nickname", db_col_text(s, 2), "text", db_col_text(s, 3), "kind",
			      db_col_text(s, 4), "upvotes", (json_int_t)db_col_int(s, 5),
			      "created_at", (json_int_t)db_col_int(s, 6), "status", db_col_text(s, 7));
	if (db_col_int(s, 1))
		json_object_set_new(o, "cluster",
				    json_pack("{s:o, s:o, s:o}", "status", text_or_null(s, 8), "answer",
					      text_or_null(s, 9), "title", text_or_null(s, 10)));
	else
		json_object_set_new(o, "cluster", json_null());
	return o;
}

int live_store_public_questions_json(struct db_conn *c, int64_t stream_id, const char *device,
				     const int64_t *ids, size_t nids, json_t *items)
{
	struct db_stmt *s = db_prepare(c, device ? SQL_MINE : SQL_PUBLIC_QUESTIONS);
	if (!s)
		return DB_HARD_ERROR;
	int rc = DB_DONE, n = 0;
	if (!device) {
		db_bind_int(s, 1, stream_id);
		while ((rc = db_step(s)) == DB_ROW) {
			json_array_append_new(items, public_question_json(s));
			n++;
		}
		return rc < 0 ? rc : n;
	}
	for (size_t i = 0; i < nids; i++) {
		if (i && !(s = db_prepare(c, SQL_MINE))) /* the cached one, reset */
			return DB_HARD_ERROR;
		db_bind_int(s, 1, ids[i]);
		db_bind_int(s, 2, stream_id);
		db_bind_text(s, 3, device);
		rc = db_step(s);
		if (rc < 0)
			return rc;
		if (rc == DB_ROW) {
			json_array_append_new(items, public_question_json(s));
			n++;
		}
	}
	return n;
}

int live_store_vote(struct db_conn *c, int64_t qid, const char *device, int64_t now,
		    bool *added, int64_t *count)
{
	int rc = db_exec(c, SQL_VOTE, "iti", qid, device, now);
	if (rc < 0)
		return rc;
	*added = rc > 0;
	if (*added) {
		rc = db_exec(c, SQL_VOTE_COUNT, "i", qid);
		if (rc < 0)
			return rc;
	}
	rc = db_query_int(c, count, SQL_VOTES_OF, "i", qid);
	return rc < 0 ? rc : 0;
}

int live_store_api_key(struct db_conn *c, struct arena *a, const char *key_hash, int64_t *id,
		       const char **name, const char **path)
{
	struct db_stmt *s = db_prepare(c, SQL_API_KEY);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_text(s, 1, key_hash);
	int rc = db_step(s);
	if (rc != DB_ROW)
		return rc;
	*id = db_col_int(s, 0);
	*name = dup(a, s, 1);
	*path = dup(a, s, 2);
	return DB_ROW;
}

int live_store_viewers_add(struct db_conn *c, int64_t stream_id, int64_t at, int64_t viewers,
			   const char *source, int64_t user)
{
	struct db_stmt *s = db_prepare(c, SQL_VIEWERS_ADD);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, stream_id);
	db_bind_int(s, 2, at);
	db_bind_int(s, 3, viewers);
	db_bind_text(s, 4, source);
	if (user)
		db_bind_int(s, 5, user);
	else
		db_bind_null(s, 5);
	int rc = db_step(s);
	return rc < 0 ? rc : 0;
}

int live_store_viewers_json(struct db_conn *c, int64_t stream_id, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_VIEWERS);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, stream_id);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:I, s:I, s:s}", "at",
						       (json_int_t)db_col_int(s, 0), "viewers",
						       (json_int_t)db_col_int(s, 1), "source",
						       db_col_text(s, 2)));
	return rc < 0 ? rc : 0;
}

enum { TL_MAX_MINUTES = 24 * 60 };

int live_store_timeline_json(struct db_conn *c, int64_t stream_id, int64_t from, int64_t to,
			     json_t *items)
{
	if (to <= from)
		return 0;
	int64_t minutes = (to - from + 59999) / 60000;
	if (minutes > TL_MAX_MINUTES) {
		minutes = TL_MAX_MINUTES;
		to = from + minutes * 60000;
	}
	int64_t(*row)[5] = xcalloc((size_t)minutes, sizeof(*row));
	int64_t *viewers = xcalloc((size_t)minutes, sizeof(*viewers));
	for (int64_t i = 0; i < minutes; i++)
		viewers[i] = -1;
	struct db_stmt *s = db_prepare(c, SQL_TL_QUESTIONS);
	int rc = DB_HARD_ERROR;
	if (!s)
		goto fail;
	db_bind_int(s, 1, from);
	db_bind_int(s, 2, stream_id);
	db_bind_int(s, 3, from);
	db_bind_int(s, 4, to);
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t m = db_col_int(s, 0);
		const char *k = db_col_text(s, 1);
		if (m < 0 || m >= minutes || !k)
			continue;
		int col = strcmp(k, "question") == 0 ? 0 : strcmp(k, "suggestion") == 0 ? 1 : 2;
		row[m][col] += db_col_int(s, 2);
	}
	if (rc < 0)
		goto fail;
	s = db_prepare(c, SQL_TL_VOTES);
	rc = DB_HARD_ERROR;
	if (!s)
		goto fail;
	db_bind_int(s, 1, from);
	db_bind_int(s, 2, stream_id);
	db_bind_int(s, 3, from);
	db_bind_int(s, 4, to);
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t m = db_col_int(s, 0);
		if (m >= 0 && m < minutes)
			row[m][3] += db_col_int(s, 1);
	}
	if (rc < 0)
		goto fail;
	s = db_prepare(c, SQL_TL_VIEWERS);
	rc = DB_HARD_ERROR;
	if (!s)
		goto fail;
	db_bind_int(s, 1, from);
	db_bind_int(s, 2, stream_id);
	db_bind_int(s, 3, from);
	db_bind_int(s, 4, to);
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t m = db_col_int(s, 0);
		if (m >= 0 && m < minutes)
			viewers[m] = db_col_int(s, 1);
	}
	if (rc < 0)
		goto fail;
	for (int64_t i = 0; i < minutes; i++)
		json_array_append_new(
			items, json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "minute", (json_int_t)i,
					 "questions", (json_int_t)row[i][0], "suggestions",
					 (json_int_t)row[i][1], "smalltalk", (json_int_t)row[i][2],
					 "upvotes", (json_int_t)row[i][3], "viewers",
					 viewers[i] < 0 ? json_null() : json_integer(viewers[i])));
	rc = 0;
fail:
	free(row);
	free(viewers);
	return rc;
}

int live_store_words_json(struct db_conn *c, int64_t county_id, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_WORDS);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, county_id);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:I, s:s, s:I}", "id",
						       (json_int_t)db_col_int(s, 0), "word",
						       db_col_text(s, 1), "created_at",
						       (json_int_t)db_col_int(s, 2)));
	return rc < 0 ? rc : 0;
}

int live_store_word_add(struct db_conn *c, int64_t county_id, const char *word, int64_t user,
			int64_t now, int64_t *id)
{
	int rc = db_query_int(c, id, SQL_WORD_ADD, "itii", county_id, word, user, now);
	return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_HARD_ERROR;
}

int live_store_word_delete(struct db_conn *c, int64_t county_id, int64_t id)
{
	int rc = db_exec(c, SQL_WORD_DELETE, "ii", county_id, id);
	if (rc < 0)
		return rc;
	return rc > 0 ? DB_ROW : DB_DONE;
}

int live_store_words(struct db_conn *c, int64_t county_id, char ***words, size_t *n)
{
	*words = NULL;
	*n = 0;
	struct db_stmt *s = db_prepare(c, SQL_WORDS);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, county_id);
	size_t cap = 0;
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*words = xrealloc(*words, cap * sizeof(**words));
		}
		(*words)[(*n)++] = xdup_col(s, 1);
	}
	return rc < 0 ? rc : 0;
}

#define GROW(arr, n, cap)                                                                  \
	do {                                                                               \
		if ((n) == (cap)) {                                                        \
			(cap) = (cap) ? (cap) * 2 : 64;                                    \
			(arr) = xrealloc((arr), (cap) * sizeof(*(arr)));                   \
		}                                                                          \
	} while (0)

int live_store_load(struct db_conn *c, int64_t stream_id, struct live_load *l)
{
	memset(l, 0, sizeof(*l));
	struct db_stmt *s = db_prepare(c, SQL_LOAD_STREAM);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, stream_id);
	int rc = db_step(s);
	if (rc != DB_ROW)
		return rc;
	l->county_id = db_col_int(s, 0);
	snprintf(l->status, sizeof(l->status), "%s", db_col_text(s, 1));
	l->pinned = db_col_int(s, 2);
	while ((rc = db_step(s)) == DB_ROW)
		;
	if (rc < 0)
		return rc;
	size_t cap = 0;
	s = db_prepare(c, SQL_LOAD_CLUSTERS);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, stream_id);
	while ((rc = db_step(s)) == DB_ROW) {
		GROW(l->clusters, l->nclusters, cap);
		struct live_load_cluster *k = &l->clusters[l->nclusters++];
		k->id = db_col_int(s, 0);
		k->merged_into = db_col_int(s, 1);
		k->title = xdup_col(s, 2);
		k->answer = db_col_int(s, 5) ? xdup_col(s, 3) : NULL;
		k->status = xdup_col(s, 4);
	}
	if (rc < 0)
		return rc;
	cap = 0;
	s = db_prepare(c, SQL_LOAD_QUESTIONS);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, stream_id);
	while ((rc = db_step(s)) == DB_ROW) {
		GROW(l->questions, l->nquestions, cap);
		struct live_load_question *q = &l->questions[l->nquestions++];
		q->id = db_col_int(s, 0);
		q->cluster_id = db_col_int(s, 1);
		q->created_at = db_col_int(s, 2);
		q->upvotes = db_col_int(s, 3);
		q->text = xdup_col(s, 4);
		q->device = xdup_col(s, 5);
		q->kind = xdup_col(s, 6);
		q->status = xdup_col(s, 7);
	}
	if (rc < 0)
		return rc;
	cap = 0;
	s = db_prepare(c, SQL_LOAD_VOTES);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, stream_id);
	while ((rc = db_step(s)) == DB_ROW) {
		GROW(l->votes, l->nvotes, cap);
		l->votes[l->nvotes].cluster_id = db_col_int(s, 0);
		l->votes[l->nvotes].at = db_col_int(s, 1);
		l->nvotes++;
	}
	if (rc < 0)
		return rc;
	rc = live_store_words(c, l->county_id, &l->words, &l->nwords);
	return rc < 0 ? rc : DB_ROW;
}

void live_load_free(struct live_load *l)
{
	for (size_t i = 0; i < l->nclusters; i++) {
		free(l->clusters[i].title);
		free(l->clusters[i].answer);
		free(l->clusters[i].status);
	}
	for (size_t i = 0; i < l->nquestions; i++) {
		free(l->questions[i].text);
		free(l->questions[i].device);
		free(l->questions[i].kind);
		free(l->questions[i].status);
	}
	for (size_t i = 0; i < l->nwords; i++)
		free(l->words[i]);
	free(l->clusters);
	free(l->questions);
	free(l->votes);
	free(l->words);
	memset(l, 0, sizeof(*l));
}
