/* live_submit.c — questions into a room: redaction, classification and sensitive words,
 * the text engine's assignment, the transaction, then the room; group commit through a
 * per-room queue (synchronous submitters lead in turn, asynchronous ones are led by the
 * committer thread); moderation. See live_room_internal.h for the room. */
#include "modules/live/live_room_internal.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/db.h"
#include "text/text.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- submitting ---- */

struct placed {
	const struct live_submit *in;
	char *text, *nick;
	char phone[24];
	const char *kind, *status, *moderation;
	int64_t engine; /* -1: not clustered */
	int64_t at;
	bool dup;
	/* set by the transaction */
	int64_t id, cluster_id;
	bool opened;
	char *title; /* a new representative title for cluster_id (malloc'd) */
};

struct submit_tx {
	struct live_room *room;
	struct placed *p;
	size_t n;
	int64_t *tentative; /* engine ids mapped by this attempt */
	size_t ntentative;
};

static int submit_tx_fn(struct db_conn *c, void *ctx)
{
	struct submit_tx *t = ctx;
	struct live_room *r = t->room;
	/* A retried attempt starts again: forget what the rolled-back one mapped. */
	for (size_t i = 0; i < t->ntentative; i++)
		live_room_emap_set(r, t->tentative[i], 0);
	t->ntentative = 0;
	int64_t status_n = 0;
	int rc = db_query_int(c, &status_n,
			      "SELECT CASE status WHEN 'ended' THEN 2 ELSE 1 END FROM streams "
			      "WHERE id = ?",
			      "i", r->stream_id);
	if (rc < 0)
		return rc;
	if (rc == DB_DONE)
		return LIVE_NOT_FOUND;
	if (status_n == 2)
		return LIVE_ENDED;
	for (size_t i = 0; i < t->n; i++) {
		struct placed *p = &t->p[i];
		p->id = 0;
		p->cluster_id = 0;
		p->opened = false;
		free(p->title);
		p->title = NULL;
		if (p->dup)
			continue;
		if (p->engine >= 0) {
			int64_t cid = live_room_emap_get(r, p->engine);
			if (!cid) {
				p->title = live_cluster_title(p->text);
				rc = live_store_cluster_insert(c, r->stream_id, p->title, p->at, &cid);
				if (rc < 0)
					return rc;
				live_room_emap_set(r, p->engine, cid);
				t->tentative[t->ntentative++] = p->engine;
				p->opened = true;
			} else {
				/* The engine's representative may have changed with this member. */
				struct live_cluster *k = live_room_cluster(r, cid);
				const char *rep = text_clusterer_title(r->tc, p->engine);
				if (k && k->engine == p->engine && rep && strcmp(rep, k->title) != 0) {
					rc = live_store_cluster_title(c, cid, rep);
					if (rc < 0)
						return rc;
					p->title = xstrdup(rep);
				}
			}
			p->cluster_id = cid;
		}
		rc = live_store_question_insert(c, p->in, p->cluster_id, p->text, p->nick, p->phone,
						p->kind, p->status, p->moderation, p->at, &p->id);
		if (rc < 0)
			return rc;
		if (!p->id)
			p->dup = true; /* a concurrent import stored it first */
	}
	return 0;
}

struct dup_ctx {
	struct placed *p;
	size_t n;
	int64_t stream_id;
};

static int dup_tx(struct db_conn *c, void *ctx)
{
	struct dup_ctx *d = ctx;
	for (size_t i = 0; i < d->n; i++) {
		struct placed *p = &d->p[i];
		if (!p->in->ext_id || p->dup)
			continue;
		int rc = live_store_ext_exists(c, d->stream_id, p->in->source ? p->in->source : "viewer",
					       p->in->ext_id);
		if (rc < 0)
			return rc;
		p->dup = rc > 0;
	}
	return 0;
}

static int words_tx(struct db_conn *c, void *ctx)
{
	struct live_room *r = ctx;
	char **words = NULL;
	size_t n = 0;
	int rc = live_store_words(c, r->county_id, &words, &n);
	if (rc >= 0)
		live_room_set_words(r, words, n);
	for (size_t i = 0; i < n; i++)
		free(words[i]);
	free(words);
	return rc < 0 ? rc : 0;
}

