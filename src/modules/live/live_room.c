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
#include "modules/live/live_room_internal.h"

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

uint64_t live_room_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

static struct live_asked *asked_slot(struct live_asked *v, size_t cap, uint64_t h)
{
	size_t j = h & (cap - 1);
	while (v[j].h && v[j].h != h)
		j = (j + 1) & (cap - 1);
	return &v[j];
}

void live_room_asked_add(struct live_room *r, const char *device, int64_t id,
			 const char *status)
{
	struct live_asked_map *m = &r->asked;
	if ((m->n + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct live_asked *v = xcalloc(cap, sizeof(*v));
		for (size_t i = 0; i < m->cap; i++)
			if (m->v[i].h)
				*asked_slot(v, cap, m->v[i].h) = m->v[i];
		free(m->v);
		m->v = v;
		m->cap = cap;
	}
	uint64_t h = live_room_hash(device);
	struct live_asked *a = asked_slot(m->v, m->cap, h);
	if (!a->h) {
		a->h = h;
		m->n++;
	}
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 2;
		a->ids = xrealloc(a->ids, a->cap * sizeof(*a->ids));
	}
	a->ids[a->n++] = id;
	r->changes++;
	if (strcmp(status, "rejected") == 0)
		return;
	r->n_kept++;
	r->n_pending += strcmp(status, "pending") == 0;
	r->n_askers += a->kept++ == 0;
}

void live_room_counts_moved(struct live_room *r, const char *device, const char *from,
			    const char *to)
{
	if (!r->asked.cap)
		return;
	struct live_asked *a = asked_slot(r->asked.v, r->asked.cap, live_room_hash(device));
	if (!a->h)
		return; /* not a question of this room */
	r->changes++;
	bool was = strcmp(from, "rejected") != 0, is = strcmp(to, "rejected") != 0;
	r->n_pending += (strcmp(to, "pending") == 0) - (strcmp(from, "pending") == 0);
	if (was == is)
		return;
	r->n_kept += is ? 1 : -1;
	if (is)
		r->n_askers += a->kept++ == 0;
	else if (a->kept > 0)
		r->n_askers -= --a->kept == 0;
}

size_t live_room_asked(struct live_room *r, const char *device, int64_t *out, size_t max)
{
	if (!r->asked.cap)
		return 0;
	const struct live_asked *a = asked_slot(r->asked.v, r->asked.cap, live_room_hash(device));
	size_t k = 0;
	for (uint32_t i = a->n; i > 0 && k < max; i--)
		out[k++] = a->ids[i - 1];
	return k;
}

bool live_room_set_add(struct live_set *s, uint64_t h)
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

static const char *const status_names[] = {"open", "answered", "deferred"};

enum { ROOM_BUCKETS = 1024 };
static pthread_rwlock_t rooms_lock = PTHREAD_RWLOCK_INITIALIZER; /* the table, not the rooms */
static struct live_room *rooms[ROOM_BUCKETS];
/* An ended stream's room unused this long is emptied (rooms_sweep), looked for this often. */
enum { LIVE_ROOM_IDLE_MS = 10 * 60 * 1000, LIVE_ROOM_SWEEP_MS = 60 * 1000 };
static _Atomic int64_t rooms_next_sweep;
static _Atomic size_t rooms_built; /* rooms with built set */
_Atomic uint64_t live_words_gen = 1;
struct db *live_room_db; /* the database the rooms are built from (one per process) */

void live_words_changed(void)
{
	atomic_fetch_add(&live_words_gen, 1);
}

/* ---- clusters by id ---- */

struct live_cluster *live_room_cluster(struct live_room *r, int64_t id)
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

struct live_cluster *live_room_cluster_add(struct live_room *r, int64_t id, const char *title)
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

void live_room_emap_set(struct live_room *r, int64_t engine, int64_t id)
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

int64_t live_room_emap_get(const struct live_room *r, int64_t engine)
{
	return engine >= 0 && (size_t)engine < r->emap_cap ? r->emap[engine] : 0;
}

/* Heat events may arrive out of time order (imported comments carry their own times). */
void live_room_heat(struct live_cluster *k, int64_t at, double w)
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
	for (size_t i = 0; i < r->asked.cap; i++)
		free(r->asked.v[i].ids);
	free(r->asked.v);
	memset(&r->asked, 0, sizeof(r->asked));
	r->n_kept = r->n_askers = r->n_pending = 0;
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

void live_room_set_words(struct live_room *r, char **words, size_t n)
{
	text_wordlist_free(r->words);
	r->words = n ? text_wordlist_new((const char *const *)words, n) : NULL;
}

