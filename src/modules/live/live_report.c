/* live_report.c — a stream's report (docs/live.md "Report"), from the tables alone.
 *
 * Every figure over questions is computed by SQL grouping (per minute: integer division of
 * created_at − started_at), so a stream with 100k questions reports without loading its
 * rows; only the viewer samples (one every few minutes) and the texts the keywords look at
 * come into C.
 *
 * Definitions (also in docs/live.md):
 * - viewers.average is time-weighted: each sample holds until the next one (and the last
 *   until the stream ended, or now while live), so a burst of samples at the peak does not
 *   lift the average; with samples all at one instant it is their plain mean.
 * - interactions count messages that were not rejected (questions, suggestions, small
 *   talk) and upvotes; minute 0 also holds what came before started_at (viewers join
 *   early). viewers of a minute is the last sample taken before that minute ended.
 * - a hot question (热点问题) is a cluster not merged away with at least
 *   LIVE_HOT_MIN_QUESTIONS visible questions; counts.answered/unanswered/deferred are
 *   among those. */
#include "modules/live/live_report.h"

#include "core/clock.h"
#include "core/mem.h"
#include "modules/live/live_internal.h"
#include "store/db.h"
#include "text/text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char SQL_STREAM_COUNTS[] =
	"SELECT COUNT(*), COUNT(DISTINCT device), "
	"COALESCE(SUM(CASE WHEN status = 'visible' THEN 1 ELSE 0 END), 0), "
	"COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0), "
	"COALESCE(SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END), 0), "
	"COALESCE(SUM(CASE WHEN source <> 'viewer' THEN 1 ELSE 0 END), 0), "
	"COALESCE(SUM(CASE WHEN status = 'visible' AND kind = 'suggestion' THEN 1 ELSE 0 END), 0) "
	"FROM stream_questions WHERE stream_id = ?";

static const char SQL_SAMPLES[] =
	"SELECT at, viewers FROM stream_viewer_samples WHERE stream_id = ? ORDER BY at, id "
	"LIMIT 200000";

/* Messages per minute since started_at (earlier ones in minute 0), not rejected. */
static const char SQL_PER_MINUTE[] =
	"SELECT CASE WHEN created_at < ? THEN 0 ELSE (created_at - ?) / 60000 END AS m, "
	"SUM(CASE WHEN kind = 'question' THEN 1 ELSE 0 END), "
	"SUM(CASE WHEN kind = 'suggestion' THEN 1 ELSE 0 END), "
	"SUM(CASE WHEN kind = 'smalltalk' THEN 1 ELSE 0 END) "
	"FROM stream_questions WHERE stream_id = ? AND status <> 'rejected' "
	"GROUP BY 1 ORDER BY 1";
static const char SQL_VOTES_PER_MINUTE[] =
	"SELECT CASE WHEN v.created_at < ? THEN 0 ELSE (v.created_at - ?) / 60000 END AS m, "
	"COUNT(*) FROM stream_votes v JOIN stream_questions q ON q.id = v.question_id "
	"WHERE q.stream_id = ? GROUP BY 1 ORDER BY 1";

/* Hot questions: clusters not merged away, by visible questions, then upvotes, then id. */
static const char SQL_HOT[] =
	"SELECT c.id, c.title, c.status, c.answer, COUNT(q.id), COUNT(DISTINCT q.device), "
	"COALESCE(SUM(q.upvotes), 0) FROM stream_clusters c JOIN stream_questions q ON "
	"q.cluster_id = c.id AND q.status = 'visible' WHERE c.stream_id = ? AND "
	"c.merged_into IS NULL GROUP BY c.id, c.title, c.status, c.answer HAVING COUNT(q.id) >= ? "
	"ORDER BY 5 DESC, 7 DESC, c.id";

static const char SQL_SUGGESTIONS[] =
	"SELECT id, text, nickname, created_at FROM stream_questions WHERE stream_id = ? AND "
	"status = 'visible' AND kind = 'suggestion' ORDER BY created_at, id LIMIT 200";

