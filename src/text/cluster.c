/* cluster.c — online clustering of questions into hot questions (热点问题), and heat.
 *
 * A cluster keeps its first CL_MEMBERS members (their shingle sets and raw text). A new
 * question is scored against a few candidate clusters by its average similarity to their
 * stored members and joins the best one at or above the threshold, or opens a new cluster.
 * Candidates come from an inverted index: bigram hash → the clusters whose members have it
 * (a contiguous vector, newest last); the question's rarest bigrams are looked up first and
 * a bounded number of postings walked, so the work per question does not grow with the
 * stream. Shingle weights are damped by the stream's own document frequencies, so the topic
 * every question of a stream shares counts less than what tells questions apart.
 *
 * Memory is bounded by max_clusters: past it the least recently joined cluster is retired
 * (its members freed, its postings stale, its id never reused); the index drops stale
 * postings when it compacts a full vector and rebuilds itself once stale postings outnumber
 * live ones. Storage grows geometrically and is reused from size-classed free lists, so a
 * question is added without a call to malloc in the steady state. */
#include "text/text.h"
#include "text/text_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE__
#include <xmmintrin.h>
#endif

enum {
	CL_MEMBERS = 3,	   /* stored members per cluster (the first ones) */
	CL_DOC_CPS = 64,   /* a question is compared on its first 64 characters */
	CL_SCAN = 128,	   /* postings walked per question at most */
	CL_CHAIN = 32,	   /* postings walked per bigram at most (the newest) */
	CL_CANDS = 4,	   /* candidate clusters scored per question */
	CL_PROBES = 8,	   /* bigrams of a question looked up in the index (the heaviest) */
	CL_CLASSES = 12,   /* pool size classes: 16 << k bytes; bigger blocks are malloc'd */
	CL_CHUNK = 1 << 16 /* bytes carved into blocks at a time */
};
#define CL_NONE UINT32_MAX
#define CL_DEFAULT_MAX 100000
#define CL_MAX_CLUSTERS (1U << 22) /* max_clusters is capped here */
/* The default threshold, tuned on the DIAC2019 dev stream for BCubed F1 and ARI with
 * precision kept on the hard negatives (docs/text.md). Lower than text_same_threshold():
 * a question is scored by its average similarity to a cluster's members, with the stream's
 * own frequencies damping the topic. */
#define CL_THRESHOLD 0.48
#define CL_CAND_RATIO 0.5f /* candidates with less than this of the best overlap are skipped */
#define CL_DF_UNI ((1U << 14) - 1) /* document frequency tables, by hash bits */
#define CL_DF_BI ((1U << 16) - 1)
#define CL_DF_K 100.0f /* smoothing of the stream's document frequencies */
enum { CL_LOG_TAB = 8192 };

/* ---- blocks: size-classed free lists over big chunks ------------------------------- */

struct cl_chunk {
	struct cl_chunk *next;
};

struct cl_pool {
	void *free[CL_CLASSES];
	struct cl_chunk *chunks;
	char *cur; /* unused rest of the newest chunk */
	size_t left;
};

static unsigned pool_class(size_t size)
{
	unsigned k = 0;
	while (((size_t)16 << k) < size)
		k++;
	return k;
}

static void *pool_get(struct cl_pool *p, unsigned k)
{
	if (k >= CL_CLASSES)
		return malloc((size_t)16 << k);
	size_t size = (size_t)16 << k;
	if (p->free[k]) {
		void *b = p->free[k];
		memcpy(&p->free[k], b, sizeof(void *));
		return b;
	}
	if (p->left < size) {
		size_t want = CL_CHUNK > size + 64 ? CL_CHUNK : size + 64;
		struct cl_chunk *ch = malloc(want);
		if (!ch)
			return NULL;
		ch->next = p->chunks;
		p->chunks = ch;
		p->cur = (char *)ch + 64;
		p->left = want - 64;
	}
	void *b = p->cur;
	p->cur += size;
	p->left -= size;
	return b;
}

static void pool_put(struct cl_pool *p, void *b, unsigned k)
{
	if (k >= CL_CLASSES) {
		free(b);
		return;
	}
	memcpy(b, &p->free[k], sizeof(void *));
	p->free[k] = b;
}

/* ---- the clusterer ------------------------------------------------------------------ */

struct cl_doc { /* a stored member */
	uint32_t n;	/* shingles */
	uint32_t cls;	/* block size class */
	uint32_t intent;
	float total;
	uint32_t *hash; /* in one block: hash[n], w[n], text NUL-terminated */
	float *w;
	char *text;
};

struct cl_cluster {
	int64_t id;
	uint32_t prev, next; /* LRU list, most recently joined first; next = free list */
	uint32_t ndocs, rep;
	struct cl_doc docs[CL_MEMBERS];
	float simsum[CL_MEMBERS]; /* similarity of each stored member to the others */
	char *title;		  /* display form of the representative (a pool block), or NULL */
	uint32_t title_cls;	  /* its block size class */
	bool live;
};