/* Builds the room from the database; room locked. */
int live_room_build(struct db *db, struct live_room *r)
{
	struct load_ctx x;
	memset(&x, 0, sizeof(x));
	x.stream_id = r->stream_id;
	uint64_t gen = atomic_load(&live_words_gen);
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
		struct live_cluster *k = live_room_cluster_add(r, x->id, x->title);
		k->merged_into = x->merged_into;
		k->status = status_code(x->status);
		k->answer = x->answer ? xstrdup(x->answer) : NULL;
	}
	for (size_t i = 0; i < l.nquestions; i++) {
		struct live_load_question *q = &l.questions[i];
		live_room_asked_add(r, q->device, q->id, q->status);
		if (strcmp(q->status, "visible") != 0)
			continue;
		struct live_cluster *k = live_room_cluster(r, q->cluster_id);
		if (strcmp(q->kind, "question") == 0) {
			struct text_assignment a = text_clusterer_add(r->tc, q->text, strlen(q->text));
			if (a.cluster >= 0 && k && !live_room_emap_get(r, a.cluster)) {
				live_room_emap_set(r, a.cluster, k->id);
				if (k->engine < 0)
					k->engine = a.cluster;
			}
		}
		if (!k)
			continue;
		k->questions++;
		if (!k->question_id)
			k->question_id = q->id;
		k->upvotes += q->upvotes;
		live_room_set_add(&k->askers, live_room_hash(q->device));
		live_room_heat(k, q->created_at, 1.0);
	}
	for (size_t i = 0; i < l.nvotes; i++) {
		struct live_cluster *k = live_room_cluster(r, l.votes[i].cluster_id);
		if (k)
			live_room_heat(k, l.votes[i].at, 0.5);
	}
	live_room_set_words(r, l.words, l.nwords);
	r->words_gen = gen;
	live_load_free(&l);
	if (!r->built)
		atomic_fetch_add(&rooms_built, 1);
	r->built = true;
	r->changes++;
	r->stale = false;
	live_room_changed(r);
	return 0;
}

int live_room_rebuild(struct db *db, struct live_room *room)
{
	int rc = live_room_build(db, room);
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

/* The room of stream_id when the table has one (never created here), not locked. */
static struct live_room *room_lookup(int64_t stream_id)
{
	pthread_rwlock_rdlock(&rooms_lock);
	struct live_room *r = rooms[(size_t)stream_id % ROOM_BUCKETS];
	while (r && r->stream_id != stream_id)
		r = r->next;
	pthread_rwlock_unlock(&rooms_lock);
	return r;
}

/* Empties the rooms of ended streams nobody has used for LIVE_ROOM_IDLE_MS (their
 * clusterer, hot questions and askers: megabytes for a big stream), so that a server running
 * for months holds the rooms of its recent streams only; a room emptied is built again from
 * the database on its next use (as after a restart). Rooms busy now are left for next time.
 * The table's lock is not held while a room is freed (a room, once in the table, stays). */
static void rooms_sweep(int64_t now)
{
	struct live_room **all = NULL;
	size_t n = 0, cap = 0;
	pthread_rwlock_rdlock(&rooms_lock);
	for (size_t b = 0; b < ROOM_BUCKETS; b++) {
		for (struct live_room *r = rooms[b]; r; r = r->next) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				all = xrealloc(all, cap * sizeof(*all));
			}
			all[n++] = r;
		}
	}
	pthread_rwlock_unlock(&rooms_lock);
	for (size_t i = 0; i < n; i++) {
		struct live_room *r = all[i];
		if (pthread_mutex_trylock(&r->lock) != 0)
			continue;
		pthread_mutex_lock(&r->qlock);
		bool queued = r->qhead || r->leading || r->scheduled;
		pthread_mutex_unlock(&r->qlock);
		if (r->built && !queued && strcmp(r->status, "ended") == 0 &&
		    now - r->used_ms >= LIVE_ROOM_IDLE_MS) {
			room_clear(r);
			r->built = false;
			atomic_fetch_sub(&rooms_built, 1);
			log_info("live: stream %lld's room emptied (ended, idle)",
				 (long long)r->stream_id);
		}
		pthread_mutex_unlock(&r->lock);
	}
	free(all);
}

size_t live_rooms_built(void)
{
	return atomic_load(&rooms_built);
}

/* The room of stream_id from the table (created for a stream that exists), not locked. At
 * most once a LIVE_ROOM_SWEEP_MS, the caller first sweeps the idle rooms out (rooms_sweep). */