static const char SQL_KEYWORD_TEXTS[] =
	"SELECT text FROM stream_questions WHERE stream_id = ? AND status = 'visible' AND "
	"kind = 'question' ORDER BY id DESC LIMIT 50000";

static json_t *json_text(struct db_stmt *s, int col)
{
	const char *t = db_col_text(s, col);
	return t ? json_string(t) : json_null();
}

/* ---- viewers ---- */

struct sample {
	int64_t at, viewers;
};

struct samples {
	struct sample *v;
	size_t n, cap;
};

static int samples_load(struct db_conn *c, int64_t stream_id, struct samples *out)
{
	struct db_stmt *s = db_prepare(c, SQL_SAMPLES);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, stream_id);
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		if (out->n == out->cap) {
			out->cap = out->cap ? out->cap * 2 : 64;
			out->v = xrealloc(out->v, out->cap * sizeof(*out->v));
		}
		out->v[out->n].at = db_col_int(s, 0);
		out->v[out->n].viewers = db_col_int(s, 1);
		out->n++;
	}
	return rc;
}

/* Peak and time-weighted average (sample and hold until end_ms). */
static json_t *viewers_json(const struct samples *sm, int64_t end_ms)
{
	int64_t peak = 0;
	double sum = 0, plain = 0;
	int64_t span = 0;
	for (size_t i = 0; i < sm->n; i++) {
		if (sm->v[i].viewers > peak)
			peak = sm->v[i].viewers;
		plain += (double)sm->v[i].viewers;
		int64_t until = i + 1 < sm->n ? sm->v[i + 1].at : end_ms;
		if (until > sm->v[i].at) {
			sum += (double)sm->v[i].viewers * (double)(until - sm->v[i].at);
			span += until - sm->v[i].at;
		}
	}
	double avg = 0;
	if (span > 0)
		avg = sum / (double)span;
	else if (sm->n)
		avg = plain / (double)sm->n;
	avg = round(avg * 10) / 10;
	return json_pack("{s:I, s:f, s:I}", "peak", (json_int_t)peak, "average", avg, "samples",
			 (json_int_t)sm->n);
}

/* ---- interactions per minute ---- */

struct minute {
	int64_t m, questions, suggestions, smalltalk, upvotes;
};

struct minutes {
	struct minute *v;
	size_t n, cap;
};

static struct minute *minutes_at(struct minutes *ms, int64_t m)
{
	/* rows arrive in minute order from two queries: search from the end */
	for (size_t i = ms->n; i-- > 0;)
		if (ms->v[i].m == m)
			return &ms->v[i];
	if (ms->n == ms->cap) {
		ms->cap = ms->cap ? ms->cap * 2 : 128;
		ms->v = xrealloc(ms->v, ms->cap * sizeof(*ms->v));
	}
	struct minute *x = &ms->v[ms->n++];
	memset(x, 0, sizeof(*x));
	x->m = m;
	return x;
}

static int minute_cmp(const void *a, const void *b)
{
	const struct minute *x = a, *y = b;
	return x->m < y->m ? -1 : x->m > y->m;
}

static int per_minute_load(struct db_conn *c, int64_t stream_id, int64_t started,
			   struct minutes *ms)
{
	struct db_stmt *s = db_prepare(c, SQL_PER_MINUTE);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, started);
	db_bind_int(s, 2, started);
	db_bind_int(s, 3, stream_id);
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		struct minute *x = minutes_at(ms, db_col_int(s, 0));
		x->questions = db_col_int(s, 1);
		x->suggestions = db_col_int(s, 2);
		x->smalltalk = db_col_int(s, 3);
	}
	if (rc < 0)
		return rc;
	s = db_prepare(c, SQL_VOTES_PER_MINUTE);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, started);
	db_bind_int(s, 2, started);
	db_bind_int(s, 3, stream_id);
	while ((rc = db_step(s)) == DB_ROW)
		minutes_at(ms, db_col_int(s, 0))->upvotes = db_col_int(s, 1);
	return rc;
}

