/* live_summary.c — the year's live Q&A across streams (docs/live.md "Across streams"): the
 * counts a county reports (streams held, hot questions, suggestions), the hot questions left
 * unanswered grouped across streams, and the topics proposed for the next stream, each with
 * the reason in plain Chinese.
 *
 * A stream belongs to the year (China time) it started in; streams never started are left
 * out. Hot questions are counted as in the report: clusters not merged away with at least
 * LIVE_HOT_MIN_QUESTIONS visible questions. Grouping across streams is greedy over the hot
 * questions by size: a hot question joins the first group whose title the text engine finds
 * the same question (text_similarity ≥ text_same_threshold), else opens a group. */
#include "modules/live/live_report.h"

#include "core/mem.h"
#include "store/db.h"
#include "text/text.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define SUMMARY_WHERE                                                                       \
	"FROM streams s JOIN org_nodes n ON n.id = s.node_id WHERE n.path LIKE ? AND "      \
	"s.started_at >= ? AND s.started_at < ?"

static const char SQL_STREAMS[] = "SELECT COUNT(*) " SUMMARY_WHERE;
static const char SQL_MESSAGES[] =
	"SELECT COUNT(q.id), COUNT(DISTINCT q.device), COALESCE(SUM(CASE WHEN q.status = "
	"'visible' AND q.kind = 'suggestion' THEN 1 ELSE 0 END), 0) "
	"FROM stream_questions q JOIN streams s ON s.id = q.stream_id JOIN org_nodes n ON "
	"n.id = s.node_id WHERE n.path LIKE ? AND s.started_at >= ? AND s.started_at < ?";
static const char SQL_HOT[] =
	"SELECT c.id, c.stream_id, c.title, c.status, COUNT(q.id) FROM stream_clusters c "
	"JOIN streams s ON s.id = c.stream_id JOIN org_nodes n ON n.id = s.node_id "
	"JOIN stream_questions q ON q.cluster_id = c.id AND q.status = 'visible' "
	"WHERE n.path LIKE ? AND s.started_at >= ? AND s.started_at < ? AND "
	"c.merged_into IS NULL GROUP BY c.id, c.stream_id, c.title, c.status "
	"HAVING COUNT(q.id) >= ? ORDER BY 5 DESC, c.id LIMIT 100000";
static const char SQL_SUGGESTION_TEXTS[] =
	"SELECT q.text, q.stream_id FROM stream_questions q JOIN streams s ON s.id = q.stream_id "
	"JOIN org_nodes n ON n.id = s.node_id WHERE n.path LIKE ? AND s.started_at >= ? AND "
	"s.started_at < ? AND q.status = 'visible' AND q.kind = 'suggestion' "
	"ORDER BY q.id LIMIT 1000";

/* Grouping compares each title with every group so far: only the largest hot questions (and
 * the first suggestions) are grouped, which bounds the work whatever the year holds. */
enum { SUMMARY_GROUPED_MAX = 1000 };

/* The active FAQ questions on or above the nodes of the summary: an open topic like one of
 * them was answered before (in a stream, or by staff). */
static const char SQL_FAQ_QUESTIONS[] =
	"SELECT f.question FROM faq_entries f JOIN org_nodes n ON n.id = f.node_id WHERE "
	"f.active = 1 AND (n.path LIKE ? OR CAST(? AS TEXT) LIKE n.path || '%') "
	"ORDER BY f.asked DESC, f.id LIMIT 2000";

enum { SUMMARY_UNANSWERED_MAX = 20, PROPOSE_UNANSWERED = 5, PROPOSE_ANSWERED = 3,
       PROPOSE_SUGGESTIONS = 2 };

struct group {
	char *title;
	int64_t questions, members, deferred;
	int64_t *streams;
	size_t nstreams;
};

struct groups {
	struct group *v;
	size_t n, cap;
};