struct cl_posting {
	uint32_t slot, gen; /* a cluster and its generation (stale when they differ) */
};

/* The inverted index: bigram hash → clusters. Most bigrams belong to one cluster, whose
 * posting is kept in the entry itself; more go to a vector from the pool. 16 bytes. */
#define CL_INLINE 0xFF
struct cl_entry {
	uint32_t key;	  /* 0 = empty (a shingle hash never is 0) */
	uint32_t len : 24; /* postings */
	uint32_t cls : 8;  /* block size class of u.p, or CL_INLINE for u.one */
	union {
		struct cl_posting one;
		struct cl_posting *p;
	} u;
};

static inline struct cl_posting *cl_postings(struct cl_entry *e)
{
	return e->cls == CL_INLINE ? &e->u.one : e->u.p;
}

static inline const struct cl_posting *cl_postings_c(const struct cl_entry *e)
{
	return e->cls == CL_INLINE ? &e->u.one : e->u.p;
}

/* What the posting walk reads and writes of a cluster slot, side by side: one cache line
 * for the liveness test and the sum. */
struct cl_slot {
	uint32_t gen; /* bumped when the slot's cluster retires */
	float acc;    /* cl_find's per-question work space, 0 between questions */
};

struct cl_scratch { /* per-question work space (a clusterer is used by one thread) */
	uint32_t *touched; /* slots with acc > 0, room for one more than slots */
};

struct text_clusterer {
	double threshold;
	size_t max_clusters;
	int64_t next_id;
	struct cl_pool pool;
	struct cl_cluster *clusters;
	struct cl_slot *slot; /* by cluster slot */
	uint32_t nclusters, cap_clusters, free_cluster, live;
	uint32_t lru_head, lru_tail;
	struct {
		int64_t *ids; /* id → slot, open addressing; -1 = empty */
		uint32_t *slots;
		uint32_t mask;
	} map;
	struct cl_entry *index;
	uint32_t index_mask, index_used;
	size_t postings, stale; /* postings in the index, of which stale */
	struct cl_scratch scratch;
	uint64_t nquestions; /* added, for the stream's document frequencies */
	uint32_t *df_uni;    /* questions with a character, by hash >> 2 & CL_DF_UNI */
	uint16_t *df_bi;     /* questions with a bigram (saturating), by hash >> 2 & CL_DF_BI */
	float logtab[CL_LOG_TAB]; /* log(i + 1) */
};

static uint32_t cl_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

/* ---- id map ---- */

static int cl_map_init(struct text_clusterer *c, uint32_t cap)
{
	c->map.ids = malloc(cap * sizeof(*c->map.ids));
	c->map.slots = malloc(cap * sizeof(*c->map.slots));
	if (!c->map.ids || !c->map.slots)
		return -1;
	for (uint32_t i = 0; i < cap; i++)
		c->map.ids[i] = -1;
	c->map.mask = cap - 1;
	return 0;
}

static uint32_t cl_map_find(const struct text_clusterer *c, int64_t id)
{
	for (uint32_t i = cl_mix((uint64_t)id) & c->map.mask;; i = (i + 1) & c->map.mask) {
		if (c->map.ids[i] == id)
			return c->map.slots[i];
		if (c->map.ids[i] < 0)
			return CL_NONE;
	}
}

static void cl_map_put(struct text_clusterer *c, int64_t id, uint32_t slot)
{
	uint32_t i = cl_mix((uint64_t)id) & c->map.mask;
	while (c->map.ids[i] >= 0)
		i = (i + 1) & c->map.mask;
	c->map.ids[i] = id;
	c->map.slots[i] = slot;
}

static void cl_map_del(struct text_clusterer *c, int64_t id)
{
	uint32_t m = c->map.mask;
	uint32_t i = cl_mix((uint64_t)id) & m;
	while (c->map.ids[i] != id) {
		if (c->map.ids[i] < 0)
			return;
		i = (i + 1) & m;
	}
	/* backward-shift deletion keeps every probe chain whole */
	for (uint32_t j = (i + 1) & m; c->map.ids[j] >= 0; j = (j + 1) & m) {
		uint32_t home = cl_mix((uint64_t)c->map.ids[j]) & m;
		if (((j - home) & m) >= ((j - i) & m)) {
			c->map.ids[i] = c->map.ids[j];
			c->map.slots[i] = c->map.slots[j];
			i = j;
		}
	}
	c->map.ids[i] = -1;
}