/* The per-minute rows, dense from minute 0 to the stream's end (or now) within
 * LIVE_REPORT_DENSE_MINUTES, plus any later minute with activity; *total gets the sum. */
static json_t *interactions_json(struct minutes *ms, const struct samples *sm, int64_t started,
				 int64_t end_ms)
{
	qsort(ms->v, ms->n, sizeof(*ms->v), minute_cmp);
	int64_t last = end_ms > started ? (end_ms - started) / 60000 : 0;
	if (last >= LIVE_REPORT_DENSE_MINUTES)
		last = LIVE_REPORT_DENSE_MINUTES - 1;
	json_t *items = json_array();
	int64_t total = 0;
	size_t k = 0, si = 0;
	int64_t viewers = -1;
	for (int64_t m = 0;; m++) {
		while (k < ms->n && ms->v[k].m < m)
			k++;
		if (m > last) {
			/* past the dense range: jump to the next minute with activity */
			if (k >= ms->n)
				break;
			m = ms->v[k].m;
		}
		struct minute zero = {.m = m}, *x = k < ms->n && ms->v[k].m == m ? &ms->v[k] : &zero;
		int64_t minute_end = started + (m + 1) * 60000;
		while (si < sm->n && sm->v[si].at < minute_end)
			viewers = sm->v[si++].viewers;
		total += x->questions + x->suggestions + x->smalltalk + x->upvotes;
		json_array_append_new(
			items, json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "minute", (json_int_t)m,
					 "questions", (json_int_t)x->questions, "suggestions",
					 (json_int_t)x->suggestions, "smalltalk",
					 (json_int_t)x->smalltalk, "upvotes", (json_int_t)x->upvotes,
					 "viewers", viewers < 0 ? json_null() : json_integer(viewers)));
	}
	return json_pack("{s:I, s:o}", "total", (json_int_t)total, "per_minute", items);
}

/* ---- hot questions, suggestions, keywords ---- */

static int hot_load(struct db_conn *c, int64_t stream_id, json_t *hot, json_t *counts)
{
	struct db_stmt *s = db_prepare(c, SQL_HOT);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, stream_id);
	db_bind_int(s, 2, LIVE_HOT_MIN_QUESTIONS);
	int64_t n = 0, answered = 0, open = 0, deferred = 0;
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		const char *status = db_col_text(s, 2);
		n++;
		answered += strcmp(status, "answered") == 0;
		deferred += strcmp(status, "deferred") == 0;
		open += strcmp(status, "open") == 0;
		if (n > LIVE_REPORT_HOT_MAX)
			continue;
		json_array_append_new(
			hot, json_pack("{s:I, s:I, s:s, s:I, s:I, s:I, s:s, s:o}", "rank", (json_int_t)n,
				       "cluster_id", (json_int_t)db_col_int(s, 0), "title",
				       db_col_text(s, 1), "questions", (json_int_t)db_col_int(s, 4),
				       "askers", (json_int_t)db_col_int(s, 5), "upvotes",
				       (json_int_t)db_col_int(s, 6), "status", status, "answer",
				       json_text(s, 3)));
	}
	json_object_set_new(counts, "hot", json_integer(n));
	json_object_set_new(counts, "answered", json_integer(answered));
	json_object_set_new(counts, "unanswered", json_integer(open));
	json_object_set_new(counts, "deferred", json_integer(deferred));
	return rc;
}

static int suggestions_load(struct db_conn *c, int64_t stream_id, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_SUGGESTIONS);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, stream_id);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:I}", "id",
						       (json_int_t)db_col_int(s, 0), "text",
						       db_col_text(s, 1), "nickname", db_col_text(s, 2),
						       "created_at", (json_int_t)db_col_int(s, 3)));
	return rc;
}

