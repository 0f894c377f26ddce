/* live_room.c — the in-memory state of a stream (its "room"): the text engine's clusterer,
 * the map from engine clusters to hot questions (stream_clusters), each hot question's
 * counts, distinct askers, upvotes and heat, the pinned one, the hot list's version and its
 * rendered top 20, and the county's sensitive-word list.
 *
 * A room is built lazily from the database (the stream's visible questions replayed in id
 * order) and then kept in step by the module: every write to a stream runs with its room
 * locked — the engine assigns, the transaction commits, then the room is updated — so one
 * stream's writers are serialised and the room never shows an uncommitted question. When a
 * transaction fails after the engine saw a question, the room is marked stale and rebuilt
 * on next use. Rooms live in a table keyed by stream id with its own lock; a room is never
 * freed while the server runs (it is small next to its clusterer). */
#include "modules/live/live_internal.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "http/sse.h"
#include "store/db.h"
#include "text/text.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ST_OPEN, ST_ANSWERED, ST_DEFERRED };
static const char *const status_names[] = {"open", "answered", "deferred"};

/* A set of 64-bit hashes (distinct askers), open addressing; 0 marks a free slot. */
struct live_set {
	uint64_t *v;
	size_t n, cap;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

static bool set_add(struct live_set *s, uint64_t h)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		uint64_t *v = xcalloc(cap, sizeof(*v));
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->v[i])
				continue;
			size_t j = s->v[i] & (cap - 1);
			while (v[j])
				j = (j + 1) & (cap - 1);
			v[j] = s->v[i];
		}
		free(s->v);
		s->v = v;
		s->cap = cap;
	}
	size_t j = h & (s->cap - 1);
	while (s->v[j]) {
		if (s->v[j] == h)
			return false;
		j = (j + 1) & (s->cap - 1);
	}
	s->v[j] = h;
	s->n++;
	return true;
}

struct live_cluster {
	int64_t id, merged_into;
	char *title, *answer;
	int status;
	int64_t questions, upvotes;
	struct live_set askers;
	double heat;
	int64_t heat_ms;
	int64_t engine; /* the engine cluster it was opened for, -1 when none */
};

struct live_room {
	struct live_room *next; /* in the table */
	int64_t stream_id, county_id;
	pthread_mutex_t lock;
	bool built, stale;
	char status[16];
	struct text_clusterer *tc;
	int64_t *emap; /* engine cluster → hot question id (0: none) */
	size_t emap_cap;
	struct live_cluster *cl;
	size_t ncl, capcl;
	size_t *slot; /* id hash → index + 1 into cl */
	size_t slot_cap;
	int64_t pinned;
	uint64_t version;
	char *hot20;
	uint64_t hot20_version;
	int64_t hot20_ms;
	struct text_wordlist *words;
	uint64_t words_gen;
	/* group commit of viewers' questions: waiting submitters, and whether one leads */
	pthread_mutex_t qlock;
	struct submit_waiter *qhead, *qtail;
	/* the published top 20: read without the room lock while it is current */
	pthread_mutex_t pub_lock;
	char *pub;
	uint64_t pub_version;
	int64_t pub_ms;
	_Atomic uint64_t aversion; /* version, readable without the room lock */
	bool leading;   /* a batch of this room is being written */
	bool scheduled; /* on the committer's list */
};

enum { ROOM_BUCKETS = 1024 };
static pthread_rwlock_t rooms_lock = PTHREAD_RWLOCK_INITIALIZER; /* the table, not the rooms */
static struct live_room *rooms[ROOM_BUCKETS];
static _Atomic uint64_t words_gen = 1;
static struct db *render_db; /* the database the rooms are built from (one per process) */

void live_words_changed(void)
{
	atomic_fetch_add(&words_gen, 1);
}

/* ---- clusters by id ---- */

static struct live_cluster *room_cluster(struct live_room *r, int64_t id)
{
	if (!r->slot_cap || id <= 0)
		return NULL;
	size_t j = (size_t)id & (r->slot_cap - 1);
	while (r->slot[j]) {
		struct live_cluster *k = &r->cl[r->slot[j] - 1];
		if (k->id == id)
			return k;
		j = (j + 1) & (r->slot_cap - 1);
	}
	return NULL;
}