/* Doubles the map when it is half full. */
static int cl_map_grow(struct text_clusterer *c)
{
	if ((size_t)c->live * 2 < (size_t)c->map.mask + 1)
		return 0;
	int64_t *ids = c->map.ids;
	uint32_t *slots = c->map.slots;
	uint32_t old = c->map.mask + 1;
	if (cl_map_init(c, old * 2) < 0) {
		free(c->map.ids);
		free(c->map.slots);
		c->map.ids = ids;
		c->map.slots = slots;
		c->map.mask = old - 1;
		return -1;
	}
	for (uint32_t i = 0; i < old; i++)
		if (ids[i] >= 0)
			cl_map_put(c, ids[i], slots[i]);
	free(ids);
	free(slots);
	return 0;
}

/* ---- inverted index ---- */

static const struct cl_entry *cl_index_find(const struct text_clusterer *c, uint32_t key)
{
	for (uint32_t i = cl_mix(key) & c->index_mask;; i = (i + 1) & c->index_mask) {
		if (c->index[i].key == key)
			return &c->index[i];
		if (c->index[i].key == 0)
			return NULL;
	}
}

static void cl_index_clear(struct text_clusterer *c)
{
	for (uint32_t i = 0; i <= c->index_mask; i++)
		if (c->index[i].key && c->index[i].cls != CL_INLINE)
			pool_put(&c->pool, c->index[i].u.p, c->index[i].cls);
	memset(c->index, 0, ((size_t)c->index_mask + 1) * sizeof(*c->index));
	c->index_used = 0;
	c->postings = c->stale = 0;
}

static bool cl_posting_live(const struct text_clusterer *c, struct cl_posting p)
{
	return c->slot[p.slot].gen == p.gen; /* a retired cluster's slot has a new generation */
}

/* Appends a posting of cluster slot to key's vector; -1 when out of memory. */
static int cl_index_add(struct text_clusterer *c, uint32_t key, uint32_t slot)
{
	uint32_t i = cl_mix(key) & c->index_mask;
	while (c->index[i].key != key && c->index[i].key != 0)
		i = (i + 1) & c->index_mask;
	struct cl_entry *e = &c->index[i];
	struct cl_posting np = {slot, c->slot[slot].gen};
	if (e->key == 0) {
		*e = (struct cl_entry){.key = key, .len = 1, .cls = CL_INLINE, .u.one = np};
		c->index_used++;
		c->postings++;
		return 0;
	}
	struct cl_posting *v = cl_postings(e);
	if (e->len > 0 && v[e->len - 1].slot == slot && v[e->len - 1].gen == np.gen)
		return 0; /* the cluster is there already (another of its members) */
	size_t cap = e->cls == CL_INLINE ? 1 : ((size_t)16 << e->cls) / sizeof(struct cl_posting);
	if (e->len == cap && cap > 1) { /* full: drop stale postings before growing */
		uint32_t m = 0;
		for (uint32_t j = 0; j < e->len; j++)
			if (cl_posting_live(c, v[j]))
				v[m++] = v[j];
		c->stale -= c->stale > e->len - m ? e->len - m : c->stale;
		c->postings -= e->len - m;
		e->len = m;
	}
	if (e->len == cap) {
		unsigned k = e->cls == CL_INLINE ? pool_class(4 * sizeof(*v)) : e->cls + 1u;
		struct cl_posting *p = pool_get(&c->pool, k);
		if (!p)
			return -1;
		memcpy(p, v, e->len * sizeof(*p));
		if (e->cls != CL_INLINE)
			pool_put(&c->pool, e->u.p, e->cls);
		e->u.p = p;
		e->cls = k;
		v = p;
	}
	v[e->len++] = np;
	c->postings++;
	return 0;
}

static bool cl_indexed(uint32_t hash, uint32_t n)
{
	return (hash & 3) == 2 || n == 1; /* bigrams, or a lone character */
}

static int cl_index_doc(struct text_clusterer *c, uint32_t slot, const struct cl_doc *d)
{
	for (uint32_t i = 0; i < d->n; i++) /* the probes' cache misses overlap */
		if (cl_indexed(d->hash[i], d->n))
			__builtin_prefetch(&c->index[cl_mix(d->hash[i]) & c->index_mask], 1);
	for (uint32_t i = 0; i < d->n; i++)
		if (cl_indexed(d->hash[i], d->n) && cl_index_add(c, d->hash[i], slot) < 0)
			return -1;
	return 0;
}