static int keywords_load(struct db_conn *c, int64_t stream_id, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_KEYWORD_TEXTS);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, stream_id);
	char **texts = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			texts = xrealloc(texts, cap * sizeof(*texts));
		}
		texts[n++] = xstrdup(db_col_text(s, 0));
	}
	if (rc >= 0 && n) {
		char *words[LIVE_REPORT_KEYWORDS];
		double weights[LIVE_REPORT_KEYWORDS];
		size_t k = text_keywords((const char *const *)texts, n, LIVE_REPORT_KEYWORDS, words,
					 weights);
		for (size_t i = 0; i < k; i++) {
			json_array_append_new(items, json_pack("{s:s, s:f}", "word", words[i], "weight",
							       round(weights[i] * 1000) / 1000));
			free(words[i]);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(texts[i]);
	free(texts);
	return rc;
}

json_t *live_report_build_rc(struct db_conn *c, int64_t stream_id, int *rcp)
{
	struct arena *a = arena_new();
	struct live_stream *st = NULL;
	int rc = live_store_stream_get(c, a, stream_id, &st);
	if (rc == DB_ROW) {
		int crc = live_store_stream_counts(c, st->id, &st->counts);
		rc = crc < 0 ? crc : DB_ROW;
	}
	if (rc != DB_ROW) {
		arena_free(a);
		if (rcp)
			*rcp = rc < 0 ? rc : DB_DONE;
		return NULL;
	}
	/* the stream object as the live module gives it everywhere else */
	json_t *out = json_pack("{s:o}", "stream", live_stream_json(st));
	struct samples sm = {0};
	struct minutes ms = {0};
	int64_t now = clock_now_ms();
	int64_t end = st->ended_at ? st->ended_at : now;
	rc = samples_load(c, stream_id, &sm);
	if (rc >= 0) {
		int64_t vend = end;
		if (!st->started_at && !st->ended_at && sm.n)
			vend = sm.v[sm.n - 1].at; /* never started: the samples alone */
		json_object_set_new(out, "viewers", viewers_json(&sm, vend));
	}
	if (rc >= 0 && st->started_at)
		rc = per_minute_load(c, stream_id, st->started_at, &ms);
	if (rc >= 0) {
		if (st->started_at)
			json_object_set_new(out, "interactions",
					    interactions_json(&ms, &sm, st->started_at, end));
		else /* not started yet: no minutes to count from */
			json_object_set_new(out, "interactions",
					    json_pack("{s:i, s:[]}", "total", 0, "per_minute"));
	}
	int64_t q[7] = {0};
	if (rc >= 0) {
		struct db_stmt *s = db_prepare(c, SQL_STREAM_COUNTS);
		rc = DB_HARD_ERROR;
		if (s) {
			db_bind_int(s, 1, stream_id);
			rc = db_step(s);
			for (int i = 0; rc == DB_ROW && i < 7; i++)
				q[i] = db_col_int(s, i);
		}
	}
	json_t *hot = json_array(), *counts = json_object(), *sugg = json_array(),
	       *kw = json_array();
	json_object_set_new(out, "questions",
			    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "total", (json_int_t)q[0],
				      "askers", (json_int_t)q[1], "visible", (json_int_t)q[2],
				      "pending", (json_int_t)q[3], "rejected", (json_int_t)q[4],
				      "imported", (json_int_t)q[5]));
	json_object_set_new(out, "hot", hot);
	json_object_set_new(out, "counts", counts);
	json_object_set_new(out, "suggestions", sugg);
	json_object_set_new(out, "keywords", kw);
	if (rc >= 0)
		rc = hot_load(c, stream_id, hot, counts);
	json_object_set_new(counts, "suggestions", json_integer(q[6]));
	if (rc >= 0)
		rc = suggestions_load(c, stream_id, sugg);
	if (rc >= 0)
		rc = keywords_load(c, stream_id, kw);
	free(sm.v);
	free(ms.v);
	arena_free(a);
	if (rc < 0) {
		json_decref(out);
		if (rcp)
			*rcp = rc;
		return NULL;
	}
	if (rcp)
		*rcp = 0;
	return out;
}

json_t *live_report_build(struct db_conn *c, int64_t stream_id)
{
	return live_report_build_rc(c, stream_id, NULL);
}