static void room_slot_put(struct live_room *r, int64_t id, size_t index)
{
	size_t j = (size_t)id & (r->slot_cap - 1);
	while (r->slot[j])
		j = (j + 1) & (r->slot_cap - 1);
	r->slot[j] = index + 1;
}

static struct live_cluster *room_cluster_add(struct live_room *r, int64_t id, const char *title)
{
	if (r->ncl == r->capcl) {
		r->capcl = r->capcl ? r->capcl * 2 : 32;
		r->cl = xrealloc(r->cl, r->capcl * sizeof(*r->cl));
	}
	if ((r->ncl + 1) * 2 > r->slot_cap) {
		free(r->slot);
		r->slot_cap = r->slot_cap ? r->slot_cap * 2 : 64;
		r->slot = xcalloc(r->slot_cap, sizeof(*r->slot));
		for (size_t i = 0; i < r->ncl; i++)
			room_slot_put(r, r->cl[i].id, i);
	}
	struct live_cluster *k = &r->cl[r->ncl];
	memset(k, 0, sizeof(*k));
	k->id = id;
	k->title = xstrdup(title ? title : "");
	k->engine = -1;
	room_slot_put(r, id, r->ncl);
	r->ncl++;
	return k;
}

static void room_emap_set(struct live_room *r, int64_t engine, int64_t id)
{
	if (engine < 0)
		return;
	if ((size_t)engine >= r->emap_cap) {
		size_t cap = r->emap_cap ? r->emap_cap : 64;
		while (cap <= (size_t)engine)
			cap *= 2;
		r->emap = xrealloc(r->emap, cap * sizeof(*r->emap));
		memset(r->emap + r->emap_cap, 0, (cap - r->emap_cap) * sizeof(*r->emap));
		r->emap_cap = cap;
	}
	r->emap[engine] = id;
}

static int64_t room_emap_get(const struct live_room *r, int64_t engine)
{
	return engine >= 0 && (size_t)engine < r->emap_cap ? r->emap[engine] : 0;
}

/* Heat events may arrive out of time order (imported comments carry their own times). */
static void cluster_heat(struct live_cluster *k, int64_t at, double w)
{
	if (!k->heat_ms) {
		k->heat = w;
		k->heat_ms = at;
	} else if (at >= k->heat_ms) {
		k->heat = text_heat_add(k->heat, k->heat_ms, at, w);
		k->heat_ms = at;
	} else {
		k->heat += text_heat_at(w, at, k->heat_ms);
	}
}

static void room_clear(struct live_room *r)
{
	text_clusterer_free(r->tc);
	r->tc = NULL;
	for (size_t i = 0; i < r->ncl; i++) {
		free(r->cl[i].title);
		free(r->cl[i].answer);
		free(r->cl[i].askers.v);
	}
	free(r->cl);
	r->cl = NULL;
	r->ncl = r->capcl = 0;
	free(r->slot);
	r->slot = NULL;
	r->slot_cap = 0;
	free(r->emap);
	r->emap = NULL;
	r->emap_cap = 0;
	text_wordlist_free(r->words);
	r->words = NULL;
	free(r->hot20);
	r->hot20 = NULL;
	r->hot20_version = 0;
}

static int status_code(const char *s)
{
	return s && strcmp(s, "answered") == 0 ? ST_ANSWERED
	       : s && strcmp(s, "deferred") == 0 ? ST_DEFERRED
						  : ST_OPEN;
}

struct load_ctx {
	int64_t stream_id;
	struct live_load l;
};

static int load_tx(struct db_conn *c, void *ctx)
{
	struct load_ctx *x = ctx;
	live_load_free(&x->l); /* a retried read starts again */
	return live_store_load(c, x->stream_id, &x->l);
}

static void room_set_words(struct live_room *r, char **words, size_t n)
{
	text_wordlist_free(r->words);
	r->words = n ? text_wordlist_new((const char *const *)words, n) : NULL;
}

static void room_changed(struct live_room *r);