static int room_words_fresh(struct db *db, struct live_room *r)
{
	uint64_t gen = atomic_load(&live_words_gen);
	if (r->words_gen == gen)
		return 0;
	int rc = db_read_run(db, words_tx, r);
	if (rc < 0)
		return rc;
	r->words_gen = gen;
	return 0;
}

static int ext_cmp(const void *a, const void *b)
{
	const struct placed *x = *(const struct placed *const *)a, *y = *(const struct placed *const *)b;
	int c = strcmp(x->in->source ? x->in->source : "", y->in->source ? y->in->source : "");
	return c ? c : strcmp(x->in->ext_id, y->in->ext_id);
}

/* Marks repeated (source, ext_id) within the batch: the later ones are duplicates. */
static void batch_dups(struct placed *p, size_t n)
{
	struct placed **v = xmalloc((n ? n : 1) * sizeof(*v));
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i].in->ext_id)
			v[m++] = &p[i];
	qsort(v, m, sizeof(*v), ext_cmp);
	for (size_t i = 1; i < m; i++) {
		if (ext_cmp(&v[i - 1], &v[i]) == 0) {
			/* keep the first in input order */
			struct placed *later = v[i] > v[i - 1] ? v[i] : v[i - 1];
			struct placed *earlier = v[i] > v[i - 1] ? v[i - 1] : v[i];
			later->dup = true;
			v[i] = earlier;
		}
	}
	free(v);
}

static void room_apply(struct live_room *r, struct placed *p)
{
	if (p->dup || !p->id)
		return;
	live_room_asked_add(r, p->in->device, p->id, p->status);
	if (!p->cluster_id)
		return;
	struct live_cluster *k = live_room_cluster(r, p->cluster_id);
	if (!k) {
		k = live_room_cluster_add(r, p->cluster_id, p->text);
		k->engine = p->engine;
	}
	if (p->title) {
		free(k->title);
		k->title = p->title;
		p->title = NULL;
	}
	k->questions++;
	if (!k->question_id)
		k->question_id = p->id;
	live_room_set_add(&k->askers, live_room_hash(p->in->device));
	live_room_heat(k, p->at, 1.0);
}

/* Submits n messages of r's stream in one transaction; r locked. */
/* Redacts, masks and classifies one message: the work that needs no lock. */
static void place_prepare(struct placed *x, const struct live_submit *in, int64_t now)
{
	memset(x, 0, sizeof(*x));
	x->in = in;
	x->engine = -1;
	const char *text = in->text;
	size_t len = strlen(text);
	int found = 0;
	x->text = text_redact(text, len, &found);
	if (!x->text)
		abort();
	if (in->nickname && *in->nickname) {
		x->nick = text_redact(in->nickname, strlen(in->nickname), &found);
		if (!x->nick)
			abort();
	}
	if (in->phone)
		live_phone_mask(in->phone, x->phone);
	x->at = in->at_ms ? in->at_ms : now;
	x->kind = text_kind_name(text_classify(text, len));
}

static void place_free(struct placed *x)
{
	free(x->text);
	free(x->nick);
	free(x->title);
	x->text = x->nick = x->title = NULL;
}

/* Submits n prepared messages of r's stream in one transaction; r locked. The texts of
 * p move to res on success. */