/* Rebuilds the index from the live clusters, at least twice as big as its keys need. */
static int cl_index_rebuild(struct text_clusterer *c, size_t extra)
{
	size_t keys = extra;
	for (uint32_t s = 0; s < c->nclusters; s++)
		for (uint32_t j = 0; c->clusters[s].live && j < c->clusters[s].ndocs; j++)
			keys += c->clusters[s].docs[j].n;
	size_t cap = 1024;
	while (cap < keys * 2)
		cap *= 2;
	cl_index_clear(c);
	if (cap != (size_t)c->index_mask + 1) {
		struct cl_entry *e = calloc(cap, sizeof(*e));
		if (!e)
			return -1;
		free(c->index);
		c->index = e;
		c->index_mask = (uint32_t)(cap - 1);
	}
	for (uint32_t s = 0; s < c->nclusters; s++)
		for (uint32_t j = 0; c->clusters[s].live && j < c->clusters[s].ndocs; j++)
			if (cl_index_doc(c, s, &c->clusters[s].docs[j]) < 0)
				return -1;
	return 0;
}

/* ---- members ---- */

/* Stores q as member m of cluster slot s (a block holding its shingles and text) and
 * indexes it. -1 when out of memory (the member is then not stored). */
static int cl_doc_store(struct text_clusterer *c, uint32_t s, const struct text_shingles *q,
			const char *text, size_t len)
{
	struct cl_cluster *k = &c->clusters[s];
	struct cl_doc *d = &k->docs[k->ndocs];
	size_t tl = text_cut(text, len);
	size_t size = (size_t)q->n * (sizeof(uint32_t) + sizeof(float)) + tl + 1;
	d->cls = pool_class(size);
	char *b = pool_get(&c->pool, d->cls);
	if (!b)
		return -1;
	d->n = q->n;
	d->total = q->total;
	d->intent = q->intent;
	d->hash = (uint32_t *)(void *)b;
	d->w = (float *)(void *)(b + (size_t)q->n * sizeof(uint32_t));
	d->text = b + (size_t)q->n * (sizeof(uint32_t) + sizeof(float));
	memcpy(d->hash, q->hash, q->n * sizeof(uint32_t));
	memcpy(d->w, q->w, q->n * sizeof(float));
	size_t o = 0; /* the raw text, with any invalid UTF-8 left out */
	for (size_t i = 0; i < tl;) {
		uint32_t cp;
		size_t n = utf8_decode((const unsigned char *)text + i, tl - i, &cp);
		if (n == 0) {
			i++;
			continue;
		}
		memcpy(d->text + o, text + i, n);
		o += n;
		i += n;
	}
	d->text[o] = 0;
	/* grow the index before it is half full of keys */
	if ((size_t)(c->index_used + q->n) * 2 > (size_t)c->index_mask + 1 &&
	    cl_index_rebuild(c, q->n) < 0)
		goto fail;
	if (cl_index_doc(c, s, d) < 0)
		goto fail;
	k->ndocs++;
	return 0;
fail:
	pool_put(&c->pool, b, d->cls);
	return -1;
}

/* Starts loading a stored member's shingles (hash[n] then w[n], one block). */
static inline void cl_doc_prefetch(const struct cl_doc *d)
{
	const char *b = (const char *)d->hash;
	size_t size = (size_t)d->n * (sizeof(uint32_t) + sizeof(float));
	for (size_t o = 0; o < size; o += 64)
		__builtin_prefetch(b + o);
}

static double cl_doc_sim(const struct text_shingles *q, const struct cl_doc *d)
{
	float shared = shingle_shared(q, d->hash, d->w, d->n);
	return shingle_score(q->total, d->total, q->intent, d->intent, shared);
}

/* The most cl_doc_sim(q, d) can be: the lighter set's weight all shared (halved when they
 * ask different things, as shingle_score), raised by 1e-4 against float rounding (shared
 * weight summed in another order than the totals). */
static inline double cl_doc_bound(const struct text_shingles *q, const struct cl_doc *d)
{
	float lo = q->total < d->total ? q->total : d->total;
	if (q->intent && d->intent && !(q->intent & d->intent))
		lo *= 0.5f;
	double uni = (double)q->total + d->total - lo;
	return uni > 0 ? lo / uni * (1 + 1e-4) : 0.0;
}

/* Sets the cluster's title to the display form of its representative (once per change of
 * representative, so that reading a title costs nothing). Without a title block (empty
 * display form, out of memory) the title is the representative as given. */
static void cl_title_set(struct text_clusterer *c, struct cl_cluster *k)
{
	char buf[3 * TEXT_MAX_INPUT + 1];
	if (k->title) {
		pool_put(&c->pool, k->title, k->title_cls);
		k->title = NULL;
	}
	const char *rep = k->docs[k->rep].text;
	size_t n = text_display(rep, strlen(rep), buf, sizeof(buf));
	if (n == 0 || strcmp(buf, rep) == 0)
		return;
	k->title_cls = pool_class(n + 1);
	k->title = pool_get(&c->pool, k->title_cls);
	if (k->title)
		memcpy(k->title, buf, n + 1);
}

/* Stores q in cluster slot s when it has room, and moves the representative to the stored
 * member most like the others. */
