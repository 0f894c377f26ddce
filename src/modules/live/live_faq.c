/* live_faq.c — FAQ entries from answered hot questions, and FAQ search ranked by the text
 * engine's similarity (docs/live.md). A county's FAQ is small (hundreds of entries), so a
 * search scores every active entry of the county in C; LIVE_FAQ_SCAN_MAX bounds it. */
#include "modules/live/live_faq.h"

#include "core/clock.h"
#include "core/mem.h"
#include "store/db.h"
#include "text/text.h"

#include <stdio.h>
#include <string.h>

static const char SQL_CLUSTER[] =
	"SELECT c.title, c.answer, c.status, s.id, s.county_id, s.node_id, s.topics, "
	"(SELECT COUNT(*) FROM stream_questions q WHERE q.cluster_id = c.id AND "
	"q.status = 'visible') FROM stream_clusters c JOIN streams s ON s.id = c.stream_id "
	"WHERE c.id = ?";
static const char SQL_FAQ_OF_CLUSTER[] = "SELECT id FROM faq_entries WHERE cluster_id = ?";
/* The question is kept: staff may have reworded it; the answer and the count follow. */
static const char SQL_FAQ_UPDATE_FROM_CLUSTER[] =
	"UPDATE faq_entries SET answer = ?, asked = ?, updated_at = ? WHERE id = ?";
static const char SQL_FAQ_INSERT_FROM_CLUSTER[] =
	"INSERT INTO faq_entries (county_id, node_id, question, answer, topic, stream_id, "
	"cluster_id, asked, active, created_by, created_at, updated_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)";

static const char SQL_FAQ_SCAN[] =
	"SELECT f.id, f.question, f.answer, f.topic, f.node_id, n.code, n.name, f.stream_id, "
	"f.cluster_id, f.asked, f.active, f.created_at, f.updated_at FROM faq_entries f "
	"JOIN org_nodes n ON n.id = f.node_id WHERE f.county_id = ? AND (n.path LIKE ? OR "
	"CAST(? AS TEXT) LIKE n.path || '%') AND (f.active = 1 OR CAST(? AS BIGINT) = 1) "
	"ORDER BY f.asked DESC, f.id DESC LIMIT 10000";

enum { NORM_CAP = 3 * TEXT_MAX_INPUT + 1 };

/* The stream topic a question is about: the one whose words occur in it, else the most
 * similar one if clearly alike, else the first ("" without topics). */
static const char *faq_topic(json_t *topics, const char *question)
{
	const char *best = json_string_value(json_array_get(topics, 0));
	double best_sim = 0.5 * text_same_threshold(); /* below: a shared character or two */
	char *qn = xmalloc(NORM_CAP), *tn = xmalloc(NORM_CAP);
	text_normalize(question, strlen(question), qn, NORM_CAP);
	size_t i;
	json_t *t;
	json_array_foreach(topics, i, t)
	{
		const char *ts = json_string_value(t);
		if (!ts)
			continue;
		text_normalize(ts, strlen(ts), tn, NORM_CAP);
		double sim = *tn && strstr(qn, tn) ? 2 : text_similarity(question, strlen(question), ts,
									   strlen(ts));
		if (sim > best_sim) {
			best_sim = sim;
			best = ts;
		}
	}
	free(qn);
	free(tn);
	return best ? best : "";
}

int live_faq_from_cluster(struct db_conn *c, int64_t cluster_id, int64_t user_id)
{
	struct db_stmt *s = db_prepare(c, SQL_CLUSTER);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, cluster_id);
	int rc = db_step(s);
	if (rc != DB_ROW)
		return rc;
	if (strcmp(db_col_text(s, 2), "answered") != 0 || db_col_is_null(s, 1))
		return DB_DONE;
	char *title = xstrdup(db_col_text(s, 0)), *answer = xstrdup(db_col_text(s, 1));
	int64_t stream = db_col_int(s, 3), county = db_col_int(s, 4), node = db_col_int(s, 5);
	int64_t asked = db_col_int(s, 7);
	json_t *topics = json_loads(db_col_text(s, 6), 0, NULL);
	char *topic_s = xstrdup(faq_topic(topics, title));
	json_decref(topics);
	int64_t now = clock_now_ms(), id = 0;
	rc = db_query_int(c, &id, SQL_FAQ_OF_CLUSTER, "i", cluster_id);
	if (rc == DB_ROW)
		rc = db_exec(c, SQL_FAQ_UPDATE_FROM_CLUSTER, "tiii", answer, asked, now, id);
	else if (rc == DB_DONE && user_id > 0)
		rc = db_exec(c, SQL_FAQ_INSERT_FROM_CLUSTER, "iitttiiiiii", county, node, title,
			     answer, topic_s, stream, cluster_id, asked, user_id, now, now);
	else if (rc == DB_DONE) /* answered by Tala itself (the demo): nobody to name */
		rc = db_exec(c, SQL_FAQ_INSERT_FROM_CLUSTER, "iitttiiinii", county, node, title,
			     answer, topic_s, stream, cluster_id, asked, now, now);
	free(title);
	free(answer);
	free(topic_s);
	return rc < 0 ? rc : DB_ROW;
}