/* Builds the room from the database; room locked. */
static int room_build(struct db *db, struct live_room *r)
{
	struct load_ctx x;
	memset(&x, 0, sizeof(x));
	x.stream_id = r->stream_id;
	uint64_t gen = atomic_load(&words_gen);
	int rc = db_read_run(db, load_tx, &x);
	if (rc < 0 || rc == DB_DONE) {
		live_load_free(&x.l);
		return rc < 0 ? rc : LIVE_NOT_FOUND;
	}
	struct live_load l = x.l;
	room_clear(r);
	r->county_id = l.county_id;
	r->pinned = l.pinned;
	snprintf(r->status, sizeof(r->status), "%s", l.status);
	r->tc = text_clusterer_new(NULL);
	for (size_t i = 0; i < l.nclusters; i++) {
		struct live_load_cluster *x = &l.clusters[i];
		struct live_cluster *k = room_cluster_add(r, x->id, x->title);
		k->merged_into = x->merged_into;
		k->status = status_code(x->status);
		k->answer = x->answer ? xstrdup(x->answer) : NULL;
	}
	for (size_t i = 0; i < l.nquestions; i++) {
		struct live_load_question *q = &l.questions[i];
		if (strcmp(q->status, "visible") != 0)
			continue;
		struct live_cluster *k = room_cluster(r, q->cluster_id);
		if (strcmp(q->kind, "question") == 0) {
			struct text_assignment a = text_clusterer_add(r->tc, q->text, strlen(q->text));
			if (a.cluster >= 0 && k && !room_emap_get(r, a.cluster)) {
				room_emap_set(r, a.cluster, k->id);
				if (k->engine < 0)
					k->engine = a.cluster;
			}
		}
		if (!k)
			continue;
		k->questions++;
		k->upvotes += q->upvotes;
		set_add(&k->askers, hash_str(q->device));
		cluster_heat(k, q->created_at, 1.0);
	}
	for (size_t i = 0; i < l.nvotes; i++) {
		struct live_cluster *k = room_cluster(r, l.votes[i].cluster_id);
		if (k)
			cluster_heat(k, l.votes[i].at, 0.5);
	}
	room_set_words(r, l.words, l.nwords);
	r->words_gen = gen;
	live_load_free(&l);
	r->built = true;
	r->stale = false;
	room_changed(r);
	return 0;
}

int live_room_rebuild(struct db *db, struct live_room *room)
{
	int rc = room_build(db, room);
	if (rc < 0)
		room->stale = true;
	return rc;
}

struct exists_ctx {
	int64_t id;
};

static int exists_tx(struct db_conn *c, void *ctx)
{
	struct exists_ctx *e = ctx;
	int64_t n = 0;
	int rc = db_query_int(c, &n, "SELECT COUNT(*) FROM streams WHERE id = ?", "i", e->id);
	if (rc < 0)
		return rc;
	return n > 0 ? 1 : 0;
}

/* The room of stream_id from the table (created for a stream that exists), not locked. */
static int room_find(struct db *db, int64_t stream_id, struct live_room **out)
{
	render_db = db;
	size_t b = (size_t)stream_id % ROOM_BUCKETS;
	pthread_rwlock_rdlock(&rooms_lock);
	struct live_room *r = rooms[b];
	while (r && r->stream_id != stream_id)
		r = r->next;
	pthread_rwlock_unlock(&rooms_lock);
	if (!r) {
		/* Only streams that exist get a room: unknown ids must not grow the table. */
		struct exists_ctx e = {stream_id};
		int rc = db_read_run(db, exists_tx, &e);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return LIVE_NOT_FOUND;
		pthread_rwlock_wrlock(&rooms_lock);
		for (r = rooms[b]; r && r->stream_id != stream_id; r = r->next)
			;
		if (!r) {
			r = xcalloc(1, sizeof(*r));
			r->stream_id = stream_id;
			pthread_mutex_init(&r->lock, NULL);
			pthread_mutex_init(&r->qlock, NULL);
			pthread_mutex_init(&r->pub_lock, NULL);
			r->next = rooms[b];
			rooms[b] = r;
		}
		pthread_rwlock_unlock(&rooms_lock);
	}
	*out = r;
	return 0;
}

/* Locks r and builds it when needed. */
static int room_lock(struct db *db, struct live_room *r)
{
	pthread_mutex_lock(&r->lock);
	if (!r->built || r->stale) {
		int rc = room_build(db, r);
		if (rc < 0) {
			pthread_mutex_unlock(&r->lock);
			return rc;
		}
	}
	return 0;
}

int live_room_acquire(struct db *db, int64_t stream_id, struct live_room **out)
{
	struct live_room *r = NULL;
	int rc = room_find(db, stream_id, &r);
	if (rc < 0)
		return rc;
	rc = room_lock(db, r);
	if (rc < 0)
		return rc;
	*out = r;
	return 0;
}