static void cl_remember(struct text_clusterer *c, uint32_t s, const struct text_shingles *q,
			const char *text, size_t len)
{
	struct cl_cluster *k = &c->clusters[s];
	if (k->ndocs >= CL_MEMBERS)
		return;
	uint32_t m = k->ndocs;
	if (cl_doc_store(c, s, q, text, len) < 0)
		return;
	k->simsum[m] = 0;
	for (uint32_t i = 0; i < m; i++) {
		float sim = (float)cl_doc_sim(q, &k->docs[i]);
		k->simsum[i] += sim;
		k->simsum[m] += sim;
	}
	uint32_t rep = k->rep;
	for (uint32_t i = 0; i < k->ndocs; i++)
		if (k->simsum[i] > k->simsum[k->rep])
			k->rep = i;
	if (m == 0 || k->rep != rep)
		cl_title_set(c, k);
}

/* ---- LRU ---- */

static void cl_lru_unlink(struct text_clusterer *c, uint32_t s)
{
	struct cl_cluster *k = &c->clusters[s];
	if (k->prev != CL_NONE)
		c->clusters[k->prev].next = k->next;
	else
		c->lru_head = k->next;
	if (k->next != CL_NONE)
		c->clusters[k->next].prev = k->prev;
	else
		c->lru_tail = k->prev;
	k->prev = k->next = CL_NONE;
}

static void cl_lru_front(struct text_clusterer *c, uint32_t s)
{
	struct cl_cluster *k = &c->clusters[s];
	k->prev = CL_NONE;
	k->next = c->lru_head;
	if (c->lru_head != CL_NONE)
		c->clusters[c->lru_head].prev = s;
	c->lru_head = s;
	if (c->lru_tail == CL_NONE)
		c->lru_tail = s;
}

static void cl_retire(struct text_clusterer *c, uint32_t s)
{
	struct cl_cluster *k = &c->clusters[s];
	cl_lru_unlink(c, s);
	for (uint32_t i = 0; i < k->ndocs; i++) {
		for (uint32_t j = 0; j < k->docs[i].n; j++)
			c->stale += cl_indexed(k->docs[i].hash[j], k->docs[i].n);
		pool_put(&c->pool, k->docs[i].hash, k->docs[i].cls);
	}
	if (k->title)
		pool_put(&c->pool, k->title, k->title_cls);
	k->title = NULL;
	cl_map_del(c, k->id);
	c->slot[s].gen++;
	k->live = false;
	k->ndocs = 0;
	k->next = c->free_cluster;
	c->free_cluster = s;
	c->live--;
}

/* A slot for a new cluster: a retired one, or a new one at the end. */
static uint32_t cl_slot_new(struct text_clusterer *c)
{
	if (c->free_cluster != CL_NONE) {
		uint32_t s = c->free_cluster;
		c->free_cluster = c->clusters[s].next;
		return s;
	}
	if (c->nclusters == c->cap_clusters) {
		uint32_t cap = c->cap_clusters ? c->cap_clusters * 2 : 64;
		struct cl_cluster *k = realloc(c->clusters, cap * sizeof(*k));
		if (k)
			c->clusters = k;
		struct cl_slot *g = realloc(c->slot, cap * sizeof(*g));
		if (g)
			c->slot = g;
		uint32_t *t = realloc(c->scratch.touched, (cap + 1) * sizeof(*t)); /* +1: cl_find */
		if (t)
			c->scratch.touched = t;
		if (!k || !g || !t)
			return CL_NONE;
		c->cap_clusters = cap;
	}
	uint32_t s = c->nclusters++;
	c->slot[s] = (struct cl_slot){0, 0};
	return s;
}

/* ---- public ---- */

struct text_clusterer *text_clusterer_new(const struct text_cluster_opts *opts)
{
	struct text_clusterer *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->threshold = opts && opts->threshold > 0 ? opts->threshold : CL_THRESHOLD;
	c->max_clusters = opts && opts->max_clusters > 0 ? opts->max_clusters : CL_DEFAULT_MAX;
	if (c->max_clusters > CL_MAX_CLUSTERS)
		c->max_clusters = CL_MAX_CLUSTERS; /* an index vector's length has 24 bits */
	c->free_cluster = CL_NONE;
	c->lru_head = c->lru_tail = CL_NONE;
	c->df_uni = calloc(CL_DF_UNI + 1, sizeof(*c->df_uni));
	c->df_bi = calloc(CL_DF_BI + 1, sizeof(*c->df_bi));
	c->index = calloc(1024, sizeof(*c->index));
	c->index_mask = 1023;
	for (int i = 0; i < CL_LOG_TAB; i++)
		c->logtab[i] = logf((float)i + 1.0f);
	if (!c->df_uni || !c->df_bi || !c->index || cl_map_init(c, 64) < 0) {
		text_clusterer_free(c);
		return NULL;
	}
	return c;
}