static int submit_locked(struct db *db, struct live_room *r, struct placed *p, size_t n,
			 struct live_submit_result *res)
{
	int rc;
	int64_t *tentative = xmalloc(n * sizeof(*tentative));
	bool engine_used = false;
	if (strcmp(r->status, "ended") == 0) {
		rc = LIVE_ENDED;
		goto done;
	}
	rc = room_words_fresh(db, r);
	if (rc < 0)
		goto done;
	bool any_ext = false;
	for (size_t i = 0; i < n; i++)
		any_ext |= p[i].in->ext_id != NULL;
	if (any_ext) {
		batch_dups(p, n);
		struct dup_ctx d = {p, n, r->stream_id};
		rc = db_read_run(db, dup_tx, &d);
		if (rc < 0)
			goto done;
	}
	for (size_t i = 0; i < n; i++) {
		struct placed *x = &p[i];
		if (x->dup)
			continue;
		const char *text = x->in->text;
		const char *hit = NULL;
		if (r->words && text_wordlist_match(r->words, text, strlen(text), &hit)) {
			x->status = "pending";
			x->moderation = hit;
		} else if (x->nick && r->words &&
			   text_wordlist_match(r->words, x->nick, strlen(x->nick), &hit)) {
			x->status = "pending";
			x->moderation = hit;
		} else {
			x->status = "visible";
		}
		if (strcmp(x->status, "visible") == 0 && strcmp(x->kind, "question") == 0) {
			struct text_assignment a = text_clusterer_add(r->tc, x->text, strlen(x->text));
			engine_used = true;
			x->engine = a.cluster;
		}
	}
	struct submit_tx t = {r, p, n, tentative, 0};
	rc = db_tx_run(db, submit_tx_fn, &t);
	if (rc < 0) {
		if (engine_used)
			r->stale = true; /* the engine saw questions that were not stored */
		goto done;
	}
	bool changed = false;
	for (size_t i = 0; i < n; i++) {
		room_apply(r, &p[i]);
		changed |= p[i].cluster_id && !p[i].dup;
		if (p[i].dup && p[i].engine >= 0)
			r->stale = true; /* lost a race with another import: rebuild */
	}
	if (changed)
		live_room_changed(r);
	for (size_t i = 0; i < n; i++) {
		struct placed *x = &p[i];
		res[i] = (struct live_submit_result){.id = x->id, .cluster_id = x->dup ? 0 : x->cluster_id,
						     .status = x->dup ? "visible" : x->status,
						     .kind = x->kind, .duplicate = x->dup};
		res[i].text = x->text;
		x->text = NULL;
	}
	rc = 0;
done:
	free(tentative);
	return rc;
}

int live_question_submit_many(struct db *db, const struct live_submit *in, size_t n,
			      struct live_submit_result *res)
{
	if (n == 0)
		return 0;
	struct live_room *r = NULL;
	int rc = live_room_find(db, in[0].stream_id, &r);
	if (rc < 0)
		return rc;
	struct placed *p = xcalloc(n, sizeof(*p));
	int64_t now = clock_now_ms();
	for (size_t i = 0; i < n; i++)
		place_prepare(&p[i], &in[i], now);
	rc = live_room_lock(db, r);
	if (rc >= 0) {
		rc = submit_locked(db, r, p, n, res);
		live_room_release(r);
	}
	for (size_t i = 0; i < n; i++)
		place_free(&p[i]);
	free(p);
	return rc;
}

/* Group commit: a viewer's question waits in its room's queue; whichever submitter finds
 * nobody leading takes everything queued (up to SUBMIT_BATCH) into one transaction, so a
 * burst of questions costs a few commits instead of one each. */
enum { SUBMIT_BATCH = 256 };

struct submit_waiter {
	struct submit_waiter *next;
	pthread_cond_t cond; /* sync: signalled when done, or when it is to lead */
	void (*done_fn)(void *arg); /* async: called when done (then the waiter is freed) */
	void *done_arg;
	int *rc_out;
	struct placed p; /* prepared by the submitter; the leader takes its strings */
	struct live_submit_result *out;
	int rc;
	bool done;
};

/* The committer thread: leads the batches of rooms whose queue holds asynchronous
 * submissions (viewers' questions over HTTP), so no HTTP worker blocks on a commit. */
static pthread_mutex_t commit_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t commit_cond = PTHREAD_COND_INITIALIZER;
static struct live_room **commit_queue;
static size_t commit_n, commit_cap;
static bool commit_started;
static pthread_t commit_thread;

/* Puts r on the committer's list (once); r's qlock held. */
static void commit_schedule(struct live_room *r)
{
	if (r->scheduled)
		return;
	r->scheduled = true;
	pthread_mutex_lock(&commit_lock);
	if (commit_n == commit_cap) {
		commit_cap = commit_cap ? commit_cap * 2 : 16;
		commit_queue = xrealloc(commit_queue, commit_cap * sizeof(*commit_queue));
	}
	commit_queue[commit_n++] = r;
	pthread_cond_signal(&commit_cond);
	pthread_mutex_unlock(&commit_lock);
}

static void submit_lead(struct db *db, struct live_room *r);

static void *commit_main(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "tala-commit"); /* for top -H and perf */
	for (;;) {
		pthread_mutex_lock(&commit_lock);
		while (commit_n == 0)
			pthread_cond_wait(&commit_cond, &commit_lock);
		struct live_room *r = commit_queue[0];
		memmove(commit_queue, commit_queue + 1, --commit_n * sizeof(*commit_queue));
		pthread_mutex_unlock(&commit_lock);
		pthread_mutex_lock(&r->qlock);
		r->scheduled = false;
		bool lead = !r->leading && r->qhead;
		if (lead)
			r->leading = true;
		pthread_mutex_unlock(&r->qlock);
		/* When someone else leads, it schedules the room again at the end of its batch. */
		if (lead)
			submit_lead(live_room_db, r);
	}
	return NULL;
}