int live_room_find(struct db *db, int64_t stream_id, struct live_room **out)
{
	live_room_db = db;
	int64_t now = clock_now_ms(), due = atomic_load(&rooms_next_sweep);
	if (now >= due &&
	    atomic_compare_exchange_strong(&rooms_next_sweep, &due, now + LIVE_ROOM_SWEEP_MS))
		rooms_sweep(now);
	size_t b = (size_t)stream_id % ROOM_BUCKETS;
	struct live_room *r = room_lookup(stream_id);
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
int live_room_lock(struct db *db, struct live_room *r)
{
	pthread_mutex_lock(&r->lock);
	r->used_ms = clock_now_ms();
	if (!r->built || r->stale) {
		int rc = live_room_build(db, r);
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
	int rc = live_room_find(db, stream_id, &r);
	if (rc < 0)
		return rc;
	rc = live_room_lock(db, r);
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
	struct live_room *r = room_lookup(stream_id);
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stale = true;
	r->changes++; /* counts kept from the database are no longer either */
	atomic_fetch_add(&r->aversion, 1); /* the published list is no longer current */
	pthread_mutex_unlock(&r->lock);
}

void live_room_counts_held(const struct live_room *r, struct live_counts *out)
{
	*out = (struct live_counts){
		.questions = r->n_kept, .askers = r->n_askers, .pending = r->n_pending};
	for (size_t i = 0; i < r->ncl; i++) {
		const struct live_cluster *k = &r->cl[i];
		if (k->merged_into)
			continue;
		out->clusters++;
		out->hot += k->questions >= 2; /* its visible questions */
	}
}

bool live_room_counts(struct db *db, int64_t stream_id, struct live_counts *out,
		      uint64_t *changes)
{
	struct live_room *r = NULL;
	*changes = 0;
	if (live_room_find(db, stream_id, &r) < 0)
		return false; /* no such stream (the caller's transaction says so) */
	pthread_mutex_lock(&r->lock);
	bool ok = r->built && !r->stale;
	if (ok) {
		live_room_counts_held(r, out);
	} else if (r->have_counted && r->counted_at == r->changes) {
		*out = r->counted;
		ok = true;
	}
	*changes = r->changes;
	pthread_mutex_unlock(&r->lock);
	return ok;
}

void live_room_counts_keep(int64_t stream_id, uint64_t changes, const struct live_counts *c)
{
	struct live_room *r = room_lookup(stream_id);
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	/* a change since they were asked for may or may not be in them: not kept then */
	if (r->changes == changes) {
		r->counted = *c;
		r->counted_at = changes;
		r->have_counted = true;
	}
	pthread_mutex_unlock(&r->lock);
}

char *live_room_snapshot(struct db *db, int64_t stream_id, uint64_t *version)
{
	struct live_room *r = NULL;
	if (live_room_find(db, stream_id, &r) < 0)
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
	return json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:f, s:s, s:b, s:o}", "cluster_id",
			 (json_int_t)k->id, "title", k->title, "question_id",
			 (json_int_t)k->question_id, "questions", (json_int_t)k->questions,
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

/* The time heat is read at: now while the stream takes questions; once it has ended, its last
 * activity, so the finished stream's list keeps the order it had at the end instead of every
 * heat decaying towards 0. */
static int64_t room_heat_clock(const struct live_room *r)
{
	int64_t now = clock_now_ms();
	if (strcmp(r->status, "ended") != 0)
		return now;
	int64_t last = 0;
	for (size_t i = 0; i < r->ncl; i++)
		if (r->cl[i].heat_ms > last)
			last = r->cl[i].heat_ms;
	return last && last < now ? last : now;
}

static json_t *room_hot_json(struct live_room *r, int limit)
{
	int64_t now = room_heat_clock(r);
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
	struct live_cluster *k = live_room_cluster(r, cluster_id);
	if (!k)
		return NULL;
	return hot_item(r, k, heat_now(k, room_heat_clock(r)));
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

void live_room_changed(struct live_room *r)
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
	if (strncmp(topic, "live:", 5) != 0 || !live_room_db)
		return NULL;
	sid = strtoll(topic + 5, NULL, 10);
	uint64_t v = 0;
	char *items = live_room_snapshot(live_room_db, sid, &v);
	if (items) {
		char *out = xasprintf("{\"stream_id\":%lld,\"version\":%llu,\"items\":%s}",
				      (long long)sid, (unsigned long long)v, items);
		free(items);
		*id = v;
		return out;
	}
	struct live_room *r = NULL;
	if (live_room_acquire(live_room_db, sid, &r) < 0)
		return NULL;
	char *text = live_room_event_text(r, id);
	live_room_release(r);
	return text;
}

void live_room_set_stream_status(struct live_room *r, const char *status)
{
	snprintf(r->status, sizeof(r->status), "%s", status);
	live_room_changed(r);
}

void live_room_set_pinned(struct live_room *r, int64_t cluster_id)
{
	r->pinned = cluster_id;
	live_room_changed(r);
}

void live_room_set_cluster(struct live_room *r, int64_t cluster_id, const char *status,
			   const char *answer)
{
	struct live_cluster *k = live_room_cluster(r, cluster_id);
	if (!k)
		return;
	k->status = status_code(status);
	if (answer) {
		free(k->answer);
		k->answer = xstrdup(answer);
	}
	live_room_changed(r);
}

void live_room_upvoted(struct live_room *r, int64_t cluster_id, int64_t at)
{
	struct live_cluster *k = live_room_cluster(r, cluster_id);
	if (!k)
		return;
	k->upvotes++;
	live_room_heat(k, at, 0.5);
	live_room_changed(r);
}

json_t *live_room_answered_json(struct live_room *r)
{
	int64_t now = room_heat_clock(r);
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