void text_clusterer_free(struct text_clusterer *c)
{
	if (!c)
		return;
	if (c->index) {
		for (uint32_t i = 0; i <= c->index_mask; i++)
			if (c->index[i].key && c->index[i].cls != CL_INLINE &&
			    c->index[i].cls >= CL_CLASSES)
				free(c->index[i].u.p);
	}
	for (uint32_t s = 0; s < c->nclusters; s++) {
		for (uint32_t j = 0; c->clusters[s].live && j < c->clusters[s].ndocs; j++)
			if (c->clusters[s].docs[j].cls >= CL_CLASSES)
				free(c->clusters[s].docs[j].hash);
		if (c->clusters[s].live && c->clusters[s].title &&
		    c->clusters[s].title_cls >= CL_CLASSES)
			free(c->clusters[s].title);
	}
	while (c->pool.chunks) {
		struct cl_chunk *n = c->pool.chunks->next;
		free(c->pool.chunks);
		c->pool.chunks = n;
	}
	free(c->scratch.touched);
	free(c->clusters);
	free(c->slot);
	free(c->map.ids);
	free(c->map.slots);
	free(c->index);
	free(c->df_uni);
	free(c->df_bi);
	free(c);
}

struct cl_best {
	uint32_t slot;
	double score;
};

/* The live cluster most like q: candidates are the clusters sharing the most bigram weight
 * with q, found through the index vectors of q's rarest bigrams (newest postings first, a
 * bounded number); each is scored by q's average similarity to its stored members. */