void live_room_release(struct live_room *room)
{
	pthread_mutex_unlock(&room->lock);
}

void live_room_forget(int64_t stream_id)
{
	pthread_rwlock_rdlock(&rooms_lock);
	struct live_room *r = rooms[(size_t)stream_id % ROOM_BUCKETS];
	while (r && r->stream_id != stream_id)
		r = r->next;
	pthread_rwlock_unlock(&rooms_lock);
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stale = true;
	atomic_fetch_add(&r->aversion, 1); /* the published list is no longer current */
	pthread_mutex_unlock(&r->lock);
}

char *live_room_snapshot(struct db *db, int64_t stream_id, uint64_t *version)
{
	struct live_room *r = NULL;
	if (room_find(db, stream_id, &r) < 0)
		return NULL;
	char *out = NULL;
	int64_t now = clock_now_ms();
	pthread_mutex_lock(&r->pub_lock);
	if (r->pub && r->pub_version == atomic_load(&r->aversion) && now >= r->pub_ms &&
	    now - r->pub_ms < 5000) {
		out = xstrdup(r->pub);
		*version = r->pub_version;
	}
	pthread_mutex_unlock(&r->pub_lock);
	return out;
}

void live_rooms_free(void)
{
	pthread_rwlock_wrlock(&rooms_lock);
	for (size_t b = 0; b < ROOM_BUCKETS; b++) {
		struct live_room *r = rooms[b];
		while (r) {
			struct live_room *next = r->next;
			room_clear(r);
			pthread_mutex_destroy(&r->lock);
			pthread_mutex_destroy(&r->qlock);
			pthread_mutex_destroy(&r->pub_lock);
			free(r->pub);
			free(r);
			r = next;
		}
		rooms[b] = NULL;
	}
	pthread_rwlock_unlock(&rooms_lock);
}

uint64_t live_room_version(const struct live_room *room)
{
	return room->version;
}

/* ---- the hot list ---- */

struct rank {
	struct live_cluster *k;
	double heat;
	bool pinned;
};

int live_hot_order(bool pinned_a, double heat_a, int64_t id_a, bool pinned_b, double heat_b,
		   int64_t id_b)
{
	if (pinned_a != pinned_b)
		return pinned_a ? -1 : 1;
	if (heat_a != heat_b)
		return heat_a > heat_b ? -1 : 1;
	return id_a < id_b ? -1 : id_a > id_b;
}

static int rank_cmp(const void *a, const void *b)
{
	const struct rank *x = a, *y = b;
	return live_hot_order(x->pinned, x->heat, x->k->id, y->pinned, y->heat, y->k->id);
}

static json_t *hot_item(const struct live_room *r, const struct live_cluster *k, double heat)
{
	return json_pack("{s:I, s:s, s:I, s:I, s:I, s:f, s:s, s:b, s:o}", "cluster_id",
			 (json_int_t)k->id, "title", k->title, "questions", (json_int_t)k->questions,
			 "askers", (json_int_t)k->askers.n, "upvotes", (json_int_t)k->upvotes,
			 "heat", round(heat * 1000.0) / 1000.0, "status", status_names[k->status],
			 "pinned", k->id == r->pinned, "answer",
			 k->answer ? json_string(k->answer) : json_null());
}

static double heat_now(const struct live_cluster *k, int64_t now)
{
	if (!k->heat_ms || k->heat_ms >= now)
		return k->heat;
	return text_heat_at(k->heat, k->heat_ms, now);
}

static json_t *room_hot_json(struct live_room *r, int limit)
{
	int64_t now = clock_now_ms();
	struct rank *rk = xmalloc((r->ncl ? r->ncl : 1) * sizeof(*rk));
	size_t n = 0;
	for (size_t i = 0; i < r->ncl; i++) {
		struct live_cluster *k = &r->cl[i];
		if (k->merged_into || (!k->questions && k->id != r->pinned))
			continue;
		rk[n++] = (struct rank){k, heat_now(k, now), k->id == r->pinned};
	}
	if (n > (size_t)limit * 4) {
		/* Only the top limit matter: keep them sorted at the front, O(n × limit) at worst
		 * but mostly one comparison with the last kept. */
		size_t m = 0;
		for (size_t j = 0; j < n; j++) {
			struct rank c = rk[j];
			if (m == (size_t)limit && rank_cmp(&c, &rk[m - 1]) >= 0)
				continue;
			size_t at = m < (size_t)limit ? m++ : m - 1;
			while (at > 0 && rank_cmp(&c, &rk[at - 1]) < 0) {
				rk[at] = rk[at - 1];
				at--;
			}
			rk[at] = c;
		}
		n = m;
	} else {
		qsort(rk, n, sizeof(*rk), rank_cmp);
	}
	json_t *items = json_array();
	for (size_t i = 0; i < n && (int)i < limit; i++)
		json_array_append_new(items, hot_item(r, rk[i].k, rk[i].heat));
	free(rk);
	return items;
}