static void commit_start(void)
{
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&commit_thread, &at, commit_main, NULL) != 0)
		abort(); /* no thread, no viewers' questions: fail loudly at the first one */
	pthread_attr_destroy(&at);
}

static void submit_lead(struct db *db, struct live_room *r)
{
	struct submit_waiter *batch[SUBMIT_BATCH];
	size_t n = 0;
	int rc = live_room_lock(db, r);
	pthread_mutex_lock(&r->qlock);
	while (r->qhead && n < SUBMIT_BATCH) {
		batch[n++] = r->qhead;
		r->qhead = r->qhead->next;
	}
	if (!r->qhead)
		r->qtail = NULL;
	pthread_mutex_unlock(&r->qlock);
	struct placed *p = xmalloc((n ? n : 1) * sizeof(*p));
	for (size_t i = 0; i < n; i++)
		p[i] = batch[i]->p;
	if (rc >= 0) {
		struct live_submit_result *res = xcalloc(n ? n : 1, sizeof(*res));
		rc = submit_locked(db, r, p, n, res);
		for (size_t i = 0; i < n; i++)
			*batch[i]->out = res[i];
		free(res);
		live_room_release(r);
	}
	for (size_t i = 0; i < n; i++)
		place_free(&p[i]);
	free(p);
	pthread_mutex_lock(&r->qlock);
	size_t nasync = 0;
	for (size_t i = 0; i < n; i++) {
		struct submit_waiter *w = batch[i];
		w->rc = rc;
		w->done = true;
		if (w->done_fn)
			batch[nasync++] = w; /* answered below, without the queue's lock */
		else
			pthread_cond_signal(&w->cond);
	}
	r->leading = false;
	/* Wake only the next in line (it leads the next batch), not the whole queue; an
	 * asynchronous one has no thread: the committer takes the room then. */
	if (r->qhead) {
		if (r->qhead->done_fn)
			commit_schedule(r);
		else
			pthread_cond_signal(&r->qhead->cond);
	}
	pthread_mutex_unlock(&r->qlock);
	/* Each resume is a wake-up write to an HTTP worker: done under the lock, a worker
	 * queueing its next question would wait on it for the whole batch. */
	for (size_t i = 0; i < nasync; i++) {
		struct submit_waiter *w = batch[i];
		*w->rc_out = rc;
		w->done_fn(w->done_arg); /* the last touch of the request's memory */
		free(w);
	}
}

int live_question_submit(struct db *db, const struct live_submit *in,
			 struct live_submit_result *out)
{
	struct live_room *r = NULL;
	int rc = live_room_find(db, in->stream_id, &r);
	if (rc < 0)
		return rc;
	struct submit_waiter w = {.out = out};
	pthread_cond_init(&w.cond, NULL);
	place_prepare(&w.p, in, clock_now_ms());
	pthread_mutex_lock(&r->qlock);
	if (r->qtail)
		r->qtail->next = &w;
	else
		r->qhead = &w;
	r->qtail = &w;
	while (!w.done) {
		if (!r->leading) {
			r->leading = true;
			pthread_mutex_unlock(&r->qlock);
			submit_lead(db, r);
			pthread_mutex_lock(&r->qlock);
		} else {
			pthread_cond_wait(&w.cond, &r->qlock);
		}
	}
	pthread_mutex_unlock(&r->qlock);
	pthread_cond_destroy(&w.cond);
	if (w.rc < 0)
		memset(out, 0, sizeof(*out));
	return w.rc;
}

/* ---- moderation ---- */

struct moderate_tx {
	struct live_room *room;
	int64_t qid;
	bool approve;
	struct live_question_row *q;
	struct arena *a;
	int64_t engine, cluster_id, tentative;
	bool opened;
	live_tx_extra_fn extra;
	void *ctx;
	bool probe; /* first pass: only load the question */
};