static struct cl_best cl_find(const struct text_clusterer *c, const struct text_shingles *q)
{
	struct cl_best best = {CL_NONE, 0.0};
	if (c->live == 0 || q->n == 0)
		return best;
	/* the heaviest bigrams: a question like q shares some of them */
	uint32_t pick[CL_PROBES];
	uint32_t np = 0;
	for (uint32_t i = 0; i < q->n; i++) {
		if (!cl_indexed(q->hash[i], q->n))
			continue;
		uint32_t j = np < CL_PROBES ? np++ : CL_PROBES;
		if (j == CL_PROBES && q->w[i] <= q->w[pick[CL_PROBES - 1]])
			continue;
		if (j == CL_PROBES)
			j--;
		while (j > 0 && q->w[pick[j - 1]] < q->w[i]) {
			pick[j] = pick[j - 1];
			j--;
		}
		pick[j] = i;
	}
	const struct cl_entry *ent[CL_PROBES];
	float ew[CL_PROBES];
	uint32_t m = 0;
	for (uint32_t pi = 0; pi < np; pi++) /* the probes' cache misses overlap */
		__builtin_prefetch(&c->index[cl_mix(q->hash[pick[pi]]) & c->index_mask]);
	for (uint32_t pi = 0; pi < np; pi++) {
		uint32_t i = pick[pi];
		const struct cl_entry *e = cl_index_find(c, q->hash[i]);
		if (!e || e->len == 0)
			continue;
		uint32_t j = m++; /* insertion by vector length: rarest first */
		while (j > 0 && ent[j - 1]->len > e->len) {
			ent[j] = ent[j - 1];
			ew[j] = ew[j - 1];
			j--;
		}
		ent[j] = e;
		ew[j] = q->w[i];
	}
	/* all of each walked vector's tail, not its end (the walk below stops at CL_SCAN) */
	for (uint32_t i = 0, scan = 0; i < m && scan < CL_SCAN; i++) {
		uint32_t stop = ent[i]->len > CL_CHAIN ? ent[i]->len - CL_CHAIN : 0;
		scan += ent[i]->len - stop;
		if (ent[i]->cls == CL_INLINE)
			continue;
		const char *lo = (const char *)&ent[i]->u.p[stop];
		size_t bytes = (ent[i]->len - stop) * sizeof(struct cl_posting);
		for (size_t o = 0; o < bytes; o += 64)
			__builtin_prefetch(lo + o);
		__builtin_prefetch(lo + bytes - 1);
	}
	uint32_t *restrict touched = c->scratch.touched; /* not reloaded after each store */
	struct cl_slot *restrict slot = c->slot;
	uint32_t ntouched = 0, scanned = 0;
	for (uint32_t i = 0; i < m && scanned < CL_SCAN; i++) {
		const struct cl_entry *e = ent[i];
		const struct cl_posting *v = cl_postings_c(e);
		uint32_t stop = e->len > CL_CHAIN ? e->len - CL_CHAIN : 0;
		for (uint32_t j = e->len; j > stop; j--) {
			struct cl_posting p = v[j - 1];
			if (!cl_posting_live(c, p))
				continue;
			/* a new slot is kept without a branch on whether it is new */
			float a = slot[p.slot].acc;
			uint32_t abits; /* a sum of positive weights: 0 only as +0.0f */
			memcpy(&abits, &a, sizeof(abits));
			touched[ntouched] = p.slot;
			ntouched += abits == 0;
			slot[p.slot].acc = a + ew[i];
		}
		scanned += e->len - stop;
	}
	/* the clusters with the most shared weight */
	uint32_t cand[CL_CANDS];
	float cw[CL_CANDS];
	uint32_t nc = 0, lo = 0; /* lo: the first of the lightest, once nc is CL_CANDS */
	for (uint32_t t = 0; t < ntouched; t++) {
		uint32_t sl = touched[t];
		float a = slot[sl].acc;
		slot[sl].acc = 0;
		if (nc < CL_CANDS) {
			cand[nc] = sl;
			cw[nc++] = a;
			if (nc < CL_CANDS)
				continue;
		} else if (a > cw[lo]) {
			cand[lo] = sl;
			cw[lo] = a;
		} else {
			continue;
		}
		/* only when the lightest changes (most touched clusters lose to it) */
		lo = 0;
		for (uint32_t k = 1; k < CL_CANDS; k++)
			if (cw[k] < cw[lo])
				lo = k;
	}
	for (uint32_t k = 1; k < nc; k++) { /* most overlap first: it most often wins */
		for (uint32_t j = k; j > 0 && cw[j] > cw[j - 1]; j--) {
			float tw = cw[j];
			uint32_t tc = cand[j];
			cw[j] = cw[j - 1];
			cand[j] = cand[j - 1];
			cw[j - 1] = tw;
			cand[j - 1] = tc;
		}
	}
	float top = nc ? cw[0] : 0;
	/* the candidates' first members are cache misses: start them all before scoring */
	for (uint32_t k = 0; k < nc; k++)
		__builtin_prefetch(&c->clusters[cand[k]].docs[0]);
	for (uint32_t k = 0; k < nc; k++)
		if (cw[k] >= top * CL_CAND_RATIO && c->clusters[cand[k]].ndocs)
			cl_doc_prefetch(&c->clusters[cand[k]].docs[0]);
	for (uint32_t k = 0; k < nc; k++) {
		if (cw[k] < top * CL_CAND_RATIO)
			continue; /* far behind the best overlap: not worth scoring */
		const struct cl_cluster *cl = &c->clusters[cand[k]];
		/* the most each member's similarity can be, from the weights alone: the cluster
		 * is passed over without comparing a shingle when even those cannot reach */
		double after[CL_MEMBERS]; /* the bounds of the members after each, summed */
		double all = 0;
		for (uint32_t j = cl->ndocs; j-- > 0;) {
			after[j] = all;
			all += cl_doc_bound(q, &cl->docs[j]);
		}
		if (all < c->threshold * cl->ndocs || all < best.score * cl->ndocs)
			continue;
		for (uint32_t j = 1; j < cl->ndocs; j++)
			cl_doc_prefetch(&cl->docs[j]);
		/* average link over the stored members: one stray member does not drag in
		 * questions like it (single link chains same-topic questions together) */
		double sum = 0;
		uint32_t j = 0;
		for (; j < cl->ndocs; j++) {
			sum += cl_doc_sim(q, &cl->docs[j]);
			/* the best the average can still be, every other member at its bound */
			double reach = (sum + after[j]) / cl->ndocs;
			if (reach < c->threshold || reach < best.score)
				break;
		}
		if (j < cl->ndocs)
			continue; /* cannot reach the threshold or beat the best */
		double sc = cl->ndocs ? sum / cl->ndocs : 0;
		if (sc > best.score || (sc == best.score && best.slot != CL_NONE &&
					cl->id < c->clusters[best.slot].id)) {
			best.score = sc;
			best.slot = cand[k];
		}
	}
	return best;
}

/* The square root of x >= 0: sqrtf without its errno test (a compare and a branch to the
 * library for a negative x, twice per shingle in cl_reweight); the same correctly rounded
 * result. */
static inline float cl_sqrt(float x)
{
#ifdef __SSE__
	return _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(x)));
#else
	return sqrtf(x);
#endif
}

/* Damps the weights of shingles frequent in this stream (the topic every question of a
 * stream on 草原补奖 shares), so that what differs decides: w × d^(1/4) with
 * d = log((N + K) / (df + 1)) / log(N + K), N questions so far, df those with the shingle. */