char *live_room_hot_text(struct live_room *r, int limit)
{
	int64_t now = clock_now_ms();
	if (limit == LIVE_EVENT_ITEMS && r->hot20 && r->hot20_version == r->version &&
	    now - r->hot20_ms < 5000 && now >= r->hot20_ms)
		return xstrdup(r->hot20);
	json_t *items = room_hot_json(r, limit);
	char *text = json_dumps(items, JSON_COMPACT | JSON_REAL_PRECISION(9));
	json_decref(items);
	if (!text)
		abort();
	if (limit == LIVE_EVENT_ITEMS) {
		free(r->hot20);
		r->hot20 = xstrdup(text);
		r->hot20_version = r->version;
		r->hot20_ms = now;
		pthread_mutex_lock(&r->pub_lock);
		free(r->pub);
		r->pub = xstrdup(text);
		r->pub_version = r->version;
		r->pub_ms = now;
		pthread_mutex_unlock(&r->pub_lock);
	}
	return text;
}

json_t *live_room_hot_one(struct live_room *r, int64_t cluster_id)
{
	struct live_cluster *k = room_cluster(r, cluster_id);
	if (!k)
		return NULL;
	return hot_item(r, k, heat_now(k, clock_now_ms()));
}

char *live_room_event_text(struct live_room *r, uint64_t *version)
{
	char *items = live_room_hot_text(r, LIVE_EVENT_ITEMS);
	char *out = xasprintf("{\"stream_id\":%lld,\"version\":%llu,\"items\":%s}",
			      (long long)r->stream_id, (unsigned long long)r->version, items);
	free(items);
	*version = r->version;
	return out;
}

/* The hub thread's render of topic "live:ID". */
static char *room_render(const char *topic, uint64_t *id);

/* Publishes the room's top 20 for readers that do not take the room lock (the render of
 * the top 20 does); room locked. */
static void room_publish(struct live_room *r)
{
	free(live_room_hot_text(r, LIVE_EVENT_ITEMS));
}

static void room_changed(struct live_room *r)
{
	r->version++;
	atomic_store(&r->aversion, r->version);
	room_publish(r);
	char topic[SSE_TOPIC_MAX + 1];
	snprintf(topic, sizeof(topic), "live:%lld", (long long)r->stream_id);
	sse_touch(topic, "hot", room_render);
}

static char *room_render(const char *topic, uint64_t *id)
{
	int64_t sid = 0;
	if (strncmp(topic, "live:", 5) != 0 || !render_db)
		return NULL;
	sid = strtoll(topic + 5, NULL, 10);
	uint64_t v = 0;
	char *items = live_room_snapshot(render_db, sid, &v);
	if (items) {
		char *out = xasprintf("{\"stream_id\":%lld,\"version\":%llu,\"items\":%s}",
				      (long long)sid, (unsigned long long)v, items);
		free(items);
		*id = v;
		return out;
	}
	struct live_room *r = NULL;
	if (live_room_acquire(render_db, sid, &r) < 0)
		return NULL;
	char *text = live_room_event_text(r, id);
	live_room_release(r);
	return text;
}

void live_room_set_stream_status(struct live_room *r, const char *status)
{
	snprintf(r->status, sizeof(r->status), "%s", status);
	room_changed(r);
}

void live_room_set_pinned(struct live_room *r, int64_t cluster_id)
{
	r->pinned = cluster_id;
	room_changed(r);
}

void live_room_set_cluster(struct live_room *r, int64_t cluster_id, const char *status,
			   const char *answer)
{
	struct live_cluster *k = room_cluster(r, cluster_id);
	if (!k)
		return;
	k->status = status_code(status);
	if (answer) {
		free(k->answer);
		k->answer = xstrdup(answer);
	}
	room_changed(r);
}