double live_faq_search_floor(void)
{
	/* a search box: looser than "the same question" */
	return 0.5 * text_same_threshold();
}

double live_faq_suggest_floor(void)
{
	/* what a viewer is typing: shown only when clearly about the same thing */
	return 0.6 * text_same_threshold();
}

double live_faq_score(const char *q_norm, const char *q, const char *question,
		      const char *answer)
{
	double sim = text_similarity(q, strlen(q), question, strlen(question));
	if (!*q_norm)
		return sim;
	char *buf = xmalloc(NORM_CAP);
	bool inside = false;
	text_normalize(question, strlen(question), buf, NORM_CAP);
	inside = strstr(buf, q_norm) != NULL;
	if (!inside && answer) {
		text_normalize(answer, strlen(answer), buf, NORM_CAP);
		/* in the answer only: a weaker sign than in the question */
		if (strstr(buf, q_norm))
			sim = 0.3 + 0.7 * sim;
	}
	free(buf);
	if (inside)
		sim = 0.5 + 0.5 * sim;
	return sim > 1 ? 1 : sim;
}

struct faq_hit {
	double score;
	int64_t asked, id;
	json_t *item;
};

static int hit_cmp(const void *a, const void *b)
{
	const struct faq_hit *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->asked != y->asked)
		return x->asked > y->asked ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

static json_t *int_or_null(struct db_stmt *s, int col)
{
	return db_col_is_null(s, col) ? json_null() : json_integer(db_col_int(s, col));
}

int live_faq_search(struct db_conn *c, int64_t county_id, const char *path, const char *q,
		    bool all, double floor, int64_t limit, int64_t offset, bool brief,
		    json_t *items, int64_t *total)
{
	struct db_stmt *s = db_prepare(c, SQL_FAQ_SCAN);
	if (!s)
		return DB_HARD_ERROR;
	char like[300];
	snprintf(like, sizeof(like), "%s%%", path);
	db_bind_int(s, 1, county_id);
	db_bind_text(s, 2, like);
	db_bind_text(s, 3, path);
	db_bind_int(s, 4, all ? 1 : 0);
	char *q_norm = NULL;
	if (q) {
		q_norm = xmalloc(NORM_CAP);
		text_normalize(q, strlen(q), q_norm, NORM_CAP);
	}
	struct faq_hit *hits = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		double score = 0;
		if (q) {
			score = live_faq_score(q_norm, q, db_col_text(s, 1), db_col_text(s, 2));
			if (score < floor)
				continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			hits = xrealloc(hits, cap * sizeof(*hits));
		}
		struct faq_hit *h = &hits[n++];
		h->score = q ? score : 0;
		h->asked = db_col_int(s, 9);
		h->id = db_col_int(s, 0);
		if (brief)
			h->item = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)h->id, "question",
					    db_col_text(s, 1), "answer", db_col_text(s, 2));
		else
			h->item = json_pack(
				"{s:I, s:s, s:s, s:s, s:{s:I, s:s, s:s}, s:o, s:o, s:I, s:b, s:I, s:I}",
				"id", (json_int_t)h->id, "question", db_col_text(s, 1), "answer",
				db_col_text(s, 2), "topic", db_col_text(s, 3), "node", "id",
				(json_int_t)db_col_int(s, 4), "code", db_col_text(s, 5), "name",
				db_col_text(s, 6), "stream_id", int_or_null(s, 7), "cluster_id",
				int_or_null(s, 8), "asked", (json_int_t)h->asked, "active",
				db_col_int(s, 10) != 0, "created_at", (json_int_t)db_col_int(s, 11),
				"updated_at", (json_int_t)db_col_int(s, 12));
		if (q)
			json_object_set_new(h->item, "score",
					    json_real((double)(int64_t)(score * 1000 + 0.5) / 1000));
	}
	free(q_norm);
	if (rc >= 0) {
		/* without q the SQL order stands (times asked, newest first) */
		if (q)
			qsort(hits, n, sizeof(*hits), hit_cmp);
		for (size_t i = 0; i < n; i++)
			if ((int64_t)i >= offset && (int64_t)i < offset + limit)
				json_array_append(items, hits[i].item);
		*total = (int64_t)n;
	}
	for (size_t i = 0; i < n; i++)
		json_decref(hits[i].item);
	free(hits);
	return rc < 0 ? rc : 0;
}