static void cl_reweight(const struct text_clusterer *c, struct text_shingles *q)
{
	float lognk = logf((float)c->nquestions + CL_DF_K);
	float total = 0;
	for (uint32_t i = 0; i < q->n; i++) {
		uint32_t h = q->hash[i];
		uint32_t df = (h & 3) == 1 ? c->df_uni[h >> 2 & CL_DF_UNI]
					   : c->df_bi[h >> 2 & CL_DF_BI];
		float ldf = df < CL_LOG_TAB ? c->logtab[df] : logf((float)df + 1.0f);
		float d = (lognk - ldf) / lognk;
		d = d < 1.0f ? d : 1.0f; /* as min and max (d is never NaN): no branches */
		d = d > 0.05f ? d : 0.05f;
		shingle_set_w(q, i, q->w[i] * cl_sqrt(cl_sqrt(d)));
		total += q->w[i];
	}
	q->total = total;
}

static void cl_count(struct text_clusterer *c, const struct text_shingles *q)
{
	c->nquestions++;
	for (uint32_t i = 0; i < q->n; i++) {
		uint32_t h = q->hash[i];
		if ((h & 3) == 1)
			c->df_uni[h >> 2 & CL_DF_UNI]++;
		else if (c->df_bi[h >> 2 & CL_DF_BI] < UINT16_MAX)
			c->df_bi[h >> 2 & CL_DF_BI]++;
	}
}

static size_t cl_prepare(const struct text_clusterer *c, const char *text, size_t len,
			 struct text_shingles *q)
{
	uint32_t cps[CL_DOC_CPS];
	size_t n = text_normalize_cps(text, len, cps, CL_DOC_CPS);
	shingle_build(cps, n, q);
	/* the index entries cl_find probes are cache misses (the index is megabytes): start
	 * them all now, so that they arrive while the weights are damped */
	for (uint32_t i = 0; i < q->n; i++)
		if (cl_indexed(q->hash[i], q->n))
			__builtin_prefetch(&c->index[cl_mix(q->hash[i]) & c->index_mask]);
	cl_reweight(c, q);
	return n;
}

struct text_assignment text_clusterer_peek(const struct text_clusterer *c, const char *text,
					   size_t len)
{
	struct text_assignment a = {-1, false, 0.0};
	struct text_shingles q;
	if (!c || cl_prepare(c, text, len, &q) == 0)
		return a;
	struct cl_best b = cl_find(c, &q);
	if (b.slot != CL_NONE && b.score >= c->threshold) {
		a.cluster = c->clusters[b.slot].id;
		a.score = b.score;
	}
	return a;
}

struct text_assignment text_clusterer_add(struct text_clusterer *c, const char *text, size_t len)
{
	struct text_assignment a = {-1, false, 0.0};
	struct text_shingles q;
	if (!c || cl_prepare(c, text, len, &q) == 0)
		return a;
	struct cl_best b = cl_find(c, &q);
	cl_count(c, &q);
	if (b.slot != CL_NONE && b.score >= c->threshold) {
		cl_lru_unlink(c, b.slot);
		cl_lru_front(c, b.slot);
		cl_remember(c, b.slot, &q, text, len);
		a.cluster = c->clusters[b.slot].id;
		a.score = b.score;
		return a;
	}
	while (c->live >= c->max_clusters && c->lru_tail != CL_NONE)
		cl_retire(c, c->lru_tail);
	if (c->stale > 4096 && c->stale * 2 > c->postings)
		(void)cl_index_rebuild(c, 0);
	uint32_t s = cl_slot_new(c);
	if (s == CL_NONE)
		return a;
	struct cl_cluster *k = &c->clusters[s];
	*k = (struct cl_cluster){.id = c->next_id++, .prev = CL_NONE, .next = CL_NONE,
				 .live = true};
	c->live++;
	cl_lru_front(c, s);
	if (cl_map_grow(c) == 0)
		cl_map_put(c, k->id, s);
	cl_remember(c, s, &q, text, len);
	a.cluster = k->id;
	a.opened = true;
	a.score = 1.0;
	return a;
}

const char *text_clusterer_title(const struct text_clusterer *c, int64_t cluster)
{
	if (!c || cluster < 0)
		return NULL;
	uint32_t s = cl_map_find(c, cluster);
	if (s == CL_NONE || c->clusters[s].ndocs == 0)
		return NULL;
	const struct cl_cluster *k = &c->clusters[s];
	return k->title ? k->title : k->docs[k->rep].text;
}

double text_clusterer_threshold(const struct text_clusterer *c)
{
	return c ? c->threshold : CL_THRESHOLD;
}

size_t text_clusterer_count(const struct text_clusterer *c)
{
	return c ? (size_t)c->next_id : 0;
}

/* ---- heat ---- */

double text_heat_at(double heat, int64_t heat_ms, int64_t now_ms)
{
	if (now_ms <= heat_ms)
		return heat;
	return heat * exp(-(double)(now_ms - heat_ms) / TEXT_HEAT_HALF_LIFE_MS * M_LN2);
}

double text_heat_add(double heat, int64_t heat_ms, int64_t now_ms, double weight)
{
	return text_heat_at(heat, heat_ms, now_ms) + weight;
}