void live_room_upvoted(struct live_room *r, int64_t cluster_id, int64_t at)
{
	struct live_cluster *k = room_cluster(r, cluster_id);
	if (!k)
		return;
	k->upvotes++;
	cluster_heat(k, at, 0.5);
	room_changed(r);
}

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
		room_emap_set(r, t->tentative[i], 0);
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
			int64_t cid = room_emap_get(r, p->engine);
			if (!cid) {
				rc = live_store_cluster_insert(c, r->stream_id, p->text, p->at, &cid);
				if (rc < 0)
					return rc;
				room_emap_set(r, p->engine, cid);
				t->tentative[t->ntentative++] = p->engine;
				p->opened = true;
			} else {
				/* The engine's representative may have changed with this member. */
				struct live_cluster *k = room_cluster(r, cid);
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
		room_set_words(r, words, n);
	for (size_t i = 0; i < n; i++)
		free(words[i]);
	free(words);
	return rc < 0 ? rc : 0;
}

static int room_words_fresh(struct db *db, struct live_room *r)
{
	uint64_t gen = atomic_load(&words_gen);
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
	if (p->dup || !p->id || !p->cluster_id)
		return;
	struct live_cluster *k = room_cluster(r, p->cluster_id);
	if (!k) {
		k = room_cluster_add(r, p->cluster_id, p->text);
		k->engine = p->engine;
	}
	if (p->title) {
		free(k->title);
		k->title = p->title;
		p->title = NULL;
	}
	k->questions++;
	set_add(&k->askers, hash_str(p->in->device));
	cluster_heat(k, p->at, 1.0);
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
		room_changed(r);
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
	int rc = room_find(db, in[0].stream_id, &r);
	if (rc < 0)
		return rc;
	struct placed *p = xcalloc(n, sizeof(*p));
	int64_t now = clock_now_ms();
	for (size_t i = 0; i < n; i++)
		place_prepare(&p[i], &in[i], now);
	rc = room_lock(db, r);
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
			submit_lead(render_db, r);
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
	int rc = room_lock(db, r);
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
	for (size_t i = 0; i < n; i++) {
		struct submit_waiter *w = batch[i];
		w->rc = rc;
		w->done = true;
		if (w->done_fn) {
			*w->rc_out = rc;
			w->done_fn(w->done_arg); /* the last touch of the request's memory */
			free(w);
		} else {
			pthread_cond_signal(&w->cond);
		}
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
}

int live_question_submit(struct db *db, const struct live_submit *in,
			 struct live_submit_result *out)
{
	struct live_room *r = NULL;
	int rc = room_find(db, in->stream_id, &r);
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
		room_emap_set(r, m->tentative, 0);
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
		int64_t cid = room_emap_get(r, m->engine);
		if (!cid) {
			rc = live_store_cluster_insert(c, r->stream_id, m->q->text, clock_now_ms(), &cid);
			if (rc < 0)
				return rc;
			room_emap_set(r, m->engine, cid);
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
	if (m.cluster_id) {
		struct live_cluster *k = room_cluster(r, m.cluster_id);
		if (!k) {
			k = room_cluster_add(r, m.cluster_id, m.q->text);
			k->engine = m.engine;
		}
		k->questions++;
		k->upvotes += m.q->upvotes;
		set_add(&k->askers, hash_str(m.q->device));
		cluster_heat(k, clock_now_ms(), 1.0);
		room_changed(r);
	} else if (was_visible) {
		/* A visible question taken down: its hot question's counts come from the DB. */
		rc = room_build(db, r);
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

json_t *live_room_answered_json(struct live_room *r)
{
	int64_t now = clock_now_ms();
	json_t *items = json_array();
	for (size_t i = r->ncl; i-- > 0;) {
		struct live_cluster *k = &r->cl[i];
		if (k->status == ST_ANSWERED && !k->merged_into)
			json_array_append_new(items, hot_item(r, k, heat_now(k, now)));
	}
	return items;
}

int64_t live_room_pinned(const struct live_room *r)
{
	return r->pinned;
}

const char *live_room_stream_status(const struct live_room *r)
{
	return r->status;
}

int live_question_submit_async(struct db *db, const struct live_submit *in,
			       struct live_submit_result *out, int *rc, void (*done)(void *arg),
			       void *arg)
{
	struct live_room *r = NULL;
	int frc = room_find(db, in->stream_id, &r);
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