static void groups_add(struct groups *gs, const char *title, int64_t stream, int64_t questions,
		       bool deferred)
{
	double threshold = text_same_threshold();
	size_t tl = strlen(title);
	struct group *g = NULL;
	for (size_t i = 0; i < gs->n && !g; i++)
		if (text_similarity(gs->v[i].title, strlen(gs->v[i].title), title, tl) >= threshold)
			g = &gs->v[i];
	if (!g) {
		if (gs->n == gs->cap) {
			gs->cap = gs->cap ? gs->cap * 2 : 32;
			gs->v = xrealloc(gs->v, gs->cap * sizeof(*gs->v));
		}
		g = &gs->v[gs->n++];
		memset(g, 0, sizeof(*g));
		g->title = xstrdup(title);
	}
	g->questions += questions;
	g->members++;
	g->deferred += deferred;
	for (size_t i = 0; i < g->nstreams; i++)
		if (g->streams[i] == stream)
			return;
	g->streams = xrealloc(g->streams, (g->nstreams + 1) * sizeof(*g->streams));
	g->streams[g->nstreams++] = stream;
}

static void groups_free(struct groups *gs)
{
	for (size_t i = 0; i < gs->n; i++) {
		free(gs->v[i].title);
		free(gs->v[i].streams);
	}
	free(gs->v);
}

static int group_cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	if (x->questions != y->questions)
		return x->questions > y->questions ? -1 : 1;
	if (x->nstreams != y->nstreams)
		return x->nstreams > y->nstreams ? -1 : 1;
	return strcmp(x->title, y->title);
}

/* Epoch ms of 1 January of year, 00:00 China time (UTC+8). */
static int64_t year_start_ms(int year)
{
	/* days from 1970-01-01 to year-01-01 (proleptic Gregorian) */
	int64_t y = year - 1;
	int64_t days = 365 * (int64_t)(year - 1970) + (y / 4 - y / 100 + y / 400) -
		       (1969 / 4 - 1969 / 100 + 1969 / 400);
	return days * 86400000LL - 8 * 3600000LL;
}

static void bind_range(struct db_stmt *s, const char *like, int64_t from, int64_t to)
{
	db_bind_text(s, 1, like);
	db_bind_int(s, 2, from);
	db_bind_int(s, 3, to);
}