static int moderate_tx_fn(struct db_conn *c, void *ctx)
{
	struct moderate_tx *m = ctx;
	struct live_room *r = m->room;
	if (m->tentative >= 0) {
		live_room_emap_set(r, m->tentative, 0);
		m->tentative = -1;
	}
	int rc = live_store_question_get(c, m->a, m->qid, &m->q);
	if (rc < 0)
		return rc;
	if (rc == DB_DONE || m->q->stream_id != r->stream_id)
		return LIVE_QUESTION_NOT_FOUND;
	if (m->probe)
		return 0;
	if (strcmp(m->q->status, m->approve ? "visible" : "rejected") == 0 ||
	    (m->approve && strcmp(m->q->status, "pending") != 0))
		return LIVE_BAD_TRANSITION;
	m->cluster_id = 0;
	m->opened = false;
	if (m->approve && m->engine >= 0) {
		int64_t cid = live_room_emap_get(r, m->engine);
		if (!cid) {
			char *title = live_cluster_title(m->q->text);
			rc = live_store_cluster_insert(c, r->stream_id, title, clock_now_ms(), &cid);
			free(title);
			if (rc < 0)
				return rc;
			live_room_emap_set(r, m->engine, cid);
			m->tentative = m->engine;
			m->opened = true;
		}
		m->cluster_id = cid;
	}
	rc = live_store_question_place(c, m->qid, m->approve ? "visible" : "rejected",
				       m->cluster_id);
	if (rc < 0)
		return rc;
	return m->extra ? m->extra(c, m->ctx) : 0;
}

int live_room_moderate(struct db *db, struct live_room *r, int64_t qid, bool approve,
		       live_tx_extra_fn extra, void *ctx, int64_t *cluster_id)
{
	struct arena *a = arena_new();
	struct moderate_tx m = {.room = r, .qid = qid, .approve = approve, .a = a, .engine = -1,
				.tentative = -1, .extra = extra, .ctx = ctx, .probe = true};
	int rc = db_read_run(db, moderate_tx_fn, &m);
	if (rc < 0)
		goto done;
	bool was_visible = strcmp(m.q->status, "visible") == 0;
	if (approve && strcmp(m.q->status, "pending") == 0 && strcmp(m.q->kind, "question") == 0) {
		struct text_assignment as = text_clusterer_add(r->tc, m.q->text, strlen(m.q->text));
		m.engine = as.cluster;
	}
	m.probe = false;
	rc = db_tx_run(db, moderate_tx_fn, &m);
	if (rc < 0) {
		if (m.engine >= 0)
			r->stale = true;
		goto done;
	}
	*cluster_id = m.cluster_id;
	live_room_counts_moved(r, m.q->device, m.q->status, approve ? "visible" : "rejected");
	if (m.cluster_id) {
		struct live_cluster *k = live_room_cluster(r, m.cluster_id);
		if (!k) {
			char *title = live_cluster_title(m.q->text);
			k = live_room_cluster_add(r, m.cluster_id, title);
			free(title);
			k->engine = m.engine;
		}
		k->questions++;
		if (!k->question_id)
			k->question_id = m.q->id;
		k->upvotes += m.q->upvotes;
		live_room_set_add(&k->askers, live_room_hash(m.q->device));
		live_room_heat(k, clock_now_ms(), 1.0);
		live_room_changed(r);
	} else if (was_visible) {
		/* A visible question taken down: its hot question's counts come from the DB. */
		rc = live_room_build(db, r);
		if (rc < 0) {
			r->stale = true;
			rc = 0;
		}
	}
	rc = 0;
done:
	arena_free(a);
	return rc;
}

int live_question_submit_async(struct db *db, const struct live_submit *in,
			       struct live_submit_result *out, int *rc, void (*done)(void *arg),
			       void *arg)
{
	struct live_room *r = NULL;
	int frc = live_room_find(db, in->stream_id, &r);
	if (frc < 0)
		return frc;
	struct submit_waiter *w = xcalloc(1, sizeof(*w));
	w->out = out;
	w->rc_out = rc;
	w->done_fn = done;
	w->done_arg = arg;
	place_prepare(&w->p, in, clock_now_ms());
	pthread_mutex_lock(&commit_lock);
	if (!commit_started) {
		commit_started = true;
		commit_start();
	}
	pthread_mutex_unlock(&commit_lock);
	pthread_mutex_lock(&r->qlock);
	if (r->qtail)
		r->qtail->next = w;
	else
		r->qhead = w;
	r->qtail = w;
	if (!r->leading)
		commit_schedule(r);
	pthread_mutex_unlock(&r->qlock);
	return 0;
}