json_t *live_summary_build(struct db_conn *c, const char *node_path, int year, int *rcp)
{
	char like[300];
	snprintf(like, sizeof(like), "%s%%", node_path);
	int64_t from = year_start_ms(year), to = year_start_ms(year + 1);
	int64_t streams = 0, messages = 0, askers = 0, suggestions = 0, hot = 0, answered = 0;
	struct groups open = {0}, done = {0}, sugg = {0}, faq = {0};
	json_t *out = NULL;
	int rc = DB_HARD_ERROR;
	struct db_stmt *s = db_prepare(c, SQL_STREAMS);
	if (!s)
		goto fail;
	bind_range(s, like, from, to);
	rc = db_step(s);
	if (rc < 0)
		goto fail;
	streams = db_col_int(s, 0);
	rc = DB_HARD_ERROR;
	s = db_prepare(c, SQL_MESSAGES);
	if (!s)
		goto fail;
	bind_range(s, like, from, to);
	rc = db_step(s);
	if (rc < 0)
		goto fail;
	messages = db_col_int(s, 0);
	askers = db_col_int(s, 1);
	suggestions = db_col_int(s, 2);
	rc = DB_HARD_ERROR;
	s = db_prepare(c, SQL_HOT);
	if (!s)
		goto fail;
	bind_range(s, like, from, to);
	db_bind_int(s, 4, LIVE_HOT_MIN_QUESTIONS);
	int64_t nopen = 0, ndone = 0;
	while ((rc = db_step(s)) == DB_ROW) {
		const char *status = db_col_text(s, 3);
		hot++;
		if (strcmp(status, "answered") == 0) {
			answered++;
			if (ndone++ < SUMMARY_GROUPED_MAX)
				groups_add(&done, db_col_text(s, 2), db_col_int(s, 1), db_col_int(s, 4),
					   false);
		} else if (nopen++ < SUMMARY_GROUPED_MAX) {
			groups_add(&open, db_col_text(s, 2), db_col_int(s, 1), db_col_int(s, 4),
				   strcmp(status, "deferred") == 0);
		}
	}
	if (rc < 0)
		goto fail;
	rc = DB_HARD_ERROR;
	s = db_prepare(c, SQL_SUGGESTION_TEXTS);
	if (!s)
		goto fail;
	bind_range(s, like, from, to);
	while ((rc = db_step(s)) == DB_ROW)
		groups_add(&sugg, db_col_text(s, 0), db_col_int(s, 1), 1, false);
	if (rc < 0)
		goto fail;
	rc = DB_HARD_ERROR;
	s = db_prepare(c, SQL_FAQ_QUESTIONS);
	if (!s)
		goto fail;
	db_bind_text(s, 1, like);
	db_bind_text(s, 2, node_path);
	while ((rc = db_step(s)) == DB_ROW)
		groups_add(&faq, db_col_text(s, 0), 0, 0, false);
	if (rc < 0)
		goto fail;
	qsort(open.v, open.n, sizeof(*open.v), group_cmp);
	qsort(done.v, done.n, sizeof(*done.v), group_cmp);
	qsort(sugg.v, sugg.n, sizeof(*sugg.v), group_cmp);

	json_t *topics = json_array(), *proposed = json_array();
	for (size_t i = 0; i < open.n && i < SUMMARY_UNANSWERED_MAX; i++)
		json_array_append_new(topics, json_pack("{s:s, s:I, s:I}", "title", open.v[i].title,
							"questions", (json_int_t)open.v[i].questions,
							"streams", (json_int_t)open.v[i].nstreams));
	char reason[200];
	for (size_t i = 0; i < open.n && i < PROPOSE_UNANSWERED; i++) {
		const struct group *g = &open.v[i];
		/* answered in another stream or in the FAQ, yet open here: the answer did not
		 * reach them */
		bool answered_before = false;
		const struct groups *known[] = {&done, &faq};
		for (size_t j = 0; j < 2 && !answered_before; j++)
			for (size_t k = 0; k < known[j]->n && !answered_before; k++)
				answered_before =
					text_similarity(known[j]->v[k].title, strlen(known[j]->v[k].title),
							g->title, strlen(g->title)) >= text_same_threshold();
		snprintf(reason, sizeof(reason), "%zu 场直播中 %lld 人次提问，%s", g->nstreams,
			 (long long)g->questions,
			 g->deferred	   ? "已暂缓答复，宜在下场直播集中解答"
			 : answered_before ? "已有答复但仍有人问，宜再讲并推送常见问题"
					   : "尚未答复");
		json_array_append_new(proposed, json_pack("{s:s, s:I, s:s}", "topic", g->title,
							  "questions", (json_int_t)g->questions,
							  "reason", reason));
	}
	/* Answered, yet asked again stream after stream: worth a segment of its own. */
	for (size_t i = 0, k = 0; i < done.n && k < PROPOSE_ANSWERED; i++) {
		const struct group *g = &done.v[i];
		if (g->nstreams < 2)
			continue;
		k++;
		snprintf(reason, sizeof(reason),
			 "已答复，但 %zu 场直播中仍有 %lld 人次提问，建议专题讲解", g->nstreams,
			 (long long)g->questions);
		json_array_append_new(proposed, json_pack("{s:s, s:I, s:s}", "topic", g->title,
							  "questions", (json_int_t)g->questions,
							  "reason", reason));
	}
	for (size_t i = 0, k = 0; i < sugg.n && k < PROPOSE_SUGGESTIONS; i++) {
		const struct group *g = &sugg.v[i];
		if (g->members < 2)
			continue;
		k++;
		snprintf(reason, sizeof(reason), "%lld 条网友意见建议提到", (long long)g->members);
		json_array_append_new(proposed, json_pack("{s:s, s:I, s:s}", "topic", g->title,
							  "questions", (json_int_t)g->members,
							  "reason", reason));
	}
	out = json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "year", year, "streams",
			(json_int_t)streams, "questions", (json_int_t)messages, "askers",
			(json_int_t)askers, "hot_questions", (json_int_t)hot, "answered",
			(json_int_t)answered, "suggestions", (json_int_t)suggestions,
			"unanswered_topics", topics, "proposed_topics", proposed);
	rc = 0;
fail:
	groups_free(&open);
	groups_free(&done);
	groups_free(&sugg);
	groups_free(&faq);
	if (rcp)
		*rcp = rc < 0 ? rc : 0;
	return out;
}
